package localstack_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/trailwatch/trailwatch/test/localstack"
)

// TestPipe: the pipe starts the state machine with what an EventBridge
// Pipe sends (an array of the one SQS record, the event as its body) and
// deletes the message once the execution succeeded.
func TestPipe(t *testing.T) {
	t.Parallel()
	stack := startStack(t, 0)
	ctx := testContext(t)
	cfg := stack.AWSConfig()
	events, queues, machines := eventbridge.NewFromConfig(cfg), sqs.NewFromConfig(cfg), sfn.NewFromConfig(cfg)
	machine := createEchoStateMachine(ctx, t, stack, machines)
	queueURL, queueARN := createQueue(ctx, t, queues, "intake", nil)
	routeToQueue(ctx, t, events, "default", "intake", `{"source": ["trailwatch.test"]}`, queueARN)
	stack.StartPipe(ctx, localstack.PipeConfig{QueueURL: queueURL, StateMachineARN: machine})

	id := putEvent(ctx, t, events, ebtypes.PutEventsRequestEntry{
		Source: aws.String("trailwatch.test"), DetailType: aws.String("AWS API Call via CloudTrail"), Detail: aws.String(`{"eventName": "RunInstances"}`),
	})
	var arn string
	waitFor(ctx, t, "an execution", func() (bool, error) {
		out, err := machines.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(machine)})
		if err != nil || len(out.Executions) == 0 {
			return false, err
		}
		if name := aws.ToString(out.Executions[0].Name); !strings.HasPrefix(name, localstack.PipeExecutionPrefix) || !strings.HasSuffix(name, "-1") {
			return false, fmt.Errorf("execution %s, want pipe-<message id>-1", name)
		}
		arn = aws.ToString(out.Executions[0].ExecutionArn)
		return true, nil
	})
	got := waitForExecution(ctx, t, machines, arn)
	var input []localstack.SQSRecord
	if err := json.Unmarshal([]byte(aws.ToString(got.Input)), &input); err != nil || len(input) != 1 {
		t.Fatalf("input %s: want an array of one SQS record (%v)", aws.ToString(got.Input), err)
	}
	r := input[0]
	var body struct {
		ID string `json:"id"`
	}
	if err := json.Unmarshal([]byte(r.Body), &body); err != nil || body.ID != id {
		t.Errorf("record body %q: want the EventBridge event %s as a string", r.Body, id)
	}
	if r.EventSource != "aws:sqs" || r.EventSourceARN != queueARN || r.AWSRegion != localstack.Region || r.MessageID == "" ||
		r.ReceiptHandle == "" || r.MD5OfBody == "" || r.Attributes["ApproximateReceiveCount"] != "1" || r.Attributes["SentTimestamp"] == "" {
		t.Errorf("record %+v: not what a pipe sends", r)
	}
	waitFor(ctx, t, "the message's deletion", func() (bool, error) {
		n, err := queueDepth(ctx, queues, queueURL)
		return n == 0, err
	})
}

// TestPipeParksFailures: an execution that fails leaves its message; it
// comes back after the visibility timeout, runs again, and after
// maxReceiveCount receives SQS parks it, whence Redrive sends it back.
func TestPipeParksFailures(t *testing.T) {
	t.Parallel()
	stack := startStack(t, 0)
	ctx := testContext(t)
	cfg := stack.AWSConfig()
	queues, machines := sqs.NewFromConfig(cfg), sfn.NewFromConfig(cfg)
	out, err := machines.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("fails"), Type: sfntypes.StateMachineTypeExpress,
		RoleArn:    aws.String("arn:aws:iam::" + localstack.AccountID + ":role/fails"),
		Definition: aws.String(`{"StartAt": "Fail", "States": {"Fail": {"Type": "Fail", "Error": "Boom"}}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	parkedURL, parkedARN := createQueue(ctx, t, queues, "parked", nil)
	queueURL, _ := createQueue(ctx, t, queues, "intake", map[string]string{
		"VisibilityTimeout": "1",
		"RedrivePolicy":     fmt.Sprintf(`{"deadLetterTargetArn": %q, "maxReceiveCount": 2}`, parkedARN),
	})
	pipeCtx, stopPipe := contextWithCancel(t)
	stack.StartPipe(pipeCtx, localstack.PipeConfig{QueueURL: queueURL, StateMachineARN: aws.ToString(out.StateMachineArn), Pollers: 1})
	if _, err := queues.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(`{"id": "e1"}`)}); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "the message parked", func() (bool, error) {
		n, err := queueDepth(ctx, queues, parkedURL)
		return n == 1, err
	})
	stopPipe()
	list, err := machines.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: out.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Executions) != 2 {
		t.Errorf("%d executions, want 2 (one per receive before parking)", len(list.Executions))
	}
	moved, err := stack.Redrive(ctx, parkedURL, queueURL)
	if err != nil || moved != 1 {
		t.Fatalf("redrive moved %d, %v; want 1", moved, err)
	}
	if n, err := queueDepth(ctx, queues, queueURL); err != nil || n != 1 {
		t.Errorf("intake holds %d after the redrive (%v), want 1", n, err)
	}
}

// TestCanary: the canary tags its group on moto and delivers the
// CloudTrail record of that call through the rules (a pattern matching
// inside the record's array of tags, which moto alone does not match),
// every interval, until stopped (by Go or HTTP).
func TestCanary(t *testing.T) {
	t.Parallel()
	stack := startStack(t, 0)
	ctx := testContext(t)
	cfg := stack.AWSConfig()
	events, queues, ec2c := eventbridge.NewFromConfig(cfg), sqs.NewFromConfig(cfg), ec2.NewFromConfig(cfg)
	sg, err := ec2c.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String("heartbeat"), Description: aws.String("canary")})
	if err != nil {
		t.Fatal(err)
	}
	group := aws.ToString(sg.GroupId)
	queueURL, queueARN := createQueue(ctx, t, queues, "beats", nil)
	routeToQueue(ctx, t, events, "default", "heartbeat",
		`{"source": ["aws.ec2"], "detail-type": ["AWS API Call via CloudTrail"], "detail": {"eventName": ["CreateTags"], "requestParameters": {"tagSet": {"items": {"key": ["trailwatch:heartbeat"]}}}}}`, queueARN)
	if err := stack.StartCanary(localstack.CanaryConfig{GroupID: group, TagKey: "trailwatch:heartbeat", Interval: 300 * time.Millisecond, Role: "trailwatch-heartbeat"}); err != nil {
		t.Fatal(err)
	}
	var detail struct {
		EventSource       string `json:"eventSource"`
		EventName         string `json:"eventName"`
		RequestParameters struct {
			ResourcesSet struct {
				Items []struct {
					ResourceID string `json:"resourceId"`
				} `json:"items"`
			} `json:"resourcesSet"`
			TagSet struct {
				Items []struct{ Key, Value string } `json:"items"`
			} `json:"tagSet"`
		} `json:"requestParameters"`
		UserIdentity struct {
			ARN string `json:"arn"`
		} `json:"userIdentity"`
	}
	waitFor(ctx, t, "a beat through the rule", func() (bool, error) {
		out, err := queues.ReceiveMessage(ctx, &sqs.ReceiveMessageInput{QueueUrl: aws.String(queueURL), WaitTimeSeconds: 1})
		if err != nil || len(out.Messages) == 0 {
			return false, err
		}
		var ev struct {
			Detail json.RawMessage `json:"detail"`
		}
		if err := json.Unmarshal([]byte(aws.ToString(out.Messages[0].Body)), &ev); err != nil {
			return false, err
		}
		return true, json.Unmarshal(ev.Detail, &detail)
	})
	rp := detail.RequestParameters
	if detail.EventSource != "ec2.amazonaws.com" || detail.EventName != "CreateTags" || len(rp.ResourcesSet.Items) != 1 ||
		rp.ResourcesSet.Items[0].ResourceID != group || len(rp.TagSet.Items) != 1 || rp.TagSet.Items[0].Key != "trailwatch:heartbeat" ||
		!strings.Contains(detail.UserIdentity.ARN, ":assumed-role/trailwatch-heartbeat/") {
		t.Errorf("beat %+v: not the CloudTrail record of the canary's CreateTags", detail)
	}
	if _, err := time.Parse(time.RFC3339, rp.TagSet.Items[0].Value); err != nil {
		t.Errorf("tag value %q: not RFC 3339", rp.TagSet.Items[0].Value)
	}
	tags, err := ec2c.DescribeTags(ctx, &ec2.DescribeTagsInput{})
	if err != nil {
		t.Fatal(err)
	}
	tagged := false
	for _, tag := range tags.Tags {
		tagged = tagged || (aws.ToString(tag.ResourceId) == group && aws.ToString(tag.Key) == "trailwatch:heartbeat")
	}
	if !tagged {
		t.Errorf("group %s not tagged on moto: %+v", group, tags.Tags)
	}

	stack.StopCanary()
	stopped := stack.CanaryBeats()
	time.Sleep(time.Second)
	if got := stack.CanaryBeats(); got != stopped {
		t.Errorf("%d beats after StopCanary, want none", got-stopped)
	}
	if code := httpDo(ctx, t, "POST", stack.Endpoint()+"/_trailwatch/canary", `{"interval": "200ms"}`); code != 204 {
		t.Fatalf("POST canary: %d", code)
	}
	waitFor(ctx, t, "beats after the HTTP start", func() (bool, error) { return stack.CanaryBeats() > stopped, nil })
	if code := httpDo(ctx, t, "DELETE", stack.Endpoint()+"/_trailwatch/canary", ""); code != 204 {
		t.Fatalf("DELETE canary: %d", code)
	}
	stopped = stack.CanaryBeats()
	time.Sleep(600 * time.Millisecond)
	if got := stack.CanaryBeats(); got != stopped {
		t.Errorf("%d beats after DELETE, want none", got-stopped)
	}
}

// TestPipeHidesRunningMessages: an execution longer than the queue's
// visibility timeout does not see its message come back while it runs
// (on AWS the timeout exceeds any execution): one execution, then the
// message is gone.
func TestPipeHidesRunningMessages(t *testing.T) {
	t.Parallel()
	stack := startStack(t, 0)
	ctx := testContext(t)
	cfg := stack.AWSConfig()
	queues, machines := sqs.NewFromConfig(cfg), sfn.NewFromConfig(cfg)
	out, err := machines.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name: aws.String("slow"), Type: sfntypes.StateMachineTypeExpress,
		RoleArn:    aws.String("arn:aws:iam::" + localstack.AccountID + ":role/slow"),
		Definition: aws.String(`{"StartAt": "Wait", "States": {"Wait": {"Type": "Wait", "Seconds": 4, "End": true}}}`),
	})
	if err != nil {
		t.Fatal(err)
	}
	queueURL, _ := createQueue(ctx, t, queues, "intake", map[string]string{"VisibilityTimeout": "1"})
	stack.StartPipe(ctx, localstack.PipeConfig{QueueURL: queueURL, StateMachineARN: aws.ToString(out.StateMachineArn), Pollers: 2})
	if _, err := queues.SendMessage(ctx, &sqs.SendMessageInput{QueueUrl: aws.String(queueURL), MessageBody: aws.String(`{"id": "slow"}`)}); err != nil {
		t.Fatal(err)
	}
	waitFor(ctx, t, "the message's deletion", func() (bool, error) {
		n, err := queueDepth(ctx, queues, queueURL)
		return n == 0, err
	})
	list, err := machines.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: out.StateMachineArn})
	if err != nil {
		t.Fatal(err)
	}
	if len(list.Executions) != 1 {
		t.Errorf("%d executions of one message, want 1: it came back while its execution ran", len(list.Executions))
	}
}
