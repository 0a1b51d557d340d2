package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
)

const events = "../shared/finding/testdata/events"

func TestHandle(t *testing.T) {
	tests := []struct {
		name      string
		file      string
		wrap      bool
		wantEvent string
		wantErr   string
	}{
		{name: "bare record", file: "ec2-runinstances.json", wantEvent: "RunInstances"},
		{name: "state machine payload", file: "ec2-runinstances.json", wrap: true, wantEvent: "RunInstances"},
		{name: "envelope", file: "envelope-api-call.json", wrap: true, wantEvent: "AuthorizeSecurityGroupIngress"},
		{name: "read-only call", file: "ec2-describeinstances.json", wrap: true, wantErr: "UnsupportedEventError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join(events, tc.file))
			if err != nil {
				t.Skipf("fixture %s not present", tc.file)
			}
			if tc.wrap {
				data = []byte(`{"event":` + string(data) + `,"executionId":"arn:aws:states:us-east-1:123456789012:express:p:x:y"}`)
			}
			var req finding.ParseRequest
			if err := json.Unmarshal(data, &req); err != nil {
				t.Fatal(err)
			}
			var logs bytes.Buffer
			h := NewHandler(zerolog.New(&logs))
			f, err := h.Handle(context.Background(), req)
			if tc.wantErr != "" {
				if err == nil || lambdarun.ErrorType(err) != tc.wantErr {
					t.Fatalf("error %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.EventName != tc.wantEvent {
				t.Errorf("event %s, want %s", f.EventName, tc.wantEvent)
			}
			if tc.wrap && !strings.Contains(logs.String(), `"execution_id":"arn:aws:states`) {
				t.Errorf("log lines lack the execution id: %s", logs.String())
			}
		})
	}
}

func TestHandleMalformed(t *testing.T) {
	h := NewHandler(zerolog.Nop())
	var req finding.ParseRequest
	_ = json.Unmarshal([]byte(`{"event":{"hello":"world"},"executionId":"x"}`), &req)
	_, err := h.Handle(context.Background(), req)
	if got := lambdarun.ErrorType(err); got != "MalformedEventError" {
		t.Errorf("errorType %q, want MalformedEventError", got)
	}
}

func TestRunFile(t *testing.T) {
	h := NewHandler(zerolog.Nop())
	var out bytes.Buffer
	code := lambdarun.RunFile(context.Background(), h.Handle, filepath.Join(events, "ec2-runinstances.json"), &out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, out.String())
	}
	var f finding.Finding
	if err := json.Unmarshal(out.Bytes(), &f); err != nil || f.EventName != "RunInstances" {
		t.Errorf("output is not the finding: %v %s", err, out.String())
	}
}
