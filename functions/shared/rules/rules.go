// Package rules is trailwatch's suppression rules: a file (YAML, or JSON,
// which is YAML too) of rules, each with an id, a reason and an optional
// expiry, that say which findings are allowed: expected exposure that is
// not alerted. Parse validates the file and says, for every problem, which
// rule and what is wrong; Set.Match finds the first rule a finding matches.
// It imports no AWS SDK and does no I/O.
//
// The file:
//
//	rules:
//	  - id: web-tier-https          # letters, digits, . _ -; unique
//	    reason: The web tier is public on 443 by design (SEC-12)
//	    expires: 2026-06-30         # optional: a date (the rule matches through that day, UTC) or an RFC 3339 time
//	    match:                      # every key given must match; a list matches any of its values
//	      account: "123456789012"   # globs: * any run of characters, ? one
//	      region: [eu-west-1, eu-central-1]
//	      resource: sg-0123*        # the id of any of the finding's resources
//	      tag: {"trailwatch:allow": "tcp/443"}   # all on one resource; values are globs
//	      actor: "arn:aws:iam::*:role/deploy-*"  # the actor's ARN (else its name)
//	      event: RunInstances
//	      port: [443, "8000-8080"]  # every world-open rule's ports lie within one of these
//	      cidr: ["0.0.0.0/0"]       # every world-open rule's source lies within one of these
//	      severity_below: high      # the finding's severity is lower: none, low or medium
package rules

import (
	"net/netip"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Set is a parsed, valid rules file.
type Set struct {
	// Name is the file's name, for messages.
	Name  string
	Rules []Rule
}

// Rule is one suppression rule.
type Rule struct {
	ID     string
	Reason string
	// Expires is when the rule stops matching; zero: never.
	Expires time.Time
	Match   Match
	// Line is the rule's line in its file.
	Line int
}

// Match is what a rule matches: every field set must match the finding.
type Match struct {
	Account, Region, Resource, Actor, Event []string
	Tag                                     map[string]string
	Port                                    []PortRange
	CIDR                                    []netip.Prefix
	SeverityBelow                           finding.Severity
}

// PortRange is a port or a range of ports, both ends included.
type PortRange struct{ From, To int }

// MatchKeys are the keys of a rule's match, as the file spells them.
func MatchKeys() []string {
	return []string{"account", "actor", "cidr", "event", "port", "region", "resource", "severity_below", "tag"}
}

// Active reports whether r still matches at now.
func (r Rule) Active(now time.Time) bool {
	return r.Expires.IsZero() || now.Before(r.Expires)
}

// AllowedBy returns the rule as the pipeline names it in its outputs.
func (r Rule) AllowedBy() finding.AllowedBy {
	a := finding.AllowedBy{ID: r.ID, Reason: r.Reason}
	if !r.Expires.IsZero() {
		t := r.Expires
		a.Expires = &t
	}
	return a
}

// Match returns the first rule of s, in file order, that is active at now
// and matches f. A nil Set matches nothing.
func (s *Set) Match(f *finding.Finding, now time.Time) (Rule, bool) {
	if s == nil {
		return Rule{}, false
	}
	for _, r := range s.Rules {
		if r.Active(now) && r.Match.matches(f) {
			return r, true
		}
	}
	return Rule{}, false
}

func (m Match) matches(f *finding.Finding) bool {
	actor := f.Actor.ARN
	if actor == "" {
		actor = f.Actor.Name()
	}
	switch {
	case m.Account != nil && !anyGlob(m.Account, f.Account),
		m.Region != nil && !anyGlob(m.Region, f.Region),
		m.Event != nil && !anyGlob(m.Event, f.EventName),
		m.Actor != nil && !anyGlob(m.Actor, actor),
		m.SeverityBelow != "" && f.Severity.Rank() >= m.SeverityBelow.Rank():
		return false
	}
	if m.Resource != nil && !slices.ContainsFunc(f.Resources, func(r finding.Resource) bool { return anyGlob(m.Resource, r.ID) }) {
		return false
	}
	if m.Tag != nil && !slices.ContainsFunc(f.Resources, func(r finding.Resource) bool { return hasTags(r.Tags, m.Tag) }) {
		return false
	}
	if m.Port == nil && m.CIDR == nil {
		return true
	}
	rules := worldOpen(f)
	if len(rules) == 0 {
		return false
	}
	for _, r := range rules {
		if m.Port != nil && !slices.ContainsFunc(m.Port, func(p PortRange) bool { return p.covers(r) }) {
			return false
		}
		if m.CIDR != nil && !slices.ContainsFunc(m.CIDR, func(p netip.Prefix) bool { return within(r.CIDR, p) }) {
			return false
		}
	}
	return true
}

// worldOpen returns the world-open rules f reports: its resources' live
// ones once enriched, else those the call requested.
func worldOpen(f *finding.Finding) []finding.Rule {
	var out []finding.Rule
	if f.Enriched {
		for _, r := range f.Resources {
			for _, rule := range r.OpenIngress {
				if rule.WorldOpen {
					out = append(out, rule)
				}
			}
		}
		return out
	}
	for _, rule := range f.Requested.IngressRules {
		if rule.WorldOpen {
			out = append(out, rule)
		}
	}
	return out
}

// covers reports whether every port r admits lies within p: r is TCP or
// UDP and its range is inside p's.
// All traffic and other protocols are never covered.
func (p PortRange) covers(r finding.Rule) bool {
	switch proto := finding.NormalizeProtocol(r.Protocol); {
	case proto != "tcp" && proto != "udp":
		return false
	case r.AllPorts():
		return p.From <= 0 && p.To >= 65535
	}
	return p.From <= r.FromPort && r.ToPort <= p.To
}

// within reports whether cidr lies within p.
func within(cidr string, p netip.Prefix) bool {
	c, err := netip.ParsePrefix(strings.TrimSpace(cidr))
	if err != nil {
		return false
	}
	c = c.Masked()
	return c.Addr().Is4() == p.Addr().Is4() && c.Bits() >= p.Bits() && p.Contains(c.Addr())
}

func hasTags(tags, want map[string]string) bool {
	for k, v := range want {
		got, ok := tags[k]
		if !ok || !glob(v, got) {
			return false
		}
	}
	return true
}

func anyGlob(patterns []string, s string) bool {
	return slices.ContainsFunc(patterns, func(p string) bool { return glob(p, s) })
}

// glob reports whether s matches pattern, where * stands for any run of
// characters (slashes and colons included) and ? for one character.
func glob(pattern, s string) bool {
	// path.Match's * stops at "/", which ARNs hold: match with a pattern
	// whose separators cannot occur instead.
	p := strings.NewReplacer(`\`, `\\`, "[", `\[`, "]", `\]`).Replace(pattern)
	const sep = "\x00"
	ok, err := path.Match(strings.ReplaceAll(p, "/", sep), strings.ReplaceAll(s, "/", sep))
	return err == nil && ok
}

// String renders p as the file spells it.
func (p PortRange) String() string {
	if p.From == p.To {
		return strconv.Itoa(p.From)
	}
	return strconv.Itoa(p.From) + "-" + strconv.Itoa(p.To)
}
