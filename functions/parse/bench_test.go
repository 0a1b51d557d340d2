package main

import (
	"context"
	"os"
	"testing"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// BenchmarkHandle parses one EventBridge event of the catalog as the state
// machine hands it to parse.
func BenchmarkHandle(b *testing.B) {
	event, err := os.ReadFile("../shared/finding/testdata/events/envelope-api-call.json")
	if err != nil {
		b.Fatal(err)
	}
	h := NewHandler(zerolog.Nop())
	req := finding.ParseRequest{Event: event, ExecutionID: "arn:aws:states:us-east-1:123456789012:express:trailwatch:bench"}
	b.ReportAllocs()
	b.SetBytes(int64(len(event)))
	for b.Loop() {
		if _, err := h.Handle(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}
