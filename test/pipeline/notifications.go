package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/trailwatch/trailwatch/functions/shared/alert"
)

// Notification is one message the topic delivered to the inbox queue.
type Notification struct {
	MessageID string
	Subject   string
	// Message is what SNS delivered to the queue: for trailwatch's
	// structured messages, the JSON document machine subscribers get.
	Message string
	// Text is the e-mail rendering: the document's text, or Message when
	// it is not a trailwatch document.
	Text string
	// Kind is the document's kind (alert, update, resolved, digest); empty
	// when Message is not a trailwatch document.
	Kind       string
	Attributes map[string]string
}

// Notifications drains the inbox queue, waiting up to wait for the first
// message.
func (p *Pipeline) Notifications(ctx context.Context, wait time.Duration) ([]Notification, error) {
	return p.drain(ctx, wait, func(got []Notification) bool { return len(got) > 0 })
}

// NotificationsUntil drains the inbox queue until the message messageID has
// arrived, or wait has passed, and returns every message it drained.
func (p *Pipeline) NotificationsUntil(ctx context.Context, messageID string, wait time.Duration) ([]Notification, error) {
	return p.drain(ctx, wait, func(got []Notification) bool {
		return slices.ContainsFunc(got, func(n Notification) bool { return n.MessageID == messageID })
	})
}

// drain receives and deletes the inbox's messages until the queue is empty
// and enough accepts what arrived, or the queue is empty after wait.
func (p *Pipeline) drain(ctx context.Context, wait time.Duration, enough func([]Notification) bool) ([]Notification, error) {
	var out []Notification
	deadline := time.Now().Add(wait)
	for {
		resp, err := p.SQS.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl: aws.String(p.AlertsQueueURL), MaxNumberOfMessages: 10, WaitTimeSeconds: 0,
		})
		if err != nil {
			return nil, err
		}
		for _, m := range resp.Messages {
			n, err := decodeNotification(aws.ToString(m.Body))
			if err != nil {
				return nil, err
			}
			out = append(out, n)
			if _, err := p.SQS.DeleteMessage(ctx, &sqs.DeleteMessageInput{QueueUrl: aws.String(p.AlertsQueueURL), ReceiptHandle: m.ReceiptHandle}); err != nil {
				return nil, err
			}
		}
		if len(resp.Messages) > 0 {
			continue
		}
		if enough(out) || time.Now().After(deadline) {
			return out, nil
		}
		select {
		case <-ctx.Done():
			return out, ctx.Err()
		case <-time.After(pollInterval):
		}
	}
}

func decodeNotification(body string) (Notification, error) {
	var env struct {
		MessageID         string `json:"MessageId"`
		Subject           string `json:"Subject"`
		Message           string `json:"Message"`
		MessageAttributes map[string]struct {
			Value string `json:"Value"`
		} `json:"MessageAttributes"`
	}
	if err := json.Unmarshal([]byte(body), &env); err != nil {
		return Notification{}, fmt.Errorf("notification is not an SNS envelope: %w", err)
	}
	n := Notification{MessageID: env.MessageID, Subject: env.Subject, Message: env.Message, Text: env.Message, Attributes: map[string]string{}}
	for k, v := range env.MessageAttributes {
		n.Attributes[k] = v.Value
	}
	var doc struct {
		Schema string `json:"schema"`
		Kind   string `json:"kind"`
		Text   string `json:"text"`
	}
	if json.Unmarshal([]byte(env.Message), &doc) == nil && doc.Schema == alert.DocumentSchema {
		n.Text, n.Kind = doc.Text, doc.Kind
	}
	return n, nil
}
