package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
	"github.com/trailwatch/trailwatch/functions/shared/metrics"
	"github.com/trailwatch/trailwatch/functions/shared/rules"
)

// Claim statuses, as AlertInFlightError reports its holder's.
const (
	// StatusPending is an alert claimed but not yet confirmed sent.
	StatusPending = string(finding.AlertPending)
	// StatusOpen is an alert SNS accepted, its exposure standing.
	StatusOpen = string(finding.AlertOpen)
)

// Alert is the holder of an alert as AlertInFlightError reports it.
type Alert struct {
	EventID     string
	ExecutionID string
	Status      string
	WindowEnds  time.Time
	LeaseEnds   time.Time
}

// DedupeStoreError is returned, unwrapped, when the store could not answer.
// Its name is the errorType the state machine retries on.
type DedupeStoreError struct {
	// Action is the action the store was asked to do.
	Action finding.DedupeAction
	// Key is the alert key (or the digest id).
	Key string
	Err error
}

func (e *DedupeStoreError) Error() string {
	return fmt.Sprintf("dedupe store: %s: %v", e.Action, e.Err)
}

func (e *DedupeStoreError) Unwrap() error { return e.Err }

// AlertInFlightError is returned, unwrapped, when another execution is
// sending a message about the alert now: the opening alert (pending: it
// either confirms it, and this event is then a duplicate, or releases it
// when SNS refused it, and this event must then send it), or an update or
// resolution. The state machine retries on it for longer than notify's
// retries take, so the holder settles first.
type AlertInFlightError struct {
	Key string
	// Holder is the execution sending the message.
	Holder Alert
}

func (e *AlertInFlightError) Error() string {
	return fmt.Sprintf("alert %s is being sent by event %s (execution %s), lease ends %s",
		e.Key, e.Holder.EventID, e.Holder.ExecutionID, e.Holder.LeaseEnds.UTC().Format(time.RFC3339))
}

// Config is dedupe's configuration: where alerts are stored, how long they
// are held, when a burst is a storm, and the suppression rules.
type Config struct {
	// Table is the DynamoDB table of the store (read by main, not by the
	// Handler).
	Table string
	// Window is how long reports of an open alert are counted instead of
	// sent again.
	Window time.Duration
	// Lease is how long a claim (or an update, a resolution, a digest)
	// that is neither confirmed nor released holds it; after it another
	// execution may take over. It should outlast notify's retries and not
	// exceed Window.
	Lease time.Duration
	// Retention is how long after its window an alert is kept before the
	// store may expire it.
	Retention time.Duration
	// Storm says when a burst of messages is folded into a digest.
	Storm lifecycle.StormConfig
	// RulesDigest is the SHA-256 of the rules file main loads (read by
	// main, not by the Handler).
	RulesDigest string
	// Rules are the suppression rules; nil: none.
	Rules *rules.Set
	// HeartbeatTargets are the accounts and regions whose canaries beat;
	// the digest schedule's run emits their heartbeats' ages.
	HeartbeatTargets []HeartbeatTarget
}

func (c Config) lifecycle() lifecycle.Config {
	return lifecycle.Config{Window: c.Window, Lease: c.Lease, Retention: c.Retention}
}

// Bounds of one invocation.
const (
	// maxAttempts bounds the read-decide-write rounds of one record.
	maxAttempts = 3
	// maxClosesPerEvent bounds the alerts one closing event updates or
	// resolves; others stay open (logged).
	maxClosesPerEvent = 25
	// maxClosureMessages bounds the messages one closing event sends; its
	// further messages are held for its storm's digest, so that the state
	// machine's payload stays bounded (quota_test.go).
	maxClosureMessages = 5
	// maxDigestsPerRun bounds the digests one scheduled run sends.
	maxDigestsPerRun = 10
)

// Handler is the dedupe function: it decides and records what each event
// does to its alert's lifecycle, and holds storms for their digests.
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

// Handle does req.Action and returns what the state machine does next.
//
//   - claim: a finding that opens exposure is matched against the rules
//     (OutcomeAllowed, naming the rule), then claims its alert
//     (finding.AlertKey): OutcomeAlert with the alert to send and its new
//     window; OutcomeHeld in a storm; OutcomeDuplicate (Duplicate true,
//     WindowEnds the live window) when the alert is open within its window
//     (the event is counted on it, once) or the event was counted before.
//     A finding that closes exposure updates and resolves the open alerts
//     of its resources: OutcomeClosed with the messages to send, or
//     OutcomeNothing.
//   - uncertain: the publish of the opening alert the event's claim under
//     req.Key holds may have gone through: OutcomeResend (the record is
//     uncertain: claim it again, to resend it once marked as a possible
//     repeat) or OutcomeSettled (a resend was uncertain too: taken as sent;
//     or the event no longer holds the claim).
//   - heartbeat: records a heartbeat finding's time for its account and
//     region, if newer than the one recorded (OutcomeHeartbeat).
//   - confirm, release: of the opening alert (Kind empty or alert), of an
//     update or resolution (Kind, the closing finding's event) of the alert
//     under req.Key, or of the digest req.DigestID. That the event no
//     longer holds it is not an error.
//   - digests: the ids of the digests due (Digests); digest: claims and
//     builds the digest req.DigestID (OutcomeDigest), or OutcomeDuplicate
//     when it was sent or another execution sends it.
//
// Errors, returned unwrapped: *finding.InvalidInputError for a request
// without what its action needs (a finding with an event id and account;
// for confirm and release a valid key, see finding.IsAlertKey; a digest
// id), or an unknown action (never retried); *DedupeStoreError when the
// store could not answer (retried); *AlertInFlightError (retried, then the
// execution ends quietly).
func (h *Handler) Handle(ctx context.Context, req finding.DedupeRequest) (finding.DedupeResult, error) {
	ctx = lambdarun.WithInvocation(ctx, h.log, req.ExecutionID)
	res, err := h.handle(ctx, req)
	if err == nil && req.Action == finding.ActionClaim {
		if outcome := eventOutcome(res); outcome != "" {
			metrics.Count(ctx, metrics.Events, metrics.Dimension{Name: "Outcome", Value: outcome})
		}
	}
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
	digestKind := req.Kind == finding.MessageDigest
	switch {
	case req.Action == finding.ActionDigests:
		return h.digests(ctx)
	case req.Action == finding.ActionDigest || digestKind && (req.Action == finding.ActionConfirm || req.Action == finding.ActionRelease):
		if _, _, err := lifecycle.ParseDigestID(req.DigestID); err != nil {
			return finding.DedupeResult{}, &finding.InvalidInputError{Reason: fmt.Sprintf("%s of a digest needs its id: %v", req.Action, err)}
		}
		ctx = zerolog.Ctx(ctx).With().Str("action", string(req.Action)).Str("digest_id", req.DigestID).Logger().WithContext(ctx)
		switch req.Action {
		case finding.ActionConfirm:
			return h.confirmDigest(ctx, req)
		case finding.ActionRelease:
			return h.releaseDigest(ctx, req)
		}
		return h.digest(ctx, req)
	}
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
	case finding.ActionHeartbeat:
		return h.heartbeat(ctx, f)
	case finding.ActionConfirm, finding.ActionRelease, finding.ActionUncertain:
		if !finding.IsAlertKey(req.Key) {
			return finding.DedupeResult{}, &finding.InvalidInputError{
				Reason: fmt.Sprintf("%s needs the key the claim returned (64 lowercase hex digits), got %q", req.Action, req.Key)}
		}
		switch req.Kind {
		case "", finding.MessageAlert, finding.MessageUpdate, finding.MessageResolved:
		default:
			return finding.DedupeResult{Key: req.Key}, &finding.InvalidInputError{Reason: fmt.Sprintf("%s of an unknown kind of message %q", req.Action, req.Kind)}
		}
		key = req.Key
	default:
		return finding.DedupeResult{Key: finding.AlertKey(f)}, &finding.InvalidInputError{Reason: fmt.Sprintf("unknown action %q", req.Action)}
	}
	ctx = zerolog.Ctx(ctx).With().Str("action", string(req.Action)).Str("key", key).
		Str("event_id", f.EventID).Logger().WithContext(ctx)

	switch req.Action {
	case finding.ActionConfirm:
		return h.confirm(ctx, key, lifecycle.Ref(f.EventID), req)
	case finding.ActionRelease:
		return h.release(ctx, key, lifecycle.Ref(f.EventID), req)
	case finding.ActionUncertain:
		return h.uncertain(ctx, key, lifecycle.Ref(f.EventID))
	}
	rep := lifecycle.NewReport(f, key, req.ExecutionID, h.now())
	switch {
	case f.Severity != finding.SeverityNone && f.Severity != "":
		if r, ok := h.cfg.Rules.Match(f, rep.Now); ok {
			zerolog.Ctx(ctx).Info().Str("rule_id", r.ID).Msg("alert_allowed")
			allowed := r.AllowedBy()
			return result(key, finding.OutcomeAllowed, func(res *finding.DedupeResult) { res.Rule = &allowed }), nil
		}
		return h.open(ctx, rep)
	case f.ClosesExposure:
		return h.close(ctx, f, rep)
	}
	zerolog.Ctx(ctx).Info().Msg("nothing_to_decide")
	return result(key, finding.OutcomeNothing, nil), nil
}

// eventOutcome is the terminal outcome (the Events metric's) a claim's
// result decides, "" when a later step decides it (an alert to send).
func eventOutcome(res finding.DedupeResult) string {
	switch res.Outcome {
	case finding.OutcomeDuplicate:
		return "suppressed"
	case finding.OutcomeAllowed:
		return "allowed"
	case finding.OutcomeHeld:
		return "held"
	case finding.OutcomeNothing:
		return "nothing_exposed"
	case finding.OutcomeClosed:
		if res.Resolved > 0 {
			return "resolved"
		}
		return "updated"
	}
	return ""
}

// result returns a result of key with outcome, changed by set.
func result(key string, outcome finding.DedupeOutcome, set func(*finding.DedupeResult)) finding.DedupeResult {
	res := finding.DedupeResult{Key: key, Outcome: outcome}
	if set != nil {
		set(&res)
	}
	return res
}

// storeError wraps err for the state machine.
func storeError(action finding.DedupeAction, key string, err error) error {
	return &DedupeStoreError{Action: action, Key: key, Err: err}
}
