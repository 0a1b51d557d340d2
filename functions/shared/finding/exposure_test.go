package finding_test

import (
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

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
