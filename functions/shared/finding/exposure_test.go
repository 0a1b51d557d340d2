package finding_test

import (
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

func TestAssess(t *testing.T) {
	open := func(proto string, from, to int) finding.Rule {
		return finding.Rule{Protocol: proto, FromPort: from, ToPort: to, CIDR: "0.0.0.0/0", WorldOpen: true}
	}
	tests := []struct {
		name string
		f    finding.Finding
		want finding.Severity
	}{
		{"failed call", finding.Finding{ErrorCode: "UnauthorizedOperation", OpensExposure: false}, finding.SeverityLow},
		{"opens nothing", finding.Finding{}, finding.SeverityNone},
		{"data event", finding.Finding{Category: finding.CategoryData}, finding.SeverityLow},
		{"request: admin port, nothing reachable", finding.Finding{OpensExposure: true,
			Requested: finding.Requested{IngressRules: []finding.Rule{open("tcp", 22, 22)}}}, finding.SeverityMedium},
		{"request: web port, nothing reachable", finding.Finding{OpensExposure: true,
			Requested: finding.Requested{IngressRules: []finding.Rule{open("tcp", 443, 443)}}}, finding.SeverityLow},
		{"request: public IP", finding.Finding{OpensExposure: true, Requested: finding.Requested{PublicIP: true}}, finding.SeverityLow},
		{"request: internet-facing", finding.Finding{OpensExposure: true, Requested: finding.Requested{Scheme: "internet-facing"}}, finding.SeverityLow},
		{"live: admin port on public instance", finding.Finding{OpensExposure: true, Enriched: true,
			Resources: []finding.Resource{{Type: finding.TypeInstance, PublicIPs: []string{"203.0.113.1"}, OpenIngress: []finding.Rule{open("tcp", 3389, 3389)}}}}, finding.SeverityHigh},
		{"live: all traffic on public instance", finding.Finding{OpensExposure: true, Enriched: true,
			Resources: []finding.Resource{{Type: finding.TypeInstance, PublicIPs: []string{"203.0.113.1"}, OpenIngress: []finding.Rule{open("-1", -1, -1)}}}}, finding.SeverityHigh},
		{"live: web port on public instance", finding.Finding{OpensExposure: true, Enriched: true,
			Resources: []finding.Resource{{Type: finding.TypeInstance, PublicIPs: []string{"203.0.113.1"}, OpenIngress: []finding.Rule{open("tcp", 443, 443)}}}}, finding.SeverityMedium},
		{"live: public IP, nothing open", finding.Finding{OpensExposure: true, Enriched: true,
			Resources: []finding.Resource{{Type: finding.TypeInstance, PublicIPs: []string{"203.0.113.1"}}}}, finding.SeverityLow},
		{"live: internet-facing load balancer", finding.Finding{OpensExposure: true, Enriched: true, Requested: finding.Requested{Scheme: "internet-facing"},
			Resources: []finding.Resource{{Type: finding.TypeLoadBalancer}}}, finding.SeverityMedium},
		{"live: admin port on internet-facing load balancer", finding.Finding{OpensExposure: true, Enriched: true, Requested: finding.Requested{Scheme: "internet-facing"},
			Resources: []finding.Resource{{Type: finding.TypeLoadBalancer, OpenIngress: []finding.Rule{open("tcp", 22, 22)}}}}, finding.SeverityHigh},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := finding.Assess(&tc.f); got != tc.want {
				t.Errorf("Assess = %s, want %s", got, tc.want)
			}
		})
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
