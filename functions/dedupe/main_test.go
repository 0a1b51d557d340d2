package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
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
			want: Config{Table: "alerts", Window: 24 * time.Hour, Lease: 5 * time.Minute, Retention: 168 * time.Hour},
		},
		{
			name: "set",
			env: map[string]string{
				"TABLE_NAME":       "alerts",
				"DEDUPE_WINDOW":    "1h",
				"DEDUPE_LEASE":     "90s",
				"DEDUPE_RETENTION": "0s",
			},
			want: Config{Table: "alerts", Window: time.Hour, Lease: 90 * time.Second},
		},
		{name: "no table", env: map[string]string{}, wantErr: true},
		{name: "bad window", env: map[string]string{"TABLE_NAME": "a", "DEDUPE_WINDOW": "1 day"}, wantErr: true},
		{name: "zero window", env: map[string]string{"TABLE_NAME": "a", "DEDUPE_WINDOW": "0s"}, wantErr: true},
		{name: "negative retention", env: map[string]string{"TABLE_NAME": "a", "DEDUPE_RETENTION": "-1h"}, wantErr: true},
		{name: "lease longer than window", env: map[string]string{"TABLE_NAME": "a", "DEDUPE_WINDOW": "1m", "DEDUPE_LEASE": "2m"}, wantErr: true},
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
	if diff := cmp.Diff(Config{Table: "alerts", Window: window, Lease: lease, Retention: retention}, cfg); diff != "" {
		t.Errorf("defaults (-deployment.json +got):\n%s", diff)
	}
}

// TestConfigFromEnvReadsDeploymentEnvironment: dedupe reads exactly the
// variables deployment.json lists for it.
func TestConfigFromEnvReadsDeploymentEnvironment(t *testing.T) {
	var read []string
	if _, err := configFromEnv(func(k string) string {
		read = append(read, k)
		return map[string]string{"TABLE_NAME": "alerts", "DEDUPE_WINDOW": "1h", "DEDUPE_LEASE": "1m", "DEDUPE_RETENTION": "1h"}[k]
	}); err != nil {
		t.Fatal(err)
	}
	if err := deployment.CheckEnvironment("dedupe", read); err != nil {
		t.Error(err)
	}
}
