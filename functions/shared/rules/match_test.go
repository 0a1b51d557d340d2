package rules_test

import (
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/rules"
)

// sgFinding is an enriched finding: a group with the given world-open
// rules and tags, reported by the actor arn.
func sgFinding(arn string, tags map[string]string, open ...finding.Rule) *finding.Finding {
	return &finding.Finding{
		EventID: "e-1", EventName: "AuthorizeSecurityGroupIngress", Account: "123456789012", Region: "eu-west-1",
		Actor:     finding.Actor{Type: "AssumedRole", ARN: arn},
		Resources: []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-0123", Tags: tags, OpenIngress: open}},
		Severity:  finding.SeverityMedium, Enriched: true, OpensExposure: true,
	}
}

func rule(proto string, from, to int, cidr string) finding.Rule {
	return finding.Rule{Protocol: proto, FromPort: from, ToPort: to, CIDR: cidr, WorldOpen: finding.WorldOpen(cidr)}
}

func TestMatch(t *testing.T) {
	const role = "arn:aws:sts::123456789012:assumed-role/deploy-web/session-1"
	https := rule("tcp", 443, 443, "0.0.0.0/0")
	ssh := rule("tcp", 22, 22, "0.0.0.0/0")
	allow := map[string]string{"trailwatch:allow": "tcp/443", "team": "web"}
	tests := []struct {
		name  string
		match string
		f     *finding.Finding
		want  bool
	}{
		{"tag and port: the allowed group on 443", `{tag: {"trailwatch:allow": "tcp/443"}, port: 443}`, sgFinding(role, allow, https), true},
		{"tag and port: 22 opened too", `{tag: {"trailwatch:allow": "tcp/443"}, port: 443}`, sgFinding(role, allow, https, ssh), false},
		{"tag and port: untagged group", `{tag: {"trailwatch:allow": "tcp/443"}, port: 443}`, sgFinding(role, nil, https), false},
		{"tag value glob", `{tag: {team: "w*"}}`, sgFinding(role, allow), true},
		{"tag missing", `{tag: {owner: "*"}}`, sgFinding(role, allow), false},
		{"port range", `{port: "400-500"}`, sgFinding(role, nil, https), true},
		{"port: all ports never within 443", `{port: 443}`, sgFinding(role, nil, rule("tcp", 0, 65535, "0.0.0.0/0")), false},
		{"port: all traffic is never a port", `{port: "0-65535"}`, sgFinding(role, nil, rule("-1", -1, -1, "0.0.0.0/0")), false},
		{"port: all ports within 0-65535", `{port: "0-65535"}`, sgFinding(role, nil, rule("tcp", -1, -1, "0.0.0.0/0")), true},
		{"port without world-open rules", `{port: 443}`, sgFinding(role, nil), false},
		{"cidr: IPv6 only", `{cidr: "::/0"}`, sgFinding(role, nil, rule("tcp", 443, 443, "::/0")), true},
		{"cidr: IPv4 is not within ::/0", `{cidr: "::/0"}`, sgFinding(role, nil, https), false},
		{"actor glob crosses / and :", `{actor: "arn:aws:sts::*:assumed-role/deploy-*"}`, sgFinding(role, nil), true},
		{"actor glob", `{actor: "arn:aws:sts::*:assumed-role/ci-*"}`, sgFinding(role, nil), false},
		{"account", `{account: ["111122223333", "123456789012"]}`, sgFinding(role, nil), true},
		{"account and region both", `{account: "123456789012", region: us-*}`, sgFinding(role, nil), false},
		{"event", `{event: Authorize*Ingress}`, sgFinding(role, nil), true},
		{"resource", `{resource: "sg-01??"}`, sgFinding(role, nil), true},
		{"resource", `{resource: sg-9*}`, sgFinding(role, nil), false},
		{"severity below high", `{severity_below: high}`, sgFinding(role, nil), true},
		{"severity below medium", `{severity_below: medium}`, sgFinding(role, nil), false},
		{"literal brackets", `{resource: "sg-[0]123"}`, sgFinding(role, nil), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := parse(t, "rules:\n  - {id: r1, reason: why, match: "+tc.match+"}")
			got, ok := s.Match(tc.f, now)
			if ok != tc.want {
				t.Fatalf("matched %v, want %v", ok, tc.want)
			}
			if ok && got.ID != "r1" {
				t.Errorf("rule %q", got.ID)
			}
		})
	}
}

func TestMatchRequested(t *testing.T) {
	f := &finding.Finding{Account: "1", Requested: finding.Requested{IngressRules: []finding.Rule{rule("tcp", 443, 443, "0.0.0.0/0"), rule("tcp", 22, 22, "10.0.0.0/8")}}}
	if _, ok := parse(t, "rules:\n  - {id: r, reason: w, match: {port: 443}}").Match(f, now); !ok {
		t.Error("a finding not enriched is judged by its requested world-open rules")
	}
}

// TestExpiry: a rule matches until it expires, then no longer does; a
// date means through that day (UTC).
func TestExpiry(t *testing.T) {
	s := parse(t, "rules:\n  - {id: old, reason: w, expires: 2025-11-23, match: {event: '*'}}\n  - {id: exact, reason: w, expires: '2025-11-24T12:00:00Z', match: {event: '*'}}")
	f := sgFinding("arn", nil)
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{time.Date(2025, 11, 23, 23, 59, 59, 0, time.UTC), "old"},
		{time.Date(2025, 11, 24, 0, 0, 0, 0, time.UTC), "exact"},
		{time.Date(2025, 11, 24, 11, 59, 59, 0, time.UTC), "exact"},
		{time.Date(2025, 11, 24, 12, 0, 0, 0, time.UTC), ""},
	} {
		r, ok := s.Match(f, c.at)
		if got := map[bool]string{true: r.ID}[ok]; got != c.want {
			t.Errorf("at %s: rule %q, want %q", c.at.Format(time.RFC3339), got, c.want)
		}
	}
	var none *rules.Set
	if _, ok := none.Match(f, now); ok {
		t.Error("no rules file matched")
	}
}
