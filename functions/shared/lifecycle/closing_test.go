package lifecycle_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// revoke is a RevokeSecurityGroupIngress of execution exec at now that
// leaves the RDP alert's group with the world-open rules left.
func revoke(exec string, now time.Time, left ...finding.Rule) (*finding.Finding, lifecycle.Report) {
	c := closing("ec2.amazonaws.com", "RevokeSecurityGroupIngress", finding.Resource{Type: finding.TypeSecurityGroup,
		ID: "sg-0f63fecfa17ef4fee", Found: yes, OpenIngress: left})
	c.Actor = finding.Actor{Type: "IAMUser", ARN: "arn:aws:iam::123456789012:user/fixer"}
	c.Time = now
	return c, lifecycle.NewReport(c, "", exec, now)
}

func TestOnClosing(t *testing.T) {
	opened := openRecord(t)
	rdpOnly := world("tcp", 443, "::/0", "sg-0f63fecfa17ef4fee")
	at := t0.Add(2 * time.Hour)
	withMessage := func(r lifecycle.Record, m lifecycle.Message) lifecycle.Record {
		r.Message = &m
		return r
	}
	pending := opened
	pending.Status, pending.LeaseEnds = finding.AlertPending, at.Add(time.Minute)
	resolved := opened
	resolved.Status = finding.AlertResolved

	tests := []struct {
		name     string
		rec      lifecycle.Record
		exec     string
		left     []finding.Rule
		wantStep lifecycle.Step
		check    func(t *testing.T, d lifecycle.Closing)
	}{
		{"no record", lifecycle.Record{Key: opened.Key}, "x-c", nil, lifecycle.StepNone, nil},
		{"every line gone: resolve", opened, "x-c", nil, lifecycle.StepResolve, func(t *testing.T, d lifecycle.Closing) {
			n := d.Next
			if n.Status != finding.AlertResolved || n.ResolvedAt != at || n.ClosedBy != "arn:aws:iam::123456789012:user/fixer" ||
				n.ClosedByEvent != "close-1" || len(n.Open) != 0 || d.Kind != finding.MessageResolved || n.Version != opened.Version+1 {
				t.Errorf("resolve: %+v", n)
			}
			m := n.Message
			if m == nil || !m.Pending || m.EventID != "close-1" || m.ExecutionID != "x-c" || m.LeaseEnds != at.Add(5*time.Minute) || len(m.PrevOpen) != 2 {
				t.Fatalf("message %+v", m)
			}
			a := n.Alert()
			want := finding.Alert{ID: opened.ID, Key: opened.Key, Status: finding.AlertResolved, FirstSeen: opened.FirstSeen, LastSeen: opened.LastSeen,
				ResolvedAt: &at, Events: 1, OpenedBy: opened.OpenedBy, OpenedByEvent: "e-1", ClosedBy: n.ClosedBy, ClosedByEvent: "close-1",
				OpeningMessageID: "m-1", Severity: finding.SeverityHigh, Exposure: lifecycle.Texts(opened.Exposure), Closed: lifecycle.Texts(opened.Exposure)}
			if diff := cmp.Diff(want, a); diff != "" {
				t.Errorf("alert (-want +got):\n%s", diff)
			}
		}},
		{"one line gone: update", opened, "x-c", []finding.Rule{rdpOnly}, lifecycle.StepUpdate, func(t *testing.T, d lifecycle.Closing) {
			a := d.Next.Alert()
			if d.Kind != finding.MessageUpdate || a.Status != finding.AlertOpen ||
				!cmp.Equal(a.Closed, []string{"sg-0f63fecfa17ef4fee allows tcp/3389 from 0.0.0.0/0"}) ||
				!cmp.Equal(a.StillOpen, []string{"sg-0f63fecfa17ef4fee allows tcp/443 from ::/0"}) {
				t.Errorf("update: %+v", a)
			}
		}},
		{"nothing gone", opened, "x-c", []finding.Rule{rdpOnly, world("tcp", 3389, "0.0.0.0/0", "sg-0f63fecfa17ef4fee")}, lifecycle.StepNone, nil},
		{"pending within its lease: wait for the alert", pending, "x-c", nil, lifecycle.StepInFlight, nil},
		{"pending, lease ended: abandoned", func() lifecycle.Record { p := pending; p.LeaseEnds = at; return p }(), "x-c", nil, lifecycle.StepNone, nil},
		{"already resolved", resolved, "x-c", nil, lifecycle.StepNone, nil},
		{"another execution is sending a message about it", withMessage(opened, lifecycle.Message{Kind: finding.MessageUpdate, EventID: "close-0",
			ExecutionID: "x-0", Pending: true, LeaseEnds: at.Add(time.Second)}), "x-c", nil, lifecycle.StepInFlight, nil},
		{"its lease ended: decide anew", withMessage(opened, lifecycle.Message{Kind: finding.MessageUpdate, EventID: "close-0",
			ExecutionID: "x-0", Pending: true, LeaseEnds: at}), "x-c", nil, lifecycle.StepResolve, nil},
		{"this execution already resolved it: send again", withMessage(resolved, lifecycle.Message{Kind: finding.MessageResolved, EventID: "close-1",
			ExecutionID: "x-c", Pending: true, LeaseEnds: at.Add(time.Minute)}), "x-c", nil, lifecycle.StepResend, func(t *testing.T, d lifecycle.Closing) {
			if d.Kind != finding.MessageResolved {
				t.Errorf("kind %s", d.Kind)
			}
		}},
		{"a settled message is history", withMessage(opened, lifecycle.Message{Kind: finding.MessageUpdate, EventID: "close-1",
			ExecutionID: "x-c", MessageID: "m-2"}), "x-c", []finding.Rule{rdpOnly}, lifecycle.StepUpdate, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, rep := revoke(tc.exec, at, tc.left...)
			d := lifecycle.OnClosing(tc.rec, c, rep, cfg)
			if d.Step != tc.wantStep {
				t.Fatalf("step %s, want %s", d.Step, tc.wantStep)
			}
			if tc.check != nil {
				tc.check(t, d)
			}
		})
	}
}

func TestRelease(t *testing.T) {
	fresh := lifecycle.OnOpening(lifecycle.Record{Key: "k"}, report(t, "e-1", "x-1", t0), cfg).Next
	if _, remove, ok := lifecycle.Release(fresh, "e-1", t0); !ok || !remove {
		t.Errorf("a new claim: remove %v ok %v, want both", remove, ok)
	}
	if _, _, ok := lifecycle.Release(fresh, "e-2", t0); ok {
		t.Error("released by an event that does not hold it")
	}
	opened := openRecord(t)
	if _, _, ok := lifecycle.Release(opened, "e-1", t0); ok {
		t.Error("released an open alert")
	}
	rem := lifecycle.OnOpening(opened, report(t, "e-2", "x-2", t0.Add(25*time.Hour)), cfg)
	if rem.Reason != lifecycle.ReasonReminder {
		t.Fatalf("reason %s", rem.Reason)
	}
	back, remove, ok := lifecycle.Release(rem.Next, "e-2", t0.Add(25*time.Hour))
	if !ok || remove || back.Status != finding.AlertOpen || back.ID != opened.ID || back.Events != 1 || back.WindowEnds != t0.Add(25*time.Hour) ||
		back.EventID != "e-1" {
		t.Errorf("released reminder: remove %v ok %v %+v", remove, ok, back)
	}
	// The released event's retry claims a reminder again.
	if again := lifecycle.OnOpening(back, report(t, "e-2", "x-3", t0.Add(25*time.Hour)), cfg); again.Reason != lifecycle.ReasonReminder {
		t.Errorf("retry after release: %s %s", again.Step, again.Reason)
	}
}

func TestReleaseMessage(t *testing.T) {
	opened := openRecord(t)
	c, rep := revoke("x-c", t0.Add(time.Hour))
	res := lifecycle.OnClosing(opened, c, rep, cfg).Next
	if _, ok := lifecycle.ReleaseMessage(res, finding.MessageUpdate, "close-1"); ok {
		t.Error("released a resolution as an update")
	}
	back, ok := lifecycle.ReleaseMessage(res, finding.MessageResolved, "close-1")
	if !ok || back.Status != finding.AlertOpen || !cmp.Equal(back.Open, opened.Open) || back.Message != nil || back.ClosedByEvent != "" || !back.ResolvedAt.IsZero() {
		t.Errorf("released resolution: ok %v %+v", ok, back)
	}
	// The closing event's retry resolves it again.
	if again := lifecycle.OnClosing(back, c, rep, cfg); again.Step != lifecycle.StepResolve {
		t.Errorf("retry after release: %s", again.Step)
	}
	held := res.HeldMessage("d-1")
	if _, ok := lifecycle.ReleaseMessage(held, finding.MessageResolved, "close-1"); ok {
		t.Error("released a message held for a digest")
	}
}
