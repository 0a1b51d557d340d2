package main

import (
	"context"
	"errors"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// fakeLookups is a Lookups whose behaviour each test states.
type fakeLookups struct {
	SecurityGroupsFn    func(ctx context.Context, ids []string) ([]finding.SecurityGroup, error)
	InstancesFn         func(ctx context.Context, ids []string) ([]Instance, error)
	AddressesFn         func(ctx context.Context, ids []string) ([]Address, error)
	NetworkInterfacesFn func(ctx context.Context, ids, groupIDs []string) ([]NetworkInterface, error)
}

func (f *fakeLookups) SecurityGroups(ctx context.Context, ids []string) ([]finding.SecurityGroup, error) {
	return f.SecurityGroupsFn(ctx, ids)
}
func (f *fakeLookups) Instances(ctx context.Context, ids []string) ([]Instance, error) {
	return f.InstancesFn(ctx, ids)
}
func (f *fakeLookups) Addresses(ctx context.Context, ids []string) ([]Address, error) {
	return f.AddressesFn(ctx, ids)
}
func (f *fakeLookups) NetworkInterfaces(ctx context.Context, ids, groupIDs []string) ([]NetworkInterface, error) {
	return f.NetworkInterfacesFn(ctx, ids, groupIDs)
}

// world is a small account: sg-ssh opens 22 to the world, sg-web opens 443,
// sg-private admits 10/8 only; i-public has a public IP and sg-ssh, i-private
// has none; eipalloc-1 is on i-public, eipalloc-2 is unattached.
func world() *fakeLookups {
	groups := map[string]finding.SecurityGroup{
		"sg-ssh":     {ID: "sg-ssh", Name: "ssh", Ingress: []finding.Rule{{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true}}},
		"sg-web":     {ID: "sg-web", Name: "web", Ingress: []finding.Rule{{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDR: "::/0", WorldOpen: true}}},
		"sg-private": {ID: "sg-private", Name: "private", Ingress: []finding.Rule{{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "10.0.0.0/8"}}},
	}
	insts := map[string]Instance{
		"i-public":  {ID: "i-public", SecurityGroups: []string{"sg-ssh"}, PublicIPs: []string{"203.0.113.10"}},
		"i-private": {ID: "i-private", SecurityGroups: []string{"sg-ssh"}},
		"i-web":     {ID: "i-web", SecurityGroups: []string{"sg-web", "sg-private"}, PublicIPs: []string{"203.0.113.11"}},
	}
	addrs := []Address{
		{AllocationID: "eipalloc-1", PublicIP: "203.0.113.10", InstanceID: "i-public"},
		{AllocationID: "eipalloc-2", PublicIP: "198.51.100.2"},
	}
	enis := []NetworkInterface{
		{ID: "eni-public", InstanceID: "i-public", SecurityGroups: []string{"sg-ssh"}, PublicIPs: []string{"203.0.113.10"}},
		{ID: "eni-private", InstanceID: "i-private", SecurityGroups: []string{"sg-ssh"}},
	}
	return &fakeLookups{
		SecurityGroupsFn: func(_ context.Context, ids []string) ([]finding.SecurityGroup, error) {
			var out []finding.SecurityGroup
			for _, id := range ids {
				if g, ok := groups[id]; ok {
					out = append(out, g)
				}
			}
			return out, nil
		},
		InstancesFn: func(_ context.Context, ids []string) ([]Instance, error) {
			var out []Instance
			for _, id := range ids {
				if in, ok := insts[id]; ok {
					out = append(out, in)
				}
			}
			return out, nil
		},
		AddressesFn: func(_ context.Context, ids []string) ([]Address, error) {
			var out []Address
			for _, a := range addrs {
				for _, id := range ids {
					if id == a.AllocationID || id == a.PublicIP {
						out = append(out, a)
					}
				}
			}
			return out, nil
		},
		NetworkInterfacesFn: func(_ context.Context, ids, groupIDs []string) ([]NetworkInterface, error) {
			var out []NetworkInterface
			for _, n := range enis {
				match := false
				for _, id := range ids {
					match = match || id == n.ID
				}
				for _, g := range groupIDs {
					for _, ng := range n.SecurityGroups {
						match = match || g == ng
					}
				}
				if match {
					out = append(out, n)
				}
			}
			return out, nil
		},
	}
}

var (
	yes    = true
	no     = false
	ssh    = finding.Rule{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true, SecurityGroupID: "sg-ssh"}
	https6 = finding.Rule{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDR: "::/0", WorldOpen: true, SecurityGroupID: "sg-web"}
)

func TestHandle(t *testing.T) {
	tests := []struct {
		name          string
		in            finding.Finding
		wantResources []finding.Resource
		wantSeverity  finding.Severity
		wantOpens     bool
	}{
		{
			name:          "instance launched with a public IP and ssh open",
			in:            finding.Finding{EventID: "e1", EventName: "RunInstances", EventSource: "ec2.amazonaws.com", OpensExposure: true, Requested: finding.Requested{PublicIP: true}, Resources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-public"}}},
			wantResources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-public", Found: &yes, SecurityGroups: []string{"sg-ssh"}, OpenIngress: []finding.Rule{ssh}, PublicIPs: []string{"203.0.113.10"}}},
			wantSeverity:  finding.SeverityHigh, wantOpens: true,
		},
		{
			name:          "subnet default gave a public IP the request did not ask for",
			in:            finding.Finding{EventID: "e2", EventName: "RunInstances", EventSource: "ec2.amazonaws.com", Resources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-web"}}},
			wantResources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-web", Found: &yes, SecurityGroups: []string{"sg-web", "sg-private"}, OpenIngress: []finding.Rule{https6}, PublicIPs: []string{"203.0.113.11"}}},
			wantSeverity:  finding.SeverityMedium, wantOpens: true,
		},
		{
			name:          "private instance with ssh open is not exposed by launch",
			in:            finding.Finding{EventID: "e3", EventName: "RunInstances", EventSource: "ec2.amazonaws.com", Resources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-private"}}},
			wantResources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-private", Found: &yes, SecurityGroups: []string{"sg-ssh"}, OpenIngress: []finding.Rule{ssh}}},
			wantSeverity:  finding.SeverityNone, wantOpens: false,
		},
		{
			name: "group opened to the world, used by a public interface",
			in: finding.Finding{EventID: "e4", EventName: "AuthorizeSecurityGroupIngress", EventSource: "ec2.amazonaws.com", OpensExposure: true,
				Requested: finding.Requested{IngressRules: []finding.Rule{ssh}}, Resources: []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-ssh"}}},
			wantResources: []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-ssh", Name: "ssh", Found: &yes, OpenIngress: []finding.Rule{ssh}, PublicIPs: []string{"203.0.113.10"}}},
			wantSeverity:  finding.SeverityHigh, wantOpens: true,
		},
		{
			name:          "allocated address, unattached",
			in:            finding.Finding{EventID: "e5", EventName: "AllocateAddress", EventSource: "ec2.amazonaws.com", OpensExposure: true, Resources: []finding.Resource{{Type: finding.TypeElasticIP, ID: "eipalloc-2"}}},
			wantResources: []finding.Resource{{Type: finding.TypeElasticIP, ID: "eipalloc-2", Found: &yes, PublicIPs: []string{"198.51.100.2"}}},
			wantSeverity:  finding.SeverityLow, wantOpens: true,
		},
		{
			name: "address associated with an instance that has ssh open",
			in: finding.Finding{EventID: "e6", EventName: "AssociateAddress", EventSource: "ec2.amazonaws.com", OpensExposure: true,
				Resources: []finding.Resource{{Type: finding.TypeElasticIP, ID: "eipalloc-1"}, {Type: finding.TypeInstance, ID: "i-public"}}},
			wantResources: []finding.Resource{
				{Type: finding.TypeElasticIP, ID: "eipalloc-1", Found: &yes, SecurityGroups: []string{"sg-ssh"}, OpenIngress: []finding.Rule{ssh}, PublicIPs: []string{"203.0.113.10"}, AttachedTo: "i-public"},
				{Type: finding.TypeInstance, ID: "i-public", Found: &yes, SecurityGroups: []string{"sg-ssh"}, OpenIngress: []finding.Rule{ssh}, PublicIPs: []string{"203.0.113.10"}},
			},
			wantSeverity: finding.SeverityHigh, wantOpens: true,
		},
		{
			name: "internet-facing load balancer with an https group",
			in: finding.Finding{EventID: "e7", EventName: "CreateLoadBalancer", EventSource: "elasticloadbalancing.amazonaws.com", OpensExposure: true,
				Requested: finding.Requested{Scheme: "internet-facing", SecurityGroups: []string{"sg-web"}}, Resources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: "arn:lb"}}},
			wantResources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: "arn:lb", SecurityGroups: []string{"sg-web"}, OpenIngress: []finding.Rule{https6}}},
			wantSeverity:  finding.SeverityMedium, wantOpens: true,
		},
		{
			name:          "instance already terminated",
			in:            finding.Finding{EventID: "e8", EventName: "RunInstances", EventSource: "ec2.amazonaws.com", OpensExposure: true, Requested: finding.Requested{PublicIP: true}, Resources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-gone"}}},
			wantResources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-gone", Found: &no}},
			wantSeverity:  finding.SeverityLow, wantOpens: true,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &Handler{Accounts: Single{world()}, Log: zerolog.New(io.Discard)}
			in := tc.in
			got, err := h.Handle(context.Background(), finding.StepRequest{Finding: &in, ExecutionID: "exec"})
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.wantResources, got.Resources); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
			if got.Severity != tc.wantSeverity {
				t.Errorf("severity %s, want %s", got.Severity, tc.wantSeverity)
			}
			if got.OpensExposure != tc.wantOpens {
				t.Errorf("opensExposure %v, want %v", got.OpensExposure, tc.wantOpens)
			}
			if !got.Enriched {
				t.Error("not marked enriched")
			}
		})
	}
}

func TestHandleFailedCallMakesNoLookup(t *testing.T) {
	fail := func() { t.Fatal("a failed call was looked up") }
	h := &Handler{Log: zerolog.New(io.Discard), Accounts: Single{&fakeLookups{
		InstancesFn: func(context.Context, []string) ([]Instance, error) { fail(); return nil, nil },
	}}}
	f := finding.Finding{EventID: "e", EventName: "RunInstances", ErrorCode: "UnauthorizedOperation", Resources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-1"}}}
	got, err := h.Handle(context.Background(), finding.StepRequest{Finding: &f})
	if err != nil {
		t.Fatal(err)
	}
	if got.Severity != finding.SeverityLow || got.OpensExposure {
		t.Errorf("failed call: severity %s opens %v, want low and false", got.Severity, got.OpensExposure)
	}
}

func TestHandleErrors(t *testing.T) {
	boom := errors.New("RequestLimitExceeded")
	tests := []struct {
		name     string
		req      finding.StepRequest
		lookups  *fakeLookups
		wantType string
	}{
		{"no finding", finding.StepRequest{}, world(), "InvalidInputError"},
		{"no event id", finding.StepRequest{Finding: &finding.Finding{}}, world(), "InvalidInputError"},
		{"ec2 fails", finding.StepRequest{Finding: &finding.Finding{EventID: "e", Resources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-1"}}}},
			func() *fakeLookups {
				w := world()
				w.InstancesFn = func(context.Context, []string) ([]Instance, error) { return nil, boom }
				return w
			}(), "EC2LookupError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := &Handler{Accounts: Single{tc.lookups}, Log: zerolog.New(io.Discard)}
			_, err := h.Handle(context.Background(), tc.req)
			var got string
			switch err.(type) {
			case *finding.InvalidInputError:
				got = "InvalidInputError"
			case *EC2LookupError:
				got = "EC2LookupError"
				if !errors.Is(err, boom) {
					t.Errorf("EC2LookupError does not wrap the cause: %v", err)
				}
			default:
				t.Fatalf("error %T (%v)", err, err)
			}
			if got != tc.wantType {
				t.Errorf("error %s, want %s", got, tc.wantType)
			}
		})
	}
}
