// Command enrich is trailwatch's second step: it looks a finding's
// resources up in EC2 (security groups, world-open ingress, public IPs) and
// sets the finding's severity from what is really exposed.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
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
	h := &Handler{EC2: &EC2{Client: ec2.NewFromConfig(cfg)}, Log: log}
	lambdarun.Start(h.Handle)
}
