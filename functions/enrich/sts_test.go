package main

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/aws-sdk-go-v2/service/sts/types"
	"github.com/aws/smithy-go"
)

type fakeSTS struct {
	AssumeRoleFn func(*sts.AssumeRoleInput) (*sts.AssumeRoleOutput, error)
}

func (f *fakeSTS) AssumeRole(_ context.Context, in *sts.AssumeRoleInput, _ ...func(*sts.Options)) (*sts.AssumeRoleOutput, error) {
	return f.AssumeRoleFn(in)
}

func TestMemberAccounts(t *testing.T) {
	var assumed []*sts.AssumeRoleInput
	fake := &fakeSTS{AssumeRoleFn: func(in *sts.AssumeRoleInput) (*sts.AssumeRoleOutput, error) {
		assumed = append(assumed, in)
		return &sts.AssumeRoleOutput{Credentials: &types.Credentials{
			AccessKeyId: aws.String("AKID"), SecretAccessKey: aws.String("SECRET"), SessionToken: aws.String("TOKEN"),
			Expiration: aws.Time(time.Now().Add(time.Hour)),
		}}, nil
	}}
	home := &fakeLookups{}
	m := &MemberAccounts{Home: home, Config: aws.Config{Region: "us-east-1"}, STS: fake, RoleName: "trailwatch-enrich-read", ExternalID: "ext-123"}
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{
		InvokedFunctionArn: "arn:aws:lambda:us-east-1:111111111111:function:trailwatch-enrich",
	})

	if l, _ := m.For(ctx, "111111111111", ""); l != home {
		t.Error("own account not served by the home lookups")
	}
	if l, _ := m.For(context.Background(), "222222222222", "us-east-1"); l != home {
		t.Error("outside Lambda, every account should be the home account")
	}
	member, err := m.For(ctx, "222222222222", "us-east-1")
	if err != nil || member == home {
		t.Fatalf("member account: %v %v", member, err)
	}
	again, _ := m.For(ctx, "222222222222", "")
	if again != member {
		t.Error("member lookups not reused")
	}
	creds := ec2Client(member).Options().Credentials
	if _, err := creds.Retrieve(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := creds.Retrieve(ctx); err != nil {
		t.Fatal(err)
	}
	if len(assumed) != 1 {
		t.Fatalf("AssumeRole called %d times, want once (credentials cached)", len(assumed))
	}
	if got, want := aws.ToString(assumed[0].RoleArn), "arn:aws:iam::222222222222:role/trailwatch-enrich-read"; got != want {
		t.Errorf("role %s, want %s", got, want)
	}
	if got := aws.ToString(assumed[0].ExternalId); got != "ext-123" {
		t.Errorf("external id %q", got)
	}

	other, err := m.For(ctx, "111111111111", "eu-west-1")
	if err != nil || other == home {
		t.Fatalf("own account in another region: %v %v", other, err)
	}
	if got := ec2Client(other).Options().Region; got != "eu-west-1" {
		t.Errorf("own account in eu-west-1 looked up in %s", got)
	}
	if got := ec2Client(member).Options().Region; got != "us-east-1" {
		t.Errorf("member looked up in %s", got)
	}

	single := &MemberAccounts{Home: home, Config: aws.Config{Region: "us-east-1"}}
	if l, _ := single.For(ctx, "222222222222", "us-east-1"); l != home {
		t.Error("without a role name every account is the home account")
	}
}

// ec2Client returns the EC2 client behind l, built by NewLookups.
func ec2Client(l Lookups) *ec2.Client {
	return l.(cachedLookups).inner.(accountLookups).EC2.Client.(*ec2.Client)
}

// TestMemberRoleRefused: an STS AssumeRole answered AccessDenied, however
// deep in a lookup's error, is a missing or untrusting member role;
// another STS error or an AccessDenied of the lookup itself is not.
func TestMemberRoleRefused(t *testing.T) {
	assume := func(code string) error {
		return &smithy.OperationError{ServiceID: "STS", OperationName: "AssumeRole", Err: &smithy.GenericAPIError{Code: code, Message: "no"}}
	}
	inLookup := func(err error) error {
		return &LookupError{Service: "ec2", Op: "DescribeSecurityGroups", Err: &smithy.OperationError{ServiceID: "EC2", OperationName: "DescribeSecurityGroups",
			Err: fmt.Errorf("get identity: get credentials: failed to refresh cached credentials, %w", err)}}
	}
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"role missing or untrusting", inLookup(assume("AccessDenied")), true},
		{"STS throttled", inLookup(assume("Throttling")), false},
		{"the lookup denied", &LookupError{Service: "ec2", Op: "DescribeSecurityGroups", Err: &smithy.OperationError{ServiceID: "EC2", OperationName: "DescribeSecurityGroups",
			Err: &smithy.GenericAPIError{Code: "UnauthorizedOperation"}}}, false},
		{"plain", errors.New("boom"), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := memberRoleRefused(tc.err); got != tc.want {
				t.Errorf("memberRoleRefused(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
}
