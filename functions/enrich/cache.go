package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/metrics"
)

// Cache keeps the answers of lookups for a few seconds within a container,
// so that a burst of events on the same resources (a storm of changes to
// one security group) asks AWS once per kind of lookup instead of once per
// event. Concurrent identical lookups share one call. An answer serves an
// event only when it was fetched after the event happened (see
// WithNotBefore): a change the event reports is never judged from state
// older than the change. Errors are not kept.
type Cache struct {
	// TTL is how long an answer is kept.
	TTL time.Duration
	// Now is the clock; nil means time.Now.
	Now func() time.Time

	mu      sync.Mutex
	entries map[string]*cacheEntry
}

// DefaultCacheTTL is how long enrich keeps an answer.
const DefaultCacheTTL = 5 * time.Second

// maxCacheEntries bounds the cache: past it, expired entries are dropped.
const maxCacheEntries = 1024

type cacheEntry struct {
	done    chan struct{}
	fetched time.Time
	val     any
	err     error
}

type notBeforeKey struct{}

// WithNotBefore returns ctx for lookups that must not be answered from
// state fetched before t: the time of the event being judged.
func WithNotBefore(ctx context.Context, t time.Time) context.Context {
	return context.WithValue(ctx, notBeforeKey{}, t)
}

func (c *Cache) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// cached returns the answer for key: a fresh kept one, the one being
// fetched, or fetch's.
//
// Each call made (not answered from the cache) counts in the Lookups
// metric by its lookup's name.
func cached[T any](ctx context.Context, c *Cache, key string, fetch func() (T, error)) (T, error) {
	fetch = countLookup(ctx, key, fetch)
	if c == nil {
		return fetch()
	}
	notBefore, _ := ctx.Value(notBeforeKey{}).(time.Time)
	for {
		c.mu.Lock()
		now := c.now()
		e, ok := c.entries[key]
		usable := ok && !e.fetched.Before(notBefore) && now.Sub(e.fetched) < c.TTL
		if !usable {
			e = &cacheEntry{done: make(chan struct{}), fetched: now}
			c.put(key, e, now)
			c.mu.Unlock()
			v, err := fetch()
			e.val, e.err = v, err
			if err != nil {
				c.mu.Lock()
				if c.entries[key] == e {
					delete(c.entries, key)
				}
				c.mu.Unlock()
			}
			close(e.done)
			return v, err
		}
		c.mu.Unlock()
		select {
		case <-e.done:
		case <-ctx.Done():
			var zero T
			return zero, ctx.Err()
		}
		if e.err != nil {
			continue // the shared call failed: try our own
		}
		return e.val.(T), nil
	}
}

// countLookup returns fetch counting itself in the Lookups metric, by the
// call named in key (see cacheKey).
func countLookup[T any](ctx context.Context, key string, fetch func() (T, error)) func() (T, error) {
	return func() (T, error) {
		_, rest, _ := strings.Cut(key, "|")
		op, _, _ := strings.Cut(rest, "|")
		metrics.Count(ctx, metrics.Lookups, metrics.Dimension{Name: "Operation", Value: op})
		return fetch()
	}
}

// put stores e under key, dropping expired entries when the cache is full.
// c.mu is held.
func (c *Cache) put(key string, e *cacheEntry, now time.Time) {
	if c.entries == nil {
		c.entries = map[string]*cacheEntry{}
	}
	if len(c.entries) >= maxCacheEntries {
		for k, old := range c.entries {
			if now.Sub(old.fetched) >= c.TTL {
				delete(c.entries, k)
			}
		}
	}
	c.entries[key] = e
}

// cacheKey is the key of a lookup: the account and region (scope), the
// call and its arguments, lists of ids in any order.
func cacheKey(scope, call string, args ...any) string {
	var b strings.Builder
	b.WriteString(scope)
	b.WriteString("|")
	b.WriteString(call)
	for _, a := range args {
		if ids, ok := a.([]string); ok {
			a = slices.Sorted(slices.Values(ids))
		}
		fmt.Fprintf(&b, "|%v", a)
	}
	return b.String()
}

// cachedLookups are Lookups whose answers are kept in a Cache, under keys
// scoped to one account and region.
type cachedLookups struct {
	inner Lookups
	cache *Cache
	scope string
}

var _ Lookups = cachedLookups{}

func (l cachedLookups) key(call string, args ...any) string { return cacheKey(l.scope, call, args...) }

func (l cachedLookups) SecurityGroups(ctx context.Context, ids []string) ([]finding.SecurityGroup, error) {
	return cached(ctx, l.cache, l.key("SecurityGroups", ids), func() ([]finding.SecurityGroup, error) { return l.inner.SecurityGroups(ctx, ids) })
}

func (l cachedLookups) Instances(ctx context.Context, ids []string) ([]Instance, error) {
	return cached(ctx, l.cache, l.key("Instances", ids), func() ([]Instance, error) { return l.inner.Instances(ctx, ids) })
}

func (l cachedLookups) Addresses(ctx context.Context, ids []string) ([]Address, error) {
	return cached(ctx, l.cache, l.key("Addresses", ids), func() ([]Address, error) { return l.inner.Addresses(ctx, ids) })
}

func (l cachedLookups) NetworkInterfaces(ctx context.Context, ids, groupIDs []string) ([]NetworkInterface, error) {
	return cached(ctx, l.cache, l.key("NetworkInterfaces", ids, groupIDs), func() ([]NetworkInterface, error) { return l.inner.NetworkInterfaces(ctx, ids, groupIDs) })
}

func (l cachedLookups) InterfacesIn(ctx context.Context, subnets, vpcs []string) ([]NetworkInterface, error) {
	return cached(ctx, l.cache, l.key("InterfacesIn", subnets, vpcs), func() ([]NetworkInterface, error) { return l.inner.InterfacesIn(ctx, subnets, vpcs) })
}

func (l cachedLookups) RouteTables(ctx context.Context, ids, vpcs []string) ([]finding.RouteTable, error) {
	return cached(ctx, l.cache, l.key("RouteTables", ids, vpcs), func() ([]finding.RouteTable, error) { return l.inner.RouteTables(ctx, ids, vpcs) })
}

func (l cachedLookups) NetworkACLs(ctx context.Context, ids, subnets []string) ([]finding.NetworkACL, error) {
	return cached(ctx, l.cache, l.key("NetworkACLs", ids, subnets), func() ([]finding.NetworkACL, error) { return l.inner.NetworkACLs(ctx, ids, subnets) })
}

func (l cachedLookups) PrefixLists(ctx context.Context, ids []string) ([]finding.PrefixList, error) {
	return cached(ctx, l.cache, l.key("PrefixLists", ids), func() ([]finding.PrefixList, error) { return l.inner.PrefixLists(ctx, ids) })
}

func (l cachedLookups) Subnets(ctx context.Context, ids []string) ([]Subnet, error) {
	return cached(ctx, l.cache, l.key("Subnets", ids), func() ([]Subnet, error) { return l.inner.Subnets(ctx, ids) })
}

// shares is an image's or snapshot's grantees and whether it exists.
type shares struct {
	grantees []string
	found    bool
}

// shares keeps the answer of a shares lookup (fetch) under call and id.
func (l cachedLookups) shares(ctx context.Context, call, id string, fetch func(context.Context, string) ([]string, bool, error)) ([]string, bool, error) {
	s, err := cached(ctx, l.cache, l.key(call, id), func() (shares, error) {
		g, found, err := fetch(ctx, id)
		return shares{g, found}, err
	})
	return s.grantees, s.found, err
}

func (l cachedLookups) ImageShares(ctx context.Context, id string) ([]string, bool, error) {
	return l.shares(ctx, "ImageShares", id, l.inner.ImageShares)
}

func (l cachedLookups) SnapshotShares(ctx context.Context, id string) ([]string, bool, error) {
	return l.shares(ctx, "SnapshotShares", id, l.inner.SnapshotShares)
}

func (l cachedLookups) DBSnapshotShares(ctx context.Context, id string) ([]string, bool, error) {
	return l.shares(ctx, "DBSnapshotShares", id, l.inner.DBSnapshotShares)
}

func (l cachedLookups) DBClusterSnapshotShares(ctx context.Context, id string) ([]string, bool, error) {
	return l.shares(ctx, "DBClusterSnapshotShares", id, l.inner.DBClusterSnapshotShares)
}

func (l cachedLookups) LoadBalancers(ctx context.Context, ids []string) ([]LoadBalancer, error) {
	return cached(ctx, l.cache, l.key("LoadBalancers", ids), func() ([]LoadBalancer, error) { return l.inner.LoadBalancers(ctx, ids) })
}

func (l cachedLookups) DBInstances(ctx context.Context, ids, clusters []string) ([]Database, error) {
	return cached(ctx, l.cache, l.key("DBInstances", ids, clusters), func() ([]Database, error) { return l.inner.DBInstances(ctx, ids, clusters) })
}

func (l cachedLookups) DBClusters(ctx context.Context, ids []string) ([]Database, error) {
	return cached(ctx, l.cache, l.key("DBClusters", ids), func() ([]Database, error) { return l.inner.DBClusters(ctx, ids) })
}

func (l cachedLookups) RedshiftClusters(ctx context.Context, ids []string) ([]Database, error) {
	return cached(ctx, l.cache, l.key("RedshiftClusters", ids), func() ([]Database, error) { return l.inner.RedshiftClusters(ctx, ids) })
}

// bucket is a Bucket answer.
type bucket struct {
	access finding.BucketAccess
	tags   map[string]string
	found  bool
}

func (l cachedLookups) Bucket(ctx context.Context, account, name string) (finding.BucketAccess, map[string]string, bool, error) {
	b, err := cached(ctx, l.cache, l.key("Bucket", account, name), func() (bucket, error) {
		a, t, found, err := l.inner.Bucket(ctx, account, name)
		return bucket{a, t, found}, err
	})
	return b.access, b.tags, b.found, err
}

// function is a Function answer.
type function struct {
	access finding.FunctionAccess
	tags   map[string]string
	found  bool
}

func (l cachedLookups) Function(ctx context.Context, account, region, name string) (finding.FunctionAccess, map[string]string, bool, error) {
	f, err := cached(ctx, l.cache, l.key("Function", account, region, name), func() (function, error) {
		a, t, found, err := l.inner.Function(ctx, account, region, name)
		return function{a, t, found}, err
	})
	return f.access, f.tags, f.found, err
}
