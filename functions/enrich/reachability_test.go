package main

import (
	"context"
	"fmt"
	"io"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// vpc is a networked account: subnet-pub routes 0.0.0.0/0 to igw-1,
// subnet-priv (the main table) nowhere, subnet-deny routes like subnet-pub
// but its ACL denies tcp/22 from the world. sg-ssh opens 22, sg-alb opens
// 22 and 80 to the world. i-pub (eni-pub) and i-priv (eni-priv) use
// sg-ssh; i-deny (eni-deny) too, in subnet-deny; the load balancer "web"
// (HTTP:80) in subnet-pub uses sg-alb, and its interface eni-alb (with a
// public IP) is in sg-alb. db-priv is publicly accessible in subnet-priv;
// bucket "open" has a public policy under the account's block; ami-1 is
// shared with a trusted account, and so is the DB snapshot "snap-trusted";
// the DB cluster snapshot "csnap-public" is shared with all. calls counts
// the calls of each kind.
type vpc struct {
	mu    sync.Mutex
	calls map[string]int
}

func (v *vpc) count(kind string) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.calls[kind]++
}

const albARN2 = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"

func (v *vpc) lookups() *fakeLookups {
	allow := func(egress bool, n int) finding.ACLEntry {
		return finding.ACLEntry{Number: n, Egress: egress, Allow: true, Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "0.0.0.0/0"}
	}
	acls := []finding.NetworkACL{
		{ID: "acl-open", VPCID: "vpc-1", Subnets: []string{"subnet-pub", "subnet-priv"}, Entries: []finding.ACLEntry{allow(false, 100), allow(true, 100)}},
		{ID: "acl-deny", VPCID: "vpc-1", Subnets: []string{"subnet-deny"}, Entries: []finding.ACLEntry{
			{Number: 90, Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0"}, allow(false, 100), allow(true, 100)}},
	}
	tables := []finding.RouteTable{
		{ID: "rtb-main", VPCID: "vpc-1", Main: true, Associations: map[string]string{"rtbassoc-main": ""}},
		{ID: "rtb-pub", VPCID: "vpc-1", Subnets: []string{"subnet-pub", "subnet-deny"}, Associations: map[string]string{"rtbassoc-pub": "subnet-pub", "rtbassoc-deny": "subnet-deny"},
			Routes: []finding.Route{{Destination: "0.0.0.0/0", Target: "igw-1"}}},
	}
	groups := map[string]finding.SecurityGroup{
		"sg-ssh": {ID: "sg-ssh", Name: "ssh", Ingress: []finding.Rule{tcp22}},
		"sg-alb": {ID: "sg-alb", Name: "alb", Ingress: []finding.Rule{tcp22, {Protocol: "tcp", FromPort: 80, ToPort: 80, CIDR: "0.0.0.0/0", WorldOpen: true}}},
		"sg-db":  {ID: "sg-db", Ingress: []finding.Rule{{Protocol: "tcp", FromPort: 5432, ToPort: 5432, CIDR: "0.0.0.0/0", WorldOpen: true}}},
	}
	iface := func(id, inst, subnet string, public bool, group string) NetworkInterface {
		n := NetworkInterface{ID: id, InstanceID: inst, SubnetID: subnet, VPCID: "vpc-1", SecurityGroups: []string{group}}
		if public {
			n.PublicIPv4 = []string{"203.0.113." + fmt.Sprint(len(id))}
			n.PublicIPs = n.PublicIPv4
		}
		return n
	}
	enis := []NetworkInterface{
		iface("eni-pub", "i-pub", "subnet-pub", true, "sg-ssh"),
		iface("eni-priv", "i-priv", "subnet-priv", true, "sg-ssh"),
		iface("eni-deny", "i-deny", "subnet-deny", true, "sg-ssh"),
		func() NetworkInterface {
			n := iface("eni-alb", "", "subnet-pub", true, "sg-alb")
			n.LoadBalancer = "app/web/50dc6c495c0c9188"
			return n
		}(),
	}
	insts := map[string]Instance{}
	for _, n := range enis {
		if n.InstanceID != "" {
			insts[n.InstanceID] = Instance{ID: n.InstanceID, SecurityGroups: n.SecurityGroups, PublicIPs: n.PublicIPs, Interfaces: []NetworkInterface{n},
				Tags: map[string]string{"Name": n.InstanceID + "-name", "Owner": "team-a", "aws:cloudformation:stack-id": "x"}}
		}
	}
	web := LoadBalancer{ID: albARN2, Name: "web", Kind: "application", Scheme: "internet-facing", VPCID: "vpc-1", Subnets: []string{"subnet-pub"},
		SecurityGroups: []string{"sg-alb"}, Listeners: []finding.Listener{{Protocol: "HTTP", Port: 80}}}
	yes := true
	return &fakeLookups{
		SecurityGroupsFn: func(_ context.Context, ids []string) ([]finding.SecurityGroup, error) {
			v.count("DescribeSecurityGroups")
			var out []finding.SecurityGroup
			for _, id := range ids {
				if g, ok := groups[id]; ok {
					out = append(out, g)
				}
			}
			return out, nil
		},
		InstancesFn: func(_ context.Context, ids []string) ([]Instance, error) {
			v.count("DescribeInstances")
			var out []Instance
			for _, id := range ids {
				if in, ok := insts[id]; ok {
					out = append(out, in)
				}
			}
			return out, nil
		},
		AddressesFn: func(context.Context, []string) ([]Address, error) { v.count("DescribeAddresses"); return nil, nil },
		NetworkInterfacesFn: func(_ context.Context, ids, gs []string) ([]NetworkInterface, error) {
			v.count("DescribeNetworkInterfaces")
			var out []NetworkInterface
			for _, n := range enis {
				if slices.Contains(ids, n.ID) || slices.ContainsFunc(n.SecurityGroups, func(g string) bool { return slices.Contains(gs, g) }) {
					out = append(out, n)
				}
			}
			return out, nil
		},
		InterfacesInFn: func(_ context.Context, subnets, vpcs []string) ([]NetworkInterface, error) {
			v.count("DescribeNetworkInterfaces")
			var out []NetworkInterface
			for _, n := range enis {
				if slices.Contains(subnets, n.SubnetID) || slices.Contains(vpcs, n.VPCID) {
					out = append(out, n)
				}
			}
			return out, nil
		},
		RouteTablesFn: func(_ context.Context, ids, vpcs []string) ([]finding.RouteTable, error) {
			v.count("DescribeRouteTables")
			var out []finding.RouteTable
			for _, t := range tables {
				if slices.Contains(ids, t.ID) || slices.Contains(vpcs, t.VPCID) {
					out = append(out, t)
				}
			}
			return out, nil
		},
		NetworkACLsFn: func(_ context.Context, ids, subnets []string) ([]finding.NetworkACL, error) {
			v.count("DescribeNetworkAcls")
			var out []finding.NetworkACL
			for _, a := range acls {
				if slices.Contains(ids, a.ID) || slices.ContainsFunc(a.Subnets, func(s string) bool { return slices.Contains(subnets, s) }) {
					out = append(out, a)
				}
			}
			return out, nil
		},
		LoadBalancersFn: func(_ context.Context, ids []string) ([]LoadBalancer, error) {
			v.count("DescribeLoadBalancers")
			if slices.Contains(ids, albARN2) {
				return []LoadBalancer{web}, nil
			}
			return nil, nil
		},
		DBInstancesFn: func(_ context.Context, ids, clusters []string) ([]Database, error) {
			v.count("DescribeDBInstances")
			if slices.Contains(ids, "db-priv") {
				return []Database{{ID: "db-priv", PubliclyAccessible: &yes, Address: "db-priv.x.rds.amazonaws.com", Port: 5432, SecurityGroups: []string{"sg-db"},
					VPCID: "vpc-1", Subnets: []string{"subnet-priv"}}}, nil
			}
			return nil, nil
		},
		BucketFn: func(_ context.Context, account, b string) (finding.BucketAccess, map[string]string, bool, error) {
			v.count("Bucket")
			return finding.BucketAccess{Bucket: b, Account: account, PolicyPublic: true,
				AccountBlock: &finding.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}}, nil, true, nil
		},
		ImageSharesFn: func(context.Context, string) ([]string, bool, error) {
			v.count("DescribeImageAttribute")
			return []string{"111122223333"}, true, nil
		},
		DBSnapshotSharesFn: func(_ context.Context, id string) ([]string, bool, error) {
			v.count("DescribeDBSnapshotAttributes")
			return []string{"111122223333"}, id == "snap-trusted", nil
		},
		DBClusterSnapshotSharesFn: func(_ context.Context, id string) ([]string, bool, error) {
			v.count("DescribeDBClusterSnapshotAttributes")
			return []string{"all"}, id == "csnap-public", nil
		},
	}
}

var tcp22 = finding.Rule{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true}

func TestHandleReachability(t *testing.T) {
	tests := []struct {
		name         string
		in           finding.Finding
		wantSeverity finding.Severity
		check        func(t *testing.T, r finding.Resource)
	}{
		{
			name: "world-open ssh on a private-subnet instance is not high",
			in: finding.Finding{EventName: "RunInstances", EventSource: "ec2.amazonaws.com", OpensExposure: true, Requested: finding.Requested{PublicIP: true},
				Resources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-priv"}}},
			wantSeverity: finding.SeverityMedium,
			check: func(t *testing.T, r finding.Resource) {
				if r.Reachable == nil || *r.Reachable {
					t.Errorf("reachable %v, want false", r.Reachable)
				}
				wantLine(t, r.Reachability, "subnet-priv has no route for 0.0.0.0/0 (rtb-main, the VPC's main route table)")
				if diff := cmp.Diff(map[string]string{"Name": "i-priv-name", "Owner": "team-a"}, r.Tags); diff != "" {
					t.Errorf("tags (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "a public instance with ssh open is high, and says why",
			in: finding.Finding{EventName: "RunInstances", EventSource: "ec2.amazonaws.com", OpensExposure: true,
				Resources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-pub"}}},
			wantSeverity: finding.SeverityHigh,
			check: func(t *testing.T, r finding.Resource) {
				wantLine(t, r.Reachability, "sg-ssh allows tcp/22 from 0.0.0.0/0")
				wantLine(t, r.Reachability, "subnet-pub routes 0.0.0.0/0 to igw-1 (rtb-pub)")
				wantLine(t, r.Reachability, "acl-open rule 100 allows all traffic in from 0.0.0.0/0")
			},
		},
		{
			name: "a network ACL deny removes the port",
			in: finding.Finding{EventName: "RunInstances", EventSource: "ec2.amazonaws.com", OpensExposure: true,
				Resources: []finding.Resource{{Type: finding.TypeInstance, ID: "i-deny"}}},
			wantSeverity: finding.SeverityMedium,
			check: func(t *testing.T, r finding.Resource) {
				if r.Reachable == nil || *r.Reachable || len(r.ReachablePorts) != 0 {
					t.Errorf("reachable %v ports %v, want not reachable", r.Reachable, r.ReachablePorts)
				}
				wantLine(t, r.Reachability, "acl-deny rule 90 denies tcp/22 in from 0.0.0.0/0")
			},
		},
		{
			name: "22 opened on an ALB's group is judged by its listeners",
			in: finding.Finding{EventName: "AuthorizeSecurityGroupIngress", EventSource: "ec2.amazonaws.com", OpensExposure: true, Account: "123456789012", Region: "us-east-1",
				Requested: finding.Requested{IngressRules: []finding.Rule{tcp22}}, Resources: []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-alb"}}},
			wantSeverity: finding.SeverityMedium,
			check: func(t *testing.T, r finding.Resource) {
				want := []finding.Reached{{Type: finding.TypeLoadBalancer, ID: "web", Ports: []finding.Rule{{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDR: "0.0.0.0/0", WorldOpen: true, SecurityGroupID: "sg-alb"}}}}
				if diff := cmp.Diff(want, r.Reaches); diff != "" {
					t.Errorf("reaches (-want +got):\n%s", diff)
				}
				if len(r.PublicIPs) != 0 {
					t.Errorf("public IPs %v: a load balancer's interfaces are not reported", r.PublicIPs)
				}
			},
		},
		{
			name: "a route to an internet gateway: what it reaches",
			in: finding.Finding{EventName: "CreateRoute", EventSource: "ec2.amazonaws.com", OpensExposure: true,
				Resources: []finding.Resource{{Type: finding.TypeRouteTable, ID: "rtb-pub"}, {Type: finding.TypeInternetGateway, ID: "igw-1"}}},
			wantSeverity: finding.SeverityHigh,
			check: func(t *testing.T, r finding.Resource) {
				if r.ReachesCount != 2 {
					t.Errorf("reaches %d (%v), want i-pub and web", r.ReachesCount, r.Reaches)
				}
				wantLine(t, r.Reachability, "rtb-pub routes 0.0.0.0/0 to igw-1")
			},
		},
		{
			name: "a publicly accessible database in a private subnet is not high",
			in: finding.Finding{EventName: "ModifyDBInstance", EventSource: "rds.amazonaws.com", OpensExposure: true, Requested: finding.Requested{PublicAccess: true},
				Resources: []finding.Resource{{Type: finding.TypeDBInstance, ID: "db-priv"}}},
			wantSeverity: finding.SeverityLow,
			check: func(t *testing.T, r finding.Resource) {
				if r.Endpoint != "db-priv.x.rds.amazonaws.com:5432" {
					t.Errorf("endpoint %q", r.Endpoint)
				}
				wantLine(t, r.Reachability, "subnet-priv has no route for 0.0.0.0/0 (rtb-main, the VPC's main route table)")
			},
		},
		{
			name: "a public bucket policy under the account's block is not public",
			in: finding.Finding{EventName: "PutBucketPolicy", EventSource: "s3.amazonaws.com", OpensExposure: true, Account: "123456789012", Requested: finding.Requested{PublicAccess: true},
				Resources: []finding.Resource{{Type: finding.TypeBucket, ID: "open"}}},
			wantSeverity: finding.SeverityLow,
		},
		{
			name: "an image shared with a trusted account is low",
			in: finding.Finding{EventName: "ModifyImageAttribute", EventSource: "ec2.amazonaws.com", OpensExposure: true, Requested: finding.Requested{SharedWith: []string{"111122223333"}},
				Resources: []finding.Resource{{Type: finding.TypeImage, ID: "ami-1"}}},
			wantSeverity: finding.SeverityLow,
		},
		{
			name: "a DB snapshot the call shares with an untrusted account, shared with a trusted one only by now, is low",
			in: finding.Finding{EventName: "ModifyDBSnapshotAttribute", EventSource: "rds.amazonaws.com", OpensExposure: true, Requested: finding.Requested{SharedWith: []string{"999988887777"}},
				Resources: []finding.Resource{{Type: finding.TypeDBSnapshot, ID: "snap-trusted"}}},
			wantSeverity: finding.SeverityLow,
			check: func(t *testing.T, r finding.Resource) {
				if diff := cmp.Diff([]finding.Share{{Grantee: "111122223333", Trusted: true}}, r.Shares); diff != "" {
					t.Errorf("shares (-want +got):\n%s", diff)
				}
			},
		},
		{
			name: "a DB cluster snapshot shared with all by now is high",
			in: finding.Finding{EventName: "ModifyDBClusterSnapshotAttribute", EventSource: "rds.amazonaws.com", OpensExposure: true, Requested: finding.Requested{SharedWith: []string{"111122223333"}},
				Resources: []finding.Resource{{Type: finding.TypeDBClusterSnap, ID: "csnap-public"}}},
			wantSeverity: finding.SeverityHigh,
		},
		{
			name: "a DB snapshot not found is judged by the call",
			in: finding.Finding{EventName: "ModifyDBSnapshotAttribute", EventSource: "rds.amazonaws.com", OpensExposure: true, Requested: finding.Requested{PublicAccess: true, SharedWith: []string{"all"}},
				Resources: []finding.Resource{{Type: finding.TypeDBSnapshot, ID: "snap-gone"}}},
			wantSeverity: finding.SeverityHigh,
			check: func(t *testing.T, r finding.Resource) {
				if r.Found == nil || *r.Found {
					t.Errorf("found %v, want false", r.Found)
				}
			},
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := &vpc{calls: map[string]int{}}
			h := NewHandler(Single{v.lookups()}, finding.Trusted{"111122223333"}, zerolog.New(io.Discard))
			in := tc.in
			in.EventID = fmt.Sprint("e", i)
			got, err := h.Handle(context.Background(), finding.StepRequest{Finding: &in})
			if err != nil {
				t.Fatal(err)
			}
			if got.Severity != tc.wantSeverity {
				t.Errorf("severity %s, want %s (%q)", got.Severity, tc.wantSeverity, got.Resources[0].Reachability)
			}
			if tc.check != nil {
				tc.check(t, got.Resources[0])
			}
		})
	}
}

func wantLine(t *testing.T, lines []string, want string) {
	t.Helper()
	for _, l := range lines {
		if strings.HasSuffix(l, want) {
			return
		}
	}
	t.Errorf("no line %q in\n%s", want, strings.Join(lines, "\n"))
}

// TestBurstOnOneGroup: a burst of events on one security group, in one
// container, asks AWS once per kind of lookup while the answers are fresh.
func TestBurstOnOneGroup(t *testing.T) {
	v := &vpc{calls: map[string]int{}}
	now := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	cache := &Cache{TTL: DefaultCacheTTL, Now: func() time.Time { return now }}
	l := cachedLookups{inner: v.lookups(), cache: cache, scope: "123456789012/us-east-1"}
	h := NewHandler(Single{l}, nil, zerolog.New(io.Discard))
	var wg sync.WaitGroup
	for i := range 1000 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f := finding.Finding{EventID: fmt.Sprint("e", i), EventName: "AuthorizeSecurityGroupIngress", EventSource: "ec2.amazonaws.com", OpensExposure: true,
				Time: now.Add(-time.Minute), Resources: []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-ssh"}}}
			if _, err := h.Handle(context.Background(), finding.StepRequest{Finding: &f}); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	want := map[string]int{"DescribeNetworkInterfaces": 1, "DescribeSecurityGroups": 1, "DescribeRouteTables": 1, "DescribeNetworkAcls": 1}
	if diff := cmp.Diff(want, v.calls); diff != "" {
		t.Errorf("calls for 1,000 events (-want +got):\n%s", diff)
	}
	// An event newer than the kept answers is judged from new ones.
	f := finding.Finding{EventID: "late", EventName: "AuthorizeSecurityGroupIngress", EventSource: "ec2.amazonaws.com", OpensExposure: true,
		Time: now.Add(time.Second), Resources: []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-ssh"}}}
	if _, err := h.Handle(context.Background(), finding.StepRequest{Finding: &f}); err != nil {
		t.Fatal(err)
	}
	if v.calls["DescribeSecurityGroups"] != 2 {
		t.Errorf("a change after the kept answers was judged from them: %v", v.calls)
	}
}
