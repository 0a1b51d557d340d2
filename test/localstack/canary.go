package localstack

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	ebtypes "github.com/aws/aws-sdk-go-v2/service/eventbridge/types"
)

// CanaryConfig is the heartbeat canary of one account and region: what
// terraform's EventBridge Scheduler schedule does with its universal
// target arn:aws:scheduler:::aws-sdk:ec2:createTags.
type CanaryConfig struct {
	// GroupID is the canary's own security group, the one it tags.
	GroupID string
	// TagKey is the tag it sets to the time (RFC 3339).
	TagKey string
	// Interval is the schedule's rate; the first beat is at once.
	Interval time.Duration
	// Role is the name of the role the schedule assumes, which CloudTrail
	// records as the caller.
	Role string
	// EventBus is the bus CloudTrail's events reach ("default").
	EventBus string
}

// canary is the running canary of a stack.
type canary struct {
	mu     sync.Mutex
	cfg    CanaryConfig
	cancel context.CancelFunc // nil when stopped
	done   chan struct{}
	beats  int
}

// ErrNoCanary is returned by StartCanary without a configuration, given
// now or before.
var ErrNoCanary = errors.New("no canary configured")

// StartCanary starts (or restarts) the heartbeat canary: every cfg.Interval,
// at once first, it makes the schedule's ec2:CreateTags call on moto
// (cfg.GroupID, cfg.TagKey = the time) and delivers the CloudTrail record
// of that call to cfg.EventBus with PutEvents, as CloudTrail and
// EventBridge would (CanaryRecord). A zero cfg restarts the last one. It
// runs until StopCanary, POST/DELETE /_trailwatch/canary, or Close.
func (s *Stack) StartCanary(cfg CanaryConfig) error {
	s.canary.mu.Lock()
	defer s.canary.mu.Unlock()
	if cfg == (CanaryConfig{}) {
		cfg = s.canary.cfg
	}
	if cfg.GroupID == "" || cfg.TagKey == "" || cfg.Interval <= 0 {
		return fmt.Errorf("%w: a canary needs a group, a tag key and an interval", ErrNoCanary)
	}
	if cfg.EventBus == "" {
		cfg.EventBus = "default"
	}
	s.stopCanaryLocked()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return errGatewayClosed
	}
	ctx, cancel := context.WithCancel(s.ctx)
	s.canary.cfg, s.canary.cancel, s.canary.done = cfg, cancel, make(chan struct{})
	awsCfg := s.AWSConfig()
	ec2c, eb := ec2.NewFromConfig(awsCfg), eventbridge.NewFromConfig(awsCfg)
	done := s.canary.done
	s.forwarders.Add(1)
	go func() {
		defer s.forwarders.Done()
		defer close(done)
		tick := time.NewTicker(cfg.Interval)
		defer tick.Stop()
		for {
			if err := s.beat(ctx, ec2c, eb, cfg); err != nil && ctx.Err() == nil {
				s.log.Error().Err(err).Msg("canary_beat_failed")
			}
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
			}
		}
	}()
	s.log.Info().Str("group_id", cfg.GroupID).Dur("interval", cfg.Interval).Msg("canary_started")
	return nil
}

// StopCanary stops the canary and returns when it has; it does nothing
// when none runs.
func (s *Stack) StopCanary() {
	s.canary.mu.Lock()
	defer s.canary.mu.Unlock()
	s.stopCanaryLocked()
}

func (s *Stack) stopCanaryLocked() {
	if s.canary.cancel == nil {
		return
	}
	s.canary.cancel()
	<-s.canary.done
	s.canary.cancel = nil
	s.log.Info().Msg("canary_stopped")
}

// CanaryBeats returns how many beats the canary has delivered.
func (s *Stack) CanaryBeats() int {
	s.canary.mu.Lock()
	defer s.canary.mu.Unlock()
	return s.canary.beats
}

func (s *Stack) beat(ctx context.Context, ec2c *ec2.Client, eb *eventbridge.Client, cfg CanaryConfig) error {
	now := time.Now().UTC().Truncate(time.Second)
	value := now.Format(time.RFC3339)
	out, err := ec2c.CreateTags(ctx, &ec2.CreateTagsInput{
		Resources: []string{cfg.GroupID},
		Tags:      []ec2types.Tag{{Key: aws.String(cfg.TagKey), Value: aws.String(value)}},
	})
	if err != nil {
		return fmt.Errorf("create tags: %w", err)
	}
	requestID, _ := awsmiddleware.GetRequestIDMetadata(out.ResultMetadata)
	record, err := CanaryRecord(cfg, now, requestID)
	if err != nil {
		return err
	}
	put, err := eb.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: []ebtypes.PutEventsRequestEntry{{
		EventBusName: aws.String(cfg.EventBus),
		Source:       aws.String("aws.ec2"),
		DetailType:   aws.String("AWS API Call via CloudTrail"),
		Detail:       aws.String(string(record)),
		Time:         aws.Time(now),
	}}})
	if err != nil {
		return fmt.Errorf("put events: %w", err)
	}
	if put.FailedEntryCount > 0 {
		return fmt.Errorf("put events: %s", aws.ToString(put.Entries[0].ErrorMessage))
	}
	s.canary.mu.Lock()
	s.canary.beats++
	s.canary.mu.Unlock()
	return nil
}

// CanaryRecord returns the CloudTrail record of the canary's CreateTags
// call at t: the schedule's role as an assumed-role caller (EventBridge
// Scheduler's session), eventSource ec2.amazonaws.com, eventName
// CreateTags, requestParameters.resourcesSet.items[].resourceId the group
// and requestParameters.tagSet.items[] the tag, as CloudTrail records EC2's
// CreateTags.
func CanaryRecord(cfg CanaryConfig, t time.Time, requestID string) ([]byte, error) {
	if requestID == "" {
		requestID = newUUID()
	}
	role := cfg.Role
	if role == "" {
		role = "heartbeat"
	}
	session := "scheduler-" + newUUID()[:8]
	type item map[string]string
	record := map[string]any{
		"eventVersion": "1.08",
		"userIdentity": map[string]any{
			"type":        "AssumedRole",
			"principalId": "AROAEXAMPLECANARY:" + session,
			"arn":         "arn:aws:sts::" + AccountID + ":assumed-role/" + role + "/" + session,
			"accountId":   AccountID,
			"accessKeyId": "ASIAEXAMPLECANARY",
			"sessionContext": map[string]any{
				"sessionIssuer": map[string]any{
					"type": "Role", "principalId": "AROAEXAMPLECANARY", "accountId": AccountID,
					"arn": "arn:aws:iam::" + AccountID + ":role/" + role, "userName": role,
				},
				"attributes": map[string]any{"creationDate": t.Format(time.RFC3339), "mfaAuthenticated": "false"},
			},
			"invokedBy": "scheduler.amazonaws.com",
		},
		"eventTime":          t.Format(time.RFC3339),
		"eventSource":        "ec2.amazonaws.com",
		"eventName":          "CreateTags",
		"awsRegion":          Region,
		"sourceIPAddress":    "scheduler.amazonaws.com",
		"userAgent":          "scheduler.amazonaws.com",
		"requestParameters":  map[string]any{"resourcesSet": map[string]any{"items": []item{{"resourceId": cfg.GroupID}}}, "tagSet": map[string]any{"items": []item{{"key": cfg.TagKey, "value": t.Format(time.RFC3339)}}}},
		"responseElements":   map[string]any{"requestId": requestID, "_return": true},
		"requestID":          requestID,
		"eventID":            newUUID(),
		"readOnly":           false,
		"eventType":          "AwsApiCall",
		"managementEvent":    true,
		"recipientAccountId": AccountID,
		"eventCategory":      "Management",
	}
	return json.Marshal(record)
}

// canaryPath is the canary's HTTP endpoint: POST (re)starts it, with an
// optional JSON body {"interval": "30s"} changing the interval; DELETE
// stops it; GET answers {"running": bool, "beats": n}.
const canaryPath = "/_trailwatch/canary"

func (s *Stack) serveCanary(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		var body struct {
			Interval Duration `json:"interval"`
		}
		if r.ContentLength != 0 {
			if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&body); err != nil {
				http.Error(w, "canary: "+err.Error(), http.StatusBadRequest)
				return
			}
		}
		s.canary.mu.Lock()
		cfg := s.canary.cfg
		s.canary.mu.Unlock()
		if body.Interval > 0 {
			cfg.Interval = time.Duration(body.Interval)
		}
		if err := s.StartCanary(cfg); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodDelete:
		s.StopCanary()
		w.WriteHeader(http.StatusNoContent)
	case http.MethodGet:
		s.canary.mu.Lock()
		state := map[string]any{"running": s.canary.cancel != nil, "beats": s.canary.beats}
		s.canary.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(state)
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}
