package pipeline

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/test/localstack"
)

// TestIntakeAttributes: the local intake queues get deployment.json's
// intake facts, as terraform's do; only the visibility timeout may be
// shortened.
func TestIntakeAttributes(t *testing.T) {
	in := deployment.Facts.Intake
	parkedARN := queueARN(Default.ParkedQueue)
	for _, tc := range []struct {
		name       string
		visibility time.Duration
		want       string
	}{
		{"the fact", 0, "360"},
		{"shortened", 2 * time.Second, "2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			attrs, err := IntakeAttributes(tc.visibility)
			if err != nil {
				t.Fatal(err)
			}
			if in.VisibilityTimeout != "6m" || in.Retention != "336h" {
				t.Fatalf("deployment.json's intake changed (%+v): update the figures here", in)
			}
			q := attrs.queue(parkedARN)
			var policy struct {
				Target string `json:"deadLetterTargetArn"`
				Max    int    `json:"maxReceiveCount"`
			}
			if err := json.Unmarshal([]byte(q["RedrivePolicy"]), &policy); err != nil {
				t.Fatal(err)
			}
			if policy.Target != parkedARN || policy.Max != in.MaxReceiveCount {
				t.Errorf("redrive policy %+v, want %s after %d receives", policy, parkedARN, in.MaxReceiveCount)
			}
			if q["VisibilityTimeout"] != tc.want || q["MessageRetentionPeriod"] != "1209600" || attrs.parked["MessageRetentionPeriod"] != "1209600" {
				t.Errorf("intake %v, parked %v: want visibility %s s and 14 days' retention", q, attrs.parked, tc.want)
			}
		})
	}
}

// TestEventOf: the event is found in the pipe's input (the body of its
// one SQS record) and in an input started directly.
func TestEventOf(t *testing.T) {
	event := `{"version":"0","id":"6a7e8feb-b491-4cf7-a9f1-bf3703467718","source":"aws.ec2"}`
	piped, err := localstack.SQSRecordsInput(sqstypes.Message{
		MessageId: aws.String("m-1"), ReceiptHandle: aws.String("r"), Body: aws.String(event),
		Attributes: map[string]string{"ApproximateReceiveCount": "2", "SentTimestamp": "1700000000000"},
	}, queueARN(Default.IntakeQueue))
	if err != nil {
		t.Fatal(err)
	}
	for name, input := range map[string]string{"piped": string(piped), "direct": event} {
		if diff := cmp.Diff(event, EventOf(input)); diff != "" {
			t.Errorf("%s: event (-want +got):\n%s", name, diff)
		}
		if got := EventIDOf(input); got != "6a7e8feb-b491-4cf7-a9f1-bf3703467718" {
			t.Errorf("%s: event id %q", name, got)
		}
	}
	if got := EventOf(`[{"body": "x"}]`); got != `[{"body": "x"}]` {
		t.Errorf("an array that is not SQS records: %q, want the input itself", got)
	}
}
