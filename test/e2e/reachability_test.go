package e2e

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/trailwatch/trailwatch/test/localstack"
	"github.com/trailwatch/trailwatch/test/pipeline"
)

// TestReachability: the seeded world's paths decide severity, and the alert
// says why. A world-open group on an instance in a private subnet is not
// high; a network ACL that denies 22 removes the port; 22 opened on a load
// balancer's group is judged by its listeners (the load balancer's own
// interface, with a public IP, is not reported as an instance); a public
// bucket policy under the account's public access block is not public; a
// publicly accessible database in a private subnet is not high; a function
// URL is public only when its auth is NONE by now; a DB snapshot is judged
// by whom it is shared with as it stands.
func TestReachability(t *testing.T) {
	p, w, root, ctx := deployWorld(t)
	runInstance := func(id string) map[string]any {
		return map[string]any{
			"responseElements.instancesSet.items.0.instanceId":               id,
			"responseElements.instancesSet.items.0.groupSet.items.0.groupId": w.SSHGroupID,
		}
	}
	tests := []struct {
		name, file string
		edits      map[string]any
		before     func() error
		severity   string
		mentions   []string
		absent     []string
	}{
		{
			name: "world-open ssh in a private subnet", file: "ec2-runinstances.json", edits: runInstance(w.PrivateInstanceID), severity: "medium",
			mentions: []string{"Reachable:", "no", w.PrivateSubnetID + " has no route for 0.0.0.0/0", "the VPC's main route table"},
		},
		{
			name: "a network ACL denies 22", file: "ec2-runinstances.json", edits: runInstance(w.DenyInstanceID), severity: "medium",
			mentions: []string{w.DenyACLID + " rule 90 denies tcp/22 in from 0.0.0.0/0"},
		},
		{
			name: "a public instance: reachable, and why", file: "ec2-runinstances.json", edits: runInstance(w.InstanceID), severity: "high",
			mentions: []string{w.SSHGroupID + " allows tcp/22 from 0.0.0.0/0", w.SubnetID + " routes 0.0.0.0/0 to " + w.InternetGatewayID + " (" + w.PublicRouteTableID + ")"},
		},
		{
			name: "22 opened on the load balancer's group", file: "ec2-authorizesecuritygroupingress.json",
			edits: map[string]any{
				"requestParameters.groupId":                                       w.WebGroupID,
				"requestParameters.ipPermissions.items.0.fromPort":                22,
				"requestParameters.ipPermissions.items.0.toPort":                  22,
				"requestParameters.ipPermissions.items.0.ipRanges.items.0.cidrIp": "0.0.0.0/0",
				"responseElements.securityGroupRuleSet.items.0.groupId":           w.WebGroupID,
			},
			before: func() error {
				_, err := p.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(w.WebGroupID), IpPermissions: []types.IpPermission{{
					IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}},
				}}})
				return err
			},
			severity: "medium",
			mentions: []string{"Reaches:", w.LoadBalancerName + " (tcp/80 from 0.0.0.0/0"},
			absent:   []string{w.LoadBalancerInterfaceID},
		},
		{
			name: "a public bucket policy under the account's block", file: "s3-putbucketpolicy-public-vpce.json",
			edits:    map[string]any{"requestParameters.bucketName": w.Bucket},
			severity: "low",
			mentions: []string{"public access block of account " + "123456789012" + ": BlockPublicAcls=true IgnorePublicAcls=true BlockPublicPolicy=true RestrictPublicBuckets=true"},
		},
		{
			name: "a publicly accessible database in a private subnet", file: "rds-modifydbinstance-publiclyaccessible.json",
			edits:    map[string]any{"requestParameters.dBInstanceIdentifier": w.DatabaseID, "responseElements.dBInstanceIdentifier": w.DatabaseID},
			severity: "low",
			mentions: []string{w.DatabaseID + " is publicly accessible", w.PrivateSubnetID + " has no route for 0.0.0.0/0"},
		},
		{
			name: "a function URL anyone can call", file: "lambda-createfunctionurlconfig20211031-constructed.json",
			edits:    functionURL(w.PublicFunction),
			severity: "high",
			mentions: []string{"has auth NONE and policy statement FunctionURLAllowPublicAccess lets everyone call it"},
		},
		{
			name: "a function URL that requires AWS_IAM auth by now", file: "lambda-createfunctionurlconfig20211031-constructed.json",
			edits:    functionURL(w.IAMFunction),
			severity: "low",
			mentions: []string{w.IAMFunction + "'s function URL requires AWS_IAM auth"},
		},
		{
			name: "a DB snapshot shared with an account that is not trusted, as it stands", file: "rds-modifydbsnapshotattribute-add-account.json",
			edits:    map[string]any{"requestParameters.dBSnapshotIdentifier": w.DBSnapshotID, "responseElements.dBSnapshotIdentifier": w.DBSnapshotID},
			severity: "high",
			mentions: []string{w.DBSnapshotID + " is shared with " + w.SnapshotSharedWith + ", not a trusted account"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if tc.before != nil {
				if err := tc.before(); err != nil {
					t.Fatal(err)
				}
			}
			record, err := pipeline.RenderFixture(root, tc.file, tc.edits)
			if err != nil {
				t.Fatal(err)
			}
			e := send(ctx, t, p, record)
			if e.Outcome() != "notified" {
				t.Fatalf("outcome %s (path %v, error %s), want notified", e.Outcome(), e.Path, e.Error)
			}
			got, err := p.NotificationsUntil(ctx, e.MessageID(), 10*time.Second)
			if err != nil {
				t.Fatal(err)
			}
			i := slices.IndexFunc(got, func(n pipeline.Notification) bool { return n.MessageID == e.MessageID() })
			if i < 0 {
				t.Fatalf("no notification %s", e.MessageID())
			}
			n := got[i]
			if s := n.Attributes["severity"]; s != tc.severity {
				t.Errorf("severity %s, want %s:\n%s", s, tc.severity, n.Message)
			}
			for _, m := range tc.mentions {
				if !strings.Contains(n.Message, m) {
					t.Errorf("message does not mention %q:\n%s", m, n.Message)
				}
			}
			for _, m := range tc.absent {
				if strings.Contains(n.Message, m) {
					t.Errorf("message mentions %q:\n%s", m, n.Message)
				}
			}
		})
	}
}

// functionURL edits CreateFunctionUrlConfig (auth NONE requested) to name
// function.
func functionURL(function string) map[string]any {
	return map[string]any{
		"requestParameters.functionName": function,
		"responseElements.functionArn":   localstack.FunctionARN(function),
	}
}

// deployWorld deploys the pipeline with the default environment and seeds
// its world (see deploy), and returns a context bounding the test's sends
// to five minutes.
func deployWorld(t *testing.T) (*pipeline.Pipeline, pipeline.World, string, context.Context) {
	t.Helper()
	p, w, root := deploy(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	t.Cleanup(cancel)
	return p, w, root, ctx
}
