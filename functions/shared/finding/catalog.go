package finding

import (
	"sort"
	"strings"
)

// Effect says what a catalog event can do to exposure.
type Effect string

// Effects.
const (
	// EffectOpens: the call can open a path from the internet.
	EffectOpens Effect = "opens"
	// EffectCloses: the call can remove such a path.
	EffectCloses Effect = "closes"
	// EffectWatch: the call exposes nothing by itself but is watched (data
	// events on watched buckets).
	EffectWatch Effect = "watch"
)

// Entry is one event of the catalog: the CloudTrail events trailwatch
// understands.
type Entry struct {
	// EventSource is the CloudTrail eventSource, e.g. "ec2.amazonaws.com".
	EventSource string
	// EventName is the CloudTrail eventName. When Family is true it is a
	// prefix: Lambda names carry API-version suffixes.
	EventName string
	Family    bool
	Category  Category
	Effect    Effect
	// Description says what the call means for exposure, for the README.
	Description string

	parse func(*record, *Finding) error
	// confirm, when set, recomputes OpensExposure from live facts.
	confirm func(*Finding)
}

// Source is the EventBridge source of the entry's events: "aws." followed
// by the service part of the eventSource.
func (e Entry) Source() string {
	return "aws." + strings.TrimSuffix(e.EventSource, ".amazonaws.com")
}

var catalog = []Entry{
	{EventSource: "ec2.amazonaws.com", EventName: "RunInstances", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Launches instances; a public IP requested per network interface (or given by the subnet default) and their security groups decide exposure.",
		parse:       parseRunInstances, confirm: confirmRunInstances},
	{EventSource: "ec2.amazonaws.com", EventName: "AllocateAddress", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Allocates an Elastic IP: a new internet address in the account.",
		parse:       parseAllocateAddress},
	{EventSource: "ec2.amazonaws.com", EventName: "AssociateAddress", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Attaches an Elastic IP to an instance or network interface, making it reachable from the internet.",
		parse:       parseAssociateAddress},
	{EventSource: "ec2.amazonaws.com", EventName: "AuthorizeSecurityGroupIngress", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Adds ingress rules to a security group; a source with prefix length 0 opens the ports to the world.",
		parse:       parseAuthorizeSecurityGroupIngress},
	{EventSource: "elasticloadbalancing.amazonaws.com", EventName: "CreateLoadBalancer", Category: CategoryLoadBalancer, Effect: EffectOpens,
		Description: "Creates a classic (2012-06-01) or v2 (2015-12-01) load balancer; internet-facing unless its scheme is internal.",
		parse:       parseCreateLoadBalancer},
	{EventSource: "s3.amazonaws.com", EventName: "PutObject", Category: CategoryData, Effect: EffectWatch,
		Description: "Writes an object to a bucket whose data events the trail records (watched buckets).",
		parse:       parsePutObject},
}

// Catalog returns the catalog's entries, sorted by event source and name.
// The slice is a copy.
func Catalog() []Entry {
	out := append([]Entry(nil), catalog...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].EventSource != out[j].EventSource {
			return out[i].EventSource < out[j].EventSource
		}
		return out[i].EventName < out[j].EventName
	})
	return out
}

var index = func() map[string]Entry {
	m := make(map[string]Entry, len(catalog))
	for _, e := range catalog {
		if !e.Family {
			m[e.EventSource+" "+e.EventName] = e
		}
	}
	return m
}()

// Lookup returns the catalog entry of an event, matching a Family entry by
// prefix.
func Lookup(eventSource, eventName string) (Entry, bool) {
	if e, ok := index[eventSource+" "+eventName]; ok {
		return e, true
	}
	for _, e := range catalog {
		if e.Family && e.EventSource == eventSource && strings.HasPrefix(eventName, e.EventName) {
			return e, true
		}
	}
	return Entry{}, false
}

// Reassess marks f as enriched and recomputes OpensExposure (for events
// whose exposure only the live account can tell, such as an instance given
// a public IP by its subnet's default) and Severity from the live facts now
// on its resources. A failed call stays unexposed.
func Reassess(f *Finding) {
	f.Enriched = true
	if e, ok := Lookup(f.EventSource, f.EventName); ok && e.confirm != nil && !f.Failed() {
		e.confirm(f)
	}
	f.Severity = Assess(f)
}
