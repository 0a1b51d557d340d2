package main

import (
	"context"
	"testing"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/alert"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// BenchmarkHandle renders and publishes an alert to a publisher that
// accepts it (in memory): rendering and the message, without SNS.
func BenchmarkHandle(b *testing.B) {
	h := NewHandler(&fakePublisher{PublishFn: func(context.Context, alert.Message) (string, error) { return "m-1", nil }}, zerolog.Nop())
	req := finding.NotifyRequest{Finding: testFinding(), ExecutionID: "exec-1"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Handle(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}
