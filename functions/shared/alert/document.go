package alert

import (
	"cmp"
	"strings"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// DocumentSchema names the JSON document machine subscribers (SQS, HTTPS,
// Lambda) receive, and its version: the value of the document's "schema"
// member. The schema is schema/message.v1.json (JSON Schema 2020-12),
// which every rendered document is tested against, and the README's
// "Messages" section describes it. Members are only ever added within a
// version; renaming, removing or retyping one is a new version.
const DocumentSchema = "urn:trailwatch:message:1"

// document is the machine rendering of a message.
type document struct {
	Schema string              `json:"schema"`
	Kind   finding.MessageKind `json:"kind"`
	// ID names the alert for its whole life (the lifecycle's alert id, or
	// the alert key before dedupe keeps lifecycles), or the digest.
	ID       string           `json:"id"`
	Severity finding.Severity `json:"severity"`
	Subject  string           `json:"subject"`
	// Text is the e-mail body.
	Text  string `json:"text"`
	Links []Link `json:"links"`
	// Finding is the event the message is about (alert, update,
	// resolved), as the pipeline's Finding contract encodes it.
	Finding *finding.Finding `json:"finding,omitempty"`
	// Alert is the alert's lifecycle, once dedupe keeps it.
	Alert *finding.Alert `json:"alert,omitempty"`
	// Digest stands for the alerts held back in a storm.
	Digest      *digestDocument `json:"digest,omitempty"`
	ExecutionID string          `json:"executionId,omitempty"`
	// PossibleRepeat is true when the message may be a second copy (an
	// earlier publish's outcome was unknown).
	PossibleRepeat bool `json:"possibleRepeat,omitempty"`
	// Truncated is true when the document was cut to fit SNS's message
	// quota: the finding's longest lists, the digest's last held alerts,
	// the text, or the finding down to its identity.
	Truncated bool `json:"truncated"`
}

// digestDocument is a digest (finding.Digest) with its entries written
// compactly, so that a storm's hundreds fit, and the number of alerts it
// holds, which stays right when the digest (MoreHeld) or the document had
// to leave some of them out.
type digestDocument struct {
	finding.Digest
	// Held and Sent stand for Digest.Held and Digest.Sent, which they
	// shadow in the JSON.
	Held      []digestEntry `json:"held"`
	Sent      []digestEntry `json:"sent"`
	HeldCount int           `json:"heldCount"`
}

// digestEntry is a finding.DigestEntry, written compactly: its kind
// always set (alert for an opened alert), without its alert key (the
// alert id names it), its resources as "type:id", and its summary without
// the digest's actor (every entry is that actor's) and cut to
// maxEntrySummary characters.
type digestEntry struct {
	Kind      finding.MessageKind `json:"kind"`
	AlertID   string              `json:"alertId"`
	EventID   string              `json:"eventId"`
	Time      time.Time           `json:"time"`
	Severity  finding.Severity    `json:"severity"`
	Region    string              `json:"region"`
	Summary   string              `json:"summary"`
	Resources []string            `json:"resources"`
}

// maxEntrySummary bounds the summary of an entry in a digest document.
const maxEntrySummary = 200

func newDigestDocument(d *finding.Digest) *digestDocument {
	out := &digestDocument{Digest: *d, Held: digestEntries(d, d.Held), Sent: digestEntries(d, d.Sent), HeldCount: len(d.Held) + d.MoreHeld}
	out.Digest.Held, out.Digest.Sent = nil, nil
	return out
}

// digestEntries writes the entries of d compactly.
func digestEntries(d *finding.Digest, entries []finding.DigestEntry) []digestEntry {
	out := make([]digestEntry, 0, len(entries))
	for _, e := range entries {
		summary := e.Summary
		if d.Actor != "" {
			summary = strings.TrimPrefix(summary, d.Actor+" ")
		}
		h := digestEntry{Kind: cmp.Or(e.Kind, finding.MessageAlert), AlertID: e.AlertID, EventID: e.EventID, Time: e.Time, Severity: e.Severity,
			Region: e.Region, Summary: oneLine(summary, maxEntrySummary), Resources: make([]string, 0, len(e.Resources))}
		for _, r := range e.Resources {
			h.Resources = append(h.Resources, string(r.Type)+":"+r.ID)
		}
		out = append(out, h)
	}
	return out
}

// newDocument is the full document of req, whose text m is.
func newDocument(req finding.NotifyRequest, m Message, id string) *document {
	d := &document{
		Schema:      DocumentSchema,
		Kind:        kindOf(req),
		ID:          id,
		Severity:    documentSeverity(req),
		Subject:     m.Subject,
		Text:        m.Body,
		Links:       []Link{},
		Finding:     req.Finding,
		Alert:       req.Alert,
		ExecutionID: req.ExecutionID,

		PossibleRepeat: req.Repeat(),
	}
	if req.Finding != nil {
		d.Links = links(req.Finding)
	}
	if req.Digest != nil {
		d.Digest = newDigestDocument(req.Digest)
		d.Links = digestLinks(req.Digest)
	}
	return d
}

// renderDocument returns the document of req encoded in at most budget
// bytes as it travels in SNS's structured message (JSON-encoded inside
// it). What does not fit is cut, in turn: the finding (as finding.Fit
// cuts it, to smaller and smaller sizes), a digest's held alerts from the
// end (as many kept as fit without the text), the text, the alert's
// exposure lines, the links, and last the finding down to its identity.
func renderDocument(req finding.NotifyRequest, m Message, id string, budget int) []byte {
	d := newDocument(req, m, id)
	fits := func() ([]byte, bool) {
		b := marshal(d)
		return b, jsonLen(string(b)) <= budget
	}
	if b, ok := fits(); ok {
		return b
	}
	d.Truncated = true
	if req.Finding != nil {
		for size := budget / 2; size >= 1<<10; size /= 2 {
			d.Finding = finding.Fit(req.Finding, size)
			if b, ok := fits(); ok {
				return b
			}
		}
	}
	cutText := func() {
		text := []rune(d.Text)
		n := longestPrefix(len(text), func(n int) bool {
			d.Text = string(text[:n])
			_, ok := fits()
			return ok
		})
		d.Text = string(text[:n])
	}
	if d.Digest != nil {
		// A digest's machines want its held alerts more than its e-mail.
		d.Text = ""
		held := d.Digest.Held
		n := longestPrefix(len(held), func(n int) bool {
			d.Digest.Held = held[:n]
			_, ok := fits()
			return ok
		})
		d.Digest.Held = held[:n]
		d.Text = m.Body
	}
	cutText()
	if b, ok := fits(); ok {
		return b
	}
	if d.Alert != nil {
		a := *d.Alert
		a.Exposure, a.Closed, a.StillOpen = firstLines(a.Exposure), firstLines(a.Closed), firstLines(a.StillOpen)
		d.Alert = &a
	}
	d.Links = []Link{}
	if b, ok := fits(); ok {
		return b
	}
	if req.Finding != nil {
		d.Finding = identity(req.Finding)
	}
	b, _ := fits()
	return b
}

// longestPrefix returns the largest n in [0, max] for which ok(n) holds,
// given that ok holds for every n below one for which it holds.
func longestPrefix(max int, ok func(n int) bool) int {
	lo, hi := 0, max
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if ok(mid) {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// firstLines keeps the first few of an alert's exposure lines, each cut.
func firstLines(lines []string) []string {
	const keep = 10
	var out []string
	for i, l := range lines {
		if i == keep {
			break
		}
		out = append(out, oneLine(l, maxValueLen))
	}
	return out
}

// identity is what identifies f, each value cut: the event, where and when,
// what it did, the severity and its first resources.
func identity(f *finding.Finding) *finding.Finding {
	id := &finding.Finding{
		EventID:        oneLine(f.EventID, maxValueLen),
		EventName:      oneLine(f.EventName, maxValueLen),
		EventSource:    oneLine(f.EventSource, maxValueLen),
		Account:        oneLine(f.Account, maxValueLen),
		Region:         oneLine(f.Region, maxValueLen),
		Time:           f.Time,
		Actor:          finding.Actor{Type: oneLine(f.Actor.Type, maxValueLen), ARN: oneLine(f.Actor.ARN, maxValueLen)},
		Resources:      []finding.Resource{},
		ErrorCode:      oneLine(f.ErrorCode, maxValueLen),
		Category:       finding.Category(oneLine(string(f.Category), maxValueLen)),
		Severity:       finding.Severity(oneLine(string(f.Severity), maxValueLen)),
		OpensExposure:  f.OpensExposure,
		ClosesExposure: f.ClosesExposure,
		Summary:        oneLine(f.Summary, maxSummaryLen),
		Enriched:       f.Enriched,
	}
	for i, r := range f.Resources {
		if i == maxResources {
			break
		}
		id.Resources = append(id.Resources, finding.Resource{Type: finding.ResourceType(oneLine(string(r.Type), maxValueLen)), ID: oneLine(r.ID, maxValueLen)})
	}
	return id
}
