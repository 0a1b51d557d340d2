// Command enrich is trailwatch's second step: it looks a finding's
// resources up (EC2, Elastic Load Balancing, RDS, Redshift, S3, Lambda),
// judges whether the internet really reaches them, and sets the finding's
// severity from that.
//
// Environment (names in package deployment): MEMBER_ROLE_NAME, when set, is
// the role assumed in member accounts of an organisation for findings from
// them (with EXTERNAL_ID); empty means one account. TRUSTED_ACCOUNTS lists
// (comma-separated) the accounts and organization ids shares may go to.
// LOG_LEVEL as for every function.
package main

import (
	"context"
	"fmt"
	"os"
	"strings"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
	"github.com/trailwatch/trailwatch/functions/shared/sdkretry"
)

func main() {
	logger := lambdarun.Logger(os.Stderr, "enrich")
	cfg := configFromEnv(os.Getenv)
	awsCfg, err := config.LoadDefaultConfig(context.Background(), config.WithRetryer(sdkretry.Adaptive))
	if err != nil {
		lambdarun.Abort(logger, fmt.Errorf("load AWS config: %w", err))
	}
	cache := &Cache{TTL: DefaultCacheTTL}
	accounts := &MemberAccounts{
		Home:       NewLookups(awsCfg, cache, "home/"+awsCfg.Region),
		Cache:      cache,
		Config:     awsCfg,
		STS:        sts.NewFromConfig(awsCfg),
		RoleName:   cfg.MemberRoleName,
		ExternalID: cfg.ExternalID,
	}
	handler := NewHandler(accounts, cfg.TrustedAccounts, logger)
	lambdarun.Start(handler.Handle)
}

// Config is enrich's configuration: how it reaches member accounts.
type Config struct {
	// MemberRoleName is the role assumed in member accounts; empty means
	// one account (every finding is looked up with the function's own
	// credentials).
	MemberRoleName string
	// ExternalID is passed when assuming MemberRoleName, when not empty.
	ExternalID string
	// TrustedAccounts are the accounts and AWS Organizations ids (o-...,
	// ou-...) an image or snapshot may be shared with at low severity.
	TrustedAccounts finding.Trusted
}

// configFromEnv reads the Config from getenv; TRUSTED_ACCOUNTS is a
// comma-separated list. Every value is optional, so it cannot fail.
func configFromEnv(getenv func(string) string) Config {
	c := Config{
		MemberRoleName: getenv(deployment.EnvMemberRoleName),
		ExternalID:     getenv(deployment.EnvExternalID),
	}
	for _, id := range strings.Split(getenv(deployment.EnvTrustedAccounts), ",") {
		if id = strings.TrimSpace(id); id != "" {
			c.TrustedAccounts = append(c.TrustedAccounts, id)
		}
	}
	return c
}
