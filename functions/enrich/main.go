// Command enrich is trailwatch's second step: it looks a finding's
// resources up in EC2 (security groups, world-open ingress, public IPs) and
// Elastic Load Balancing (scheme, listeners) and sets the finding's
// severity from what is really exposed.
//
// Environment (names in package deployment): MEMBER_ROLE_NAME, when set, is
// the role assumed in member accounts of an organisation for findings from
// them (with EXTERNAL_ID); empty means one account. LOG_LEVEL as for every
// function.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
)

func main() {
	logger := lambdarun.Logger(os.Stderr, "enrich")
	cfg := configFromEnv(os.Getenv)
	awsCfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		lambdarun.Abort(logger, fmt.Errorf("load AWS config: %w", err))
	}
	accounts := &MemberAccounts{
		Home:       NewLookups(awsCfg),
		Config:     awsCfg,
		STS:        sts.NewFromConfig(awsCfg),
		RoleName:   cfg.MemberRoleName,
		ExternalID: cfg.ExternalID,
	}
	handler := NewHandler(accounts, logger)
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
}

// configFromEnv reads the Config from getenv. Every value is optional, so
// it cannot fail.
func configFromEnv(getenv func(string) string) Config {
	return Config{
		MemberRoleName: getenv(deployment.EnvMemberRoleName),
		ExternalID:     getenv(deployment.EnvExternalID),
	}
}
