package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
	"github.com/trailwatch/trailwatch/functions/shared/rules"
)

var (
	testConfig = Config{Window: 24 * time.Hour, Lease: 5 * time.Minute, Retention: 168 * time.Hour,
		Storm: lifecycle.StormConfig{Threshold: 5, Period: 5 * time.Minute, Interval: time.Minute}}
	// testNow has a fraction of a second: the store sees whole seconds.
	testNow = time.Date(2025, 11, 23, 9, 30, 15, 500_000_000, time.UTC)
	now     = testNow.Truncate(time.Second)
)

func testFinding() *finding.Finding {
	return &finding.Finding{
		EventID:   "e-1",
		EventName: "AuthorizeSecurityGroupIngress",
		Account:   "123456789012",
		Region:    "eu-west-1",
		Actor:     finding.Actor{Type: "IAMUser", ARN: "arn:aws:iam::123456789012:user/dev"},
		Resources: []finding.Resource{{
			Type:        finding.TypeSecurityGroup,
			ID:          "sg-1",
			Found:       boolPtr(true),
			OpenIngress: []finding.Rule{{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true, SecurityGroupID: "sg-1"}},
		}},
		Severity:      finding.SeverityHigh,
		OpensExposure: true,
		Enriched:      true,
	}
}

// revokeFinding is the RevokeSecurityGroupIngress that closes testFinding's
// exposure: sg-1 has no world-open rule left.
func revokeFinding() *finding.Finding {
	return &finding.Finding{
		EventID: "close-1", EventName: "RevokeSecurityGroupIngress", EventSource: "ec2.amazonaws.com",
		Account: "123456789012", Region: "eu-west-1", Actor: finding.Actor{Type: "IAMUser", ARN: "arn:aws:iam::123456789012:user/fixer"},
		Resources: []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-1", Found: boolPtr(true)}},
		Severity:  finding.SeverityNone, ClosesExposure: true, Enriched: true,
	}
}

func boolPtr(b bool) *bool { return &b }

// record is the record lifecycle makes of testFinding's claim by e-1 at
// now, then status (and the holder's event, lease and window) as given.
func record(status finding.AlertStatus, holder string, leaseEnds, windowEnds time.Time) lifecycle.Record {
	f := testFinding()
	key := finding.AlertKey(f)
	r := lifecycle.OnOpening(lifecycle.Record{Key: key}, lifecycle.NewReport(f, key, "exec-0", now.Add(-time.Hour)), testConfig.lifecycle()).Next
	r.Status, r.EventID, r.OpenedByEvent, r.ExecutionID, r.LeaseEnds, r.WindowEnds = status, holder, holder, "exec-0", leaseEnds, windowEnds
	r.ID = lifecycle.AlertID(key, holder)
	return r
}

func TestHandle(t *testing.T) {
	key := finding.AlertKey(testFinding())
	storeErr := errors.New("throttled")
	window := time.Date(2025, 11, 23, 20, 0, 0, 0, time.UTC)
	request := func(action finding.DedupeAction, change func(f *finding.Finding)) finding.DedupeRequest {
		f := testFinding()
		if change != nil {
			change(f)
		}
		return finding.DedupeRequest{Action: action, Finding: f, Key: key, ExecutionID: "exec-1"}
	}
	withKey := func(req finding.DedupeRequest, k string) finding.DedupeRequest {
		req.Key = k
		return req
	}
	withKind := func(req finding.DedupeRequest, kind finding.MessageKind, messageID string) finding.DedupeRequest {
		req.Kind, req.MessageID = kind, messageID
		return req
	}
	closingRequest := finding.DedupeRequest{Action: finding.ActionClaim, Finding: revokeFinding(), ExecutionID: "exec-c"}
	closeKey := finding.AlertKey(revokeFinding())
	otherKey := finding.AlertKey(&finding.Finding{Account: "210987654321", Region: "us-east-1"})
	none := func(string) (lifecycle.Record, error) { return lifecycle.Record{Key: key}, nil }
	send := func(Gate) (Gated, error) { return Gated{DigestID: "d-1"}, nil }
	granted := func(Claim) (ClaimResult, error) { return ClaimResult{Granted: true, Counted: true}, nil }
	open := record(finding.AlertOpen, "e-0", time.Time{}, window)
	pending := record(finding.AlertPending, "e-0", time.Date(2025, 11, 23, 9, 33, 0, 0, time.UTC), window)
	resolved := record(finding.AlertResolved, "e-0", time.Time{}, window)
	mine := record(finding.AlertPending, "e-1", now.Add(time.Minute), window)
	allow, err := rules.Parse("rules.yaml", []byte("rules:\n  - {id: ssh-bastion, reason: the bastion, match: {resource: sg-1, port: 22}}"))
	if err != nil {
		t.Fatal(err)
	}
	dup := func(windowEnds string) finding.DedupeResult {
		return finding.DedupeResult{Key: key, Duplicate: true, WindowEnds: windowEnds, Outcome: finding.OutcomeDuplicate}
	}

	tests := []struct {
		name    string
		req     finding.DedupeRequest
		rules   *rules.Set
		store   func(s *fakeStore)
		calls   []string
		check   func(t *testing.T, res finding.DedupeResult)
		want    *finding.DedupeResult
		errType string
	}{
		{
			name:  "claim granted",
			req:   request(finding.ActionClaim, nil),
			store: func(s *fakeStore) { s.AlertFn, s.GateFn, s.ClaimFn = none, send, granted },
			calls: []string{"Alert " + key, "Gate alert#" + key + " false", "Claim new pending e-1 true"},
			check: func(t *testing.T, res finding.DedupeResult) {
				if res.Key != key || res.Outcome != finding.OutcomeAlert || res.Duplicate || res.WindowEnds != "2025-11-24T09:30:15Z" {
					t.Errorf("result %+v", res)
				}
				a := res.Alert
				if a == nil || a.ID != lifecycle.AlertID(key, "e-1") || a.Status != finding.AlertPending || a.Events != 1 ||
					!cmp.Equal(a.Exposure, []string{"sg-1 allows tcp/22 from 0.0.0.0/0"}) || a.OpenedBy != "arn:aws:iam::123456789012:user/dev" {
					t.Errorf("alert %+v", a)
				}
			},
		},
		{
			name: "claim refused by a live alert: the event is counted on it",
			req:  request(finding.ActionClaim, nil),
			store: func(s *fakeStore) {
				s.AlertFn = func(string) (lifecycle.Record, error) { return open, nil }
				s.RepeatFn = func(_ lifecycle.Record, _ string, seen, at time.Time) (RepeatResult, error) {
					return RepeatResult{Open: true, Counted: at == now}, nil
				}
			},
			calls: []string{"Alert " + key, "Repeat " + key + " e-1"},
			want:  ptr(dup("2025-11-23T20:00:00Z")),
		},
		{
			name:    "claim refused by an alert another execution is sending",
			req:     request(finding.ActionClaim, nil),
			store:   func(s *fakeStore) { s.AlertFn = func(string) (lifecycle.Record, error) { return pending, nil } },
			calls:   []string{"Alert " + key},
			want:    &finding.DedupeResult{Key: key},
			errType: "AlertInFlightError",
		},
		{
			name: "claim refused, the event counted before",
			req:  request(finding.ActionClaim, nil),
			store: func(s *fakeStore) {
				s.AlertFn, s.GateFn, s.ClaimFn = none, send, func(Claim) (ClaimResult, error) { return ClaimResult{Granted: true}, nil }
			},
			calls: []string{"Alert " + key, "Gate alert#" + key + " false", "Claim new pending e-1 true"},
			want:  ptr(dup("")),
		},
		{
			name: "claim without execution id",
			req:  finding.DedupeRequest{Action: finding.ActionClaim, Finding: testFinding()},
			store: func(s *fakeStore) {
				s.AlertFn, s.GateFn = none, send
				s.ClaimFn = func(c Claim) (ClaimResult, error) {
					if c.Next.ExecutionID != "" || c.Next.ClaimedAt != now || c.Next.LeaseEnds != now.Add(5*time.Minute) ||
						c.Next.Expires != now.Add(192*time.Hour) || c.Next.EventName != "AuthorizeSecurityGroupIngress" || c.Now != now {
						t.Errorf("claim %+v", c.Next)
					}
					return ClaimResult{Granted: true, Counted: true}, nil
				}
			},
			calls: []string{"Alert " + key, "Gate alert#" + key + " false", "Claim new pending e-1 true"},
			check: func(t *testing.T, res finding.DedupeResult) {
				if res.WindowEnds != "2025-11-24T09:30:15Z" || res.Outcome != finding.OutcomeAlert {
					t.Errorf("result %+v", res)
				}
			},
		},
		{
			name: "claim store error",
			req:  request(finding.ActionClaim, nil),
			store: func(s *fakeStore) {
				s.AlertFn = func(string) (lifecycle.Record, error) { return lifecycle.Record{}, storeErr }
			},
			calls:   []string{"Alert " + key},
			want:    &finding.DedupeResult{Key: key},
			errType: "DedupeStoreError",
		},
		{
			name: "claim held in a storm",
			req:  request(finding.ActionClaim, nil),
			store: func(s *fakeStore) {
				s.AlertFn, s.ClaimFn = none, granted
				s.GateFn = func(Gate) (Gated, error) { return Gated{Held: true, DigestID: "d-1"}, nil }
			},
			calls: []string{"Alert " + key, "Gate alert#" + key + " false", "Claim new open e-1 true"},
			check: func(t *testing.T, res finding.DedupeResult) {
				if res.Outcome != finding.OutcomeHeld || res.Alert == nil || res.Alert.DigestID != "d-1" || res.Alert.Status != finding.AlertOpen {
					t.Errorf("result %+v, alert %+v", res, res.Alert)
				}
			},
		},
		{
			name: "claim of a resolved alert: alerted again at once, a new alert, no storm",
			req:  request(finding.ActionClaim, nil),
			store: func(s *fakeStore) {
				s.AlertFn, s.ClaimFn = func(string) (lifecycle.Record, error) { return resolved, nil }, granted
			},
			calls: []string{"Alert " + key, "Claim reopen pending e-1 true"},
			check: func(t *testing.T, res finding.DedupeResult) {
				if res.Outcome != finding.OutcomeAlert || res.Alert.ID == resolved.ID || res.Alert.ID != lifecycle.AlertID(key, "e-1") {
					t.Errorf("result %+v", res)
				}
			},
		},
		{
			name: "claim after the window: a reminder of the same alert",
			req:  request(finding.ActionClaim, nil),
			store: func(s *fakeStore) {
				s.AlertFn = func(string) (lifecycle.Record, error) { return record(finding.AlertOpen, "e-0", time.Time{}, now), nil }
				s.GateFn, s.ClaimFn = send, granted
			},
			calls: []string{"Alert " + key, "Gate alert#" + key + " false", "Claim reminder pending e-1 true"},
			check: func(t *testing.T, res finding.DedupeResult) {
				if res.Alert.ID != lifecycle.AlertID(key, "e-0") || res.Alert.Events != 2 {
					t.Errorf("alert %+v", res.Alert)
				}
			},
		},
		{
			name: "the same execution retrying its claim renews it",
			req:  request(finding.ActionClaim, nil),
			store: func(s *fakeStore) {
				r := mine
				r.ExecutionID = "exec-1"
				s.AlertFn = func(string) (lifecycle.Record, error) { return r, nil }
				s.RefreshFn = func(_, next lifecycle.Record) (bool, error) { return next.WindowEnds == now.Add(24*time.Hour), nil }
			},
			calls: []string{"Alert " + key, "Refresh " + key},
			check: func(t *testing.T, res finding.DedupeResult) {
				if res.Outcome != finding.OutcomeAlert || res.WindowEnds != "2025-11-24T09:30:15Z" {
					t.Errorf("result %+v", res)
				}
			},
		},
		{
			name: "a repeat that lost a race with a resolution is decided again",
			req:  request(finding.ActionClaim, nil),
			store: func(s *fakeStore) {
				reads := 0
				s.AlertFn = func(string) (lifecycle.Record, error) {
					reads++
					if reads == 1 {
						return open, nil
					}
					return resolved, nil
				}
				s.RepeatFn = func(lifecycle.Record, string, time.Time, time.Time) (RepeatResult, error) { return RepeatResult{}, nil }
				s.ClaimFn = granted
			},
			calls: []string{"Alert " + key, "Repeat " + key + " e-1", "Alert " + key, "Claim reopen pending e-1 true"},
			check: func(t *testing.T, res finding.DedupeResult) {
				if res.Outcome != finding.OutcomeAlert {
					t.Errorf("result %+v", res)
				}
			},
		},
		{
			name: "a record that keeps changing is a store error",
			req:  request(finding.ActionClaim, nil),
			store: func(s *fakeStore) {
				s.AlertFn, s.GateFn = none, send
				s.ClaimFn = func(Claim) (ClaimResult, error) { return ClaimResult{}, nil }
			},
			calls: []string{"Alert " + key, "Gate alert#" + key + " false", "Claim new pending e-1 true", "Alert " + key, "Gate alert#" + key + " false",
				"Claim new pending e-1 true", "Alert " + key, "Gate alert#" + key + " false", "Claim new pending e-1 true"},
			want:    &finding.DedupeResult{Key: key},
			errType: "DedupeStoreError",
		},
		{
			name:  "a matching rule allows the finding: nothing is stored",
			req:   request(finding.ActionClaim, nil),
			rules: allow,
			check: func(t *testing.T, res finding.DedupeResult) {
				if res.Outcome != finding.OutcomeAllowed || res.Rule == nil || res.Rule.ID != "ssh-bastion" || res.Rule.Reason != "the bastion" {
					t.Errorf("result %+v rule %+v", res, res.Rule)
				}
			},
		},
		{
			name: "a closing event resolves the open alert of its group",
			req:  closingRequest,
			store: func(s *fakeStore) {
				s.IndexedFn = func(string, string, []string) (map[string][]string, error) {
					return map[string][]string{"sg-1": {key}}, nil
				}
				s.AlertsFn = func([]string) (map[string]lifecycle.Record, error) {
					return map[string]lifecycle.Record{key: open}, nil
				}
				s.GateFn = send
				s.CloseFn = func(_, next lifecycle.Record) (bool, error) { return next.Status == finding.AlertResolved, nil }
			},
			calls: []string{"Indexed 123456789012 eu-west-1 [sg-1]", "Alerts [" + key + "]", "Gate resolved#" + key + " false", "Close " + key + " resolved"},
			check: func(t *testing.T, res finding.DedupeResult) {
				if res.Outcome != finding.OutcomeClosed || res.Resolved != 1 || res.Updated != 0 || len(res.Messages) != 1 {
					t.Fatalf("result %+v", res)
				}
				m := res.Messages[0]
				if m.Kind != finding.MessageResolved || m.Alert.ID != open.ID || m.Alert.ClosedByEvent != "close-1" ||
					!cmp.Equal(m.Alert.Closed, []string{"sg-1 allows tcp/22 from 0.0.0.0/0"}) || m.Alert.ResolvedAt == nil {
					t.Errorf("message %+v", m)
				}
			},
		},
		{
			name: "a closing event's resolution held in a storm",
			req:  closingRequest,
			store: func(s *fakeStore) {
				s.IndexedFn = func(string, string, []string) (map[string][]string, error) {
					return map[string][]string{"sg-1": {key}}, nil
				}
				s.AlertsFn = func([]string) (map[string]lifecycle.Record, error) {
					return map[string]lifecycle.Record{key: open}, nil
				}
				s.GateFn = func(Gate) (Gated, error) { return Gated{Held: true, DigestID: "d-2"}, nil }
				s.CloseFn = func(_, next lifecycle.Record) (bool, error) {
					return next.DigestID == "d-2" && !next.Message.Pending, nil
				}
			},
			calls: []string{"Indexed 123456789012 eu-west-1 [sg-1]", "Alerts [" + key + "]", "Gate resolved#" + key + " false", "Close " + key + " resolved"},
			want:  &finding.DedupeResult{Key: closeKey, Outcome: finding.OutcomeClosed, Resolved: 1, Messages: []finding.LifecycleMessage{}},
		},
		{
			name: "a closing event waits for an alert being sent",
			req:  closingRequest,
			store: func(s *fakeStore) {
				p := pending
				p.LeaseEnds = now.Add(time.Minute)
				s.IndexedFn = func(string, string, []string) (map[string][]string, error) {
					return map[string][]string{"sg-1": {key}}, nil
				}
				s.AlertsFn = func([]string) (map[string]lifecycle.Record, error) { return map[string]lifecycle.Record{key: p}, nil }
			},
			calls:   []string{"Indexed 123456789012 eu-west-1 [sg-1]", "Alerts [" + key + "]"},
			want:    &finding.DedupeResult{Key: key},
			errType: "AlertInFlightError",
		},
		{
			name: "a closing event about nothing open; a forgotten alert is unlisted",
			req:  closingRequest,
			store: func(s *fakeStore) {
				s.IndexedFn = func(string, string, []string) (map[string][]string, error) {
					return map[string][]string{"sg-1": {otherKey}}, nil
				}
				s.AlertsFn = func([]string) (map[string]lifecycle.Record, error) { return map[string]lifecycle.Record{}, nil }
				s.UnindexFn = func(string, string, string, []string) error { return nil }
			},
			calls: []string{"Indexed 123456789012 eu-west-1 [sg-1]", "Alerts [" + otherKey + "]", "Unindex sg-1 [" + otherKey + "]"},
			want:  &finding.DedupeResult{Key: closeKey, Outcome: finding.OutcomeNothing, Messages: []finding.LifecycleMessage{}},
		},
		{
			name: "confirm by the holder",
			req:  withKind(request(finding.ActionConfirm, nil), "", "m-1"),
			store: func(s *fakeStore) {
				s.ConfirmFn = func(string, string, string, time.Time) (bool, error) { return true, nil }
			},
			calls: []string{"Confirm " + key + " e-1 m-1 2025-11-23T09:30:15Z"},
			want:  &finding.DedupeResult{Key: key},
		},
		{
			name: "confirm after the claim was taken over",
			req:  request(finding.ActionConfirm, nil),
			store: func(s *fakeStore) {
				s.ConfirmFn = func(string, string, string, time.Time) (bool, error) { return false, nil }
			},
			calls: []string{"Confirm " + key + " e-1  2025-11-23T09:30:15Z"},
			want:  &finding.DedupeResult{Key: key},
		},
		{
			name: "confirm store error",
			req:  request(finding.ActionConfirm, nil),
			store: func(s *fakeStore) {
				s.ConfirmFn = func(string, string, string, time.Time) (bool, error) { return false, storeErr }
			},
			calls:   []string{"Confirm " + key + " e-1  2025-11-23T09:30:15Z"},
			want:    &finding.DedupeResult{Key: key},
			errType: "DedupeStoreError",
		},
		{
			name: "confirm of a resolution",
			req:  withKind(finding.DedupeRequest{Action: finding.ActionConfirm, Finding: revokeFinding(), Key: key}, finding.MessageResolved, "m-2"),
			store: func(s *fakeStore) {
				s.ConfirmMessageFn = func(string, finding.MessageKind, string, string, time.Time) (bool, error) { return true, nil }
			},
			calls: []string{"ConfirmMessage " + key + " resolved close-1 m-2"},
			want:  &finding.DedupeResult{Key: key},
		},
		{
			name: "release by the holder",
			req:  request(finding.ActionRelease, nil),
			store: func(s *fakeStore) {
				s.AlertFn = func(string) (lifecycle.Record, error) { return mine, nil }
				s.ReleaseFn = func(_, _ lifecycle.Record, remove bool) (bool, error) { return remove, nil }
			},
			calls: []string{"Alert " + key, "Release " + key + " true"},
			want:  &finding.DedupeResult{Key: key},
		},
		{
			name:  "release with nothing to release",
			req:   request(finding.ActionRelease, nil),
			store: func(s *fakeStore) { s.AlertFn = func(string) (lifecycle.Record, error) { return open, nil } },
			calls: []string{"Alert " + key},
			want:  &finding.DedupeResult{Key: key},
		},
		{
			name: "release store error",
			req:  request(finding.ActionRelease, nil),
			store: func(s *fakeStore) {
				s.AlertFn = func(string) (lifecycle.Record, error) { return mine, nil }
				s.ReleaseFn = func(lifecycle.Record, lifecycle.Record, bool) (bool, error) { return false, storeErr }
			},
			calls:   []string{"Alert " + key, "Release " + key + " true"},
			want:    &finding.DedupeResult{Key: key},
			errType: "DedupeStoreError",
		},
		{
			name: "release of a resolution: the alert is open again",
			req:  withKind(finding.DedupeRequest{Action: finding.ActionRelease, Finding: revokeFinding(), Key: key, ExecutionID: "exec-c"}, finding.MessageResolved, ""),
			store: func(s *fakeStore) {
				c := revokeFinding()
				res := lifecycle.OnClosing(open, c, lifecycle.NewReport(c, "", "exec-c", now), testConfig.lifecycle()).Next
				s.AlertFn = func(string) (lifecycle.Record, error) { return res, nil }
				s.ReleaseMessageFn = func(_, next lifecycle.Record) (bool, error) { return next.Status == finding.AlertOpen, nil }
			},
			calls: []string{"Alert " + key, "ReleaseMessage " + key + " open"},
			want:  &finding.DedupeResult{Key: key},
		},
		{
			name:  "claim computes the key, whatever key the request holds",
			req:   withKey(request(finding.ActionClaim, nil), otherKey),
			store: func(s *fakeStore) { s.AlertFn, s.GateFn, s.ClaimFn = none, send, granted },
			calls: []string{"Alert " + key, "Gate alert#" + key + " false", "Claim new pending e-1 true"},
			check: func(t *testing.T, res finding.DedupeResult) {
				if res.Key != key || res.WindowEnds != "2025-11-24T09:30:15Z" {
					t.Errorf("result %+v", res)
				}
			},
		},
		{
			name: "confirm acts on the claim's key, not on the finding's",
			req:  withKey(request(finding.ActionConfirm, nil), otherKey),
			store: func(s *fakeStore) {
				s.ConfirmFn = func(string, string, string, time.Time) (bool, error) { return true, nil }
			},
			calls: []string{"Confirm " + otherKey + " e-1  2025-11-23T09:30:15Z"},
			want:  &finding.DedupeResult{Key: otherKey},
		},
		{
			name: "release acts on the claim's key, not on the finding's",
			req:  withKey(request(finding.ActionRelease, func(f *finding.Finding) { f.Resources = nil }), key),
			store: func(s *fakeStore) {
				s.AlertFn = func(string) (lifecycle.Record, error) { return mine, nil }
				s.ReleaseFn = func(lifecycle.Record, lifecycle.Record, bool) (bool, error) { return true, nil }
			},
			calls: []string{"Alert " + key, "Release " + key + " true"},
			want:  &finding.DedupeResult{Key: key},
		},
		{
			name: "digests due",
			req:  finding.DedupeRequest{Action: finding.ActionDigests, ExecutionID: "exec-d"},
			store: func(s *fakeStore) {
				s.DueDigestsFn = func(time.Time, int) ([]string, error) { return []string{"a"}, nil }
			},
			calls: []string{"DueDigests 10"},
			want:  &finding.DedupeResult{Digests: []string{"a"}},
		},
		{
			name: "a digest claimed and built",
			req:  finding.DedupeRequest{Action: finding.ActionDigest, DigestID: digestID, ExecutionID: "exec-d"},
			store: func(s *fakeStore) {
				s.ClaimDigestFn = func(string, string, time.Time, time.Time) (lifecycle.Period, DigestState, error) {
					return lifecycle.Period{ID: digestID, Sent: []string{lifecycle.Member("", key)}, Held: []string{lifecycle.Member("", otherKey)}}, DigestClaimed, nil
				}
				s.AlertsFn = func([]string) (map[string]lifecycle.Record, error) {
					sent := open
					sent.SentAt = now // confirmed: SNS accepted it
					return map[string]lifecycle.Record{key: sent}, nil
				}
			},
			calls: []string{"ClaimDigest " + digestID + " exec-d", "Alerts [" + key + " " + otherKey + "]"},
			check: func(t *testing.T, res finding.DedupeResult) {
				if res.Outcome != finding.OutcomeDigest || res.Digest == nil || len(res.Digest.Sent) != 1 || len(res.Digest.Held) != 1 || res.Digest.Threshold != 5 {
					t.Errorf("result %+v digest %+v", res, res.Digest)
				}
			},
		},
		{
			name: "a digest sent already",
			req:  finding.DedupeRequest{Action: finding.ActionDigest, DigestID: digestID, ExecutionID: "exec-d"},
			store: func(s *fakeStore) {
				s.ClaimDigestFn = func(string, string, time.Time, time.Time) (lifecycle.Period, DigestState, error) {
					return lifecycle.Period{}, DigestSent, nil
				}
			},
			calls: []string{"ClaimDigest " + digestID + " exec-d"},
			want:  &finding.DedupeResult{Outcome: finding.OutcomeDuplicate},
		},
		{
			name: "confirm a digest",
			req:  finding.DedupeRequest{Action: finding.ActionConfirm, Kind: finding.MessageDigest, DigestID: digestID, MessageID: "m-3", ExecutionID: "exec-d"},
			store: func(s *fakeStore) {
				s.ConfirmDigestFn = func(string, string, string, time.Time) (bool, error) { return true, nil }
			},
			calls: []string{"ConfirmDigest " + digestID + " exec-d m-3"},
			want:  &finding.DedupeResult{},
		},
		{
			name: "release a digest",
			req:  finding.DedupeRequest{Action: finding.ActionRelease, Kind: finding.MessageDigest, DigestID: digestID, ExecutionID: "exec-d"},
			store: func(s *fakeStore) {
				s.ReleaseDigestFn = func(string, string) (bool, error) { return true, nil }
			},
			calls: []string{"ReleaseDigest " + digestID + " exec-d"},
			want:  &finding.DedupeResult{},
		},
		{name: "a digest without an id", req: finding.DedupeRequest{Action: finding.ActionDigest}, want: &finding.DedupeResult{}, errType: "InvalidInputError"},
		{name: "confirm of an unknown kind", req: withKind(request(finding.ActionConfirm, nil), "memo", ""), want: &finding.DedupeResult{Key: key}, errType: "InvalidInputError"},
		{name: "confirm without a key", req: withKey(request(finding.ActionConfirm, nil), ""), want: &finding.DedupeResult{}, errType: "InvalidInputError"},
		{name: "release without a key", req: withKey(request(finding.ActionRelease, nil), ""), want: &finding.DedupeResult{}, errType: "InvalidInputError"},
		{name: "confirm with an upper-case key", req: withKey(request(finding.ActionConfirm, nil), strings.ToUpper(key)), want: &finding.DedupeResult{}, errType: "InvalidInputError"},
		{name: "release with a short key", req: withKey(request(finding.ActionRelease, nil), key[:63]), want: &finding.DedupeResult{}, errType: "InvalidInputError"},
		{name: "confirm with a key that is not hex", req: withKey(request(finding.ActionConfirm, nil), "alert#"+key[6:]), want: &finding.DedupeResult{}, errType: "InvalidInputError"},
		{name: "no finding", req: finding.DedupeRequest{Action: finding.ActionClaim}, want: &finding.DedupeResult{}, errType: "InvalidInputError"},
		{name: "no event id", req: request(finding.ActionClaim, func(f *finding.Finding) { f.EventID = "" }), want: &finding.DedupeResult{}, errType: "InvalidInputError"},
		{name: "no account", req: request(finding.ActionConfirm, func(f *finding.Finding) { f.Account = "" }), want: &finding.DedupeResult{}, errType: "InvalidInputError"},
		{name: "unknown action", req: request("send", nil), want: &finding.DedupeResult{Key: key}, errType: "InvalidInputError"},
		{name: "no action", req: request("", nil), want: &finding.DedupeResult{Key: key}, errType: "InvalidInputError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			store := &fakeStore{t: t}
			if tc.store != nil {
				tc.store(store)
			}
			cfg := testConfig
			cfg.Rules = tc.rules
			h := NewHandler(store, zerolog.Nop(), cfg)
			h.now = func() time.Time { return testNow }

			got, err := h.Handle(context.Background(), tc.req)

			if diff := cmp.Diff(tc.calls, store.Calls); diff != "" {
				t.Errorf("store calls (-want +got):\n%s", diff)
			}
			if tc.want != nil {
				if diff := cmp.Diff(*tc.want, got); diff != "" {
					t.Errorf("result (-want +got):\n%s", diff)
				}
			}
			if tc.check != nil {
				tc.check(t, got)
			}
			switch {
			case tc.errType == "" && err != nil:
				t.Fatalf("err = %v, want nil", err)
			case tc.errType != "" && err == nil:
				t.Fatalf("err = nil, want %s", tc.errType)
			case err != nil:
				// aws-lambda-go reports the outermost type: it must be
				// the named one, not a wrapper.
				if got := lambdarun.ErrorType(err); got != tc.errType {
					t.Errorf("error type = %s, want %s (%v)", got, tc.errType, err)
				}
				if tc.errType == "DedupeStoreError" && tc.name != "a record that keeps changing is a store error" && !errors.Is(err, storeErr) {
					t.Errorf("err = %v, want it to wrap %v", err, storeErr)
				}
			}
		})
	}
}

// digestID is a well-formed digest id.
var digestID = lifecycle.DigestID(strings.Repeat("a", 32), time.Unix(1763890215, 0))

func ptr[T any](v T) *T { return &v }

// TestClosingMessagesBounded: a closing event that resolves more alerts
// than one execution sends holds the rest for its storm's digest.
func TestClosingMessagesBounded(t *testing.T) {
	recs := map[string]lifecycle.Record{}
	var keys []string
	for i := range maxClosureMessages + 5 {
		f := testFinding()
		f.Resources[0].OpenIngress[0].FromPort, f.Resources[0].OpenIngress[0].ToPort = 1000+i, 1000+i
		k := finding.AlertKey(f)
		rec := lifecycle.OnOpening(lifecycle.Record{Key: k}, lifecycle.NewReport(f, k, "x", now.Add(-time.Hour)), testConfig.lifecycle()).Next
		rec.Status = finding.AlertOpen
		recs[k] = rec
		keys = append(keys, k)
	}
	store := &fakeStore{t: t}
	store.IndexedFn = func(string, string, []string) (map[string][]string, error) {
		return map[string][]string{"sg-1": keys}, nil
	}
	store.AlertsFn = func([]string) (map[string]lifecycle.Record, error) { return recs, nil }
	held := 0
	store.GateFn = func(g Gate) (Gated, error) {
		if g.Hold {
			held++
		}
		return Gated{Held: g.Hold, DigestID: "d"}, nil
	}
	store.CloseFn = func(lifecycle.Record, lifecycle.Record) (bool, error) { return true, nil }
	h := NewHandler(store, zerolog.Nop(), testConfig)
	h.now = func() time.Time { return testNow }
	res, err := h.Handle(context.Background(), finding.DedupeRequest{Action: finding.ActionClaim, Finding: revokeFinding(), ExecutionID: "x-c"})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Messages) != maxClosureMessages || held != 5 || res.Resolved != maxClosureMessages+5 {
		t.Errorf("%d messages, %d held, %d resolved", len(res.Messages), held, res.Resolved)
	}
}

// TestHandleLogs checks that every line of an invocation can be tied to its
// execution and alert, and that a confirm that lost its claim warns.
func TestHandleLogs(t *testing.T) {
	var buf bytes.Buffer
	store := &fakeStore{t: t, ConfirmFn: func(string, string, string, time.Time) (bool, error) { return false, nil }}
	h := NewHandler(store, zerolog.New(&buf), testConfig)
	h.now = func() time.Time { return testNow }

	req := finding.DedupeRequest{Action: finding.ActionConfirm, Finding: testFinding(), Key: finding.AlertKey(testFinding()), ExecutionID: "exec-1"}
	if _, err := h.Handle(context.Background(), req); err != nil {
		t.Fatal(err)
	}

	var lines []map[string]any
	sc := bufio.NewScanner(&buf)
	for sc.Scan() {
		var line map[string]any
		if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
			t.Fatalf("log line %q: %v", sc.Text(), err)
		}
		lines = append(lines, line)
	}
	if len(lines) != 1 {
		t.Fatalf("logged %d lines, want 1: %s", len(lines), buf.String())
	}
	want := map[string]any{
		"level":        "warn",
		"execution_id": "exec-1",
		"action":       "confirm",
		"key":          finding.AlertKey(testFinding()),
		"event_id":     "e-1",
	}
	for k, v := range want {
		if got := lines[0][k]; got != v {
			t.Errorf("log %s = %v, want %v", k, got, v)
		}
	}
}
