package lambdarun

import (
	"bytes"
	"context"
	"encoding/json"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/rs/zerolog"
)

// TestWithInvocation: every line of an invocation carries the keys Lambda
// Powertools uses (service from Logger, function_request_id, cold_start,
// xray_trace_id) beside execution_id; only the process's first invocation
// is a cold start.
func TestWithInvocation(t *testing.T) {
	coldStart.Store(true)
	t.Setenv(traceEnv, "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1")
	var buf bytes.Buffer
	base := Logger(&buf, "parse")
	lines := []map[string]any{}
	for range 2 {
		buf.Reset()
		ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "c6af9ac6-7b61-11e6-9a41-93e812345678"})
		ctx = WithInvocation(ctx, base, "arn:aws:states:us-east-1:123456789012:express:p:e:x")
		zerolog.Ctx(ctx).Info().Msg("event_parsed")
		var line map[string]any
		if err := json.Unmarshal(buf.Bytes(), &line); err != nil {
			t.Fatal(err)
		}
		lines = append(lines, line)
	}
	want := map[string]any{"service": "trailwatch", "function": "parse", "function_request_id": "c6af9ac6-7b61-11e6-9a41-93e812345678",
		"cold_start": true, "xray_trace_id": "1-5759e988-bd862e3fe1be46a994272793", "execution_id": "arn:aws:states:us-east-1:123456789012:express:p:e:x"}
	for k, v := range want {
		if lines[0][k] != v {
			t.Errorf("first invocation: %s = %v, want %v", k, lines[0][k], v)
		}
	}
	if lines[1]["cold_start"] != false {
		t.Errorf("second invocation: cold_start = %v, want false", lines[1]["cold_start"])
	}
}
