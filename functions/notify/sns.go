package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sns/types"
	"github.com/aws/smithy-go"
	"github.com/rs/zerolog"
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

// SNS publishes alerts to one SNS topic and, when one is configured, their
// chat rendering to a second.
type SNS struct {
	client SNSAPI
	topic  string
	chat   string
}

var _ Publisher = (*SNS)(nil)

// NewSNS returns an SNS publishing to the topic with ARN topicARN and, when
// chatTopicARN is not empty, the chat rendering of each message to that
// topic (the topic AWS Chatbot subscribes to). It does no I/O.
func NewSNS(client SNSAPI, topicARN, chatTopicARN string) *SNS {
	return &SNS{client: client, topic: topicARN, chat: chatTopicARN}
}

// Publish sends m as one SNS message to the alert topic: its subject, its
// renderings as a structured message (alert.Structured, MessageStructure
// json: the text for e-mail and every other protocol, the JSON document
// for SQS, HTTPS and Lambda subscribers; the text alone when m has no
// document) and its attributes as String message attributes (those with
// an empty value are left out: SNS refuses them). It returns the message
// id SNS assigned: the message is sent once the alert topic accepted it.
//
// Then, when a chat topic is configured and m has a chat rendering, it
// publishes that rendering, with the same attributes, to the chat topic.
// That publish cannot undo the first, so it does not fail Publish (a retry
// would send the alert again to every other subscriber): a failure is
// logged at error level as chat_publish_failed (the chat alarm counts
// them) and the alert stays sent.
//
// Errors are the SDK's, wrapped with the topic; those with a refusedCodes
// code also wrap a *Refusal.
func (s *SNS) Publish(ctx context.Context, m alert.Message) (string, error) {
	in := &sns.PublishInput{
		TopicArn:          aws.String(s.topic),
		Message:           aws.String(m.Body),
		MessageAttributes: messageAttributes(m.Attributes),
	}
	if m.Document != nil {
		in.Message = aws.String(alert.Structured(m))
		in.MessageStructure = aws.String("json")
	}
	if m.Subject != "" {
		in.Subject = aws.String(m.Subject)
	}
	id, err := s.publish(ctx, s.topic, in)
	if err != nil {
		return "", err
	}
	if s.chat != "" && m.Chat != nil {
		chatIn := &sns.PublishInput{
			TopicArn:          aws.String(s.chat),
			Message:           aws.String(string(m.Chat)),
			MessageAttributes: in.MessageAttributes,
		}
		if chatID, err := s.publish(ctx, s.chat, chatIn); err != nil {
			zerolog.Ctx(ctx).Error().Err(err).Str("message_id", id).Str("topic_arn", s.chat).Msg("chat_publish_failed")
		} else {
			zerolog.Ctx(ctx).Info().Str("message_id", id).Str("chat_message_id", chatID).Msg("chat_published")
		}
	}
	return id, nil
}

// publish sends in and returns the message id SNS assigned.
func (s *SNS) publish(ctx context.Context, topic string, in *sns.PublishInput) (string, error) {
	out, err := s.client.Publish(ctx, in)
	if err != nil {
		var api smithy.APIError
		if errors.As(err, &api) && refusedCodes[api.ErrorCode()] {
			err = &Refusal{Code: api.ErrorCode(), Err: err}
		}
		return "", fmt.Errorf("sns publish to %s: %w", topic, err)
	}
	if out == nil || aws.ToString(out.MessageId) == "" {
		return "", errors.New("sns publish to " + topic + ": no message id in the response")
	}
	return aws.ToString(out.MessageId), nil
}

// messageAttributes are attrs as SNS String attributes, those with an
// empty value left out; nil when none is left.
func messageAttributes(attrs map[string]string) map[string]types.MessageAttributeValue {
	var out map[string]types.MessageAttributeValue
	for k, v := range attrs {
		if v == "" {
			continue
		}
		if out == nil {
			out = make(map[string]types.MessageAttributeValue, len(attrs))
		}
		out[k] = types.MessageAttributeValue{DataType: aws.String("String"), StringValue: aws.String(v)}
	}
	return out
}
