package moto

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// PythonEnv names the environment variable that configures the interpreter
// (the Makefile sets it, as an absolute path).
const PythonEnv = "TRAILWATCH_PYTHON"

// ErrNotFound is returned (wrapped) by FindPython, and so by Start, when no
// interpreter was configured and none of the default candidates has moto.
// It is the only error a test may skip on.
var ErrNotFound = errors.New("no python interpreter with moto found")

// modules are the Python modules moto's server and its Step Functions
// interpreter import.
var modules = []string{"moto", "werkzeug", "flask", "flask_cors", "antlr4", "jsonpath_ng"}

// FindPython returns the interpreter to run moto with: configured (the
// argument, else $TRAILWATCH_PYTHON; a relative path is taken from the
// working directory, else from <repo>, the nearest directory at or above the
// working directory holding go.work), which must have moto; else the first
// of <repo>/.venv/bin/python and python3 that has it. Only in the last case
// does the error wrap ErrNotFound.
func FindPython(ctx context.Context, configured string) (string, error) {
	if configured == "" {
		configured = os.Getenv(PythonEnv)
	}
	if configured != "" {
		configured = resolve(configured)
		if err := check(ctx, configured); err != nil {
			return "", fmt.Errorf("configured python: %w", err)
		}
		return configured, nil
	}
	var candidates []string
	if root, ok := repoRoot(); ok {
		if venv := filepath.Join(root, ".venv", "bin", "python"); fileExists(venv) {
			candidates = append(candidates, venv)
		}
	}
	candidates = append(candidates, "python3")
	var errs []error
	for _, c := range candidates {
		err := check(ctx, c)
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
	}
	return "", fmt.Errorf("%w (run `make moto`, or set %s): %w", ErrNotFound, PythonEnv, errors.Join(errs...))
}

// resolve returns python, or, when it is a relative path (such as
// .venv/bin/python) missing from the working directory (go test runs in the
// package's), that path under <repo>.
func resolve(python string) string {
	if !strings.Contains(python, "/") || filepath.IsAbs(python) || fileExists(python) {
		return python
	}
	if root, ok := repoRoot(); ok {
		if p := filepath.Join(root, python); fileExists(p) {
			return p
		}
	}
	return python
}

// check returns an error unless python runs and finds every module of
// modules. It imports nothing, so it is quick.
func check(ctx context.Context, python string) error {
	script := "import importlib.util as u, sys\n" +
		"missing = [m for m in sys.argv[1:] if u.find_spec(m) is None]\n" +
		"print(' '.join(missing))\n" +
		"sys.exit(3 if missing else 0)\n"
	out, err := exec.CommandContext(ctx, python, append([]string{"-c", script}, modules...)...).Output()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == 3:
		return fmt.Errorf("%s lacks the python modules %s", python, strings.TrimSpace(string(out)))
	case err != nil:
		return fmt.Errorf("run %s: %w", python, err)
	}
	return nil
}

// repoRoot returns the nearest directory at or above the working directory
// that holds go.work.
func repoRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if fileExists(filepath.Join(dir, "go.work")) {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}
