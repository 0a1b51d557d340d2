package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Event is one entry of PutEvents: what CloudTrail gives EventBridge for
// one record.
type Event struct {
	Source     string
	DetailType string
	// Detail is the CloudTrail record.
	Detail    json.RawMessage
	Resources []string
	// Time is the envelope's time; zero lets EventBridge set it.
	Time time.Time
}

// ErrNotCloudTrail is returned (wrapped) by ParseEvent for data that is
// neither a CloudTrail record nor an EventBridge envelope around one.
var ErrNotCloudTrail = errors.New("not a CloudTrail event")

// ParseEvent reads a CloudTrail event as a file holds it: the EventBridge
// envelope ("source", "detail-type", "detail", ...), whose fields it keeps,
// or a bare record, which it wraps as EventBridge does (RecordEvent).
func ParseEvent(data []byte) (Event, error) {
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(data, &doc); err != nil {
		return Event{}, fmt.Errorf("%w: %w", ErrNotCloudTrail, err)
	}
	if _, ok := doc["detail"]; !ok {
		return RecordEvent(data)
	}
	var env struct {
		Source     string          `json:"source"`
		DetailType string          `json:"detail-type"`
		Detail     json.RawMessage `json:"detail"`
		Resources  []string        `json:"resources"`
		Time       time.Time       `json:"time"`
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return Event{}, fmt.Errorf("%w: envelope: %w", ErrNotCloudTrail, err)
	}
	if env.Source == "" || env.DetailType == "" || !isObject(env.Detail) {
		return Event{}, fmt.Errorf("%w: an envelope needs source, detail-type and an object as detail", ErrNotCloudTrail)
	}
	return Event{Source: env.Source, DetailType: env.DetailType, Detail: env.Detail, Resources: env.Resources, Time: env.Time}, nil
}

// RecordEvent returns the event EventBridge makes of a CloudTrail record:
// source "aws." and the service of eventSource ("ec2.amazonaws.com" gives
// "aws.ec2"), and the detail-type of its eventType (AwsConsoleSignIn,
// AwsServiceEvent, else an API call).
func RecordEvent(record []byte) (Event, error) {
	var r struct {
		EventSource string `json:"eventSource"`
		EventType   string `json:"eventType"`
	}
	if err := json.Unmarshal(record, &r); err != nil || !isObject(record) {
		return Event{}, fmt.Errorf("%w: record: %v", ErrNotCloudTrail, err)
	}
	if r.EventSource == "" {
		return Event{}, fmt.Errorf("%w: the record has no eventSource", ErrNotCloudTrail)
	}
	detailType := finding.DetailTypeAPICall
	switch r.EventType {
	case "AwsConsoleSignIn":
		detailType = finding.DetailTypeConsoleLogin
	case "AwsServiceEvent":
		detailType = finding.DetailTypeServiceEvent
	}
	return Event{
		Source:     "aws." + strings.TrimSuffix(r.EventSource, ".amazonaws.com"),
		DetailType: detailType,
		Detail:     record,
	}, nil
}

func isObject(data []byte) bool {
	return bytes.HasPrefix(bytes.TrimSpace(data), []byte("{"))
}

// Put sends ev to the rules' bus with PutEvents and returns the
// EventBridge event id, which the execution's input carries as "id".
func (p *Pipeline) Put(ctx context.Context, ev Event) (string, error) {
	entry := ebtypes.PutEventsRequestEntry{
		EventBusName: aws.String(EventBus),
		Source:       aws.String(ev.Source),
		DetailType:   aws.String(ev.DetailType),
		Detail:       aws.String(string(ev.Detail)),
		Resources:    ev.Resources,
	}
	if !ev.Time.IsZero() {
		entry.Time = aws.Time(ev.Time)
	}
	out, err := p.EB.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{entry}})
	if err != nil {
		return "", fmt.Errorf("put events: %w", err)
	}
	if len(out.Entries) != 1 {
		return "", fmt.Errorf("put events: %d entries in the answer, want 1", len(out.Entries))
	}
	if out.FailedEntryCount > 0 {
		return "", fmt.Errorf("put events: %s %s", aws.ToString(out.Entries[0].ErrorCode), aws.ToString(out.Entries[0].ErrorMessage))
	}
	return aws.ToString(out.Entries[0].EventId), nil
}

// PutRecord sends a bare CloudTrail record as EventBridge would
// (RecordEvent) and returns the EventBridge event id.
func (p *Pipeline) PutRecord(ctx context.Context, record []byte) (string, error) {
	ev, err := RecordEvent(record)
	if err != nil {
		return "", err
	}
	return p.Put(ctx, ev)
}

// StartDirect starts an execution with input as is, bypassing the rules.
func (p *Pipeline) StartDirect(ctx context.Context, name string, input []byte) (string, error) {
	out, err := p.SFN.StartExecution(ctx, &sfn.StartExecutionInput{
		StateMachineArn: aws.String(p.StateMachineARN), Name: aws.String(name), Input: aws.String(string(input)),
	})
	if err != nil {
		return "", err
	}
	return aws.ToString(out.ExecutionArn), nil
}
