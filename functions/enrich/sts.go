package main

import (
	"context"
	"strings"
	"sync"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
)

// MemberAccounts is Accounts for an organisation: the function's own
// account is looked up with its own credentials; any other account through
// the read-only role RoleName there (terraform's member-role module),
// assumed with ExternalID. Clients are built once per account and their
// credentials cached and refreshed by the SDK.
type MemberAccounts struct {
	// Home serves the function's own account.
	Home Lookups
	// Config is the SDK configuration member clients start from.
	Config aws.Config
	// STS assumes the member roles.
	STS        stscreds.AssumeRoleAPIClient
	RoleName   string
	ExternalID string

	mu      sync.Mutex
	members map[string]Lookups
}

var _ Accounts = (*MemberAccounts)(nil)

// For returns the Lookups of account. The function's own account is read
// from the invoked function's ARN; outside Lambda (no ARN) every account is
// taken as the own one.
func (m *MemberAccounts) For(ctx context.Context, account string) (Lookups, error) {
	partition, home := invokedAccount(ctx)
	if m.RoleName == "" || account == "" || home == "" || account == home {
		return m.Home, nil
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if l, ok := m.members[account]; ok {
		return l, nil
	}
	roleARN := "arn:" + partition + ":iam::" + account + ":role/" + m.RoleName
	cfg := m.Config.Copy()
	cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(m.STS, roleARN, func(o *stscreds.AssumeRoleOptions) {
		o.RoleSessionName = "trailwatch-enrich"
		if m.ExternalID != "" {
			o.ExternalID = aws.String(m.ExternalID)
		}
	}))
	l := &EC2{Client: ec2.NewFromConfig(cfg)}
	if m.members == nil {
		m.members = map[string]Lookups{}
	}
	m.members[account] = l
	return l, nil
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
