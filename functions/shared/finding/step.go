package finding

import (
	"bytes"
	"encoding/json"
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
