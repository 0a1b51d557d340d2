// Package backtest deploys trailwatch's backtest on the local AWS stack as
// terraform/modules/backtest deploys it on AWS: the parse program as the
// backtest's function (handler "backtest"), the state machine of
// statemachine/backtest.asl.json (a Distributed Map with an ItemReader and
// a ResultWriter to S3, run by moto), the trail bucket it reads and the
// results bucket it writes, named from functions/shared/deployment.
//
// Moto refuses ItemBatcher, so each child execution gets one log file; the
// function takes one log file or a batch alike. Moto's ItemReader reads
// one page of the listing (1000 objects), and its ResultWriter writes the
// manifest only (no result files).
package backtest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/test/localstack"
)

// ASLPath is the backtest's definition, relative to the repository root.
const ASLPath = "statemachine/backtest.asl.json"

// MapState is the Distributed Map state of the definition.
const MapState = "ScanLogFiles"

// Handler is the function's handler: the parse program's backtest mode.
const Handler = "backtest"

// Names are the backtest's resource names on the stack, terraform's
// defaults: deployment.json's default name and backtest suffixes.
type Names struct {
	Function      string
	StateMachine  string
	ResultsBucket string
	// TrailBucket is the bucket of log files (the user's CloudTrail bucket
	// on AWS).
	TrailBucket string
}

// DefaultNames are the names terraform gives the backtest by default, in
// the stack's account and region.
func DefaultNames() Names {
	f := deployment.Facts
	b := f.Suffixes.Backtest
	return Names{
		Function:      deployment.Name(f.DefaultName, b.Function),
		StateMachine:  deployment.Name(f.DefaultName, b.StateMachine),
		ResultsBucket: deployment.Name(f.DefaultName, b.ResultsBucket) + "-" + localstack.AccountID + "-" + localstack.Region,
		TrailBucket:   f.DefaultName + "-trail-" + localstack.AccountID,
	}
}

// Options configure Deploy.
type Options struct {
	// Root is the repository root (holding go.work).
	Root string
	// Parse is the parse program's host binary (<bin>/parse/bootstrap).
	Parse string
	// MaxConcurrency is the Map's MaxConcurrency (terraform's
	// max_concurrency): how many child executions run at once.
	MaxConcurrency int
	// Logs receives the stack's and the function's logs; nil discards.
	Logs io.Writer
}

// Backtest is the backtest deployed on a local stack.
type Backtest struct {
	Stack           *localstack.Stack
	Names           Names
	S3              *s3.Client
	SFN             *sfn.Client
	StateMachineARN string
}

// Deploy starts a local stack running the parse program as the backtest's
// function and creates the buckets and the state machine. The caller must
// Close it. On error, nothing is left running.
func Deploy(ctx context.Context, opts Options) (*Backtest, error) {
	names := DefaultNames()
	st, err := localstack.Start(ctx, localstack.Config{
		Functions: map[string]localstack.Function{names.Function: {
			Bootstrap: opts.Parse,
			Env:       map[string]string{"_HANDLER": Handler, "LOG_LEVEL": "info"},
		}},
		Logs: opts.Logs,
		// A batch of log files takes longer than the pipeline's steps.
		Timeout: 2 * time.Minute,
	})
	if err != nil {
		return nil, err
	}
	cfg := st.AWSConfig()
	b := &Backtest{Stack: st, Names: names, S3: s3.NewFromConfig(cfg), SFN: sfn.NewFromConfig(cfg)}
	if err := b.create(ctx, opts); err != nil {
		st.Close()
		return nil, err
	}
	return b, nil
}

// Close stops the stack.
func (b *Backtest) Close() error { return b.Stack.Close() }

func (b *Backtest) create(ctx context.Context, opts Options) error {
	for _, bucket := range []string{b.Names.TrailBucket, b.Names.ResultsBucket} {
		if _, err := b.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(bucket)}); err != nil {
			return fmt.Errorf("create bucket %s: %w", bucket, err)
		}
	}
	asl, err := os.ReadFile(filepath.Join(opts.Root, ASLPath))
	if err != nil {
		return err
	}
	def, err := Render(string(asl), map[string]string{
		"trail_bucket":          b.Names.TrailBucket,
		"results_bucket":        b.Names.ResultsBucket,
		"backtest_function_arn": localstack.FunctionARN(b.Names.Function),
	}, opts.MaxConcurrency)
	if err != nil {
		return err
	}
	sm, err := b.SFN.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String(b.Names.StateMachine),
		Type:       sfntypes.StateMachineTypeStandard,
		Definition: aws.String(def),
		RoleArn:    aws.String("arn:aws:iam::" + localstack.AccountID + ":role/" + b.Names.StateMachine),
	})
	if err != nil {
		return fmt.Errorf("create state machine: %w", err)
	}
	b.StateMachineARN = aws.ToString(sm.StateMachineArn)
	return nil
}

// Render fills the definition's ${name} placeholders from vars, as
// terraform's templatefile does, fails on any placeholder left, and sets
// the Map's MaxConcurrency: the local stack's rendering. Terraform's adds
// ToleratedFailurePercentage and ItemBatcher too, which moto does not take.
// Numbers keep their text (moto reads 2.0 and 2 differently).
func Render(asl string, vars map[string]string, maxConcurrency int) (string, error) {
	for name, v := range vars {
		asl = strings.ReplaceAll(asl, "${"+name+"}", v)
	}
	if i := strings.Index(asl, "${"); i >= 0 {
		return "", fmt.Errorf("unfilled placeholder in %s: %s", ASLPath, asl[i:min(len(asl), i+40)])
	}
	dec := json.NewDecoder(strings.NewReader(asl))
	dec.UseNumber()
	var def map[string]any
	if err := dec.Decode(&def); err != nil {
		return "", fmt.Errorf("%s: %w", ASLPath, err)
	}
	states, _ := def["States"].(map[string]any)
	m, ok := states[MapState].(map[string]any)
	if !ok {
		return "", fmt.Errorf("%s has no state %s", ASLPath, MapState)
	}
	if maxConcurrency > 0 {
		m["MaxConcurrency"] = maxConcurrency
	}
	out, err := json.Marshal(def)
	return string(out), err
}

// Execution is a finished run of the backtest.
type Execution struct {
	ARN    string
	Status string
	Error  string
	Cause  string
	Output string
}

// Run starts a backtest of the log files under prefix in the trail bucket,
// as execution name, and waits for it to finish.
func (b *Backtest) Run(ctx context.Context, name, prefix string) (Execution, error) {
	input, err := json.Marshal(map[string]string{"prefix": prefix})
	if err != nil {
		return Execution{}, err
	}
	start, err := b.SFN.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(b.StateMachineARN), Name: aws.String(name), Input: aws.String(string(input)),
	})
	if err != nil {
		return Execution{}, fmt.Errorf("start execution: %w", err)
	}
	for {
		d, err := b.SFN.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: start.ExecutionArn})
		if err != nil {
			return Execution{}, fmt.Errorf("describe execution: %w", err)
		}
		if d.Status != sfntypes.ExecutionStatusRunning {
			return Execution{
				ARN: aws.ToString(start.ExecutionArn), Status: string(d.Status),
				Error: aws.ToString(d.Error), Cause: aws.ToString(d.Cause), Output: aws.ToString(d.Output),
			}, nil
		}
		select {
		case <-ctx.Done():
			return Execution{}, fmt.Errorf("waiting for backtest %s: %w", name, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

// Put stores a log file (or any object) in the trail bucket.
func (b *Backtest) Put(ctx context.Context, key string, body []byte) error {
	if _, err := b.S3.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b.Names.TrailBucket), Key: aws.String(key), Body: bytes.NewReader(body),
	}); err != nil {
		return fmt.Errorf("put %s: %w", key, err)
	}
	return nil
}

// Result reads an object of the results bucket.
func (b *Backtest) Result(ctx context.Context, key string) ([]byte, error) {
	out, err := b.S3.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.Names.ResultsBucket), Key: aws.String(key)})
	if err != nil {
		return nil, fmt.Errorf("get %s: %w", key, err)
	}
	defer out.Body.Close()
	return io.ReadAll(out.Body)
}

// Results lists the keys under prefix in the results bucket.
func (b *Backtest) Results(ctx context.Context, prefix string) ([]string, error) {
	var keys []string
	pages := s3.NewListObjectsV2Paginator(b.S3, &s3.ListObjectsV2Input{Bucket: aws.String(b.Names.ResultsBucket), Prefix: aws.String(prefix)})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, fmt.Errorf("list %s: %w", prefix, err)
		}
		for _, o := range page.Contents {
			keys = append(keys, aws.ToString(o.Key))
		}
	}
	return keys, nil
}
