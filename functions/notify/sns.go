package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	"github.com/trailwatch/trailwatch/functions/shared/alert"
)

// SNSAPI is the part of the SNS client the adapter uses.
type SNSAPI interface {
	Publish(ctx context.Context, in *sns.PublishInput, opts ...func(*sns.Options)) (*sns.PublishOutput, error)
}

// refusedCodes are the Publish error codes that retrying cannot fix: the
// topic is gone, the caller may not publish, the request is invalid, or the
// topic's KMS key is unusable. Throttling, internal errors, KMSThrottling
// and transport errors are left to the state machine's retries.
var refusedCodes = map[string]bool{
	"NotFound":              true,
	"AuthorizationError":    true,
	"InvalidParameter":      true,
	"InvalidParameterValue": true,
	"InvalidSecurity":       true,
	"ValidationException":   true,
	"KMSAccessDenied":       true,
	"KMSDisabled":           true,
	"KMSInvalidState":       true,
	"KMSNotFound":           true,
	"KMSOptInRequired":      true,
}

// SNS publishes alerts to one SNS topic.
type SNS struct {
	client SNSAPI
	topic  string
}

var _ Publisher = (*SNS)(nil)

// NewSNS returns an SNS publishing to the topic with ARN topicARN. It does
// no I/O.
func NewSNS(client SNSAPI, topicARN string) *SNS {
	return &SNS{client: client, topic: topicARN}
}

// Publish sends m as one SNS message: its subject, its body as the message
// and its attributes as String message attributes (those with an empty
// value are left out: SNS refuses them). It returns the message id SNS
// assigned. Errors are the SDK's, wrapped with the topic; those with a
// refusedCodes code also wrap a *Refusal.
func (s *SNS) Publish(ctx context.Context, m alert.Message) (string, error) {
	in := &sns.PublishInput{
		TopicArn: aws.String(s.topic),
		Message:  aws.String(m.Body),
	}
	if m.Subject != "" {
		in.Subject = aws.String(m.Subject)
	}
	if len(m.Attributes) > 0 {
		in.MessageAttributes = make(map[string]types.MessageAttributeValue, len(m.Attributes))
		for k, v := range m.Attributes {
			if v != "" {
				in.MessageAttributes[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
			}
		}
	}
	out, err := s.client.Publish(ctx, in)
	if err != nil {
		var api smithy.APIError
		if errors.As(err, &api) && refusedCodes[api.ErrorCode()] {
			err = &Refusal{Code: api.ErrorCode(), Err: err}
		}
		return "", fmt.Errorf("sns publish to %s: %w", s.topic, err)
	}
	if out == nil || aws.ToString(out.MessageId) == "" {
		return "", errors.New("sns publish to " + s.topic + ": no message id in the response")
	}
	return aws.ToString(out.MessageId), nil
}
