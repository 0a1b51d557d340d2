package finding_test

import (
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

func TestWorldOpen(t *testing.T) {
	tests := []struct {
		cidr string
		want bool
	}{
		{"0.0.0.0/0", true},
		{"::/0", true},
		{"10.0.0.0/0", true},
		{"2001:db8::/0", true},
		{"0.0.0.0/1", false},
		{"203.0.113.7/32", false},
		{"::/1", false},
		{"", false},
		{"pl-12345678", false},
		{"0.0.0.0", false},
	}
	for _, tc := range tests {
		if got := finding.WorldOpen(tc.cidr); got != tc.want {
			t.Errorf("WorldOpen(%q) = %v, want %v", tc.cidr, got, tc.want)
		}
	}
}

func TestRuleCovers(t *testing.T) {
	tests := []struct {
		name string
		rule finding.Rule
		port int
		want bool
	}{
		{"exact", finding.Rule{Protocol: "tcp", FromPort: 22, ToPort: 22}, 22, true},
		{"other", finding.Rule{Protocol: "tcp", FromPort: 80, ToPort: 80}, 22, false},
		{"range", finding.Rule{Protocol: "tcp", FromPort: 0, ToPort: 1024}, 22, true},
		{"all traffic", finding.Rule{Protocol: "-1", FromPort: -1, ToPort: -1}, 3389, true},
		{"udp all ports", finding.Rule{Protocol: "udp", FromPort: -1, ToPort: -1}, 53, true},
		{"icmp", finding.Rule{Protocol: "icmp", FromPort: 8, ToPort: 0}, 8, false},
	}
	for _, tc := range tests {
		if got := tc.rule.Covers(tc.port); got != tc.want {
			t.Errorf("%s: Covers(%d) = %v, want %v", tc.name, tc.port, got, tc.want)
		}
	}
}

func TestRuleString(t *testing.T) {
	tests := []struct {
		rule finding.Rule
		want string
	}{
		{finding.Rule{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0"}, "tcp 22 from 0.0.0.0/0"},
		{finding.Rule{Protocol: "udp", FromPort: 1000, ToPort: 2000, PrefixListID: "pl-1"}, "udp 1000-2000 from pl-1"},
		{finding.Rule{Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "::/0"}, "all traffic from ::/0"},
		{finding.Rule{Protocol: "tcp", FromPort: 0, ToPort: 65535, GroupID: "sg-1"}, "tcp all ports from sg-1"},
		{finding.Rule{Protocol: "icmp", FromPort: 8, ToPort: 0, CIDR: "10.0.0.0/8"}, "protocol icmp from 10.0.0.0/8"},
	}
	for _, tc := range tests {
		if got := tc.rule.String(); got != tc.want {
			t.Errorf("String() = %q, want %q", got, tc.want)
		}
	}
}

func TestRuleAllPorts(t *testing.T) {
	tests := []struct {
		name string
		rule finding.Rule
		want bool
	}{
		{"-1 both", finding.Rule{Protocol: "tcp", FromPort: -1, ToPort: -1}, true},
		{"-1 from only", finding.Rule{Protocol: "tcp", FromPort: -1, ToPort: 22}, true},
		{"0 to 65535", finding.Rule{Protocol: "udp", FromPort: 0, ToPort: 65535}, true},
		{"1 to 65535", finding.Rule{Protocol: "tcp", FromPort: 1, ToPort: 65535}, false},
		{"0 to 1024", finding.Rule{Protocol: "tcp", FromPort: 0, ToPort: 1024}, false},
		{"one port", finding.Rule{Protocol: "tcp", FromPort: 22, ToPort: 22}, false},
	}
	for _, tc := range tests {
		rule := tc.rule
		if got := rule.AllPorts(); got != tc.want {
			t.Errorf("%s: AllPorts() = %v, want %v", tc.name, got, tc.want)
		}
		// Covers, String and the alert's port names share the definition.
		if got := rule.Covers(65535) && rule.Covers(0) && rule.Covers(30000); got != tc.want {
			t.Errorf("%s: covers every port = %v, want %v", tc.name, got, tc.want)
		}
		if got := strings.Contains(rule.String(), "all ports"); got != tc.want {
			t.Errorf("%s: String() = %q, says all ports: %v, want %v", tc.name, rule.String(), got, tc.want)
		}
	}
}

func TestNormalizeProtocol(t *testing.T) {
	for in, want := range map[string]string{
		"tcp": "tcp", "TCP": "tcp", " 6 ": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6",
		"-1": "-1", "all": "-1", "": "-1", "50": "50", "ICMPv6": "icmpv6",
	} {
		if got := finding.NormalizeProtocol(in); got != want {
			t.Errorf("NormalizeProtocol(%q) = %q, want %q", in, got, want)
		}
	}
}
