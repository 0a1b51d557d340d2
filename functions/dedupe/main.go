// Command dedupe is the pipeline step that keeps each alert's lifecycle: it
// claims an alert before notify and confirms it once SNS accepted it (or
// releases it when notify failed), counts the reports of an open alert
// instead of sending them again, updates and resolves alerts when a
// closing event shows their exposure gone, holds storms for one digest,
// and lets suppression rules allow expected exposure. Everything lives in
// one DynamoDB table.
//
// Environment (names in package deployment; defaults in deployment.json's
// "dedupe" and "storm", which terraform and the local stack read too):
//
//	TABLE_NAME        the DynamoDB table (required)
//	DEDUPE_WINDOW     how long reports of an open alert are counted instead of sent (Go duration)
//	DEDUPE_LEASE      how long an unconfirmed claim holds the alert (at most DEDUPE_WINDOW)
//	DEDUPE_RETENTION  how long after its window an item is kept before TTL may delete it
//	STORM_THRESHOLD   how many alerts of one account, actor and event name go out at once per period
//	STORM_PERIOD      the storm period (Go duration)
//	RULES_DIGEST      SHA-256 (hex) of the rules file stored in the table; empty: no rules
//	HEARTBEAT_TARGETS comma-separated <account>:<region> whose canaries beat; empty: none
//	LOG_LEVEL         see lambdarun.Logger
//	AWS_ENDPOINT_URL  honoured by the AWS SDK, for a local stack
//
// With RULES_DIGEST set, dedupe reads the rules file from the table at
// start and refuses to start (a startup_failed log line saying which rule
// and what is wrong) when it is missing, is not the file of that digest,
// or is not valid.
package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
	"github.com/trailwatch/trailwatch/functions/shared/rules"
	"github.com/trailwatch/trailwatch/functions/shared/sdkretry"
)

func main() {
	logger := lambdarun.Logger(os.Stderr, "dedupe")
	cfg, err := configFromEnv(os.Getenv)
	if err != nil {
		lambdarun.Abort(logger, err)
	}
	awsCfg, err := config.LoadDefaultConfig(context.Background(), config.WithRetryer(sdkretry.Adaptive))
	if err != nil {
		lambdarun.Abort(logger, fmt.Errorf("load AWS config: %w", err))
	}
	store := NewDynamoDB(dynamodb.NewFromConfig(awsCfg), cfg.Table)
	if cfg.Rules, err = loadRules(context.Background(), store, cfg.RulesDigest); err != nil {
		lambdarun.Abort(logger, err)
	}
	if cfg.Rules != nil {
		logger.Info().Str("rules_file", cfg.Rules.Name).Int("rules", len(cfg.Rules.Rules)).Msg("rules_loaded")
	}
	handler := NewHandler(store, logger, cfg)
	lambdarun.Start(handler.Handle)
}

// MaxStormThreshold bounds STORM_THRESHOLD: a storm period lists the
// messages it sent at once in one item (quota_test.go).
const MaxStormThreshold = 100

// configFromEnv reads the Config from getenv: the table (required), the
// durations and the storm threshold, each defaulting to deployment.json's,
// and the rules file's digest. A duration that does not parse, a window,
// lease or storm period under a second, a negative retention, a lease
// longer than the window or a threshold that is not a whole number from 1
// is an error.
func configFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{Table: getenv(deployment.EnvTableName), RulesDigest: getenv(deployment.EnvRulesDigest)}
	if cfg.Table == "" {
		return Config{}, errors.New(deployment.EnvTableName + " is required")
	}
	targets, err := parseHeartbeatTargets(getenv(deployment.EnvHeartbeatTargets))
	if err != nil {
		return Config{}, fmt.Errorf("%s: %w", deployment.EnvHeartbeatTargets, err)
	}
	cfg.HeartbeatTargets = targets
	window, lease, retention, err := deployment.Facts.Dedupe.Durations()
	if err != nil {
		return Config{}, err
	}
	period, interval, err := deployment.Facts.StormDurations()
	if err != nil {
		return Config{}, err
	}
	cfg.Storm = lifecycle.StormConfig{Threshold: deployment.Facts.Storm.Threshold, Interval: interval}
	for _, d := range []struct {
		name string
		def  time.Duration
		min  time.Duration
		dst  *time.Duration
	}{
		{deployment.EnvDedupeWindow, window, time.Second, &cfg.Window},
		{deployment.EnvDedupeLease, lease, time.Second, &cfg.Lease},
		{deployment.EnvDedupeRetention, retention, 0, &cfg.Retention},
		{deployment.EnvStormPeriod, period, time.Second, &cfg.Storm.Period},
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
	if v := getenv(deployment.EnvStormThreshold); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > MaxStormThreshold {
			return Config{}, fmt.Errorf("%s is %q, want a whole number from 1 to %d", deployment.EnvStormThreshold, v, MaxStormThreshold)
		}
		cfg.Storm.Threshold = n
	}
	return cfg, nil
}

// rulesStore is what loading the rules needs of the Store.
type rulesStore interface {
	Rules(ctx context.Context) (RulesFile, bool, error)
}

// loadRules reads and parses the rules file of digest (the SHA-256 of its
// text); no digest means no rules. The error says what is wrong: the file
// is missing, is another file than the digest's (terraform writes the file
// before it sets the digest), or is not valid (*rules.Error: which rule and
// what).
func loadRules(ctx context.Context, s rulesStore, digest string) (*rules.Set, error) {
	if digest == "" {
		return nil, nil
	}
	f, found, err := s.Rules(ctx)
	switch {
	case err != nil:
		return nil, fmt.Errorf("read the rules file: %w", err)
	case !found:
		return nil, fmt.Errorf("%s is set but the table holds no rules file (item %s)", deployment.EnvRulesDigest, deployment.Facts.Rules.ItemKey)
	}
	sum := sha256.Sum256(f.Text)
	if got := hex.EncodeToString(sum[:]); got != digest || f.Digest != digest {
		return nil, fmt.Errorf("the stored rules file %s has SHA-256 %s (recorded %s), %s says %s: apply terraform again", f.Name, got, f.Digest, deployment.EnvRulesDigest, digest)
	}
	return rules.Parse(f.Name, f.Text)
}
