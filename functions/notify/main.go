// Command notify is the pipeline step that sends what dedupe decided to
// send: an alert, an update or resolution of one, or a storm's digest. It
// renders the message (package alert) and publishes it to an SNS topic,
// returning the message id and subject, and its chat rendering to a chat
// topic when one is configured.
//
// Environment (names in package deployment):
//
//	TOPIC_ARN         the SNS topic alerts are published to (required)
//	CHAT_TOPIC_ARN    the SNS topic AWS Chatbot subscribes to (optional)
//	LOG_LEVEL         see lambdarun.Logger
//	AWS_ENDPOINT_URL  honoured by the AWS SDK, for a local stack
package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
	"github.com/trailwatch/trailwatch/functions/shared/sdkretry"
)

func main() {
	logger := lambdarun.Logger(os.Stderr, "notify")
	cfg, err := configFromEnv(os.Getenv)
	if err != nil {
		lambdarun.Abort(logger, err)
	}
	awsCfg, err := config.LoadDefaultConfig(context.Background(), config.WithRetryer(sdkretry.AnsweredOnly))
	if err != nil {
		lambdarun.Abort(logger, fmt.Errorf("load AWS config: %w", err))
	}
	handler := NewHandler(NewSNS(sns.NewFromConfig(awsCfg), cfg.TopicARN, cfg.ChatTopicARN), logger)
	lambdarun.Start(handler.Handle)
}

// Config is notify's configuration: where alerts go.
type Config struct {
	// TopicARN is the SNS topic alerts are published to.
	TopicARN string
	// ChatTopicARN is the SNS topic the chat rendering of each message is
	// published to; empty for none.
	ChatTopicARN string
}

// configFromEnv reads the Config from getenv. The topic is required, the
// chat topic optional.
func configFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{TopicARN: getenv(deployment.EnvTopicARN), ChatTopicARN: getenv(deployment.EnvChatTopicARN)}
	if cfg.TopicARN == "" {
		return Config{}, errors.New(deployment.EnvTopicARN + " is required")
	}
	return cfg, nil
}
