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

// pipeBatch is the intake pipe's input holding body, received count times,
// as the state machine wraps it for parse.
func pipeBatch(t *testing.T, bodies []string, count string) finding.ParseRequest {
	t.Helper()
	records := []map[string]any{}
	for _, b := range bodies {
		records = append(records, map[string]any{
			"messageId": "059f36b4-87a3-44ab-83d2-661975830a7d", "receiptHandle": "AQEBwJnKyrHigUMZj6rYigCgxlaS3SLy0a",
			"body": b, "attributes": map[string]string{"ApproximateReceiveCount": count, "SentTimestamp": "1545082649183",
				"SenderId": "AIDAIENQZJOLO23YVJ4VO", "ApproximateFirstReceiveTimestamp": "1545082649185"},
			"messageAttributes": map[string]any{}, "md5OfBody": "e4e68fb7bd0e697a0ae8f1bb342846b3", "eventSource": "aws:sqs",
			"eventSourceARN": "arn:aws:sqs:us-east-1:123456789012:trailwatch-intake", "awsRegion": "us-east-1"})
	}
	batch, err := json.Marshal(records)
	if err != nil {
		t.Fatal(err)
	}
	var req finding.ParseRequest
	if err := json.Unmarshal([]byte(`{"event":`+string(batch)+`,"executionId":"x"}`), &req); err != nil {
		t.Fatal(err)
	}
	return req
}

// TestHandlePipeBatch: the intake pipe's batch of one SQS record is parsed
// as its body's event, its receive count the finding's attempt; a batch
// that is not one record holding an event is malformed (Rejected, never
// retried).
func TestHandlePipeBatch(t *testing.T) {
	envelope, err := os.ReadFile(filepath.Join(events, "envelope-api-call.json"))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name        string
		bodies      []string
		count       string
		wantAttempt int
		wantErr     string
	}{
		{name: "one record, first receive", bodies: []string{string(envelope)}, count: "1", wantAttempt: 1},
		{name: "one record, received again", bodies: []string{string(envelope)}, count: "3", wantAttempt: 3},
		{name: "empty batch", bodies: nil, count: "1", wantErr: "MalformedEventError"},
		{name: "two records", bodies: []string{string(envelope), string(envelope)}, count: "1", wantErr: "MalformedEventError"},
		{name: "body not JSON", bodies: []string{"hello"}, count: "1", wantErr: "MalformedEventError"},
		{name: "body an array", bodies: []string{"[1]"}, count: "1", wantErr: "MalformedEventError"},
		{name: "body not an event", bodies: []string{`{"hello":"world"}`}, count: "1", wantErr: "MalformedEventError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := NewHandler(zerolog.Nop()).Handle(context.Background(), pipeBatch(t, tc.bodies, tc.count))
			if tc.wantErr != "" {
				if err == nil || lambdarun.ErrorType(err) != tc.wantErr {
					t.Fatalf("error %v, want %s", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if f.EventName != "AuthorizeSecurityGroupIngress" || f.Attempt != tc.wantAttempt {
				t.Errorf("event %s attempt %d, want AuthorizeSecurityGroupIngress attempt %d", f.EventName, f.Attempt, tc.wantAttempt)
			}
		})
	}
}

// TestHandleOutcomeMetrics: a rejected and a skipped event count in Events
// by outcome; the digest schedule's input, which parse also refuses, does
// not count as a skipped event.
func TestHandleOutcomeMetrics(t *testing.T) {
	for _, tc := range []struct {
		name, event, want string
	}{
		{"rejected", `{"hello":"world"}`, `"Events":1,"Outcome":"rejected"`},
		{"skipped", `{"source":"aws.ec2","detail-type":"EC2 Instance State-change Notification","detail":{}}`, `"Events":1,"Outcome":"skipped"`},
		{"digest schedule", `{"source":"trailwatch.schedule","detail-type":"trailwatch digest","detail":{}}`, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			var req finding.ParseRequest
			_ = json.Unmarshal([]byte(`{"event":`+tc.event+`}`), &req)
			_, _ = NewHandler(zerolog.New(&logs)).Handle(context.Background(), req)
			got := strings.Contains(logs.String(), `"message":"metric"`)
			if tc.want == "" && got || tc.want != "" && !strings.Contains(logs.String(), tc.want) {
				t.Errorf("logs %s, want metric %q", logs.String(), tc.want)
			}
		})
	}
}
