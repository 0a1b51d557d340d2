// Package replay tests the replay command (functions/shared/cmd/replay)
// against the local stack: -enrich runs enrich's own program on the
// findings of a log file, against a seeded world, and must say what the
// deployed enrich function says of them.
package replay

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/test/localstack"
	"github.com/trailwatch/trailwatch/test/pipeline"
)

var (
	// binDir holds the functions' host binaries: $TRAILWATCH_BIN (make
	// test builds them), or built once by TestMain.
	binDir string
	// replayBin is the replay command, built by TestMain.
	replayBin string
)

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	root, err := pipeline.FindRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	tmp, err := os.MkdirTemp("", "trailwatch-replay-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(tmp)
	replayBin = filepath.Join(tmp, "replay")
	build := exec.Command("go", "build", "-o", replayBin, "./functions/shared/cmd/replay")
	build.Dir = root
	build.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := build.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build replay: %v\n%s", err, out)
		return 1
	}
	return pipeline.TestMain(m, &binDir)
}

// replayed is a line of replay -enrich's output.
type replayed struct {
	finding.Finding
	Now *finding.Finding `json:"now"`
}

// TestReplayEnrichOnLocalStack replays the demo's events, rendered against
// a seeded world, as one gzip log file, with -enrich against the local
// stack: every printed finding must come with what the deployed enrich
// function, invoked on the same finding, says is exposed now.
func TestReplayEnrichOnLocalStack(t *testing.T) {
	root, err := pipeline.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	var logs localstack.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	p, err := pipeline.Deploy(ctx, pipeline.Options{Root: root, BinDir: binDir, Logs: &logs})
	pipeline.Started(t, p, &logs, err)
	w, err := p.Seed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	samples, err := p.Samples(root, w)
	if err != nil {
		t.Fatal(err)
	}
	var records []json.RawMessage
	for _, s := range samples {
		if s.Direct {
			continue
		}
		if s.Before != nil {
			if err := s.Before(ctx); err != nil {
				t.Fatal(err)
			}
		}
		records = append(records, s.Record)
	}
	var buf bytes.Buffer
	zw := gzip.NewWriter(&buf)
	if err := json.NewEncoder(zw).Encode(map[string]any{"Records": records}); err != nil {
		t.Fatal(err)
	}
	zw.Close()
	logFile := filepath.Join(t.TempDir(), "123456789012_CloudTrail_us-east-1_20240501T0000Z_demo.json.gz")
	if err := os.WriteFile(logFile, buf.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}

	env, err := p.Names.Environment(nil)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(ctx, replayBin, "-all", "-enrich", "-enrich-workers", "3", "-format", "json", logFile)
	cmd.Env = []string{
		"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir(), "TZ=:UTC",
		"TRAILWATCH_BIN=" + binDir,
		"AWS_ENDPOINT_URL=" + p.Stack.Endpoint(), "AWS_REGION=" + localstack.Region,
		"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true",
	}
	for k, v := range env["enrich"] {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("replay: %v\n%s", err, stderr.String())
	}
	t.Logf("replay's summary:\n%s", stderr.String())

	var printed int
	for _, line := range strings.Split(strings.TrimSpace(stdout.String()), "\n") {
		var r replayed
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		printed++
		if r.Now == nil {
			t.Errorf("%s %s: not enriched", r.EventName, r.EventID)
			continue
		}
		f := r.Finding
		req, err := json.Marshal(finding.StepRequest{Finding: &f})
		if err != nil {
			t.Fatal(err)
		}
		out, err := p.Stack.Invoke(ctx, p.Names.Functions["enrich"], req)
		if err != nil {
			t.Fatalf("%s: enrich on the stack: %v", r.EventName, err)
		}
		var want finding.Finding
		if err := json.Unmarshal(out, &want); err != nil {
			t.Fatal(err)
		}
		if diff := cmp.Diff(&want, r.Now); diff != "" {
			t.Errorf("%s: replay's now (+) and the enrich function's (-) differ:\n%s", r.EventName, diff)
		}
		if !r.Now.Enriched || r.Enriched {
			t.Errorf("%s: enriched %v, now enriched %v", r.EventName, r.Enriched, r.Now.Enriched)
		}
	}
	// With -all, every sample but the read-only call is printed.
	if want := len(records) - 1; printed != want {
		t.Errorf("%d findings printed, want %d:\n%s", printed, want, stdout.String())
	}
}
