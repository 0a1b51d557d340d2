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
	SecurityGroupsFn          func(ctx context.Context, ids []string) ([]finding.SecurityGroup, error)
	InstancesFn               func(ctx context.Context, ids []string) ([]Instance, error)
	AddressesFn               func(ctx context.Context, ids []string) ([]Address, error)
	NetworkInterfacesFn       func(ctx context.Context, ids, groupIDs []string) ([]NetworkInterface, error)
	LoadBalancersFn           func(ctx context.Context, ids []string) ([]LoadBalancer, error)
	InterfacesInFn            func(ctx context.Context, subnets, vpcs []string) ([]NetworkInterface, error)
	RouteTablesFn             func(ctx context.Context, ids, vpcs []string) ([]finding.RouteTable, error)
	NetworkACLsFn             func(ctx context.Context, ids, subnets []string) ([]finding.NetworkACL, error)
	PrefixListsFn             func(ctx context.Context, ids []string) ([]finding.PrefixList, error)
	SubnetsFn                 func(ctx context.Context, ids []string) ([]Subnet, error)
	ImageSharesFn             func(ctx context.Context, id string) ([]string, bool, error)
	SnapshotSharesFn          func(ctx context.Context, id string) ([]string, bool, error)
	DBSnapshotSharesFn        func(ctx context.Context, id string) ([]string, bool, error)
	DBClusterSnapshotSharesFn func(ctx context.Context, id string) ([]string, bool, error)
	DBInstancesFn             func(ctx context.Context, ids, clusters []string) ([]Database, error)
	DBClustersFn              func(ctx context.Context, ids []string) ([]Database, error)
	RedshiftClustersFn        func(ctx context.Context, ids []string) ([]Database, error)
	BucketFn                  func(ctx context.Context, account, bucket string) (finding.BucketAccess, map[string]string, bool, error)
	FunctionFn                func(ctx context.Context, account, region, function string) (finding.FunctionAccess, map[string]string, bool, error)
}

func (f *fakeLookups) InterfacesIn(ctx context.Context, subnets, vpcs []string) ([]NetworkInterface, error) {
	if f.InterfacesInFn == nil {
		return nil, nil
	}
	return f.InterfacesInFn(ctx, subnets, vpcs)
}
func (f *fakeLookups) RouteTables(ctx context.Context, ids, vpcs []string) ([]finding.RouteTable, error) {
	if f.RouteTablesFn == nil {
		return nil, nil
	}
	return f.RouteTablesFn(ctx, ids, vpcs)
}
func (f *fakeLookups) NetworkACLs(ctx context.Context, ids, subnets []string) ([]finding.NetworkACL, error) {
	if f.NetworkACLsFn == nil {
		return nil, nil
	}
	return f.NetworkACLsFn(ctx, ids, subnets)
}
func (f *fakeLookups) PrefixLists(ctx context.Context, ids []string) ([]finding.PrefixList, error) {
	if f.PrefixListsFn == nil {
		return nil, nil
	}
	return f.PrefixListsFn(ctx, ids)
}
func (f *fakeLookups) Subnets(ctx context.Context, ids []string) ([]Subnet, error) {
	if f.SubnetsFn == nil {
		return nil, nil
	}
	return f.SubnetsFn(ctx, ids)
}
func (f *fakeLookups) ImageShares(ctx context.Context, id string) ([]string, bool, error) {
	if f.ImageSharesFn == nil {
		return nil, false, nil
	}
	return f.ImageSharesFn(ctx, id)
}
func (f *fakeLookups) SnapshotShares(ctx context.Context, id string) ([]string, bool, error) {
	if f.SnapshotSharesFn == nil {
		return nil, false, nil
	}
	return f.SnapshotSharesFn(ctx, id)
}
func (f *fakeLookups) DBSnapshotShares(ctx context.Context, id string) ([]string, bool, error) {
	if f.DBSnapshotSharesFn == nil {
		return nil, false, nil
	}
	return f.DBSnapshotSharesFn(ctx, id)
}
func (f *fakeLookups) DBClusterSnapshotShares(ctx context.Context, id string) ([]string, bool, error) {
	if f.DBClusterSnapshotSharesFn == nil {
		return nil, false, nil
	}
	return f.DBClusterSnapshotSharesFn(ctx, id)
}
func (f *fakeLookups) DBInstances(ctx context.Context, ids, clusters []string) ([]Database, error) {
	if f.DBInstancesFn == nil {
		return nil, nil
	}
	return f.DBInstancesFn(ctx, ids, clusters)
}
func (f *fakeLookups) DBClusters(ctx context.Context, ids []string) ([]Database, error) {
	if f.DBClustersFn == nil {
		return nil, nil
	}
	return f.DBClustersFn(ctx, ids)
}
func (f *fakeLookups) RedshiftClusters(ctx context.Context, ids []string) ([]Database, error) {
	if f.RedshiftClustersFn == nil {
		return nil, nil
	}
	return f.RedshiftClustersFn(ctx, ids)
}
func (f *fakeLookups) Bucket(ctx context.Context, account, bucket string) (finding.BucketAccess, map[string]string, bool, error) {
	if f.BucketFn == nil {
		return finding.BucketAccess{}, nil, false, nil
	}
	return f.BucketFn(ctx, account, bucket)
}
func (f *fakeLookups) Function(ctx context.Context, account, region, function string) (finding.FunctionAccess, map[string]string, bool, error) {
	if f.FunctionFn == nil {
		return finding.FunctionAccess{}, nil, false, nil
	}
	return f.FunctionFn(ctx, account, region, function)
}

func (f *fakeLookups) LoadBalancers(ctx context.Context, ids []string) ([]LoadBalancer, error) {
	return f.LoadBalancersFn(ctx, ids)
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
// has none; eipalloc-1 is on i-public, eipalloc-2 is unattached. Load
// balancers: lbWeb (internet-facing, sg-web, HTTPS:443 and HTTP:80), lbNLB
// (internet-facing, no groups, TCP:22), lbInternal (internal, sg-web,
// HTTPS:443), lbNew (internet-facing, sg-ssh, no listeners), classic-web
// (classic, internet-facing, sg-ssh, TCP:22 and HTTP:80).
func world() *fakeLookups {
	lbs := map[string]LoadBalancer{
		lbWeb: {ID: lbWeb, Name: "web", Kind: "application", Scheme: "internet-facing", DNSName: "web-1.us-east-1.elb.amazonaws.com",
			SecurityGroups: []string{"sg-web"}, Listeners: []finding.Listener{{Protocol: "HTTPS", Port: 443}, {Protocol: "HTTP", Port: 80}}},
		lbNLB: {ID: lbNLB, Name: "ssh", Kind: "network", Scheme: "internet-facing", DNSName: "ssh-2.elb.us-east-1.amazonaws.com",
			Listeners: []finding.Listener{{Protocol: "TCP", Port: 22}}},
		lbInternal: {ID: lbInternal, Name: "internal", Kind: "application", Scheme: "internal", SecurityGroups: []string{"sg-web"}, Listeners: []finding.Listener{{Protocol: "HTTPS", Port: 443}}},
		lbNew:      {ID: lbNew, Name: "new", Kind: "application", Scheme: "internet-facing", SecurityGroups: []string{"sg-ssh"}},
		"classic-web": {ID: "classic-web", Name: "classic-web", Kind: "classic", Scheme: "internet-facing", SecurityGroups: []string{"sg-ssh"},
			Listeners: []finding.Listener{{Protocol: "TCP", Port: 22}, {Protocol: "HTTP", Port: 80}}},
	}
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
		LoadBalancersFn: func(_ context.Context, ids []string) ([]LoadBalancer, error) {
			var out []LoadBalancer
			for _, id := range ids {
				if lb, ok := lbs[id]; ok {
					out = append(out, lb)
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

const (
	lbWeb      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/1"
	lbNLB      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/ssh/2"
	lbInternal = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/internal/3"
	lbNew      = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/new/4"
)

var (
	yes    = true
	no     = false
	ssh    = finding.Rule{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true, SecurityGroupID: "sg-ssh"}
	https6 = finding.Rule{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDR: "::/0", WorldOpen: true, SecurityGroupID: "sg-web"}
)

const elbSource = "elasticloadbalancing.amazonaws.com"

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
			name: "internet-facing load balancer without listeners yet",
			in: finding.Finding{EventID: "e7", EventName: "CreateLoadBalancer", EventSource: elbSource, OpensExposure: true,
				Requested: finding.Requested{Scheme: "internet-facing", SecurityGroups: []string{"sg-ssh"}}, Resources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: lbNew, Name: "new"}}},
			wantResources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: lbNew, Name: "new", Found: &yes, SecurityGroups: []string{"sg-ssh"}, Scheme: "internet-facing"}},
			wantSeverity:  finding.SeverityMedium, wantOpens: true,
		},
		{
			name: "load balancer created and gone before the lookup is judged by the request",
			in: finding.Finding{EventID: "e7b", EventName: "CreateLoadBalancer", EventSource: elbSource, OpensExposure: true,
				Requested: finding.Requested{Scheme: "internet-facing", SecurityGroups: []string{"sg-web"}}, Resources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/gone/9"}}},
			wantResources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/gone/9", Found: &no, SecurityGroups: []string{"sg-web"}, OpenIngress: []finding.Rule{https6}}},
			wantSeverity:  finding.SeverityMedium, wantOpens: true,
		},
		{
			name: "internal load balancer created: nothing exposed",
			in: finding.Finding{EventID: "e7c", EventName: "CreateLoadBalancer", EventSource: elbSource, OpensExposure: true,
				Requested: finding.Requested{Scheme: "internet-facing"}, Resources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: lbInternal}}},
			wantResources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: lbInternal, Name: "internal", Found: &yes, SecurityGroups: []string{"sg-web"}, Scheme: "internal", Listeners: []string{"HTTPS:443"},
				OpenIngress: []finding.Rule{https6}}},
			wantSeverity: finding.SeverityNone, wantOpens: false,
		},
		{
			name: "listener added to an internet-facing load balancer: only the ports its groups admit",
			in: finding.Finding{EventID: "e7d", EventName: "CreateListener", EventSource: elbSource, Requested: finding.Requested{Listeners: []string{"HTTPS:443"}},
				Resources: []finding.Resource{{Type: finding.TypeListener, ID: lbWeb + "/listener"}, {Type: finding.TypeLoadBalancer, ID: lbWeb}}},
			wantResources: []finding.Resource{{Type: finding.TypeListener, ID: lbWeb + "/listener"}, {Type: finding.TypeLoadBalancer, ID: lbWeb, Name: "web", Found: &yes, SecurityGroups: []string{"sg-web"},
				Scheme: "internet-facing", DNSName: "web-1.us-east-1.elb.amazonaws.com", Listeners: []string{"HTTPS:443", "HTTP:80"}, OpenIngress: []finding.Rule{https6}}},
			wantSeverity: finding.SeverityMedium, wantOpens: true,
		},
		{
			name: "ssh listener on a network load balancer without groups",
			in: finding.Finding{EventID: "e7e", EventName: "CreateListener", EventSource: elbSource, Requested: finding.Requested{Listeners: []string{"TCP:22"}},
				Resources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: lbNLB}}},
			wantResources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: lbNLB, Name: "ssh", Found: &yes, Scheme: "internet-facing", DNSName: "ssh-2.elb.us-east-1.amazonaws.com",
				Listeners: []string{"TCP:22"}, OpenIngress: []finding.Rule{
					{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true},
					{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "::/0", WorldOpen: true},
				}}},
			wantSeverity: finding.SeverityHigh, wantOpens: true,
		},
		{
			name: "listener on an internal load balancer opens nothing",
			in: finding.Finding{EventID: "e7f", EventName: "CreateListener", EventSource: elbSource, Requested: finding.Requested{Listeners: []string{"HTTPS:443"}},
				Resources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: lbInternal}}},
			wantResources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: lbInternal, Name: "internal", Found: &yes, SecurityGroups: []string{"sg-web"}, Scheme: "internal",
				Listeners: []string{"HTTPS:443"}, OpenIngress: []finding.Rule{https6}}},
			wantSeverity: finding.SeverityNone, wantOpens: false,
		},
		{
			name: "listener on a load balancer that is gone opens nothing",
			in: finding.Finding{EventID: "e7g", EventName: "CreateListener", EventSource: elbSource,
				Resources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/gone/9"}}},
			wantResources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/gone/9", Found: &no}},
			wantSeverity:  finding.SeverityNone, wantOpens: false,
		},
		{
			name: "world-open ssh group set on an internet-facing classic-style listener set",
			in: finding.Finding{EventID: "e7h", EventName: "SetSecurityGroups", EventSource: elbSource, Requested: finding.Requested{SecurityGroups: []string{"sg-ssh"}},
				Resources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: "classic-web"}}},
			wantResources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: "classic-web", Name: "classic-web", Found: &yes, SecurityGroups: []string{"sg-ssh"}, Scheme: "internet-facing",
				Listeners: []string{"TCP:22", "HTTP:80"}, OpenIngress: []finding.Rule{ssh}}},
			wantSeverity: finding.SeverityHigh, wantOpens: true,
		},
		{
			name: "private group set on an internet-facing load balancer opens nothing",
			in: finding.Finding{EventID: "e7i", EventName: "SetSecurityGroups", EventSource: elbSource, Requested: finding.Requested{SecurityGroups: []string{"sg-private"}},
				Resources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: lbWeb}}},
			wantResources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: lbWeb, Name: "web", Found: &yes, SecurityGroups: []string{"sg-web"}, Scheme: "internet-facing",
				DNSName: "web-1.us-east-1.elb.amazonaws.com", Listeners: []string{"HTTPS:443", "HTTP:80"}, OpenIngress: []finding.Rule{https6}}},
			wantSeverity: finding.SeverityNone, wantOpens: false,
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
			h := NewHandler(Single{world()}, nil, zerolog.New(io.Discard))
			in := tc.in
			got, err := settled(h, &in)
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
	h := NewHandler(Single{&fakeLookups{
		InstancesFn: func(context.Context, []string) ([]Instance, error) { fail(); return nil, nil },
	}}, nil, zerolog.New(io.Discard))
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
			}(), "LookupError"},
		{"elb fails", finding.StepRequest{Finding: &finding.Finding{EventID: "e", Resources: []finding.Resource{{Type: finding.TypeLoadBalancer, ID: lbWeb}}}},
			func() *fakeLookups {
				w := world()
				w.LoadBalancersFn = func(context.Context, []string) ([]LoadBalancer, error) { return nil, boom }
				return w
			}(), "LookupError"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := NewHandler(Single{tc.lookups}, nil, zerolog.New(io.Discard))
			_, err := h.Handle(context.Background(), tc.req)
			var got string
			switch err.(type) {
			case *finding.InvalidInputError:
				got = "InvalidInputError"
			case *LookupError:
				got = "LookupError"
				if !errors.Is(err, boom) {
					t.Errorf("LookupError does not wrap the cause: %v", err)
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
