package deployment

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/rules"
)

func TestFacts(t *testing.T) {
	f := Facts
	if f.DefaultName == "" {
		t.Fatal("default_name is empty")
	}
	steps := []string{"dedupe", "enrich", "notify", "parse"}
	var got []string
	for step, suffix := range f.Suffixes.Functions {
		if suffix == "" {
			t.Errorf("function %s has no suffix", step)
		}
		got = append(got, step)
	}
	slices.Sort(got)
	if !slices.Equal(got, steps) {
		t.Errorf("functions %v, want %v", got, steps)
	}
	got = got[:0]
	for step := range f.Environment {
		got = append(got, step)
	}
	slices.Sort(got)
	if !slices.Equal(got, steps) {
		t.Errorf("environment of %v, want %v", got, steps)
	}
	for _, s := range []string{f.Suffixes.StateMachine, f.Suffixes.DedupeTable, f.Suffixes.AlertTopic, f.Suffixes.ChatTopic, f.Suffixes.OpsTopic, f.Suffixes.Rule, f.Suffixes.DeadLetterQueue, f.Suffixes.DigestSchedule} {
		if s == "" {
			t.Errorf("empty suffix in %+v", f.Suffixes)
		}
	}
	window, lease, _, err := f.Dedupe.Durations()
	if err != nil {
		t.Fatal(err)
	}
	if lease > window {
		t.Errorf("lease %s longer than window %s", lease, window)
	}
}

// TestFileIsStrict: every member of deployment.json has a field here, so
// nothing in the file is silently ignored by Go.
func TestFileIsStrict(t *testing.T) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	var f File
	if err := dec.Decode(&f); err != nil {
		t.Fatalf("deployment.json: %v", err)
	}
}

func TestQuotas(t *testing.T) {
	var keys map[string]json.RawMessage
	var probe struct {
		Quotas map[string]json.RawMessage `json:"quotas"`
	}
	if err := json.Unmarshal(raw, &probe); err != nil {
		t.Fatal(err)
	}
	keys = probe.Quotas
	all := Facts.Quotas.All()
	if len(all) != len(keys) {
		t.Errorf("deployment.json has %d quotas, Quotas %d", len(keys), len(all))
	}
	for key, q := range all {
		if _, ok := keys[key]; !ok {
			t.Errorf("quota %s is not in deployment.json", key)
		}
		if q.Value <= 0 {
			t.Errorf("quota %s: value %d", key, q.Value)
		}
		if q.Unit == "" || q.Doc == "" {
			t.Errorf("quota %s: no unit or doc", key)
		}
		if !strings.HasPrefix(q.URL, "https://docs.aws.amazon.com/") {
			t.Errorf("quota %s: url %q is not an AWS documentation page", key, q.URL)
		}
	}
}

// TestFactsTerraformCanRead: terraform reads the durations with a regular
// expression of whole hours, minutes and seconds (terraform/locals.tf), and
// the operations topic accepts alarms named <name>-*, so every suffix
// starts with "-".
func TestFactsTerraformCanRead(t *testing.T) {
	whole := regexp.MustCompile(`^([0-9]+h)?([0-9]+m)?([0-9]+s)?$`)
	d := Facts.Dedupe
	for name, s := range map[string]string{"dedupe.window": d.Window, "dedupe.lease": d.Lease, "dedupe.retention": d.Retention,
		"storm.period": Facts.Storm.Period, "digest_schedule.interval": Facts.DigestSchedule.Interval} {
		if s == "" || !whole.MatchString(s) {
			t.Errorf("%s %q is not whole hours, minutes and seconds (such as \"24h\" or \"1h30m\")", name, s)
		}
	}
	suffixes := []string{Facts.Suffixes.StateMachine, Facts.Suffixes.DedupeTable, Facts.Suffixes.AlertTopic, Facts.Suffixes.ChatTopic,
		Facts.Suffixes.OpsTopic, Facts.Suffixes.Rule, Facts.Suffixes.DeadLetterQueue, Facts.Suffixes.DigestSchedule,
		Facts.Suffixes.IntakeQueue, Facts.Suffixes.ParkedQueue, Facts.Suffixes.Pipe, Facts.Suffixes.Trail, Facts.Suffixes.Dashboard,
		Facts.Suffixes.Heartbeat.Schedule, Facts.Suffixes.Heartbeat.SecurityGroup, Facts.Suffixes.Heartbeat.Role,
		Facts.Suffixes.Backtest.Function, Facts.Suffixes.Backtest.StateMachine, Facts.Suffixes.Backtest.ResultsBucket}
	for _, s := range Facts.Suffixes.Functions {
		suffixes = append(suffixes, s)
	}
	for _, s := range suffixes {
		if !strings.HasPrefix(s, "-") {
			t.Errorf("suffix %q does not start with \"-\"", s)
		}
	}
}

func TestCheckEnvironment(t *testing.T) {
	for _, tc := range []struct {
		name     string
		function string
		read     []string
		wantErr  bool
	}{
		{"exact, any order, repeats", "dedupe", []string{EnvDedupeRetention, EnvTableName, EnvStormPeriod, EnvDedupeWindow, EnvRulesDigest,
			EnvDedupeLease, EnvStormThreshold, EnvHeartbeatTargets, EnvTableName}, false},
		{"none for none", "parse", nil, false},
		{"one missing", "dedupe", []string{EnvTableName, EnvDedupeWindow, EnvDedupeLease}, true},
		{"one too many", "notify", []string{EnvTopicARN, EnvTableName}, true},
		{"unknown function", "forward", nil, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := CheckEnvironment(tc.function, tc.read); (err != nil) != tc.wantErr {
				t.Errorf("CheckEnvironment(%q, %q) = %v, want error: %v", tc.function, tc.read, err, tc.wantErr)
			}
		})
	}
}

// TestEnvironmentNames: every variable deployment.json lists has its Go
// constant.
func TestEnvironmentNames(t *testing.T) {
	known := []string{EnvMemberRoleName, EnvExternalID, EnvTrustedAccounts, EnvTableName, EnvDedupeWindow, EnvDedupeLease, EnvDedupeRetention,
		EnvStormThreshold, EnvStormPeriod, EnvRulesDigest, EnvHeartbeatTargets, EnvTopicARN, EnvChatTopicARN}
	for function, names := range Facts.Environment {
		for _, n := range names {
			if !slices.Contains(known, n) {
				t.Errorf("deployment.json lists %s for %s: add its constant to env.go", n, function)
			}
			if n == EnvLogLevel {
				t.Errorf("deployment.json lists %s for %s: every function reads it, it is not listed", n, function)
			}
		}
	}
}

// TestStormAndSchedule: the storm defaults are usable, the schedule's rate
// expression says its interval, the period is at least one interval (so
// that nothing held waits longer than a period) and the schedule's input
// is an event parse refuses as not CloudTrail.
func TestStormAndSchedule(t *testing.T) {
	period, interval, err := Facts.StormDurations()
	if err != nil {
		t.Fatal(err)
	}
	if Facts.Storm.Threshold < 1 {
		t.Errorf("storm.threshold %d, want at least 1", Facts.Storm.Threshold)
	}
	if period < interval {
		t.Errorf("storm.period %s is shorter than the digest schedule's interval %s", period, interval)
	}
	m := regexp.MustCompile(`^rate\(([0-9]+) (minute|minutes|hour|hours)\)$`).FindStringSubmatch(Facts.DigestSchedule.Expression)
	if m == nil {
		t.Fatalf("digest_schedule.expression %q is not rate(N minutes)", Facts.DigestSchedule.Expression)
	}
	unit := map[string]string{"minute": "m", "minutes": "m", "hour": "h", "hours": "h"}[m[2]]
	if got, _ := time.ParseDuration(m[1] + unit); got != interval {
		t.Errorf("digest_schedule.expression %q is not its interval %s", Facts.DigestSchedule.Expression, interval)
	}
	in := Facts.DigestSchedule.Input
	if in.Source == "" || in.DetailType == "" || strings.Contains(in.DetailType, "CloudTrail") || strings.HasPrefix(in.Source, "aws.") {
		t.Errorf("digest_schedule.input %+v must be a non-AWS source and a detail-type that is not CloudTrail's", in)
	}
}

// TestRulesFacts: what terraform checks of a rules file at plan is what
// package rules parses.
func TestRulesFacts(t *testing.T) {
	r := Facts.Rules
	if !slices.Equal(r.MatchKeys, rules.MatchKeys()) {
		t.Errorf("rules.match_keys %v, package rules %v", r.MatchKeys, rules.MatchKeys())
	}
	if r.MaxBytes != rules.MaxBytes || r.MaxRules != rules.MaxRules {
		t.Errorf("rules bounds %d bytes %d rules, package rules %d %d", r.MaxBytes, r.MaxRules, rules.MaxBytes, rules.MaxRules)
	}
	if r.ItemKey == "" || r.TextAttribute == "" || r.DigestAttribute == "" || r.NameAttribute == "" {
		t.Errorf("rules item %+v", r)
	}
	if r.MaxBytes > Facts.Quotas.ItemBytes.Value/2 {
		t.Errorf("a rules file of %d bytes leaves no room in a %d-byte item", r.MaxBytes, Facts.Quotas.ItemBytes.Value)
	}
}

func TestIntakeAndHeartbeatFacts(t *testing.T) {
	for name, s := range map[string]string{
		"intake.visibility_timeout": Facts.Intake.VisibilityTimeout,
		"intake.retention":          Facts.Intake.Retention,
		"heartbeat.interval":        Facts.Heartbeat.Interval,
		"heartbeat.max_age":         Facts.Heartbeat.MaxAge,
	} {
		d, err := time.ParseDuration(s)
		if err != nil || d <= 0 || d%time.Second != 0 {
			t.Errorf("%s = %q: want a positive Go duration of whole seconds (err %v)", name, s, err)
		}
	}
	if Facts.Intake.BatchSize != 1 {
		t.Errorf("intake.batch_size = %d: a synchronous execution takes one event", Facts.Intake.BatchSize)
	}
	if n := Facts.Intake.MaxReceiveCount; n < 2 || n > 1000 {
		t.Errorf("intake.max_receive_count = %d: SQS allows 1 to 1,000, and one receive is no retry", n)
	}
	interval, _ := time.ParseDuration(Facts.Heartbeat.Interval)
	maxAge, _ := time.ParseDuration(Facts.Heartbeat.MaxAge)
	if maxAge < 2*interval {
		t.Errorf("heartbeat.max_age %v is under two intervals (%v): one late beat would alarm", maxAge, interval)
	}
	if Facts.Heartbeat.TagKey == "" || Facts.Heartbeat.ItemPrefix == "" || Facts.Metrics.Namespace == "" {
		t.Error("heartbeat.tag_key, heartbeat.item_prefix and metrics.namespace must be set")
	}
}
