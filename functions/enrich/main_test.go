package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
)

func TestConfigFromEnv(t *testing.T) {
	tests := []struct {
		name string
		env  map[string]string
		want Config
	}{
		{"one account", map[string]string{}, Config{}},
		{"organisation", map[string]string{"MEMBER_ROLE_NAME": "trailwatch-enrich", "EXTERNAL_ID": "x-1"},
			Config{MemberRoleName: "trailwatch-enrich", ExternalID: "x-1"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := configFromEnv(func(k string) string { return tc.env[k] })
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

// TestConfigFromEnvReadsDeploymentEnvironment: enrich reads exactly the
// variables deployment.json lists for it.
func TestConfigFromEnvReadsDeploymentEnvironment(t *testing.T) {
	var read []string
	configFromEnv(func(k string) string { read = append(read, k); return "" })
	if err := deployment.CheckEnvironment("enrich", read); err != nil {
		t.Error(err)
	}
}
