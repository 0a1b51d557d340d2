// Command notify is the pipeline step that sends an alert: it renders the
// finding (package alert) and publishes it to an SNS topic, returning the
// message id and subject.
//
// Environment:
//
//	TOPIC_ARN         the SNS topic alerts are published to (required)
//	LOG_LEVEL         see lambdarun.Logger
//	AWS_ENDPOINT_URL  honoured by the AWS SDK, for a local stack
package main

import (
	"context"
	"errors"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
)

func main() {
	logger := lambdarun.Logger(os.Stderr, "notify")
	topic, err := topicFromEnv(os.Getenv)
	if err != nil {
		logger.Fatal().Err(err).Msg("invalid configuration")
	}
	cfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Fatal().Err(err).Msg("load aws config")
	}
	handler := NewHandler(NewSNS(sns.NewFromConfig(cfg), topic), logger)
	lambdarun.Start(handler.Handle)
}

// topicFromEnv reads the topic ARN from getenv.
func topicFromEnv(getenv func(string) string) (string, error) {
	topic := getenv("TOPIC_ARN")
	if topic == "" {
		return "", errors.New("TOPIC_ARN is required")
	}
	return topic, nil
}
