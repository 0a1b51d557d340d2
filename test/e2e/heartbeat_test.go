package e2e

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/test/localstack"
	"github.com/trailwatch/trailwatch/test/pipeline"
)

// TestHeartbeatStops: the local stack's canary beats through the whole
// path (CreateTags on moto, its CloudTrail record through the rules, the
// intake, the pipe, the state machine) and dedupe records the beat
// without notifying; the digest schedule's run emits the oldest beat's age
// (HeartbeatAge, embedded metric format). Once the canary stops, the age
// grows past the alarm's threshold (here maxAge: the alarm itself is
// CloudWatch's, on deployment.json's heartbeat.max_age).
func TestHeartbeatStops(t *testing.T) {
	const interval, maxAge = time.Second, 6 * time.Second
	p, _, _, logs := deployWith(t, pipeline.Options{Canary: interval})
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	item := deployment.Facts.Heartbeat.ItemPrefix + localstack.AccountID + "#" + localstack.Region
	beat, cancelBeat := context.WithTimeout(ctx, time.Minute)
	defer cancelBeat()
	waitUntil(beat, t, "a heartbeat recorded as "+item, func() bool {
		out, err := p.DDB.GetItem(ctx, &dynamodb.GetItemInput{TableName: aws.String(p.Names.Table),
			Key: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: item}}})
		return err == nil && out.Item != nil
	})
	if n, err := p.Notifications(ctx, 2*time.Second); err != nil || len(n) != 0 {
		t.Errorf("notifications %v (%v): a heartbeat must never notify", n, err)
	}
	beating := heartbeatAge(ctx, t, p, logs)
	if beating > maxAge {
		t.Errorf("heartbeat age %v while the canary beats every %v, want under %v", beating, interval, maxAge)
	}
	p.Stack.StopCanary()
	if err := p.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	time.Sleep(maxAge + time.Second)
	stopped := heartbeatAge(ctx, t, p, logs)
	t.Logf("heartbeat age %v while beating, %v after the canary stopped", beating, stopped)
	if stopped <= maxAge {
		t.Errorf("heartbeat age %v %v after the canary stopped, want past %v", stopped, maxAge+time.Second, maxAge)
	}
}

// heartbeatAge runs the digest schedule once and returns the HeartbeatAge
// (no dimensions) dedupe emitted in it.
func heartbeatAge(ctx context.Context, t *testing.T, p *pipeline.Pipeline, logs *localstack.Buffer) time.Duration {
	t.Helper()
	before := len(logs.String())
	if _, err := p.SendDigests(ctx); err != nil {
		t.Fatal(err)
	}
	var age time.Duration
	found := false
	for _, line := range strings.Split(logs.String()[before:], "\n") {
		_, doc, ok := strings.Cut(line, ": {")
		if !ok || !strings.Contains(doc, `"HeartbeatAge"`) {
			continue
		}
		var m map[string]any
		if json.Unmarshal([]byte("{"+doc), &m) != nil || m["_aws"] == nil || m["Account"] != nil {
			continue
		}
		if v, ok := m["HeartbeatAge"].(float64); ok {
			age, found = time.Duration(v*float64(time.Second)), true
		}
	}
	if !found {
		t.Fatal("the digest run emitted no HeartbeatAge metric (embedded metric format, no dimensions)")
	}
	return age
}

// waitUntil polls cond every 200 ms until it holds or ctx ends.
func waitUntil(ctx context.Context, t *testing.T, what string, cond func() bool) {
	t.Helper()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-time.After(200 * time.Millisecond):
		}
	}
}
