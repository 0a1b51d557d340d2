package deployment

import (
	"slices"
	"testing"
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
	for _, s := range []string{f.Suffixes.StateMachine, f.Suffixes.DedupeTable, f.Suffixes.AlertTopic, f.Suffixes.OpsTopic, f.Suffixes.Rule, f.Suffixes.DeadLetterQueue} {
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

func TestCheckEnvironment(t *testing.T) {
	for _, tc := range []struct {
		name     string
		function string
		read     []string
		wantErr  bool
	}{
		{"exact, any order, repeats", "dedupe", []string{EnvDedupeRetention, EnvTableName, EnvDedupeWindow, EnvDedupeLease, EnvTableName}, false},
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
	known := []string{EnvMemberRoleName, EnvExternalID, EnvTableName, EnvDedupeWindow, EnvDedupeLease, EnvDedupeRetention, EnvTopicARN}
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
