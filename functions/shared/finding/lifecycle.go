package finding

import "time"

// The types below are the contract between dedupe, which keeps each alert's
// lifecycle in its table, and notify, which tells people and machines about
// it. Fields are only ever added.

// AlertStatus is where an alert is in its life.
type AlertStatus string

// Alert statuses.
const (
	// AlertPending: claimed by an execution that is sending it now.
	AlertPending AlertStatus = "pending"
	// AlertOpen: SNS accepted the alert and the exposure stands.
	AlertOpen AlertStatus = "open"
	// AlertResolved: the live state confirmed the exposure is gone. The
	// same exposure coming back is a new alert, with a new ID.
	AlertResolved AlertStatus = "resolved"
	// AlertUncertain: a publish of the alert may have gone through, but
	// its outcome is unknown (notify timed out or crashed after it
	// started). The claim is kept, not released: the next claim resends it
	// once, marked as a possible repeat.
	AlertUncertain AlertStatus = "uncertain"
)

// MessageKind is what a notification is about.
type MessageKind string

// Message kinds.
const (
	// MessageAlert opens an alert.
	MessageAlert MessageKind = "alert"
	// MessageUpdate says part of an open alert's exposure closed and what
	// is still open (a partial close).
	MessageUpdate MessageKind = "update"
	// MessageResolved closes an alert: its exposure is gone.
	MessageResolved MessageKind = "resolved"
	// MessageDigest stands for the alerts held back during a storm.
	MessageDigest MessageKind = "digest"
)

// Alert is one alert's lifecycle, as dedupe records it and as messages
// about it report it.
type Alert struct {
	// ID names the alert for its whole life (opening alert, updates,
	// resolved message): messages about one alert carry the same ID.
	ID string `json:"id"`
	// Key is the alert key (AlertKey) the alert is stored under.
	Key    string      `json:"key"`
	Status AlertStatus `json:"status"`
	// FirstSeen and LastSeen are the times of the first and latest events
	// that reported the exposure.
	FirstSeen time.Time `json:"firstSeen"`
	LastSeen  time.Time `json:"lastSeen"`
	// ResolvedAt is when the exposure was found gone.
	ResolvedAt *time.Time `json:"resolvedAt,omitempty"`
	// Events is how many distinct CloudTrail events reported the exposure
	// (an event id counts once, however often it was delivered).
	Events int `json:"events"`
	// Repeats is how many of those came while the alert was open and were
	// counted instead of sent again.
	Repeats int `json:"repeats"`
	// OpenedBy and ClosedBy are the actors (Actor.Name) of the opening and
	// of the closing event; OpenedByEvent and ClosedByEvent their event ids.
	OpenedBy      string `json:"openedBy,omitempty"`
	OpenedByEvent string `json:"openedByEvent,omitempty"`
	ClosedBy      string `json:"closedBy,omitempty"`
	ClosedByEvent string `json:"closedByEvent,omitempty"`
	// OpeningMessageID is the SNS message id of the opening alert.
	OpeningMessageID string `json:"openingMessageId,omitempty"`
	// Severity is the opening alert's.
	Severity Severity `json:"severity,omitempty"`
	// Exposure says, one line per exposed thing, what the alert reported
	// open ("sg-1 allows tcp/22 from 0.0.0.0/0").
	Exposure []string `json:"exposure,omitempty"`
	// Closed are the lines of Exposure the event being reported closed;
	// StillOpen those that stand (empty once resolved).
	Closed    []string `json:"closed,omitempty"`
	StillOpen []string `json:"stillOpen,omitempty"`
	// MoreExposure, MoreClosed and MoreStillOpen count the lines left out
	// of Exposure, Closed and StillOpen to keep a message bounded (0: the
	// list is whole).
	MoreExposure  int `json:"moreExposure,omitempty"`
	MoreClosed    int `json:"moreClosed,omitempty"`
	MoreStillOpen int `json:"moreStillOpen,omitempty"`
	// DigestID names the digest that reports the alert's latest message
	// when that message was held back in a storm instead of sent.
	DigestID string `json:"digestId,omitempty"`
	// PossibleRepeat is true when an earlier publish of this alert may have
	// gone through (its outcome was unknown): the message may be a second
	// copy, and says so.
	PossibleRepeat bool `json:"possibleRepeat,omitempty"`
}

// Digest stands for the alerts held back in one storm: more alerts than
// the threshold from one account, actor and event name within one period.
type Digest struct {
	// ID names the digest (account, actor, event name and period).
	ID          string    `json:"id"`
	Account     string    `json:"account"`
	Actor       string    `json:"actor"`
	EventName   string    `json:"eventName"`
	PeriodStart time.Time `json:"periodStart"`
	PeriodEnd   time.Time `json:"periodEnd"`
	// Threshold is how many alerts of the period were sent at once.
	Threshold int `json:"threshold"`
	// Held are the alerts held back, in the order they arrived.
	Held []DigestEntry `json:"held"`
	// MoreHeld counts held alerts left out of Held to keep the digest
	// bounded; Held then lists the first ones.
	MoreHeld int `json:"moreHeld,omitempty"`
	// Sent are the alerts of the period that went out at once (at most
	// Threshold), so that the digest stands for the whole storm.
	Sent []DigestEntry `json:"sent,omitempty"`
	// Repeats counts events of open alerts in the period that were not
	// sent again, by alert ID.
	Repeats map[string]int `json:"repeats,omitempty"`
}

// DigestEntry is one alert held for a digest.
type DigestEntry struct {
	// Kind is the message the entry stands for: an alert opened (empty or
	// MessageAlert), updated or resolved during the storm.
	Kind     MessageKind `json:"kind,omitempty"`
	AlertID  string      `json:"alertId"`
	Key      string      `json:"key"`
	EventID  string      `json:"eventId"`
	Time     time.Time   `json:"time"`
	Severity Severity    `json:"severity"`
	Region   string      `json:"region"`
	Summary  string      `json:"summary"`
	// Resources are the finding's resources, type and id only.
	Resources []Resource `json:"resources"`
}

// NotifyRequest is notify's input: what to tell, about what.
//
//   - MessageAlert (or Kind empty): Finding, and Alert once dedupe keeps
//     lifecycles;
//   - MessageUpdate, MessageResolved: Finding (the closing event) and
//     Alert (the alert it updated or resolved);
//   - MessageDigest: Digest.
type NotifyRequest struct {
	Kind        MessageKind `json:"kind,omitempty"`
	Finding     *Finding    `json:"finding,omitempty"`
	Alert       *Alert      `json:"alert,omitempty"`
	Digest      *Digest     `json:"digest,omitempty"`
	ExecutionID string      `json:"executionId,omitempty"`
	// PossibleRepeat asks for the message to be marked as a possible
	// repeat: the state machine's resend of an update, resolution or
	// digest whose first publish's outcome was unknown (an alert's resend
	// is marked by its Alert.PossibleRepeat).
	PossibleRepeat bool `json:"possibleRepeat,omitempty"`
}

// Repeat reports whether the message req asks for may be a second copy.
func (r NotifyRequest) Repeat() bool {
	return r.PossibleRepeat || r.Alert != nil && r.Alert.PossibleRepeat
}
