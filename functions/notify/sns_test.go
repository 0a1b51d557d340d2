package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/alert"
)

// fakeSNS is an SNSAPI whose behaviour each test sets.
type fakeSNS struct {
	PublishFn func(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
}

func (f *fakeSNS) Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error) {
	return f.PublishFn(ctx, in, opts...)
}

const (
	testTopic     = "arn:aws:sns:us-east-1:123456789012:trailwatch-alerts"
	testChatTopic = "arn:aws:sns:us-east-1:123456789012:trailwatch-chat"
)

var ignoreUnexported = cmpopts.IgnoreUnexported(sns.PublishInput{}, types.MessageAttributeValue{})

// TestSNSPublish: a message without machine and chat renderings is its
// body to every protocol.
func TestSNSPublish(t *testing.T) {
	m := alert.Message{
		Subject:    "[HIGH] 3389/tcp opened to the world on sg-1 (123456789012 us-east-1)",
		Body:       "body\n",
		Attributes: map[string]string{"severity": "high", "region": "us-east-1", "empty": ""},
	}
	var got *sns.PublishInput
	client := &fakeSNS{PublishFn: func(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
		got = in
		return &sns.PublishOutput{MessageId: aws.String("msg-1")}, nil
	}}

	id, err := NewSNS(client, testTopic, "").Publish(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if id != "msg-1" {
		t.Errorf("message id = %q, want msg-1", id)
	}
	want := &sns.PublishInput{
		TopicArn: aws.String(testTopic),
		Subject:  aws.String(m.Subject),
		Message:  aws.String(m.Body),
		MessageAttributes: map[string]types.MessageAttributeValue{
			"severity": {DataType: aws.String("String"), StringValue: aws.String("high")},
			"region":   {DataType: aws.String("String"), StringValue: aws.String("us-east-1")},
		},
	}
	if diff := cmp.Diff(want, got, ignoreUnexported); diff != "" {
		t.Errorf("PublishInput (-want +got):\n%s", diff)
	}
}

// TestSNSPublishStructured: a rendered alert goes out as a structured
// message (the text by default, the document for SQS, HTTPS and Lambda),
// and its chat rendering to the chat topic, with the same attributes.
func TestSNSPublishStructured(t *testing.T) {
	m := alert.Render(testFinding())
	var inputs []*sns.PublishInput
	client := &fakeSNS{PublishFn: func(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
		inputs = append(inputs, in)
		return &sns.PublishOutput{MessageId: aws.String("msg-" + aws.ToString(in.TopicArn)[len(aws.ToString(in.TopicArn))-4:])}, nil
	}}
	id, err := NewSNS(client, testTopic, testChatTopic).Publish(context.Background(), m)
	if err != nil {
		t.Fatal(err)
	}
	if id != "msg-erts" {
		t.Errorf("message id %q, want the alert topic's (msg-erts)", id)
	}
	if len(inputs) != 2 {
		t.Fatalf("%d publishes, want 2 (alert topic, chat topic)", len(inputs))
	}
	alertIn, chatIn := inputs[0], inputs[1]
	if aws.ToString(alertIn.TopicArn) != testTopic || aws.ToString(alertIn.MessageStructure) != "json" || aws.ToString(alertIn.Subject) != m.Subject {
		t.Errorf("alert publish: topic %s structure %q subject %q", aws.ToString(alertIn.TopicArn), aws.ToString(alertIn.MessageStructure), aws.ToString(alertIn.Subject))
	}
	var structured map[string]string
	if err := json.Unmarshal([]byte(aws.ToString(alertIn.Message)), &structured); err != nil {
		t.Fatalf("structured message: %v", err)
	}
	if structured["default"] != m.Body || structured["sqs"] != string(m.Document) || structured["https"] != string(m.Document) || structured["lambda"] != string(m.Document) {
		t.Errorf("structured message keys %v do not carry the text by default and the document for sqs, https, lambda", keys(structured))
	}
	if aws.ToString(chatIn.TopicArn) != testChatTopic || aws.ToString(chatIn.Message) != string(m.Chat) || chatIn.MessageStructure != nil || chatIn.Subject != nil {
		t.Errorf("chat publish: topic %s structure %v subject %v, message is the chat rendering: %v",
			aws.ToString(chatIn.TopicArn), chatIn.MessageStructure, chatIn.Subject, aws.ToString(chatIn.Message) == string(m.Chat))
	}
	if diff := cmp.Diff(alertIn.MessageAttributes, chatIn.MessageAttributes, ignoreUnexported); diff != "" {
		t.Errorf("chat attributes differ from the alert's (-alert +chat):\n%s", diff)
	}
}

func keys(m map[string]string) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

// TestSNSChatFailureKeepsTheAlertSent: once the alert topic accepted the
// alert, a failing chat publish is logged, not returned (a retry would
// send the alert again to every other subscriber); without a chat topic
// nothing is published there.
func TestSNSChatFailureKeepsTheAlertSent(t *testing.T) {
	m := alert.Render(testFinding())
	for _, tc := range []struct {
		name, chatTopic string
		wantPublishes   int
		wantLog         string
	}{
		{"chat topic refuses", testChatTopic, 2, "chat_publish_failed"},
		{"no chat topic", "", 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			publishes := 0
			client := &fakeSNS{PublishFn: func(_ context.Context, in *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
				publishes++
				if aws.ToString(in.TopicArn) == testChatTopic {
					return nil, &types.NotFoundException{Message: aws.String("Topic does not exist")}
				}
				return &sns.PublishOutput{MessageId: aws.String("msg-1")}, nil
			}}
			var logs bytes.Buffer
			ctx := zerolog.New(&logs).WithContext(context.Background())
			id, err := NewSNS(client, testTopic, tc.chatTopic).Publish(ctx, m)
			if err != nil || id != "msg-1" {
				t.Fatalf("Publish = %q, %v; want msg-1, nil", id, err)
			}
			if publishes != tc.wantPublishes {
				t.Errorf("%d publishes, want %d", publishes, tc.wantPublishes)
			}
			if got := strings.Contains(logs.String(), `"level":"error"`) && strings.Contains(logs.String(), "chat_publish_failed"); got != (tc.wantLog != "") {
				t.Errorf("logs %q, want chat_publish_failed at error: %v", logs.String(), tc.wantLog != "")
			}
		})
	}
}

func TestSNSPublishErrors(t *testing.T) {
	errThrottled := errors.New("throttled")
	notFound := &types.NotFoundException{Message: aws.String("Topic does not exist")}
	kmsThrottled := &smithy.GenericAPIError{Code: "KMSThrottling", Message: "rate exceeded"}
	for _, tc := range []struct {
		name        string
		out         *sns.PublishOutput
		err         error
		wantErr     error
		wantRefusal string
		// wantUncertain: SNS did not answer, the message may be sent.
		wantUncertain bool
	}{
		{name: "SDK error is wrapped", err: errThrottled, wantErr: errThrottled, wantUncertain: true},
		{name: "no message id", out: &sns.PublishOutput{}, wantUncertain: true},
		{name: "throttled answer: not published, not uncertain", err: &smithy.GenericAPIError{Code: "Throttled", Message: "rate exceeded"}},
		{name: "no connection: not published, not uncertain", err: &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}},
		{name: "broken connection after the request: uncertain", err: &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}, wantUncertain: true},
		{name: "attempt timed out: uncertain", err: context.DeadlineExceeded, wantErr: context.DeadlineExceeded, wantUncertain: true},
		{name: "topic gone is a refusal", err: notFound, wantErr: notFound, wantRefusal: "NotFound"},
		{name: "disabled key is a refusal", err: &types.KMSDisabledException{Message: aws.String("disabled")}, wantRefusal: "KMSDisabled"},
		{name: "not authorized is a refusal", err: &types.AuthorizationErrorException{Message: aws.String("denied")}, wantRefusal: "AuthorizationError"},
		{name: "KMS throttling is retried, not refused", err: kmsThrottled, wantErr: kmsThrottled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			publishes := 0
			client := &fakeSNS{PublishFn: func(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error) {
				publishes++
				return tc.out, tc.err
			}}
			id, err := NewSNS(client, testTopic, testChatTopic).Publish(context.Background(), alert.Render(testFinding()))
			if err == nil {
				t.Fatalf("Publish = %q, nil; want an error", id)
			}
			if publishes != 1 {
				t.Errorf("%d publishes: the chat topic was published to after the alert topic failed", publishes)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v does not wrap %v", err, tc.wantErr)
			}
			var refusal *Refusal
			switch refused := errors.As(err, &refusal); {
			case refused && refusal.Code != tc.wantRefusal:
				t.Errorf("refusal code %q, want %q", refusal.Code, tc.wantRefusal)
			case !refused && tc.wantRefusal != "":
				t.Errorf("error %v is not a refusal, want %s", err, tc.wantRefusal)
			}
			var uncertain *Uncertain
			if got := errors.As(err, &uncertain); got != tc.wantUncertain {
				t.Errorf("error %v uncertain: %v, want %v", err, got, tc.wantUncertain)
			}
		})
	}
}

// TestSNSAttemptTimeout: an SNS publish that does not answer ends at the
// attempt's own timeout, well before the invocation's deadline, as an
// uncertain publish; the timeout never reaches past the deadline less a
// margin.
func TestSNSAttemptTimeout(t *testing.T) {
	var deadline time.Time
	client := &fakeSNS{PublishFn: func(ctx context.Context, _ *sns.PublishInput, _ ...func(*sns.Options)) (*sns.PublishOutput, error) {
		deadline, _ = ctx.Deadline()
		<-ctx.Done()
		return nil, ctx.Err()
	}}
	s := NewSNS(client, testTopic, "")
	s.attempt = 20 * time.Millisecond
	invocation, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := s.Publish(invocation, alert.Render(testFinding()))
	var uncertain *Uncertain
	if !errors.As(err, &uncertain) {
		t.Fatalf("error %v, want an uncertain publish", err)
	}
	if invocationDeadline, _ := invocation.Deadline(); !deadline.Before(invocationDeadline.Add(-deadlineMargin)) {
		t.Errorf("the attempt's deadline %s is not before the invocation's less %s", deadline, deadlineMargin)
	}
	if s := NewSNS(client, testTopic, ""); s.attempt != PublishTimeout || PublishTimeout >= 30*time.Second/2 {
		t.Errorf("attempt timeout %s: want PublishTimeout, well under notify's 30 s timeout", s.attempt)
	}

	short, cancel := context.WithTimeout(context.Background(), deadlineMargin+1500*time.Millisecond)
	defer cancel()
	s = NewSNS(client, testTopic, "")
	_, _ = s.Publish(short, alert.Render(testFinding()))
	if shortDeadline, _ := short.Deadline(); deadline.After(shortDeadline.Add(-deadlineMargin).Add(100 * time.Millisecond)) {
		t.Errorf("near the invocation's deadline the attempt ends at %s, past the deadline less the margin", deadline)
	}
}
