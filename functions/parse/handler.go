package main

import (
	"context"
	"errors"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
	"github.com/trailwatch/trailwatch/functions/shared/metrics"
)

// Handler parses events.
type Handler struct {
	log zerolog.Logger
}

// NewHandler returns a Handler that logs with log.
func NewHandler(log zerolog.Logger) *Handler {
	return &Handler{log: log}
}

// Handle parses req.Event: an event, or the intake pipe's batch of one SQS
// record holding one (finding.Intake; the finding then records the
// record's receive count as Attempt). Errors are those of finding.Intake
// and finding.Parse, unwrapped: *finding.MalformedEventError and
// *finding.UnsupportedEventError.
func (h *Handler) Handle(ctx context.Context, req finding.ParseRequest) (*finding.Finding, error) {
	ctx = lambdarun.WithInvocation(ctx, h.log, req.ExecutionID)
	log := zerolog.Ctx(ctx)
	log.Debug().RawJSON("event", req.Event).Msg("event_received")
	event, attempt, err := finding.Intake(req.Event)
	var f *finding.Finding
	if err == nil {
		f, err = finding.Parse(event)
	}
	var unsupported *finding.UnsupportedEventError
	switch {
	case errors.As(err, &unsupported):
		log.Info().Str("event_source", unsupported.EventSource).Str("event_name", unsupported.EventName).
			Str("detail_type", unsupported.DetailType).Msg("event_skipped")
		if unsupported.DetailType != deployment.Facts.DigestSchedule.Input.DetailType {
			metrics.Count(ctx, metrics.Events, metrics.Dimension{Name: "Outcome", Value: "skipped"})
		}
		return nil, err
	case err != nil:
		log.Warn().Err(err).Msg("event_rejected")
		metrics.Count(ctx, metrics.Events, metrics.Dimension{Name: "Outcome", Value: "rejected"})
		return nil, err
	}
	f.Attempt = attempt
	log.Info().Int("attempt", attempt).Str("event_id", f.EventID).Str("event_name", f.EventName).Str("account", f.Account).
		Str("region", f.Region).Str("severity", string(f.Severity)).Bool("opens_exposure", f.OpensExposure).
		Int("resources", len(f.Resources)).Msg("event_parsed")
	return f, nil
}
