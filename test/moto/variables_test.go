package moto_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/test/moto"
)

// sfnCall makes one Step Functions JSON call on s, unsigned but with the
// credential scope moto reads the region from.
func sfnCall(t *testing.T, s *moto.Server, op string, in, out any) {
	t.Helper()
	body, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.URL+"/", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-amz-json-1.0")
	req.Header.Set("X-Amz-Target", "AWSStepFunctions."+op)
	req.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20261201/us-east-1/states/aws4_request, SignedHeaders=host, Signature=0")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var buf bytes.Buffer
	_, _ = buf.ReadFrom(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %s %s", op, resp.Status, buf.String())
	}
	if err := json.Unmarshal(buf.Bytes(), out); err != nil {
		t.Fatalf("%s: %v in %s", op, err, buf.String())
	}
}

// TestJSONPathVariables: the pipeline keeps its finding in a workflow
// variable, which moto reads only through the launcher's patch. An
// Assign of a member, a Parameters reference to the variable and to a
// member of it, and a Choice on a member run as AWS runs them; a reference
// to a missing member fails the execution.
func TestJSONPathVariables(t *testing.T) {
	ctx := testContext(t)
	s, err := moto.Start(ctx, moto.Options{Config: `{"stepfunctions": {"execute_state_machine": true}}`})
	if errors.Is(err, moto.ErrNotFound) {
		t.Skipf("moto unavailable (make test installs it): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)

	definition := func(member string) string {
		return `{"StartAt": "Keep", "States": {
		  "Keep": {"Type": "Pass", "Assign": {"finding.$": "$.finding"}, "Next": "Use"},
		  "Use": {"Type": "Pass", "Parameters": {"whole.$": "$finding", "severity.$": "$finding.` + member + `"}, "Next": "High?"},
		  "High?": {"Type": "Choice", "Choices": [{"Variable": "$finding.severity", "StringEquals": "high", "Next": "High"}], "Default": "Other"},
		  "High": {"Type": "Succeed"}, "Other": {"Type": "Fail", "Error": "NotHigh"}}}`
	}
	for _, tc := range []struct {
		name, member, status, output string
	}{
		{"member", "severity", "SUCCEEDED", `{"whole":{"severity":"high","eventId":"e1"},"severity":"high"}`},
		{"missing member", "nothing", "FAILED", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var sm struct{ StateMachineArn string }
			sfnCall(t, s, "CreateStateMachine", map[string]string{
				"name": "variables-" + tc.member, "definition": definition(tc.member),
				"roleArn": "arn:aws:iam::123456789012:role/sfn",
			}, &sm)
			var ex struct{ ExecutionArn string }
			sfnCall(t, s, "StartExecution", map[string]string{
				"stateMachineArn": sm.StateMachineArn, "input": `{"finding": {"severity": "high", "eventId": "e1"}}`,
			}, &ex)
			var d struct{ Status, Output string }
			for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
				sfnCall(t, s, "DescribeExecution", map[string]string{"executionArn": ex.ExecutionArn}, &d)
				if d.Status != "RUNNING" {
					break
				}
			}
			if d.Status != tc.status {
				t.Fatalf("status %s, want %s (output %s)", d.Status, tc.status, d.Output)
			}
			if tc.output != "" {
				var got, want any
				if json.Unmarshal([]byte(d.Output), &got) != nil || json.Unmarshal([]byte(tc.output), &want) != nil || !jsonEq(got, want) {
					t.Errorf("output %s, want %s", d.Output, tc.output)
				}
			}
		})
	}
}

func jsonEq(a, b any) bool {
	x, _ := json.Marshal(a)
	y, _ := json.Marshal(b)
	return bytes.Equal(x, y)
}
