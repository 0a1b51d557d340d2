package main

import (
	"context"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// BenchmarkHandle claims a new alert from a store that has no record of
// it, lets it out at once (no storm) and grants the claim, in memory: the
// alert key, the rules, the exposure lines, the lifecycle decision and the
// request and result, without DynamoDB.
func BenchmarkHandle(b *testing.B) {
	store := &fakeStore{t: b, Quiet: true,
		AlertFn: func(key string) (lifecycle.Record, error) { return lifecycle.Record{Key: key}, nil },
		GateFn:  func(g Gate) (Gated, error) { return Gated{DigestID: "d"}, nil },
		ClaimFn: func(Claim) (ClaimResult, error) { return ClaimResult{Granted: true, Counted: true}, nil },
	}
	h := NewHandler(store, zerolog.Nop(), testConfig)
	h.now = func() time.Time { return testNow }
	req := finding.DedupeRequest{Action: finding.ActionClaim, Finding: testFinding(), ExecutionID: "exec-1"}
	b.ReportAllocs()
	for b.Loop() {
		res, err := h.Handle(context.Background(), req)
		if err != nil || res.Outcome != finding.OutcomeAlert {
			b.Fatal(res.Outcome, err)
		}
	}
}
