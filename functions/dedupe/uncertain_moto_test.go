package main

import (
	"context"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// TestPublishOnceMoto runs the uncertain publish and the retake against
// DynamoDB's conditions (moto): a claim by the pipe's first receive, a
// second receive of the same event takes it over at once; an uncertain
// publish keeps it (uncertain, not released), the next claim resends it
// marked, an uncertain resend leaves it open and a redelivery then sends
// nothing.
func TestPublishOnceMoto(t *testing.T) {
	s := newMotoStack(t, motoClient(t))
	key := finding.AlertKey(testFinding())
	receive := func(action finding.DedupeAction, attempt int, exec string) finding.DedupeResult {
		t.Helper()
		f := event("e-1")
		f.Attempt = attempt
		res, err := s.handle(finding.DedupeRequest{Action: action, Finding: f, Key: key, ExecutionID: exec})
		if err != nil {
			t.Fatalf("%s attempt %d in %s: %v", action, attempt, exec, err)
		}
		return res
	}
	if res := receive(finding.ActionClaim, 1, "x-1"); res.Outcome != finding.OutcomeAlert {
		t.Fatalf("first claim: %s", res.Outcome)
	}
	s.now = s.now.Add(time.Minute)
	if res := receive(finding.ActionClaim, 2, "x-2"); res.Outcome != finding.OutcomeAlert || res.Alert.PossibleRepeat {
		t.Fatalf("the second receive's claim: %s (possible repeat %v), want it taken over at once", res.Outcome, res.Alert != nil && res.Alert.PossibleRepeat)
	}
	if it := s.item(); it["execution_id"] != "S:x-2" || it["attempt"] != "N:2" {
		t.Errorf("retaken item: execution %s attempt %s", it["execution_id"], it["attempt"])
	}
	if res := receive(finding.ActionUncertain, 2, "x-2"); res.Outcome != finding.OutcomeResend {
		t.Fatalf("uncertain: %s, want resend", res.Outcome)
	}
	s.wantItem("e-1", "uncertain")
	res := receive(finding.ActionClaim, 2, "x-2")
	if res.Outcome != finding.OutcomeAlert || res.Alert == nil || !res.Alert.PossibleRepeat {
		t.Fatalf("claim of the uncertain alert: %+v, want a resend marked as a possible repeat", res)
	}
	if res := receive(finding.ActionUncertain, 2, "x-2"); res.Outcome != finding.OutcomeSettled {
		t.Fatalf("uncertain resend: %s, want settled", res.Outcome)
	}
	s.wantItem("e-1", "open")
	if res := receive(finding.ActionClaim, 3, "x-3"); res.Outcome != finding.OutcomeDuplicate {
		t.Errorf("a redelivery after the uncertain resend: %s, want a duplicate", res.Outcome)
	}
}

// TestHeartbeatsMoto: heartbeats are kept newest first by condition; a
// target that never beat counts from when a run first expected it.
func TestHeartbeatsMoto(t *testing.T) {
	s := newMotoStack(t, motoClient(t))
	store := NewDynamoDB(s.client, s.table)
	ctx := context.Background()
	t0 := s.now
	for _, beat := range []struct {
		at   time.Time
		want bool
	}{{t0, true}, {t0.Add(-time.Minute), false}, {t0.Add(5 * time.Minute), true}} {
		if got, err := store.Heartbeat(ctx, "123456789012", "eu-west-1", beat.at); err != nil || got != beat.want {
			t.Errorf("heartbeat at %s: %v %v, want %v", beat.at, got, err, beat.want)
		}
	}
	beating, silent := HeartbeatTarget{"123456789012", "eu-west-1"}, HeartbeatTarget{"123456789012", "us-east-1"}
	got, err := store.Heartbeats(ctx, []HeartbeatTarget{beating, silent}, t0.Add(10*time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if !got[beating].Equal(t0.Add(5*time.Minute)) || !got[silent].Equal(t0.Add(10*time.Minute)) {
		t.Errorf("heartbeats %v", got)
	}
	got, err = store.Heartbeats(ctx, []HeartbeatTarget{silent}, t0.Add(20*time.Minute))
	if err != nil || !got[silent].Equal(t0.Add(10*time.Minute)) {
		t.Errorf("a silent target counts from %v (%v), want from when it was first expected, %s", got[silent], err, t0.Add(10*time.Minute))
	}
}
