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
