package lifecycle

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Storm is who a burst of messages comes from: more than the threshold of
// them from one account, actor and event name within one period are held
// back and sent as one digest at the end of the period.
type Storm struct {
	Account   string
	Actor     string
	EventName string
}

// StormOf returns the storm rep's messages count against.
func StormOf(rep Report) Storm {
	return Storm{Account: rep.Account, Actor: rep.Actor, EventName: rep.EventName}
}

// Hash names the storm in the store: 32 hex digits of a SHA-256 of its
// account, actor and event name (an actor ARN can be long).
func (s Storm) Hash() string {
	sum := sha256.Sum256([]byte(s.Account + "\x00" + s.Actor + "\x00" + s.EventName))
	return hex.EncodeToString(sum[:16])
}

// DigestID names the digest of the storm period of hash that starts at
// start: "<hash>-<start in epoch seconds>".
func DigestID(hash string, start time.Time) string {
	return hash + "-" + strconv.FormatInt(start.Unix(), 10)
}

// ParseDigestID returns the hash and period start of a DigestID.
func ParseDigestID(id string) (hash string, start time.Time, err error) {
	hash, sec, ok := strings.Cut(id, "-")
	n, perr := strconv.ParseInt(sec, 10, 64)
	if !ok || perr != nil || len(hash) != 32 || strings.Trim(hash, "0123456789abcdef") != "" {
		return "", time.Time{}, fmt.Errorf("digest id %q is not <32 hex digits>-<epoch seconds>", id)
	}
	return hash, time.Unix(n, 0).UTC(), nil
}

// Member is how a storm period lists a message: its kind and alert key.
func Member(kind finding.MessageKind, key string) string {
	if kind == "" {
		kind = finding.MessageAlert
	}
	return string(kind) + "#" + key
}

// ParseMember returns the kind and alert key of a Member.
func ParseMember(m string) (finding.MessageKind, string) {
	kind, key, _ := strings.Cut(m, "#")
	return finding.MessageKind(kind), key
}

// StormConfig is how storms are told apart from ordinary traffic.
type StormConfig struct {
	// Threshold is how many messages of one storm go out at once within a
	// period; further ones are held for its digest.
	Threshold int
	// Period is how long a storm period lasts from its first message.
	Period time.Duration
	// Interval is how often the digest schedule runs: a period's digest is
	// due one Interval before the period ends, so that the schedule sends
	// it before the period is over and nothing held waits longer than one
	// period.
	Interval time.Duration
}

// Due returns when the digest of a period that ends at end is due.
func (c StormConfig) Due(start, end time.Time) time.Time {
	due := end.Add(-c.Interval)
	if due.Before(start) {
		return start
	}
	return due
}

// Period is one storm period as the store keeps it.
type Period struct {
	ID         string
	Storm      Storm
	Start, End time.Time
	// Sent and Held are the Members of the messages sent at once and held.
	Sent, Held []string
	// Overflow counts messages the period could not hold (the store's
	// bound), which went out at once instead.
	Overflow int
}
