// Package pipeline deploys trailwatch on the local AWS stack (moto behind
// the gateway of package localstack) exactly as terraform deploys it on AWS:
// the four real function binaries, the state machine from
// statemachine/pipeline.asl.json, the EventBridge rule from
// statemachine/event-pattern.json, the DynamoDB table and the SNS topic. The
// demo and the end-to-end tests both use it.
package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/trailwatch/trailwatch/test/localstack"
)

// Names of what Deploy creates, as terraform names them with the default
// name "trailwatch".
const (
	Name         = "trailwatch"
	TableName    = Name + "-alerts"
	TopicName    = Name + "-alerts"
	RuleName     = Name + "-exposure"
	EventsQueue  = Name + "-rule-target"
	AlertsQueue  = Name + "-alerts-inbox"
	StateMachine = Name + "-pipeline"
	Account      = "123456789012"
	Region       = "us-east-1"
)

// Functions are the pipeline's functions, in order.
var Functions = []string{"parse", "enrich", "dedupe", "notify"}

// FunctionName is the deployed name of a function.
func FunctionName(fn string) string { return Name + "-" + fn }

// Options configure Deploy.
type Options struct {
	// Root is the repository root (holding go.work).
	Root string
	// BinDir receives the host builds of the functions; default a
	// directory under Root/.local.
	BinDir string
	// Logs receives the stack's and the functions' logs; nil discards.
	Logs io.Writer
	// Env is extra function environment (DEDUPE_WINDOW, LOG_LEVEL, ...).
	Env map[string]string
}

// Pipeline is trailwatch deployed on a local stack.
type Pipeline struct {
	Stack *localstack.Stack
	SFN   *sfn.Client
	SQS   *sqs.Client
	SNS   *sns.Client
	EC2   *ec2.Client
	ELB   *elbv2.Client
	DDB   *dynamodb.Client
	EB    *eventbridge.Client

	StateMachineARN string
	TopicARN        string
	RuleARN         string
	EventsQueueURL  string
	AlertsQueueURL  string
}

// FindRoot returns the nearest directory at or above the working directory
// that holds go.work.
func FindRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.work above the working directory")
		}
		dir = parent
	}
}

// Build compiles the four functions for this machine into binDir/<fn>/bootstrap
// and returns their paths by function name.
func Build(ctx context.Context, root, binDir string) (map[string]string, error) {
	out := map[string]string{}
	tmp := filepath.Join(binDir, ".build")
	args := []string{"build", "-tags", "lambda.norpc", "-trimpath", "-o", tmp + "/"}
	for _, fn := range Functions {
		args = append(args, "./functions/"+fn)
	}
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if msg, err := cmd.CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, msg)
	}
	for _, fn := range Functions {
		dir := filepath.Join(binDir, fn)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, err
		}
		dst := filepath.Join(dir, "bootstrap")
		if err := os.Rename(filepath.Join(tmp, fn), dst); err != nil {
			return nil, err
		}
		out[FunctionName(fn)] = dst
	}
	return out, nil
}

// Deploy builds the functions, starts a local stack and creates the
// pipeline on it. The caller must Close it.
func Deploy(ctx context.Context, opts Options) (*Pipeline, error) {
	if opts.BinDir == "" {
		dir, err := os.MkdirTemp(filepath.Join(opts.Root, ".local"), "bin-")
		if err != nil {
			if err := os.MkdirAll(filepath.Join(opts.Root, ".local"), 0o755); err != nil {
				return nil, err
			}
			if dir, err = os.MkdirTemp(filepath.Join(opts.Root, ".local"), "bin-"); err != nil {
				return nil, err
			}
		}
		opts.BinDir = dir
	}
	bins, err := Build(ctx, opts.Root, opts.BinDir)
	if err != nil {
		return nil, err
	}
	env := map[string]string{
		"TABLE_NAME": TableName,
		"TOPIC_ARN":  fmt.Sprintf("arn:aws:sns:%s:%s:%s", Region, Account, TopicName),
		"LOG_LEVEL":  "info",
	}
	for k, v := range opts.Env {
		env[k] = v
	}
	st, err := localstack.Start(ctx, localstack.Config{Functions: bins, Env: env, Logs: opts.Logs})
	if err != nil {
		return nil, err
	}
	cfg := st.AWSConfig()
	p := &Pipeline{
		Stack: st,
		SFN:   sfn.NewFromConfig(cfg),
		SQS:   sqs.NewFromConfig(cfg),
		SNS:   sns.NewFromConfig(cfg),
		EC2:   ec2.NewFromConfig(cfg),
		ELB:   elbv2.NewFromConfig(cfg),
		DDB:   dynamodb.NewFromConfig(cfg),
		EB:    eventbridge.NewFromConfig(cfg),
	}
	if err := p.create(ctx, opts.Root); err != nil {
		st.Close()
		return nil, err
	}
	if p.TopicARN != env["TOPIC_ARN"] {
		st.Close()
		return nil, fmt.Errorf("topic ARN %s, functions were given %s", p.TopicARN, env["TOPIC_ARN"])
	}
	return p, nil
}

// Close stops the stack and every process it started.
func (p *Pipeline) Close() error { return p.Stack.Close() }

// create makes what terraform makes: table, topic (with a queue subscribed,
// standing in for the email subscription), state machine, rule and its
// target (a queue the forwarder turns into executions, standing in for the
// rule's Step Functions target).
func (p *Pipeline) create(ctx context.Context, root string) error {
	if _, err := p.DDB.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(TableName),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
	}); err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	if _, err := p.DDB.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(TableName),
		TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: aws.String("ttl"), Enabled: aws.Bool(true)},
	}); err != nil {
		return fmt.Errorf("table ttl: %w", err)
	}
	var err error
	if p.AlertsQueueURL, err = p.queue(ctx, AlertsQueue); err != nil {
		return err
	}
	if err := p.RecreateTopic(ctx); err != nil {
		return err
	}

	asl, err := os.ReadFile(filepath.Join(root, "statemachine", "pipeline.asl.json"))
	if err != nil {
		return err
	}
	def, err := RenderDefinition(string(asl), func(fn string) string { return p.Stack.FunctionARN(FunctionName(fn)) })
	if err != nil {
		return err
	}
	sm, err := p.SFN.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String(StateMachine),
		Type:       sfntypes.StateMachineTypeExpress,
		Definition: aws.String(def),
		RoleArn:    aws.String("arn:aws:iam::" + Account + ":role/" + Name + "-state-machine"),
	})
	if err != nil {
		return fmt.Errorf("create state machine: %w", err)
	}
	p.StateMachineARN = aws.ToString(sm.StateMachineArn)

	pattern, err := os.ReadFile(filepath.Join(root, "statemachine", "event-pattern.json"))
	if err != nil {
		return err
	}
	rule, err := p.EB.PutRule(ctx, &eventbridge.PutRuleInput{Name: aws.String(RuleName), EventPattern: aws.String(string(pattern))})
	if err != nil {
		return fmt.Errorf("put rule: %w", err)
	}
	p.RuleARN = aws.ToString(rule.RuleArn)
	if p.EventsQueueURL, err = p.queue(ctx, EventsQueue); err != nil {
		return err
	}
	if _, err := p.EB.PutTargets(ctx, &eventbridge.PutTargetsInput{
		Rule:    aws.String(RuleName),
		Targets: []ebtypes.Target{{Id: aws.String("pipeline"), Arn: aws.String(queueARN(EventsQueue))}},
	}); err != nil {
		return fmt.Errorf("put targets: %w", err)
	}
	p.Stack.StartForwarder(context.Background(), p.EventsQueueURL, p.StateMachineARN)
	return nil
}

// RecreateTopic creates the alert topic (again) and subscribes the inbox
// queue to it.
func (p *Pipeline) RecreateTopic(ctx context.Context) error {
	topic, err := p.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(TopicName)})
	if err != nil {
		return fmt.Errorf("create topic: %w", err)
	}
	p.TopicARN = aws.ToString(topic.TopicArn)
	if _, err := p.SNS.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN(AlertsQueue)),
	}); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	return nil
}

func (p *Pipeline) queue(ctx context.Context, name string) (string, error) {
	q, err := p.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name)})
	if err != nil {
		return "", fmt.Errorf("create queue %s: %w", name, err)
	}
	return aws.ToString(q.QueueUrl), nil
}

func queueARN(name string) string { return "arn:aws:sqs:" + Region + ":" + Account + ":" + name }

// RenderDefinition fills the ASL file's ${<fn>_function_arn} placeholders,
// as terraform's templatefile does, and fails on any placeholder left.
func RenderDefinition(asl string, arn func(fn string) string) (string, error) {
	for _, fn := range Functions {
		asl = strings.ReplaceAll(asl, "${"+fn+"_function_arn}", arn(fn))
	}
	if i := strings.Index(asl, "${"); i >= 0 {
		end := min(len(asl), i+40)
		return "", fmt.Errorf("unfilled placeholder in state machine: %s", asl[i:end])
	}
	if !json.Valid([]byte(asl)) {
		return "", errors.New("state machine definition is not valid JSON")
	}
	return asl, nil
}

// PutEvent sends a CloudTrail record to the default event bus inside the
// envelope EventBridge gives it, with the given detail type (DetailTypeAPICall
// when empty). It returns the EventBridge event id.
func (p *Pipeline) PutEvent(ctx context.Context, record []byte, detailType string) (string, error) {
	var r struct {
		EventSource string `json:"eventSource"`
	}
	if err := json.Unmarshal(record, &r); err != nil {
		return "", fmt.Errorf("record: %w", err)
	}
	if detailType == "" {
		detailType = "AWS API Call via CloudTrail"
	}
	out, err := p.EB.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		Source:     aws.String("aws." + strings.TrimSuffix(r.EventSource, ".amazonaws.com")),
		DetailType: aws.String(detailType),
		Detail:     aws.String(string(record)),
	}}})
	if err != nil {
		return "", fmt.Errorf("put events: %w", err)
	}
	if out.FailedEntryCount > 0 {
		return "", fmt.Errorf("put events: %s", aws.ToString(out.Entries[0].ErrorMessage))
	}
	return aws.ToString(out.Entries[0].EventId), nil
}

// StartDirect starts an execution with input as is, bypassing the rule.
func (p *Pipeline) StartDirect(ctx context.Context, name string, input []byte) (string, error) {
	out, err := p.SFN.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(p.StateMachineARN), Name: aws.String(name), Input: aws.String(string(input)),
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ExecutionArn), nil
}

// Execution is a finished execution, as the console shows it.
type Execution struct {
	ARN    string
	Status string
	Error  string
	Input  string
	Output string
	// Path is the states entered, in order, from GetExecutionHistory.
	Path []string
	// TaskErrors are the error names of failed task attempts, retried or
	// caught, in order.
	TaskErrors []string
}

// Outcome classifies the execution by the state it ended in: "notified",
// "suppressed", "skipped" (not in the catalog, or nothing exposed),
// "rejected" (malformed input) or "failed".
func (e Execution) Outcome() string {
	last := ""
	if len(e.Path) > 0 {
		last = e.Path[len(e.Path)-1]
	}
	switch {
	case e.Status == "SUCCEEDED" && (last == "Notified" || last == "NotifiedUnconfirmed"):
		return "notified"
	case e.Status == "SUCCEEDED" && (last == "Suppressed" || last == "InFlightElsewhere"):
		return "suppressed"
	case e.Status == "SUCCEEDED" && (last == "Skipped" || last == "NothingExposed"):
		return "skipped"
	case e.Status == "FAILED" && last == "Rejected":
		return "rejected"
	}
	return "failed"
}

// MessageID is the SNS message id in the execution's output, if it notified.
func (e Execution) MessageID() string {
	var out struct {
		Notification struct {
			MessageID string `json:"messageId"`
		} `json:"notification"`
	}
	_ = json.Unmarshal([]byte(e.Output), &out)
	return out.Notification.MessageID
}

// Executions returns the finished executions whose input holds the
// CloudTrail event id, oldest first, waiting until there are at least n of
// them or ctx ends.
func (p *Pipeline) Executions(ctx context.Context, eventID string, n int) ([]Execution, error) {
	failures := 0
	for {
		found, pending, err := p.executions(ctx, func(input string) bool {
			return strings.Contains(input, `"eventID":"`+eventID+`"`) || strings.Contains(input, `"eventID": "`+eventID+`"`)
		})
		if err != nil {
			if failures++; !truncated(err) || failures == maxPollFailures {
				return nil, err
			}
			continue
		}
		failures = 0
		if len(found) >= n && pending == 0 {
			return found, nil
		}
		select {
		case <-ctx.Done():
			return found, fmt.Errorf("waiting for %d executions of event %s: %d finished, %d running: %w", n, eventID, len(found), pending, ctx.Err())
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// Execution waits for the execution to finish and returns it.
func (p *Pipeline) Execution(ctx context.Context, arn string) (Execution, error) {
	failures := 0
	for {
		d, err := p.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil {
			if failures++; !truncated(err) || failures == maxPollFailures {
				return Execution{}, err
			}
			continue
		}
		failures = 0
		if d.Status != sfntypes.ExecutionStatusRunning {
			return p.finished(ctx, d)
		}
		select {
		case <-ctx.Done():
			return Execution{}, ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// maxPollFailures is how many truncated answers in a row the polling of
// executions tolerates.
const maxPollFailures = 5

// truncated reports whether err is a response cut short ("unexpected
// EOF"), which the local stack was seen to answer once to a DescribeExecution
// of an execution it was running (cause not found). The polls here only
// read, so they simply ask again.
func truncated(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(err.Error(), "unexpected EOF")
}

func (p *Pipeline) executions(ctx context.Context, match func(input string) bool) (found []Execution, pending int, err error) {
	pages := sfn.NewListExecutionsPaginator(p.SFN, &sfn.ListExecutionsInput{StateMachineArn: aws.String(p.StateMachineARN)})
	var descs []*sfn.DescribeExecutionOutput
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, 0, err
		}
		for _, item := range page.Executions {
			d, err := p.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: item.ExecutionArn})
			if err != nil {
				return nil, 0, err
			}
			if !match(aws.ToString(d.Input)) {
				continue
			}
			if d.Status == sfntypes.ExecutionStatusRunning {
				pending++
				continue
			}
			descs = append(descs, d)
		}
	}
	for i := len(descs) - 1; i >= 0; i-- { // ListExecutions answers newest first
		e, err := p.finished(ctx, descs[i])
		if err != nil {
			return nil, 0, err
		}
		found = append(found, e)
	}
	return found, pending, nil
}

func (p *Pipeline) finished(ctx context.Context, d *sfn.DescribeExecutionOutput) (Execution, error) {
	e := Execution{ARN: aws.ToString(d.ExecutionArn), Status: string(d.Status), Error: aws.ToString(d.Error),
		Input: aws.ToString(d.Input), Output: aws.ToString(d.Output)}
	pages := sfn.NewGetExecutionHistoryPaginator(p.SFN, &sfn.GetExecutionHistoryInput{ExecutionArn: d.ExecutionArn})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return e, fmt.Errorf("history of %s: %w", e.ARN, err)
		}
		for _, ev := range page.Events {
			switch {
			case ev.StateEnteredEventDetails != nil:
				e.Path = append(e.Path, aws.ToString(ev.StateEnteredEventDetails.Name))
			case ev.TaskFailedEventDetails != nil:
				e.TaskErrors = append(e.TaskErrors, aws.ToString(ev.TaskFailedEventDetails.Error))
			case ev.LambdaFunctionFailedEventDetails != nil:
				e.TaskErrors = append(e.TaskErrors, aws.ToString(ev.LambdaFunctionFailedEventDetails.Error))
			}
		}
	}
	return e, nil
}

// Notification is one message the topic delivered to the inbox queue.
type Notification struct {
	MessageID  string
	Subject    string
	Message    string
	Attributes map[string]string
}

// Notifications drains the inbox queue, waiting up to wait for the first
// message.
func (p *Pipeline) Notifications(ctx context.Context, wait time.Duration) ([]Notification, error) {
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
		if len(resp.Messages) == 0 && (len(out) > 0 || time.Now().After(deadline)) {
			return out, nil
		}
		if len(resp.Messages) == 0 {
			time.Sleep(100 * time.Millisecond)
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
	n := Notification{MessageID: env.MessageID, Subject: env.Subject, Message: env.Message, Attributes: map[string]string{}}
	for k, v := range env.MessageAttributes {
		n.Attributes[k] = v.Value
	}
	return n, nil
}
