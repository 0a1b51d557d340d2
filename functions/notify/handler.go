package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/alert"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
	"github.com/trailwatch/trailwatch/functions/shared/metrics"
)

// Publisher sends a rendered alert and returns the message id the
// destination gave it. An error that retrying cannot fix (the destination
// is gone, publishing is not allowed, its key is unusable) wraps a
// *Refusal; one after which the message may still have been accepted
// wraps an *Uncertain.
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

// Uncertain is a publish whose outcome is unknown: the destination did not
// answer
// (the attempt timed out, the connection broke after the request was
// sent) or answered without a message id. The message may have been
// accepted.
type Uncertain struct {
	Err error
}

func (u *Uncertain) Error() string { return "outcome unknown: " + u.Err.Error() }
func (u *Uncertain) Unwrap() error { return u.Err }

// PublishError is returned, unwrapped, when the message could not be
// published. Its name is the errorType the state machine retries on; once
// the retries are spent the pipeline releases its dedupe claim.
type PublishError struct {
	// EventID is the event the message is about; for a digest, DigestID.
	EventID  string
	DigestID string
	Err      error
}

func (e *PublishError) Error() string {
	return fmt.Sprintf("publish %s: %v", about(e.EventID, e.DigestID), e.Err)
}

func (e *PublishError) Unwrap() error { return e.Err }

// PublishRefusedError is returned, unwrapped, when the destination refused
// the message for good (see Refusal). The state machine does not retry it:
// it releases the dedupe claim at once and fails the execution visibly.
type PublishRefusedError struct {
	EventID  string
	DigestID string
	Code     string
	Err      error
}

func (e *PublishRefusedError) Error() string {
	return fmt.Sprintf("publish %s refused (%s): %v", about(e.EventID, e.DigestID), e.Code, e.Err)
}

func (e *PublishRefusedError) Unwrap() error { return e.Err }

// PublishUncertainError is returned, unwrapped, when the publish's outcome
// is unknown (see Uncertain): the message may have been accepted. The state
// machine does not retry it: it marks the claim uncertain, and the alert
// is resent at most once, marked as a possible repeat.
type PublishUncertainError struct {
	EventID  string
	DigestID string
	Err      error
}

func (e *PublishUncertainError) Error() string {
	return fmt.Sprintf("publish %s may have gone through: %v", about(e.EventID, e.DigestID), e.Err)
}

func (e *PublishUncertainError) Unwrap() error { return e.Err }

// about names what a message is about in errors.
func about(eventID, digestID string) string {
	if digestID != "" {
		return "digest " + digestID
	}
	return "alert for event " + eventID
}

// Handler is the notify function.
type Handler struct {
	publisher Publisher
	log       zerolog.Logger
	now       func() time.Time
}

// NewHandler returns a Handler that publishes with p and logs with log. It
// does no I/O.
func NewHandler(p Publisher, log zerolog.Logger) *Handler {
	return &Handler{publisher: p, log: log, now: time.Now}
}

// Handle renders the message req asks for and publishes it, once per
// invocation, and returns the message id and the subject sent:
//
//   - an alert (Kind empty or alert): req.Finding, with its lifecycle
//     req.Alert when dedupe gave one (alert.Open);
//   - an update or resolution: req.Alert, closed by req.Finding
//     (alert.Closure);
//   - a digest: req.Digest (alert.Digest).
//
// Every kind is published in its three renderings (alert.WithFormats): the
// e-mail text, the JSON document and the chat notification. A message that
// may be a second copy (req.Repeat: a resend after a publish whose outcome
// was unknown) is marked so in all three (alert.MarkPossibleRepeat). It publishes
// whatever the finding's severity, as long as it is one of the four: the
// state machine decides what is worth sending.
//
// Errors, returned unwrapped: *finding.InvalidInputError for a request
// without what its kind needs (a finding with an event id and a severity
// of none, low, medium or high; an alert with an id, and a severity empty
// or one of the four, for an update or resolution; a digest with an id) or
// of an unknown kind (never retried: a message is never sent unrated);
// *PublishRefusedError when the destination refused
// the message for good (not retried); *PublishUncertainError when the
// outcome is unknown (the message may have been accepted: not retried,
// the claim is marked uncertain); *PublishError when the destination
// answered that it did not accept it (retried).
func (h *Handler) Handle(ctx context.Context, req finding.NotifyRequest) (finding.NotifyResult, error) {
	ctx = lambdarun.WithInvocation(ctx, h.log, req.ExecutionID)
	log := zerolog.Ctx(ctx)
	m, fields, err := h.render(req)
	if err != nil {
		log.Warn().Err(err).Str("kind", string(req.Kind)).Msg("input_rejected")
		return finding.NotifyResult{}, err
	}
	if req.Finding != nil {
		log.Debug().Interface("finding", req.Finding).Msg("rendering_alert")
	}
	id, err := h.publisher.Publish(ctx, m)
	if err != nil {
		var perr error = &PublishError{EventID: fields["event_id"], DigestID: fields["digest_id"], Err: err}
		var refusal *Refusal
		var uncertain *Uncertain
		switch {
		case errors.As(err, &refusal):
			perr = &PublishRefusedError{EventID: fields["event_id"], DigestID: fields["digest_id"], Code: refusal.Code, Err: err}
		case errors.As(err, &uncertain):
			perr = &PublishUncertainError{EventID: fields["event_id"], DigestID: fields["digest_id"], Err: err}
		}
		ev := log.Error().Err(perr).Str("error_type", lambdarun.ErrorType(perr)).Str("subject", m.Subject)
		withFields(ev, fields).Msg("publish_failed")
		return finding.NotifyResult{}, perr
	}
	h.sent(ctx, req, fields)
	withFields(log.Info().Str("message_id", id).Str("subject", m.Subject), fields).Msg("alert_published")
	return finding.NotifyResult{MessageID: id, Subject: m.Subject}, nil
}

// sent emits the metrics of a message SNS accepted: Alerts by severity and
// by kind; for an opening alert, the event's outcome (notified), whether
// it was unconfirmed, and EndToEndLatency from its CloudTrail time.
func (h *Handler) sent(ctx context.Context, req finding.NotifyRequest, fields map[string]string) {
	kind := string(cmp.Or(req.Kind, finding.MessageAlert))
	metrics.Count(ctx, metrics.Alerts, metrics.Dimension{Name: "Kind", Value: kind})
	if sev := fields["severity"]; sev != "" {
		metrics.Count(ctx, metrics.Alerts, metrics.Dimension{Name: "Severity", Value: sev})
	}
	f := req.Finding
	if f == nil {
		return
	}
	if !f.Time.IsZero() {
		metrics.Emit(ctx, metrics.EndToEndLatency, float64(h.now().Sub(f.Time).Milliseconds()))
	}
	if kind == string(finding.MessageAlert) {
		metrics.Count(ctx, metrics.Events, metrics.Dimension{Name: "Outcome", Value: "notified"})
		if f.Unconfirmed != nil {
			metrics.Count(ctx, metrics.Unconfirmed)
		}
	}
}

// render returns the message of req in its three renderings and the
// fields its log lines carry. Digests carry no finding, so no finding
// severity to check: theirs is the highest of their entries'.
func (h *Handler) render(req finding.NotifyRequest) (alert.Message, map[string]string, error) {
	fields := map[string]string{"kind": string(req.Kind)}
	f := req.Finding
	needFinding := func() error {
		switch {
		case f == nil:
			return &finding.InvalidInputError{Reason: "request has no finding"}
		case f.EventID == "":
			return &finding.InvalidInputError{Reason: "finding has no eventId"}
		case !f.Severity.Known():
			return &finding.InvalidInputError{Reason: fmt.Sprintf("finding %s has severity %q, not none, low, medium or high", f.EventID, f.Severity)}
		}
		fields["event_id"], fields["severity"] = f.EventID, string(f.Severity)
		return nil
	}
	var m alert.Message
	switch req.Kind {
	case "", finding.MessageAlert:
		if err := needFinding(); err != nil {
			return alert.Message{}, nil, err
		}
		if req.Alert != nil {
			fields["alert_id"] = req.Alert.ID
		}
		m = alert.Open(f, req.Alert)
	case finding.MessageUpdate, finding.MessageResolved:
		if err := needFinding(); err != nil {
			return alert.Message{}, nil, err
		}
		switch {
		case req.Alert == nil || req.Alert.ID == "":
			return alert.Message{}, nil, &finding.InvalidInputError{Reason: fmt.Sprintf("a %s message needs the alert it is about", req.Kind)}
		case req.Alert.Severity != "" && !req.Alert.Severity.Known():
			return alert.Message{}, nil, &finding.InvalidInputError{Reason: fmt.Sprintf("alert %s has severity %q, not none, low, medium or high", req.Alert.ID, req.Alert.Severity)}
		}
		fields["alert_id"], fields["severity"] = req.Alert.ID, string(cmp.Or(req.Alert.Severity, f.Severity))
		m = alert.Closure(req.Kind, f, req.Alert)
	case finding.MessageDigest:
		if req.Digest == nil || req.Digest.ID == "" {
			return alert.Message{}, nil, &finding.InvalidInputError{Reason: "a digest message needs the digest"}
		}
		fields["digest_id"] = req.Digest.ID
		m = alert.Digest(req.Digest)
	default:
		return alert.Message{}, nil, &finding.InvalidInputError{Reason: fmt.Sprintf("unknown kind of message %q", req.Kind)}
	}
	if req.PossibleRepeat && m.Attributes[alert.AttrPossibleRepeat] == "" {
		m = alert.MarkPossibleRepeat(m)
	}
	return alert.WithFormats(req, m), fields, nil
}

// withFields adds the non-empty fields to ev.
func withFields(ev *zerolog.Event, fields map[string]string) *zerolog.Event {
	for _, k := range []string{"kind", "event_id", "alert_id", "digest_id", "severity"} {
		if v := fields[k]; v != "" {
			ev = ev.Str(k, v)
		}
	}
	return ev
}
