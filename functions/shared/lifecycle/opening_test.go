package lifecycle_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

var (
	cfg = lifecycle.Config{Window: 24 * time.Hour, Lease: 5 * time.Minute, Retention: 168 * time.Hour}
	t0  = time.Date(2025, 11, 23, 9, 0, 0, 0, time.UTC)
)

// report is the event eventID of execution exec, at now, about the RDP
// alert of the sg-rdp-world-open finding.
func report(t *testing.T, eventID, exec string, now time.Time) lifecycle.Report {
	t.Helper()
	f := enrichedFixture(t, "sg-rdp-world-open")
	f.EventID = eventID
	f.Time = now.Add(-2 * time.Second)
	return lifecycle.NewReport(f, finding.AlertKey(f), exec, now)
}

// open is the record of an alert e-1 opened at t0 and SNS accepted.
func openRecord(t *testing.T) lifecycle.Record {
	t.Helper()
	d := lifecycle.OnOpening(lifecycle.Record{Key: report(t, "e-1", "x-1", t0).Key}, report(t, "e-1", "x-1", t0), cfg)
	r := d.Next
	r.Status, r.OpeningMessageID = finding.AlertOpen, "m-1"
	return r
}

func TestOnOpening(t *testing.T) {
	opened := openRecord(t)
	pending := opened
	pending.Status = finding.AlertPending
	resolved := opened
	resolved.Status, resolved.ResolvedAt, resolved.ClosedByEvent = finding.AlertResolved, t0.Add(time.Hour), "close-1"
	legacy := lifecycle.Record{Key: opened.Key, Exists: true, Legacy: true, Status: finding.AlertOpen, EventID: "e-0",
		WindowEnds: t0.Add(time.Hour)}
	piped := pending
	piped.Attempt = 1
	uncertain := opened
	uncertain.Status, uncertain.Uncertain, uncertain.LeaseEnds, uncertain.ExecutionID = finding.AlertUncertain, 1, time.Time{}, ""
	resolving := opened
	resolving.Message = &lifecycle.Message{Kind: finding.MessageUpdate, EventID: "close-1", ExecutionID: "x-close", Pending: true, LeaseEnds: t0.Add(2 * time.Minute)}

	tests := []struct {
		name       string
		rec        lifecycle.Record
		rep        lifecycle.Report
		wantStep   lifecycle.Step
		wantReason lifecycle.ClaimReason
		wantCount  bool
		check      func(t *testing.T, next lifecycle.Record)
	}{
		{"no record: new", lifecycle.Record{Key: opened.Key}, report(t, "e-1", "x-1", t0), lifecycle.StepClaim, lifecycle.ReasonNew, true,
			func(t *testing.T, n lifecycle.Record) {
				want := lifecycle.Record{Key: opened.Key, Exists: true, Version: 1, ID: lifecycle.AlertID(opened.Key, "e-1"),
					Status: finding.AlertPending, Claim: lifecycle.ReasonNew, EventID: "e-1", ExecutionID: "x-1",
					LeaseEnds: t0.Add(5 * time.Minute), WindowEnds: t0.Add(24 * time.Hour), Expires: t0.Add(192 * time.Hour), ClaimedAt: t0,
					FirstSeen: t0.Add(-2 * time.Second), LastSeen: t0.Add(-2 * time.Second), Events: 1,
					OpenedByEvent: "e-1", OpenedBy: n.OpenedBy, Severity: finding.SeverityHigh, Account: n.Account, Region: n.Region,
					EventName: "AuthorizeSecurityGroupIngress", Summary: n.Summary, Resources: n.Resources,
					Exposure: n.Exposure, Open: n.Exposure, Indexed: []string{"sg-0f63fecfa17ef4fee"}}
				if diff := cmp.Diff(want, n); diff != "" {
					t.Errorf("next (-want +got):\n%s", diff)
				}
				if len(n.Exposure) != 2 || n.OpenedBy == "" || n.Account == "" {
					t.Errorf("exposure %v, opened by %q, account %q", n.Exposure, n.OpenedBy, n.Account)
				}
			}},
		{"pending, the same execution retries", pending, report(t, "e-1", "x-1", t0.Add(time.Minute)), lifecycle.StepRefresh, "", false,
			func(t *testing.T, n lifecycle.Record) {
				if n.ID != opened.ID || n.WindowEnds != t0.Add(time.Minute+24*time.Hour) || n.LeaseEnds != t0.Add(6*time.Minute) || n.Version != pending.Version+1 {
					t.Errorf("refresh: %+v", n)
				}
			}},
		{"pending, a redelivery in another execution", pending, report(t, "e-1", "x-2", t0.Add(time.Minute)), lifecycle.StepInFlight, "", false, nil},
		{"pending, another event within the lease", pending, report(t, "e-2", "x-2", t0.Add(5*time.Minute-time.Second)), lifecycle.StepInFlight, "", false, nil},
		{"pending, another event once the lease ended", pending, report(t, "e-2", "x-2", t0.Add(5*time.Minute)), lifecycle.StepClaim, lifecycle.ReasonTakeover, true,
			func(t *testing.T, n lifecycle.Record) {
				if n.EventID != "e-2" || n.Events != 2 || n.ID != lifecycle.AlertID(opened.Key, "e-2") {
					t.Errorf("takeover: %+v", n)
				}
			}},
		{"pending, the same event once the lease ended", pending, report(t, "e-1", "x-9", t0.Add(5*time.Minute)), lifecycle.StepClaim, lifecycle.ReasonTakeover, false,
			func(t *testing.T, n lifecycle.Record) {
				if n.Events != 1 || n.ID != opened.ID {
					t.Errorf("takeover by the same event: events %d, id %s", n.Events, n.ID)
				}
			}},
		{"pending, the same event received again from the intake queue", piped, attempt(report(t, "e-1", "x-2", t0.Add(time.Minute)), 2), lifecycle.StepRetake, "", false,
			func(t *testing.T, n lifecycle.Record) {
				if n.ExecutionID != "x-2" || n.Attempt != 2 || n.EventID != "e-1" || n.ID != opened.ID || n.LeaseEnds != t0.Add(6*time.Minute) || n.Version != piped.Version+1 {
					t.Errorf("retake: %+v", n)
				}
			}},
		{"pending, another delivery of the same event at its first receive", piped, attempt(report(t, "e-1", "x-2", t0.Add(time.Minute)), 1), lifecycle.StepInFlight, "", false, nil},
		{"pending, another event received again", piped, attempt(report(t, "e-2", "x-2", t0.Add(time.Minute)), 2), lifecycle.StepInFlight, "", false, nil},
		{"uncertain, the same event again: resend once, marked", uncertain, report(t, "e-1", "x-2", t0.Add(time.Minute)), lifecycle.StepClaim, lifecycle.ReasonResend, false,
			func(t *testing.T, n lifecycle.Record) {
				if n.Status != finding.AlertPending || n.ExecutionID != "x-2" || n.ID != opened.ID || n.Events != 1 || n.Uncertain != 1 ||
					!n.Alert().PossibleRepeat || n.LeaseEnds != t0.Add(6*time.Minute) {
					t.Errorf("resend: %+v", n)
				}
			}},
		{"uncertain, another event: resend once, marked, and count it", uncertain, report(t, "e-2", "x-2", t0.Add(time.Minute)), lifecycle.StepClaim, lifecycle.ReasonResend, true,
			func(t *testing.T, n lifecycle.Record) {
				if n.EventID != "e-2" || n.ID != opened.ID || n.Events != 2 || !n.Alert().PossibleRepeat {
					t.Errorf("resend by another event: %+v", n)
				}
			}},
		{"open, its opening event again", opened, report(t, "e-1", "x-2", t0.Add(time.Hour)), lifecycle.StepDuplicate, "", false, nil},
		{"open, its opening event after the window", opened, report(t, "e-1", "x-2", t0.Add(48*time.Hour)), lifecycle.StepDuplicate, "", false, nil},
		{"open, another event within the window", opened, report(t, "e-2", "x-2", t0.Add(time.Hour)), lifecycle.StepRepeat, "", false,
			func(t *testing.T, n lifecycle.Record) {
				if n.Events != 2 || n.Repeats != 1 || n.LastSeen != t0.Add(time.Hour-2*time.Second) || n.Status != finding.AlertOpen || n.ID != opened.ID {
					t.Errorf("repeat: events %d repeats %d last seen %s", n.Events, n.Repeats, n.LastSeen)
				}
			}},
		{"open, another event as the window ends", opened, report(t, "e-2", "x-2", t0.Add(24*time.Hour)), lifecycle.StepClaim, lifecycle.ReasonReminder, true,
			func(t *testing.T, n lifecycle.Record) {
				if n.ID != opened.ID || n.FirstSeen != opened.FirstSeen || n.Events != 2 || n.OpenedByEvent != "e-1" || n.EventID != "e-2" ||
					n.OpeningMessageID != "m-1" || n.Status != finding.AlertPending || n.WindowEnds != t0.Add(48*time.Hour) {
					t.Errorf("reminder: %+v", n)
				}
			}},
		{"open, while another execution sends its update", resolving, report(t, "e-2", "x-2", t0.Add(time.Minute)), lifecycle.StepInFlight, "", false, nil},
		{"open, after that update's lease", resolving, report(t, "e-2", "x-2", t0.Add(2*time.Minute)), lifecycle.StepRepeat, "", false, nil},
		{"legacy sent record within its window", legacy, report(t, "e-2", "x-2", t0), lifecycle.StepRepeat, "", false, nil},
		{"legacy sent record, its event again", legacy, report(t, "e-0", "x-2", t0), lifecycle.StepDuplicate, "", false, nil},
		{"resolved: the exposure came back, within the window", resolved, report(t, "e-3", "x-3", t0.Add(2*time.Hour)), lifecycle.StepClaim, lifecycle.ReasonReopen, true,
			func(t *testing.T, n lifecycle.Record) {
				if n.ID == opened.ID || n.ID != lifecycle.AlertID(opened.Key, "e-3") || n.Events != 1 || n.FirstSeen != t0.Add(2*time.Hour-2*time.Second) ||
					n.ClosedByEvent != "" || !n.ResolvedAt.IsZero() || n.Version != resolved.Version+1 {
					t.Errorf("reopen: %+v", n)
				}
			}},
		{"resolved: its opening event redelivered late", resolved, report(t, "e-1", "x-3", t0.Add(2*time.Hour)), lifecycle.StepDuplicate, "", false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			d := lifecycle.OnOpening(tc.rec, tc.rep, cfg)
			if d.Step != tc.wantStep || d.Reason != tc.wantReason || d.CountEvent != tc.wantCount {
				t.Fatalf("step %s reason %q count %v, want %s %q %v", d.Step, d.Reason, d.CountEvent, tc.wantStep, tc.wantReason, tc.wantCount)
			}
			if tc.check != nil {
				tc.check(t, d.Next)
			}
		})
	}
}

// attempt is rep received n times from the intake queue.
func attempt(rep lifecycle.Report, n int) lifecycle.Report {
	rep.Attempt = n
	return rep
}

func TestHeld(t *testing.T) {
	r := lifecycle.OnOpening(lifecycle.Record{Key: "k"}, report(t, "e-1", "x-1", t0), cfg).Next.Held("d-1")
	if r.Status != finding.AlertOpen || !r.LeaseEnds.IsZero() || r.DigestID != "d-1" {
		t.Errorf("held: %+v", r)
	}
	if a := r.Alert(); a.DigestID != "d-1" || a.Status != finding.AlertOpen {
		t.Errorf("alert of a held record: %+v", a)
	}
}
