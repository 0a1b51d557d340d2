package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"time"

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

// PublishTimeout bounds one SNS publish attempt (the SDK's own retries of
// SNS's error answers included), well under notify's function timeout, so
// that an attempt SNS does not answer ends as an uncertain publish while
// the function can still report it.
const PublishTimeout = 10 * time.Second

// deadlineMargin is the time an attempt leaves before the invocation's
// deadline, to report its outcome.
const deadlineMargin = 3 * time.Second

// SNS publishes alerts to one SNS topic and, when one is configured, their
// chat rendering to a second.
type SNS struct {
	client SNSAPI
	topic  string
	chat   string
	// attempt is PublishTimeout; tests shorten it.
	attempt time.Duration
}

var _ Publisher = (*SNS)(nil)

// NewSNS returns an SNS publishing to the topic with ARN topicARN and, when
// chatTopicARN is not empty, the chat rendering of each message to that
// topic (the topic AWS Chatbot subscribes to). It does no I/O.
func NewSNS(client SNSAPI, topicARN, chatTopicARN string) *SNS {
	return &SNS{client: client, topic: topicARN, chat: chatTopicARN, attempt: PublishTimeout}
}

// attemptContext bounds one attempt: PublishTimeout, or less so that it
// ends deadlineMargin before ctx's deadline.
func (s *SNS) attemptContext(ctx context.Context) (context.Context, context.CancelFunc) {
	limit := s.attempt
	if deadline, ok := ctx.Deadline(); ok {
		limit = min(limit, max(time.Until(deadline)-deadlineMargin, time.Second))
	}
	return context.WithTimeout(ctx, limit)
}

// classify wraps err, an error of a publish call, in *Refusal when SNS
// refused the message for good, in *Uncertain when the message may have
// been accepted (no answer from SNS); an answer with another error code,
// or a failure to connect, is left as it is (not published: a retry may
// send it).
func classify(err error) error {
	var api smithy.APIError
	if errors.As(err, &api) {
		if refusedCodes[api.ErrorCode()] {
			return &Refusal{Code: api.ErrorCode(), Err: err}
		}
		return err
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return err
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return err
	}
	return &Uncertain{Err: err}
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
// Each publish call has its own timeout (attemptContext).
//
// Errors are the SDK's, wrapped with the topic; those with a refusedCodes
// code also wrap a *Refusal, those whose outcome is unknown an *Uncertain
// (see classify).
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
	attemptCtx, cancel := s.attemptContext(ctx)
	defer cancel()
	out, err := s.client.Publish(attemptCtx, in)
	if err != nil {
		return "", fmt.Errorf("sns publish to %s: %w", topic, classify(err))
	}
	if out == nil || aws.ToString(out.MessageId) == "" {
		return "", fmt.Errorf("sns publish to %s: %w", topic, &Uncertain{Err: errors.New("no message id in the response")})
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
