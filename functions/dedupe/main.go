// Command dedupe is the pipeline step that keeps one alert per exposure and
// window: it claims an alert before notify, confirms it once SNS accepted
// it, and releases it when notify failed. Alerts live in a DynamoDB table.
//
// Environment (names in package deployment; defaults in deployment.json's
// "dedupe", which terraform and the local stack read too):
//
//	TABLE_NAME        the DynamoDB table (required)
//	DEDUPE_WINDOW     how long a sent alert suppresses the same alert (Go duration)
//	DEDUPE_LEASE      how long an unconfirmed claim holds the alert (at most DEDUPE_WINDOW)
//	DEDUPE_RETENTION  how long after its window an item is kept before TTL may delete it
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
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
)

func main() {
	logger := lambdarun.Logger(os.Stderr, "dedupe")
	cfg, err := configFromEnv(os.Getenv)
	if err != nil {
		lambdarun.Abort(logger, err)
	}
	awsCfg, err := config.LoadDefaultConfig(context.Background())
	if err != nil {
		lambdarun.Abort(logger, fmt.Errorf("load AWS config: %w", err))
	}
	store := NewDynamoDB(dynamodb.NewFromConfig(awsCfg), cfg.Table)
	handler := NewHandler(store, logger, cfg)
	lambdarun.Start(handler.Handle)
}

// configFromEnv reads the Config from getenv: the table (required) and
// the durations, each defaulting to deployment.json's. A duration that does
// not parse, a window or lease under a second, a negative retention or a
// lease longer than the window is an error.
func configFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{Table: getenv(deployment.EnvTableName)}
	if cfg.Table == "" {
		return Config{}, errors.New(deployment.EnvTableName + " is required")
	}
	window, lease, retention, err := deployment.Facts.Dedupe.Durations()
	if err != nil {
		return Config{}, err
	}
	for _, d := range []struct {
		name string
		def  time.Duration
		min  time.Duration
		dst  *time.Duration
	}{
		{deployment.EnvDedupeWindow, window, time.Second, &cfg.Window},
		{deployment.EnvDedupeLease, lease, time.Second, &cfg.Lease},
		{deployment.EnvDedupeRetention, retention, 0, &cfg.Retention},
	} {
		*d.dst = d.def
		v := getenv(d.name)
		if v == "" {
			continue
		}
		dur, err := time.ParseDuration(v)
		if err != nil {
			return Config{}, fmt.Errorf("%s: %w", d.name, err)
		}
		if dur < d.min {
			return Config{}, fmt.Errorf("%s is %s, want at least %s", d.name, dur, d.min)
		}
		*d.dst = dur
	}
	if cfg.Lease > cfg.Window {
		return Config{}, fmt.Errorf("%s (%s) is longer than %s (%s)", deployment.EnvDedupeLease, cfg.Lease, deployment.EnvDedupeWindow, cfg.Window)
	}
	return cfg, nil
}
