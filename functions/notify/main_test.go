package main

import (
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/deployment"
)

func TestConfigFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name, value string
		wantErr     bool
	}{
		{"set", "arn:aws:sns:us-east-1:123456789012:alerts", false},
		{"missing", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := configFromEnv(func(k string) string {
				if k == "TOPIC_ARN" {
					return tc.value
				}
				return ""
			})
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if got.TopicARN != tc.value {
				t.Errorf("topic = %q, want %q", got.TopicARN, tc.value)
			}
		})
	}
}

// TestConfigFromEnvReadsDeploymentEnvironment: notify reads exactly the
// variables deployment.json lists for it.
func TestConfigFromEnvReadsDeploymentEnvironment(t *testing.T) {
	var read []string
	if _, err := configFromEnv(func(k string) string { read = append(read, k); return "arn:aws:sns:us-east-1:123456789012:alerts" }); err != nil {
		t.Fatal(err)
	}
	if err := deployment.CheckEnvironment("notify", read); err != nil {
		t.Error(err)
	}
}
