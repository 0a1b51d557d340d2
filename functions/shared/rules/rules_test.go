package rules_test

import (
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/rules"
)

var now = time.Date(2025, 11, 23, 9, 0, 0, 0, time.UTC)

func parse(t *testing.T, text string) *rules.Set {
	t.Helper()
	s, err := rules.Parse("rules.yaml", []byte(text))
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestParseExample(t *testing.T) {
	data, err := os.ReadFile("testdata/example.yaml")
	if err != nil {
		t.Fatal(err)
	}
	s, err := rules.Parse("example.yaml", data)
	if err != nil {
		t.Fatal(err)
	}
	want := []rules.Rule{
		{ID: "web-tier-https", Reason: "The web tier is public on 443 by design (SEC-12).", Line: 4,
			Match: rules.Match{Tag: map[string]string{"trailwatch:allow": "tcp/443"}, Port: []rules.PortRange{{443, 443}}}},
		{ID: "sandbox-account", Reason: "The sandbox account is rebuilt every night; nothing in it is private.", Line: 10,
			Expires: time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC), Match: rules.Match{Account: []string{"111122223333"}}},
		{ID: "ci-test-instances", Reason: "CI launches short-lived public test instances, low severity only.", Line: 16,
			Expires: time.Date(2026, 1, 31, 18, 0, 0, 0, time.UTC), Match: rules.Match{Actor: []string{"arn:aws:sts::*:assumed-role/ci-runner/*"},
				Event: []string{"RunInstances", "AllocateAddress"}, Region: []string{"eu-*"}, SeverityBelow: finding.SeverityHigh}},
	}
	if diff := cmp.Diff(want, s.Rules); diff != "" {
		t.Errorf("rules (-want +got):\n%s", diff)
	}
}

func TestParseJSON(t *testing.T) {
	s := parse(t, `{"rules": [{"id": "a", "reason": "r", "match": {"port": ["8000-8080", 22], "cidr": "::/0"}}]}`)
	if got := s.Rules[0].Match; !cmp.Equal(got.Port, []rules.PortRange{{8000, 8080}, {22, 22}}) || len(got.CIDR) != 1 || got.CIDR[0].String() != "::/0" {
		t.Errorf("match %+v", got)
	}
}

func TestParseEmpty(t *testing.T) {
	for _, text := range []string{"", "  \n", "rules: []", "rules:\n"} {
		s := parse(t, text)
		if len(s.Rules) != 0 {
			t.Errorf("%q: %d rules", text, len(s.Rules))
		}
	}
}

// TestParseRefuses: every problem names its rule and says what is wrong.
func TestParseRefuses(t *testing.T) {
	tests := []struct{ name, text, want string }{
		{"not yaml", "rules: [", "rules file rules.yaml: file: not YAML or JSON: "},
		{"not a mapping", "- a", "rules file rules.yaml: file, line 1: want a mapping with the key rules"},
		{"no rules key", "rule: []", `rules file rules.yaml: file, line 1: unknown key "rule" (want rules, version); file, line 1: rules: missing`},
		{"bad version", "version: 2\nrules: []", `rules file rules.yaml: file, line 1: version: "2": only version 1 exists`},
		{"rules not a list", "rules: {a: 1}", "rules file rules.yaml: file, line 1: rules: want a list of rules"},
		{"rule not a mapping", "rules: [x]", "rules file rules.yaml: rule 1, line 1: want a mapping with id, reason and match"},
		{"no id", "rules:\n  - reason: r\n    match: {event: X}", "rules file rules.yaml: rule 1, line 2: id: missing"},
		{"bad id", "rules:\n  - id: has space\n    reason: r\n    match: {event: X}", `rules file rules.yaml: rule 1, line 2: id: "has space": want 1 to 64 letters, digits, '.', '_' or '-'`},
		{"no reason", "rules:\n  - id: a\n    match: {event: X}", `rules file rules.yaml: rule 1 (id "a"), line 2: reason: missing: say why the exposure is allowed`},
		{"unknown rule key", "rules:\n  - id: a\n    reason: r\n    expire: 2026-01-01\n    match: {event: X}", `rules file rules.yaml: rule 1 (id "a"), line 4: unknown key "expire" (want id, reason, expires, match)`},
		{"bad expiry", "rules:\n  - id: a\n    reason: r\n    expires: next week\n    match: {event: X}", `rules file rules.yaml: rule 1 (id "a"), line 4: expires: "next week": want a date such as 2026-06-30 or a time such as 2026-06-30T18:00:00Z`},
		{"no match", "rules:\n  - id: a\n    reason: r", `rules file rules.yaml: rule 1 (id "a"), line 2: match: missing: a rule needs at least one condition`},
		{"empty match", "rules:\n  - id: a\n    reason: r\n    match: {}", `rules file rules.yaml: rule 1 (id "a"), line 4: match: want a mapping with at least one of account, actor, cidr, event, port, region, resource, severity_below, tag`},
		{"unknown match key", "rules:\n  - id: a\n    reason: r\n    match:\n      prot: 22", `rules file rules.yaml: rule 1 (id "a"), line 5: match: unknown key "prot" (want one of account, actor, cidr, event, port, region, resource, severity_below, tag)`},
		{"bad port", "rules:\n  - id: web\n    reason: r\n    match:\n      port: [443, 44x]", `rules file rules.yaml: rule 1 (id "web"), line 5: match.port[1]: "44x" is not a port (0-65535) or a range such as 8000-8080`},
		{"reversed range", "rules:\n  - id: a\n    reason: r\n    match: {port: 9000-8000}", `rules file rules.yaml: rule 1 (id "a"), line 4: match.port[0]: "9000-8000" is not a port (0-65535) or a range such as 8000-8080`},
		{"bad cidr", "rules:\n  - id: a\n    reason: r\n    match: {cidr: 0.0.0.0}", `rules file rules.yaml: rule 1 (id "a"), line 4: match.cidr[0]: "0.0.0.0" is not a CIDR such as 0.0.0.0/0 or ::/0`},
		{"bad severity", "rules:\n  - id: a\n    reason: r\n    match: {severity_below: critical}", `rules file rules.yaml: rule 1 (id "a"), line 4: match.severity_below: "critical": want low, medium or high`},
		{"tag not a mapping", "rules:\n  - id: a\n    reason: r\n    match: {tag: x}", `rules file rules.yaml: rule 1 (id "a"), line 4: match.tag: want a mapping of tag keys to values, such as {"trailwatch:allow": "tcp/443"}`},
		{"list of lists", "rules:\n  - id: a\n    reason: r\n    match: {event: [[X]]}", `rules file rules.yaml: rule 1 (id "a"), line 4: match.event[0]: want a value, not a list or mapping`},
		{"duplicate id", "rules:\n  - {id: a, reason: r, match: {event: X}}\n  - {id: a, reason: r, match: {event: Y}}", `rules file rules.yaml: rule 2 (id "a"), line 3: id: also the id of rule 1`},
		{"every problem", "rules:\n  - {id: a, match: {port: x}}\n  - {reason: r, match: {event: Y}}",
			`rules file rules.yaml: rule 1 (id "a"), line 2: reason: missing: say why the exposure is allowed; rule 1 (id "a"), line 2: match.port[0]: "x" is not a port (0-65535) or a range such as 8000-8080; rule 2, line 3: id: missing`},
		{"too large", "rules: []\n#" + strings.Repeat("x", rules.MaxBytes), "rules file rules.yaml: file: 65547 bytes, more than the 65536 a rules file may hold"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := rules.Parse("rules.yaml", []byte(tc.text))
			var rerr *rules.Error
			if !errors.As(err, &rerr) {
				t.Fatalf("err = %v, want a *rules.Error", err)
			}
			if got := err.Error(); !strings.HasPrefix(got, tc.want) || (!strings.HasSuffix(tc.want, ": ") && got != tc.want) {
				t.Errorf("error\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}

func TestParseTooManyRules(t *testing.T) {
	var b strings.Builder
	b.WriteString("rules:\n")
	for i := range rules.MaxRules + 1 {
		b.WriteString("  - {id: r" + strings.Repeat("x", i%3) + string(rune('a'+i%26)) + ", reason: r, match: {event: X}}\n")
	}
	if _, err := rules.Parse("rules.yaml", []byte(b.String())); err == nil || !strings.Contains(err.Error(), "501 rules, more than the 500") {
		t.Errorf("err = %v", err)
	}
}

// TestEveryMatchKeyParses: MatchKeys, which terraform's plan-time check
// reads from deployment.json, are exactly what Parse accepts.
func TestEveryMatchKeyParses(t *testing.T) {
	values := map[string]string{"account": "1", "actor": "a", "cidr": "0.0.0.0/0", "event": "E", "port": "22", "region": "r",
		"resource": "sg-1", "severity_below": "high", "tag": "{k: v}"}
	for _, key := range rules.MatchKeys() {
		v, ok := values[key]
		if !ok {
			t.Errorf("no test value for match key %s", key)
			continue
		}
		if _, err := rules.Parse("r.yaml", []byte("rules:\n  - {id: a, reason: r, match: {"+key+": "+v+"}}")); err != nil {
			t.Errorf("match key %s: %v", key, err)
		}
	}
	if len(values) != len(rules.MatchKeys()) {
		t.Errorf("%d test values for %d match keys", len(values), len(rules.MatchKeys()))
	}
}
