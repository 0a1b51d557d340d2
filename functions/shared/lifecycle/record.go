package lifecycle

import (
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// ClaimReason says why an opening claim was granted.
type ClaimReason string

// Claim reasons.
const (
	// ReasonNew: no record under the key.
	ReasonNew ClaimReason = "new"
	// ReasonReopen: the exposure came back after it was resolved: a new
	// alert, with a new id, sent at once whatever the window or a storm.
	ReasonReopen ClaimReason = "reopen"
	// ReasonReminder: the alert is still open but its window ended: the
	// same alert (same id) is sent again.
	ReasonReminder ClaimReason = "reminder"
	// ReasonTakeover: another claim was never confirmed nor released and
	// its lease ended.
	ReasonTakeover ClaimReason = "takeover"
	// ReasonResend: a publish of the alert may have gone through (the
	// record is uncertain): it is sent once more, marked as a possible
	// repeat.
	ReasonResend ClaimReason = "resend"
)

// Record is an alert's lifecycle as the store keeps it under its key.
type Record struct {
	Key string
	// Exists is false when the store has no record under Key; the other
	// fields are then zero.
	Exists bool
	// Version counts the record's writes. Legacy is true for a record
	// written before lifecycles (no version; status "sent" reads as open).
	Version int64
	Legacy  bool

	ID     string
	Status finding.AlertStatus
	// Claim is why the latest opening claim was granted.
	Claim ClaimReason
	// EventID and ExecutionID hold (or last held) the opening claim; a
	// pending claim lapses at LeaseEnds. WindowEnds ends the window in
	// which reports of the open alert are counted, not sent.
	EventID     string
	ExecutionID string
	LeaseEnds   time.Time
	WindowEnds  time.Time
	// Attempt is the intake queue's receive count of the event's message
	// when the holder claimed (finding.Finding.Attempt): a later receive of
	// the same event's message takes the pending claim over at once, the
	// earlier try having failed.
	Attempt int
	// Uncertain counts the publishes of the alert whose outcome was unknown
	// (at most 2: the first, and its one resend).
	Uncertain int

	FirstSeen, LastSeen time.Time
	// Events counts distinct events that reported the exposure; Repeats
	// those of them counted while it was open instead of sent.
	Events, Repeats int

	OpenedBy, OpenedByEvent string
	ClosedBy, ClosedByEvent string
	ResolvedAt              time.Time
	OpeningMessageID        string
	// ClaimedAt is when the latest opening claim was granted, SentAt when
	// SNS accepted its alert.
	ClaimedAt, SentAt time.Time

	Severity                            finding.Severity
	Account, Region, EventName, Summary string
	// Resources are the opening finding's resources, type and id only.
	Resources []finding.Resource

	// Exposure is what the alert reported open; Open what still is.
	Exposure, Open []Line
	// Indexed are the resources (Refs) the store's resource index lists
	// the alert under, so that a closing event about them finds it.
	Indexed []string
	// DigestID names the digest the latest message was held for.
	DigestID string
	// Message is the latest update or resolution.
	Message *Message
	// Expires is when the store may forget the record (TTL: lazy).
	Expires time.Time
}

// Message is an update or a resolution of an alert.
type Message struct {
	Kind                 finding.MessageKind
	EventID, ExecutionID string
	// Pending is true from the transition until notify's answer confirms
	// or releases it; LeaseEnds bounds it like an opening claim's.
	Pending   bool
	LeaseEnds time.Time
	// PrevOpen are the open lines before the transition: what it closed is
	// PrevOpen minus the record's Open, and a release restores them.
	PrevOpen []Line
	// MessageID is SNS's id, once confirmed.
	MessageID string
	// At is when the transition happened.
	At time.Time
}

// MaxMessageLines bounds each list of lines in an Alert (Exposure,
// Closed, StillOpen); the More* fields count what is left out.
const MaxMessageLines = 10

// pendingMessage reports whether r has a message being sent, by whom, and
// whether its lease is still running at now.
func (r Record) pendingMessage(now time.Time) (m *Message, live bool) {
	if r.Message == nil || !r.Message.Pending {
		return nil, false
	}
	return r.Message, now.Before(r.Message.LeaseEnds)
}

// Alert returns the record as messages report it.
func (r Record) Alert() finding.Alert {
	a := finding.Alert{
		ID: r.ID, Key: r.Key, Status: r.Status, FirstSeen: r.FirstSeen, LastSeen: r.LastSeen,
		Events: r.Events, Repeats: r.Repeats,
		OpenedBy: r.OpenedBy, OpenedByEvent: r.OpenedByEvent, ClosedBy: r.ClosedBy, ClosedByEvent: r.ClosedByEvent,
		OpeningMessageID: r.OpeningMessageID, Severity: r.Severity, DigestID: r.DigestID,
		PossibleRepeat: r.Status == finding.AlertPending && r.Claim == ReasonResend,
	}
	if r.Status == finding.AlertResolved && !r.ResolvedAt.IsZero() {
		t := r.ResolvedAt
		a.ResolvedAt = &t
	}
	a.Exposure, a.MoreExposure = bounded(Texts(r.Exposure))
	if r.Message != nil {
		a.Closed, a.MoreClosed = bounded(Texts(Minus(r.Message.PrevOpen, r.Open)))
	}
	if r.Status != finding.AlertResolved {
		a.StillOpen, a.MoreStillOpen = bounded(Texts(r.Open))
	}
	return a
}

func bounded(s []string) ([]string, int) {
	if len(s) > MaxMessageLines {
		return s[:MaxMessageLines], len(s) - MaxMessageLines
	}
	return s, 0
}

// Index returns the resources (Refs) an alert with these lines is listed
// under in the resource index: each line's resource and group, at most
// MaxIndexed, in order.
func Index(lines []Line) []string {
	var out []string
	seen := map[string]bool{}
	for _, l := range lines {
		for _, ref := range []string{l.Resource, l.Via} {
			if ref != "" && !seen[ref] && len(out) < MaxIndexed {
				seen[ref] = true
				out = append(out, ref)
			}
		}
	}
	return out
}

// MaxIndexed bounds the resources one alert is indexed under.
const MaxIndexed = 10
