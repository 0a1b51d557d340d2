package coldstart_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/trailwatch/trailwatch/test/coldstart"
	"github.com/trailwatch/trailwatch/test/pipeline"
)

var binDir string

func TestMain(m *testing.M) {
	_, dir, cleanup, err := pipeline.TestBinaries()
	if err != nil {
		os.Stderr.WriteString(err.Error() + "\n")
		os.Exit(1)
	}
	binDir = dir
	code := m.Run()
	cleanup()
	os.Exit(code)
}

// TestEveryFunctionPollsTheRuntimeAPI: each bootstrap, with terraform's
// environment, starts and polls the Runtime API (what make coldstart
// times; no timing is asserted).
func TestEveryFunctionPollsTheRuntimeAPI(t *testing.T) {
	envs, err := coldstart.Environment()
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range pipeline.Steps {
		t.Run(step, func(t *testing.T) {
			ds, err := coldstart.Measure(context.Background(), filepath.Join(binDir, step, "bootstrap"), envs[step], 2)
			if err != nil {
				t.Fatal(err)
			}
			if len(ds) != 2 || ds[0] <= 0 {
				t.Errorf("durations %v", ds)
			}
		})
	}
}
