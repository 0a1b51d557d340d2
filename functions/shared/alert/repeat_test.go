package alert_test

import (
	"strings"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/alert"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

func sshFinding() *finding.Finding {
	return &finding.Finding{
		EventID: "e-1", EventName: "AuthorizeSecurityGroupIngress", EventSource: "ec2.amazonaws.com",
		Account: "123456789012", Region: "eu-west-1", Time: time.Date(2025, 11, 23, 9, 0, 0, 0, time.UTC),
		Actor:     finding.Actor{Type: "IAMUser", ARN: "arn:aws:iam::123456789012:user/dev"},
		Resources: []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-1"}},
		Category:  finding.CategoryNetwork, Severity: finding.SeverityHigh, OpensExposure: true,
		Requested: finding.Requested{IngressRules: []finding.Rule{{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true}}},
		Summary:   "arn:aws:iam::123456789012:user/dev opened tcp/22 to the internet on sg-1",
	}
}

// TestPossibleRepeat: an alert that may be a second copy says so in every
// rendering: its subject (still one SNS accepts), its text, its JSON
// document and the possible_repeat attribute; a first copy says nothing.
func TestPossibleRepeat(t *testing.T) {
	f := sshFinding()
	a := &finding.Alert{ID: "a-1", Status: finding.AlertPending, Events: 1, Severity: finding.SeverityHigh, PossibleRepeat: true}
	m := alert.WithFormats(finding.NotifyRequest{Kind: finding.MessageAlert, Finding: f, Alert: a}, alert.Open(f, a))
	if !strings.HasPrefix(m.Subject, alert.PossibleRepeatMark) || len(m.Subject) > alert.MaxSubjectLen || alert.SanitizeSubject(m.Subject) != m.Subject {
		t.Errorf("subject %q: want it to start with %q and be one SNS accepts", m.Subject, alert.PossibleRepeatMark)
	}
	if !strings.Contains(m.Body, "Possible repeat: an earlier copy of this message may have been delivered") {
		t.Errorf("body does not say it may be a repeat:\n%s", m.Body)
	}
	if m.Attributes[alert.AttrPossibleRepeat] != "true" {
		t.Errorf("attributes %v lack possible_repeat=true", m.Attributes)
	}
	if !strings.Contains(string(m.Document), `"possibleRepeat":true`) {
		t.Errorf("document lacks possibleRepeat: %s", m.Document)
	}

	a.PossibleRepeat = false
	first := alert.WithFormats(finding.NotifyRequest{Kind: finding.MessageAlert, Finding: f, Alert: a}, alert.Open(f, a))
	if strings.Contains(first.Subject, "REPEAT") || strings.Contains(first.Body, "Possible repeat") || first.Attributes[alert.AttrPossibleRepeat] != "" ||
		strings.Contains(string(first.Document), "possibleRepeat") {
		t.Errorf("a first copy is marked as a repeat: %q %v", first.Subject, first.Attributes)
	}
}

// TestUnconfirmed: an alert sent from the request alone says "exposure not
// confirmed" and why, in its text, document and the confirmed=false
// attribute.
func TestUnconfirmed(t *testing.T) {
	f := sshFinding()
	f.Unconfirmed = &finding.Unconfirmed{Error: "LookupError", Cause: `{"errorType":"LookupError","errorMessage":"sts AssumeRole: AccessDenied"}`}
	m := alert.Render(f)
	if !strings.Contains(m.Body, "Exposure not confirmed: LookupError: sts AssumeRole: AccessDenied (judged from the request alone)") {
		t.Errorf("body does not say the exposure is unconfirmed:\n%s", m.Body)
	}
	if m.Attributes[alert.AttrConfirmed] != "false" {
		t.Errorf("attributes %v lack confirmed=false", m.Attributes)
	}
	if !strings.Contains(string(m.Document), `"unconfirmed":{"error":"LookupError"`) {
		t.Errorf("document lacks the finding's unconfirmed: %s", m.Document)
	}
	if strings.Contains(alert.Render(sshFinding()).Body, "not confirmed") {
		t.Error("a confirmed alert says it is not")
	}
}

// TestWaitedForConsistency: an alert whose lookups had to wait says so.
func TestWaitedForConsistency(t *testing.T) {
	f := sshFinding()
	f.Consistency = &finding.Consistency{Looks: 4, WaitedSeconds: 30, Reason: "resource sg-1 not found"}
	m := alert.Render(f)
	if !strings.Contains(m.Body, "Looked up 4 times over 30 s: the live state did not show the change at once (still resource sg-1 not found)") {
		t.Errorf("body does not say it waited:\n%s", m.Body)
	}
	if !strings.Contains(string(m.Document), `"consistency":{"lookAgain":false,"reason":"resource sg-1 not found","looks":4,"waitedSeconds":30}`) {
		t.Errorf("document lacks the finding's consistency: %s", m.Document)
	}
	if strings.Contains(alert.Render(sshFinding()).Body, "Looked up") {
		t.Error("a finding that did not wait says it did")
	}
}

// TestClosurePossibleRepeat: a resent resolution (or update, or digest)
// is marked like a resent alert, its document too.
func TestClosurePossibleRepeat(t *testing.T) {
	f := sshFinding()
	f.EventName, f.OpensExposure, f.ClosesExposure = "RevokeSecurityGroupIngress", false, true
	a := &finding.Alert{ID: "a-1", Status: finding.AlertResolved, Events: 1, Severity: finding.SeverityHigh}
	req := finding.NotifyRequest{Kind: finding.MessageResolved, Finding: f, Alert: a, PossibleRepeat: true}
	m := alert.WithFormats(req, alert.MarkPossibleRepeat(alert.Closure(finding.MessageResolved, f, a)))
	if !strings.HasPrefix(m.Subject, alert.PossibleRepeatMark) || m.Attributes[alert.AttrPossibleRepeat] != "true" ||
		!strings.Contains(m.Body, "Possible repeat") || !strings.Contains(string(m.Document), `"possibleRepeat":true`) {
		t.Errorf("a resent resolution is not marked: %q %v", m.Subject, m.Attributes)
	}
}
