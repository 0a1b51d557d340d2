package main

import (
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
	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/alert"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/test/moto/mototest"
)

// TestSNSMoto publishes rendered alerts through the adapter to a topic in
// moto and reads them back from an SQS queue subscribed to it (which gets
// the JSON document of the structured message), and their chat rendering
// from a queue subscribed to the chat topic.
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
	publisher := NewSNS(snsClient, topic, chatTopic)

	hostile := testFinding()
	hostile.Actor.UserName = "Zoë 渡辺\n\u202e"
	hostile.Resources[0].ID = "sg-" + strings.Repeat("é", 200)
	for _, tc := range []struct {
		name string
		f    *finding.Finding
	}{
		{"typical", testFinding()},
		{"non-ASCII and a very long id", hostile},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := alert.Render(tc.f)
			id, err := publisher.Publish(ctx, m)
			if err != nil {
				t.Fatalf("publish: %v", err)
			}
			got := receive(t, sqsClient, queueURL)
			if got.MessageID != id {
				t.Errorf("MessageId = %q, want %q (from Publish)", got.MessageID, id)
			}
			if got.TopicArn != topic {
				t.Errorf("TopicArn = %q, want %q", got.TopicArn, topic)
			}
			if got.Subject != m.Subject {
				t.Errorf("Subject = %q, want %q", got.Subject, m.Subject)
			}
			// An SQS subscriber gets the document of the structured message.
			if got.Message != string(m.Document) {
				t.Errorf("Message differs from the document:\n got %.300q\nwant %.300q", got.Message, m.Document)
			}
			chat := receive(t, sqsClient, chatQueueURL)
			if chat.TopicArn != chatTopic || chat.Message != string(m.Chat) {
				t.Errorf("chat topic delivered %q from %s, want the chat rendering from %s", chat.Message, chat.TopicArn, chatTopic)
			}
			gotAttrs := map[string]string{}
			for k, v := range got.MessageAttributes {
				if v.Type != "String" {
					t.Errorf("attribute %s has type %q, want String", k, v.Type)
				}
				gotAttrs[k] = v.Value
			}
			if diff := cmp.Diff(m.Attributes, gotAttrs); diff != "" {
				t.Errorf("attributes (-sent +received):\n%s", diff)
			}
		})
	}
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
