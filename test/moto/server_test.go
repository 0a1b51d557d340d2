package moto_test

import (
	"context"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/test/moto"
)

func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// fakePython writes an executable script standing in for python: it passes
// FindPython's module check when lacking is empty (else it reports those
// modules missing) and runs body for anything else.
func fakePython(t *testing.T, lacking, body string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "python")
	script := "#!/bin/sh\n" +
		"case \"$2\" in *importlib*)\n" +
		"  if [ -n '" + lacking + "' ]; then echo '" + lacking + "'; exit 3; fi; exit 0;;\n" +
		"esac\n" + body + "\n"
	if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestStart(t *testing.T) {
	ctx := testContext(t)
	s, err := moto.Start(ctx, moto.Options{Config: `{"stepfunctions": {"execute_state_machine": true}}`})
	if errors.Is(err, moto.ErrNotFound) {
		t.Skipf("moto unavailable (make test installs it): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	if !strings.HasPrefix(s.URL, "http://127.0.0.1:") {
		t.Errorf("URL %s, want one on 127.0.0.1", s.URL)
	}
	resp, err := http.Get(s.URL + "/moto-api/data.json")
	if err != nil {
		t.Fatalf("moto does not answer: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Errorf("GET /moto-api/data.json: %s", resp.Status)
	}

	s.Stop()
	s.Stop() // idempotent
	if resp, err := http.Get(s.URL + "/moto-api/data.json"); err == nil {
		resp.Body.Close()
		t.Errorf("moto still answers on %s after Stop", s.URL)
	}
}

func TestStartFailures(t *testing.T) {
	tests := []struct {
		name     string
		python   func(t *testing.T) string
		wantErr  string // in the error
		notFound bool
	}{
		{
			name:    "configured python missing",
			python:  func(t *testing.T) string { return filepath.Join(t.TempDir(), "no-python") },
			wantErr: "configured python",
		},
		{
			name:    "configured python lacks moto",
			python:  func(t *testing.T) string { return fakePython(t, "moto flask", "exit 0") },
			wantErr: "lacks the python modules moto flask",
		},
		{
			name:    "moto exits at once",
			python:  func(t *testing.T) string { return fakePython(t, "", "echo 'address already in use' >&2; exit 1") },
			wantErr: "address already in use",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := moto.Start(testContext(t), moto.Options{Python: tc.python(t)})
			if err == nil {
				s.Stop()
				t.Fatal("Start succeeded, want an error")
			}
			if !strings.Contains(err.Error(), tc.wantErr) {
				t.Errorf("error %q does not say %q", err, tc.wantErr)
			}
			if errors.Is(err, moto.ErrNotFound) {
				t.Errorf("error %q wraps ErrNotFound: a configured python that fails must fail the test, not skip it", err)
			}
		})
	}
}

func TestFindPythonNotFound(t *testing.T) {
	t.Setenv(moto.PythonEnv, "")
	t.Setenv("PATH", t.TempDir()) // no python3
	t.Chdir(t.TempDir())          // no go.work, so no .venv
	_, err := moto.FindPython(testContext(t), "")
	if !errors.Is(err, moto.ErrNotFound) {
		t.Fatalf("FindPython = %v, want ErrNotFound", err)
	}
}

func TestFindPythonRelative(t *testing.T) {
	root := t.TempDir()
	if err := os.WriteFile(filepath.Join(root, "go.work"), []byte("go 1.26\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	venv := filepath.Join(root, ".venv", "bin")
	if err := os.MkdirAll(venv, 0o755); err != nil {
		t.Fatal(err)
	}
	python := fakePython(t, "", "exit 0")
	if err := os.Rename(python, filepath.Join(venv, "python")); err != nil {
		t.Fatal(err)
	}
	pkg := filepath.Join(root, "functions", "dedupe")
	if err := os.MkdirAll(pkg, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(pkg)

	// .venv/bin/python, as the Makefile may give it, is taken from the
	// repository root when the working directory (a package's) lacks it.
	t.Setenv(moto.PythonEnv, ".venv/bin/python")
	got, err := moto.FindPython(testContext(t), "")
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(venv, "python"); got != want {
		t.Errorf("FindPython = %s, want %s", got, want)
	}

	// Unconfigured, the repository's .venv comes before python3.
	t.Setenv(moto.PythonEnv, "")
	if got, err = moto.FindPython(testContext(t), ""); err != nil || got != filepath.Join(venv, "python") {
		t.Errorf("FindPython = %s, %v; want the .venv's python", got, err)
	}
}
