package finding_test

import (
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// TestUnsettled: what the live state lacks of what the event just did.
func TestUnsettled(t *testing.T) {
	yes, no := true, false
	ssh := finding.Rule{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true}
	for _, tc := range []struct {
		name string
		f    finding.Finding
		want string
	}{
		{"instance without its public IP yet", finding.Finding{Enriched: true, Requested: finding.Requested{PublicIP: true},
			Resources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-1", Found: &yes}}}, "no public IP on i-1 yet"},
		{"instance with its public IP", finding.Finding{Enriched: true, Requested: finding.Requested{PublicIP: true},
			Resources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-1", Found: &yes, PublicIPs: []string{"198.51.100.7"}}}}, ""},
		{"listener not yet on the load balancer", finding.Finding{Enriched: true, Requested: finding.Requested{Listeners: []string{"TCP:22"}},
			Resources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: "lb", Found: &yes, Listeners: []string{"HTTPS:443"}}}}, "listener TCP:22 not yet on lb"},
		{"group with the rule", finding.Finding{Enriched: true, Requested: finding.Requested{IngressRules: []finding.Rule{ssh}},
			Resources: []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-1", Found: &yes, OpenIngress: []finding.Rule{ssh}}}}, ""},
		{"group not found", finding.Finding{Enriched: true, Requested: finding.Requested{IngressRules: []finding.Rule{ssh}},
			Resources: []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-1", Found: &no}}}, "resource sg-1 not found"},
		{"a refused call is not waited for", finding.Finding{Enriched: true, ErrorCode: "Client.UnauthorizedOperation", Requested: finding.Requested{IngressRules: []finding.Rule{ssh}},
			Resources: []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-1", Found: &no}}}, ""},
		{"a call that asked for no exposure is not waited for", finding.Finding{Enriched: true,
			Resources: []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-1", Found: &no}}}, ""},
		{"an instance the event launched, not found", finding.Finding{Enriched: true, EventName: "RunInstances",
			Resources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-1", Found: &no}}}, "new resource i-1 not found"},
		{"a load balancer the event created, not found", finding.Finding{Enriched: true, EventName: "CreateLoadBalancer",
			Resources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: "lb", Found: &no}}}, "new resource lb not found"},
		{"a launch's instance found", finding.Finding{Enriched: true, EventName: "RunInstances",
			Resources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-1", Found: &yes}}}, ""},
		{"not enriched", finding.Finding{Requested: finding.Requested{PublicIP: true}, Resources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-1"}}}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := finding.Unsettled(&tc.f); got != tc.want {
				t.Errorf("Unsettled = %q, want %q", got, tc.want)
			}
		})
	}
}
