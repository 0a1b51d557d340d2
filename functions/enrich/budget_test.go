package main

import (
	"context"
	"fmt"
	"io"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// TestCallBudget holds each kind of event to the lookups the README's
// "API calls per event" table states for it (one resource, one page each;
// the fake's lookups each stand for the API calls named in lookups.go: a
// Bucket lookup is S3's four calls and S3 Control's one, a load balancer
// DescribeLoadBalancers, DescribeListeners and DescribeTags).
func TestCallBudget(t *testing.T) {
	ec2Network := map[string]int{"DescribeSecurityGroups": 1, "DescribeRouteTables": 1, "DescribeNetworkAcls": 1}
	with := func(m map[string]int, extra map[string]int) map[string]int {
		out := map[string]int{}
		for k, v := range m {
			out[k] += v
		}
		for k, v := range extra {
			out[k] += v
		}
		return out
	}
	tests := []struct {
		event string
		r     []finding.Resource
		want  map[string]int
	}{
		{"RunInstances", []finding.Resource{{Type: finding.TypeInstance, ID: "i-pub"}}, with(ec2Network, map[string]int{"DescribeInstances": 1})},
		{"ModifyNetworkInterfaceAttribute", []finding.Resource{{Type: finding.TypeNetworkInterface, ID: "eni-pub"}}, with(ec2Network, map[string]int{"DescribeNetworkInterfaces": 1})},
		{"AuthorizeSecurityGroupIngress", []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-alb"}},
			with(ec2Network, map[string]int{"DescribeNetworkInterfaces": 1, "DescribeLoadBalancers": 1})},
		{"AllocateAddress", []finding.Resource{{Type: finding.TypeElasticIP, ID: "eipalloc-1"}}, map[string]int{"DescribeAddresses": 1}},
		{"CreateLoadBalancer", []finding.Resource{{Type: finding.TypeLoadBalancer, ID: albARN2}}, with(ec2Network, map[string]int{"DescribeLoadBalancers": 1})},
		{"CreateRoute", []finding.Resource{{Type: finding.TypeRouteTable, ID: "rtb-pub"}, {Type: finding.TypeInternetGateway, ID: "igw-1"}},
			with(ec2Network, map[string]int{"DescribeRouteTables": 1, "DescribeNetworkInterfaces": 1, "DescribeLoadBalancers": 1})},
		{"CreateNetworkAclEntry", []finding.Resource{{Type: finding.TypeNetworkACL, ID: "acl-deny"}},
			with(ec2Network, map[string]int{"DescribeNetworkAcls": 1, "DescribeNetworkInterfaces": 1})},
		{"AttachInternetGateway", []finding.Resource{{Type: finding.TypeInternetGateway, ID: "igw-1"}, {Type: finding.TypeVPC, ID: "vpc-1"}},
			with(ec2Network, map[string]int{"DescribeNetworkInterfaces": 1, "DescribeLoadBalancers": 1})},
		{"ModifyDBInstance", []finding.Resource{{Type: finding.TypeDBInstance, ID: "db-priv"}}, with(ec2Network, map[string]int{"DescribeDBInstances": 1})},
		{"PutBucketPolicy", []finding.Resource{{Type: finding.TypeBucket, ID: "open"}}, map[string]int{"Bucket": 1}},
		{"ModifyImageAttribute", []finding.Resource{{Type: finding.TypeImage, ID: "ami-1"}}, map[string]int{"DescribeImageAttribute": 1}},
		{"ModifyDBSnapshotAttribute", []finding.Resource{{Type: finding.TypeDBSnapshot, ID: "snap-trusted"}}, map[string]int{"DescribeDBSnapshotAttributes": 1}},
		{"ModifyDBClusterSnapshotAttribute", []finding.Resource{{Type: finding.TypeDBClusterSnap, ID: "csnap-public"}}, map[string]int{"DescribeDBClusterSnapshotAttributes": 1}},
	}
	for i, tc := range tests {
		t.Run(tc.event, func(t *testing.T) {
			v := &vpc{calls: map[string]int{}}
			h := NewHandler(Single{v.lookups()}, nil, zerolog.New(io.Discard))
			f := finding.Finding{EventID: fmt.Sprint("b", i), EventName: tc.event, OpensExposure: true, Account: "123456789012", Region: "us-east-1", Resources: tc.r}
			if _, err := h.Handle(context.Background(), finding.StepRequest{Finding: &f}); err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, v.calls); diff != "" {
				t.Errorf("lookups (-budget +made):\n%s", diff)
			}
		})
	}
}
