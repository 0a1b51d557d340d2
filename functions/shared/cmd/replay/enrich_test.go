package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
)

// fakeEnrichEnv makes the test binary act as enrich's program run on a
// request file (lambdarun.RunFile): it answers with the finding enriched
// and high, or fails for event ids starting "fail".
const fakeEnrichEnv = "REPLAY_TEST_FAKE_ENRICH"

func TestMain(m *testing.M) {
	if os.Getenv(fakeEnrichEnv) == "1" {
		os.Exit(fakeEnrich(os.Args[len(os.Args)-1]))
	}
	os.Exit(m.Run())
}

func fakeEnrich(path string) int {
	data, err := os.ReadFile(path)
	if err != nil {
		return 2
	}
	var req finding.StepRequest
	if err := json.Unmarshal(data, &req); err != nil || req.Finding == nil {
		return 2
	}
	if strings.HasPrefix(req.Finding.EventName, "Delete") {
		json.NewEncoder(os.Stdout).Encode(lambdarun.ErrorResponse{ErrorType: "LookupError", ErrorMessage: "ec2: throttled"})
		return 1
	}
	req.Finding.Enriched, req.Finding.Severity = true, finding.SeverityHigh
	json.NewEncoder(os.Stdout).Encode(req.Finding)
	return 0
}

func TestReplayEnrich(t *testing.T) {
	t.Setenv(fakeEnrichEnv, "1")
	path := filepath.Join(t.TempDir(), "log.json")
	if err := os.WriteFile(path, logFile(events(t), 80), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr bytes.Buffer
	code := run(context.Background(), []string{"-enrich", "-enrich-command", os.Args[0], path}, nil, &stdout, &stderr, false)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	var enriched, failed int
	for _, line := range lines(stdout.String()) {
		var r struct {
			finding.Finding
			Now *finding.Finding `json:"now"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatal(err)
		}
		switch {
		case r.Now == nil && strings.HasPrefix(r.EventName, "Delete"):
			failed++
		case r.Now != nil && r.Now.Enriched && r.Now.EventID == r.EventID && !r.Enriched:
			enriched++
		default:
			t.Errorf("finding %s %s: now %+v", r.EventName, r.EventID, r.Now)
		}
	}
	if enriched == 0 || failed == 0 {
		t.Errorf("%d enriched, %d failed: want both", enriched, failed)
	}
	if !strings.Contains(stderr.String(), "enrich: LookupError: ec2: throttled") || !strings.Contains(stderr.String(), "enrich failed") {
		t.Errorf("stderr:\n%s", stderr.String())
	}
}
