package pipeline

import (
	"slices"

	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/test/localstack"
)

// Names are the names of what Deploy creates. Those terraform also creates
// come from functions/shared/deployment (deployment.json), as terraform
// builds them: the deployment's name followed by the resource's suffix. The
// alerts inbox is the local stack's own stand-in.
type Names struct {
	// Name is the deployment's name, the prefix of every other.
	Name string
	// Functions are the function names by step (parse, enrich, dedupe,
	// notify).
	Functions       map[string]string
	StateMachine    string
	Table           string
	Topic           string
	DeadLetterQueue string
	// RulePrefix starts the name of every EventBridge rule: the rule of the
	// pattern group g is Rule(g).
	RulePrefix string
	// IntakeQueue is the rules' target, the durable intake the pipe reads;
	// ParkedQueue is its dead-letter queue, where a message received
	// intake.max_receive_count times without a successful execution
	// waits for a redrive.
	IntakeQueue string
	ParkedQueue string
	// CanaryGroup is the heartbeat canary's own security group, CanaryRole
	// the role its schedule assumes.
	CanaryGroup string
	CanaryRole  string
	// AlertsQueue is subscribed to the topic: it stands in for the email
	// subscription.
	AlertsQueue string
}

// EventBus is the bus the rules are on: the default bus, as in a
// single-account deployment.
const EventBus = "default"

// NamesFor returns the names of a deployment called name.
func NamesFor(name string) Names {
	s := deployment.Facts.Suffixes
	n := Names{
		Name:            name,
		Functions:       make(map[string]string, len(s.Functions)),
		StateMachine:    deployment.Name(name, s.StateMachine),
		Table:           deployment.Name(name, s.DedupeTable),
		Topic:           deployment.Name(name, s.AlertTopic),
		DeadLetterQueue: deployment.Name(name, s.DeadLetterQueue),
		RulePrefix:      deployment.Name(name, s.Rule),
		IntakeQueue:     deployment.Name(name, s.IntakeQueue),
		ParkedQueue:     deployment.Name(name, s.ParkedQueue),
		CanaryGroup:     deployment.Name(name, s.Heartbeat.SecurityGroup),
		CanaryRole:      deployment.Name(name, s.Heartbeat.Role),
		AlertsQueue:     name + "-alerts-inbox",
	}
	for step, suffix := range s.Functions {
		n.Functions[step] = deployment.Name(name, suffix)
	}
	return n
}

// Default are the names of a deployment with terraform's default name.
var Default = NamesFor(deployment.Facts.DefaultName)

// Steps are the pipeline's functions by step name, sorted.
var Steps = func() []string {
	var steps []string
	for step := range deployment.Facts.Suffixes.Functions {
		steps = append(steps, step)
	}
	slices.Sort(steps)
	return steps
}()

// Rule returns the name of the rule of the pattern group (the name of its
// file in statemachine/event-patterns, without .json).
func (n Names) Rule(group string) string { return n.RulePrefix + "-" + group }

// TopicARN returns the topic's ARN in the local stack.
func (n Names) TopicARN() string {
	return "arn:aws:sns:" + localstack.Region + ":" + localstack.AccountID + ":" + n.Topic
}

// queueARN returns the ARN of the local stack's queue called name.
func queueARN(name string) string {
	return "arn:aws:sqs:" + localstack.Region + ":" + localstack.AccountID + ":" + name
}
