package finding_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

func TestBucketVerdict(t *testing.T) {
	on := &finding.PublicAccessBlock{BlockPublicAcls: true, IgnorePublicAcls: true, BlockPublicPolicy: true, RestrictPublicBuckets: true}
	off := &finding.PublicAccessBlock{}
	tests := []struct {
		name  string
		b     finding.BucketAccess
		want  bool
		lines []string
	}{
		{"public policy, no blocks", finding.BucketAccess{Bucket: "b", Account: "1", PolicyPublic: true}, true, []string{
			"b's policy is public (GetBucketPolicyStatus) and no public access block restricts it",
			"b's ACL grants nothing to AllUsers or AuthenticatedUsers", "no public access block on bucket b", "no public access block on account 1"}},
		{"public policy under the account's block", finding.BucketAccess{Bucket: "b", Account: "1", PolicyPublic: true, Block: off, AccountBlock: on}, false, []string{
			"b's policy is public, but the public access block of account 1 has RestrictPublicBuckets on: only AWS services and the owner's account may use it",
			"b's ACL grants nothing to AllUsers or AuthenticatedUsers",
			"public access block of bucket b: BlockPublicAcls=false IgnorePublicAcls=false BlockPublicPolicy=false RestrictPublicBuckets=false",
			"public access block of account 1: BlockPublicAcls=true IgnorePublicAcls=true BlockPublicPolicy=true RestrictPublicBuckets=true"}},
		{"public ACL ignored by the bucket's block", finding.BucketAccess{Bucket: "b", Account: "1", PublicGrants: []string{"AllUsers READ"}, Block: on}, false, []string{
			"b's policy is not public (GetBucketPolicyStatus)",
			"b's ACL grants AllUsers READ, but the public access block of bucket b has IgnorePublicAcls on: S3 ignores them",
			"public access block of bucket b: BlockPublicAcls=true IgnorePublicAcls=true BlockPublicPolicy=true RestrictPublicBuckets=true",
			"no public access block on account 1"}},
		{"public ACL, blocks that only refuse new grants", finding.BucketAccess{Bucket: "b", Account: "1", PublicGrants: []string{"AllUsers READ"},
			Block: &finding.PublicAccessBlock{BlockPublicAcls: true, BlockPublicPolicy: true}}, true, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, lines := tc.b.Verdict()
			if got != tc.want {
				t.Errorf("public %v, want %v", got, tc.want)
			}
			if tc.lines != nil {
				if diff := cmp.Diff(tc.lines, lines); diff != "" {
					t.Errorf("lines (-want +got):\n%s", diff)
				}
			}
		})
	}
}

func TestFunctionVerdict(t *testing.T) {
	// The policy Lambda's console adds with a function URL of auth NONE
	// (AWS Lambda developer guide, "Control access to Lambda function URLs").
	urlPolicy := `{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"FunctionURLAllowPublicAccess","Effect":"Allow","Principal":"*","Action":"lambda:InvokeFunctionUrl","Resource":"arn:aws:lambda:us-east-1:123456789012:function:fn","Condition":{"StringEquals":{"lambda:FunctionUrlAuthType":"NONE"}}}]}`
	s3Only := `{"Version":"2012-10-17","Statement":[{"Sid":"s3","Effect":"Allow","Principal":{"Service":"s3.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"*","Condition":{"ArnLike":{"AWS:SourceArn":"arn:aws:s3:::b"}}}]}`
	anyone := `{"Statement":{"Sid":"anyone","Effect":"Allow","Principal":{"AWS":"*"},"Action":["lambda:InvokeFunction"],"Resource":"*"}}`
	tests := []struct {
		name string
		a    finding.FunctionAccess
		want bool
	}{
		{"URL auth NONE with the public URL permission", finding.FunctionAccess{Function: "fn", Policy: urlPolicy, URLAuthType: "NONE", URL: "https://x.lambda-url.us-east-1.on.aws/"}, true},
		{"URL auth NONE without a permission", finding.FunctionAccess{Function: "fn", Policy: s3Only, URLAuthType: "NONE"}, false},
		{"URL with IAM auth", finding.FunctionAccess{Function: "fn", Policy: urlPolicy, URLAuthType: "AWS_IAM"}, false},
		{"no URL, a service's permission", finding.FunctionAccess{Function: "fn", Policy: s3Only}, false},
		{"anyone may invoke", finding.FunctionAccess{Function: "fn", Policy: anyone}, true},
		{"nothing at all", finding.FunctionAccess{Function: "fn"}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, lines, err := tc.a.Verdict()
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("public %v, want %v (%q)", got, tc.want, lines)
			}
			if len(lines) != 2 {
				t.Errorf("lines %q, want one for the URL and one for the policy", lines)
			}
		})
	}
	_, _, err := finding.FunctionAccess{Function: "fn", Policy: "{"}.Verdict()
	var malformed *finding.MalformedEventError
	if !errors.As(err, &malformed) {
		t.Errorf("a policy that is not JSON: %v, want a MalformedEventError", err)
	}
}

func TestShares(t *testing.T) {
	trusted := finding.Trusted{"111122223333", "o-abc1234567"}
	shares, lines := trusted.Shares("ami-1", []string{"all", "111122223333", "444455556666", "arn:aws:organizations::111122223333:organization/o-abc1234567"})
	want := []finding.Share{{Grantee: "all"}, {Grantee: "111122223333", Trusted: true}, {Grantee: "444455556666"},
		{Grantee: "arn:aws:organizations::111122223333:organization/o-abc1234567", Trusted: true}}
	if diff := cmp.Diff(want, shares); diff != "" {
		t.Errorf("shares (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff([]string{"ami-1 is public: shared with all", "ami-1 is shared with 111122223333, a trusted account",
		"ami-1 is shared with 444455556666, not a trusted account",
		"ami-1 is shared with arn:aws:organizations::111122223333:organization/o-abc1234567, a trusted account"}, lines); diff != "" {
		t.Errorf("lines (-want +got):\n%s", diff)
	}
}

func TestPeopleTags(t *testing.T) {
	got := finding.PeopleTags(map[string]string{"Name": "web-1", "Owner": "team-a", "cost-center": "42", "aws:cloudformation:stack-name": "s", "kubernetes.io/cluster/x": "owned", "TechnicalOwner": "bob", "Env": "prod"})
	want := map[string]string{"Name": "web-1", "Owner": "team-a", "cost-center": "42", "TechnicalOwner": "bob", "Env": "prod"}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
	if got := finding.PeopleTags(map[string]string{"aws:autoscaling:groupName": "x"}); got != nil {
		t.Errorf("no people tags: %v, want nil", got)
	}
	many := map[string]string{"trailwatch:allow": "tcp/443"}
	for i := range 12 {
		many[fmt.Sprintf("owner-%02d", i)] = "x"
	}
	if got := finding.PeopleTags(many); got["trailwatch:allow"] != "tcp/443" || len(got) != finding.MaxTags {
		t.Errorf("the tag suppression rules match on is kept first, within MaxTags: %v", got)
	}
}

func TestAssessJudged(t *testing.T) {
	yes, no := true, false
	ssh := tcp(22, 22, "0.0.0.0/0", "sg-1")
	web := tcp(443, 443, "0.0.0.0/0", "sg-1")
	tests := []struct {
		name string
		r    finding.Resource
		req  finding.Requested
		want finding.Severity
	}{
		{"reachable admin port", finding.Resource{Type: finding.TypeInstance, Reachable: &yes, ReachablePorts: []finding.Rule{ssh}}, finding.Requested{}, finding.SeverityHigh},
		{"reachable web port", finding.Resource{Type: finding.TypeInstance, Reachable: &yes, ReachablePorts: []finding.Rule{web}}, finding.Requested{}, finding.SeverityMedium},
		{"world-open ssh on a private instance is not high", finding.Resource{Type: finding.TypeInstance, Reachable: &no, OpenIngress: []finding.Rule{ssh}, PublicIPs: []string{"203.0.113.1"}},
			finding.Requested{}, finding.SeverityMedium},
		{"public IP, nothing reachable", finding.Resource{Type: finding.TypeInstance, Reachable: &no, PublicIPs: []string{"203.0.113.1"}}, finding.Requested{}, finding.SeverityLow},
		{"reachable load balancer without listeners", finding.Resource{Type: finding.TypeLoadBalancer, Reachable: &yes}, finding.Requested{}, finding.SeverityMedium},
		{"publicly accessible database with no route", finding.Resource{Type: finding.TypeDBInstance, Reachable: &no}, finding.Requested{PublicAccess: true}, finding.SeverityLow},
		{"reachable database", finding.Resource{Type: finding.TypeDBInstance, Reachable: &yes}, finding.Requested{PublicAccess: true}, finding.SeverityHigh},
		{"bucket policy public under the account block", finding.Resource{Type: finding.TypeBucket, Reachable: &no}, finding.Requested{PublicAccess: true}, finding.SeverityLow},
		{"image shared with a trusted account", finding.Resource{Type: finding.TypeImage, Reachable: &yes, Shares: []finding.Share{{Grantee: "111122223333", Trusted: true}}},
			finding.Requested{SharedWith: []string{"111122223333"}}, finding.SeverityLow},
		{"snapshot shared with another account", finding.Resource{Type: finding.TypeSnapshot, Reachable: &yes, Shares: []finding.Share{{Grantee: "444455556666"}}},
			finding.Requested{SharedWith: []string{"444455556666"}}, finding.SeverityHigh},
		{"image no longer shared", finding.Resource{Type: finding.TypeImage, Reachable: &no}, finding.Requested{SharedWith: []string{"all"}, PublicAccess: true}, finding.SeverityNone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := finding.Finding{OpensExposure: true, Enriched: true, Requested: tc.req, Resources: []finding.Resource{tc.r}}
			if got := finding.Assess(&f); got != tc.want {
				t.Errorf("Assess = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestSetReaches(t *testing.T) {
	ssh := tcp(22, 22, "0.0.0.0/0", "sg-1")
	web := tcp(80, 80, "0.0.0.0/0", "sg-1")
	var candidates []finding.Candidate
	candidates = append(candidates, finding.Candidate{Type: finding.TypeInstance, ID: "i-private", Path: finding.Path{Explanation: []string{"subnet-2 has no route"}}})
	for _, id := range []string{"i-web1", "i-web2"} {
		candidates = append(candidates, finding.Candidate{Type: finding.TypeInstance, ID: id, Path: finding.Path{Reachable: true, Ports: []finding.Rule{web}, Explanation: []string{"sg-1 allows tcp/80 from 0.0.0.0/0"}}})
	}
	candidates = append(candidates, finding.Candidate{Type: finding.TypeInstance, ID: "i-ssh", Path: finding.Path{Reachable: true, Ports: []finding.Rule{ssh}}})
	for i := range finding.MaxReaches {
		candidates = append(candidates, finding.Candidate{Type: finding.TypeNetworkInterface, ID: "eni-" + string(rune('a'+i)), Path: finding.Path{Reachable: true, Ports: []finding.Rule{web}}})
	}
	r := finding.Resource{Type: finding.TypeRouteTable, ID: "rtb-1"}
	r.SetReaches([]string{"rtb-1 routes 0.0.0.0/0 to igw-1"}, candidates)
	if r.ReachesCount != 3+finding.MaxReaches || len(r.Reaches) != finding.MaxReaches {
		t.Errorf("count %d, listed %d", r.ReachesCount, len(r.Reaches))
	}
	if r.Reaches[0].ID != "i-ssh" {
		t.Errorf("first reached %s, want i-ssh (an admin port first)", r.Reaches[0].ID)
	}
	if got, want := r.Reaches[0].String(), "i-ssh (tcp/22 from 0.0.0.0/0)"; got != want {
		t.Errorf("String %q, want %q", got, want)
	}
	if r.Reachable == nil || !*r.Reachable || len(r.ReachablePorts) != 2 {
		t.Errorf("reachable %v ports %v", r.Reachable, r.ReachablePorts)
	}
	if diff := cmp.Diff([]string{"rtb-1 routes 0.0.0.0/0 to igw-1", "the internet reaches 13 resources through rtb-1", "i-web1: sg-1 allows tcp/80 from 0.0.0.0/0"}, r.Reachability); diff != "" {
		t.Errorf("explanation (-want +got):\n%s", diff)
	}
}
