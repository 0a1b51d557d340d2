package main

import (
	"cmp"
	"context"
	"slices"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// close updates and resolves the open alerts of the closing finding c's
// resources (found through the resource index): it reads them all first,
// and waits (AlertInFlightError) while any of them is being sent by
// another execution; then each that c's live state changes
// (lifecycle.OnClosing) is written, oldest first, at most
// maxClosesPerEvent, its message counted against c's storm: the messages
// to send are the result's, the others wait for the storm's digest.
func (h *Handler) close(ctx context.Context, c *finding.Finding, rep lifecycle.Report) (finding.DedupeResult, error) {
	log := zerolog.Ctx(ctx)
	fail := func(err error) (finding.DedupeResult, error) {
		return finding.DedupeResult{Key: rep.Key}, storeError(finding.ActionClaim, rep.Key, err)
	}
	var refs []string
	for _, r := range c.Resources {
		if ref := lifecycle.Ref(r.ID); !slices.Contains(refs, ref) && len(refs) < lifecycle.MaxIndexed {
			refs = append(refs, ref)
		}
	}
	listed, err := h.store.Indexed(ctx, rep.Account, rep.Region, refs)
	if err != nil {
		return fail(err)
	}
	var keys []string
	for _, ks := range listed {
		keys = append(keys, ks...)
	}
	slices.Sort(keys)
	keys = slices.Compact(keys)
	recs, err := h.store.Alerts(ctx, keys)
	if err != nil {
		return fail(err)
	}
	for ref, ks := range listed {
		var gone []string
		for _, k := range ks {
			if r, ok := recs[k]; !ok || (r.Status == finding.AlertResolved && (r.Message == nil || !r.Message.Pending)) {
				gone = append(gone, k)
			}
		}
		if len(gone) == 0 {
			continue
		}
		if err := h.store.Unindex(ctx, rep.Account, rep.Region, ref, gone); err != nil {
			return fail(err)
		}
	}

	ordered := make([]lifecycle.Record, 0, len(recs))
	for _, r := range recs {
		ordered = append(ordered, r)
	}
	slices.SortFunc(ordered, func(a, b lifecycle.Record) int {
		return cmp.Or(a.FirstSeen.Compare(b.FirstSeen), cmp.Compare(a.Key, b.Key))
	})
	cfg := h.cfg.lifecycle()
	for _, rec := range ordered {
		if lifecycle.OnClosing(rec, c, rep, cfg).Step == lifecycle.StepInFlight {
			return h.inFlight(ctx, rec.Key, rec)
		}
	}

	out := result(rep.Key, finding.OutcomeNothing, func(r *finding.DedupeResult) { r.Messages = []finding.LifecycleMessage{} })
	changed := 0
	for _, rec := range ordered {
		if changed == maxClosesPerEvent {
			log.Warn().Int("left_open", len(ordered)-changed).Msg("closes_bounded")
			break
		}
		msg, kind, err := h.closeOne(ctx, c, rep, rec, len(out.Messages) >= maxClosureMessages)
		if err != nil {
			return fail(err)
		}
		switch kind {
		case finding.MessageResolved:
			out.Resolved++
		case finding.MessageUpdate:
			out.Updated++
		default:
			continue
		}
		changed++
		if msg != nil {
			out.Messages = append(out.Messages, *msg)
		}
	}
	if changed > 0 {
		out.Outcome = finding.OutcomeClosed
	}
	log.Info().Int("alerts", len(ordered)).Int("resolved", out.Resolved).Int("updated", out.Updated).
		Int("messages", len(out.Messages)).Msg("closing_decided")
	return out, nil
}

// closeOne writes what c does to one alert, reading it again when it
// changed under the decision. It returns the kind of the alert's message
// (empty: c changes nothing of it), and the message to send (nil when held
// for a digest). hold holds the message whatever the storm's count.
func (h *Handler) closeOne(ctx context.Context, c *finding.Finding, rep lifecycle.Report, rec lifecycle.Record, hold bool) (*finding.LifecycleMessage, finding.MessageKind, error) {
	log := zerolog.Ctx(ctx).With().Str("alert_key", rec.Key).Str("alert_id", rec.ID).Logger()
	for attempt := range maxAttempts {
		if attempt > 0 {
			var err error
			if rec, err = h.store.Alert(ctx, rec.Key); err != nil {
				return nil, "", err
			}
		}
		d := lifecycle.OnClosing(rec, c, rep, h.cfg.lifecycle())
		switch d.Step {
		case lifecycle.StepNone, lifecycle.StepInFlight:
			return nil, "", nil
		}
		g, err := h.store.Gate(ctx, h.gate(rep, lifecycle.Member(d.Kind, rec.Key), hold))
		if err != nil {
			return nil, "", err
		}
		next := d.Next
		if g.Held {
			next = next.HeldMessage(g.DigestID)
		}
		if d.Step != lifecycle.StepResend || g.Held {
			ok, err := h.store.Close(ctx, rec, next)
			if err != nil {
				return nil, "", err
			}
			if !ok {
				continue
			}
		}
		log.Info().Str("kind", string(d.Kind)).Str("step", string(d.Step)).Bool("held", g.Held).Str("digest_id", g.DigestID).
			Int("still_open", len(next.Open)).Msg("alert_closing_recorded")
		if g.Held {
			return nil, d.Kind, nil
		}
		return &finding.LifecycleMessage{Kind: d.Kind, Alert: next.Alert()}, d.Kind, nil
	}
	return nil, "", errContention
}
