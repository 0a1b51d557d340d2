package finding

import (
	"encoding/json"
	"errors"
)

// The canary's heartbeat: every watched account and region tags its own
// security group with deployment.json's heartbeat.tag_key set to the time
// (an EventBridge Scheduler schedule calling ec2:CreateTags), a call
// CloudTrail records. Its rule (group "heartbeat") matches only a
// CreateTags carrying that tag key; its finding is of kind KindHeartbeat,
// exposes nothing, and is recorded by dedupe, never sent.

// HeartbeatTagKey is the tag the canary sets: deployment.json's
// heartbeat.tag_key (heartbeat_test.go holds them equal; finding does not
// import package deployment, whose tests import finding).
const HeartbeatTagKey = "trailwatch:heartbeat"

// heartbeatGroup is the rule of the heartbeat.
const heartbeatGroup = "heartbeat"

// EffectHeartbeat: the call is the canary's heartbeat (recorded, never
// alerted on).
const EffectHeartbeat Effect = "heartbeat"

var heartbeatCatalog = []Entry{
	{EventSource: ec2Source, EventName: "CreateTags", Category: CategoryAudit, Effect: EffectHeartbeat,
		Description: "The canary's heartbeat: its schedule tags its own security group with " + HeartbeatTagKey +
			" (other CreateTags calls are not matched). Recorded per account and region; its age is the heartbeat alarm's metric.",
		Words: Words{Headline: []string{"canary heartbeat on {target}", "canary heartbeat"},
			Advice: "Nothing to do: the heartbeat proves the path from the API call to trailwatch works; it is recorded, not sent."},
		parse: parseHeartbeat, group: heartbeatGroup,
		requestParameters: map[string]any{"tagSet": map[string]any{"items": map[string]any{"key": []string{HeartbeatTagKey}}}}},
}

// createTags is the request of ec2:CreateTags as CloudTrail records it.
type createTags struct {
	Resources items[struct {
		ResourceID string `json:"resourceId"`
	}] `json:"resourcesSet"`
	Tags items[struct {
		Key   string `json:"key"`
		Value string `json:"value"`
	}] `json:"tagSet"`
}

// errNotHeartbeat marks a CreateTags that is not the canary's: the
// catalog's entry is only the heartbeat.
var errNotHeartbeat = errors.New("not the heartbeat")

// parseHeartbeat makes the heartbeat finding of a CreateTags that sets the
// heartbeat tag: kind heartbeat, the tagged group its resource. Any other
// CreateTags, or one that failed (the canary is broken: its silence raises
// the alarm), is not the heartbeat (an UnsupportedEventError).
func parseHeartbeat(rec *record, f *Finding) error {
	var req createTags
	if err := json.Unmarshal(rec.RequestParameters, &req); err != nil || rec.ErrorCode != "" {
		return errNotHeartbeat
	}
	beat := false
	for _, t := range req.Tags.Items {
		beat = beat || t.Key == HeartbeatTagKey
	}
	if !beat {
		return errNotHeartbeat
	}
	f.Kind = KindHeartbeat
	for _, r := range req.Resources.Items {
		if r.ResourceID != "" {
			f.Resources = append(f.Resources, Resource{Type: TypeSecurityGroup, ID: r.ResourceID})
		}
	}
	return nil
}
