package main

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name      string
		env       map[string]string
		wantTable string
		want      Config
		wantErr   bool
	}{
		{
			name:      "defaults",
			env:       map[string]string{"TABLE_NAME": "alerts"},
			wantTable: "alerts",
			want:      Config{Window: 24 * time.Hour, Lease: 5 * time.Minute, Retention: 168 * time.Hour},
		},
		{
			name: "set",
			env: map[string]string{
				"TABLE_NAME":       "alerts",
				"DEDUPE_WINDOW":    "1h",
				"DEDUPE_LEASE":     "90s",
				"DEDUPE_RETENTION": "0s",
			},
			wantTable: "alerts",
			want:      Config{Window: time.Hour, Lease: 90 * time.Second},
		},
		{name: "no table", env: map[string]string{}, wantErr: true},
		{name: "bad window", env: map[string]string{"TABLE_NAME": "a", "DEDUPE_WINDOW": "1 day"}, wantErr: true},
		{name: "zero window", env: map[string]string{"TABLE_NAME": "a", "DEDUPE_WINDOW": "0s"}, wantErr: true},
		{name: "negative retention", env: map[string]string{"TABLE_NAME": "a", "DEDUPE_RETENTION": "-1h"}, wantErr: true},
		{name: "lease longer than window", env: map[string]string{"TABLE_NAME": "a", "DEDUPE_WINDOW": "1m", "DEDUPE_LEASE": "2m"}, wantErr: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			table, cfg, err := configFromEnv(func(k string) string { return tc.env[k] })
			if gotErr := err != nil; gotErr != tc.wantErr {
				t.Fatalf("err = %v, want error: %v", err, tc.wantErr)
			}
			if err != nil {
				return
			}
			if table != tc.wantTable {
				t.Errorf("table = %q, want %q", table, tc.wantTable)
			}
			if diff := cmp.Diff(tc.want, cfg); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}
