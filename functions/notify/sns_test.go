package main

import (
	"context"
	"errors"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/trailwatch/trailwatch/functions/shared/alert"
)

// fakeSNS is an SNSAPI whose behaviour each test sets.
type fakeSNS struct {
	PublishFn func(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
}

func (f *fakeSNS) Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error) {
	return f.PublishFn(ctx, in, opts...)
}

const testTopic = "arn:aws:sns:us-east-1:123456789012:trailwatch-alerts"

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

	id, err := NewSNS(client, testTopic).Publish(context.Background(), m)
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
	if diff := cmp.Diff(want, got, cmpopts.IgnoreUnexported(sns.PublishInput{}, types.MessageAttributeValue{})); diff != "" {
		t.Errorf("PublishInput (-want +got):\n%s", diff)
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
	}{
		{name: "SDK error is wrapped", err: errThrottled, wantErr: errThrottled},
		{name: "no message id", out: &sns.PublishOutput{}},
		{name: "topic gone is a refusal", err: notFound, wantErr: notFound, wantRefusal: "NotFound"},
		{name: "disabled key is a refusal", err: &types.KMSDisabledException{Message: aws.String("disabled")}, wantRefusal: "KMSDisabled"},
		{name: "not authorized is a refusal", err: &types.AuthorizationErrorException{Message: aws.String("denied")}, wantRefusal: "AuthorizationError"},
		{name: "KMS throttling is retried, not refused", err: kmsThrottled, wantErr: kmsThrottled},
	} {
		t.Run(tc.name, func(t *testing.T) {
			client := &fakeSNS{PublishFn: func(context.Context, *sns.PublishInput, ...func(*sns.Options)) (*sns.PublishOutput, error) {
				return tc.out, tc.err
			}}
			id, err := NewSNS(client, testTopic).Publish(context.Background(), alert.Message{Subject: "s", Body: "b"})
			if err == nil {
				t.Fatalf("Publish = %q, nil; want an error", id)
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
		})
	}
}
