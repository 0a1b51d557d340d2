package pipeline

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/test/localstack"
)

// PipeInput makes the input the local pipe starts the state machine with
// for one intake message: what the real EventBridge Pipe sends (an array
// of one SQS record whose body is the EventBridge event). It is the one
// place the local stack's pipe input is chosen.
var PipeInput = localstack.SQSRecordsInput

// intakeAttributes are the SQS attributes of the two intake queues.
type intakeAttributes struct {
	parked map[string]string
	queue  func(parkedARN string) map[string]string
}

// IntakeAttributes returns the attributes terraform gives the intake queue
// and the parked queue, from deployment.json's intake facts: retention
// for both, and for the intake queue the visibility timeout (visibility,
// when not 0: tests shorten it) and a redrive policy parking a message
// after max_receive_count receives.
func IntakeAttributes(visibility time.Duration) (intakeAttributes, error) {
	in := deployment.Facts.Intake
	retention, err := time.ParseDuration(in.Retention)
	if err != nil {
		return intakeAttributes{}, fmt.Errorf("deployment.json intake.retention: %w", err)
	}
	if visibility == 0 {
		if visibility, err = time.ParseDuration(in.VisibilityTimeout); err != nil {
			return intakeAttributes{}, fmt.Errorf("deployment.json intake.visibility_timeout: %w", err)
		}
	}
	seconds := func(d time.Duration) string { return strconv.Itoa(int(d.Seconds())) }
	return intakeAttributes{
		parked: map[string]string{"MessageRetentionPeriod": seconds(retention)},
		queue: func(parkedARN string) map[string]string {
			policy, _ := json.Marshal(map[string]any{"deadLetterTargetArn": parkedARN, "maxReceiveCount": in.MaxReceiveCount})
			return map[string]string{
				"MessageRetentionPeriod": seconds(retention),
				"VisibilityTimeout":      seconds(visibility),
				"RedrivePolicy":          string(policy),
			}
		},
	}, nil
}

// EventOf returns the EventBridge event an execution's input carries: the
// body of the pipe's one SQS record, or the input itself when it is not
// such an array (an execution started directly).
func EventOf(input string) string {
	var records []struct {
		Body        string `json:"body"`
		EventSource string `json:"eventSource"`
	}
	if json.Unmarshal([]byte(input), &records) == nil && len(records) == 1 && records[0].EventSource == "aws:sqs" {
		return records[0].Body
	}
	return input
}

// EventIDOf returns the EventBridge event id ("id") of the event an
// execution's input carries (EventOf), "" when it carries none.
func EventIDOf(input string) string {
	var ev struct {
		ID string `json:"id"`
	}
	_ = json.Unmarshal([]byte(EventOf(input)), &ev)
	return ev.ID
}

// Parked returns how many messages the parked queue holds.
func (p *Pipeline) Parked(ctx context.Context) (int, error) {
	return p.QueueDepth(ctx, p.ParkedQueueURL)
}

// Redrive sends every parked event back to the intake queue (what
// `make redrive` and, on AWS, SQS's StartMessageMoveTask do) and returns
// how many it moved.
func (p *Pipeline) Redrive(ctx context.Context) (int, error) {
	return localstack.Redrive(ctx, p.SQS, p.ParkedQueueURL, p.IntakeQueueURL)
}

// createCanaryGroup creates the heartbeat canary's security group, as
// terraform does in every watched account and region.
func (p *Pipeline) createCanaryGroup(ctx context.Context) error {
	out, err := p.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName:   aws.String(p.Names.CanaryGroup),
		Description: aws.String("trailwatch heartbeat: tagged by the canary schedule, no rules"),
	})
	if err != nil {
		return fmt.Errorf("create the canary's security group: %w", err)
	}
	p.CanaryGroupID = aws.ToString(out.GroupId)
	return nil
}

// StartCanary starts the stack's heartbeat canary on the canary's group,
// beating every interval (deployment.json's heartbeat.interval in the
// playground; tests shorten it). Stack.StopCanary stops it.
func (p *Pipeline) StartCanary(interval time.Duration) error {
	return p.Stack.StartCanary(localstack.CanaryConfig{
		GroupID: p.CanaryGroupID, TagKey: deployment.Facts.Heartbeat.TagKey, Interval: interval,
		Role: p.Names.CanaryRole, EventBus: EventBus,
	})
}
