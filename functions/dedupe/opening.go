package main

import (
	"context"
	"time"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// open decides and records what rep, an event reporting an exposure, does
// to its alert (lifecycle.OnOpening), reading again when the record
// changed under the decision.
func (h *Handler) open(ctx context.Context, rep lifecycle.Report) (finding.DedupeResult, error) {
	log := zerolog.Ctx(ctx)
	fail := func(err error) (finding.DedupeResult, error) {
		return finding.DedupeResult{Key: rep.Key}, storeError(finding.ActionClaim, rep.Key, err)
	}
	for range maxAttempts {
		rec, err := h.store.Alert(ctx, rep.Key)
		if err != nil {
			return fail(err)
		}
		d := lifecycle.OnOpening(rec, rep, h.cfg.lifecycle())
		switch d.Step {
		case lifecycle.StepDuplicate:
			log.Info().Str("holder_event_id", rec.EventID).Str("holder_status", string(rec.Status)).
				Time("window_ends", rec.WindowEnds).Msg("alert_duplicate")
			return duplicate(rep.Key, rec), nil
		case lifecycle.StepInFlight:
			return h.inFlight(ctx, rep.Key, rec)
		case lifecycle.StepRepeat:
			res, err := h.store.Repeat(ctx, rec, rep.EventID, rep.Time, rep.Now)
			if err != nil {
				return fail(err)
			}
			if !res.Open {
				continue
			}
			log.Info().Str("alert_id", rec.ID).Bool("counted", res.Counted).Int("repeats", d.Next.Repeats).
				Time("window_ends", rec.WindowEnds).Msg("alert_repeat")
			return duplicate(rep.Key, rec), nil
		case lifecycle.StepRefresh:
			ok, err := h.store.Refresh(ctx, rec, d.Next)
			if err != nil {
				return fail(err)
			}
			if !ok {
				continue
			}
			log.Info().Str("alert_id", d.Next.ID).Time("window_ends", d.Next.WindowEnds).Time("lease_ends", d.Next.LeaseEnds).Msg("alert_claimed")
			return claimed(rep.Key, d.Next, finding.OutcomeAlert), nil
		case lifecycle.StepRetake:
			ok, err := h.store.Replace(ctx, rec, d.Next)
			if err != nil {
				return fail(err)
			}
			if !ok {
				continue
			}
			log.Info().Str("alert_id", d.Next.ID).Str("prev_execution_id", rec.ExecutionID).Int("attempt", d.Next.Attempt).
				Time("lease_ends", d.Next.LeaseEnds).Msg("alert_retaken")
			return claimed(rep.Key, d.Next, finding.OutcomeAlert), nil
		}
		next, outcome := d.Next, finding.OutcomeAlert
		if d.Reason != lifecycle.ReasonReopen && d.Reason != lifecycle.ReasonResend {
			g, err := h.store.Gate(ctx, h.gate(rep, lifecycle.Member(finding.MessageAlert, rep.Key), false))
			if err != nil {
				return fail(err)
			}
			if g.Overflow {
				log.Warn().Str("digest_id", g.DigestID).Msg("storm_overflow")
			}
			if g.Held {
				next, outcome = next.Held(g.DigestID), finding.OutcomeHeld
			}
		}
		res, err := h.store.Claim(ctx, Claim{Prev: rec, Next: next, Reason: d.Reason, Now: rep.Now, Count: d.CountEvent})
		if err != nil {
			return fail(err)
		}
		if !res.Granted {
			continue
		}
		if len(res.Unindexed) > 0 {
			log.Warn().Strs("resources", res.Unindexed).Msg("alert_not_indexed")
		}
		if !res.Counted {
			log.Info().Msg("event_already_counted")
			return duplicate(rep.Key, rec), nil
		}
		ev := log.Info().Str("alert_id", next.ID).Str("reason", string(d.Reason)).Str("digest_id", next.DigestID).
			Time("window_ends", next.WindowEnds).Time("lease_ends", next.LeaseEnds)
		if outcome == finding.OutcomeHeld {
			ev.Msg("alert_held")
		} else {
			ev.Msg("alert_claimed")
		}
		return claimed(rep.Key, next, outcome), nil
	}
	return fail(errContention)
}

// gate is the storm gate of a message of rep.
func (h *Handler) gate(rep lifecycle.Report, member string, hold bool) Gate {
	return Gate{Storm: lifecycle.StormOf(rep), Member: member, Now: rep.Now, Config: h.cfg.Storm,
		Retention: h.cfg.Window + h.cfg.Retention, Hold: hold}
}

// inFlight is the AlertInFlightError of rec: its pending claim's holder, or
// the execution sending its message.
func (h *Handler) inFlight(ctx context.Context, key string, rec lifecycle.Record) (finding.DedupeResult, error) {
	holder := Alert{EventID: rec.EventID, ExecutionID: rec.ExecutionID, Status: string(rec.Status), WindowEnds: rec.WindowEnds, LeaseEnds: rec.LeaseEnds}
	if m := rec.Message; m != nil && m.Pending {
		holder = Alert{EventID: m.EventID, ExecutionID: m.ExecutionID, Status: string(m.Kind), WindowEnds: rec.WindowEnds, LeaseEnds: m.LeaseEnds}
	}
	zerolog.Ctx(ctx).Info().Str("holder_event_id", holder.EventID).Str("holder_execution_id", holder.ExecutionID).
		Time("lease_ends", holder.LeaseEnds).Msg("alert_in_flight")
	return finding.DedupeResult{Key: key}, &AlertInFlightError{Key: key, Holder: holder}
}

func duplicate(key string, rec lifecycle.Record) finding.DedupeResult {
	return result(key, finding.OutcomeDuplicate, func(r *finding.DedupeResult) {
		r.Duplicate, r.WindowEnds = true, rfc3339(rec.WindowEnds)
	})
}

func claimed(key string, rec lifecycle.Record, outcome finding.DedupeOutcome) finding.DedupeResult {
	a := rec.Alert()
	return result(key, outcome, func(r *finding.DedupeResult) {
		r.WindowEnds, r.Alert = rfc3339(rec.WindowEnds), &a
	})
}

// confirm marks the message of req sent.
func (h *Handler) confirm(ctx context.Context, key, eventID string, req finding.DedupeRequest) (finding.DedupeResult, error) {
	at := h.now().UTC().Truncate(time.Second)
	messageID := messageRef(req.MessageID)
	var ok bool
	var err error
	if req.Kind == finding.MessageUpdate || req.Kind == finding.MessageResolved {
		ok, err = h.store.ConfirmMessage(ctx, key, req.Kind, eventID, messageID, at)
	} else {
		ok, err = h.store.Confirm(ctx, key, eventID, messageID, at)
	}
	if err != nil {
		return finding.DedupeResult{Key: key}, storeError(finding.ActionConfirm, key, err)
	}
	if ok {
		zerolog.Ctx(ctx).Info().Str("kind", string(req.Kind)).Str("message_id", messageID).Msg("alert_confirmed")
	} else {
		zerolog.Ctx(ctx).Warn().Str("kind", string(req.Kind)).Str("reason", "the claim was taken over or is gone").Msg("alert_not_confirmed")
	}
	return finding.DedupeResult{Key: key}, nil
}

// release gives back the claim or message of req.
func (h *Handler) release(ctx context.Context, key, eventID string, req finding.DedupeRequest) (finding.DedupeResult, error) {
	now := h.now().UTC().Truncate(time.Second)
	fail := func(err error) (finding.DedupeResult, error) {
		return finding.DedupeResult{Key: key}, storeError(finding.ActionRelease, key, err)
	}
	released := false
	for range maxAttempts {
		rec, err := h.store.Alert(ctx, key)
		if err != nil {
			return fail(err)
		}
		var ok bool
		if req.Kind == finding.MessageUpdate || req.Kind == finding.MessageResolved {
			next, held := lifecycle.ReleaseMessage(rec, req.Kind, eventID)
			if !held {
				break
			}
			ok, err = h.store.ReleaseMessage(ctx, rec, next)
		} else {
			next, remove, held := lifecycle.Release(rec, eventID, now)
			if !held {
				break
			}
			ok, err = h.store.Release(ctx, rec, next, remove)
		}
		if err != nil {
			return fail(err)
		}
		if ok {
			released = true
			break
		}
	}
	if released {
		zerolog.Ctx(ctx).Info().Str("kind", string(req.Kind)).Msg("alert_released")
	} else {
		zerolog.Ctx(ctx).Info().Str("kind", string(req.Kind)).Msg("nothing_to_release")
	}
	return finding.DedupeResult{Key: key}, nil
}

// uncertain marks the claim of eventID under key uncertain
// (lifecycle.MarkUncertain): its publish may have gone through.
func (h *Handler) uncertain(ctx context.Context, key, eventID string) (finding.DedupeResult, error) {
	for range maxAttempts {
		rec, err := h.store.Alert(ctx, key)
		if err != nil {
			return finding.DedupeResult{Key: key}, storeError(finding.ActionUncertain, key, err)
		}
		next, outcome, held := lifecycle.MarkUncertain(rec, eventID)
		if !held {
			zerolog.Ctx(ctx).Info().Str("holder_event_id", rec.EventID).Str("status", string(rec.Status)).Msg("nothing_to_mark_uncertain")
			return result(key, outcome, nil), nil
		}
		ok, err := h.store.Replace(ctx, rec, next)
		if err != nil {
			return finding.DedupeResult{Key: key}, storeError(finding.ActionUncertain, key, err)
		}
		if ok {
			zerolog.Ctx(ctx).Warn().Str("alert_id", next.ID).Int("uncertain", next.Uncertain).Str("outcome", string(outcome)).Msg("publish_uncertain")
			return result(key, outcome, nil), nil
		}
	}
	return finding.DedupeResult{Key: key}, storeError(finding.ActionUncertain, key, errContention)
}

// messageRef is a message id as the store keeps it: SNS's ids are UUIDs,
// and anything longer than MaxRefBytes is hashed (lifecycle.Ref).
func messageRef(id string) string { return lifecycle.Ref(id) }
