package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
)

// enricher says what is exposed now of what a finding reports.
type enricher interface {
	enrich(ctx context.Context, f *finding.Finding) (*finding.Finding, error)
	close() error
}

// commandEnricher runs enrich's own program on each finding, as a user
// runs it on an event file (lambdarun.RunFile): the same code as the
// deployed function, with the AWS SDK's default credentials and
// AWS_ENDPOINT_URL, and with its environment (MEMBER_ROLE_NAME,
// EXTERNAL_ID) for an organisation. Its enrich may run several times at
// once.
type commandEnricher struct {
	path string
	dir  string // where request files are written, one per call
}

// newCommandEnricher finds the enrich program: path when set, else
// $TRAILWATCH_BIN/enrich/bootstrap, else .local/bin/enrich/bootstrap (what
// make bin builds).
func newCommandEnricher(path string) (*commandEnricher, error) {
	if path == "" {
		bin := os.Getenv("TRAILWATCH_BIN")
		if bin == "" {
			bin = filepath.Join(".local", "bin")
		}
		path = filepath.Join(bin, "enrich", "bootstrap")
	}
	if _, err := os.Stat(path); err != nil {
		return nil, fmt.Errorf("-enrich needs the enrich program (make bin builds it, or pass -enrich-command): %w", err)
	}
	dir, err := os.MkdirTemp("", "replay-enrich-")
	if err != nil {
		return nil, err
	}
	return &commandEnricher{path: path, dir: dir}, nil
}

func (e *commandEnricher) enrich(ctx context.Context, f *finding.Finding) (*finding.Finding, error) {
	req, err := json.Marshal(finding.StepRequest{Finding: f})
	if err != nil {
		return nil, err
	}
	// A file per call: several calls run at once.
	tmp, err := os.CreateTemp(e.dir, "request-*.json")
	if err != nil {
		return nil, err
	}
	file := tmp.Name()
	defer os.Remove(file)
	_, err = tmp.Write(req)
	if closeErr := tmp.Close(); err == nil {
		err = closeErr
	}
	if err != nil {
		return nil, err
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, e.path, file)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	runErr := cmd.Run()
	var exit *exec.ExitError
	if runErr != nil && !errors.As(runErr, &exit) {
		return nil, fmt.Errorf("run %s: %w", e.path, runErr)
	}
	if runErr != nil {
		var res lambdarun.ErrorResponse
		if json.Unmarshal(stdout.Bytes(), &res) == nil && res.ErrorType != "" {
			return nil, fmt.Errorf("%s: %s", res.ErrorType, res.ErrorMessage)
		}
		return nil, fmt.Errorf("%s: %w: %s", e.path, runErr, bytes.TrimSpace(stderr.Bytes()))
	}
	var now finding.Finding
	if err := json.Unmarshal(stdout.Bytes(), &now); err != nil {
		return nil, fmt.Errorf("read enrich's answer: %w", err)
	}
	return &now, nil
}

func (e *commandEnricher) close() error { return os.RemoveAll(e.dir) }
