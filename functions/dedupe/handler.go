package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
)

// Alert statuses.
const (
	// StatusPending is an alert claimed but not yet confirmed sent.
	StatusPending = "pending"
	// StatusSent is an alert SNS accepted.
	StatusSent = "sent"
)

// Claim asks the store to hold an alert key for one event.
type Claim struct {
	Key         string
	EventID     string
	EventName   string
	ExecutionID string
	// Now is the time of the claim. A window or lease that ends at or before
	// Now has ended.
	Now time.Time
	// WindowEnds is when the alert may be sent again.
	WindowEnds time.Time
	// LeaseEnds is when a claim that was neither confirmed nor released may
	// be taken over.
	LeaseEnds time.Time
	// Expires is when the store may forget the alert. Expiry is lazy (for
	// DynamoDB, up to days late), so no decision depends on it.
	Expires time.Time
}

// Alert is the stored state of an alert key.
type Alert struct {
	EventID     string
	ExecutionID string
	Status      string
	WindowEnds  time.Time
	LeaseEnds   time.Time
}

// ClaimResult is the answer to a Claim.
type ClaimResult struct {
	Granted bool
	// Holder is the alert that refused the claim, when the store returned
	// it. Nil when Granted.
	Holder *Alert
}

// Store holds one alert per key. Every method is atomic and conditional, so
// concurrent and repeated invocations (Lambda and Step Functions deliver at
// least once) agree. An error means the store could not answer; a refused
// condition is never an error.
type Store interface {
	// Claim records c.EventID as the holder of c.Key, pending, and is granted
	// when there is no alert under the key, or its window has ended, or it is
	// pending and its lease has ended or c.ExecutionID (when set) holds it;
	// except that an alert already sent for c.EventID is never claimed again,
	// however old.
	Claim(ctx context.Context, c Claim) (ClaimResult, error)
	// Confirm marks the alert under key sent, if eventID holds it. It
	// reports false when eventID does not hold it (the claim was taken over,
	// or there is no alert).
	Confirm(ctx context.Context, key, eventID string, at time.Time) (bool, error)
	// Release forgets the alert under key, if eventID holds it and it is
	// pending. It reports false when there was nothing to release.
	Release(ctx context.Context, key, eventID string) (bool, error)
}

// DedupeStoreError is returned, unwrapped, when the store could not answer.
// Its name is the errorType the state machine retries on.
type DedupeStoreError struct {
	// Action is the action the store was asked to do.
	Action finding.DedupeAction
	// Key is the alert key.
	Key string
	Err error
}

func (e *DedupeStoreError) Error() string {
	return fmt.Sprintf("dedupe store: %s: %v", e.Action, e.Err)
}

func (e *DedupeStoreError) Unwrap() error { return e.Err }

// AlertInFlightError is returned, unwrapped, when another execution holds
// the alert pending: it is sending the alert now, and either confirms it
// (this event is then a duplicate) or releases it when SNS refused it (this
// event must then send it). The state machine retries the claim on it for
// longer than notify's retries take, so the holder settles first.
type AlertInFlightError struct {
	Key string
	// Holder is the pending alert.
	Holder Alert
}

func (e *AlertInFlightError) Error() string {
	return fmt.Sprintf("alert %s is being sent by event %s (execution %s), lease ends %s",
		e.Key, e.Holder.EventID, e.Holder.ExecutionID, e.Holder.LeaseEnds.UTC().Format(time.RFC3339))
}

// Config is dedupe's configuration: where alerts are stored and how long
// they are held.
type Config struct {
	// Table is the DynamoDB table of the store (read by main, not by the
	// Handler).
	Table string
	// Window is how long a sent alert suppresses the same alert.
	Window time.Duration
	// Lease is how long a claim that is neither confirmed nor released holds
	// the alert; after it another claim may take the alert over. It should
	// outlast notify's retries and not exceed Window.
	Lease time.Duration
	// Retention is how long after its window an alert is kept before the
	// store may expire it.
	Retention time.Duration
}

// Handler is the dedupe function: it claims, confirms and releases alerts.
type Handler struct {
	store Store
	log   zerolog.Logger
	cfg   Config
	now   func() time.Time
}

// NewHandler returns a Handler over store that logs with log and holds
// alerts as cfg says. It does no I/O.
func NewHandler(store Store, log zerolog.Logger, cfg Config) *Handler {
	return &Handler{store: store, log: log, cfg: cfg, now: time.Now}
}

// Handle does req.Action for the alert of req.Finding and returns its key.
// A claim computes the key (finding.AlertKey); a confirm or release acts
// on req.Key, the key its claim returned, and never computes it again:
//
//   - claim: Duplicate is false and WindowEnds is the new window when the
//     claim was granted; Duplicate is true and WindowEnds is the window of
//     the alert that refused it (empty if unknown) when that alert was sent
//     or is unknown. An alert another execution holds pending is an
//     *AlertInFlightError instead: not yet sent, so not yet a duplicate.
//   - confirm, release: neither Duplicate nor WindowEnds is set. That the
//     event no longer holds the alert is not an error.
//
// Errors, returned unwrapped: *finding.InvalidInputError for a request
// without a finding, event id or account, a confirm or release without a
// valid key (see finding.IsAlertKey), or an unknown action (never
// retried); *DedupeStoreError when the store could not answer (retried);
// *AlertInFlightError (retried, then the execution ends quietly).
func (h *Handler) Handle(ctx context.Context, req finding.DedupeRequest) (finding.DedupeResult, error) {
	ctx = lambdarun.WithInvocation(ctx, h.log, req.ExecutionID)
	res, err := h.handle(ctx, req)
	var inFlight *AlertInFlightError
	if err != nil && !errors.As(err, &inFlight) {
		ev := zerolog.Ctx(ctx).Error().Err(err).Str("error_type", lambdarun.ErrorType(err)).
			Str("action", string(req.Action))
		if res.Key != "" {
			ev = ev.Str("key", res.Key)
		}
		if req.Finding != nil && req.Finding.EventID != "" {
			ev = ev.Str("event_id", req.Finding.EventID)
		}
		ev.Msg("dedupe_failed")
	}
	return res, err
}

func (h *Handler) handle(ctx context.Context, req finding.DedupeRequest) (finding.DedupeResult, error) {
	f := req.Finding
	switch {
	case f == nil:
		return finding.DedupeResult{}, &finding.InvalidInputError{Reason: "no finding"}
	case f.EventID == "":
		return finding.DedupeResult{}, &finding.InvalidInputError{Reason: "finding without eventId"}
	case f.Account == "":
		return finding.DedupeResult{}, &finding.InvalidInputError{Reason: "finding without account"}
	}
	var key string
	switch req.Action {
	case finding.ActionClaim:
		key = finding.AlertKey(f)
	case finding.ActionConfirm, finding.ActionRelease:
		if !finding.IsAlertKey(req.Key) {
			return finding.DedupeResult{}, &finding.InvalidInputError{
				Reason: fmt.Sprintf("%s needs the key the claim returned (64 lowercase hex digits), got %q", req.Action, req.Key)}
		}
		key = req.Key
	default:
		return finding.DedupeResult{Key: finding.AlertKey(f)}, &finding.InvalidInputError{Reason: fmt.Sprintf("unknown action %q", req.Action)}
	}
	ctx = zerolog.Ctx(ctx).With().Str("action", string(req.Action)).Str("key", key).
		Str("event_id", f.EventID).Logger().WithContext(ctx)

	switch req.Action {
	case finding.ActionConfirm:
		return h.confirm(ctx, key, f.EventID)
	case finding.ActionRelease:
		return h.release(ctx, key, f.EventID)
	default:
		return h.claim(ctx, key, f, req.ExecutionID)
	}
}

func (h *Handler) claim(ctx context.Context, key string, f *finding.Finding, executionID string) (finding.DedupeResult, error) {
	now := h.now().UTC().Truncate(time.Second)
	c := Claim{
		Key:         key,
		EventID:     f.EventID,
		EventName:   f.EventName,
		ExecutionID: executionID,
		Now:         now,
		WindowEnds:  now.Add(h.cfg.Window),
		LeaseEnds:   now.Add(h.cfg.Lease),
		Expires:     now.Add(h.cfg.Window + h.cfg.Retention),
	}
	res, err := h.store.Claim(ctx, c)
	if err != nil {
		return finding.DedupeResult{Key: key}, &DedupeStoreError{Action: finding.ActionClaim, Key: key, Err: err}
	}
	log := zerolog.Ctx(ctx)
	if res.Granted {
		log.Info().Time("window_ends", c.WindowEnds).Time("lease_ends", c.LeaseEnds).Msg("alert_claimed")
		return finding.DedupeResult{Key: key, WindowEnds: rfc3339(c.WindowEnds)}, nil
	}
	if a := res.Holder; a != nil && a.Status == StatusPending {
		log.Info().Str("holder_event_id", a.EventID).Str("holder_execution_id", a.ExecutionID).
			Time("lease_ends", a.LeaseEnds).Msg("alert_in_flight")
		return finding.DedupeResult{Key: key}, &AlertInFlightError{Key: key, Holder: *a}
	}
	out := finding.DedupeResult{Key: key, Duplicate: true}
	ev := log.Info()
	if a := res.Holder; a != nil {
		out.WindowEnds = rfc3339(a.WindowEnds)
		ev = ev.Str("holder_event_id", a.EventID).Str("holder_status", a.Status).
			Time("window_ends", a.WindowEnds).Time("lease_ends", a.LeaseEnds)
	}
	ev.Msg("alert_duplicate")
	return out, nil
}

func (h *Handler) confirm(ctx context.Context, key, eventID string) (finding.DedupeResult, error) {
	ok, err := h.store.Confirm(ctx, key, eventID, h.now().UTC().Truncate(time.Second))
	if err != nil {
		return finding.DedupeResult{Key: key}, &DedupeStoreError{Action: finding.ActionConfirm, Key: key, Err: err}
	}
	if ok {
		zerolog.Ctx(ctx).Info().Msg("alert_confirmed")
	} else {
		zerolog.Ctx(ctx).Warn().Str("reason", "the claim was taken over or is gone").Msg("alert_not_confirmed")
	}
	return finding.DedupeResult{Key: key}, nil
}

func (h *Handler) release(ctx context.Context, key, eventID string) (finding.DedupeResult, error) {
	ok, err := h.store.Release(ctx, key, eventID)
	if err != nil {
		return finding.DedupeResult{Key: key}, &DedupeStoreError{Action: finding.ActionRelease, Key: key, Err: err}
	}
	if ok {
		zerolog.Ctx(ctx).Info().Msg("alert_released")
	} else {
		zerolog.Ctx(ctx).Info().Msg("nothing_to_release")
	}
	return finding.DedupeResult{Key: key}, nil
}

// rfc3339 formats t in UTC, or returns "" for the zero time.
func rfc3339(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format(time.RFC3339)
}
