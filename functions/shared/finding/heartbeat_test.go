package finding_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// TestHeartbeat: the canary's CreateTags is a heartbeat finding (no
// exposure, its group the resource); a CreateTags of another tag, or a
// failed one, is not in the catalog; the heartbeat's rule matches only
// CreateTags calls with deployment.json's tag key.
func TestHeartbeat(t *testing.T) {
	if finding.HeartbeatTagKey != deployment.Facts.Heartbeat.TagKey {
		t.Fatalf("finding.HeartbeatTagKey %q, deployment.json heartbeat.tag_key %q", finding.HeartbeatTagKey, deployment.Facts.Heartbeat.TagKey)
	}
	raw, err := os.ReadFile("testdata/events/ec2-createtags-heartbeat.json")
	if err != nil {
		t.Fatal(err)
	}
	f, err := finding.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	if f.Kind != finding.KindHeartbeat || f.Severity != finding.SeverityNone || f.OpensExposure || len(f.Resources) != 1 || f.Resources[0].ID != "sg-11bbcc22" {
		t.Errorf("heartbeat finding: kind %q severity %s opens %v resources %v", f.Kind, f.Severity, f.OpensExposure, f.Resources)
	}
	failed := strings.Replace(string(raw), `"eventType": "AwsApiCall"`, `"eventType": "AwsApiCall", "errorCode": "Client.UnauthorizedOperation"`, 1)
	var unsupported *finding.UnsupportedEventError
	if _, err := finding.Parse([]byte(failed)); !errors.As(err, &unsupported) {
		t.Errorf("a failed heartbeat call: %v, want it unsupported (the canary is broken: its silence raises the alarm)", err)
	}
	var pattern string
	for _, p := range finding.EventPatterns() {
		if p.Name == "heartbeat" {
			pattern = string(p.JSON)
		}
	}
	if !strings.Contains(pattern, `"CreateTags"`) || !strings.Contains(pattern, `"`+deployment.Facts.Heartbeat.TagKey+`"`) || !strings.Contains(pattern, `"tagSet"`) {
		t.Errorf("the heartbeat's rule does not ask for CreateTags with the tag key %s:\n%s", deployment.Facts.Heartbeat.TagKey, pattern)
	}
	for _, p := range finding.EventPatterns() {
		if p.Name != "heartbeat" && strings.Contains(string(p.JSON), `"CreateTags"`) {
			t.Errorf("rule %s also matches CreateTags", p.Name)
		}
	}
}
