package pipeline

import (
	"fmt"
	"maps"
	"slices"
	"strconv"

	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/test/localstack"
)

// logLevel is every function's LOG_LEVEL on the local stack, unless
// overridden.
const logLevel = "info"

// singleAccountUnset are the variables terraform sets only in organisation
// mode, the chat topic terraform creates only when chat_notifications is
// on, and TRUSTED_ACCOUNTS only when trusted_account_ids is not empty, its
// default; the local stack is one account with the defaults and without a
// chat channel, so it leaves them unset (a test may override them).
var singleAccountUnset = []string{"MEMBER_ROLE_NAME", "EXTERNAL_ID", "CHAT_TOPIC_ARN", "TRUSTED_ACCOUNTS"}

// HeartbeatTargets is HEARTBEAT_TARGETS for a stack running the canary:
// its one account and region.
const HeartbeatTargets = localstack.AccountID + ":" + localstack.Region

// readBySome reports whether some function reads the variable name
// (deployment.json's environment).
func readBySome(name string) bool {
	for _, names := range deployment.Facts.Environment {
		if slices.Contains(names, name) {
			return true
		}
	}
	return false
}

// Environment returns each function's environment by step, as terraform
// sets it for a single-account deployment with the default variables:
// LOG_LEVEL, and every variable deployment.json lists for the function,
// with the values of these names and of deployment.json's dedupe
// durations and storm defaults, and no rules file (RULES_DIGEST empty:
// Deploy sets it for Options.RulesFile). Then each override applies to
// the functions that read it (LOG_LEVEL to all).
//
// It fails when deployment.json lists a variable the local stack has no
// value for, or an override names a variable no function reads, so that a
// new variable cannot be forgotten here or mistyped by a test.
func (n Names) Environment(overrides map[string]string) (map[string]map[string]string, error) {
	d, storm := deployment.Facts.Dedupe, deployment.Facts.Storm
	values := map[string]string{
		"TABLE_NAME":       n.Table,
		"TOPIC_ARN":        n.TopicARN(),
		"DEDUPE_WINDOW":    d.Window,
		"DEDUPE_LEASE":     d.Lease,
		"DEDUPE_RETENTION": d.Retention,
		"STORM_THRESHOLD":  strconv.Itoa(storm.Threshold),
		"STORM_PERIOD":     storm.Period,
		"RULES_DIGEST":     "",
		// No canary beats on the local stack unless a test says so.
		deployment.EnvHeartbeatTargets: "",
	}
	read := map[string]bool{"LOG_LEVEL": true}
	env := make(map[string]map[string]string, len(deployment.Facts.Environment))
	for step, names := range deployment.Facts.Environment {
		fn := map[string]string{"LOG_LEVEL": logLevel}
		for _, name := range names {
			read[name] = true
			if v, ok := values[name]; ok {
				fn[name] = v
			} else if !slices.Contains(singleAccountUnset, name) {
				return nil, fmt.Errorf("deployment.json gives %s the variable %s, which the local stack has no value for", step, name)
			}
		}
		env[step] = fn
	}
	for _, name := range slices.Sorted(maps.Keys(overrides)) {
		if !read[name] {
			return nil, fmt.Errorf("override %s: no function reads it (deployment.json)", name)
		}
		for step, fn := range env {
			if name == "LOG_LEVEL" || slices.Contains(deployment.Facts.Environment[step], name) {
				fn[name] = overrides[name]
			}
		}
	}
	return env, nil
}
