package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/alert"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
)

// Publisher sends a rendered alert and returns the message id the
// destination gave it. An error that retrying cannot fix (the destination
// is gone, publishing is not allowed, its key is unusable) wraps a
// *Refusal.
type Publisher interface {
	Publish(ctx context.Context, m alert.Message) (messageID string, err error)
}

// Refusal is a destination's answer that retrying the same publish cannot
// change.
type Refusal struct {
	// Code is the destination's error code, e.g. "NotFound".
	Code string
	Err  error
}

func (r *Refusal) Error() string { return r.Err.Error() }
func (r *Refusal) Unwrap() error { return r.Err }

// PublishError is returned, unwrapped, when the alert could not be
// published. Its name is the errorType the state machine retries on; once
// the retries are spent the pipeline releases its dedupe claim.
type PublishError struct {
	EventID string
	Err     error
}

func (e *PublishError) Error() string {
	return fmt.Sprintf("publish alert for event %s: %v", e.EventID, e.Err)
}

func (e *PublishError) Unwrap() error { return e.Err }

// PublishRefusedError is returned, unwrapped, when the destination refused
// the alert for good (see Refusal). The state machine does not retry it:
// it releases the dedupe claim at once and fails the execution visibly.
type PublishRefusedError struct {
	EventID string
	Code    string
	Err     error
}

func (e *PublishRefusedError) Error() string {
	return fmt.Sprintf("publish alert for event %s refused (%s): %v", e.EventID, e.Code, e.Err)
}

func (e *PublishRefusedError) Unwrap() error { return e.Err }

// Handler is the notify function.
type Handler struct {
	publisher Publisher
	log       zerolog.Logger
}

// NewHandler returns a Handler that publishes with p and logs with log. It
// does no I/O.
func NewHandler(p Publisher, log zerolog.Logger) *Handler {
	return &Handler{publisher: p, log: log}
}

// Handle renders req.Finding and publishes it, once per invocation, and
// returns the message id and the subject sent. It publishes whatever the
// finding's severity, as long as it is one of the four: the state machine
// decides what is worth sending.
//
// Errors, returned unwrapped: *finding.InvalidInputError for a request
// without a finding, without an event id, or whose severity is empty or
// unknown (never retried: a message is never sent unrated);
// *PublishRefusedError when the destination refused the alert for good (not
// retried); *PublishError when publishing failed otherwise (retried).
func (h *Handler) Handle(ctx context.Context, req finding.StepRequest) (finding.NotifyResult, error) {
	ctx = lambdarun.WithInvocation(ctx, h.log, req.ExecutionID)
	log := zerolog.Ctx(ctx)
	f := req.Finding
	switch {
	case f == nil:
		err := &finding.InvalidInputError{Reason: "request has no finding"}
		log.Warn().Err(err).Msg("input_rejected")
		return finding.NotifyResult{}, err
	case f.EventID == "":
		err := &finding.InvalidInputError{Reason: "finding has no eventId"}
		log.Warn().Err(err).Msg("input_rejected")
		return finding.NotifyResult{}, err
	case !f.Severity.Known():
		err := &finding.InvalidInputError{Reason: fmt.Sprintf("finding %s has severity %q, not none, low, medium or high", f.EventID, f.Severity)}
		log.Warn().Err(err).Msg("input_rejected")
		return finding.NotifyResult{}, err
	}
	log.Debug().Interface("finding", f).Msg("rendering_alert")
	m := alert.Render(f)
	id, err := h.publisher.Publish(ctx, m)
	if err != nil {
		var perr error = &PublishError{EventID: f.EventID, Err: err}
		var refusal *Refusal
		if errors.As(err, &refusal) {
			perr = &PublishRefusedError{EventID: f.EventID, Code: refusal.Code, Err: err}
		}
		log.Error().Err(perr).Str("error_type", lambdarun.ErrorType(perr)).Str("event_id", f.EventID).
			Str("severity", string(f.Severity)).Str("subject", m.Subject).Msg("publish_failed")
		return finding.NotifyResult{}, perr
	}
	log.Info().Str("event_id", f.EventID).Str("severity", string(f.Severity)).
		Str("message_id", id).Str("subject", m.Subject).Msg("alert_published")
	return finding.NotifyResult{MessageID: id, Subject: m.Subject}, nil
}
