package main

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// events are the bare records of the parser's fixtures.
func events(t testing.TB) [][]byte {
	t.Helper()
	paths, err := filepath.Glob("../../finding/testdata/events/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	var out [][]byte
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		var probe struct {
			Detail  json.RawMessage `json:"detail"`
			Records json.RawMessage `json:"Records"`
		}
		_ = json.Unmarshal(data, &probe)
		switch {
		case probe.Records != nil:
		case probe.Detail != nil:
			out = append(out, probe.Detail)
		default:
			var compact bytes.Buffer
			if err := json.Compact(&compact, data); err != nil {
				t.Fatal(err)
			}
			out = append(out, compact.Bytes())
		}
	}
	return out
}

// logFile is a CloudTrail log file of n records drawn from recs in turn.
func logFile(recs [][]byte, n int) []byte {
	var b bytes.Buffer
	b.WriteString(`{"Records":[`)
	for i := range n {
		if i > 0 {
			b.WriteByte(',')
		}
		b.Write(recs[i%len(recs)])
	}
	b.WriteString("]}")
	return b.Bytes()
}

func gzipped(data []byte) []byte {
	var b bytes.Buffer
	w := gzip.NewWriter(&b)
	w.Write(data)
	w.Close()
	return b.Bytes()
}

// want is what replay prints of logs read in order: the alerts (or every
// finding) of ParseLog, one after the other.
func want(t *testing.T, all bool, logs ...[]byte) []string {
	t.Helper()
	var lines []string
	for _, l := range logs {
		err := finding.ParseLog(bytes.NewReader(l), func(_ int, f *finding.Finding, err error) error {
			if err == nil && (all || isAlert(f)) {
				b, _ := json.Marshal(f)
				lines = append(lines, string(b))
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	return lines
}

func lines(s string) []string {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	return strings.Split(s, "\n")
}

func TestReplay(t *testing.T) {
	recs := events(t)
	dir := t.TempDir()
	big := logFile(recs, 3000) // several batches
	small := logFile(recs, 50)
	write := func(name string, data []byte) string {
		p := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, data, 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	plain := write("a/1.json", big)
	gz := write("a/2.json.gz", gzipped(small))
	tests := []struct {
		name  string
		args  []string
		stdin []byte
		want  []string
	}{
		{"plain file", []string{plain}, nil, want(t, false, big)},
		{"gzip file, every finding", []string{"-all", gz}, nil, want(t, true, small)},
		{"directory, in order", []string{filepath.Join(dir, "a")}, nil, want(t, false, big, small)},
		{"stdin and a file, one worker", []string{"-workers", "1", "-", gz}, gzipped(big), want(t, false, big, small)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tc.args, bytes.NewReader(tc.stdin), &stdout, &stderr, false); code != 0 {
				t.Fatalf("exit %d: %s", code, stderr.String())
			}
			got := lines(stdout.String())
			if len(got) != len(tc.want) {
				t.Fatalf("%d findings printed, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if got[i] != tc.want[i] {
					t.Fatalf("finding %d:\n%s\nwant\n%s", i, got[i], tc.want[i])
				}
			}
			for _, row := range []string{"files", "records", "findings", "outside the catalog", "MB/s"} {
				if !strings.Contains(stderr.String(), row) {
					t.Errorf("summary lacks %q:\n%s", row, stderr.String())
				}
			}
			if strings.Contains(stderr.String(), "\r") {
				t.Errorf("progress drawn on a stream that is not a terminal:\n%q", stderr.String())
			}
		})
	}
}

func TestReplayTableAndProgress(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log.json")
	if err := os.WriteFile(path, logFile(events(t), 200), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	if code := run(context.Background(), []string{"-format", "table", path}, nil, &stdout, &stderr, true); code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	out := lines(stdout.String())
	if len(out) < 2 || !strings.HasPrefix(out[0], "TIME") || !strings.Contains(stdout.String(), "AuthorizeSecurityGroupIngress") {
		t.Errorf("table:\n%s", stdout.String())
	}
	if !strings.Contains(stderr.String(), "files 1/1 records 200") {
		t.Errorf("no progress bar on a terminal:\n%q", stderr.String())
	}
}

func TestReplayErrors(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(good, logFile(events(t), 20), 0o644)
	os.WriteFile(bad, []byte(`{"Records":[{"eventID":"1"},`), 0o644)
	tests := []struct {
		name   string
		args   []string
		code   int
		stderr string
	}{
		{"no arguments", nil, 2, "usage"},
		{"bad format", []string{"-format", "xml", good}, 2, "usage"},
		{"missing file", []string{filepath.Join(dir, "none.json")}, 1, "no such file"},
		{"truncated log, others still read", []string{bad, good}, 1, "bad.json: cloudtrail log"},
		{"enrich without its program", []string{"-enrich", "-enrich-command", filepath.Join(dir, "none"), good}, 1, "-enrich needs the enrich program"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			if code := run(context.Background(), tc.args, nil, &stdout, &stderr, false); code != tc.code {
				t.Errorf("exit %d, want %d: %s", code, tc.code, stderr.String())
			}
			if !strings.Contains(stderr.String(), tc.stderr) {
				t.Errorf("stderr lacks %q:\n%s", tc.stderr, stderr.String())
			}
		})
	}
}
