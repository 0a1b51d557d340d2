package main

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/redshift"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/smithy-go"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
)

// MemberAccounts is Accounts for an organisation: resources are looked up
// in the region of the event; the function's own account with its own
// credentials, any other account through the read-only role RoleName there
// (terraform's member-role module), assumed with ExternalID. Clients are
// built once per account and region, and their credentials cached and
// refreshed by the SDK.
type MemberAccounts struct {
	// Home serves the function's own account in Config.Region.
	Home Lookups
	// Config is the SDK configuration member clients start from.
	Config aws.Config
	// STS assumes the member roles.
	STS        stscreds.AssumeRoleAPIClient
	RoleName   string
	ExternalID string

	// Cache keeps lookups' answers for a few seconds, per account and
	// region; nil keeps none.
	Cache *Cache

	mu      sync.Mutex
	clients map[string]Lookups
}

var _ Accounts = (*MemberAccounts)(nil)

// For returns the Lookups of account in region (Config.Region when
// empty). The function's own account is read from the invoked function's
// ARN; outside Lambda (no ARN) every account is taken as the own one.
func (m *MemberAccounts) For(ctx context.Context, account, region string) (Lookups, error) {
	if region == "" {
		region = m.Config.Region
	}
	partition, home := invokedAccount(ctx)
	own := m.RoleName == "" || account == "" || home == "" || account == home
	if own && region == m.Config.Region {
		return m.Home, nil
	}
	key := account + "/" + region
	if own {
		key = "/" + region
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if l, ok := m.clients[key]; ok {
		return l, nil
	}
	cfg := m.Config.Copy()
	cfg.Region = region
	if !own {
		roleARN := "arn:" + partition + ":iam::" + account + ":role/" + m.RoleName
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(m.STS, roleARN, func(o *stscreds.AssumeRoleOptions) {
			o.RoleSessionName = "trailwatch-enrich"
			if m.ExternalID != "" {
				o.ExternalID = aws.String(m.ExternalID)
			}
		}))
	}
	l := NewLookups(cfg, m.Cache, account+"/"+region)
	if m.clients == nil {
		m.clients = map[string]Lookups{}
	}
	m.clients[key] = l
	return l, nil
}

// accountLookups are the Lookups of one account and region.
type accountLookups struct {
	*EC2
	*ELB
	*RDS
	*Redshift
	*S3
	*Lambda
}

// NewLookups returns the Lookups of the account and region of cfg: EC2,
// both Elastic Load Balancing APIs, RDS, Redshift, S3 (and S3 Control) and
// Lambda, their answers kept in cache under scope (the account and
// region).
func NewLookups(cfg aws.Config, cache *Cache, scope string) Lookups {
	return cachedLookups{inner: accountLookups{
		&EC2{Client: ec2.NewFromConfig(cfg)},
		&ELB{V2: elbv2.NewFromConfig(cfg), Classic: elb.NewFromConfig(cfg)},
		&RDS{Client: rds.NewFromConfig(cfg)},
		&Redshift{Client: redshift.NewFromConfig(cfg)},
		&S3{Client: s3.NewFromConfig(cfg), Control: s3control.NewFromConfig(cfg, asIs(cfg.BaseEndpoint))},
		&Lambda{Client: lambda.NewFromConfig(cfg)},
	}, cache: cache, scope: scope}
}

// asIs makes S3 Control use a configured endpoint (AWS_ENDPOINT_URL: the
// local stack) as it is: its endpoint rules would put the account id in
// front of the endpoint's host, which for an address such as
// 127.0.0.1:4566 names nothing. Without a configured endpoint (AWS) the
// rules apply.
func asIs(endpoint *string) func(*s3control.Options) {
	return func(o *s3control.Options) {
		if endpoint == nil || *endpoint == "" {
			return
		}
		o.EndpointResolverV2 = fixedEndpoint{*endpoint}
	}
}

// fixedEndpoint is an S3 Control endpoint resolver that answers one URL.
type fixedEndpoint struct{ url string }

func (f fixedEndpoint) ResolveEndpoint(context.Context, s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	u, err := url.Parse(f.url)
	if err != nil {
		return smithyendpoints.Endpoint{}, fmt.Errorf("endpoint %q: %w", f.url, err)
	}
	return smithyendpoints.Endpoint{URI: *u}, nil
}

// invokedAccount returns the partition and account of the invoked
// function's ARN (arn:PARTITION:lambda:REGION:ACCOUNT:function:NAME).
func invokedAccount(ctx context.Context) (partition, account string) {
	lc, ok := lambdacontext.FromContext(ctx)
	if !ok {
		return "", ""
	}
	parts := strings.Split(lc.InvokedFunctionArn, ":")
	if len(parts) < 5 {
		return "", ""
	}
	return parts[1], parts[4]
}

// memberRoleRefused reports whether err says the member account's role
// could not be assumed: it is missing, or does not trust trailwatch (STS
// AssumeRole answered AccessDenied).
func memberRoleRefused(err error) bool {
	var op *smithy.OperationError
	for e := err; errors.As(e, &op); e = op.Err {
		if op.ServiceID == "STS" && op.OperationName == "AssumeRole" {
			var api smithy.APIError
			return errors.As(op.Err, &api) && api.ErrorCode() == "AccessDenied"
		}
	}
	return false
}
