package pipeline

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
)

// BinEnv names the environment variable giving the directory of prebuilt
// binaries: <step>/bootstrap for each function, and the playground's
// commands. `make bin` builds them into .local/bin, and the Makefile sets it
// for everything it runs.
const BinEnv = "TRAILWATCH_BIN"

// BuildFlags are the go build flags of the functions' host binaries; the
// environment adds CGO_ENABLED=0. The Makefile's HOST_BUILD_FLAGS are the
// same (TestMakefileBuildsLikeBuild). Unlike the Lambda zips', they keep
// full paths, so the build shares its cache with the test packages'.
var BuildFlags = []string{"-tags", "lambda.norpc"}

// FindRoot returns the nearest directory at or above the working directory
// that holds go.work.
func FindRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.work above the working directory: run from the repository")
		}
		dir = parent
	}
}

// Build compiles the functions for this machine into dir/<step>/bootstrap
// and each of commands (package paths such as ./test/cmd/up) into
// dir/<base name>. It runs go in root and has no deadline but ctx's.
func Build(ctx context.Context, root, dir string, commands ...string) error {
	tmp, err := os.MkdirTemp(dir, ".build-")
	if err != nil {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return err
		}
		if tmp, err = os.MkdirTemp(dir, ".build-"); err != nil {
			return err
		}
	}
	defer os.RemoveAll(tmp)
	args := append(append([]string{"build"}, BuildFlags...), "-o", tmp+"/")
	for _, step := range Steps {
		args = append(args, "./functions/"+step)
	}
	args = append(args, commands...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return fmt.Errorf("go build: %v\n%s", err, msg)
	}
	for _, step := range Steps {
		if err := os.MkdirAll(filepath.Join(dir, step), 0o755); err != nil {
			return err
		}
		if err := os.Rename(filepath.Join(tmp, step), filepath.Join(dir, step, "bootstrap")); err != nil {
			return err
		}
	}
	for _, c := range commands {
		if err := os.Rename(filepath.Join(tmp, filepath.Base(c)), filepath.Join(dir, filepath.Base(c))); err != nil {
			return err
		}
	}
	return nil
}

// Binaries returns the directory of prebuilt binaries: $TRAILWATCH_BIN when
// it is set (a relative path is taken from root), else fallback after Build
// (with commands) into it. built says whether it built them.
func Binaries(ctx context.Context, root, fallback string, commands ...string) (dir string, built bool, err error) {
	if dir := os.Getenv(BinEnv); dir != "" {
		if !filepath.IsAbs(dir) {
			dir = filepath.Join(root, dir)
		}
		return dir, false, nil
	}
	if err := Build(ctx, root, fallback, commands...); err != nil {
		return "", false, err
	}
	return fallback, true, nil
}

// bootstraps returns the function binaries in dir by step, or an error
// naming the first one missing.
func bootstraps(dir string) (map[string]string, error) {
	out := make(map[string]string, len(Steps))
	for _, step := range Steps {
		path := filepath.Join(dir, step, "bootstrap")
		if _, err := os.Stat(path); err != nil {
			return nil, fmt.Errorf("no %s binary in %s (run `make bin`, or unset %s): %w", step, dir, BinEnv, err)
		}
		out[step] = path
	}
	return out, nil
}

// TestBinaries is for a test's TestMain: it returns the repository root and
// the directory of prebuilt binaries ($TRAILWATCH_BIN, else a temporary
// directory it builds the functions and commands into, which cleanup
// removes). It has no deadline: building is not part of any test.
func TestBinaries(commands ...string) (root, dir string, cleanup func(), err error) {
	cleanup = func() {}
	if root, err = FindRoot(); err != nil {
		return "", "", cleanup, err
	}
	tmp, err := os.MkdirTemp("", "trailwatch-bin-")
	if err != nil {
		return "", "", cleanup, err
	}
	cleanup = func() { os.RemoveAll(tmp) }
	dir, built, err := Binaries(context.Background(), root, tmp, commands...)
	if err != nil {
		return "", "", cleanup, fmt.Errorf("build the binaries: %w", err)
	}
	if built {
		fmt.Fprintf(os.Stderr, "built the functions into %s (%s=.local/bin after `make bin` skips this)\n", dir, BinEnv)
	}
	return root, dir, cleanup, nil
}
