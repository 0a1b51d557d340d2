package main

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name    string
		env     map[string]string
		want    Config
		wantErr bool
	}{
		{
			name: "defaults",
			env:  map[string]string{"TABLE_NAME": "alerts"},
			want: Config{Table: "alerts", Window: 24 * time.Hour, Lease: 5 * time.Minute, Retention: 168 * time.Hour,
				Storm: lifecycle.StormConfig{Threshold: 5, Period: 5 * time.Minute, Interval: time.Minute}},
		},
		{
			name: "set",
			env: map[string]string{
				"TABLE_NAME":       "alerts",
				"DEDUPE_WINDOW":    "1h",
				"DEDUPE_LEASE":     "90s",
				"DEDUPE_RETENTION": "0s",
				"STORM_THRESHOLD":  "20",
				"STORM_PERIOD":     "90s",
				"RULES_DIGEST":     "ab12",
			},
			want: Config{Table: "alerts", Window: time.Hour, Lease: 90 * time.Second, RulesDigest: "ab12",
				Storm: lifecycle.StormConfig{Threshold: 20, Period: 90 * time.Second, Interval: time.Minute}},
		},
		{name: "no table", env: map[string]string{}, wantErr: true},
		{name: "bad window", env: map[string]string{"TABLE_NAME": "a", "DEDUPE_WINDOW": "1 day"}, wantErr: true},
		{name: "zero window", env: map[string]string{"TABLE_NAME": "a", "DEDUPE_WINDOW": "0s"}, wantErr: true},
		{name: "negative retention", env: map[string]string{"TABLE_NAME": "a", "DEDUPE_RETENTION": "-1h"}, wantErr: true},
		{name: "lease longer than window", env: map[string]string{"TABLE_NAME": "a", "DEDUPE_WINDOW": "1m", "DEDUPE_LEASE": "2m"}, wantErr: true},
		{name: "zero threshold", env: map[string]string{"TABLE_NAME": "a", "STORM_THRESHOLD": "0"}, wantErr: true},
		{name: "threshold too high", env: map[string]string{"TABLE_NAME": "a", "STORM_THRESHOLD": "101"}, wantErr: true},
		{name: "threshold not a number", env: map[string]string{"TABLE_NAME": "a", "STORM_THRESHOLD": "five"}, wantErr: true},
		{name: "storm period under a second", env: map[string]string{"TABLE_NAME": "a", "STORM_PERIOD": "10ms"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := configFromEnv(func(k string) string { return tc.env[k] })
			if gotErr := err != nil; gotErr != tc.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if diff := cmp.Diff(tc.want, cfg); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConfigDefaultsAreDeployments: unset, the durations are
// deployment.json's, which terraform and the local stack also read.
func TestConfigDefaultsAreDeployments(t *testing.T) {
	cfg, err := configFromEnv(func(k string) string { return map[string]string{"TABLE_NAME": "alerts"}[k] })
	if err != nil {
		t.Fatal(err)
	}
	window, lease, retention, err := deployment.Facts.Dedupe.Durations()
	if err != nil {
		t.Fatal(err)
	}
	period, interval, err := deployment.Facts.StormDurations()
	if err != nil {
		t.Fatal(err)
	}
	want := Config{Table: "alerts", Window: window, Lease: lease, Retention: retention,
		Storm: lifecycle.StormConfig{Threshold: deployment.Facts.Storm.Threshold, Period: period, Interval: interval}}
	if diff := cmp.Diff(want, cfg); diff != "" {
		t.Errorf("defaults (-deployment.json +got):\n%s", diff)
	}
}

// TestConfigFromEnvReadsDeploymentEnvironment: dedupe reads exactly the
// variables deployment.json lists for it.
func TestConfigFromEnvReadsDeploymentEnvironment(t *testing.T) {
	var read []string
	if _, err := configFromEnv(func(k string) string {
		read = append(read, k)
		return map[string]string{"TABLE_NAME": "alerts", "DEDUPE_WINDOW": "1h", "DEDUPE_LEASE": "1m", "DEDUPE_RETENTION": "1h",
			"STORM_THRESHOLD": "3", "STORM_PERIOD": "2m", "RULES_DIGEST": "ab", "HEARTBEAT_TARGETS": "123456789012:eu-west-1"}[k]
	}); err != nil {
		t.Fatal(err)
	}
	if err := deployment.CheckEnvironment("dedupe", read); err != nil {
		t.Error(err)
	}
}

// TestLoadRules: no digest, no rules; a digest loads the stored file, which
// must be the digest's and valid, and the error says what is wrong.
func TestLoadRules(t *testing.T) {
	text := []byte("rules:\n  - {id: a, reason: r, match: {event: X}}\n")
	sum := sha256.Sum256(text)
	digest := hex.EncodeToString(sum[:])
	bad := []byte("rules:\n  - {id: web, reason: r, match: {port: 44x}}\n")
	badSum := sha256.Sum256(bad)
	tests := []struct {
		name    string
		digest  string
		file    RulesFile
		found   bool
		err     error
		wantN   int
		wantErr string
	}{
		{name: "no digest", wantN: -1},
		{name: "loaded", digest: digest, file: RulesFile{Name: "rules.yaml", Text: text, Digest: digest}, found: true, wantN: 1},
		{name: "missing", digest: digest, wantErr: "RULES_DIGEST is set but the table holds no rules file (item config#rules)"},
		{name: "another file", digest: digest, found: true, file: RulesFile{Name: "rules.yaml", Text: []byte("rules: []"), Digest: digest},
			wantErr: "the stored rules file rules.yaml has SHA-256 "},
		{name: "malformed", digest: hex.EncodeToString(badSum[:]), found: true, file: RulesFile{Name: "rules.yaml", Text: bad, Digest: hex.EncodeToString(badSum[:])},
			wantErr: `rules file rules.yaml: rule 1 (id "web"), line 2: match.port[0]: "44x" is not a port (0-65535) or a range such as 8000-8080`},
		{name: "store error", digest: digest, err: errors.New("throttled"), wantErr: "read the rules file: throttled"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := &fakeStore{t: t, RulesFn: func() (RulesFile, bool, error) { return tc.file, tc.found, tc.err }}
			set, err := loadRules(context.Background(), s, tc.digest)
			if tc.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.wantN < 0 {
				if set != nil || len(s.Calls) != 0 {
					t.Errorf("rules %v, calls %v: want none", set, s.Calls)
				}
				return
			}
			if len(set.Rules) != tc.wantN {
				t.Errorf("%d rules, want %d", len(set.Rules), tc.wantN)
			}
		})
	}
}
