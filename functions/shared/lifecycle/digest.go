package lifecycle

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// MaxDigestBytes bounds the JSON of a digest's entries, so that a digest
// fits a Step Functions payload and an SNS message with room for the rest
// (the email text, the JSON rendering's envelope). Held entries beyond it
// are counted in Digest.MoreHeld.
const MaxDigestBytes = 96 << 10

// BuildDigest returns the digest of period p: every message of the period,
// sent at once (Sent: those SNS accepted, see sent) or held (Held, the
// first ones up to MaxDigestBytes; MoreHeld counts the rest), in the order
// they happened, each from its alert's record in recs (by key; a held
// member whose record is gone gets an entry with its key only), and the
// repeats counted on those alerts.
func BuildDigest(p Period, recs map[string]Record, threshold int) finding.Digest {
	d := finding.Digest{
		ID: p.ID, Account: p.Storm.Account, Actor: p.Storm.Actor, EventName: p.Storm.EventName,
		PeriodStart: p.Start, PeriodEnd: p.End, Threshold: threshold, Held: []finding.DigestEntry{},
	}
	budget := MaxDigestBytes
	repeats := map[string]int{}
	take := func(members []string, limit bool) []finding.DigestEntry {
		entries := make([]finding.DigestEntry, 0, len(members))
		for _, m := range members {
			entries = append(entries, entry(m, recs))
		}
		slices.SortStableFunc(entries, func(a, b finding.DigestEntry) int {
			return cmp.Or(a.Time.Compare(b.Time), strings.Compare(a.Key, b.Key), strings.Compare(string(a.Kind), string(b.Kind)))
		})
		var out []finding.DigestEntry
		for i, e := range entries {
			size := jsonSize(e)
			if limit && size > budget {
				d.MoreHeld = len(entries) - i
				break
			}
			budget -= size
			out = append(out, e)
			if r, ok := recs[e.Key]; ok && r.Repeats > 0 && r.ID != "" {
				repeats[r.ID] = r.Repeats
			}
		}
		return out
	}
	d.Sent = take(slices.DeleteFunc(slices.Clone(p.Sent), func(m string) bool { return !sent(m, recs, p.Start) }), false)
	if held := take(p.Held, true); held != nil {
		d.Held = held
	}
	if len(repeats) > 0 {
		d.Repeats = repeats
	}
	return d
}

// sent reports whether the message the member m of a period that started
// at start let out at once was sent: for an alert, its record was
// confirmed (SNS accepted it) in the period; for an update or resolution,
// its record's latest message is that one, confirmed. A message whose
// notify failed was released: its record is gone (a new alert), back as
// it was (a reminder: confirmed before the period), or without the
// message (an update or resolution), and the digest does not list it as
// sent.
func sent(m string, recs map[string]Record, start time.Time) bool {
	kind, key := ParseMember(m)
	r, ok := recs[key]
	switch {
	case !ok:
		return false
	case kind == finding.MessageAlert:
		return r.Status != finding.AlertPending && !r.SentAt.IsZero() && !r.SentAt.Before(start)
	}
	return r.Message != nil && r.Message.Kind == kind && !r.Message.Pending && r.Message.MessageID != ""
}

// entry is the digest entry of the period member m.
func entry(m string, recs map[string]Record) finding.DigestEntry {
	kind, key := ParseMember(m)
	e := finding.DigestEntry{Kind: kind, Key: key}
	r, ok := recs[key]
	if !ok {
		e.Summary = "(the alert's record is gone)"
		return e
	}
	e.AlertID, e.Severity, e.Region, e.Resources = r.ID, r.Severity, r.Region, r.Resources
	if e.Resources == nil {
		e.Resources = []finding.Resource{}
	}
	switch {
	case kind == finding.MessageAlert || r.Message == nil:
		e.EventID, e.Time, e.Summary = r.EventID, cmp.Or(r.LastSeen, r.FirstSeen), r.Summary
	case kind == finding.MessageResolved:
		e.EventID, e.Time = r.Message.EventID, cmp.Or(r.ResolvedAt, r.Message.At)
		e.Summary = cut(fmt.Sprintf("resolved by %s after %s: %s", r.ClosedBy, duration(e.Time.Sub(r.FirstSeen)),
			strings.Join(Texts(r.Message.PrevOpen), "; ")), maxSummaryBytes)
	default:
		e.EventID, e.Time = r.Message.EventID, r.Message.At
		e.Summary = cut(fmt.Sprintf("updated: %s closed; still open: %s",
			strings.Join(Texts(Minus(r.Message.PrevOpen, r.Open)), "; "), strings.Join(Texts(r.Open), "; ")), maxSummaryBytes)
	}
	return e
}

// duration renders d in whole seconds ("2h13m0s").
func duration(d time.Duration) string {
	if d < 0 {
		d = 0
	}
	return d.Truncate(time.Second).String()
}

func jsonSize(v any) int {
	b, _ := json.Marshal(v)
	return len(b) + 1
}
