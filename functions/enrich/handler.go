package main

import (
	"context"
	"encoding/json"
	"time"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
	"github.com/trailwatch/trailwatch/functions/shared/metrics"
)

// Handler enriches findings.
type Handler struct {
	accounts Accounts
	trusted  finding.Trusted
	log      zerolog.Logger
	// consistency is how long the state machine waits before a new look,
	// and at most how many times (deployment.json's consistency).
	consistency deployment.Consistency
}

// NewHandler returns a Handler that looks resources up in the accounts
// accounts gives, judges shares with trusted (the accounts and
// organizations a share may go to) and logs with log. It does no I/O.
func NewHandler(accounts Accounts, trusted finding.Trusted, log zerolog.Logger) *Handler {
	return &Handler{accounts: accounts, trusted: trusted, log: log, consistency: deployment.Facts.Consistency}
}

// Handle looks the finding's resources up and returns it with their live
// facts, OpensExposure confirmed and Severity reassessed. A heartbeat
// finding is returned as it is, without lookups. A failed call and
// a finding with nothing to look up are returned reassessed without any
// lookup. Errors: *finding.InvalidInputError for a request without a
// finding, *LookupError when a lookup or assuming the member account's
// role fails.
//
// When the live state does not show yet what the event did
// (finding.Unsettled: eventual consistency), the finding comes back as it
// came, with Consistency.LookAgain, so that the state machine waits and
// enriches it again; after deployment.json's consistency.max_waits waits
// it is judged from what the lookups show (a resource still not found, by
// its request), Consistency saying it waited.
func (h *Handler) Handle(ctx context.Context, req finding.StepRequest) (*finding.Finding, error) {
	ctx = lambdarun.WithInvocation(ctx, h.log, req.ExecutionID)
	log := zerolog.Ctx(ctx)
	if req.Finding == nil || req.Finding.EventID == "" {
		err := &finding.InvalidInputError{Reason: "request has no finding with an eventId"}
		log.Warn().Err(err).Msg("input_rejected")
		return nil, err
	}
	f := req.Finding
	if f.Kind == finding.KindHeartbeat {
		log.Info().Str("event_id", f.EventID).Str("account", f.Account).Str("region", f.Region).Msg("heartbeat_passed")
		return f, nil
	}
	looked := lookedBefore(f)
	unenriched, err := json.Marshal(f)
	if err != nil {
		return nil, &finding.InvalidInputError{Reason: "finding does not encode: " + err.Error()}
	}
	if !f.Failed() {
		ec2, err := h.accounts.For(ctx, f.Account, f.Region)
		if err != nil {
			err = &LookupError{Service: "sts", Op: "AssumeRole", Err: err}
		} else {
			// Cached lookups older than the event cannot judge it; CloudTrail
			// times are whole seconds.
			err = Enrich(WithNotBefore(ctx, f.Time.Add(time.Second)), ec2, f, h.trusted)
		}
		if err != nil {
			log.Error().Err(err).Str("event_id", f.EventID).Msg("lookup_failed")
			if memberRoleRefused(err) {
				metrics.Count(ctx, metrics.MemberRoleMissing, metrics.Dimension{Name: "Account", Value: f.Account})
			}
			return nil, err
		}
	}
	finding.Reassess(f)
	if reason := finding.Unsettled(f); reason != "" {
		c := finding.Consistency{Reason: reason, Looks: looked.Looks + 1, WaitedSeconds: looked.WaitedSeconds}
		if looked.Looks > 0 {
			c.WaitedSeconds += h.consistency.WaitSeconds
		}
		if c.Looks <= h.consistency.MaxWaits {
			again := &finding.Finding{}
			if err := json.Unmarshal(unenriched, again); err != nil {
				return nil, &finding.InvalidInputError{Reason: "finding does not decode: " + err.Error()}
			}
			c.LookAgain = true
			again.Consistency = &c
			log.Info().Str("event_id", f.EventID).Str("reason", reason).Int("looks", c.Looks).Int("waited_seconds", c.WaitedSeconds).Msg("look_again")
			return again, nil
		}
		f.Consistency = &c
		log.Warn().Str("event_id", f.EventID).Str("reason", reason).Int("looks", c.Looks).Int("waited_seconds", c.WaitedSeconds).Msg("not_settled")
	} else if looked.Looks > 0 {
		f.Consistency = &finding.Consistency{Looks: looked.Looks + 1, WaitedSeconds: looked.WaitedSeconds + h.consistency.WaitSeconds}
	}
	if f.Severity == finding.SeverityNone && !f.ClosesExposure {
		metrics.Count(ctx, metrics.Events, metrics.Dimension{Name: "Outcome", Value: "nothing_exposed"})
	}
	log.Info().Str("event_id", f.EventID).Str("event_name", f.EventName).Str("severity", string(f.Severity)).
		Bool("opens_exposure", f.OpensExposure).Msg("finding_enriched")
	return f, nil
}

// lookedBefore is how often the finding was looked up before, and how long
// it waited, as its Consistency says (zero for a first look).
func lookedBefore(f *finding.Finding) finding.Consistency {
	if f.Consistency == nil {
		return finding.Consistency{}
	}
	c := *f.Consistency
	f.Consistency = nil
	return c
}
