package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// TestPublishOnce: a publish whose outcome is unknown marks the claim
// uncertain (not released) and asks for one resend; the resend is claimed
// by whichever event comes (the same one again, or another), without a
// storm gate, and its alert is marked as a possible repeat; an uncertain
// resend is taken as sent; a later receive of the event holding a pending
// claim takes it over at once.
func TestPublishOnce(t *testing.T) {
	key := finding.AlertKey(testFinding())
	window := now.Add(24 * time.Hour)
	held := record(finding.AlertPending, "e-1", now.Add(time.Minute), window)
	held.Attempt = 1
	resending := held
	resending.Claim, resending.Uncertain = lifecycle.ReasonResend, 1
	uncertain := held
	uncertain.Status, uncertain.Uncertain, uncertain.LeaseEnds, uncertain.ExecutionID = finding.AlertUncertain, 1, time.Time{}, ""
	replaced := func(lifecycle.Record, lifecycle.Record) (bool, error) { return true, nil }
	req := func(action finding.DedupeAction, attempt int) finding.DedupeRequest {
		f := testFinding()
		f.Attempt = attempt
		return finding.DedupeRequest{Action: action, Finding: f, Key: key, ExecutionID: "exec-2"}
	}
	tests := []struct {
		name        string
		req         finding.DedupeRequest
		rec         lifecycle.Record
		calls       []string
		wantOutcome finding.DedupeOutcome
		wantRepeat  bool
	}{
		{name: "first uncertain publish: resend", req: req(finding.ActionUncertain, 1), rec: held,
			calls: []string{"Alert " + key, "Replace " + key + " uncertain"}, wantOutcome: finding.OutcomeResend},
		{name: "uncertain resend: taken as sent", req: req(finding.ActionUncertain, 1), rec: resending,
			calls: []string{"Alert " + key, "Replace " + key + " open"}, wantOutcome: finding.OutcomeSettled},
		{name: "uncertain, but the claim is another event's", req: req(finding.ActionUncertain, 1), rec: record(finding.AlertPending, "e-9", now.Add(time.Minute), window),
			calls: []string{"Alert " + key}, wantOutcome: finding.OutcomeSettled},
		{name: "claim of an uncertain alert: resend, marked", req: req(finding.ActionClaim, 1), rec: uncertain,
			calls: []string{"Alert " + key, "Claim resend pending e-1 false"}, wantOutcome: finding.OutcomeAlert, wantRepeat: true},
		{name: "a later receive of the holder's event takes its claim over", req: req(finding.ActionClaim, 2), rec: held,
			calls: []string{"Alert " + key, "Replace " + key + " pending"}, wantOutcome: finding.OutcomeAlert},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := &fakeStore{t: t, AlertFn: func(string) (lifecycle.Record, error) { return tc.rec, nil }, ReplaceFn: replaced,
				ClaimFn: func(Claim) (ClaimResult, error) { return ClaimResult{Granted: true, Counted: true}, nil }}
			h := NewHandler(store, zerolog.Nop(), testConfig)
			h.now = func() time.Time { return testNow }
			res, err := h.Handle(context.Background(), tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.calls, store.Calls); diff != "" {
				t.Errorf("store calls (-want +got):\n%s", diff)
			}
			if res.Outcome != tc.wantOutcome {
				t.Errorf("outcome %s, want %s", res.Outcome, tc.wantOutcome)
			}
			if got := res.Alert != nil && res.Alert.PossibleRepeat; got != tc.wantRepeat {
				t.Errorf("possible repeat %v, want %v", got, tc.wantRepeat)
			}
		})
	}
}

// TestHeartbeat: a heartbeat finding is recorded for its account and
// region at its time, counted as an event of outcome heartbeat, never
// claimed; the digest schedule's run emits the expected heartbeats' ages.
func TestHeartbeat(t *testing.T) {
	f := &finding.Finding{EventID: "hb-1", EventName: "CreateTags", Account: "123456789012", Region: "eu-west-1",
		Time: now.Add(-3 * time.Second), Kind: finding.KindHeartbeat}
	var logs bytes.Buffer
	store := &fakeStore{t: t, HeartbeatFn: func(string, string, time.Time) (bool, error) { return true, nil }}
	h := NewHandler(store, zerolog.New(&logs), testConfig)
	h.now = func() time.Time { return testNow }
	res, err := h.Handle(context.Background(), finding.DedupeRequest{Action: finding.ActionHeartbeat, Finding: f})
	if err != nil || res.Outcome != finding.OutcomeHeartbeat {
		t.Fatalf("heartbeat: %+v %v", res, err)
	}
	if want := []string{"Heartbeat 123456789012 eu-west-1 2025-11-23T09:30:12Z"}; !cmp.Equal(want, store.Calls) {
		t.Errorf("store calls %v, want %v", store.Calls, want)
	}
	if !strings.Contains(logs.String(), `"Events":1,"Outcome":"heartbeat"`) {
		t.Errorf("no Events{Outcome=heartbeat} metric: %s", logs.String())
	}
	if _, err := h.Handle(context.Background(), finding.DedupeRequest{Action: finding.ActionHeartbeat, Finding: testFinding()}); err == nil {
		t.Error("a finding that is not a heartbeat was recorded as one")
	}

	cfg := testConfig
	cfg.HeartbeatTargets = []HeartbeatTarget{{"123456789012", "eu-west-1"}, {"123456789012", "us-east-1"}}
	logs.Reset()
	store = &fakeStore{t: t,
		HeartbeatsFn: func(targets []HeartbeatTarget, at time.Time) (map[HeartbeatTarget]time.Time, error) {
			return map[HeartbeatTarget]time.Time{targets[0]: at.Add(-90 * time.Second), targets[1]: at.Add(-30 * time.Minute)}, nil
		},
		DueDigestsFn: func(time.Time, int) ([]string, error) { return nil, nil }}
	h = NewHandler(store, zerolog.New(&logs), cfg)
	h.now = func() time.Time { return testNow }
	if _, err := h.Handle(context.Background(), finding.DedupeRequest{Action: finding.ActionDigests}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"Account":"123456789012","HeartbeatAge":90,"Region":"eu-west-1"`,
		`"Account":"123456789012","HeartbeatAge":1800,"Region":"us-east-1"`, `"HeartbeatAge":1800,"_aws":{"CloudWatchMetrics":[{"Dimensions":[[]],"Metrics":[{"Name":"HeartbeatAge","Unit":"Seconds"}]`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("digest run's logs lack %s:\n%s", want, logs.String())
		}
	}
}

func TestParseHeartbeatTargets(t *testing.T) {
	got, err := parseHeartbeatTargets(" 123456789012:eu-west-1, 210987654321:us-east-1 ,")
	if err != nil || !cmp.Equal(got, []HeartbeatTarget{{"123456789012", "eu-west-1"}, {"210987654321", "us-east-1"}}) {
		t.Errorf("targets %v %v", got, err)
	}
	for _, bad := range []string{"123456789012", "12345:eu-west-1", "123456789012:"} {
		if _, err := parseHeartbeatTargets(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
	if got, err := parseHeartbeatTargets(""); err != nil || got != nil {
		t.Errorf("empty: %v %v", got, err)
	}
}

// TestEventOutcome: the claim's outcomes that end an execution count as
// its terminal outcome; an alert to send is counted by notify.
func TestEventOutcome(t *testing.T) {
	for outcome, want := range map[finding.DedupeOutcome]string{
		finding.OutcomeDuplicate: "suppressed", finding.OutcomeAllowed: "allowed", finding.OutcomeHeld: "held",
		finding.OutcomeNothing: "nothing_exposed", finding.OutcomeAlert: "",
	} {
		if got := eventOutcome(finding.DedupeResult{Outcome: outcome}); got != want {
			t.Errorf("%s: %q, want %q", outcome, got, want)
		}
	}
	if got := eventOutcome(finding.DedupeResult{Outcome: finding.OutcomeClosed, Resolved: 1}); got != "resolved" {
		t.Errorf("closed, one resolved: %q", got)
	}
	if got := eventOutcome(finding.DedupeResult{Outcome: finding.OutcomeClosed, Updated: 2}); got != "updated" {
		t.Errorf("closed, two updated: %q", got)
	}
}
