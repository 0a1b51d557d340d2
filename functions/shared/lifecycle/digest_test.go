package lifecycle_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

func TestBuildDigest(t *testing.T) {
	recs := map[string]lifecycle.Record{}
	var sent, held []string
	for i := 9; i >= 0; i-- { // members arrive unordered
		key := fmt.Sprintf("k%02d", i)
		recs[key] = lifecycle.Record{Key: key, Exists: true, ID: fmt.Sprintf("id%02d", i), Status: finding.AlertOpen, EventID: fmt.Sprintf("e-%d", i),
			FirstSeen: t0.Add(time.Duration(i) * time.Second), LastSeen: t0.Add(time.Duration(i) * time.Second), Severity: finding.SeverityHigh,
			Region: "eu-west-1", Summary: "launched", Repeats: i % 2, Resources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-" + key}},
			SentAt: t0.Add(time.Duration(i) * time.Second)}
		if i < 3 {
			sent = append(sent, lifecycle.Member(finding.MessageAlert, key))
		} else {
			held = append(held, lifecycle.Member(finding.MessageAlert, key))
		}
	}
	held = append(held, lifecycle.Member(finding.MessageAlert, "gone"))
	p := lifecycle.Period{ID: "d", Storm: lifecycle.Storm{Account: "1", Actor: "a", EventName: "RunInstances"}, Start: t0, End: t0.Add(5 * time.Minute), Sent: sent, Held: held}
	d := lifecycle.BuildDigest(p, recs, 3)
	if len(d.Sent) != 3 || len(d.Held) != 8 || d.MoreHeld != 0 || d.Threshold != 3 || d.EventName != "RunInstances" {
		t.Fatalf("digest: %d sent %d held %d more", len(d.Sent), len(d.Held), d.MoreHeld)
	}
	for i, e := range d.Sent {
		if e.Key != fmt.Sprintf("k%02d", i) || e.AlertID != fmt.Sprintf("id%02d", i) || e.Kind != finding.MessageAlert {
			t.Errorf("sent[%d] = %+v: want arrival order", i, e)
		}
	}
	if d.Held[0].Key != "gone" || d.Held[0].Summary == "" || d.Held[1].Key != "k03" {
		t.Errorf("held in order, the record that is gone first (no time): %+v %+v", d.Held[0], d.Held[1])
	}
	if d.Repeats["id03"] != 1 || d.Repeats["id01"] != 1 || len(d.Repeats) != 5 {
		t.Errorf("repeats %v", d.Repeats)
	}
}

// TestBuildDigestListsOnlySentAsSent: a message let out at once whose
// notify failed was released, and the digest does not list it as sent: a
// new alert's record is gone, a reminder's is back as it was (confirmed
// before the period), a resolution's record no longer has it; one being
// sent now is not listed either. A confirmed alert and a confirmed
// resolution are.
func TestBuildDigestListsOnlySentAsSent(t *testing.T) {
	start := t0.Add(time.Hour)
	open := func(key string, sentAt time.Time) lifecycle.Record {
		return lifecycle.Record{Key: key, Exists: true, ID: "id-" + key, Status: finding.AlertOpen, LastSeen: start, SentAt: sentAt}
	}
	resolved := open("resolved", start.Add(-time.Hour))
	resolved.Status, resolved.Message = finding.AlertResolved, &lifecycle.Message{Kind: finding.MessageResolved, MessageID: "m-2", At: start.Add(time.Minute)}
	releasedResolution := open("released-resolution", start.Add(-time.Hour))
	pending := open("pending", time.Time{})
	pending.Status = finding.AlertPending
	recs := map[string]lifecycle.Record{
		"confirmed": open("confirmed", start.Add(10*time.Second)), "reminder": open("reminder", start.Add(-2*time.Hour)),
		"resolved": resolved, "released-resolution": releasedResolution, "pending": pending,
	}
	p := lifecycle.Period{ID: "d", Start: start, End: start.Add(5 * time.Minute), Sent: []string{
		lifecycle.Member(finding.MessageAlert, "confirmed"), lifecycle.Member(finding.MessageAlert, "released-new"),
		lifecycle.Member(finding.MessageAlert, "reminder"), lifecycle.Member(finding.MessageResolved, "resolved"),
		lifecycle.Member(finding.MessageResolved, "released-resolution"), lifecycle.Member(finding.MessageAlert, "pending"),
	}}
	d := lifecycle.BuildDigest(p, recs, 10)
	var got []string
	for _, e := range d.Sent {
		got = append(got, string(e.Kind)+" "+e.Key)
	}
	if want := []string{"alert confirmed", "resolved resolved"}; strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("sent %q, want %q", got, want)
	}
}

// TestBuildDigestBounded: a digest of thousands of held alerts with the
// longest summaries lists what fits MaxDigestBytes and counts the rest.
func TestBuildDigestBounded(t *testing.T) {
	recs := map[string]lifecycle.Record{}
	var held []string
	for i := range 5000 {
		key := fmt.Sprintf("%064d", i)
		rs := make([]finding.Resource, 10)
		for j := range rs {
			rs[j] = finding.Resource{Type: finding.TypeInstance, ID: strings.Repeat("i", 120)}
		}
		recs[key] = lifecycle.Record{Key: key, Exists: true, ID: strings.Repeat("a", 24), EventID: strings.Repeat("e", 100), LastSeen: t0,
			Severity: finding.SeverityMedium, Region: "ap-southeast-2", Summary: strings.Repeat("s", 500), Resources: rs}
		held = append(held, lifecycle.Member(finding.MessageAlert, key))
	}
	d := lifecycle.BuildDigest(lifecycle.Period{ID: "d", Held: held}, recs, 5)
	b, _ := json.Marshal(d)
	t.Logf("digest of 5000 held alerts: %d listed, %d more, %d bytes of JSON", len(d.Held), d.MoreHeld, len(b))
	if len(d.Held)+d.MoreHeld != 5000 || d.MoreHeld == 0 {
		t.Errorf("%d listed + %d more, want 5000 with some left out", len(d.Held), d.MoreHeld)
	}
	if len(b) > lifecycle.MaxDigestBytes+4096 {
		t.Errorf("digest JSON is %d bytes, more than MaxDigestBytes (%d) and its envelope", len(b), lifecycle.MaxDigestBytes)
	}
}

func TestBuildDigestLifecycleEntries(t *testing.T) {
	opened := openRecord(t)
	c, rep := revoke("x-c", t0.Add(time.Hour))
	res := lifecycle.OnClosing(opened, c, rep, cfg).Next.HeldMessage("d")
	d := lifecycle.BuildDigest(lifecycle.Period{ID: "d", Held: []string{lifecycle.Member(finding.MessageResolved, opened.Key)}},
		map[string]lifecycle.Record{opened.Key: res}, 5)
	if len(d.Held) != 1 {
		t.Fatalf("held %+v", d.Held)
	}
	e := d.Held[0]
	if e.Kind != finding.MessageResolved || e.EventID != "close-1" || !e.Time.Equal(t0.Add(time.Hour)) || !strings.HasPrefix(e.Summary, "resolved by arn:aws:iam::123456789012:user/fixer after 1h0m2s") {
		t.Errorf("resolved entry %+v", e)
	}
}
