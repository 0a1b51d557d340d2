package main

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/metrics"
)

// heartbeat records f, the canary's heartbeat, as the last beat of its
// account and region (its CloudTrail time), unless a later one is
// recorded.
func (h *Handler) heartbeat(ctx context.Context, f *finding.Finding) (finding.DedupeResult, error) {
	if f.Kind != finding.KindHeartbeat || f.Region == "" || f.Time.IsZero() {
		return finding.DedupeResult{}, &finding.InvalidInputError{Reason: "a heartbeat needs a heartbeat finding with a region and a time"}
	}
	at := f.Time.UTC().Truncate(time.Second)
	newer, err := h.store.Heartbeat(ctx, f.Account, f.Region, at)
	if err != nil {
		return finding.DedupeResult{}, storeError(finding.ActionHeartbeat, f.Account+"#"+f.Region, err)
	}
	zerolog.Ctx(ctx).Info().Str("account", f.Account).Str("region", f.Region).Time("beat", at).Bool("newer", newer).Msg("heartbeat_recorded")
	metrics.Count(ctx, metrics.Events, metrics.Dimension{Name: "Outcome", Value: "heartbeat"})
	return finding.DedupeResult{Outcome: finding.OutcomeHeartbeat}, nil
}

// heartbeatAges emits HeartbeatAge for every expected target (its own,
// and the oldest without a dimension). A target that never beat counts
// from when a run first expected it. Errors are logged, not returned: the
// digests are sent whatever the heartbeats say, and a missing metric
// raises the heartbeat alarm (missing data is breaching).
func (h *Handler) heartbeatAges(ctx context.Context, now time.Time) {
	if len(h.cfg.HeartbeatTargets) == 0 {
		return
	}
	log := zerolog.Ctx(ctx)
	beats, err := h.store.Heartbeats(ctx, h.cfg.HeartbeatTargets, now)
	if err != nil {
		log.Error().Err(err).Msg("heartbeats_unread")
		return
	}
	oldest := 0.0
	for _, t := range h.cfg.HeartbeatTargets {
		age := max(now.Sub(beats[t]).Seconds(), 0)
		oldest = max(oldest, age)
		metrics.Emit(ctx, metrics.HeartbeatAge, age, metrics.Dimension{Name: "Account", Value: t.Account}, metrics.Dimension{Name: "Region", Value: t.Region})
	}
	metrics.Emit(ctx, metrics.HeartbeatAge, oldest)
	log.Info().Float64("oldest_heartbeat_age", oldest).Int("targets", len(h.cfg.HeartbeatTargets)).Msg("heartbeats_read")
}

// parseHeartbeatTargets reads HEARTBEAT_TARGETS: comma-separated
// <account>:<region>, empty for none.
func parseHeartbeatTargets(s string) ([]HeartbeatTarget, error) {
	var out []HeartbeatTarget
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		account, region, ok := strings.Cut(part, ":")
		if !ok || len(account) != 12 || strings.Trim(account, "0123456789") != "" || region == "" {
			return nil, fmt.Errorf("heartbeat target %q is not <12-digit account>:<region>", part)
		}
		out = append(out, HeartbeatTarget{Account: account, Region: region})
	}
	return out, nil
}
