package main

import (
	"context"
	"time"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
	"github.com/trailwatch/trailwatch/functions/shared/metrics"
)

// Handler enriches findings.
type Handler struct {
	accounts Accounts
	trusted  finding.Trusted
	log      zerolog.Logger
}

// NewHandler returns a Handler that looks resources up in the accounts
// accounts gives, judges shares with trusted (the accounts and
// organizations a share may go to) and logs with log. It does no I/O.
func NewHandler(accounts Accounts, trusted finding.Trusted, log zerolog.Logger) *Handler {
	return &Handler{accounts: accounts, trusted: trusted, log: log}
}

// Handle looks the finding's resources up and returns it with their live
// facts, OpensExposure confirmed and Severity reassessed. A heartbeat
// finding is returned as it is, without lookups. A failed call and
// a finding with nothing to look up are returned reassessed without any
// lookup. Errors: *finding.InvalidInputError for a request without a
// finding, *LookupError when a lookup or assuming the member account's
// role fails.
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
	if f.Severity == finding.SeverityNone && !f.ClosesExposure {
		metrics.Count(ctx, metrics.Events, metrics.Dimension{Name: "Outcome", Value: "nothing_exposed"})
	}
	log.Info().Str("event_id", f.EventID).Str("event_name", f.EventName).Str("severity", string(f.Severity)).
		Bool("opens_exposure", f.OpensExposure).Msg("finding_enriched")
	return f, nil
}
