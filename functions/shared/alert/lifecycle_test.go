package alert_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/alert"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// render is the message of a notify request, by kind, in its three
// renderings, as notify renders it.
func render(t *testing.T, req finding.NotifyRequest) alert.Message {
	t.Helper()
	var m alert.Message
	switch req.Kind {
	case "", finding.MessageAlert:
		m = alert.Open(req.Finding, req.Alert)
	case finding.MessageUpdate, finding.MessageResolved:
		m = alert.Closure(req.Kind, req.Finding, req.Alert)
	case finding.MessageDigest:
		m = alert.Digest(req.Digest)
	default:
		t.Fatalf("kind %q", req.Kind)
	}
	return alert.WithFormats(req, m)
}

// TestLifecycleGolden renders every testdata/lifecycle/<case>.request.json
// (a notify request: an opening alert with its lifecycle, an update, a
// resolution, a digest) and compares the message with
// testdata/lifecycle/<case>.golden.txt.
func TestLifecycleGolden(t *testing.T) {
	inputs, err := filepath.Glob("testdata/lifecycle/*.request.json")
	if err != nil || len(inputs) == 0 {
		t.Fatalf("no testdata/lifecycle/*.request.json: %v", err)
	}
	for _, in := range inputs {
		name := strings.TrimSuffix(filepath.Base(in), ".request.json")
		t.Run(name, func(t *testing.T) {
			data, err := os.ReadFile(in)
			if err != nil {
				t.Fatal(err)
			}
			dec := json.NewDecoder(bytes.NewReader(data))
			dec.DisallowUnknownFields()
			var req finding.NotifyRequest
			if err := dec.Decode(&req); err != nil {
				t.Fatalf("decode %s: %v", in, err)
			}
			m := render(t, req)
			checkMessage(t, m)
			validateDocument(t, m.Document)
			checkChat(t, m.Chat)
			checkGolden(t, filepath.Join("testdata", "lifecycle", name+".golden.txt"), formatMessage(t, m))
		})
	}
}

// TestLifecycleAttributes: every message says its status, and every
// message about an alert its id, so that filter policies can route them.
func TestLifecycleAttributes(t *testing.T) {
	f := readFinding(t, "testdata/sg-rdp-world-open.finding.json")
	a := &finding.Alert{ID: "a1", Severity: finding.SeverityHigh, Status: finding.AlertResolved}
	d := &finding.Digest{ID: "d", EventName: "RunInstances"}
	tests := []struct {
		name       string
		req        finding.NotifyRequest
		status, id string
	}{
		{"alert without lifecycle", finding.NotifyRequest{Finding: f}, "open", ""},
		{"alert", finding.NotifyRequest{Kind: finding.MessageAlert, Finding: f, Alert: a}, "open", "a1"},
		{"update", finding.NotifyRequest{Kind: finding.MessageUpdate, Finding: f, Alert: a}, "open", "a1"},
		{"resolved", finding.NotifyRequest{Kind: finding.MessageResolved, Finding: f, Alert: a}, "resolved", "a1"},
		{"digest", finding.NotifyRequest{Kind: finding.MessageDigest, Digest: d}, "digest", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m := render(t, tc.req)
			if got := m.Attributes[alert.AttrStatus]; got != tc.status {
				t.Errorf("status %q, want %q", got, tc.status)
			}
			if got := m.Attributes[alert.AttrAlertID]; got != tc.id {
				t.Errorf("alert_id %q, want %q", got, tc.id)
			}
			checkMessage(t, m)
			validateDocument(t, m.Document)
		})
	}
	if got := alert.Closure(finding.MessageResolved, f, a).Attributes[alert.AttrSeverity]; got != "high" {
		t.Errorf("a resolution's severity %q, want the alert's", got)
	}
	if got := alert.Render(f).Attributes[alert.AttrStatus]; got != "" {
		t.Errorf("Render sets status %q: Open does", got)
	}
}

// TestDigestListsTheFirstEntries: the email lists MaxDigestEntries held
// alerts and counts the others.
func TestDigestListsTheFirstEntries(t *testing.T) {
	d := &finding.Digest{ID: "d", EventName: "RunInstances", Threshold: 5}
	for range 195 {
		d.Held = append(d.Held, finding.DigestEntry{AlertID: "x", Severity: finding.SeverityHigh})
	}
	body := alert.Digest(d).Body
	if got := strings.Count(body, "  - [HIGH] alert x"); got != alert.MaxDigestEntries {
		t.Errorf("%d entries listed, want %d", got, alert.MaxDigestEntries)
	}
	if !strings.Contains(body, "... and 175 more") || !regexp.MustCompile(`\n  Held: +195\n`).MatchString(body) {
		t.Errorf("body does not count the rest:\n%s", body)
	}
}

// TestClosureSubjects: the subject says what closed and, for a
// resolution, after how long, whatever the lines' length.
func TestClosureSubjects(t *testing.T) {
	f := readFinding(t, "testdata/sg-rdp-world-open.finding.json")
	opened := f.Time.Add(-2 * time.Hour)
	at := f.Time
	long := "arn:aws:elasticloadbalancing:ap-southeast-2:210987654321:loadbalancer/app/public-api/50dc6c495c0c9188"
	tests := []struct {
		kind finding.MessageKind
		a    finding.Alert
		want string
	}{
		{finding.MessageResolved, finding.Alert{FirstSeen: opened, ResolvedAt: &at, Closed: []string{"sg-1 allows tcp/22 from 0.0.0.0/0"}},
			"[RESOLVED] sg-1 allows tcp/22 from 0.0.0.0/0 closed after 2h0m0s (123456789012 us-east-1)"},
		{finding.MessageResolved, finding.Alert{FirstSeen: opened, ResolvedAt: &at, Closed: []string{"sg-1 allows tcp/22 from 0.0.0.0/0", "sg-1 allows tcp/22 from ::/0"}},
			"[RESOLVED] sg-1: 2 exposures closed after 2h0m0s (123456789012 us-east-1)"},
		{finding.MessageResolved, finding.Alert{FirstSeen: opened, ResolvedAt: &at, Closed: []string{long + " allows tcp/443 from 0.0.0.0/0"}},
			"[RESOLVED] arn:aws:elasticloadbalanci...: 1 exposure closed after 2h0m0s (123456789012 us-east-1)"},
		{finding.MessageUpdate, finding.Alert{Closed: []string{"sg-1 allows tcp/22 from 0.0.0.0/0", "i-1 has public IP 203.0.113.9"}, StillOpen: []string{"x"}},
			"[UPDATED] 2 exposures closed, 1 still open (123456789012 us-east-1)"},
	}
	for _, tc := range tests {
		m := render(t, finding.NotifyRequest{Kind: tc.kind, Finding: f, Alert: &tc.a})
		if m.Subject != tc.want {
			t.Errorf("subject\n got %q\nwant %q", m.Subject, tc.want)
		}
		checkMessage(t, m)
	}
}
