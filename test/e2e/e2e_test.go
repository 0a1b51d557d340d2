// Package e2e runs CloudTrail events through trailwatch deployed on the
// local stack, exactly as the demo does, and checks the notifications
// received and the execution histories.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/test/localstack"
	"github.com/trailwatch/trailwatch/test/pipeline"
)

// binDir holds the functions' host binaries: $TRAILWATCH_BIN (make test
// builds them), or built once by TestMain.
var binDir string

// TestMain finds or builds the functions' binaries once, before any test
// and outside every test's deadline.
func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	_, dir, cleanup, err := pipeline.TestBinaries()
	defer cleanup()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	binDir = dir
	return m.Run()
}

// deploy deploys the pipeline for one test and removes it afterwards. The
// stack's logs go to the test log when the test fails.
func deploy(t *testing.T, env map[string]string) (*pipeline.Pipeline, pipeline.World, string) {
	t.Helper()
	p, w, root, _ := deployWith(t, pipeline.Options{Env: env})
	return p, w, root
}

// deployWith deploys as deploy does, with opts (Root, BinDir and Logs are
// set here), and also returns the stack's logs.
func deployWith(t *testing.T, opts pipeline.Options) (*pipeline.Pipeline, pipeline.World, string, *localstack.Buffer) {
	t.Helper()
	root, err := pipeline.FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	logs := &localstack.Buffer{}
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	opts.Root, opts.BinDir, opts.Logs = root, binDir, logs
	p, err := pipeline.Deploy(ctx, opts)
	if errors.Is(err, localstack.ErrMotoNotFound) {
		t.Skip("no python with moto: run `make moto` (make test does)")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		p.Close()
		if t.Failed() {
			t.Logf("stack logs:\n%s", logs.String())
		}
	})
	w, err := p.Seed(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return p, w, root, logs
}

func TestSamples(t *testing.T) {
	p, w, root := deploy(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	samples, err := p.Samples(root, w)
	if err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	rep, err := p.RunSamples(ctx, samples, &out)
	t.Logf("demo output:\n%s", out.String())
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range rep.Results {
		if r.Outcome != r.Sample.Want {
			t.Errorf("%s: outcome %s, want %s (path %v, error %s)", r.Sample.Name, r.Outcome, r.Sample.Want, r.Path, r.Execution.Error)
		}
		if r.Outcome == "notified" && r.Subject == "" {
			t.Errorf("%s: notified, but no notification with message id %q arrived", r.Sample.Name, r.Execution.MessageID())
		}
	}
	if got, want := rep.Line(), "events=9 notified=6 suppressed=1 skipped=1 rejected=1 failed=0"; got != want {
		t.Errorf("summary %q, want %q", got, want)
	}
	if got := len(rep.Notifications); got != rep.Notified {
		t.Errorf("%d notifications for %d notified events: an alert was sent twice or lost", got, rep.Notified)
	}

	paths := map[string][]string{}
	for _, r := range rep.Results {
		paths[r.Sample.Name] = r.Path
	}
	wantPaths := map[string][]string{
		"RunInstances":                       {"Parse", "Enrich", "Exposed?", "Dedupe", "Duplicate?", "Notify", "Confirm", "Notified"},
		"RunInstances, delivered again":      {"Parse", "Enrich", "Exposed?", "Dedupe", "Duplicate?", "Suppressed"},
		"malformed event (started directly)": {"Parse", "Rejected"},
	}
	for name, want := range wantPaths {
		if diff := cmp.Diff(want, paths[name]); diff != "" {
			t.Errorf("%s: path (-want +got):\n%s", name, diff)
		}
	}

	bySubject := map[string]pipeline.Notification{}
	for _, n := range rep.Notifications {
		bySubject[n.Attributes["event_name"]] = n
		if len(n.Subject) >= 100 || strings.ContainsAny(n.Subject, "\r\n") {
			t.Errorf("subject SNS would refuse: %q", n.Subject)
		}
		for _, attr := range []string{"severity", "event_name", "account"} {
			if n.Attributes[attr] == "" {
				t.Errorf("notification %q lacks attribute %s", n.Subject, attr)
			}
		}
	}
	checks := []struct {
		event, severity string
		mentions        []string
	}{
		{"RunInstances", "high", []string{w.InstanceID, w.PublicIP, "tcp 22 from 0.0.0.0/0", "#InstanceDetails:instanceId=" + w.InstanceID}},
		{"AuthorizeSecurityGroupIngress", "high", []string{w.SSHGroupID, "tcp 3389 from 0.0.0.0/0", w.PublicIP}},
		{"CreateLoadBalancer", "medium", []string{"trailwatch-demo", "internet-facing", "trailwatch-demo-1.us-east-1.elb.amazonaws.com", "HTTP:80", "tcp 80 from ::/0"}},
		{"CreateListener", "medium", []string{"listener HTTP:80", w.LoadBalancerARN, "tcp 80 from 0.0.0.0/0 (" + w.WebGroupID + ")"}},
		{"AllocateAddress", "low", []string{w.ElasticIP, w.AllocationID}},
		{"PutObject", "low", []string{"trailwatch-demo-watched"}},
	}
	for _, c := range checks {
		n, ok := bySubject[c.event]
		if !ok {
			t.Errorf("no notification for %s", c.event)
			continue
		}
		if got := n.Attributes["severity"]; got != c.severity {
			t.Errorf("%s: severity %s, want %s", c.event, got, c.severity)
		}
		for _, m := range c.mentions {
			if !strings.Contains(n.Message, m) {
				t.Errorf("%s: message does not mention %q:\n%s", c.event, m, n.Message)
			}
		}
	}
}

// TestSameExposureFromAnotherEvent: a second call that exposes exactly the
// same thing within the window is the same alert.
func TestSameExposureFromAnotherEvent(t *testing.T) {
	p, w, root := deploy(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	first := runInstances(t, p, root, w)
	second := withNewEventID(t, first)
	if got := send(ctx, t, p, first); got.Outcome() != "notified" {
		t.Fatalf("first event: %s %v", got.Outcome(), got.Path)
	}
	if got := send(ctx, t, p, second); got.Outcome() != "suppressed" {
		t.Errorf("same exposure from another event: %s %v, want suppressed", got.Outcome(), got.Path)
	}
}

// TestNotifyFailureIsNotSuppressed: when SNS refuses the alert (the topic
// is gone: not retried), the execution fails visibly, the claim is
// released, and the same event delivered again notifies instead of being
// suppressed.
func TestNotifyFailureIsNotSuppressed(t *testing.T) {
	p, w, root := deploy(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	event := runInstances(t, p, root, w)

	if _, err := p.SNS.DeleteTopic(ctx, &sns.DeleteTopicInput{TopicArn: aws.String(p.TopicARN)}); err != nil {
		t.Fatal(err)
	}
	failed := send(ctx, t, p, event)
	if failed.Status != "FAILED" || failed.Error != "NotifyFailed" {
		t.Fatalf("with the topic gone: status %s error %s path %v, want FAILED NotifyFailed", failed.Status, failed.Error, failed.Path)
	}
	if !contains(failed.Path, "Release") {
		t.Errorf("path %v does not release the claim", failed.Path)
	}
	if want := []string{"PublishRefusedError"}; !slices.Equal(failed.TaskErrors, want) {
		t.Errorf("task errors %v, want %v: a topic that is gone is refused once, not retried", failed.TaskErrors, want)
	}

	if err := p.RecreateTopic(ctx); err != nil {
		t.Fatal(err)
	}
	retried := send(ctx, t, p, event)
	if retried.Outcome() != "notified" {
		t.Fatalf("retry after a failed notify: %s %v, want notified", retried.Outcome(), retried.Path)
	}
	got, err := p.Notifications(ctx, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].MessageID != retried.MessageID() {
		t.Errorf("notifications %+v, want the retry's message %s", got, retried.MessageID())
	}
	if again := send(ctx, t, p, event); again.Outcome() != "suppressed" {
		t.Errorf("third delivery after a sent alert: %s, want suppressed", again.Outcome())
	}
}

// TestAlertInFlightWaitsForItsHolder: an event whose alert another
// execution holds pending (sending it now) is neither suppressed nor sent
// twice: its claim is retried until the holder settles; here the holder's
// lease runs out unconfirmed (its execution died), and the event then sends
// the alert itself.
func TestAlertInFlightWaitsForItsHolder(t *testing.T) {
	p, w, root := deploy(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	first := runInstances(t, p, root, w)
	if got := send(ctx, t, p, first); got.Outcome() != "notified" {
		t.Fatalf("first: %s %v", got.Outcome(), got.Path)
	}
	if _, err := p.Notifications(ctx, 5*time.Second); err != nil {
		t.Fatal(err)
	}
	// The alert becomes one that another execution claimed and has not yet
	// confirmed, with 8 s of its lease left.
	pk := alertItem(ctx, t, p, eventIDOf(t, first))
	_, err := p.DDB.UpdateItem(ctx, &dynamodb.UpdateItemInput{
		TableName:                aws.String(p.Names.Table),
		Key:                      map[string]ddbtypes.AttributeValue{"pk": pk},
		UpdateExpression:         aws.String("SET #status = :pending, event_id = :eid, execution_id = :xid, lease_ends = :lease"),
		ExpressionAttributeNames: map[string]string{"#status": "status"},
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{
			":pending": &ddbtypes.AttributeValueMemberS{Value: "pending"},
			":eid":     &ddbtypes.AttributeValueMemberS{Value: "holder-event"},
			":xid":     &ddbtypes.AttributeValueMemberS{Value: "holder-execution"},
			":lease":   &ddbtypes.AttributeValueMemberN{Value: strconv.FormatInt(time.Now().Add(8*time.Second).Unix(), 10)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}

	got := send(ctx, t, p, withNewEventID(t, first))
	if got.Outcome() != "notified" {
		t.Fatalf("event whose alert was in flight: %s %v, want notified once the holder's lease ended", got.Outcome(), got.Path)
	}
	if !contains(got.TaskErrors, "AlertInFlightError") {
		t.Errorf("task errors %v: the claim was never refused as in flight (did it start after the lease ended?)", got.TaskErrors)
	}
	sent, err := p.Notifications(ctx, 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if len(sent) != 1 || sent[0].MessageID != got.MessageID() {
		t.Errorf("notifications %+v, want only the waiting event's %s", sent, got.MessageID())
	}
}

// alertItem returns the key of the alert item eventID holds.
func alertItem(ctx context.Context, t *testing.T, p *pipeline.Pipeline, eventID string) ddbtypes.AttributeValue {
	t.Helper()
	out, err := p.DDB.Scan(ctx, &dynamodb.ScanInput{
		TableName:                 aws.String(p.Names.Table),
		FilterExpression:          aws.String("event_id = :eid"),
		ExpressionAttributeValues: map[string]ddbtypes.AttributeValue{":eid": &ddbtypes.AttributeValueMemberS{Value: eventID}},
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out.Items) != 1 {
		t.Fatalf("%d alert items held by %s, want 1", len(out.Items), eventID)
	}
	return out.Items[0]["pk"]
}

func eventIDOf(t *testing.T, record []byte) string {
	t.Helper()
	var r struct {
		EventID string `json:"eventID"`
	}
	if err := json.Unmarshal(record, &r); err != nil || r.EventID == "" {
		t.Fatalf("record without eventID: %v", err)
	}
	return r.EventID
}

// TestWindowEndsByCondition: once the window is over the same exposure is
// alerted again, although the item is still in the table (TTL deletion
// lags by days and is not what the window relies on).
func TestWindowEndsByCondition(t *testing.T) {
	p, w, root := deploy(t, map[string]string{"DEDUPE_WINDOW": "3s", "DEDUPE_LEASE": "2s"})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	event := runInstances(t, p, root, w)
	if got := send(ctx, t, p, event); got.Outcome() != "notified" {
		t.Fatalf("first: %s %v", got.Outcome(), got.Path)
	}
	later := withNewEventID(t, event)
	time.Sleep(4 * time.Second) // past the 3 s window; the TTL is days away
	if got := send(ctx, t, p, later); got.Outcome() != "notified" {
		t.Errorf("same exposure after the window: %s %v, want notified", got.Outcome(), got.Path)
	}
	if got := send(ctx, t, p, event); got.Outcome() != "suppressed" {
		t.Errorf("the first event again, after its window: %s %v, want suppressed", got.Outcome(), got.Path)
	}
}

func runInstances(t *testing.T, p *pipeline.Pipeline, root string, w pipeline.World) []byte {
	t.Helper()
	samples, err := p.Samples(root, w)
	if err != nil {
		t.Fatal(err)
	}
	return samples[0].Record
}

func withNewEventID(t *testing.T, record []byte) []byte {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(record, &m); err != nil {
		t.Fatal(err)
	}
	m["eventID"] = pipeline.NewID()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// send sends record through the rules and returns the execution it
// started.
func send(ctx context.Context, t *testing.T, p *pipeline.Pipeline, record []byte) pipeline.Execution {
	t.Helper()
	id, err := p.PutRecord(ctx, record)
	if err != nil {
		t.Fatal(err)
	}
	e, err := p.Delivered(ctx, id)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
