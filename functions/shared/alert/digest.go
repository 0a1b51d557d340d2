package alert

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// MaxDigestEntries is how many held alerts the email of a digest lists;
// the JSON rendering lists them all.
const MaxDigestEntries = 20

// Digest returns the text of the message of d, a storm's digest (complete
// it with WithFormats): how many alerts went out at once and how many were
// held, their severities and kinds, the first MaxDigestEntries held ones,
// the repeats counted, and where to find the storm's events in CloudTrail.
// Its attributes are status "digest", the storm's account and event name,
// the highest severity of the storm, and opens_exposure true when it holds
// opened alerts.
func Digest(d *finding.Digest) Message {
	entries := slices.Concat(d.Sent, d.Held)
	held := len(d.Held) + d.MoreHeld
	sev := digestSeverity(d)
	opens := slices.ContainsFunc(entries, func(e finding.DigestEntry) bool { return e.Kind == "" || e.Kind == finding.MessageAlert })
	attrs := map[string]string{AttrStatus: StatusDigest, AttrOpensExposure: strconv.FormatBool(opens)}
	for k, v := range map[string]string{AttrAccount: d.Account, AttrEventName: d.EventName, AttrSeverity: string(sev)} {
		if v = oneLine(v, maxAttrLen); v != "" {
			attrs[k] = v
		}
	}
	return Message{Subject: digestSubject(d, held, sev), Body: digestBody(d, held), Attributes: attrs}
}

// digestSubject is "[DIGEST] <n> <event> alerts held from <actor>
// (<account>)".
func digestSubject(d *finding.Digest, held int, sev finding.Severity) string {
	prefix := "[DIGEST] "
	if sev.Rank() > 0 {
		prefix = "[DIGEST " + strings.ToUpper(string(sev)) + "] "
	}
	what := fmt.Sprintf("%d %s messages held from %s", held, asciiLine(d.EventName), actorShort(d.Actor))
	suffix := ""
	if a := asciiLine(d.Account); a != "" {
		suffix = " (" + truncate(a, 36) + ")"
	}
	return SanitizeSubject(prefix + truncate(asciiLine(what), MaxSubjectLen-len(prefix)-len(suffix)) + suffix)
}

func digestBody(d *finding.Digest, held int) string {
	w := &writer{}
	total := len(d.Sent) + held
	w.line(oneLine(fmt.Sprintf("Storm: %d messages from one actor, account and event within one period: the first %d went out at once, %d were held for this digest.",
		total, len(d.Sent), held), maxSummaryLen))
	w.section("Storm")
	w.field("  ", "Digest ID", d.ID)
	w.field("  ", "Account", d.Account)
	w.field("  ", "Actor", d.Actor)
	w.field("  ", "Event", d.EventName)
	if !d.PeriodStart.IsZero() {
		w.field("  ", "Period", stamp(d.PeriodStart)+" to "+stamp(d.PeriodEnd))
	}
	w.field("  ", "Sent at once", fmt.Sprintf("%d (threshold %d)", len(d.Sent), d.Threshold))
	w.field("  ", "Held", fmt.Sprint(held))
	w.field("  ", "Severities", tally(slices.Concat(d.Sent, d.Held), func(e finding.DigestEntry) string { return string(cmp.Or(e.Severity, "unrated")) }))
	w.field("  ", "Messages", tally(slices.Concat(d.Sent, d.Held), func(e finding.DigestEntry) string { return kindName(e.Kind) }))

	w.section(fmt.Sprintf("Held (the first %d of %d; the JSON rendering lists them all)", min(MaxDigestEntries, len(d.Held)), held))
	for i, e := range d.Held {
		if i == MaxDigestEntries {
			break
		}
		w.line("  - " + entryLine(e))
	}
	if more := held - min(MaxDigestEntries, len(d.Held)); more > 0 {
		w.line(fmt.Sprintf("  ... and %d more", more))
	}
	if len(d.Sent) > 0 {
		w.section("Sent at once")
		for _, e := range d.Sent {
			w.line("  - " + entryLine(e))
		}
	}
	if len(d.Repeats) > 0 {
		w.section("Counted while open, not sent again")
		for _, id := range slices.Sorted(maps.Keys(d.Repeats)) {
			w.line(fmt.Sprintf("  - alert %s: %d more events", oneLine(id, 64), d.Repeats[id]))
		}
	}
	w.section("Links")
	for _, l := range digestLinks(d) {
		w.line("  " + l.Label + ": " + l.URL)
	}
	return boundBody(w.String())
}

// entryLine is one entry: "[HIGH] alert <id> i-1, sg-2 (us-east-1) 2025-...: <summary>".
func entryLine(e finding.DigestEntry) string {
	var ids []string
	for _, r := range e.Resources {
		ids = append(ids, r.ID)
	}
	s := "[" + strings.ToUpper(string(cmp.Or(e.Severity, "unrated"))) + "]"
	if e.Kind != "" && e.Kind != finding.MessageAlert {
		s += " " + kindName(e.Kind)
	}
	s += " alert " + cmp.Or(e.AlertID, "?")
	if len(ids) > 0 {
		s += " " + strings.Join(ids, ", ")
	}
	if e.Region != "" {
		s += " (" + e.Region + ")"
	}
	if !e.Time.IsZero() {
		s += " " + stamp(e.Time)
	}
	if e.Summary != "" {
		s += ": " + e.Summary
	}
	return oneLine(s, maxValueLen)
}

func kindName(k finding.MessageKind) string {
	switch k {
	case finding.MessageResolved:
		return "resolved"
	case finding.MessageUpdate:
		return "updated"
	}
	return "opened"
}

// tally counts entries by what key says, most first: "high 150, medium 40".
func tally(entries []finding.DigestEntry, key func(finding.DigestEntry) string) string {
	counts := map[string]int{}
	for _, e := range entries {
		counts[key(e)]++
	}
	names := slices.SortedFunc(maps.Keys(counts), func(a, b string) int { return cmp.Or(counts[b]-counts[a], strings.Compare(a, b)) })
	parts := make([]string, len(names))
	for i, n := range names {
		parts[i] = fmt.Sprintf("%s %d", n, counts[n])
	}
	return strings.Join(parts, ", ")
}

// region is the region of the digest's first entry, for its links.
func region(d *finding.Digest) string {
	for _, e := range slices.Concat(d.Sent, d.Held) {
		if e.Region != "" {
			return e.Region
		}
	}
	return ""
}

// actorShort names an actor by the last part of its ARN.
func actorShort(actor string) string {
	if i := strings.LastIndexAny(actor, "/:"); i >= 0 && i < len(actor)-1 {
		return actor[i+1:]
	}
	return cmp.Or(actor, "an unknown actor")
}

// digestSeverity is the highest severity of the storm's entries, sent
// and held.
func digestSeverity(d *finding.Digest) finding.Severity {
	sev := finding.SeverityNone
	for _, e := range slices.Concat(d.Sent, d.Held) {
		sev = sev.Max(e.Severity)
	}
	return sev
}

// digestLinks are the console links of a digest: the CloudTrail event
// history of the region of its first entry, with what to look up there to
// see the storm's events (see eventHistoryURL).
func digestLinks(d *finding.Digest) []Link {
	label := "CloudTrail event history (look up Event name " + oneLine(d.EventName, maxValueLen) + ", then the actor above)"
	return []Link{{Label: label, URL: eventHistoryURL(console{region: region(d)})}}
}
