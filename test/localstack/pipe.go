package localstack

import (
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// PipeConfig says what StartPipe runs: the EventBridge Pipe of the
// durable intake, which moto does not run (it has the Pipes API only).
type PipeConfig struct {
	// QueueURL is the pipe's source, the intake queue. Its redrive policy
	// (moto applies it) parks a message received too often.
	QueueURL string
	// StateMachineARN is the pipe's target, an Express state machine
	// started synchronously (REQUEST_RESPONSE).
	StateMachineARN string
	// Input makes the execution's input of one message; nil is
	// SQSRecordsInput, what the real pipe sends.
	Input func(m sqstypes.Message, queueARN string) ([]byte, error)
	// Pollers is how many messages are in flight at once, each its own
	// batch of one; 0 means DefaultPipePollers.
	Pollers int
}

// DefaultPipePollers is how many executions the local pipe runs at once.
// AWS scales a pipe's SQS pollers with the queue's backlog; the local
// stack keeps a few, which the machine's two cores can run.
const DefaultPipePollers = 4

// PipeExecutionPrefix starts the name of every execution the pipe starts;
// the rest is the message id and its receive count.
const PipeExecutionPrefix = "pipe-"

// StartPipe emulates an EventBridge Pipe from an SQS queue to an Express
// state machine with batch size 1 and invocation type REQUEST_RESPONSE:
// each poller receives one message at a time (with its attributes),
// starts the state machine with cfg.Input's input (an execution named
// PipeExecutionPrefix + message id + "-" + receive count), waits until the
// execution ends (as StartSyncExecution does), and deletes the message
// only when it SUCCEEDED. A FAILED, TIMED_OUT or ABORTED execution, or
// one that could not start, leaves the message on the queue: it comes back
// after the queue's visibility timeout, and moto's redrive policy parks
// it after maxReceiveCount receives.
//
// On AWS the intake's visibility timeout exceeds the longest execution, so
// a message never comes back while its execution runs; tests shorten the
// timeout below an execution's length, so the local pipe keeps the message
// hidden while its execution runs (ChangeMessageVisibility, every half
// timeout) to hold that invariant: a message whose execution did not
// succeed comes back one visibility timeout after the execution ended, or
// sooner.
//
// Failures are logged to Config.Logs. The pollers stop when ctx is done or
// the stack is closed (an execution in progress is then abandoned, its
// message left to come back); StartPipe does nothing on a closed stack.
func (s *Stack) StartPipe(ctx context.Context, cfg PipeConfig) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if cfg.Input == nil {
		cfg.Input = SQSRecordsInput
	}
	if cfg.Pollers <= 0 {
		cfg.Pollers = DefaultPipePollers
	}
	ctx, cancel := context.WithCancel(ctx)
	stop := context.AfterFunc(s.ctx, cancel)
	awsCfg := s.AWSConfig()
	p := &pipe{cfg: cfg, queue: sqs.NewFromConfig(awsCfg), sfn: sfn.NewFromConfig(awsCfg), s: s}
	for range cfg.Pollers {
		s.forwarders.Add(1)
		go func() {
			defer s.forwarders.Done()
			p.poll(ctx)
		}()
	}
	s.forwarders.Add(1)
	go func() {
		defer s.forwarders.Done()
		<-ctx.Done()
		stop()
		cancel()
	}()
}

type pipe struct {
	cfg   PipeConfig
	queue *sqs.Client
	sfn   *sfn.Client
	s     *Stack
}

// pipePoll is how often a poller looks at a running execution.
const pipePoll = 100 * time.Millisecond

func (p *pipe) poll(ctx context.Context) {
	log := p.s.log.With().Str("queue_url", p.cfg.QueueURL).Str("state_machine", p.cfg.StateMachineARN).Logger()
	queueARN := QueueARN(p.cfg.QueueURL)
	visibility := p.visibility(ctx)
	for ctx.Err() == nil {
		out, err := p.queue.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{
			QueueUrl:                    aws.String(p.cfg.QueueURL),
			MaxNumberOfMessages:         1,
			WaitTimeSeconds:             2,
			MessageSystemAttributeNames: []sqstypes.MessageSystemAttributeName{sqstypes.MessageSystemAttributeNameAll},
			MessageAttributeNames:       []string{"All"},
		})
		if err != nil {
			if ctx.Err() == nil {
				log.Error().Err(err).Msg("pipe_receive_failed")
				pause(ctx, time.Second)
			}
			continue
		}
		for _, m := range out.Messages {
			status, err := p.run(ctx, m, queueARN, visibility)
			id := aws.ToString(m.MessageId)
			switch {
			case err != nil:
				if ctx.Err() == nil {
					log.Error().Err(err).Str("message_id", id).Msg("pipe_invocation_failed")
				}
			case status != sfntypes.ExecutionStatusSucceeded:
				log.Info().Str("message_id", id).Str("status", string(status)).Msg("pipe_execution_not_succeeded")
			default:
				if _, err := p.queue.DeleteMessage(ctx, &sqs.DeleteMessageInput{
					QueueUrl: aws.String(p.cfg.QueueURL), ReceiptHandle: m.ReceiptHandle,
				}); err != nil && ctx.Err() == nil {
					log.Error().Err(err).Str("message_id", id).Msg("pipe_delete_failed")
				}
			}
		}
	}
}

// visibility returns the queue's visibility timeout in seconds (30, SQS's
// default, when it cannot be read).
func (p *pipe) visibility(ctx context.Context) int32 {
	out, err := p.queue.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(p.cfg.QueueURL), AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameVisibilityTimeout},
	})
	if err == nil {
		if v, err := strconv.Atoi(out.Attributes[string(sqstypes.QueueAttributeNameVisibilityTimeout)]); err == nil && v > 0 {
			return int32(v)
		}
	}
	return 30
}

// run starts the execution of m, waits for its end and keeps m hidden
// (for visibility seconds at a time) until then.
func (p *pipe) run(ctx context.Context, m sqstypes.Message, queueARN string, visibility int32) (sfntypes.ExecutionStatus, error) {
	input, err := p.cfg.Input(m, queueARN)
	if err != nil {
		return "", fmt.Errorf("pipe input: %w", err)
	}
	name := executionName(PipeExecutionPrefix, aws.ToString(m.MessageId)+"-"+m.Attributes[string(sqstypes.MessageSystemAttributeNameApproximateReceiveCount)])
	started, err := p.sfn.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(p.cfg.StateMachineARN), Name: aws.String(name), Input: aws.String(string(input)),
	})
	if err != nil {
		return "", fmt.Errorf("start execution: %w", err)
	}
	extend := time.Duration(visibility) * time.Second / 2
	hidden := time.Now()
	for {
		d, err := p.sfn.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: started.ExecutionArn})
		if err == nil && d.Status != sfntypes.ExecutionStatusRunning {
			return d.Status, nil
		}
		if err != nil && ctx.Err() != nil {
			return "", err
		}
		if time.Since(hidden) >= extend {
			if _, err := p.queue.ChangeMessageVisibility(ctx, &sqs.ChangeMessageVisibilityInput{
				QueueUrl: aws.String(p.cfg.QueueURL), ReceiptHandle: m.ReceiptHandle, VisibilityTimeout: visibility,
			}); err != nil && ctx.Err() == nil {
				p.s.log.Warn().Err(err).Str("message_id", aws.ToString(m.MessageId)).Msg("pipe_extend_visibility_failed")
			}
			hidden = time.Now()
		}
		pause(ctx, pipePoll)
	}
}

// SQSRecord is one SQS message as EventBridge Pipes (and Lambda's SQS
// event source) hand it to a target.
type SQSRecord struct {
	MessageID         string            `json:"messageId"`
	ReceiptHandle     string            `json:"receiptHandle"`
	Body              string            `json:"body"`
	Attributes        map[string]string `json:"attributes"`
	MessageAttributes map[string]any    `json:"messageAttributes"`
	MD5OfBody         string            `json:"md5OfBody"`
	EventSource       string            `json:"eventSource"`
	EventSourceARN    string            `json:"eventSourceARN"`
	AWSRegion         string            `json:"awsRegion"`
}

// SQSRecordsInput is what an EventBridge Pipe with an SQS source, batch
// size 1 and no input template sends its target: a JSON array holding the
// one message's record, whose body is the message body (the EventBridge
// event, as a string).
func SQSRecordsInput(m sqstypes.Message, queueARN string) ([]byte, error) {
	attrs := map[string]string{}
	for _, k := range []sqstypes.MessageSystemAttributeName{
		sqstypes.MessageSystemAttributeNameApproximateReceiveCount,
		sqstypes.MessageSystemAttributeNameSentTimestamp,
		sqstypes.MessageSystemAttributeNameSenderId,
		sqstypes.MessageSystemAttributeNameApproximateFirstReceiveTimestamp,
	} {
		if v, ok := m.Attributes[string(k)]; ok {
			attrs[string(k)] = v
		}
	}
	body := aws.ToString(m.Body)
	sum := md5.Sum([]byte(body))
	md5OfBody := aws.ToString(m.MD5OfBody)
	if md5OfBody == "" {
		md5OfBody = hex.EncodeToString(sum[:])
	}
	return json.Marshal([]SQSRecord{{
		MessageID:         aws.ToString(m.MessageId),
		ReceiptHandle:     aws.ToString(m.ReceiptHandle),
		Body:              body,
		Attributes:        attrs,
		MessageAttributes: map[string]any{},
		MD5OfBody:         md5OfBody,
		EventSource:       "aws:sqs",
		EventSourceARN:    queueARN,
		AWSRegion:         Region,
	}})
}

// BodyInput starts the execution with the message body as it is (the
// EventBridge event), as the rules' Step Functions target did before the
// intake queue.
func BodyInput(m sqstypes.Message, _ string) ([]byte, error) {
	return []byte(aws.ToString(m.Body)), nil
}

// QueueARN returns the ARN of the stack's queue at url
// (http://host/<account>/<name>).
func QueueARN(url string) string {
	name := url
	for i := len(url) - 1; i >= 0; i-- {
		if url[i] == '/' {
			name = url[i+1:]
			break
		}
	}
	return "arn:aws:sqs:" + Region + ":" + AccountID + ":" + name
}
