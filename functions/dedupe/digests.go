package main

import (
	"context"
	"slices"
	"time"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// digests returns the digests due now.
//
// The digest schedule's run also reads the expected heartbeats and emits
// their ages (heartbeatAges).
func (h *Handler) digests(ctx context.Context) (finding.DedupeResult, error) {
	now := h.now().UTC().Truncate(time.Second)
	h.heartbeatAges(ctx, now)
	ids, err := h.store.DueDigests(ctx, now, maxDigestsPerRun)
	if err != nil {
		return finding.DedupeResult{}, storeError(finding.ActionDigests, "", err)
	}
	if ids == nil {
		ids = []string{}
	}
	zerolog.Ctx(ctx).Info().Strs("digest_ids", ids).Msg("digests_due")
	return finding.DedupeResult{Digests: ids}, nil
}

// digest claims the digest of req and builds it from its alerts' records.
func (h *Handler) digest(ctx context.Context, req finding.DedupeRequest) (finding.DedupeResult, error) {
	now := h.now().UTC().Truncate(time.Second)
	fail := func(err error) (finding.DedupeResult, error) {
		return finding.DedupeResult{}, storeError(finding.ActionDigest, req.DigestID, err)
	}
	p, state, err := h.store.ClaimDigest(ctx, req.DigestID, req.ExecutionID, now, now.Add(h.cfg.Lease))
	if err != nil {
		return fail(err)
	}
	log := zerolog.Ctx(ctx)
	if state != DigestClaimed {
		log.Info().Str("state", string(state)).Msg("digest_not_claimed")
		return finding.DedupeResult{Outcome: finding.OutcomeDuplicate}, nil
	}
	var keys []string
	for _, m := range slices.Concat(p.Sent, p.Held) {
		_, k := lifecycle.ParseMember(m)
		keys = append(keys, k)
	}
	recs, err := h.store.Alerts(ctx, keys)
	if err != nil {
		return fail(err)
	}
	d := lifecycle.BuildDigest(p, recs, h.cfg.Storm.Threshold)
	log.Info().Int("sent", len(d.Sent)).Int("held", len(d.Held)).Int("more_held", d.MoreHeld).Int("overflow", p.Overflow).Msg("digest_claimed")
	return finding.DedupeResult{Outcome: finding.OutcomeDigest, Digest: &d}, nil
}

func (h *Handler) confirmDigest(ctx context.Context, req finding.DedupeRequest) (finding.DedupeResult, error) {
	ok, err := h.store.ConfirmDigest(ctx, req.DigestID, req.ExecutionID, messageRef(req.MessageID), h.now().UTC().Truncate(time.Second))
	if err != nil {
		return finding.DedupeResult{}, storeError(finding.ActionConfirm, req.DigestID, err)
	}
	if ok {
		zerolog.Ctx(ctx).Info().Str("message_id", req.MessageID).Msg("digest_confirmed")
	} else {
		zerolog.Ctx(ctx).Warn().Str("reason", "the digest was taken over").Msg("digest_not_confirmed")
	}
	return finding.DedupeResult{}, nil
}

func (h *Handler) releaseDigest(ctx context.Context, req finding.DedupeRequest) (finding.DedupeResult, error) {
	ok, err := h.store.ReleaseDigest(ctx, req.DigestID, req.ExecutionID)
	if err != nil {
		return finding.DedupeResult{}, storeError(finding.ActionRelease, req.DigestID, err)
	}
	zerolog.Ctx(ctx).Info().Bool("released", ok).Msg("digest_released")
	return finding.DedupeResult{}, nil
}
