package deployment

import (
	"fmt"
	"slices"
)

// Names of the environment variables the functions read. Which function
// reads which is in deployment.json ("environment"), from which terraform
// and the local stack set them; each function's tests check, with
// CheckEnvironment, that it reads exactly the ones listed for it.
const (
	// EnvLogLevel is read by every function (lambdarun.Logger), so
	// deployment.json does not list it.
	EnvLogLevel = "LOG_LEVEL"
	// enrich, in organisation mode.
	EnvMemberRoleName = "MEMBER_ROLE_NAME"
	EnvExternalID     = "EXTERNAL_ID"
	// enrich: accounts and organizations shares may go to.
	EnvTrustedAccounts = "TRUSTED_ACCOUNTS"
	// dedupe.
	EnvTableName       = "TABLE_NAME"
	EnvDedupeWindow    = "DEDUPE_WINDOW"
	EnvDedupeLease     = "DEDUPE_LEASE"
	EnvDedupeRetention = "DEDUPE_RETENTION"
	EnvStormThreshold  = "STORM_THRESHOLD"
	EnvStormPeriod     = "STORM_PERIOD"
	// EnvRulesDigest is the SHA-256 (hex) of the suppression rules file
	// terraform stored in the dedupe table; empty: no rules file.
	EnvRulesDigest = "RULES_DIGEST"
	// EnvHeartbeatTargets lists the accounts and regions whose canaries
	// beat, as comma-separated <account>:<region> (dedupe).
	EnvHeartbeatTargets = "HEARTBEAT_TARGETS"
	// notify. CHAT_TOPIC_ARN is optional: empty or unset, no chat
	// rendering is published.
	EnvTopicARN     = "TOPIC_ARN"
	EnvChatTopicARN = "CHAT_TOPIC_ARN"
)

// CheckEnvironment returns an error unless read, the names a function's
// configuration asked its environment for (in any order, repeats
// allowed), are exactly those deployment.json lists for function.
func CheckEnvironment(function string, read []string) error {
	want, ok := Facts.Environment[function]
	if !ok {
		return fmt.Errorf("deployment.json lists no environment for function %q", function)
	}
	got := slices.Compact(slices.Sorted(slices.Values(read)))
	want = slices.Sorted(slices.Values(want))
	if !slices.Equal(got, want) {
		return fmt.Errorf("%s reads the environment variables %q, deployment.json lists %q", function, got, want)
	}
	return nil
}
