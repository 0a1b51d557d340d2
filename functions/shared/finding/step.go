package finding

import (
	"bytes"
	"encoding/json"
	"time"
)

// The payloads below are what the state machine passes to each function.
// statemachine/pipeline.asl.json builds them; executionId is
// $$.Execution.Id so every log line can be tied to its execution.

// ParseRequest is parse's input. An input without an "event" member is taken
// as the event itself, so a function can be invoked directly with a raw
// EventBridge event or CloudTrail record.
type ParseRequest struct {
	Event       json.RawMessage `json:"event"`
	ExecutionID string          `json:"executionId,omitempty"`
}

// StepRequest is the input of enrich and notify.
type StepRequest struct {
	Finding     *Finding `json:"finding"`
	ExecutionID string   `json:"executionId,omitempty"`
}

// DedupeAction says what dedupe does with a finding's alert.
type DedupeAction string

// Dedupe actions.
const (
	// ActionClaim records that this event is about to be notified, unless
	// the same alert was already sent (or is being sent) within its window.
	ActionClaim DedupeAction = "claim"
	// ActionConfirm marks a claimed alert as sent, once SNS accepted it.
	ActionConfirm DedupeAction = "confirm"
	// ActionRelease gives a claim back after notify failed, so a retry of
	// the same event notifies.
	ActionRelease DedupeAction = "release"
	// ActionDigests lists the digests whose storm period is (about to be)
	// over, for the digest schedule.
	ActionDigests DedupeAction = "digests"
	// ActionDigest claims one digest (DedupeRequest.DigestID) for sending
	// and returns it built.
	ActionDigest DedupeAction = "digest"
	// ActionUncertain marks a claimed alert whose publish may have gone
	// through (notify timed out or crashed after it started): not released,
	// so that it is resent at most once, marked as a possible repeat.
	ActionUncertain DedupeAction = "uncertain"
	// ActionHeartbeat records a heartbeat finding's time for its account
	// and region.
	ActionHeartbeat DedupeAction = "heartbeat"
)

// DedupeOutcome says what the state machine does after a claim.
type DedupeOutcome string

// Dedupe outcomes.
const (
	// OutcomeAlert: send the alert (DedupeResult.Alert), then confirm it.
	OutcomeAlert DedupeOutcome = "alert"
	// OutcomeDuplicate: the alert is open (or being sent) within its
	// window, or the event was already counted; nothing is sent.
	OutcomeDuplicate DedupeOutcome = "duplicate"
	// OutcomeAllowed: a suppression rule (DedupeResult.Rule) matched.
	OutcomeAllowed DedupeOutcome = "allowed"
	// OutcomeHeld: a storm: the alert is open, held for its digest.
	OutcomeHeld DedupeOutcome = "held"
	// OutcomeClosed: a closing event updated or resolved open alerts; the
	// messages to send are DedupeResult.Messages (those of a storm are
	// held for its digest instead).
	OutcomeClosed DedupeOutcome = "closed"
	// OutcomeNothing: a closing event that changed no open alert.
	OutcomeNothing DedupeOutcome = "nothing"
	// OutcomeDigest: a digest to send (DedupeResult.Digest).
	OutcomeDigest DedupeOutcome = "digest"
	// OutcomeResend: ActionUncertain marked the claim uncertain: claim it
	// again, to resend the alert once, marked as a possible repeat.
	OutcomeResend DedupeOutcome = "resend"
	// OutcomeSettled: ActionUncertain found the alert's resend uncertain
	// too (or the claim no longer this event's): it is taken as sent, never
	// sent again.
	OutcomeSettled DedupeOutcome = "settled"
	// OutcomeHeartbeat: ActionHeartbeat recorded the heartbeat (or a newer
	// one was already recorded).
	OutcomeHeartbeat DedupeOutcome = "heartbeat"
)

// DedupeRequest is dedupe's input.
type DedupeRequest struct {
	Action  DedupeAction `json:"action"`
	Finding *Finding     `json:"finding"`
	// Key is the alert key the claim returned (DedupeResult.Key). Confirm
	// and release act on it and need it (see IsAlertKey); a claim computes
	// the key from Finding and ignores Key.
	Key         string `json:"key,omitempty"`
	ExecutionID string `json:"executionId,omitempty"`
	// Kind says which message a confirm or release is about: the opening
	// alert (empty or MessageAlert), an update or resolution of the alert
	// under Key (the closing event is Finding), or a digest (DigestID).
	Kind MessageKind `json:"kind,omitempty"`
	// MessageID is the SNS message id a confirm records.
	MessageID string `json:"messageId,omitempty"`
	// DigestID names the digest of ActionDigest and of a digest's confirm
	// or release; those actions need no Finding.
	DigestID string `json:"digestId,omitempty"`
}

// DedupeResult is dedupe's output.
type DedupeResult struct {
	// Key is the alert key (see AlertKey).
	Key string `json:"key"`
	// Duplicate is true when the claim was refused: this alert was already
	// sent, or is being sent, within its window. Only set by ActionClaim.
	Duplicate bool `json:"duplicate"`
	// WindowEnds is when the alert may be sent again (RFC 3339): the new
	// window of a granted claim, or the live window that made it a duplicate.
	WindowEnds string `json:"windowEnds"`
	// Outcome says what follows a claim (empty for other actions but
	// ActionDigest). The members below are always present (null when
	// unset), so that the state machine can select them.
	Outcome DedupeOutcome `json:"outcome"`
	// Alert is the alert to send (OutcomeAlert) or held (OutcomeHeld).
	Alert *Alert `json:"alert"`
	// Messages are the updates and resolutions to send (OutcomeClosed);
	// Resolved and Updated count the alerts the closing event resolved and
	// updated, held messages included.
	Messages []LifecycleMessage `json:"messages"`
	Resolved int                `json:"resolved"`
	Updated  int                `json:"updated"`
	// Rule is the suppression rule that matched (OutcomeAllowed).
	Rule *AllowedBy `json:"rule"`
	// Digests are the ids of the digests due (ActionDigests).
	Digests []string `json:"digests"`
	// Digest is the digest claimed for sending (ActionDigest,
	// OutcomeDigest).
	Digest *Digest `json:"digest"`
}

// LifecycleMessage is an update or resolution to send about one alert.
type LifecycleMessage struct {
	Kind  MessageKind `json:"kind"`
	Alert Alert       `json:"alert"`
}

// AllowedBy names the suppression rule a finding matched.
type AllowedBy struct {
	ID      string     `json:"id"`
	Reason  string     `json:"reason"`
	Expires *time.Time `json:"expires,omitempty"`
}

// NotifyResult is notify's output.
type NotifyResult struct {
	MessageID string `json:"messageId"`
	Subject   string `json:"subject"`
}

// UnmarshalJSON takes an object with an "event" member as a ParseRequest and
// anything else as the event itself. It never fails: Parse reports what is
// wrong with the event.
func (r *ParseRequest) UnmarshalJSON(b []byte) error {
	var probe struct {
		Event       json.RawMessage `json:"event"`
		ExecutionID string          `json:"executionId"`
	}
	if err := json.Unmarshal(b, &probe); err == nil && len(probe.Event) > 0 {
		r.Event, r.ExecutionID = probe.Event, probe.ExecutionID
		return nil
	}
	r.Event, r.ExecutionID = bytes.Clone(b), ""
	return nil
}
