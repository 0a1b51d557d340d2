package localstack

import (
	"encoding/json"
	"testing"
)

// TestMatchPattern: EventBridge's matching, as the gateway applies it
// beside moto's: arrays of objects are looked into (moto does not), arrays
// of values match on any element, prefix, anything-but and exists.
func TestMatchPattern(t *testing.T) {
	heartbeat := `{"source": ["aws.ec2"], "detail": {"eventName": ["CreateTags"], "requestParameters": {"tagSet": {"items": {"key": ["trailwatch:heartbeat"]}}}}}`
	tags := func(keys ...string) string {
		items := ""
		for i, k := range keys {
			if i > 0 {
				items += ","
			}
			items += `{"key": "` + k + `", "value": "v"}`
		}
		return `{"source": "aws.ec2", "detail": {"eventName": "CreateTags", "requestParameters": {"tagSet": {"items": [` + items + `]}}}}`
	}
	tests := []struct {
		name, pattern, event string
		want, moto           bool
	}{
		{"tag among others", heartbeat, tags("Name", "trailwatch:heartbeat"), true, false},
		{"no such tag", heartbeat, tags("Name"), false, false},
		{"another event", heartbeat, `{"source": "aws.ec2", "detail": {"eventName": "RunInstances"}}`, false, false},
		{"exact values", `{"source": ["aws.ec2"], "detail": {"eventName": ["RunInstances", "CreateTags"]}}`, `{"source": "aws.ec2", "detail": {"eventName": "CreateTags"}}`, true, true},
		{"array of values", `{"resources": ["arn:a"]}`, `{"resources": ["arn:b", "arn:a"]}`, true, true},
		{"prefix", `{"detail": {"eventName": [{"prefix": "Put"}]}}`, `{"detail": {"eventName": "PutObject"}}`, true, true},
		{"prefix misses", `{"detail": {"eventName": [{"prefix": "Put"}]}}`, `{"detail": {"eventName": "GetObject"}}`, false, false},
		{"anything-but", `{"detail": {"readOnly": [{"anything-but": true}]}}`, `{"detail": {"readOnly": false}}`, true, true},
		{"anything-but refuses", `{"detail": {"eventName": [{"anything-but": ["A", "B"]}]}}`, `{"detail": {"eventName": "B"}}`, false, false},
		{"exists", `{"detail": {"errorCode": [{"exists": false}]}}`, `{"detail": {}}`, true, true},
		{"numbers", `{"detail": {"port": [22]}}`, `{"detail": {"port": 22}}`, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var pattern, event map[string]any
			if err := json.Unmarshal([]byte(tc.pattern), &pattern); err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal([]byte(tc.event), &event); err != nil {
				t.Fatal(err)
			}
			if got := matchPattern(pattern, event, false); got != tc.want {
				t.Errorf("EventBridge's match %v, want %v", got, tc.want)
			}
			if got := matchPattern(pattern, event, true); got != tc.moto {
				t.Errorf("moto's match %v, want %v", got, tc.moto)
			}
		})
	}
}
