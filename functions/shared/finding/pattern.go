package finding

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
)

//go:generate go run ../cmd/rulegen -dir ../../../statemachine/event-patterns -readme ../../../README.md

// Pattern is the event pattern of one EventBridge rule. The catalog is
// split into several rules because EventBridge's default quota for an event
// pattern is 2,048 characters (deployment.Facts.Quotas.EventPatternChars),
// which one pattern for the whole catalog exceeds.
type Pattern struct {
	// Name is the rule's group, a lowercase word: the service of its
	// entries ("ec2", "elasticloadbalancing", "s3", ...), or "evasion" for
	// the services whose only entries are defense evasion (CloudTrail,
	// GuardDuty, console sign-in), or "heartbeat" for the canary's
	// heartbeat. Rules are named
	// <name><rule suffix>-<Name> (trailwatch-cloudtrail-ec2) and the pattern
	// is committed as statemachine/event-patterns/<Name>.json. A group's
	// name changes only when its service does, so rule names are stable.
	Name string
	// JSON is the pattern: deterministic, indented JSON ending in a newline.
	JSON []byte
}

// PatternBranch is one alternative of a Pattern: a pattern of several
// branches is {"$or": [branch, ...]}, a pattern of one is that branch.
type PatternBranch struct {
	Source     []string `json:"source"`
	DetailType []string `json:"detail-type"`
	Detail     struct {
		EventSource []string `json:"eventSource"`
		// EventName holds names (strings) and, for Family entries,
		// {"prefix": name} objects.
		EventName []any `json:"eventName"`
		// RequestParameters is what the branch asks of the request (the
		// heartbeat's tag key), when it asks anything.
		RequestParameters any `json:"requestParameters,omitempty"`
	} `json:"detail"`
}

// mergedServices are services whose entries share one rule, by the name of
// that rule's group. Every other service has a rule of its own, named after
// it.
var mergedServices = map[string]string{
	"cloudtrail": "evasion",
	"guardduty":  "evasion",
	"signin":     "evasion",
}

// Group is the name of the rule (see Pattern.Name) that matches e's events.
func (e Entry) Group() string {
	if e.group != "" {
		return e.group
	}
	service := strings.TrimPrefix(e.Source(), "aws.")
	if g, ok := mergedServices[service]; ok {
		return g
	}
	return service
}

// EventPatterns returns the event patterns of the catalog's rules, sorted
// by name. Together they match exactly the catalog's events, and each event
// matches exactly one rule: every entry is in the rule of its Group, in
// one branch per event source and detail type (a pattern of several
// branches is their $or), each branch naming the EventBridge
// source, the detail type and the event names (a prefix match for Family
// entries). Matching on source as well as detail-type keeps out custom
// events that merely claim to come from CloudTrail.
func EventPatterns() []Pattern {
	type branch = PatternBranch
	type group struct {
		branches map[string]*branch
		order    []string
	}
	groups := map[string]*group{}
	for _, e := range Catalog() {
		g, ok := groups[e.Group()]
		if !ok {
			g = &group{branches: map[string]*branch{}}
			groups[e.Group()] = g
		}
		id := e.EventSource + " " + e.EventBridgeDetailType()
		b, ok := g.branches[id]
		if !ok {
			b = &branch{Source: []string{e.Source()}, DetailType: []string{e.EventBridgeDetailType()}}
			b.Detail.EventSource = []string{e.EventSource}
			b.Detail.RequestParameters = e.requestParameters
			g.branches[id] = b
			g.order = append(g.order, id)
		}
		if e.Family {
			b.Detail.EventName = append(b.Detail.EventName, map[string]string{"prefix": e.EventName})
		} else {
			b.Detail.EventName = append(b.Detail.EventName, e.EventName)
		}
	}
	out := make([]Pattern, 0, len(groups))
	for name, g := range groups {
		sort.Strings(g.order)
		// A group of one branch is that branch: $or only where needed.
		var pattern any = g.branches[g.order[0]]
		if len(g.order) > 1 {
			or := make([]*branch, 0, len(g.order))
			for _, id := range g.order {
				or = append(or, g.branches[id])
			}
			pattern = struct {
				Or []*branch `json:"$or"`
			}{or}
		}
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetIndent("", "  ")
		enc.SetEscapeHTML(false)
		if err := enc.Encode(pattern); err != nil {
			panic(err) // only plain strings and maps: cannot fail
		}
		out = append(out, Pattern{Name: name, JSON: buf.Bytes()})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}
