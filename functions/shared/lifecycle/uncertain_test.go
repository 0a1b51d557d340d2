package lifecycle_test

import (
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// TestUncertainPublish: a publish whose outcome is unknown keeps the claim
// (uncertain, not released); its resend is marked as a possible repeat;
// a resend whose outcome is unknown too is taken as sent, so the alert goes
// out at most twice; a definite non-publish of the resend keeps it
// uncertain for the next try.
func TestUncertainPublish(t *testing.T) {
	claim := lifecycle.OnOpening(lifecycle.Record{Key: "k"}, report(t, "e-1", "x-1", t0), cfg).Next

	first, outcome, ok := lifecycle.MarkUncertain(claim, "e-1")
	if !ok || outcome != finding.OutcomeResend || first.Status != finding.AlertUncertain || first.Uncertain != 1 ||
		!first.LeaseEnds.IsZero() || first.ExecutionID != "" || first.Version != claim.Version+1 {
		t.Fatalf("first uncertain publish: ok %v outcome %s record %+v", ok, outcome, first)
	}
	if claim.Alert().PossibleRepeat {
		t.Error("a first claim's message is marked as a possible repeat")
	}

	if _, outcome, ok := lifecycle.MarkUncertain(first, "e-1"); ok || outcome != finding.OutcomeResend {
		t.Errorf("a retry of the mark: ok %v outcome %s, want nothing written and a resend still", ok, outcome)
	}

	d := lifecycle.OnOpening(first, report(t, "e-1", "x-1", t0.Add(time.Second)), cfg)
	if d.Step != lifecycle.StepClaim || d.Reason != lifecycle.ReasonResend {
		t.Fatalf("claim of the uncertain alert: %s %s", d.Step, d.Reason)
	}
	resend := d.Next
	if !resend.Alert().PossibleRepeat {
		t.Error("the resend's message is not marked as a possible repeat")
	}
	confirmed := resend
	confirmed.Status = finding.AlertOpen
	if confirmed.Alert().PossibleRepeat {
		t.Error("an alert's later messages (once its resend is confirmed) are marked as possible repeats")
	}
	reminder := lifecycle.OnOpening(confirmed, report(t, "e-2", "x-9", t0.Add(25*time.Hour)), cfg).Next
	if reminder.Uncertain != 0 || reminder.Alert().PossibleRepeat {
		t.Errorf("a later claim (a reminder) inherits the uncertain count %d", reminder.Uncertain)
	}
	if _, outcome, _ := lifecycle.MarkUncertain(reminder, "e-2"); outcome != finding.OutcomeResend {
		t.Errorf("a reminder's first uncertain publish: %s, want a resend", outcome)
	}

	released, remove, ok := lifecycle.Release(resend, "e-1", t0.Add(2*time.Second))
	if !ok || remove || released.Status != finding.AlertUncertain || released.Uncertain != 1 || !released.LeaseEnds.IsZero() {
		t.Errorf("release of a resend: ok %v remove %v record %+v; want it uncertain still", ok, remove, released)
	}

	settled, outcome, ok := lifecycle.MarkUncertain(resend, "e-1")
	if !ok || outcome != finding.OutcomeSettled || settled.Status != finding.AlertOpen || settled.Uncertain != 2 || !settled.LeaseEnds.IsZero() {
		t.Errorf("uncertain resend: ok %v outcome %s record %+v; want it taken as sent", ok, outcome, settled)
	}
	if d := lifecycle.OnOpening(settled, report(t, "e-1", "x-3", t0.Add(time.Minute)), cfg); d.Step != lifecycle.StepDuplicate {
		t.Errorf("a redelivery after an uncertain resend: %s, want a duplicate (never a third send)", d.Step)
	}

	if _, outcome, ok := lifecycle.MarkUncertain(resend, "e-2"); ok || outcome != finding.OutcomeSettled {
		t.Errorf("another event's uncertain publish: ok %v outcome %s; want nothing marked, settled", ok, outcome)
	}
}
