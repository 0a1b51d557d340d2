package cost

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/trailwatch/trailwatch/test/localstack"
	"github.com/trailwatch/trailwatch/test/pipeline"
)

// Run is one measured run of the samples: what test/cmd/cost writes to
// bench/cost.json and the README's cost section is rendered from.
type Run struct {
	// Measured is the day of the run; Definition the sha256 (first 12 hex
	// digits) of statemachine/pipeline.asl.json as measured.
	Measured   string `json:"measured"`
	Definition string `json:"definition"`
	// MemoryMB is the functions' memory_size in terraform/lambda.tf.
	MemoryMB   int         `json:"memoryMb"`
	Executions []Execution `json:"executions"`
	// Calls are the functions' DynamoDB and SNS calls over the run.
	Calls Calls `json:"calls"`
	// FunctionLogBytes are the functions' log lines over the run, by
	// function, as CloudWatch Logs ingests them (LogEventOverhead each),
	// with Lambda's own lines (PlatformLogBytes per invocation).
	FunctionLogBytes map[string]int `json:"functionLogBytes"`
}

// Execution is what one execution measured.
type Execution struct {
	Sample  string `json:"sample"`
	Outcome string `json:"outcome"`
	// Logged are the bytes of its log, by Level.Name.
	Logged map[string]int `json:"logged"`
	// DurationMS is from its start to its end.
	DurationMS float64 `json:"durationMs"`
	// Invocations are the durations (ms) of its function invocations, by
	// function (pipeline step), retries included.
	Invocations map[string][]float64 `json:"invocations"`
}

// PlatformLogBytes is what Lambda itself logs per invocation in the Text
// log format: its START, END and REPORT lines (with the X-Ray trace of an
// actively traced function), each a log event
// (https://docs.aws.amazon.com/lambda/latest/dg/monitoring-cloudwatchlogs.html).
// An example of the three, as ingested:
//
//	START RequestId: 6f0a2c1e-8d4b-4e57-9a3c-2b1d0e9f8a7c Version: $LATEST
//	END RequestId: 6f0a2c1e-8d4b-4e57-9a3c-2b1d0e9f8a7c
//	REPORT RequestId: 6f0a2c1e-8d4b-4e57-9a3c-2b1d0e9f8a7c	Duration: 12.34 ms	Billed Duration: 13 ms	Memory Size: 128 MB	Max Memory Used: 31 MB	XRAY TraceId: 1-6569f3a1-3c5e9a1b2d4f6e8a0b1c2d3e	SegmentId: 4a1b2c3d4e5f6a7b	Sampled: true
const PlatformLogBytes = 68 + 52 + 240 + 3*LogEventOverhead

// Options configure Measure.
type Options struct {
	// Root is the repository root; BinDir holds the functions' host binaries.
	Root, BinDir string
	// Progress receives the samples' progress lines.
	Progress io.Writer
}

// Measure deploys the pipeline on a local stack, seeds the demo's world,
// runs the demo's samples through it, and measures each execution and the
// functions' calls and logs.
func Measure(ctx context.Context, opts Options) (*Run, error) {
	asl, err := os.ReadFile(filepath.Join(opts.Root, "statemachine", "pipeline.asl.json"))
	if err != nil {
		return nil, err
	}
	sum := sha256.Sum256(asl)
	memory, err := MemoryMB(opts.Root)
	if err != nil {
		return nil, err
	}
	rec, err := NewRecorder()
	if err != nil {
		return nil, err
	}
	defer rec.Close()
	var logs localstack.Buffer
	p, err := pipeline.Deploy(ctx, pipeline.Options{Root: opts.Root, BinDir: opts.BinDir, Logs: &logs, StackEnv: rec.Env()})
	if err != nil {
		return nil, err
	}
	defer p.Close()
	if err := rec.SetTarget(p.Stack.Endpoint()); err != nil {
		return nil, err
	}
	w, err := p.Seed(ctx)
	if err != nil {
		return nil, err
	}
	samples, err := p.Samples(opts.Root, w)
	if err != nil {
		return nil, err
	}
	progress := opts.Progress
	if progress == nil {
		progress = io.Discard
	}
	rep, err := p.RunSamples(ctx, samples, progress)
	if err != nil {
		return nil, fmt.Errorf("%w\nstack logs:\n%s", err, logs.String())
	}
	run := &Run{
		Measured: time.Now().UTC().Format(time.DateOnly), Definition: hex.EncodeToString(sum[:6]),
		MemoryMB: memory, Calls: rec.Calls(),
	}
	steps := map[string]string{} // function ARN -> step
	for step, name := range p.Names.Functions {
		steps[localstack.FunctionARN(name)] = step
	}
	for _, r := range rep.Results {
		if r.Execution.ARN == "" {
			continue // the rules delivered it nowhere: no execution
		}
		e, err := measureExecution(ctx, p.SFN, r.Execution.ARN, steps)
		if err != nil {
			return nil, err
		}
		e.Sample, e.Outcome = r.Sample.Name, r.Outcome
		run.Executions = append(run.Executions, e)
	}
	if run.FunctionLogBytes, err = functionLogBytes(logs.String(), p.Names.Functions, run.Executions); err != nil {
		return nil, err
	}
	return run, nil
}

// measureExecution reads the execution's history.
func measureExecution(ctx context.Context, client *sfn.Client, arn string, steps map[string]string) (Execution, error) {
	var events []sfntypes.HistoryEvent
	pages := sfn.NewGetExecutionHistoryPaginator(client, &sfn.GetExecutionHistoryInput{ExecutionArn: aws.String(arn)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return Execution{}, fmt.Errorf("history of %s: %w", arn, err)
		}
		events = append(events, page.Events...)
	}
	e := Execution{Logged: map[string]int{}, Invocations: map[string][]float64{}}
	for _, l := range Levels {
		n, err := LoggedBytes(arn, events, l)
		if err != nil {
			return Execution{}, err
		}
		e.Logged[l.Name] = n
	}
	if len(events) > 0 {
		e.DurationMS = ms(aws.ToTime(events[len(events)-1].Timestamp).Sub(aws.ToTime(events[0].Timestamp)))
	}
	// A task's invocation runs from TaskStarted to its end; TaskScheduled
	// names the function.
	var step string
	var started time.Time
	for _, ev := range events {
		switch {
		case ev.TaskScheduledEventDetails != nil:
			step = functionStep(aws.ToString(ev.TaskScheduledEventDetails.Parameters), steps)
		case ev.TaskStartedEventDetails != nil:
			started = aws.ToTime(ev.Timestamp)
		case ev.TaskSucceededEventDetails != nil || ev.TaskFailedEventDetails != nil || ev.TaskTimedOutEventDetails != nil:
			if step != "" && !started.IsZero() {
				e.Invocations[step] = append(e.Invocations[step], ms(aws.ToTime(ev.Timestamp).Sub(started)))
			}
			step, started = "", time.Time{}
		}
	}
	return e, nil
}

func ms(d time.Duration) float64 { return math.Round(float64(d.Microseconds())) / 1000 }

// functionStep is the step of the function a lambda:invoke task's
// parameters name; "" for another task.
func functionStep(parameters string, steps map[string]string) string {
	var p struct {
		FunctionName string `json:"FunctionName"`
	}
	if json.Unmarshal([]byte(parameters), &p) != nil {
		return ""
	}
	if step, ok := steps[p.FunctionName]; ok {
		return step
	}
	for arn, step := range steps { // a qualified ARN (:version or :alias)
		if strings.HasPrefix(p.FunctionName, arn+":") {
			return step
		}
	}
	return ""
}

// functionLogBytes sums each function's log lines in the stack's logs
// (prefixed "<function name>[<process>]: "), and Lambda's own lines per
// invocation.
func functionLogBytes(logs string, functions map[string]string, execs []Execution) (map[string]int, error) {
	out := map[string]int{}
	byName := map[string]string{}
	for step, name := range functions {
		byName[name] = step
		out[step] = 0
	}
	sc := bufio.NewScanner(strings.NewReader(logs))
	sc.Buffer(make([]byte, 0, 1<<20), 16<<20)
	for sc.Scan() {
		line := sc.Text()
		name, rest, ok := strings.Cut(line, "[")
		if !ok {
			continue
		}
		step, ok := byName[name]
		if !ok {
			continue
		}
		_, msg, ok := strings.Cut(rest, "]: ")
		if !ok {
			continue
		}
		out[step] += len(msg) + LogEventOverhead
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, e := range execs {
		for step, inv := range e.Invocations {
			out[step] += len(inv) * PlatformLogBytes
		}
	}
	return out, nil
}

// MemoryMB reads the functions' memory_size from terraform/lambda.tf (the
// one aws_lambda_function, a for_each over the four).
func MemoryMB(root string) (int, error) {
	path := filepath.Join(root, "terraform", "lambda.tf")
	f, diags := hclparse.NewParser().ParseHCLFile(path)
	if diags.HasErrors() {
		return 0, fmt.Errorf("%s: %s", path, diags.Error())
	}
	for _, b := range f.Body.(*hclsyntax.Body).Blocks {
		if b.Type != "resource" || len(b.Labels) < 1 || b.Labels[0] != "aws_lambda_function" {
			continue
		}
		a, ok := b.Body.Attributes["memory_size"]
		if !ok {
			return 128, nil // Lambda's default
		}
		v, diags := a.Expr.Value(nil)
		if diags.HasErrors() {
			return 0, fmt.Errorf("%s: memory_size is not a literal: %s", path, diags.Error())
		}
		n, err := strconv.Atoi(v.AsBigFloat().Text('f', 0))
		if err != nil {
			return 0, err
		}
		return n, nil
	}
	return 0, fmt.Errorf("%s: no aws_lambda_function", path)
}
