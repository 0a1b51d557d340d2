package main

import (
	"bytes"
	"context"
	"errors"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// realTrail is a log file of about size bytes in which, as in real trails,
// 90 % of the records are outside the catalog.
func realTrail(b *testing.B, size int) []byte {
	var in, out [][]byte
	for _, rec := range events(b) {
		var unsup *finding.UnsupportedEventError
		switch _, err := finding.Parse(rec); {
		case err == nil:
			in = append(in, rec)
		case errors.As(err, &unsup):
			out = append(out, rec)
		}
	}
	var buf bytes.Buffer
	buf.WriteString(`{"Records":[`)
	for i := 0; buf.Len() < size; i++ {
		if i > 0 {
			buf.WriteByte(',')
		}
		if i%10 == 9 {
			buf.Write(in[(i/10)%len(in)])
		} else {
			buf.Write(out[i%len(out)])
		}
	}
	buf.WriteString("]}")
	return buf.Bytes()
}

// BenchmarkReplayVsPython replays a 64 MB log file (90 % of its records
// outside the catalog) on every core, and times Python's json.load of the
// same file in each iteration: x-python is replay's throughput over
// Python's.
func BenchmarkReplayVsPython(b *testing.B) {
	python, err := exec.LookPath("python3")
	if err != nil {
		b.Skip("no python3 to compare with")
	}
	data := realTrail(b, 64<<20)
	path := filepath.Join(b.TempDir(), "trail.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(data)))
	var pySecs float64
	for b.Loop() {
		b.StopTimer()
		start := time.Now()
		if out, err := exec.Command(python, "-c", "import json,sys; json.load(open(sys.argv[1]))", path).CombinedOutput(); err != nil {
			b.Fatalf("python: %v: %s", err, out)
		}
		pySecs += time.Since(start).Seconds()
		b.StartTimer()
		if code := run(context.Background(), []string{path}, nil, io.Discard, io.Discard, false); code != 0 {
			b.Fatalf("replay exit %d", code)
		}
	}
	goSecs := b.Elapsed().Seconds()
	mb := float64(len(data)) / 1e6 * float64(b.N)
	b.ReportMetric(mb/pySecs, "python-MB/s")
	b.ReportMetric(pySecs/goSecs, "x-python")
}
