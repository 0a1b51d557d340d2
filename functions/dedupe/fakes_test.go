package main

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// fakeStore is a Store whose behaviour each test states; a method a test
// leaves unset fails the test when called. Calls records every call, as
// "Method arg...", unless Quiet (benchmarks).
type fakeStore struct {
	t     testing.TB
	Calls []string
	Quiet bool

	AlertFn          func(key string) (lifecycle.Record, error)
	AlertsFn         func(keys []string) (map[string]lifecycle.Record, error)
	ClaimFn          func(c Claim) (ClaimResult, error)
	RefreshFn        func(prev, next lifecycle.Record) (bool, error)
	RepeatFn         func(prev lifecycle.Record, eventID string, seen, now time.Time) (RepeatResult, error)
	ConfirmFn        func(key, eventID, messageID string, at time.Time) (bool, error)
	ReleaseFn        func(prev, next lifecycle.Record, remove bool) (bool, error)
	CloseFn          func(prev, next lifecycle.Record) (bool, error)
	ConfirmMessageFn func(key string, kind finding.MessageKind, eventID, messageID string, at time.Time) (bool, error)
	ReleaseMessageFn func(prev, next lifecycle.Record) (bool, error)
	IndexedFn        func(account, region string, refs []string) (map[string][]string, error)
	UnindexFn        func(account, region, ref string, keys []string) error
	GateFn           func(g Gate) (Gated, error)
	DueDigestsFn     func(now time.Time, max int) ([]string, error)
	ClaimDigestFn    func(id, executionID string, now, leaseEnds time.Time) (lifecycle.Period, DigestState, error)
	ConfirmDigestFn  func(id, executionID, messageID string, at time.Time) (bool, error)
	ReleaseDigestFn  func(id, executionID string) (bool, error)
	RulesFn          func() (RulesFile, bool, error)
	ReplaceFn        func(prev, next lifecycle.Record) (bool, error)
	HeartbeatFn      func(account, region string, at time.Time) (bool, error)
	HeartbeatsFn     func(targets []HeartbeatTarget, now time.Time) (map[HeartbeatTarget]time.Time, error)
}

func (s *fakeStore) Replace(_ context.Context, prev, next lifecycle.Record) (bool, error) {
	s.call(s.ReplaceFn, "Replace", prev.Key, next.Status)
	return s.ReplaceFn(prev, next)
}

func (s *fakeStore) Heartbeat(_ context.Context, account, region string, at time.Time) (bool, error) {
	s.call(s.HeartbeatFn, "Heartbeat", account, region, at.Format(time.RFC3339))
	return s.HeartbeatFn(account, region, at)
}

func (s *fakeStore) Heartbeats(_ context.Context, targets []HeartbeatTarget, now time.Time) (map[HeartbeatTarget]time.Time, error) {
	s.call(s.HeartbeatsFn, "Heartbeats", len(targets))
	return s.HeartbeatsFn(targets, now)
}

var _ Store = (*fakeStore)(nil)

func (s *fakeStore) call(fn any, method string, args ...any) {
	s.t.Helper()
	if reflect.ValueOf(fn).IsNil() {
		s.t.Fatalf("unexpected %s", method)
	}
	if s.Quiet {
		return
	}
	parts := []string{method}
	for _, a := range args {
		parts = append(parts, fmt.Sprint(a))
	}
	s.Calls = append(s.Calls, strings.Join(parts, " "))
}

func (s *fakeStore) Alert(_ context.Context, key string) (lifecycle.Record, error) {
	s.call(s.AlertFn, "Alert", key)
	return s.AlertFn(key)
}

func (s *fakeStore) Alerts(_ context.Context, keys []string) (map[string]lifecycle.Record, error) {
	s.call(s.AlertsFn, "Alerts", keys)
	return s.AlertsFn(keys)
}

func (s *fakeStore) Claim(_ context.Context, c Claim) (ClaimResult, error) {
	s.call(s.ClaimFn, "Claim", c.Reason, c.Next.Status, c.Next.EventID, c.Count)
	return s.ClaimFn(c)
}

func (s *fakeStore) Refresh(_ context.Context, prev, next lifecycle.Record) (bool, error) {
	s.call(s.RefreshFn, "Refresh", prev.Key)
	return s.RefreshFn(prev, next)
}

func (s *fakeStore) Repeat(_ context.Context, prev lifecycle.Record, eventID string, seen, now time.Time) (RepeatResult, error) {
	s.call(s.RepeatFn, "Repeat", prev.Key, eventID)
	return s.RepeatFn(prev, eventID, seen, now)
}

func (s *fakeStore) Confirm(_ context.Context, key, eventID, messageID string, at time.Time) (bool, error) {
	s.call(s.ConfirmFn, "Confirm", key, eventID, messageID, at.Format(time.RFC3339))
	return s.ConfirmFn(key, eventID, messageID, at)
}

func (s *fakeStore) Release(_ context.Context, prev, next lifecycle.Record, remove bool) (bool, error) {
	s.call(s.ReleaseFn, "Release", prev.Key, remove)
	return s.ReleaseFn(prev, next, remove)
}

func (s *fakeStore) Close(_ context.Context, prev, next lifecycle.Record) (bool, error) {
	s.call(s.CloseFn, "Close", prev.Key, next.Status)
	return s.CloseFn(prev, next)
}

func (s *fakeStore) ConfirmMessage(_ context.Context, key string, kind finding.MessageKind, eventID, messageID string, at time.Time) (bool, error) {
	s.call(s.ConfirmMessageFn, "ConfirmMessage", key, kind, eventID, messageID)
	return s.ConfirmMessageFn(key, kind, eventID, messageID, at)
}

func (s *fakeStore) ReleaseMessage(_ context.Context, prev, next lifecycle.Record) (bool, error) {
	s.call(s.ReleaseMessageFn, "ReleaseMessage", prev.Key, next.Status)
	return s.ReleaseMessageFn(prev, next)
}

func (s *fakeStore) Indexed(_ context.Context, account, region string, refs []string) (map[string][]string, error) {
	s.call(s.IndexedFn, "Indexed", account, region, refs)
	return s.IndexedFn(account, region, refs)
}

func (s *fakeStore) Unindex(_ context.Context, account, region, ref string, keys []string) error {
	s.call(s.UnindexFn, "Unindex", ref, keys)
	return s.UnindexFn(account, region, ref, keys)
}

func (s *fakeStore) Gate(_ context.Context, g Gate) (Gated, error) {
	s.call(s.GateFn, "Gate", g.Member, g.Hold)
	return s.GateFn(g)
}

func (s *fakeStore) DueDigests(_ context.Context, now time.Time, max int) ([]string, error) {
	s.call(s.DueDigestsFn, "DueDigests", max)
	return s.DueDigestsFn(now, max)
}

func (s *fakeStore) ClaimDigest(_ context.Context, id, executionID string, now, leaseEnds time.Time) (lifecycle.Period, DigestState, error) {
	s.call(s.ClaimDigestFn, "ClaimDigest", id, executionID)
	return s.ClaimDigestFn(id, executionID, now, leaseEnds)
}

func (s *fakeStore) ConfirmDigest(_ context.Context, id, executionID, messageID string, at time.Time) (bool, error) {
	s.call(s.ConfirmDigestFn, "ConfirmDigest", id, executionID, messageID)
	return s.ConfirmDigestFn(id, executionID, messageID, at)
}

func (s *fakeStore) ReleaseDigest(_ context.Context, id, executionID string) (bool, error) {
	s.call(s.ReleaseDigestFn, "ReleaseDigest", id, executionID)
	return s.ReleaseDigestFn(id, executionID)
}

func (s *fakeStore) Rules(context.Context) (RulesFile, bool, error) {
	s.call(s.RulesFn, "Rules")
	return s.RulesFn()
}
