// Package deployment is the one source of the facts every deployment of
// trailwatch shares: resource names, the dedupe durations, the environment
// each function reads and the AWS quotas the project can reach. They live in deployment.json, which
// terraform reads with jsondecode(file(...)) and this package embeds, so
// the functions' defaults, the local stack and terraform cannot drift.
package deployment

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"reflect"
	"strings"
	"time"
)

//go:embed deployment.json
var raw []byte

// File is deployment.json.
type File struct {
	// Doc says what the file is for.
	Doc string `json:"_doc"`
	// DefaultName is the default of terraform's var.name: the prefix of
	// every resource name.
	DefaultName string   `json:"default_name"`
	Suffixes    Suffixes `json:"suffixes"`
	Dedupe      Dedupe   `json:"dedupe"`
	Storm       Storm    `json:"storm"`
	// DigestSchedule is how often the digest schedule starts the state
	// machine, and with what input.
	DigestSchedule DigestSchedule `json:"digest_schedule"`
	Rules          Rules          `json:"rules"`
	Intake         Intake         `json:"intake"`
	Heartbeat      Heartbeat      `json:"heartbeat"`
	Consistency    Consistency    `json:"consistency"`
	Metrics        Metrics        `json:"metrics"`
	// Environment lists, by function, the variables the function reads
	// besides LOG_LEVEL.
	Environment map[string][]string `json:"environment"`
	Quotas      Quotas              `json:"quotas"`
}

// Quota is one AWS limit: its value, in Unit, as documented at URL. Doc
// says which limit it is and what in the project holds it.
type Quota struct {
	Value int    `json:"value"`
	Unit  string `json:"unit"`
	URL   string `json:"url"`
	Doc   string `json:"doc"`
}

// Quotas are the AWS limits the project can reach, each checked against
// what the project generates or sends (see each Quota's Doc). Sizes in
// bytes are of UTF-8 text; IAM policy sizes are characters, whitespace not
// counted.
type Quotas struct {
	// EventPatternChars bounds one rule's event pattern.
	EventPatternChars Quota `json:"eventbridge_event_pattern_chars"`
	// RuleNameChars bounds an EventBridge rule's name.
	RuleNameChars Quota `json:"eventbridge_rule_name_chars"`
	// PutEventsEntryBytes bounds one event on EventBridge.
	PutEventsEntryBytes Quota `json:"eventbridge_put_events_entry_bytes"`
	// DefinitionBytes bounds the state machine's definition.
	DefinitionBytes Quota `json:"sfn_definition_bytes"`
	// PayloadBytes bounds a state's input and output and a task's payload.
	PayloadBytes Quota `json:"sfn_payload_bytes"`
	// VariableBytes bounds one workflow variable's value.
	VariableBytes Quota `json:"sfn_variable_bytes"`
	// SNSMessageBytes bounds a published message.
	SNSMessageBytes Quota `json:"sns_message_bytes"`
	// SNSSubjectChars bounds a published subject.
	SNSSubjectChars Quota `json:"sns_subject_chars"`
	// LambdaEnvironmentBytes bounds a function's environment.
	LambdaEnvironmentBytes Quota `json:"lambda_environment_bytes"`
	// RolePolicyChars bounds all inline policies of one IAM role.
	RolePolicyChars Quota `json:"iam_role_policy_chars"`
	// TrustPolicyChars bounds an IAM role's trust policy.
	TrustPolicyChars Quota `json:"iam_trust_policy_chars"`
	// SQSPolicyBytes bounds a queue's access policy.
	SQSPolicyBytes Quota `json:"sqs_policy_bytes"`
	// RoleNameChars bounds an IAM role's name.
	RoleNameChars Quota `json:"iam_role_name_chars"`
	// ItemBytes bounds one DynamoDB item.
	ItemBytes Quota `json:"dynamodb_item_bytes"`
	// PartitionKeyBytes bounds a DynamoDB partition key value.
	PartitionKeyBytes Quota `json:"dynamodb_partition_key_bytes"`
	// TransactActions bounds the actions of one TransactWriteItems.
	TransactActions Quota `json:"dynamodb_transact_write_items_actions"`
	// BatchGetKeys bounds the keys of one BatchGetItem.
	BatchGetKeys Quota `json:"dynamodb_batch_get_item_keys"`
}

// All returns every quota by its key in deployment.json.
func (q Quotas) All() map[string]Quota {
	v := reflect.ValueOf(q)
	out := make(map[string]Quota, v.NumField())
	for i := range v.NumField() {
		key, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("json"), ",")
		out[key] = v.Field(i).Interface().(Quota)
	}
	return out
}

// Suffixes follow the deployment's name in resource names.
type Suffixes struct {
	// Functions by pipeline step: parse, enrich, dedupe, notify.
	Functions    map[string]string `json:"functions"`
	StateMachine string            `json:"state_machine"`
	DedupeTable  string            `json:"dedupe_table"`
	AlertTopic   string            `json:"alert_topic"`
	// ChatTopic is the optional topic AWS Chatbot subscribes to.
	ChatTopic       string `json:"chat_topic"`
	OpsTopic        string `json:"ops_topic"`
	Rule            string `json:"rule"`
	DeadLetterQueue string `json:"dead_letter_queue"`
	// DigestSchedule names the EventBridge Scheduler schedule that sends
	// storms' digests (terraform only: the local stack runs it by hand).
	DigestSchedule string `json:"digest_schedule"`
	// IntakeQueue is the SQS queue the rules write, PipeName the
	// EventBridge Pipe that reads it and starts the state machine,
	// ParkedQueue the dead-letter queue of the intake queue.
	IntakeQueue string `json:"intake_queue"`
	ParkedQueue string `json:"parked_queue"`
	Pipe        string `json:"pipe"`
	// Trail names the CloudTrail trail terraform creates when asked to.
	Trail string `json:"trail"`
	// Dashboard names the CloudWatch dashboard.
	Dashboard string `json:"dashboard"`
	// Heartbeat names the canary's resources in every watched account
	// and region.
	Heartbeat HeartbeatSuffixes `json:"heartbeat"`
	// Backtest names the resources of the optional backtest
	// (terraform/modules/backtest).
	Backtest BacktestSuffixes `json:"backtest"`
}

// HeartbeatSuffixes follow the deployment's name in the canary's
// resource names: its schedule, the security group it tags, its role.
type HeartbeatSuffixes struct {
	Schedule      string `json:"schedule"`
	SecurityGroup string `json:"security_group"`
	Role          string `json:"role"`
}

// BacktestSuffixes follow the deployment's name in the backtest's
// resource names; the results bucket's name then ends in
// -<account>-<region>, since bucket names are global.
type BacktestSuffixes struct {
	Function      string `json:"function"`
	StateMachine  string `json:"state_machine"`
	ResultsBucket string `json:"results_bucket"`
}

// Dedupe holds the dedupe durations, as Go durations ("24h", "5m").
type Dedupe struct {
	Window    string `json:"window"`
	Lease     string `json:"lease"`
	Retention string `json:"retention"`
}

// Durations returns the dedupe durations parsed.
func (d Dedupe) Durations() (window, lease, retention time.Duration, err error) {
	for _, p := range []struct {
		name string
		s    string
		dst  *time.Duration
	}{{"window", d.Window, &window}, {"lease", d.Lease, &lease}, {"retention", d.Retention, &retention}} {
		if *p.dst, err = time.ParseDuration(p.s); err != nil {
			return 0, 0, 0, fmt.Errorf("deployment.json dedupe.%s: %w", p.name, err)
		}
	}
	return window, lease, retention, nil
}

// Storm is when a burst of alerts becomes a storm: more than Threshold
// from one account, actor and event name within Period (a Go duration of
// whole hours, minutes and seconds).
type Storm struct {
	Threshold int    `json:"threshold"`
	Period    string `json:"period"`
}

// DigestSchedule is the schedule that sends storms' digests.
type DigestSchedule struct {
	// Expression is the EventBridge Scheduler rate expression terraform
	// gives the schedule.
	Expression string `json:"expression"`
	// Interval is the same period as a Go duration: dedupe makes a
	// digest due one interval before its storm period ends.
	Interval string `json:"interval"`
	// Input is what the schedule starts the state machine with: an
	// EventBridge-shaped event that parse does not take for CloudTrail
	// (UnsupportedEventError), which the state machine then routes to the
	// digests by its source and detail-type.
	Input ScheduleInput `json:"input"`
}

// ScheduleInput is the digest schedule's input.
type ScheduleInput struct {
	Source     string         `json:"source"`
	DetailType string         `json:"detail-type"`
	Detail     map[string]any `json:"detail"`
}

// Rules is where the suppression rules file is kept and what terraform
// checks of it at plan (package rules checks it whole at start).
type Rules struct {
	// ItemKey is the pk of the dedupe table's item holding the file:
	// TextAttribute its text, DigestAttribute the text's SHA-256 (hex,
	// dedupe's RULES_DIGEST), NameAttribute the file's name.
	ItemKey         string `json:"item_key"`
	TextAttribute   string `json:"text_attribute"`
	DigestAttribute string `json:"digest_attribute"`
	NameAttribute   string `json:"name_attribute"`
	// MatchKeys are the keys a rule's match may have.
	MatchKeys []string `json:"match_keys"`
	MaxBytes  int      `json:"max_bytes"`
	MaxRules  int      `json:"max_rules"`
}

// Intake is the durable intake: the rules write an SQS queue whose
// messages an EventBridge Pipe hands, BatchSize at a time, to a
// synchronous execution of the state machine. A message the pipe does not
// delete (its execution failed) is received again after
// VisibilityTimeout; after MaxReceiveCount receives SQS moves it to the
// parked queue. Both queues keep messages for Retention. Durations are Go
// durations of whole seconds.
type Intake struct {
	BatchSize         int    `json:"batch_size"`
	VisibilityTimeout string `json:"visibility_timeout"`
	MaxReceiveCount   int    `json:"max_receive_count"`
	Retention         string `json:"retention"`
}

// Heartbeat is the canary: every Interval (the schedule's Expression) each
// watched account and region tags its own security group with TagKey set
// to the time, a call CloudTrail records and the catalog recognises.
// dedupe keeps the last beat per account and region in the item
// ItemPrefix + "<account>#<region>"; the heartbeat alarm fires when the
// oldest beat is older than MaxAge.
type Heartbeat struct {
	TagKey     string `json:"tag_key"`
	Expression string `json:"expression"`
	Interval   string `json:"interval"`
	MaxAge     string `json:"max_age"`
	ItemPrefix string `json:"item_prefix"`
}

// Consistency is the wait for eventual consistency: when the lookups do not
// show yet what an event did, the state machine waits WaitSeconds (its
// WaitForConsistency state, which a test holds to this) and enrich looks
// again, at most MaxWaits times.
type Consistency struct {
	WaitSeconds int `json:"wait_seconds"`
	MaxWaits    int `json:"max_waits"`
}

// Metrics says where the functions' embedded metrics go and which there
// are: the functions emit only these, terraform's alarms and dashboard
// name only these.
type Metrics struct {
	// Namespace is the CloudWatch namespace of every metric.
	Namespace string   `json:"namespace"`
	Names     []Metric `json:"names"`
}

// Metric is one embedded metric: its name, CloudWatch unit, and dimension
// sets (each a list of dimension names; an empty set is the metric
// without dimensions).
type Metric struct {
	Name       string     `json:"name"`
	Unit       string     `json:"unit"`
	Dimensions [][]string `json:"dimensions"`
	Doc        string     `json:"doc"`
}

// StormDurations returns the storm period and the digest schedule's interval
// parsed.
func (f File) StormDurations() (period, interval time.Duration, err error) {
	if period, err = time.ParseDuration(f.Storm.Period); err != nil {
		return 0, 0, fmt.Errorf("deployment.json storm.period: %w", err)
	}
	if interval, err = time.ParseDuration(f.DigestSchedule.Interval); err != nil {
		return 0, 0, fmt.Errorf("deployment.json digest_schedule.interval: %w", err)
	}
	return period, interval, nil
}

// Facts is deployment.json, decoded once. The file is embedded and checked
// by this package's tests, so decoding it cannot fail at run time.
var Facts = func() File {
	var f File
	if err := json.Unmarshal(raw, &f); err != nil {
		panic("deployment: decode deployment.json: " + err.Error())
	}
	return f
}()

// Name returns the name of a resource of the deployment called name, given
// its suffix: Name("trailwatch", Facts.Suffixes.DedupeTable) is
// "trailwatch-dedupe".
func Name(name, suffix string) string { return name + suffix }
