package main

import (
	"context"
	"io"
	"testing"
	"time"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// settled enriches f as the state machine does: again after each wait
// while enrich asks to look again (at most a few more times than the
// facts allow, so that a handler that never settles fails the test).
func settled(h *Handler, f *finding.Finding) (*finding.Finding, error) {
	for range h.consistency.MaxWaits + 3 {
		got, err := h.Handle(context.Background(), finding.StepRequest{Finding: f, ExecutionID: "exec"})
		if err != nil || got.Consistency == nil || !got.Consistency.LookAgain {
			return got, err
		}
		f = got
	}
	return f, nil
}

// TestLookAgain: a resource the event opened exposure on that the lookups
// do not show yet (not found, or without the rule just added) makes enrich
// ask for another look, with the finding as it came, up to the facts' max
// waits; it then concludes, saying how long it waited. A resource that
// shows what the event did concludes at once; a finding that settles on a
// later look says it waited.
func TestLookAgain(t *testing.T) {
	ssh := finding.Rule{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true}
	rdp := finding.Rule{Protocol: "tcp", FromPort: 3389, ToPort: 3389, CIDR: "0.0.0.0/0", WorldOpen: true}
	event := func(group string, rule finding.Rule) *finding.Finding {
		return &finding.Finding{EventID: "e", EventName: "AuthorizeSecurityGroupIngress", EventSource: "ec2.amazonaws.com", OpensExposure: true,
			Account: "123456789012", Region: "us-east-1", Category: finding.CategoryNetwork,
			Requested: finding.Requested{IngressRules: []finding.Rule{rule}}, Resources: []finding.Resource{{Type: finding.TypeSecurityGroup, ID: group}}}
	}
	h := NewHandler(Single{world()}, nil, zerolog.New(io.Discard))
	wait, waits := h.consistency.WaitSeconds, h.consistency.MaxWaits
	if wait <= 0 || waits <= 0 || wait*waits > 60 {
		t.Fatalf("consistency facts: %d waits of %d s", waits, wait)
	}

	for _, tc := range []struct {
		name   string
		f      *finding.Finding
		reason string
	}{
		{"group not found", event("sg-new", ssh), "resource sg-new not found"},
		{"rule not on the group yet", event("sg-ssh", rdp), "rule tcp 3389 from 0.0.0.0/0 not yet on sg-ssh"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := tc.f
			for look := 1; look <= waits; look++ {
				got, err := h.Handle(context.Background(), finding.StepRequest{Finding: f})
				if err != nil {
					t.Fatal(err)
				}
				c := got.Consistency
				if c == nil || !c.LookAgain || c.Looks != look || c.WaitedSeconds != (look-1)*wait || c.Reason != tc.reason || got.Enriched {
					t.Fatalf("look %d: consistency %+v, enriched %v; want another look, unenriched, because %q", look, c, got.Enriched, tc.reason)
				}
				f = got
			}
			got, err := h.Handle(context.Background(), finding.StepRequest{Finding: f})
			if err != nil {
				t.Fatal(err)
			}
			if c := got.Consistency; c == nil || c.LookAgain || c.Looks != waits+1 || c.WaitedSeconds != waits*wait || !got.Enriched {
				t.Errorf("last look: consistency %+v, enriched %v; want it concluded after %d s", c, got.Enriched, waits*wait)
			}
		})
	}

	got, err := h.Handle(context.Background(), finding.StepRequest{Finding: event("sg-ssh", ssh)})
	if err != nil || got.Consistency != nil || !got.Enriched {
		t.Errorf("a group showing the rule: consistency %+v (%v); want it concluded at once", got.Consistency, err)
	}
	later := event("sg-ssh", ssh)
	later.Consistency = &finding.Consistency{LookAgain: true, Reason: "resource sg-ssh not found", Looks: 1}
	got, err = h.Handle(context.Background(), finding.StepRequest{Finding: later})
	if c := got.Consistency; err != nil || c == nil || c.LookAgain || c.Looks != 2 || c.WaitedSeconds != wait {
		t.Errorf("settled on the second look: consistency %+v (%v); want it to say it waited %d s", c, err, wait)
	}
}

// TestCacheOutlivedByTheWait: a look after the wait is not answered from
// the answers the look before it kept.
func TestCacheOutlivedByTheWait(t *testing.T) {
	h := NewHandler(nil, nil, zerolog.Nop())
	if wait := time.Duration(h.consistency.WaitSeconds) * time.Second; DefaultCacheTTL >= wait {
		t.Errorf("the cache keeps answers %s, the wait between looks is %s", DefaultCacheTTL, wait)
	}
}
