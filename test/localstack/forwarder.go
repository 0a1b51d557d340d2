package localstack

import (
	"context"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// StartForwarder stands in for the EventBridge rule's Step Functions target,
// which moto does not deliver to: a goroutine long-polls the SQS queue at
// queueURL (the target of a rule with the same event pattern) and starts an
// execution of stateMachineARN for each message, with the message body (the
// EventBridge event) as input. It deletes a message only after
// StartExecution succeeded; a message whose execution could not be started
// comes back after the queue's visibility timeout (at least once).
//
// The execution name is "sqs-" followed by the SQS message ID, so a
// redelivered message does not start a second execution (moto, like Step
// Functions for standard state machines, returns the existing execution for
// the same name and input).
//
// Failures are logged to Config.Logs. The goroutine stops when ctx is done
// or the stack is closed; StartForwarder does nothing on a closed stack.
func (s *Stack) StartForwarder(ctx context.Context, queueURL, stateMachineARN string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	cfg := s.AWSConfig()
	f := &forwarder{
		queue:        sqs.NewFromConfig(cfg),
		sfn:          sfn.NewFromConfig(cfg),
		queueURL:     queueURL,
		stateMachine: stateMachineARN,
		s:            s,
	}
	s.forwarders.Add(1)
	go func() {
		defer s.forwarders.Done()
		defer stop()
		defer cancel()
		f.run(ctx)
	}()
}

type forwarder struct {
	queue        *sqs.Client
	sfn          *sfn.Client
	queueURL     string
	stateMachine string
	s            *Stack
}

func (f *forwarder) run(ctx context.Context) {
	log := f.s.log.With().Str("queue_url", f.queueURL).Str("state_machine", f.stateMachine).Logger()
	log.Debug().Msg("forwarder_started")
	for ctx.Err() == nil {
		out, err := f.queue.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:            aws.String(f.queueURL),
			MaxNumberOfMessages: 10,
			WaitTimeSeconds:     5,
		})
		if err != nil {
			if ctx.Err() == nil {
				log.Error().Err(err).Msg("receive_message_failed")
				pause(ctx, time.Second)
			}
			continue
		}
		for _, m := range out.Messages {
			name := executionName("sqs-", aws.ToString(m.MessageId))
			started, err := f.sfn.StartExecution(ctx, &sfn.StartExecutionInput{
				StateMachineArn: aws.String(f.stateMachine),
				Name:            aws.String(name),
				Input:           m.Body,
			})
			if err != nil {
				if ctx.Err() == nil {
					log.Error().Err(err).Str("message_id", aws.ToString(m.MessageId)).Msg("start_execution_failed")
				}
				continue
			}
			log.Debug().Str("execution_arn", aws.ToString(started.ExecutionArn)).Msg("execution_started")
			if _, err := f.queue.DeleteMessage(ctx, &sqs.DeleteMessageInput{
				QueueUrl:      aws.String(f.queueURL),
				ReceiptHandle: m.ReceiptHandle,
			}); err != nil && ctx.Err() == nil {
				log.Error().Err(err).Str("message_id", aws.ToString(m.MessageId)).Msg("delete_message_failed")
			}
		}
	}
}

// executionName returns a valid execution name (at most 80 characters of
// letters, digits, - and _): prefix and the message id.
func executionName(prefix, messageID string) string {
	b := []byte(prefix)
	for _, c := range []byte(messageID) {
		switch {
		case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9', c == '-', c == '_':
			b = append(b, c)
		default:
			b = append(b, '_')
		}
	}
	if len(b) > 80 {
		b = b[:80]
	}
	return string(b)
}

// pause waits for d or until ctx is done.
func pause(ctx context.Context, d time.Duration) {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}
