// Command dedupe is the pipeline step that keeps one alert per exposure and
// window: it claims an alert before notify, confirms it once SNS accepted
// it, and releases it when notify failed. Alerts live in a DynamoDB table.
//
// Environment:
//
//	TABLE_NAME        the DynamoDB table (required)
//	DEDUPE_WINDOW     how long a sent alert suppresses the same alert (Go duration, default 24h)
//	DEDUPE_LEASE      how long an unconfirmed claim holds the alert (default 5m; at most DEDUPE_WINDOW)
//	DEDUPE_RETENTION  how long after its window an item is kept before TTL may delete it (default 168h)
//	LOG_LEVEL         see lambdarun.Logger
//	AWS_ENDPOINT_URL  honoured by the AWS SDK, for a local stack
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
)

func main() {
	logger := lambdarun.Logger(os.Stderr, "dedupe")
	table, cfg, err := configFromEnv(os.Getenv)
	if err != nil {
		logger.Fatal().Err(err).Msg("invalid configuration")
	}
	awsCfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		logger.Fatal().Err(err).Msg("load aws config")
	}
	store := NewDynamoDB(dynamodb.NewFromConfig(awsCfg), table)
	handler := NewHandler(store, logger, cfg)
	lambdarun.Start(handler.Handle)
}

// configFromEnv reads the table name and the Config from getenv.
func configFromEnv(getenv func(string) string) (string, Config, error) {
	table := getenv("TABLE_NAME")
	if table == "" {
		return "", Config{}, errors.New("TABLE_NAME is required")
	}
	var cfg Config
	for _, d := range []struct {
		name string
		def  time.Duration
		min  time.Duration
		dst  *time.Duration
	}{
		{"DEDUPE_WINDOW", 24 * time.Hour, time.Second, &cfg.Window},
		{"DEDUPE_LEASE", 5 * time.Minute, time.Second, &cfg.Lease},
		{"DEDUPE_RETENTION", 168 * time.Hour, 0, &cfg.Retention},
	} {
		*d.dst = d.def
		v := getenv(d.name)
		if v == "" {
			continue
		}
		dur, err := time.ParseDuration(v)
		if err != nil {
			return "", Config{}, fmt.Errorf("%s: %w", d.name, err)
		}
		if dur < d.min {
			return "", Config{}, fmt.Errorf("%s is %s, want at least %s", d.name, dur, d.min)
		}
		*d.dst = dur
	}
	if cfg.Lease > cfg.Window {
		return "", Config{}, fmt.Errorf("DEDUPE_LEASE (%s) is longer than DEDUPE_WINDOW (%s)", cfg.Lease, cfg.Window)
	}
	return table, cfg, nil
}
