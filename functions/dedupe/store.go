package main

import (
	"context"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// Store keeps alert records, the events counted on them, the index from
// resources to their open alerts, storm periods and the rules file. Every
// write is atomic and conditional, so concurrent and repeated invocations
// (Lambda and Step Functions deliver at least once) agree: a write whose
// record changed since it was read is refused (false, no error), and the
// handler reads again and decides again. An error means the store could
// not answer.
type Store interface {
	// Alert returns the record under key, read strongly consistent
	// (Exists false when there is none).
	Alert(ctx context.Context, key string) (lifecycle.Record, error)
	// Alerts returns the records of keys that exist, by key.
	Alerts(ctx context.Context, keys []string) (map[string]lifecycle.Record, error)

	// Claim writes c.Next in place of c.Prev, as c.Reason allows (see
	// claimGuard), counts c.Next.EventID on the key when c.Count, and lists
	// the key under c.Next.Indexed. Granted is false when c.Prev no longer
	// stands; Counted is false when the event was counted before (nothing
	// is written then).
	Claim(ctx context.Context, c Claim) (ClaimResult, error)
	// Refresh renews the window and lease of the pending claim prev holds,
	// as next has them, if prev's execution still holds it.
	Refresh(ctx context.Context, prev, next lifecycle.Record) (bool, error)
	// Repeat counts eventID, seen at seen, on the open alert prev while
	// its window runs at now. Open is false when the alert is no longer
	// open within its window; Counted false when the event was counted
	// before.
	Repeat(ctx context.Context, prev lifecycle.Record, eventID string, seen, now time.Time) (RepeatResult, error)
	// Confirm marks the alert under key open (SNS accepted it), recording
	// messageID as its opening message when it has none, if eventID holds
	// it. It reports false when eventID does not hold it.
	Confirm(ctx context.Context, key, eventID, messageID string, at time.Time) (bool, error)
	// Replace writes next in place of prev, the pending claim of
	// prev.EventID, if it still stands: a later receive of the event takes
	// it over, or its publish is marked uncertain.
	Replace(ctx context.Context, prev, next lifecycle.Record) (bool, error)
	// Release gives back the pending claim prev holds: it deletes the
	// record (remove) or writes next, and forgets that the event was
	// counted. It reports false when prev no longer stands.
	Release(ctx context.Context, prev, next lifecycle.Record, remove bool) (bool, error)

	// Close writes next, the open alert prev updated or resolved by a
	// closing event. It reports false when prev no longer stands. A
	// resolved alert stays listed in the resource index until a closing
	// event finds it settled there (Unindex), so that a retry of the
	// closing execution, or another one, still finds it while its
	// resolution is being sent.
	Close(ctx context.Context, prev, next lifecycle.Record) (bool, error)
	// ConfirmMessage settles the pending kind message of eventID about the
	// alert under key, recording messageID. It reports false when there is
	// no such message.
	ConfirmMessage(ctx context.Context, key string, kind finding.MessageKind, eventID, messageID string, at time.Time) (bool, error)
	// ReleaseMessage writes next, the alert as it was before prev's pending
	// message. It reports false when prev no longer stands.
	ReleaseMessage(ctx context.Context, prev, next lifecycle.Record) (bool, error)

	// Indexed returns the alert keys the resource index lists under each
	// of refs (lifecycle.Ref) in account and region.
	Indexed(ctx context.Context, account, region string, refs []string) (map[string][]string, error)
	// Unindex unlists keys from the resource ref of account and region.
	Unindex(ctx context.Context, account, region, ref string, keys []string) error

	// Gate counts the message g.Member in its storm's current period (a new
	// period starts with the first message after the last one ended) and
	// says whether it goes out at once or is held for the period's digest.
	Gate(ctx context.Context, g Gate) (Gated, error)
	// DueDigests returns the ids of at most max digests due at now, oldest
	// first.
	DueDigests(ctx context.Context, now time.Time, max int) ([]string, error)
	// ClaimDigest claims the digest id for executionID until leaseEnds,
	// ends its storm period at now (later messages start a new one), and
	// returns the period, whose members no longer change.
	ClaimDigest(ctx context.Context, id, executionID string, now, leaseEnds time.Time) (lifecycle.Period, DigestState, error)
	// ConfirmDigest marks the digest sent, if executionID holds it.
	ConfirmDigest(ctx context.Context, id, executionID, messageID string, at time.Time) (bool, error)
	// ReleaseDigest gives the digest back, if executionID holds it.
	ReleaseDigest(ctx context.Context, id, executionID string) (bool, error)

	// Heartbeat records at as the last heartbeat of account and region,
	// unless a later one is recorded (false then).
	Heartbeat(ctx context.Context, account, region string, at time.Time) (bool, error)
	// Heartbeats returns, for each target, the last heartbeat recorded or,
	// for a target that never beat, when it was first expected (now, the
	// first time it is asked for, which it records).
	Heartbeats(ctx context.Context, targets []HeartbeatTarget, now time.Time) (map[HeartbeatTarget]time.Time, error)

	// Rules returns the stored rules file; found is false when there is
	// none.
	Rules(ctx context.Context) (RulesFile, bool, error)
}

// Claim asks the store to hold an alert key for one event.
type Claim struct {
	// Prev is the record as read; Next the record to write.
	Prev, Next lifecycle.Record
	Reason     lifecycle.ClaimReason
	// Now is the time of the claim. A window or lease that ends at or before
	// Now has ended.
	Now time.Time
	// Count counts Next.EventID on the key.
	Count bool
}

// ClaimResult is the answer to a Claim.
type ClaimResult struct {
	Granted bool
	Counted bool
	// Unindexed are the resources of Next.Indexed the key could not be
	// listed under (their index is full).
	Unindexed []string
}

// RepeatResult is the answer to a Repeat.
type RepeatResult struct {
	Open    bool
	Counted bool
}

// Gate is one message counted against its storm.
type Gate struct {
	Storm lifecycle.Storm
	// Member is the message (lifecycle.Member).
	Member string
	Now    time.Time
	Config lifecycle.StormConfig
	// Retention is how long after its period a storm is kept.
	Retention time.Duration
	// Hold holds the message whatever the count (a closing event with too
	// many messages for one execution).
	Hold bool
}

// Gated is the answer to a Gate.
type Gated struct {
	// Held is true when the message waits for the digest DigestID.
	Held     bool
	DigestID string
	// Overflow is true when the message should have been held but the
	// period holds all it can: it goes out at once.
	Overflow bool
}

// DigestState is what ClaimDigest found.
type DigestState string

// Digest states.
const (
	DigestClaimed  DigestState = "claimed"
	DigestSent     DigestState = "sent"
	DigestInFlight DigestState = "in-flight"
	DigestGone     DigestState = "gone"
)

// HeartbeatTarget is one account and region the canary beats in.
type HeartbeatTarget struct {
	Account, Region string
}

// RulesFile is the rules file as stored.
type RulesFile struct {
	Name   string
	Text   []byte
	Digest string
}
