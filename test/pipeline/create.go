package pipeline

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/trailwatch/trailwatch/test/localstack"
)

// PatternDir holds the EventBridge patterns, one rule each, relative to the
// repository root; they are generated from the catalog.
const PatternDir = "statemachine/event-patterns"

// Pattern is one rule's event pattern.
type Pattern struct {
	// Group is the file's name without .json.
	Group string
	JSON  string
}

// Patterns reads the patterns of PatternDir under root, by group.
func Patterns(root string) ([]Pattern, error) {
	paths, err := filepath.Glob(filepath.Join(root, PatternDir, "*.json"))
	if err != nil {
		return nil, err
	}
	if len(paths) == 0 {
		return nil, fmt.Errorf("no event patterns in %s", filepath.Join(root, PatternDir))
	}
	var out []Pattern
	for _, path := range paths { // Glob sorts
		data, err := os.ReadFile(path)
		if err != nil {
			return nil, err
		}
		out = append(out, Pattern{Group: strings.TrimSuffix(filepath.Base(path), ".json"), JSON: string(data)})
	}
	return out, nil
}

// create makes what terraform makes: table, topic (with a queue subscribed,
// standing in for the email subscription), state machine, the durable
// intake (the parked queue, the intake queue with its redrive policy, the
// pipe, emulated by the stack), the rules targeting the intake queue with
// their dead-letter queue, and the heartbeat canary's security group (the
// canary itself runs when opts.Canary is set).
func (p *Pipeline) create(ctx context.Context, opts Options) error {
	root := opts.Root
	if err := p.createTable(ctx); err != nil {
		return err
	}
	var err error
	if p.AlertsQueueURL, err = p.queue(ctx, p.Names.AlertsQueue, nil); err != nil {
		return err
	}
	if err := p.RecreateTopic(ctx); err != nil {
		return err
	}
	if p.TopicARN != p.Names.TopicARN() {
		return fmt.Errorf("topic ARN %s, notify was given %s", p.TopicARN, p.Names.TopicARN())
	}
	if err := p.createStateMachine(ctx, root); err != nil {
		return err
	}
	if p.DeadLetterQueueURL, err = p.queue(ctx, p.Names.DeadLetterQueue, nil); err != nil {
		return err
	}
	intake, err := IntakeAttributes(opts.VisibilityTimeout)
	if err != nil {
		return err
	}
	if p.ParkedQueueURL, err = p.queue(ctx, p.Names.ParkedQueue, intake.parked); err != nil {
		return err
	}
	if p.IntakeQueueURL, err = p.queue(ctx, p.Names.IntakeQueue, intake.queue(queueARN(p.Names.ParkedQueue))); err != nil {
		return err
	}
	if err := p.createRules(ctx, root); err != nil {
		return err
	}
	p.Stack.StartPipe(context.Background(), localstack.PipeConfig{
		QueueURL: p.IntakeQueueURL, StateMachineARN: p.StateMachineARN, Input: PipeInput,
	})
	if err := p.createCanaryGroup(ctx); err != nil {
		return err
	}
	if opts.Canary > 0 {
		return p.StartCanary(opts.Canary)
	}
	return nil
}

func (p *Pipeline) createTable(ctx context.Context) error {
	if _, err := p.DDB.CreateTable(ctx, &dynamodb.CreateTableInput{
		TableName:            aws.String(p.Names.Table),
		BillingMode:          ddbtypes.BillingModePayPerRequest,
		AttributeDefinitions: []ddbtypes.AttributeDefinition{{AttributeName: aws.String("pk"), AttributeType: ddbtypes.ScalarAttributeTypeS}},
		KeySchema:            []ddbtypes.KeySchemaElement{{AttributeName: aws.String("pk"), KeyType: ddbtypes.KeyTypeHash}},
	}); err != nil {
		return fmt.Errorf("create table: %w", err)
	}
	if _, err := p.DDB.UpdateTimeToLive(ctx, &dynamodb.UpdateTimeToLiveInput{
		TableName:               aws.String(p.Names.Table),
		TimeToLiveSpecification: &ddbtypes.TimeToLiveSpecification{AttributeName: aws.String("ttl"), Enabled: aws.Bool(true)},
	}); err != nil {
		return fmt.Errorf("table ttl: %w", err)
	}
	return nil
}

// RecreateTopic creates the alert topic (again) and subscribes the inbox
// queue to it.
func (p *Pipeline) RecreateTopic(ctx context.Context) error {
	topic, err := p.SNS.CreateTopic(ctx, &sns.CreateTopicInput{Name: aws.String(p.Names.Topic)})
	if err != nil {
		return fmt.Errorf("create topic: %w", err)
	}
	p.TopicARN = aws.ToString(topic.TopicArn)
	if _, err := p.SNS.Subscribe(ctx, &sns.SubscribeInput{
		TopicArn: topic.TopicArn, Protocol: aws.String("sqs"), Endpoint: aws.String(queueARN(p.Names.AlertsQueue)),
	}); err != nil {
		return fmt.Errorf("subscribe: %w", err)
	}
	return nil
}

func (p *Pipeline) createStateMachine(ctx context.Context, root string) error {
	asl, err := os.ReadFile(filepath.Join(root, "statemachine", "pipeline.asl.json"))
	if err != nil {
		return err
	}
	def, err := RenderDefinition(string(asl), func(step string) string { return localstack.FunctionARN(p.Names.Functions[step]) })
	if err != nil {
		return err
	}
	sm, err := p.SFN.CreateStateMachine(ctx, &sfn.CreateStateMachineInput{
		Name:       aws.String(p.Names.StateMachine),
		Type:       sfntypes.StateMachineTypeExpress,
		Definition: aws.String(def),
		RoleArn:    aws.String("arn:aws:iam::" + localstack.AccountID + ":role/" + p.Names.StateMachine),
	})
	if err != nil {
		return fmt.Errorf("create state machine: %w", err)
	}
	p.StateMachineARN = aws.ToString(sm.StateMachineArn)
	return nil
}

// createRules puts one rule per pattern, each targeting the intake queue
// with the dead-letter queue, as terraform does.
func (p *Pipeline) createRules(ctx context.Context, root string) error {
	patterns, err := Patterns(root)
	if err != nil {
		return err
	}
	for _, pat := range patterns {
		name := p.Names.Rule(pat.Group)
		if _, err := p.EB.PutRule(ctx, &eventbridge.PutRuleInput{
			Name: aws.String(name), EventBusName: aws.String(EventBus), EventPattern: aws.String(pat.JSON),
		}); err != nil {
			return fmt.Errorf("put rule %s: %w", name, err)
		}
		out, err := p.EB.PutTargets(ctx, &eventbridge.PutTargetsInput{
			Rule:         aws.String(name),
			EventBusName: aws.String(EventBus),
			Targets: []ebtypes.Target{{
				Id:               aws.String("pipeline"),
				Arn:              aws.String(queueARN(p.Names.IntakeQueue)),
				DeadLetterConfig: &ebtypes.DeadLetterConfig{Arn: aws.String(queueARN(p.Names.DeadLetterQueue))},
			}},
		})
		if err != nil {
			return fmt.Errorf("put targets of %s: %w", name, err)
		}
		if out.FailedEntryCount > 0 {
			return fmt.Errorf("put targets of %s: %s", name, aws.ToString(out.FailedEntries[0].ErrorMessage))
		}
		p.Rules = append(p.Rules, name)
	}
	return nil
}

func (p *Pipeline) queue(ctx context.Context, name string, attrs map[string]string) (string, error) {
	q, err := p.SQS.CreateQueue(ctx, &sqs.CreateQueueInput{QueueName: aws.String(name), Attributes: attrs})
	if err != nil {
		return "", fmt.Errorf("create queue %s: %w", name, err)
	}
	return aws.ToString(q.QueueUrl), nil
}
