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
)

// fakeStore is a Store whose behaviour each test states.
type fakeStore struct {
	ClaimFn   func(ctx context.Context, c Claim) (ClaimResult, error)
	ConfirmFn func(ctx context.Context, key, eventID string, at time.Time) (bool, error)
	ReleaseFn func(ctx context.Context, key, eventID string) (bool, error)
}

func (s *fakeStore) Claim(ctx context.Context, c Claim) (ClaimResult, error) {
	return s.ClaimFn(ctx, c)
}

func (s *fakeStore) Confirm(ctx context.Context, key, eventID string, at time.Time) (bool, error) {
	return s.ConfirmFn(ctx, key, eventID, at)
}

func (s *fakeStore) Release(ctx context.Context, key, eventID string) (bool, error) {
	return s.ReleaseFn(ctx, key, eventID)
}

var (
	testConfig = Config{Window: 24 * time.Hour, Lease: 5 * time.Minute, Retention: 168 * time.Hour}
	// testNow has a fraction of a second: the store sees whole seconds.
	testNow = time.Date(2025, 11, 23, 9, 30, 15, 500_000_000, time.UTC)
)

func testFinding() *finding.Finding {
	return &finding.Finding{
		EventID:   "e-1",
		EventName: "AuthorizeSecurityGroupIngress",
		Account:   "123456789012",
		Region:    "eu-west-1",
		Resources: []finding.Resource{{
			Type:        finding.TypeSecurityGroup,
			ID:          "sg-1",
			OpenIngress: []finding.Rule{{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true}},
		}},
		Severity: finding.SeverityHigh,
		Enriched: true,
	}
}

// storeCall is one call the handler made to the store.
type storeCall struct {
	Method  string
	Claim   Claim
	Key     string
	EventID string
	At      time.Time
}

func TestHandle(t *testing.T) {
	key := finding.AlertKey(testFinding())
	storeErr := errors.New("throttled")
	holder := &Alert{
		EventID:    "e-0",
		Status:     StatusSent,
		WindowEnds: time.Date(2025, 11, 23, 20, 0, 0, 0, time.UTC),
		LeaseEnds:  time.Date(2025, 11, 22, 20, 5, 0, 0, time.UTC),
	}
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
	otherKey := finding.AlertKey(&finding.Finding{Account: "210987654321", Region: "us-east-1"})
	wantClaim := storeCall{Method: "Claim", Claim: Claim{
		Key:         key,
		EventID:     "e-1",
		EventName:   "AuthorizeSecurityGroupIngress",
		ExecutionID: "exec-1",
		Now:         time.Date(2025, 11, 23, 9, 30, 15, 0, time.UTC),
		WindowEnds:  time.Date(2025, 11, 24, 9, 30, 15, 0, time.UTC),
		LeaseEnds:   time.Date(2025, 11, 23, 9, 35, 15, 0, time.UTC),
		Expires:     time.Date(2025, 12, 1, 9, 30, 15, 0, time.UTC),
	}}
	wantConfirm := storeCall{Method: "Confirm", Key: key, EventID: "e-1", At: time.Date(2025, 11, 23, 9, 30, 15, 0, time.UTC)}
	wantRelease := storeCall{Method: "Release", Key: key, EventID: "e-1"}

	tests := []struct {
		name    string
		req     finding.DedupeRequest
		claim   func() (ClaimResult, error)
		confirm func() (bool, error)
		release func() (bool, error)

		wantCalls   []storeCall
		want        finding.DedupeResult
		wantErrType string
	}{
		{
			name:      "claim granted",
			req:       request(finding.ActionClaim, nil),
			claim:     func() (ClaimResult, error) { return ClaimResult{Granted: true}, nil },
			wantCalls: []storeCall{wantClaim},
			want:      finding.DedupeResult{Key: key, WindowEnds: "2025-11-24T09:30:15Z"},
		},
		{
			name:      "claim refused by a live alert",
			req:       request(finding.ActionClaim, nil),
			claim:     func() (ClaimResult, error) { return ClaimResult{Holder: holder}, nil },
			wantCalls: []storeCall{wantClaim},
			want:      finding.DedupeResult{Key: key, Duplicate: true, WindowEnds: "2025-11-23T20:00:00Z"},
		},
		{
			name: "claim refused by an alert another execution is sending",
			req:  request(finding.ActionClaim, nil),
			claim: func() (ClaimResult, error) {
				return ClaimResult{Holder: &Alert{EventID: "e-0", ExecutionID: "exec-0", Status: StatusPending,
					WindowEnds: holder.WindowEnds, LeaseEnds: time.Date(2025, 11, 23, 9, 33, 0, 0, time.UTC)}}, nil
			},
			wantCalls:   []storeCall{wantClaim},
			want:        finding.DedupeResult{Key: key},
			wantErrType: "AlertInFlightError",
		},
		{
			name:      "claim refused, holder unknown",
			req:       request(finding.ActionClaim, nil),
			claim:     func() (ClaimResult, error) { return ClaimResult{}, nil },
			wantCalls: []storeCall{wantClaim},
			want:      finding.DedupeResult{Key: key, Duplicate: true},
		},
		{
			name: "claim without execution id",
			req: finding.DedupeRequest{
				Action:  finding.ActionClaim,
				Finding: testFinding(),
			},
			claim: func() (ClaimResult, error) { return ClaimResult{Granted: true}, nil },
			wantCalls: []storeCall{func() storeCall {
				c := wantClaim
				c.Claim.ExecutionID = ""
				return c
			}()},
			want: finding.DedupeResult{Key: key, WindowEnds: "2025-11-24T09:30:15Z"},
		},
		{
			name:        "claim store error",
			req:         request(finding.ActionClaim, nil),
			claim:       func() (ClaimResult, error) { return ClaimResult{}, storeErr },
			wantCalls:   []storeCall{wantClaim},
			want:        finding.DedupeResult{Key: key},
			wantErrType: "DedupeStoreError",
		},
		{
			name:      "confirm by the holder",
			req:       request(finding.ActionConfirm, nil),
			confirm:   func() (bool, error) { return true, nil },
			wantCalls: []storeCall{wantConfirm},
			want:      finding.DedupeResult{Key: key},
		},
		{
			name:      "confirm after the claim was taken over",
			req:       request(finding.ActionConfirm, nil),
			confirm:   func() (bool, error) { return false, nil },
			wantCalls: []storeCall{wantConfirm},
			want:      finding.DedupeResult{Key: key},
		},
		{
			name:        "confirm store error",
			req:         request(finding.ActionConfirm, nil),
			confirm:     func() (bool, error) { return false, storeErr },
			wantCalls:   []storeCall{wantConfirm},
			want:        finding.DedupeResult{Key: key},
			wantErrType: "DedupeStoreError",
		},
		{
			name:      "release by the holder",
			req:       request(finding.ActionRelease, nil),
			release:   func() (bool, error) { return true, nil },
			wantCalls: []storeCall{wantRelease},
			want:      finding.DedupeResult{Key: key},
		},
		{
			name:      "release with nothing to release",
			req:       request(finding.ActionRelease, nil),
			release:   func() (bool, error) { return false, nil },
			wantCalls: []storeCall{wantRelease},
			want:      finding.DedupeResult{Key: key},
		},
		{
			name:        "release store error",
			req:         request(finding.ActionRelease, nil),
			release:     func() (bool, error) { return false, storeErr },
			wantCalls:   []storeCall{wantRelease},
			want:        finding.DedupeResult{Key: key},
			wantErrType: "DedupeStoreError",
		},
		{
			name:      "claim computes the key, whatever key the request holds",
			req:       withKey(request(finding.ActionClaim, nil), otherKey),
			claim:     func() (ClaimResult, error) { return ClaimResult{Granted: true}, nil },
			wantCalls: []storeCall{wantClaim},
			want:      finding.DedupeResult{Key: key, WindowEnds: "2025-11-24T09:30:15Z"},
		},
		{
			name:      "confirm acts on the claim's key, not on the finding's",
			req:       withKey(request(finding.ActionConfirm, nil), otherKey),
			confirm:   func() (bool, error) { return true, nil },
			wantCalls: []storeCall{{Method: "Confirm", Key: otherKey, EventID: "e-1", At: wantConfirm.At}},
			want:      finding.DedupeResult{Key: otherKey},
		},
		{
			name:      "release acts on the claim's key, not on the finding's",
			req:       withKey(request(finding.ActionRelease, func(f *finding.Finding) { f.Resources = nil }), key),
			release:   func() (bool, error) { return true, nil },
			wantCalls: []storeCall{wantRelease},
			want:      finding.DedupeResult{Key: key},
		},
		{
			name:        "confirm without a key",
			req:         withKey(request(finding.ActionConfirm, nil), ""),
			wantErrType: "InvalidInputError",
		},
		{
			name:        "release without a key",
			req:         withKey(request(finding.ActionRelease, nil), ""),
			wantErrType: "InvalidInputError",
		},
		{
			name:        "confirm with an upper-case key",
			req:         withKey(request(finding.ActionConfirm, nil), strings.ToUpper(key)),
			wantErrType: "InvalidInputError",
		},
		{
			name:        "release with a short key",
			req:         withKey(request(finding.ActionRelease, nil), key[:63]),
			wantErrType: "InvalidInputError",
		},
		{
			name:        "confirm with a key that is not hex",
			req:         withKey(request(finding.ActionConfirm, nil), "alert#"+key[6:]),
			wantErrType: "InvalidInputError",
		},
		{
			name:        "no finding",
			req:         finding.DedupeRequest{Action: finding.ActionClaim},
			wantErrType: "InvalidInputError",
		},
		{
			name:        "no event id",
			req:         request(finding.ActionClaim, func(f *finding.Finding) { f.EventID = "" }),
			wantErrType: "InvalidInputError",
		},
		{
			name:        "no account",
			req:         request(finding.ActionConfirm, func(f *finding.Finding) { f.Account = "" }),
			wantErrType: "InvalidInputError",
		},
		{
			name:        "unknown action",
			req:         request("send", nil),
			want:        finding.DedupeResult{Key: key},
			wantErrType: "InvalidInputError",
		},
		{
			name:        "no action",
			req:         request("", nil),
			want:        finding.DedupeResult{Key: key},
			wantErrType: "InvalidInputError",
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var calls []storeCall
			store := &fakeStore{
				ClaimFn: func(_ context.Context, c Claim) (ClaimResult, error) {
					calls = append(calls, storeCall{Method: "Claim", Claim: c})
					if tc.claim == nil {
						t.Fatal("unexpected Claim")
					}
					return tc.claim()
				},
				ConfirmFn: func(_ context.Context, key, eventID string, at time.Time) (bool, error) {
					calls = append(calls, storeCall{Method: "Confirm", Key: key, EventID: eventID, At: at})
					if tc.confirm == nil {
						t.Fatal("unexpected Confirm")
					}
					return tc.confirm()
				},
				ReleaseFn: func(_ context.Context, key, eventID string) (bool, error) {
					calls = append(calls, storeCall{Method: "Release", Key: key, EventID: eventID})
					if tc.release == nil {
						t.Fatal("unexpected Release")
					}
					return tc.release()
				},
			}
			h := NewHandler(store, zerolog.Nop(), testConfig)
			h.now = func() time.Time { return testNow }

			got, err := h.Handle(context.Background(), tc.req)

			if diff := cmp.Diff(tc.wantCalls, calls); diff != "" {
				t.Errorf("store calls (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}
			switch {
			case tc.wantErrType == "" && err != nil:
				t.Fatalf("err = %v, want nil", err)
			case tc.wantErrType != "" && err == nil:
				t.Fatalf("err = nil, want %s", tc.wantErrType)
			case err != nil:
				// aws-lambda-go reports the outermost type: it must be
				// the named one, not a wrapper.
				if got := lambdarun.ErrorType(err); got != tc.wantErrType {
					t.Errorf("error type = %s, want %s (%v)", got, tc.wantErrType, err)
				}
				if tc.wantErrType == "DedupeStoreError" && !errors.Is(err, storeErr) {
					t.Errorf("err = %v, want it to wrap %v", err, storeErr)
				}
			}
		})
	}
}

// TestHandleLogs checks that every line of an invocation can be tied to its
// execution and alert, and that a confirm that lost its claim warns.
func TestHandleLogs(t *testing.T) {
	var buf bytes.Buffer
	store := &fakeStore{
		ConfirmFn: func(context.Context, string, string, time.Time) (bool, error) { return false, nil },
	}
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
