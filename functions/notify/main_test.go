package main

import (
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/deployment"
)

func TestConfigFromEnv(t *testing.T) {
	for _, tc := range []struct {
		name, value, chat string
		wantErr           bool
	}{
		{"set", "arn:aws:sns:us-east-1:123456789012:alerts", "", false},
		{"with a chat topic", "arn:aws:sns:us-east-1:123456789012:alerts", "arn:aws:sns:us-east-1:123456789012:chat", false},
		{"missing", "", "", true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := configFromEnv(func(k string) string {
				switch k {
				case "TOPIC_ARN":
					return tc.value
				case "CHAT_TOPIC_ARN":
					return tc.chat
				}
				return ""
			})
			if (err != nil) != tc.wantErr {
				t.Fatalf("err = %v, wantErr %v", err, tc.wantErr)
			}
			if got.TopicARN != tc.value {
				t.Errorf("topic = %q, want %q", got.TopicARN, tc.value)
			}
			if !tc.wantErr && got.ChatTopicARN != tc.chat {
				t.Errorf("chat topic = %q, want %q", got.ChatTopicARN, tc.chat)
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
