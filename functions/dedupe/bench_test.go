package main

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// BenchmarkHandle claims an alert from a store that grants it (in memory):
// the alert key, the windows and the request and result, without
// DynamoDB.
func BenchmarkHandle(b *testing.B) {
	store := &fakeStore{ClaimFn: func(context.Context, Claim) (ClaimResult, error) { return ClaimResult{Granted: true}, nil }}
	h := NewHandler(store, zerolog.Nop(), testConfig)
	h.now = func() time.Time { return testNow }
	req := finding.DedupeRequest{Action: finding.ActionClaim, Finding: testFinding(), ExecutionID: "exec-1"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := h.Handle(context.Background(), req); err != nil {
			b.Fatal(err)
		}
	}
}
