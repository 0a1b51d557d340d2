package main

import (
	"cmp"
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
	gocmp "github.com/google/go-cmp/cmp"
	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/alert"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/test/moto/mototest"
)

// TestSNSMoto runs every kind of message (alerts, with and without their
// lifecycle, an update, a resolution, a digest) through the handler and
// the real adapter to a topic in moto, and reads each back from an SQS
// queue subscribed to it (which gets the JSON document of the structured
// message), and its chat rendering from a queue subscribed to the chat
// topic.
func TestSNSMoto(t *testing.T) {
	url := mototest.Start(t)
	cfg := aws.Config{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(url),
	}
	snsClient := sns.NewFromConfig(cfg)
	sqsClient := sqs.NewFromConfig(cfg)
	ctx := context.Background()

	topic, queueURL := topicWithQueue(t, snsClient, sqsClient, "trailwatch-alerts")
	chatTopic, chatQueueURL := topicWithQueue(t, snsClient, sqsClient, "trailwatch-chat")

	hostile := testFinding()
	hostile.Actor.UserName = "Zoë 渡辺\n\u202e"
	hostile.Resources[0].ID = "sg-" + strings.Repeat("é", 200)
	a := &finding.Alert{ID: "alert-1", Key: strings.Repeat("a", 64), Status: finding.AlertOpen, Severity: finding.SeverityHigh,
		Exposure: []string{"sg-1 allows tcp/3389 from 0.0.0.0/0", "sg-1 allows tcp/3389 from ::/0"},
		Closed:   []string{"sg-1 allows tcp/3389 from 0.0.0.0/0"}, StillOpen: []string{"sg-1 allows tcp/3389 from ::/0"}}
	resolved := *a
	resolved.Status, resolved.StillOpen = finding.AlertResolved, nil
	d := &finding.Digest{ID: "digest-1", Account: "123456789012", Actor: "arn:aws:iam::123456789012:user/fleet", EventName: "RunInstances", Threshold: 5,
		Held: []finding.DigestEntry{{AlertID: "alert-7", Severity: finding.SeverityHigh, Region: "us-east-1", Summary: "launched i-7 with a public IP"}},
		Sent: []finding.DigestEntry{{AlertID: "alert-2", Severity: finding.SeverityMedium, Region: "us-east-1"}}}
	rec := &recorder{next: NewSNS(snsClient, topic, chatTopic)}
	h := NewHandler(rec, zerolog.Nop())
	for _, tc := range []struct {
		name       string
		req        finding.NotifyRequest
		status, id string
	}{
		{"typical", finding.NotifyRequest{Finding: testFinding()}, "open", ""},
		{"non-ASCII and a very long id", finding.NotifyRequest{Finding: hostile}, "open", ""},
		{"alert with its lifecycle", finding.NotifyRequest{Kind: finding.MessageAlert, Finding: testFinding(), Alert: a}, "open", "alert-1"},
		{"update", finding.NotifyRequest{Kind: finding.MessageUpdate, Finding: testFinding(), Alert: a}, "open", "alert-1"},
		{"resolved", finding.NotifyRequest{Kind: finding.MessageResolved, Finding: testFinding(), Alert: &resolved}, "resolved", "alert-1"},
		{"digest", finding.NotifyRequest{Kind: finding.MessageDigest, Digest: d}, "digest", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res, err := h.Handle(ctx, tc.req)
			if err != nil {
				t.Fatalf("handle: %v", err)
			}
			m := rec.last
			if m.Attributes[alert.AttrStatus] != tc.status || m.Attributes[alert.AttrAlertID] != tc.id {
				t.Errorf("status %q alert_id %q, want %q %q", m.Attributes[alert.AttrStatus], m.Attributes[alert.AttrAlertID], tc.status, tc.id)
			}
			got := receive(t, sqsClient, queueURL)
			if got.MessageID != res.MessageID {
				t.Errorf("MessageId = %q, want %q (from Publish)", got.MessageID, res.MessageID)
			}
			if got.TopicArn != topic {
				t.Errorf("TopicArn = %q, want %q", got.TopicArn, topic)
			}
			if got.Subject != m.Subject || res.Subject != m.Subject {
				t.Errorf("Subject = %q (result %q), want %q", got.Subject, res.Subject, m.Subject)
			}
			// An SQS subscriber gets the document of the structured message.
			if m.Document == nil || got.Message != string(m.Document) {
				t.Errorf("Message differs from the document:\n got %.300q\nwant %.300q", got.Message, m.Document)
			}
			var doc struct {
				Kind string `json:"kind"`
			}
			if err := json.Unmarshal([]byte(got.Message), &doc); err != nil || doc.Kind != string(cmp.Or(tc.req.Kind, finding.MessageAlert)) {
				t.Errorf("document kind %q (%v), want %q", doc.Kind, err, cmp.Or(tc.req.Kind, finding.MessageAlert))
			}
			chat := receive(t, sqsClient, chatQueueURL)
			if m.Chat == nil || chat.TopicArn != chatTopic || chat.Message != string(m.Chat) {
				t.Errorf("chat topic delivered %q from %s, want the chat rendering from %s", chat.Message, chat.TopicArn, chatTopic)
			}
			gotAttrs := map[string]string{}
			for k, v := range got.MessageAttributes {
				if v.Type != "String" {
					t.Errorf("attribute %s has type %q, want String", k, v.Type)
				}
				gotAttrs[k] = v.Value
			}
			if diff := gocmp.Diff(m.Attributes, gotAttrs); diff != "" {
				t.Errorf("attributes (-sent +received):\n%s", diff)
			}
		})
	}
}

// recorder is a Publisher that keeps the last message it passed on.
type recorder struct {
	next Publisher
	last alert.Message
}

func (r *recorder) Publish(ctx context.Context, m alert.Message) (string, error) {
	r.last = m
	return r.next.Publish(ctx, m)
}

// topicWithQueue creates a topic and a queue subscribed to it and returns
// the topic's ARN and the queue's URL.
func topicWithQueue(t *testing.T, snsClient *sns.Client, sqsClient *sqs.Client, name string) (string, string) {
	t.Helper()
	ctx := context.Background()
	topic, err := snsClient.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(name)})
	if err != nil {
		t.Fatalf("create topic: %v", err)
	}
	queue, err := sqsClient.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name + "-inbox")})
	if err != nil {
		t.Fatalf("create queue: %v", err)
	}
	attrs, err := sqsClient.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       queue.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatalf("queue attributes: %v", err)
	}
	if _, err := snsClient.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: topic.TopicArn,
		Protocol: aws.String("sqs"),
		Endpoint: aws.String(attrs.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]),
	}); err != nil {
		t.Fatalf("subscribe: %v", err)
	}
	return aws.ToString(topic.TopicArn), aws.ToString(queue.QueueUrl)
}

// notification is the SNS envelope an SQS subscriber receives.
type notification struct {
	MessageID         string `json:"MessageId"`
	TopicArn          string
	Subject           string
	Message           string
	MessageAttributes map[string]struct {
		Type  string
		Value string
	}
}

// receive reads and deletes the next message of the queue, failing the
// test when none arrives within 10 seconds.
func receive(t *testing.T, client *sqs.Client, queueURL string) notification {
	t.Helper()
	ctx := context.Background()
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(queueURL), MaxNumberOfMessages: 1, WaitTimeSeconds: 1,
		})
		if err != nil {
			t.Fatalf("receive: %v", err)
		}
		if len(out.Messages) == 0 {
			continue
		}
		msg := out.Messages[0]
		if _, err := client.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(queueURL), ReceiptHandle: msg.ReceiptHandle}); err != nil {
			t.Fatalf("delete: %v", err)
		}
		var n notification
		if err := json.Unmarshal([]byte(aws.ToString(msg.Body)), &n); err != nil {
			t.Fatalf("decode SQS body %q: %v", aws.ToString(msg.Body), err)
		}
		return n
	}
	t.Fatal("no message in the queue within 10s")
	return notification{}
}
