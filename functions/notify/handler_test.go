package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/alert"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
)

// fakePublisher is a Publisher whose behaviour each test sets.
type fakePublisher struct {
	PublishFn func(ctx context.Context, m alert.Message) (string, error)
}

func (f *fakePublisher) Publish(ctx context.Context, m alert.Message) (string, error) {
	return f.PublishFn(ctx, m)
}

func testFinding() *finding.Finding {
	return &finding.Finding{
		EventID:     "c409b898-91e4-44d5-a994-68741a8a0212",
		EventName:   "AuthorizeSecurityGroupIngress",
		EventSource: "ec2.amazonaws.com",
		Account:     "123456789012",
		Region:      "us-east-1",
		Time:        time.Date(2024, 10, 14, 14, 11, 38, 0, time.UTC),
		Actor: finding.Actor{
			Type: "AssumedRole", ARN: "arn:aws:sts::123456789012:assumed-role/AdminRole/alice",
			UserAgent: "aws-cli/2.17.60 a-distinctive-user-agent",
		},
		Resources: []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-0f63fecfa17ef4fee"}},
		Category:  finding.CategoryNetwork,
		Severity:  finding.SeverityHigh,
		Requested: finding.Requested{IngressRules: []finding.Rule{
			{Protocol: "tcp", FromPort: 3389, ToPort: 3389, CIDR: "0.0.0.0/0", WorldOpen: true},
		}},
		OpensExposure: true,
		Summary:       "alice allowed tcp 3389 from 0.0.0.0/0 into sg-0f63fecfa17ef4fee",
	}
}

func TestHandle(t *testing.T) {
	errSNS := errors.New("sns: throttled")
	wantSubject := alert.Render(testFinding()).Subject
	tests := []struct {
		name        string
		req         finding.NotifyRequest
		publish     func(ctx context.Context, m alert.Message) (string, error)
		want        finding.NotifyResult
		wantPublish int
		wantErrType string
		wantLog     map[string]any
	}{
		{
			name: "published",
			req:  finding.NotifyRequest{Finding: testFinding(), ExecutionID: "exec-1"},
			publish: func(_ context.Context, m alert.Message) (string, error) {
				return "msg-1", nil
			},
			want:        finding.NotifyResult{MessageID: "msg-1", Subject: wantSubject},
			wantPublish: 1,
			wantLog: map[string]any{
				"level": "info", "message": "alert_published", "event_id": "c409b898-91e4-44d5-a994-68741a8a0212",
				"severity": "high", "message_id": "msg-1", "subject": wantSubject, "execution_id": "exec-1",
			},
		},
		{
			name: "publish fails",
			req:  finding.NotifyRequest{Finding: testFinding(), ExecutionID: "exec-2"},
			publish: func(context.Context, alert.Message) (string, error) {
				return "", errSNS
			},
			wantPublish: 1,
			wantErrType: "PublishError",
			wantLog: map[string]any{
				"level": "error", "message": "publish_failed", "event_id": "c409b898-91e4-44d5-a994-68741a8a0212",
				"execution_id": "exec-2",
			},
		},
		{
			name: "publish refused for good",
			req:  finding.NotifyRequest{Finding: testFinding(), ExecutionID: "exec-2"},
			publish: func(context.Context, alert.Message) (string, error) {
				return "", fmt.Errorf("sns publish: %w", &Refusal{Code: "NotFound", Err: errSNS})
			},
			wantPublish: 1,
			wantErrType: "PublishRefusedError",
			wantLog: map[string]any{
				"level": "error", "message": "publish_failed", "error_type": "PublishRefusedError", "execution_id": "exec-2",
			},
		},
		{
			name: "publish outcome unknown",
			req:  finding.NotifyRequest{Finding: testFinding(), ExecutionID: "exec-2"},
			publish: func(context.Context, alert.Message) (string, error) {
				return "", fmt.Errorf("sns publish: %w", &Uncertain{Err: errSNS})
			},
			wantPublish: 1,
			wantErrType: "PublishUncertainError",
			wantLog: map[string]any{
				"level": "error", "message": "publish_failed", "error_type": "PublishUncertainError", "execution_id": "exec-2",
			},
		},
		{
			name:        "no finding",
			req:         finding.NotifyRequest{ExecutionID: "exec-3"},
			wantErrType: "InvalidInputError",
			wantLog:     map[string]any{"level": "warn", "message": "input_rejected", "execution_id": "exec-3"},
		},
		{
			name: "empty severity is refused, not sent unrated",
			req: finding.NotifyRequest{Finding: func() *finding.Finding {
				f := testFinding()
				f.Severity = ""
				return f
			}(), ExecutionID: "exec-4"},
			wantErrType: "InvalidInputError",
			wantLog:     map[string]any{"level": "warn", "message": "input_rejected", "execution_id": "exec-4"},
		},
		{
			name: "unknown severity is refused",
			req: finding.NotifyRequest{Finding: func() *finding.Finding {
				f := testFinding()
				f.Severity = "CRITICAL <b>"
				return f
			}()},
			wantErrType: "InvalidInputError",
			wantLog:     map[string]any{"level": "warn", "message": "input_rejected"},
		},
		{
			name: "no event id",
			req: finding.NotifyRequest{Finding: func() *finding.Finding {
				f := testFinding()
				f.EventID = ""
				return f
			}()},
			wantErrType: "InvalidInputError",
			wantLog:     map[string]any{"level": "warn", "message": "input_rejected"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			published := 0
			var sent alert.Message
			pub := &fakePublisher{PublishFn: func(ctx context.Context, m alert.Message) (string, error) {
				published++
				sent = m
				if tc.publish == nil {
					t.Fatal("Publish called")
				}
				return tc.publish(ctx, m)
			}}
			h := NewHandler(pub, zerolog.New(&logs).Level(zerolog.InfoLevel))

			got, err := h.Handle(context.Background(), tc.req)

			if published != tc.wantPublish {
				t.Errorf("Publish called %d times, want %d", published, tc.wantPublish)
			}
			if tc.wantPublish > 0 {
				if diff := cmp.Diff(alert.WithFormats(tc.req, alert.Open(tc.req.Finding, tc.req.Alert)), sent); diff != "" {
					t.Errorf("published message differs from alert.Open in its three renderings (-want +got):\n%s", diff)
				}
			}
			if tc.wantErrType != "" {
				if err == nil {
					t.Fatalf("Handle = %+v, nil; want a %s", got, tc.wantErrType)
				}
				if got := lambdarun.ErrorType(err); got != tc.wantErrType {
					t.Errorf("errorType = %q, want %q (err: %v)", got, tc.wantErrType, err)
				}
				if strings.HasPrefix(tc.wantErrType, "Publish") && !errors.Is(err, errSNS) {
					t.Errorf("error %v does not wrap the publisher's error", err)
				}
			} else if err != nil {
				t.Fatalf("Handle: %v", err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("result (-want +got):\n%s", diff)
			}

			line := lastLogLine(t, logs.Bytes())
			for k, want := range tc.wantLog {
				if line[k] != want {
					t.Errorf("log %s = %v, want %v (line %v)", k, line[k], want, line)
				}
			}
			if strings.Contains(logs.String(), "a-distinctive-user-agent") {
				t.Errorf("the finding was logged above debug level:\n%s", logs.String())
			}
		})
	}
}

// TestHandleLogsFindingAtDebug checks the one place the whole finding is
// logged: debug level, off by default.
func TestHandleLogsFindingAtDebug(t *testing.T) {
	var logs bytes.Buffer
	h := NewHandler(&fakePublisher{PublishFn: func(context.Context, alert.Message) (string, error) { return "m", nil }},
		zerolog.New(&logs).Level(zerolog.DebugLevel))
	if _, err := h.Handle(context.Background(), finding.NotifyRequest{Finding: testFinding()}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `"level":"debug"`) || !strings.Contains(logs.String(), "a-distinctive-user-agent") {
		t.Errorf("no debug line with the finding:\n%s", logs.String())
	}
}

func lastLogLine(t *testing.T, logs []byte) map[string]any {
	t.Helper()
	lines := bytes.Split(bytes.TrimSpace(logs), []byte("\n"))
	var m map[string]any
	if err := json.Unmarshal(lines[len(lines)-1], &m); err != nil {
		t.Fatalf("log line %q: %v", lines[len(lines)-1], err)
	}
	return m
}

// TestHandleKinds: each kind of message is rendered by its renderer and
// published; a request without what its kind needs is refused.
func TestHandleKinds(t *testing.T) {
	a := &finding.Alert{ID: "a1", Key: strings.Repeat("a", 64), Status: finding.AlertResolved, Severity: finding.SeverityHigh,
		Exposure: []string{"sg-0f63fecfa17ef4fee allows tcp/3389 from 0.0.0.0/0"}, Closed: []string{"sg-0f63fecfa17ef4fee allows tcp/3389 from 0.0.0.0/0"}}
	d := &finding.Digest{ID: "d1", EventName: "RunInstances", Threshold: 5, Held: []finding.DigestEntry{{AlertID: "x", Severity: finding.SeverityLow}}}
	tests := []struct {
		name        string
		req         finding.NotifyRequest
		want        alert.Message
		wantErrType string
		wantLog     map[string]any
	}{
		{name: "alert with its lifecycle", req: finding.NotifyRequest{Kind: finding.MessageAlert, Finding: testFinding(), Alert: a},
			want: alert.Open(testFinding(), a), wantLog: map[string]any{"alert_id": "a1", "kind": "alert"}},
		{name: "resolution", req: finding.NotifyRequest{Kind: finding.MessageResolved, Finding: testFinding(), Alert: a},
			want: alert.Closure(finding.MessageResolved, testFinding(), a), wantLog: map[string]any{"alert_id": "a1", "kind": "resolved", "severity": "high"}},
		{name: "update", req: finding.NotifyRequest{Kind: finding.MessageUpdate, Finding: testFinding(), Alert: a},
			want: alert.Closure(finding.MessageUpdate, testFinding(), a)},
		{name: "digest", req: finding.NotifyRequest{Kind: finding.MessageDigest, Digest: d},
			want: alert.Digest(d), wantLog: map[string]any{"digest_id": "d1", "kind": "digest"}},
		{name: "resolution without its alert", req: finding.NotifyRequest{Kind: finding.MessageResolved, Finding: testFinding()}, wantErrType: "InvalidInputError"},
		{name: "resolution without a finding", req: finding.NotifyRequest{Kind: finding.MessageResolved, Alert: a}, wantErrType: "InvalidInputError"},
		{name: "digest without one", req: finding.NotifyRequest{Kind: finding.MessageDigest}, wantErrType: "InvalidInputError"},
		{name: "resolution by a finding of no severity", req: finding.NotifyRequest{Kind: finding.MessageResolved, Finding: withSeverity(""), Alert: a}, wantErrType: "InvalidInputError"},
		{name: "update by a finding of unknown severity", req: finding.NotifyRequest{Kind: finding.MessageUpdate, Finding: withSeverity("critical"), Alert: a}, wantErrType: "InvalidInputError"},
		{name: "alert of unknown severity", req: finding.NotifyRequest{Kind: finding.MessageAlert, Finding: withSeverity("UNRATED"), Alert: a}, wantErrType: "InvalidInputError"},
		{name: "resolution of an alert of unknown severity", req: finding.NotifyRequest{Kind: finding.MessageResolved, Finding: testFinding(),
			Alert: &finding.Alert{ID: "a2", Severity: "urgent"}}, wantErrType: "InvalidInputError"},
		{name: "unknown kind", req: finding.NotifyRequest{Kind: "memo", Finding: testFinding()}, wantErrType: "InvalidInputError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var logs bytes.Buffer
			var sent *alert.Message
			h := NewHandler(&fakePublisher{PublishFn: func(_ context.Context, m alert.Message) (string, error) {
				sent = &m
				return "m-1", nil
			}}, zerolog.New(&logs))
			got, err := h.Handle(context.Background(), tc.req)
			if tc.wantErrType != "" {
				if got := lambdarun.ErrorType(err); got != tc.wantErrType || sent != nil {
					t.Fatalf("err %v (%s), published %v; want %s and nothing published", err, got, sent != nil, tc.wantErrType)
				}
				return
			}
			if err != nil || sent == nil {
				t.Fatalf("err %v, published %v", err, sent != nil)
			}
			if sent.Document == nil || sent.Chat == nil {
				t.Errorf("published without its JSON document (%v) or chat rendering (%v)", sent.Document != nil, sent.Chat != nil)
			}
			if diff := cmp.Diff(alert.WithFormats(tc.req, tc.want), *sent); diff != "" {
				t.Errorf("published (-want +got):\n%s", diff)
			}
			if got.MessageID != "m-1" || got.Subject != tc.want.Subject {
				t.Errorf("result %+v", got)
			}
			line := lastLogLine(t, logs.Bytes())
			for k, want := range tc.wantLog {
				if line[k] != want {
					t.Errorf("log %s = %v, want %v", k, line[k], want)
				}
			}
		})
	}
}

func withSeverity(s finding.Severity) *finding.Finding {
	f := testFinding()
	f.Severity = s
	return f
}

// TestPublishErrorNamesTheDigest: a digest that could not be published is
// named in the error, not as an event.
func TestPublishErrorNamesTheDigest(t *testing.T) {
	h := NewHandler(&fakePublisher{PublishFn: func(context.Context, alert.Message) (string, error) { return "", errors.New("throttled") }}, zerolog.Nop())
	_, err := h.Handle(context.Background(), finding.NotifyRequest{Kind: finding.MessageDigest, Digest: &finding.Digest{ID: "d1"}})
	if err == nil || err.Error() != "publish digest d1: throttled" {
		t.Errorf("err = %v", err)
	}
}

// TestHandleMetrics: a message SNS accepted counts in Alerts by kind and
// severity, an opening alert as an event notified (and unconfirmed when
// it was), with its latency from the CloudTrail event's time.
func TestHandleMetrics(t *testing.T) {
	var logs bytes.Buffer
	h := NewHandler(&fakePublisher{PublishFn: func(context.Context, alert.Message) (string, error) { return "m-1", nil }}, zerolog.New(&logs))
	f := testFinding()
	f.Unconfirmed = &finding.Unconfirmed{Error: "LookupError"}
	h.now = func() time.Time { return f.Time.Add(2500 * time.Millisecond) }
	if _, err := h.Handle(context.Background(), finding.NotifyRequest{Finding: f}); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{`"Alerts":1,"Kind":"alert"`, `"Alerts":1,"Severity":"high"`, `"EndToEndLatency":2500,"_aws"`,
		`"Events":1,"Outcome":"notified"`, `"Unconfirmed":1,"_aws"`} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("logs lack %s:\n%s", want, logs.String())
		}
	}
}

// TestHandleResendMarked: the state machine's resend of an update,
// resolution or digest (possibleRepeat) is published marked as a possible
// repeat.
func TestHandleResendMarked(t *testing.T) {
	var sent alert.Message
	h := NewHandler(&fakePublisher{PublishFn: func(_ context.Context, m alert.Message) (string, error) { sent = m; return "m-2", nil }}, zerolog.Nop())
	a := &finding.Alert{ID: "a-1", Status: finding.AlertResolved, Severity: finding.SeverityHigh}
	for _, req := range []finding.NotifyRequest{
		{Kind: finding.MessageResolved, Finding: testFinding(), Alert: a, PossibleRepeat: true},
		{Kind: finding.MessageDigest, Digest: &finding.Digest{ID: "d-1", Account: "123456789012"}, PossibleRepeat: true},
	} {
		if _, err := h.Handle(context.Background(), req); err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(sent.Subject, alert.PossibleRepeatMark) || sent.Attributes[alert.AttrPossibleRepeat] != "true" ||
			!strings.Contains(string(sent.Document), `"possibleRepeat":true`) {
			t.Errorf("%s resend not marked: %q %v", req.Kind, sent.Subject, sent.Attributes)
		}
	}
}
