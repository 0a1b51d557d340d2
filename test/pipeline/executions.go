package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"
)

// pollInterval is how long the polls here wait between two looks.
const pollInterval = 100 * time.Millisecond

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
	// Variables are the workflow variables as the execution last assigned
	// them (the history's assignedVariables), by name, as JSON: "finding"
	// is the finding (parse's, then enrich's), "alert" the alert dedupe
	// claimed. The state carries only what the Choice states read.
	Variables map[string]string
}

// Finding decodes the finding the execution last assigned (the "finding"
// variable) into v; false when it assigned none.
func (e Execution) Finding(v any) bool {
	raw, ok := e.Variables["finding"]
	return ok && json.Unmarshal([]byte(raw), v) == nil
}

// Outcome classifies the execution by the state it ended in: "notified",
// "suppressed", "skipped" (not in the catalog, or nothing exposed),
// "rejected" (malformed input), "heartbeat" (the canary's, recorded),
// "resolved", "updated", "allowed", "held"
// (for a storm's digest), "digests" (a run of the digest schedule) or
// "failed".
func (e Execution) Outcome() string {
	last := ""
	if len(e.Path) > 0 {
		last = e.Path[len(e.Path)-1]
	}
	switch {
	case e.Status == "SUCCEEDED" && (last == "Notified" || last == "NotifiedUnconfirmed" || last == "PossiblyNotified"):
		return "notified"
	case e.Status == "SUCCEEDED" && (last == "Suppressed" || last == "InFlightElsewhere"):
		return "suppressed"
	case e.Status == "SUCCEEDED" && (last == "Skipped" || last == "NothingExposed"):
		return "skipped"
	case (e.Status == "SUCCEEDED" || e.Status == "FAILED") && last == "Rejected":
		return "rejected"
	case e.Status == "SUCCEEDED" && last == "HeartbeatRecorded":
		return "heartbeat"
	case e.Status == "SUCCEEDED" && (last == "Resolved" || last == "Updated" || last == "Allowed"):
		return strings.ToLower(last)
	case e.Status == "SUCCEEDED" && last == "HeldForDigest":
		return "held"
	case e.Status == "SUCCEEDED" && (last == "DigestsSent" || last == "NoDigestDue"):
		return "digests"
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

// ErrNotDelivered is returned by Delivered when no rule delivered the
// event: none of the rules' patterns matches it.
var ErrNotDelivered = errors.New("no rule matches the event: it started no execution")

// Delivered waits for the execution the rules started for the EventBridge
// event id (as Put returns it) and returns it once finished. Moto matches
// and delivers an event to every rule within PutEvents, so once the rules'
// queue is empty and no execution has the event as input, none will: then
// it returns ErrNotDelivered. Other errors are ctx's or the stack's.
func (p *Pipeline) Delivered(ctx context.Context, eventID string) (Execution, error) {
	match := func(input string) bool { return strings.Contains(input, eventID) && EventIDOf(input) == eventID }
	return poll(ctx, func() (Execution, bool, error) {
		// The queue first: a message gone from it has started its
		// execution already, so the look at the executions sees it.
		queued, err := p.queued(ctx)
		if err != nil {
			return Execution{}, false, err
		}
		found, running, err := p.executions(ctx, match)
		switch {
		case err != nil:
			return Execution{}, false, err
		case len(found) > 0:
			return found[len(found)-1], true, nil
		case running == 0 && queued == 0:
			return Execution{}, false, ErrNotDelivered
		}
		return Execution{}, false, nil
	}, func() string { return "waiting for the execution of event " + eventID })
}

// Execution waits for the execution to finish and returns it.
func (p *Pipeline) Execution(ctx context.Context, arn string) (Execution, error) {
	return poll(ctx, func() (Execution, bool, error) {
		d, err := p.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		if err != nil || d.Status == sfntypes.ExecutionStatusRunning {
			return Execution{}, false, err
		}
		e, err := p.finished(ctx, d)
		return e, err == nil, err
	}, func() string { return "waiting for execution " + arn })
}

// poll calls look every pollInterval until it is done or fails, or ctx
// ends (the error then says what, with ctx's error). A truncated answer is
// asked again, up to maxPollFailures times in a row.
func poll[T any](ctx context.Context, look func() (T, bool, error), what func() string) (T, error) {
	failures := 0
	for {
		v, done, err := look()
		switch {
		case err != nil && (!truncated(err) || failures+1 == maxPollFailures):
			return v, err
		case err != nil:
			failures++
			continue
		case done:
			return v, nil
		}
		failures = 0
		select {
		case <-ctx.Done():
			return v, fmt.Errorf("%s: %w", what(), ctx.Err())
		case <-time.After(pollInterval):
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

// queued returns how many messages the intake queue holds, visible or not.
func (p *Pipeline) queued(ctx context.Context) (int, error) {
	return p.QueueDepth(ctx, p.IntakeQueueURL)
}

// QueueDepth returns how many messages the queue at url holds: visible,
// in flight and delayed.
func (p *Pipeline) QueueDepth(ctx context.Context, url string) (int, error) {
	out, err := p.SQS.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesDelayed,
		},
	})
	if err != nil {
		return 0, fmt.Errorf("count queue %s: %w", url, err)
	}
	n := 0
	for _, v := range out.Attributes {
		var c int
		if _, err := fmt.Sscan(v, &c); err != nil {
			return 0, fmt.Errorf("count queue %s: %q: %w", url, v, err)
		}
		n += c
	}
	return n, nil
}

// executions returns the finished executions whose input match accepts,
// oldest first, and how many such are still running.
func (p *Pipeline) executions(ctx context.Context, match func(input string) bool) (found []Execution, running int, err error) {
	pages := sfn.NewListExecutionsPaginator(p.SFN, &sfn.ListExecutionsInput{StateMachineArn: aws.String(p.StateMachineARN)})
	var descs []*sfn.DescribeExecutionOutput
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, 0, err
		}
		for _, item := range page.Executions {
			arn := aws.ToString(item.ExecutionArn)
			if input, ok := p.inputs.Load(arn); ok && !match(input.(string)) {
				continue
			}
			d, err := p.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: item.ExecutionArn})
			if err != nil {
				return nil, 0, err
			}
			p.inputs.Store(arn, aws.ToString(d.Input))
			if !match(aws.ToString(d.Input)) {
				continue
			}
			if d.Status == sfntypes.ExecutionStatusRunning {
				running++
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
	return found, running, nil
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
			case ev.StateExitedEventDetails != nil:
				for name, value := range ev.StateExitedEventDetails.AssignedVariables {
					if e.Variables == nil {
						e.Variables = map[string]string{}
					}
					e.Variables[name] = value
				}
			case ev.TaskFailedEventDetails != nil:
				e.TaskErrors = append(e.TaskErrors, aws.ToString(ev.TaskFailedEventDetails.Error))
			case ev.LambdaFunctionFailedEventDetails != nil:
				e.TaskErrors = append(e.TaskErrors, aws.ToString(ev.LambdaFunctionFailedEventDetails.Error))
			}
		}
	}
	return e, nil
}

// StateInputs returns the input of each time the execution arn entered
// the state called name, in order (Map iterations included).
func (p *Pipeline) StateInputs(ctx context.Context, arn, name string) ([]string, error) {
	var out []string
	pages := sfn.NewGetExecutionHistoryPaginator(p.SFN, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", arn, err)
		}
		for _, ev := range page.Events {
			if d := ev.StateEnteredEventDetails; d != nil && aws.ToString(d.Name) == name {
				out = append(out, aws.ToString(d.Input))
			}
		}
	}
	return out, nil
}

// StateVariables returns the workflow variables the state called name
// assigned, by name as JSON, each time the execution arn left it, in order
// (Map iterations included).
func (p *Pipeline) StateVariables(ctx context.Context, arn, name string) ([]map[string]string, error) {
	var out []map[string]string
	pages := sfn.NewGetExecutionHistoryPaginator(p.SFN, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("history of %s: %w", arn, err)
		}
		for _, ev := range page.Events {
			if d := ev.StateExitedEventDetails; d != nil && aws.ToString(d.Name) == name {
				out = append(out, d.AssignedVariables)
			}
		}
	}
	return out, nil
}

// WaitIdle waits until the rules' queue is empty and no execution runs:
// every event sent so far has been handled.
func (p *Pipeline) WaitIdle(ctx context.Context) error {
	_, err := poll(ctx, func() (struct{}, bool, error) {
		queued, err := p.queued(ctx)
		if err != nil || queued > 0 {
			return struct{}{}, false, err
		}
		out, err := p.SFN.ListExecutions(ctx, &sfn.ListExecutionsInput{StateMachineArn: aws.String(p.StateMachineARN),
			StatusFilter: sfntypes.ExecutionStatusRunning, MaxResults: 1})
		if err != nil {
			return struct{}{}, false, err
		}
		return struct{}{}, len(out.Executions) == 0, nil
	}, func() string { return "waiting for the pipeline to be idle" })
	return err
}

// Executions returns every finished execution whose input match accepts,
// oldest first.
func (p *Pipeline) Executions(ctx context.Context, match func(input string) bool) ([]Execution, error) {
	found, _, err := p.executions(ctx, match)
	return found, err
}
