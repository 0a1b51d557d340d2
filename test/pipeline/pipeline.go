// Package pipeline deploys trailwatch on the local AWS stack (moto behind
// the gateway of package localstack) as terraform deploys it on AWS: the
// four real function binaries with the environment terraform gives them,
// the state machine from statemachine/pipeline.asl.json, one EventBridge
// rule per pattern in statemachine/event-patterns, the DynamoDB table, the
// SNS topic and the dead-letter queue, named from functions/shared/
// deployment. The demo, the playground (make up, make send) and the
// end-to-end tests all use it.
//
// Files by job: names.go and environment.go (what terraform would name and
// set), build.go (the host binaries), pipeline.go (deploy), create.go (the
// resources), definition.go (the ASL), send.go (events in), executions.go
// (polling executions), notifications.go (draining the inbox), manifest.go
// (.local/stack.json), lifecycle.go (the rules file and the digest
// schedule, as terraform deploys them), world.go, samples.go and demo.go
// (the demo).
package pipeline

import (
	"context"
	"fmt"
	"io"
	"maps"
	"net/url"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	smithyendpoints "github.com/aws/smithy-go/endpoints"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/test/localstack"
)

// Options configure Deploy.
type Options struct {
	// Root is the repository root (holding go.work).
	Root string
	// BinDir holds the functions' host binaries, <step>/bootstrap (see
	// Build and Binaries).
	BinDir string
	// Logs receives the stack's and the functions' logs; nil discards.
	Logs io.Writer
	// Env overrides function environment (DEDUPE_WINDOW, LOG_LEVEL, ...):
	// see Names.Environment.
	Env map[string]string
	// Port is the stack's port on 127.0.0.1; 0 picks a free one.
	Port int
	// RulesFile is a suppression rules file to deploy, as terraform's
	// rules_file does: its text stored in the table (WriteRules) and its
	// SHA-256 given to dedupe as RULES_DIGEST. Deploy does not validate it:
	// terraform refuses a malformed file at plan, and dedupe at start.
	RulesFile string
	// VisibilityTimeout is the intake queue's visibility timeout: how long
	// a message whose execution did not succeed stays away before the pipe
	// receives it again; 0 means intake.visibility_timeout of
	// deployment.json. Tests shorten it.
	VisibilityTimeout time.Duration
	// Canary is the heartbeat canary's interval; 0 runs no canary (see
	// StartCanary). With a canary, dedupe expects its beats
	// (HEARTBEAT_TARGETS is the stack's account and region) unless Env
	// says otherwise.
	Canary time.Duration
	// StackEnv is extra environment for every function process, not
	// checked against what they read: the SDK's AWS_ENDPOINT_URL_<SERVICE>
	// to route one service's calls through an observer (test/cost).
	StackEnv map[string]string
}

// Pipeline is trailwatch deployed on a local stack.
type Pipeline struct {
	// Stack is the local stack Deploy started; nil for a Pipeline from
	// Attach.
	Stack *localstack.Stack
	Names Names

	SFN *sfn.Client
	SQS *sqs.Client
	SNS *sns.Client
	EC2 *ec2.Client
	ELB *elbv2.Client
	DDB *dynamodb.Client
	EB  *eventbridge.Client
	RDS *rds.Client
	S3  *s3.Client
	// Lambda and IAM reach moto's, for the world's functions (the
	// gateway serves only Invoke).
	Lambda *lambda.Client
	IAM    *iam.Client
	// S3Control reaches the stack's endpoint as it is (see fixedEndpoint).
	S3Control *s3control.Client

	StateMachineARN    string
	TopicARN           string
	Rules              []string // rule names, by pattern group
	IntakeQueueURL     string
	ParkedQueueURL     string
	AlertsQueueURL     string
	DeadLetterQueueURL string
	// CanaryGroupID is the heartbeat canary's security group.
	CanaryGroupID string

	// inputs caches each execution's input by ARN (it never changes), so
	// that looking for one execution among many describes each only once.
	inputs sync.Map
}

// clients returns a Pipeline with its clients built for cfg.
func clients(cfg aws.Config, names Names) *Pipeline {
	return &Pipeline{
		Names:  names,
		SFN:    sfn.NewFromConfig(cfg),
		SQS:    sqs.NewFromConfig(cfg),
		SNS:    sns.NewFromConfig(cfg),
		EC2:    ec2.NewFromConfig(cfg),
		ELB:    elbv2.NewFromConfig(cfg),
		DDB:    dynamodb.NewFromConfig(cfg),
		EB:     eventbridge.NewFromConfig(cfg),
		RDS:    rds.NewFromConfig(cfg),
		S3:     s3.NewFromConfig(cfg),
		Lambda: lambda.NewFromConfig(cfg),
		IAM:    iam.NewFromConfig(cfg),
		S3Control: s3control.NewFromConfig(cfg, func(o *s3control.Options) {
			if cfg.BaseEndpoint != nil {
				o.EndpointResolverV2 = fixedEndpoint(*cfg.BaseEndpoint)
			}
		}),
	}
}

// fixedEndpoint resolves every S3 Control call to one URL: the rules would
// put the account id in front of the stack's host (127.0.0.1), which names
// nothing.
type fixedEndpoint string

func (f fixedEndpoint) ResolveEndpoint(context.Context, s3control.EndpointParameters) (smithyendpoints.Endpoint, error) {
	u, err := url.Parse(string(f))
	if err != nil {
		return smithyendpoints.Endpoint{}, err
	}
	return smithyendpoints.Endpoint{URI: *u}, nil
}

// Deploy starts a local stack running the binaries of opts.BinDir and
// creates the pipeline on it, with terraform's default names. The caller
// must Close it. On error, nothing is left running.
func Deploy(ctx context.Context, opts Options) (*Pipeline, error) {
	names := Default
	bins, err := bootstraps(opts.BinDir)
	if err != nil {
		return nil, err
	}
	var rules []byte
	overrides := maps.Clone(opts.Env)
	if opts.RulesFile != "" {
		if rules, err = os.ReadFile(opts.RulesFile); err != nil {
			return nil, fmt.Errorf("rules file: %w", err)
		}
		if overrides == nil {
			overrides = map[string]string{}
		}
		overrides[deployment.EnvRulesDigest] = RulesDigest(rules)
	}
	if opts.Canary > 0 && readBySome(deployment.EnvHeartbeatTargets) {
		if overrides == nil {
			overrides = map[string]string{}
		}
		if _, set := overrides[deployment.EnvHeartbeatTargets]; !set {
			overrides[deployment.EnvHeartbeatTargets] = HeartbeatTargets
		}
	}
	env, err := names.Environment(overrides)
	if err != nil {
		return nil, err
	}
	functions := make(map[string]localstack.Function, len(bins))
	for step, path := range bins {
		functions[names.Functions[step]] = localstack.Function{Bootstrap: path, Env: env[step]}
	}
	st, err := localstack.Start(ctx, localstack.Config{Functions: functions, Logs: opts.Logs, Port: opts.Port, Env: opts.StackEnv})
	if err != nil {
		return nil, err
	}
	p := clients(st.AWSConfig(), names)
	p.Stack = st
	if err := p.create(ctx, opts); err != nil {
		st.Close()
		return nil, err
	}
	if rules != nil {
		if err := p.WriteRules(ctx, filepath.Base(opts.RulesFile), rules); err != nil {
			st.Close()
			return nil, err
		}
	}
	return p, nil
}

// Close stops the stack and every process it started; it does nothing for
// a Pipeline from Attach.
func (p *Pipeline) Close() error {
	if p.Stack == nil {
		return nil
	}
	return p.Stack.Close()
}
