// Command enrich is trailwatch's second step: it looks a finding's
// resources up in EC2 (security groups, world-open ingress, public IPs) and
// Elastic Load Balancing (scheme, listeners) and sets the finding's
// severity from what is really exposed.
//
// Environment: MEMBER_ROLE_NAME, when set, is the role assumed in member
// accounts of an organisation for findings from them (with EXTERNAL_ID);
// empty means one account. LOG_LEVEL as for every function.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
)

func main() {
	log := lambdarun.Logger(os.Stderr, "enrich")
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		log.Error().Err(err).Msg("aws_config_failed")
		fmt.Fprintln(os.Stderr, "enrich: load AWS config:", err)
		os.Exit(1)
	}
	accounts := &MemberAccounts{
		Home:       NewLookups(cfg),
		Config:     cfg,
		STS:        sts.NewFromConfig(cfg),
		RoleName:   os.Getenv("MEMBER_ROLE_NAME"),
		ExternalID: os.Getenv("EXTERNAL_ID"),
	}
	h := &Handler{Accounts: accounts, Log: log}
	lambdarun.Start(h.Handle)
}
