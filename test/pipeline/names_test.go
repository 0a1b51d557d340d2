package pipeline

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
)

func TestDefaultNames(t *testing.T) {
	n := Default
	if n.Name != deployment.Facts.DefaultName {
		t.Errorf("name %q, want deployment.json's default_name %q", n.Name, deployment.Facts.DefaultName)
	}
	s := deployment.Facts.Suffixes
	for _, c := range []struct{ what, got, suffix string }{
		{"state machine", n.StateMachine, s.StateMachine},
		{"table", n.Table, s.DedupeTable},
		{"topic", n.Topic, s.AlertTopic},
		{"dead-letter queue", n.DeadLetterQueue, s.DeadLetterQueue},
		{"rule prefix", n.RulePrefix, s.Rule},
	} {
		if want := n.Name + c.suffix; c.got != want {
			t.Errorf("%s %q, want %q (deployment.json)", c.what, c.got, want)
		}
	}
	if got, want := n.Rule("ec2"), n.Name+s.Rule+"-ec2"; got != want {
		t.Errorf("rule of group ec2 %q, want %q", got, want)
	}
	if got, want := slices.Sorted(maps.Keys(n.Functions)), Steps; !slices.Equal(got, want) {
		t.Errorf("functions of %v, want %v", got, want)
	}
	seen := map[string]string{}
	for step, name := range n.Functions {
		if want := n.Name + s.Functions[step]; name != want {
			t.Errorf("function %s named %q, want %q", step, name, want)
		}
		if other, dup := seen[name]; dup {
			t.Errorf("functions %s and %s are both %q", step, other, name)
		}
		seen[name] = step
	}
	if n.IntakeQueue != n.Name+s.IntakeQueue || n.ParkedQueue != n.Name+s.ParkedQueue || n.CanaryGroup != n.Name+s.Heartbeat.SecurityGroup {
		t.Errorf("intake %q, parked %q, canary group %q: not terraform's names", n.IntakeQueue, n.ParkedQueue, n.CanaryGroup)
	}
	for _, q := range []string{n.IntakeQueue, n.ParkedQueue, n.AlertsQueue} {
		if !strings.HasPrefix(q, n.Name+"-") {
			t.Errorf("queue %q lacks the deployment's name", q)
		}
	}
}

func TestEnvironment(t *testing.T) {
	n := Default
	d := deployment.Facts.Dedupe
	storm := func(env map[string]string) map[string]string {
		env["STORM_THRESHOLD"], env["STORM_PERIOD"], env["RULES_DIGEST"], env["HEARTBEAT_TARGETS"] = "5", deployment.Facts.Storm.Period, "", ""
		return env
	}
	tests := []struct {
		name      string
		overrides map[string]string
		want      map[string]map[string]string
	}{
		{
			name: "terraform's defaults",
			want: map[string]map[string]string{
				"parse":  {"LOG_LEVEL": "info"},
				"enrich": {"LOG_LEVEL": "info"},
				"dedupe": storm(map[string]string{"LOG_LEVEL": "info", "TABLE_NAME": n.Table, "DEDUPE_WINDOW": d.Window, "DEDUPE_LEASE": d.Lease, "DEDUPE_RETENTION": d.Retention}),
				"notify": {"LOG_LEVEL": "info", "TOPIC_ARN": n.TopicARN()},
			},
		},
		{
			name:      "overrides reach the functions that read them",
			overrides: map[string]string{"DEDUPE_WINDOW": "3s", "LOG_LEVEL": "debug", "MEMBER_ROLE_NAME": "audit"},
			want: map[string]map[string]string{
				"parse":  {"LOG_LEVEL": "debug"},
				"enrich": {"LOG_LEVEL": "debug", "MEMBER_ROLE_NAME": "audit"},
				"dedupe": storm(map[string]string{"LOG_LEVEL": "debug", "TABLE_NAME": n.Table, "DEDUPE_WINDOW": "3s", "DEDUPE_LEASE": d.Lease, "DEDUPE_RETENTION": d.Retention}),
				"notify": {"LOG_LEVEL": "debug", "TOPIC_ARN": n.TopicARN()},
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := n.Environment(tc.overrides)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("environment (-want +got):\n%s", diff)
			}
		})
	}
}

// TestEnvironmentFollowsDeployment checks that every variable deployment.json
// gives a function reaches it (or is one terraform sets only in organisation
// mode), and nothing else does.
func TestEnvironmentFollowsDeployment(t *testing.T) {
	env, err := Default.Environment(nil)
	if err != nil {
		t.Fatal(err)
	}
	for step, names := range deployment.Facts.Environment {
		want := []string{"LOG_LEVEL"}
		for _, name := range names {
			if !slices.Contains(singleAccountUnset, name) {
				want = append(want, name)
			}
		}
		slices.Sort(want)
		if got := slices.Sorted(maps.Keys(env[step])); !slices.Equal(got, want) {
			t.Errorf("%s gets %v, want %v (deployment.json)", step, got, want)
		}
	}
}

func TestEnvironmentErrors(t *testing.T) {
	t.Run("override nobody reads", func(t *testing.T) {
		if _, err := Default.Environment(map[string]string{"DEDUPE_WINDOWS": "3s"}); err == nil || !strings.Contains(err.Error(), "DEDUPE_WINDOWS") {
			t.Errorf("Environment = %v, want an error naming DEDUPE_WINDOWS", err)
		}
	})
	t.Run("variable without a local value", func(t *testing.T) {
		saved := deployment.Facts.Environment
		t.Cleanup(func() { deployment.Facts.Environment = saved })
		deployment.Facts.Environment = maps.Clone(saved)
		deployment.Facts.Environment["notify"] = append(slices.Clone(saved["notify"]), "NEW_SETTING")
		if _, err := Default.Environment(nil); err == nil || !strings.Contains(err.Error(), "NEW_SETTING") {
			t.Errorf("Environment = %v, want an error naming NEW_SETTING", err)
		}
	})
}
