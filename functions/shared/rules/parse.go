package rules

import (
	"errors"
	"fmt"
	"net/netip"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"go.yaml.in/yaml/v3"
)

// Limits of a rules file.
const (
	// MaxBytes bounds the file: it is stored whole in one DynamoDB item.
	MaxBytes = 64 << 10
	// MaxRules bounds how many rules the file holds.
	MaxRules = 500
	// MaxReasonBytes bounds a rule's reason.
	MaxReasonBytes = 500
)

// idPattern is what a rule id may be.
var idPattern = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)

// Error is a rules file that is not valid: every problem found, each
// naming its rule.
type Error struct {
	// File is the file's name.
	File     string
	Problems []Problem
}

// Problem is one thing wrong with a rules file.
type Problem struct {
	// Rule is the rule's position, from 1; 0 for the file as a whole.
	Rule int
	// ID is the rule's id, when it has a readable one.
	ID string
	// Line is the line in the file, when known.
	Line int
	// Field is where in the rule, e.g. "match.port[1]".
	Field   string
	Message string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Rule > 0 {
		fmt.Fprintf(&b, "rule %d", p.Rule)
		if p.ID != "" {
			fmt.Fprintf(&b, " (id %q)", p.ID)
		}
	} else {
		b.WriteString("file")
	}
	if p.Line > 0 {
		fmt.Fprintf(&b, ", line %d", p.Line)
	}
	b.WriteString(": ")
	if p.Field != "" {
		b.WriteString(p.Field + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

func (e *Error) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.String()
	}
	return fmt.Sprintf("rules file %s: %s", e.File, strings.Join(msgs, "; "))
}

// Parse reads the rules file name holds data of and validates it. Empty
// data is an empty Set (no rules). The error is an *Error listing every
// problem: not YAML (or JSON), an unknown key, a missing or duplicate id, a
// missing reason, an expiry that is not a date or time, a match without
// conditions, a value of the wrong kind, a port, CIDR or severity that does
// not parse, too many rules or bytes.
func Parse(name string, data []byte) (*Set, error) {
	s := &Set{Name: name}
	p := &parser{file: name}
	if len(data) > MaxBytes {
		p.problem(0, "", 0, "", fmt.Sprintf("%d bytes, more than the %d a rules file may hold", len(data), MaxBytes))
		return nil, p.err()
	}
	if strings.TrimSpace(string(data)) == "" {
		return s, nil
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		p.problem(0, "", 0, "", "not YAML or JSON: "+err.Error())
		return nil, p.err()
	}
	root := &doc
	if root.Kind == yaml.DocumentNode && len(root.Content) == 1 {
		root = root.Content[0]
	}
	if root.Kind != yaml.MappingNode {
		p.problem(0, "", root.Line, "", "want a mapping with the key rules")
		return nil, p.err()
	}
	var list *yaml.Node
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		switch k.Value {
		case "rules":
			list = v
		case "version":
			if v.Value != "1" {
				p.problem(0, "", v.Line, "version", fmt.Sprintf("%q: only version 1 exists", v.Value))
			}
		default:
			p.problem(0, "", k.Line, "", fmt.Sprintf("unknown key %q (want rules, version)", k.Value))
		}
	}
	switch {
	case list == nil:
		p.problem(0, "", root.Line, "rules", "missing")
	case list.Kind == yaml.ScalarNode && list.Tag == "!!null":
	case list.Kind != yaml.SequenceNode:
		p.problem(0, "", list.Line, "rules", "want a list of rules")
	case len(list.Content) > MaxRules:
		p.problem(0, "", list.Line, "rules", fmt.Sprintf("%d rules, more than the %d a file may hold", len(list.Content), MaxRules))
	default:
		seen := map[string]int{}
		for i, n := range list.Content {
			r, ok := p.rule(i+1, n)
			if !ok {
				continue
			}
			if first, dup := seen[r.ID]; dup {
				p.problem(i+1, r.ID, n.Line, "id", fmt.Sprintf("also the id of rule %d", first))
				continue
			}
			seen[r.ID] = i + 1
			s.Rules = append(s.Rules, r)
		}
	}
	if err := p.err(); err != nil {
		return nil, err
	}
	return s, nil
}

type parser struct {
	file     string
	problems []Problem
}

func (p *parser) problem(rule int, id string, line int, field, msg string) {
	p.problems = append(p.problems, Problem{Rule: rule, ID: id, Line: line, Field: field, Message: msg})
}

func (p *parser) err() error {
	if len(p.problems) == 0 {
		return nil
	}
	return &Error{File: p.file, Problems: p.problems}
}

// rule reads the i-th rule; ok is false when it has problems.
func (p *parser) rule(i int, n *yaml.Node) (Rule, bool) {
	before := len(p.problems)
	r := Rule{Line: n.Line}
	if n.Kind != yaml.MappingNode {
		p.problem(i, "", n.Line, "", "want a mapping with id, reason and match")
		return r, false
	}
	fields := map[string]*yaml.Node{}
	for j := 0; j+1 < len(n.Content); j += 2 {
		fields[n.Content[j].Value] = n.Content[j+1]
	}
	if v := fields["id"]; v != nil && v.Kind == yaml.ScalarNode {
		r.ID = v.Value
	}
	bad := func(line int, field, msg string) {
		id := r.ID
		if !idPattern.MatchString(id) {
			id = ""
		}
		p.problem(i, id, line, field, msg)
	}
	for j := 0; j+1 < len(n.Content); j += 2 {
		k := n.Content[j]
		switch k.Value {
		case "id", "reason", "expires", "match":
		default:
			bad(k.Line, "", fmt.Sprintf("unknown key %q (want id, reason, expires, match)", k.Value))
		}
	}
	switch v := fields["id"]; {
	case v == nil:
		bad(n.Line, "id", "missing")
	case v.Kind != yaml.ScalarNode || !idPattern.MatchString(v.Value):
		bad(v.Line, "id", fmt.Sprintf("%q: want 1 to 64 letters, digits, '.', '_' or '-'", v.Value))
	}
	switch v := fields["reason"]; {
	case v == nil || v.Kind == yaml.ScalarNode && strings.TrimSpace(v.Value) == "":
		bad(n.Line, "reason", "missing: say why the exposure is allowed")
	case v.Kind != yaml.ScalarNode:
		bad(v.Line, "reason", "want text")
	case len(v.Value) > MaxReasonBytes:
		bad(v.Line, "reason", fmt.Sprintf("%d bytes, more than %d", len(v.Value), MaxReasonBytes))
	default:
		r.Reason = strings.TrimSpace(v.Value)
	}
	if v := fields["expires"]; v != nil {
		t, err := expiry(v)
		if err != nil {
			bad(v.Line, "expires", err.Error())
		}
		r.Expires = t
	}
	switch v := fields["match"]; {
	case v == nil:
		bad(n.Line, "match", "missing: a rule needs at least one condition")
	case v.Kind != yaml.MappingNode || len(v.Content) == 0:
		bad(v.Line, "match", "want a mapping with at least one of "+strings.Join(MatchKeys(), ", "))
	default:
		r.Match = p.match(v, bad)
	}
	return r, len(p.problems) == before
}

// expiry reads a date (the rule matches through that day, UTC) or an
// RFC 3339 time.
func expiry(v *yaml.Node) (time.Time, error) {
	if v.Kind != yaml.ScalarNode {
		return time.Time{}, errors.New("want a date such as 2026-06-30 or a time such as 2026-06-30T18:00:00Z")
	}
	if d, err := time.Parse(time.DateOnly, v.Value); err == nil {
		return d.AddDate(0, 0, 1), nil
	}
	if t, err := time.Parse(time.RFC3339, v.Value); err == nil {
		return t.UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%q: want a date such as 2026-06-30 or a time such as 2026-06-30T18:00:00Z", v.Value)
}

// match reads a rule's match, reporting problems with bad.
func (p *parser) match(n *yaml.Node, bad func(line int, field, msg string)) Match {
	var m Match
	for j := 0; j+1 < len(n.Content); j += 2 {
		k, v := n.Content[j], n.Content[j+1]
		field := "match." + k.Value
		switch k.Value {
		case "account":
			m.Account = globs(v, field, bad)
		case "region":
			m.Region = globs(v, field, bad)
		case "resource":
			m.Resource = globs(v, field, bad)
		case "actor":
			m.Actor = globs(v, field, bad)
		case "event":
			m.Event = globs(v, field, bad)
		case "tag":
			if v.Kind != yaml.MappingNode || len(v.Content) == 0 {
				bad(v.Line, field, `want a mapping of tag keys to values, such as {"trailwatch:allow": "tcp/443"}`)
				continue
			}
			m.Tag = map[string]string{}
			for t := 0; t+1 < len(v.Content); t += 2 {
				tk, tv := v.Content[t], v.Content[t+1]
				if tk.Kind != yaml.ScalarNode || tk.Value == "" || tv.Kind != yaml.ScalarNode {
					bad(tk.Line, field, "want tag keys and values as text")
					continue
				}
				m.Tag[tk.Value] = tv.Value
			}
		case "port":
			for i, s := range scalars(v, field, bad) {
				pr, err := portRange(s.Value)
				if err != nil {
					bad(s.Line, fmt.Sprintf("%s[%d]", field, i), err.Error())
					continue
				}
				m.Port = append(m.Port, pr)
			}
		case "cidr":
			for i, s := range scalars(v, field, bad) {
				pfx, err := netip.ParsePrefix(s.Value)
				if err != nil {
					bad(s.Line, fmt.Sprintf("%s[%d]", field, i), fmt.Sprintf("%q is not a CIDR such as 0.0.0.0/0 or ::/0", s.Value))
					continue
				}
				m.CIDR = append(m.CIDR, pfx.Masked())
			}
		case "severity_below":
			switch sev := finding.Severity(v.Value); {
			case v.Kind != yaml.ScalarNode:
				bad(v.Line, field, "want low, medium or high")
			case sev == finding.SeverityLow || sev == finding.SeverityMedium || sev == finding.SeverityHigh:
				m.SeverityBelow = sev
			default:
				bad(v.Line, field, fmt.Sprintf("%q: want low, medium or high", v.Value))
			}
		default:
			bad(k.Line, "match", fmt.Sprintf("unknown key %q (want one of %s)", k.Value, strings.Join(MatchKeys(), ", ")))
		}
	}
	return m
}

// scalars reads a scalar or a list of scalars.
func scalars(v *yaml.Node, field string, bad func(int, string, string)) []*yaml.Node {
	switch v.Kind {
	case yaml.ScalarNode:
		if v.Tag == "!!null" || v.Value == "" {
			break
		}
		return []*yaml.Node{v}
	case yaml.SequenceNode:
		if len(v.Content) == 0 {
			break
		}
		for i, s := range v.Content {
			if s.Kind != yaml.ScalarNode || s.Value == "" {
				bad(s.Line, fmt.Sprintf("%s[%d]", field, i), "want a value, not a list or mapping")
				return nil
			}
		}
		return v.Content
	}
	bad(v.Line, field, "want a value or a list of values")
	return nil
}

// globs reads a scalar or list of glob patterns.
func globs(v *yaml.Node, field string, bad func(int, string, string)) []string {
	var out []string
	for _, s := range scalars(v, field, bad) {
		out = append(out, s.Value)
	}
	return out
}

// portRange reads "443" or "8000-8080".
func portRange(s string) (PortRange, error) {
	from, to, isRange := strings.Cut(strings.TrimSpace(s), "-")
	a, errA := strconv.Atoi(from)
	b := a
	var errB error
	if isRange {
		b, errB = strconv.Atoi(to)
	}
	if errA != nil || errB != nil || a < 0 || b > 65535 || a > b {
		return PortRange{}, fmt.Errorf("%q is not a port (0-65535) or a range such as 8000-8080", s)
	}
	return PortRange{From: a, To: b}, nil
}
