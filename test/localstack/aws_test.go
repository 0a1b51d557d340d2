package localstack_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/trailwatch/trailwatch/test/localstack"
)

// echoDefinition is a state machine that passes its input to the echo
// function and keeps the echo; an EchoError is caught into "Caught".
const echoDefinition = `{
  "StartAt": "Echo",
  "States": {
    "Echo": {
      "Type": "Task",
      "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": %q, "Payload.$": "$"},
      "ResultSelector": {"echo.$": "$.Payload.echo"},
      "Catch": [{"ErrorEquals": ["EchoError"], "ResultPath": "$.error", "Next": "Caught"}],
      "End": true
    },
    "Caught": {"Type": "Pass", "End": true}
  }
}`

// createEchoStateMachine creates an Express state machine of
// echoDefinition and returns its ARN.
func createEchoStateMachine(ctx context.Context, t *testing.T, stack *localstack.Stack, client *sfn.Client) string {
	t.Helper()
	out, err := client.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String("echo"),
		Type:       sfntypes.StateMachineTypeExpress,
		RoleArn:    aws.String("arn:aws:iam::" + localstack.AccountID + ":role/echo"),
		Definition: aws.String(fmt.Sprintf(echoDefinition, stack.FunctionARN("echo"))),
	})
	if err != nil {
		t.Fatalf("CreateStateMachine: %v", err)
	}
	return aws.ToString(out.StateMachineArn)
}

func createQueue(ctx context.Context, t *testing.T, client *sqs.Client, name string, attrs map[string]string) (url, arn string) {
	t.Helper()
	out, err := client.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		t.Fatalf("CreateQueue %s: %v", name, err)
	}
	got, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl:       out.QueueUrl,
		AttributeNames: []sqstypes.QueueAttributeName{sqstypes.QueueAttributeNameQueueArn},
	})
	if err != nil {
		t.Fatalf("GetQueueAttributes %s: %v", name, err)
	}
	return aws.ToString(out.QueueUrl), got.Attributes[string(sqstypes.QueueAttributeNameQueueArn)]
}

// routeToQueue creates a rule with pattern on bus that targets the queue.
func routeToQueue(ctx context.Context, t *testing.T, client *eventbridge.Client, bus, rule, pattern, queueARN string) {
	t.Helper()
	if _, err := client.PutRule(ctx, &eventbridge.PutRuleInput{
		Name:         aws.String(rule),
		EventBusName: aws.String(bus),
		EventPattern: aws.String(pattern),
	}); err != nil {
		t.Fatalf("PutRule %s: %v", rule, err)
	}
	out, err := client.PutTargets(ctx, &eventbridge.PutTargetsInput{
		Rule:         aws.String(rule),
		EventBusName: aws.String(bus),
		Targets:      []ebtypes.Target{{Id: aws.String("queue"), Arn: aws.String(queueARN)}},
	})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutTargets %s = %+v, %v", rule, out, err)
	}
}

func putEvent(ctx context.Context, t *testing.T, client *eventbridge.Client, entry ebtypes.PutEventsRequestEntry) string {
	t.Helper()
	out, err := client.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{entry}})
	if err != nil || out.FailedEntryCount != 0 {
		t.Fatalf("PutEvents = %+v, %v", out, err)
	}
	return aws.ToString(out.Entries[0].EventId)
}

// TestProxy checks that AWS API calls other than Lambda's reach moto, and
// that the URLs moto returns point at the gateway.
func TestProxy(t *testing.T) {
	t.Parallel()
	stack := startStack(t, 0)
	ctx := testContext(t)
	client := sqs.NewFromConfig(stack.AWSConfig())

	url, _ := createQueue(ctx, t, client, "proxied", nil)
	if !strings.HasPrefix(url, stack.Endpoint()+"/") {
		t.Errorf("queue URL %s does not point at the gateway %s", url, stack.Endpoint())
	}
	if _, err := client.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(url), MessageBody: aws.String("hello")}); err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	out, err := client.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(url), WaitTimeSeconds: 5})
	if err != nil {
		t.Fatalf("ReceiveMessage: %v", err)
	}
	if len(out.Messages) != 1 || aws.ToString(out.Messages[0].Body) != "hello" {
		t.Errorf("ReceiveMessage = %+v, want the one message hello", out.Messages)
	}
}

// TestStateMachine runs an Express state machine whose Lambda task moto
// calls through the gateway.
func TestStateMachine(t *testing.T) {
	t.Parallel()
	stack := startStack(t, 0)
	ctx := testContext(t)
	client := sfn.NewFromConfig(stack.AWSConfig())
	machine := createEchoStateMachine(ctx, t, stack, client)

	tests := []struct {
		name       string
		input      string
		wantStatus sfntypes.ExecutionStatus
		wantOutput string // when SUCCEEDED
		wantError  string // when FAILED
	}{
		{
			name:       "echo",
			input:      `{"msg": "hi"}`,
			wantStatus: sfntypes.ExecutionStatusSucceeded,
			wantOutput: `{"echo": {"msg": "hi"}}`,
		},
		{
			name:       "handler error caught by its type",
			input:      `{"fail": "boom"}`,
			wantStatus: sfntypes.ExecutionStatusSucceeded,
			wantOutput: `{"fail": "boom", "error": {"Error": "EchoError", "Cause": "{\"errorMessage\":\"boom\",\"errorType\":\"EchoError\"}"}}`,
		},
		{
			name:       "process exit fails the execution",
			input:      `{"exit": 3}`,
			wantStatus: sfntypes.ExecutionStatusFailed,
			wantError:  "Runtime.ExitError",
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			started, err := client.StartExecution(ctx, &sfn.StartExecutionInput{
				StateMachineArn: aws.String(machine),
				Name:            aws.String(fmt.Sprintf("case-%d", i)),
				Input:           aws.String(tc.input),
			})
			if err != nil {
				t.Fatalf("StartExecution: %v", err)
			}
			got := waitForExecution(ctx, t, client, aws.ToString(started.ExecutionArn))
			if got.Status != tc.wantStatus {
				t.Fatalf("status = %s (error %q, cause %q), want %s",
					got.Status, aws.ToString(got.Error), aws.ToString(got.Cause), tc.wantStatus)
			}
			if tc.wantOutput != "" && !jsonEqual(t, []byte(aws.ToString(got.Output)), []byte(tc.wantOutput)) {
				t.Errorf("output = %s, want %s", aws.ToString(got.Output), tc.wantOutput)
			}
			if tc.wantError != "" && aws.ToString(got.Error) != tc.wantError {
				t.Errorf("error = %q (cause %q), want %q", aws.ToString(got.Error), aws.ToString(got.Cause), tc.wantError)
			}
		})
	}
}

// TestEventPattern checks that moto applies a rule's event pattern when it
// delivers PutEvents to an SQS target. Each case has its own bus with two
// rules: the pattern under test, and a catch-all. Moto matches every rule of
// the bus within PutEvents, so once the catch-all's queue has the event, the
// pattern's queue has it too or never will.
func TestEventPattern(t *testing.T) {
	t.Parallel()
	stack := startStack(t, 0)
	ctx := testContext(t)
	events := eventbridge.NewFromConfig(stack.AWSConfig())
	queues := sqs.NewFromConfig(stack.AWSConfig())

	const cloudTrail = `{
	  "source": ["aws.ec2"],
	  "detail-type": ["AWS API Call via CloudTrail"],
	  "detail": {
	    "eventSource": ["ec2.amazonaws.com"],
	    "eventName": ["AuthorizeSecurityGroupIngress", "RunInstances"]
	  }
	}`
	tests := []struct {
		name       string
		pattern    string
		source     string
		detailType string
		detail     string
		wantMatch  bool
	}{
		{
			name: "source, detail-type and detail match", pattern: cloudTrail,
			source: "aws.ec2", detailType: "AWS API Call via CloudTrail",
			detail:    `{"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances"}`,
			wantMatch: true,
		},
		{
			name: "other eventName", pattern: cloudTrail,
			source: "aws.ec2", detailType: "AWS API Call via CloudTrail",
			detail: `{"eventSource": "ec2.amazonaws.com", "eventName": "DescribeInstances"}`,
		},
		{
			name: "eventName missing", pattern: cloudTrail,
			source: "aws.ec2", detailType: "AWS API Call via CloudTrail",
			detail: `{"eventSource": "ec2.amazonaws.com"}`,
		},
		{
			name: "other detail-type", pattern: cloudTrail,
			source: "aws.ec2", detailType: "AWS Console Sign In via CloudTrail",
			detail: `{"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances"}`,
		},
		{
			name: "other source", pattern: cloudTrail,
			source: "aws.s3", detailType: "AWS API Call via CloudTrail",
			detail: `{"eventSource": "ec2.amazonaws.com", "eventName": "RunInstances"}`,
		},
		{
			name:    "source and detail-type only",
			pattern: `{"source": ["trailwatch.test"], "detail-type": ["Test"]}`,
			source:  "trailwatch.test", detailType: "Test", detail: `{"any": ["thing"]}`,
			wantMatch: true,
		},
	}
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bus := fmt.Sprintf("bus-%d", i)
			if _, err := events.CreateEventBus(ctx, &eventbridge.CreateEventBusInput{Name: aws.String(bus)}); err != nil {
				t.Fatalf("CreateEventBus: %v", err)
			}
			matchedURL, matchedARN := createQueue(ctx, t, queues, bus+"-matched", nil)
			allURL, allARN := createQueue(ctx, t, queues, bus+"-all", nil)
			routeToQueue(ctx, t, events, bus, "pattern", tc.pattern, matchedARN)
			routeToQueue(ctx, t, events, bus, "all", `{"source": [{"exists": true}]}`, allARN)

			id := putEvent(ctx, t, events, ebtypes.PutEventsRequestEntry{
				EventBusName: aws.String(bus),
				Source:       aws.String(tc.source),
				DetailType:   aws.String(tc.detailType),
				Detail:       aws.String(tc.detail),
			})

			waitFor(ctx, t, "the catch-all rule's delivery", func() (bool, error) {
				out, err := queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(allURL), WaitTimeSeconds: 1})
				return err == nil && len(out.Messages) > 0, err
			})
			out, err := queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(matchedURL), MaxNumberOfMessages: 10})
			if err != nil {
				t.Fatalf("ReceiveMessage: %v", err)
			}
			if got := len(out.Messages) > 0; got != tc.wantMatch {
				t.Fatalf("delivered = %v (%d messages), want %v", got, len(out.Messages), tc.wantMatch)
			}
			if !tc.wantMatch {
				return
			}
			var event struct {
				ID         string          `json:"id"`
				Source     string          `json:"source"`
				DetailType string          `json:"detail-type"`
				Detail     json.RawMessage `json:"detail"`
			}
			body := aws.ToString(out.Messages[0].Body)
			if err := json.Unmarshal([]byte(body), &event); err != nil {
				t.Fatalf("decode the delivered event %s: %v", body, err)
			}
			if event.ID != id || event.Source != tc.source || event.DetailType != tc.detailType || !jsonEqual(t, event.Detail, []byte(tc.detail)) {
				t.Errorf("delivered %s, want the event %s from %s, %s, %s", body, id, tc.source, tc.detailType, tc.detail)
			}
		})
	}
}

// TestForwarder sends an event through the whole local path: EventBridge
// rule -> SQS -> forwarder -> Express state machine -> echo function.
func TestForwarder(t *testing.T) {
	t.Parallel()
	stack := startStack(t, 0)
	ctx := testContext(t)
	cfg := stack.AWSConfig()
	events, queues, machines := eventbridge.NewFromConfig(cfg), sqs.NewFromConfig(cfg), sfn.NewFromConfig(cfg)

	machine := createEchoStateMachine(ctx, t, stack, machines)
	queueURL, queueARN := createQueue(ctx, t, queues, "events", nil)
	routeToQueue(ctx, t, events, "default", "trailwatch",
		`{"source": ["trailwatch.test"], "detail-type": ["AWS API Call via CloudTrail"]}`, queueARN)
	stack.StartForwarder(ctx, queueURL, machine)

	detail := `{"eventName": "RunInstances"}`
	id := putEvent(ctx, t, events, ebtypes.PutEventsRequestEntry{
		Source:     aws.String("trailwatch.test"),
		DetailType: aws.String("AWS API Call via CloudTrail"),
		Detail:     aws.String(detail),
	})

	var executions []sfntypes.ExecutionListItem
	waitFor(ctx, t, "an execution", func() (bool, error) {
		out, err := machines.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine)})
		if err != nil {
			return false, err
		}
		executions = out.Executions
		return len(executions) > 0, nil
	})
	if len(executions) != 1 || !strings.HasPrefix(aws.ToString(executions[0].Name), "sqs-") {
		t.Fatalf("executions = %+v, want one named sqs-<message id>", executions)
	}
	got := waitForExecution(ctx, t, machines, aws.ToString(executions[0].ExecutionArn))
	if got.Status != sfntypes.ExecutionStatusSucceeded {
		t.Fatalf("status = %s (error %q, cause %q), want SUCCEEDED", got.Status, aws.ToString(got.Error), aws.ToString(got.Cause))
	}
	var output struct {
		Echo struct {
			ID     string          `json:"id"`
			Detail json.RawMessage `json:"detail"`
		} `json:"echo"`
	}
	if err := json.Unmarshal([]byte(aws.ToString(got.Output)), &output); err != nil {
		t.Fatalf("decode the output %s: %v", aws.ToString(got.Output), err)
	}
	if output.Echo.ID != id || !jsonEqual(t, output.Echo.Detail, []byte(detail)) {
		t.Errorf("output = %s, want the echo of event %s with detail %s", aws.ToString(got.Output), id, detail)
	}

	waitFor(ctx, t, "the message's deletion", func() (bool, error) {
		out, err := queues.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
			QueueUrl: aws.String(queueURL),
			AttributeNames: []sqstypes.QueueAttributeName{
				sqstypes.QueueAttributeNameApproximateNumberOfMessages,
				sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
			},
		})
		if err != nil {
			return false, err
		}
		return out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessages)] == "0" &&
			out.Attributes[string(sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible)] == "0", nil
	})
}

// TestForwarderKeepsUnstartedMessages gives the forwarder a state machine
// that does not exist. The message must not be deleted: it comes back after
// the visibility timeout, and on its second receive SQS moves it to the
// dead-letter queue, where the test finds it.
func TestForwarderKeepsUnstartedMessages(t *testing.T) {
	t.Parallel()
	stack := startStack(t, 0)
	ctx := testContext(t)
	queues := sqs.NewFromConfig(stack.AWSConfig())

	dlqURL, dlqARN := createQueue(ctx, t, queues, "dead-letters", nil)
	queueURL, _ := createQueue(ctx, t, queues, "events", map[string]string{
		"VisibilityTimeout": "1",
		"RedrivePolicy":     fmt.Sprintf(`{"deadLetterTargetArn": %q, "maxReceiveCount": "1"}`, dlqARN),
	})
	missing := "arn:aws:states:" + localstack.Region + ":" + localstack.AccountID + ":stateMachine:missing"
	stack.StartForwarder(ctx, queueURL, missing)

	const body = `{"detail": {"eventName": "RunInstances"}}`
	if _, err := queues.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(body)}); err != nil {
		t.Fatalf("SendMessage: %v", err)
	}
	waitFor(ctx, t, "the message in the dead-letter queue", func() (bool, error) {
		out, err := queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(dlqURL), WaitTimeSeconds: 1})
		if err != nil {
			return false, err
		}
		for _, m := range out.Messages {
			if aws.ToString(m.Body) != body {
				return false, fmt.Errorf("dead letter %q, want %q", aws.ToString(m.Body), body)
			}
		}
		return len(out.Messages) > 0, nil
	})
}
