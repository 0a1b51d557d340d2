package alert

import (
	"fmt"
	"strings"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Values of AttrStatus.
const (
	StatusOpen     = "open"
	StatusResolved = "resolved"
	StatusDigest   = "digest"
)

// Open returns the text of the opening alert of f as its lifecycle a
// reports it (complete it with WithFormats): the text Render makes of f,
// with its id and, for an alert still open since an earlier report (a
// reminder after its window), since when, and the attributes status
// "open" and alert_id. a may be nil (Render's text, status "open").
func Open(f *finding.Finding, a *finding.Alert) Message {
	m := text(f)
	m.Attributes[AttrStatus] = StatusOpen
	if a == nil {
		return m
	}
	if id := oneLine(a.ID, maxAttrLen); id != "" {
		m.Attributes[AttrAlertID] = id
	}
	w := &writer{}
	w.section("Alert")
	w.field("  ", "Alert ID", a.ID)
	if a.Events > 1 && !a.FirstSeen.IsZero() {
		w.field("  ", "Open since", stamp(a.FirstSeen)+"; reported by "+events(a.Events, a.Repeats))
	}
	if a.DigestID != "" {
		w.field("  ", "Digest", a.DigestID)
	}
	w.line("  Further reports of this exposure are counted, not sent again; trailwatch tells when it closes.")
	m.Body = appendSection(m.Body, w.String())
	if a.PossibleRepeat {
		m = MarkPossibleRepeat(m)
	}
	return m
}

// MarkPossibleRepeat returns the text of m marked as a possible second
// copy (an earlier publish's outcome was unknown): PossibleRepeatMark
// starts its subject, a line ends its body, and the attribute
// possible_repeat is "true". WithFormats marks the document and the chat
// message of a request whose Repeat is true.
func MarkPossibleRepeat(m Message) Message {
	m.Subject = SanitizeSubject(PossibleRepeatMark + m.Subject)
	m.Body = appendSection(m.Body, "Possible repeat: an earlier copy of this message may have been delivered (its publish's outcome was unknown).")
	attrs := make(map[string]string, len(m.Attributes)+1)
	for k, v := range m.Attributes {
		attrs[k] = v
	}
	attrs[AttrPossibleRepeat] = "true"
	m.Attributes = attrs
	return m
}

// Closure returns the text of the message of kind (finding.MessageUpdate or
// finding.MessageResolved) about the alert a, which the closing finding c
// updated or resolved: what was exposed, for how long, who closed it and
// how, what is still open; the closing event's links. Its attributes are
// c's, with the alert's severity, status "resolved" (or "open" for an
// update) and alert_id, so that a filter policy routes it as the alert.
// Complete it with WithFormats.
func Closure(kind finding.MessageKind, c *finding.Finding, a *finding.Alert) Message {
	resolved := kind == finding.MessageResolved
	attrs := attributes(c)
	attrs[AttrStatus] = StatusOpen
	if resolved {
		attrs[AttrStatus] = StatusResolved
	}
	if id := oneLine(a.ID, maxAttrLen); id != "" {
		attrs[AttrAlertID] = id
	}
	if sev := oneLine(string(a.Severity), maxAttrLen); sev != "" {
		attrs[AttrSeverity] = sev
	}
	return Message{Subject: closureSubject(resolved, c, a), Body: closureBody(resolved, c, a), Attributes: attrs}
}

// closureSubject is "[RESOLVED] <what closed> closed after <how long>
// (<account> <region>)" or "[UPDATED] <what closed> closed, <n> still open
// (...)": what closed is the line, when one line closed and it fits, else
// "<resource>: <n> exposures" (or "<n> exposures" when they are about
// several resources).
func closureSubject(resolved bool, c *finding.Finding, a *finding.Alert) string {
	prefix, tail := "[UPDATED] ", fmt.Sprintf(" closed, %d still open", len(a.StillOpen)+a.MoreStillOpen)
	if resolved {
		prefix, tail = "[RESOLVED] ", " closed"
		if d, ok := exposedFor(a); ok {
			tail += " after " + d
		}
	}
	where := strings.TrimSpace(asciiLine(c.Account) + " " + asciiLine(c.Region))
	suffix := ""
	if where != "" {
		suffix = " (" + truncate(where, 36) + ")"
	}
	room := MaxSubjectLen - len(prefix) - len(suffix) - len(tail)
	n := len(a.Closed) + a.MoreClosed
	what := asciiLine(fmt.Sprintf("%d exposures", n))
	switch {
	case n == 1 && len(a.Closed) == 1 && len(asciiLine(a.Closed[0])) <= room:
		what = asciiLine(a.Closed[0])
	case n > 0 && sameSubject(a.Closed):
		noun := "exposures"
		if n == 1 {
			noun = "exposure"
		}
		what = truncate(asciiLine(firstWord(a.Closed[0])), max(room-len(": 99 exposures"), 8)) + fmt.Sprintf(": %d %s", n, noun)
	case n == 0:
		what = "exposure"
	}
	return SanitizeSubject(prefix + truncate(what, max(room, 8)) + tail + suffix)
}

// sameSubject reports whether every line is about one resource (starts
// with the same word).
func sameSubject(lines []string) bool {
	for _, l := range lines {
		if firstWord(l) != firstWord(lines[0]) {
			return false
		}
	}
	return len(lines) > 0
}

func firstWord(s string) string {
	w, _, _ := strings.Cut(s, " ")
	return w
}

func closureBody(resolved bool, c *finding.Finding, a *finding.Alert) string {
	w := &writer{}
	if resolved {
		w.line("Resolved: the exposure alert " + oneLine(a.ID, 64) + " reported is gone.")
	} else {
		w.line("Updated: part of the exposure alert " + oneLine(a.ID, 64) + " reported is gone; the rest is still open.")
	}
	w.section("Alert")
	w.field("  ", "Alert ID", a.ID)
	w.field("  ", "Status", string(a.Status))
	w.field("  ", "Severity", strings.ToUpper(string(a.Severity)))
	w.field("  ", "Opened", by(a.FirstSeen, a.OpenedBy, a.OpenedByEvent))
	if resolved && a.ResolvedAt != nil {
		w.field("  ", "Resolved", by(*a.ResolvedAt, a.ClosedBy, a.ClosedByEvent))
	}
	if d, ok := exposedFor(a); ok && resolved {
		w.field("  ", "Exposed for", d)
	}
	w.field("  ", "Reported by", events(a.Events, a.Repeats))
	w.field("  ", "Opening message", a.OpeningMessageID)
	w.field("  ", "Digest", a.DigestID)

	lines(w, "What was exposed", a.Exposure, a.MoreExposure)
	lines(w, "Closed by this event", a.Closed, a.MoreClosed)
	if !resolved {
		lines(w, "Still open", a.StillOpen, a.MoreStillOpen)
	}

	w.section("The closing event")
	w.field("  ", "Event", eventLabel(c))
	if !c.Time.IsZero() {
		w.field("  ", "Time", stamp(c.Time))
	}
	w.field("  ", "Event ID", c.EventID)
	w.field("  ", "By", c.Actor.Name())
	w.field("  ", "Source IP", c.Actor.SourceIP)
	w.field("  ", "Summary", c.Summary)
	w.field("  ", "Account", c.Account)
	w.field("  ", "Region", c.Region)

	w.section("Links")
	for _, l := range links(c) {
		w.line("  " + l.Label + ": " + l.URL)
	}
	if a.OpenedByEvent != "" {
		w.line("  Opening CloudTrail event: " + eventURL(console{region: c.Region}, a.OpenedByEvent))
	}
	return boundBody(w.String())
}

// lines writes a titled list of exposure lines, with how many were left
// out.
func lines(w *writer, title string, ls []string, more int) {
	if len(ls) == 0 && more == 0 {
		return
	}
	w.section(title)
	for _, l := range ls {
		w.line("  - " + oneLine(l, maxValueLen))
	}
	if more > 0 {
		w.line(fmt.Sprintf("  ... and %d more", more))
	}
}

// exposedFor is how long the alert's exposure lasted, when known.
func exposedFor(a *finding.Alert) (string, bool) {
	if a.ResolvedAt == nil || a.FirstSeen.IsZero() || a.ResolvedAt.Before(a.FirstSeen) {
		return "", false
	}
	return a.ResolvedAt.Sub(a.FirstSeen).Truncate(time.Second).String(), true
}

func by(t time.Time, actor, eventID string) string {
	s := stamp(t)
	if actor != "" {
		s += " by " + actor
	}
	if eventID != "" {
		s += " (event " + eventID + ")"
	}
	return s
}

func events(n, repeats int) string {
	s := fmt.Sprintf("%d CloudTrail event", n)
	if n != 1 {
		s += "s"
	}
	if repeats > 0 {
		s += fmt.Sprintf(", %d of them counted while open, not sent again", repeats)
	}
	return s
}

func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("2006-01-02 15:04:05 UTC")
}

// appendSection adds section to body, within MaxBodyBytes.
func appendSection(body, section string) string {
	return boundBody(strings.TrimSuffix(body, truncatedMark) + section)
}
