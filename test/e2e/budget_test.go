package e2e

import (
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/test/pipeline"
)

// TestCallBudget holds enrich to the AWS calls the README's "API calls per
// event" table states for each sampled kind of event, as counted on the
// local stack: every call enrich's process makes through the gateway to
// moto, by client and operation (localstack.Stack.Calls). Each event is
// sent after the previous one was enriched, so no cached answer (fetched
// before the event) serves it. The fakes' table is
// functions/enrich/budget_test.go.
func TestCallBudget(t *testing.T) {
	p, w, root, ctx := deployWorld(t)
	fixture := func(file string, edits map[string]any) func() ([]byte, error) {
		return func() ([]byte, error) { return pipeline.RenderFixture(root, file, edits) }
	}
	// sample renders the demo's sample of that name anew: its event time
	// must follow the calls of the cases before.
	sample := func(name string) func() ([]byte, error) {
		return func() ([]byte, error) {
			samples, err := p.Samples(root, w)
			for _, s := range samples {
				if s.Name == name {
					return s.Record, err
				}
			}
			return nil, fmt.Errorf("no sample %q (%v)", name, err)
		}
	}
	network := map[string]int{"ec2:DescribeSecurityGroups": 1, "ec2:DescribeRouteTables": 1, "ec2:DescribeNetworkAcls": 1}
	loadBalancer := map[string]int{"elasticloadbalancingv2:DescribeLoadBalancers": 1, "elasticloadbalancingv2:DescribeListeners": 1, "elasticloadbalancingv2:DescribeTags": 1}
	// ingress opens port on group to the world, as the group's live rules
	// have it (enrich looks again while they lack what the event added).
	ingress := func(group string, port int) map[string]any {
		return map[string]any{
			"requestParameters.groupId":                                       group,
			"requestParameters.ipPermissions.items.0.fromPort":                port,
			"requestParameters.ipPermissions.items.0.toPort":                  port,
			"requestParameters.ipPermissions.items.0.ipRanges.items.0.cidrIp": "0.0.0.0/0",
			"responseElements.securityGroupRuleSet.items.0.groupId":           group,
		}
	}
	tests := []struct {
		event  string
		record func() ([]byte, error)
		want   map[string]int
	}{
		{"RunInstances", fixture("ec2-runinstances.json", map[string]any{
			"responseElements.instancesSet.items.0.instanceId":               w.InstanceID,
			"responseElements.instancesSet.items.0.groupSet.items.0.groupId": w.SSHGroupID,
		}), with(network, map[string]int{"ec2:DescribeInstances": 1})},
		{"AuthorizeSecurityGroupIngress (instances' group)", fixture("ec2-authorizesecuritygroupingress.json", ingress(w.SSHGroupID, 22)),
			with(network, map[string]int{"ec2:DescribeNetworkInterfaces": 1})},
		{"AuthorizeSecurityGroupIngress (a load balancer's group)", fixture("ec2-authorizesecuritygroupingress.json", ingress(w.WebGroupID, 443)),
			with(network, loadBalancer, map[string]int{"ec2:DescribeNetworkInterfaces": 1})},
		{"AllocateAddress", sample("AllocateAddress"), map[string]int{"ec2:DescribeAddresses": 1}},
		{"CreateLoadBalancer", sample("CreateLoadBalancer (internet-facing)"), with(network, loadBalancer)},
		{"CreateRoute", fixture("ec2-createroute-igw.json", map[string]any{"requestParameters.routeTableId": w.PublicRouteTableID, "requestParameters.gatewayId": w.InternetGatewayID}),
			with(network, loadBalancer, map[string]int{"ec2:DescribeRouteTables": 1, "ec2:DescribeNetworkInterfaces": 1})},
		{"CreateNetworkAclEntry", fixture("ec2-createnetworkaclentry.json", map[string]any{"requestParameters.networkAclId": w.DenyACLID}),
			with(network, map[string]int{"ec2:DescribeNetworkAcls": 1, "ec2:DescribeNetworkInterfaces": 1})},
		{"ModifySubnetAttribute", fixture("ec2-modifysubnetattribute-mappubliciponlaunch-constructed.json", map[string]any{"requestParameters.subnetId": w.SubnetID}),
			map[string]int{"ec2:DescribeSubnets": 1, "ec2:DescribeRouteTables": 1}},
		{"ModifyDBInstance", fixture("rds-modifydbinstance-publiclyaccessible.json",
			map[string]any{"requestParameters.dBInstanceIdentifier": w.DatabaseID, "responseElements.dBInstanceIdentifier": w.DatabaseID}),
			with(network, map[string]int{"rds:DescribeDBInstances": 1})},
		{"PutBucketPolicy", fixture("s3-putbucketpolicy-public-vpce.json", map[string]any{"requestParameters.bucketName": w.Bucket}), map[string]int{
			"s3:GetBucketPolicyStatus": 1, "s3:GetPublicAccessBlock": 1, "s3:GetBucketAcl": 1, "s3:GetBucketTagging": 1, "s3control:GetPublicAccessBlock": 1}},
		{"CreateFunctionUrlConfig", fixture("lambda-createfunctionurlconfig20211031-constructed.json", functionURL(w.PublicFunction)),
			map[string]int{"lambda:GetPolicy": 1, "lambda:GetFunctionUrlConfig": 1, "lambda:ListTags": 1}},
		{"ModifyDBSnapshotAttribute", fixture("rds-modifydbsnapshotattribute-add-account.json",
			map[string]any{"requestParameters.dBSnapshotIdentifier": w.DBSnapshotID, "responseElements.dBSnapshotIdentifier": w.DBSnapshotID}),
			map[string]int{"rds:DescribeDBSnapshotAttributes": 1}},
		{"ModifyImageAttribute", fixture("ec2-modifyimageattribute-add-all.json", map[string]any{"requestParameters.imageId": w.ImageID}),
			map[string]int{"ec2:DescribeImageAttribute": 1}},
	}
	enrich := p.Names.Functions["enrich"]
	for _, tc := range tests {
		t.Run(tc.event, func(t *testing.T) {
			record, err := tc.record()
			if err != nil {
				t.Fatal(err)
			}
			p.Stack.ResetCalls()
			e := send(ctx, t, p, record)
			if !contains(e.Path, "Enrich") {
				t.Fatalf("path %v (error %s): enrich did not run", e.Path, e.Error)
			}
			got := p.Stack.Calls(enrich)
			t.Logf("%s: %v", tc.event, got)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("calls (-budget +made):\n%s", diff)
			}
		})
	}
}

// with returns the sum of call counts.
func with(counts ...map[string]int) map[string]int {
	out := map[string]int{}
	for _, c := range counts {
		for k, v := range c {
			out[k] += v
		}
	}
	return out
}
