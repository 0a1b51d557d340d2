package localstack

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
)

// Moto's EventBridge does not look into arrays of objects when it matches
// an event pattern (it flattens nested objects only), so a pattern such as
// the heartbeat's {"requestParameters": {"tagSet": {"items": {"key":
// [...]}}}} never matches there, while EventBridge matches it when any
// item has the key. The gateway makes up for it: after moto has handled a
// PutEvents, it delivers each event to the SQS targets of every rule whose
// pattern matches only with EventBridge's array semantics (matchPattern),
// as moto would have.

// matchPattern reports whether event matches the EventBridge pattern:
// every key of the pattern must match; a nested object matches the
// event's object at that key or, in an array, any of its objects (unless
// motoSemantics, as moto matches); a list of filters matches when any
// filter matches the value or, for an array value, any of its elements.
// Filters are exact values and {"prefix": s}, {"anything-but": v or [v]},
// {"exists": b}; any other matches nothing.
func matchPattern(pattern map[string]any, event map[string]any, motoSemantics bool) bool {
	for k, pv := range pattern {
		ev, present := event[k]
		switch p := pv.(type) {
		case map[string]any:
			switch e := ev.(type) {
			case map[string]any:
				if !matchPattern(p, e, motoSemantics) {
					return false
				}
			case []any:
				if motoSemantics || !anyObjectMatches(p, e) {
					return false
				}
			default:
				return false
			}
		case []any:
			if !matchFilters(p, ev, present) {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func anyObjectMatches(p map[string]any, items []any) bool {
	for _, item := range items {
		if obj, ok := item.(map[string]any); ok && matchPattern(p, obj, false) {
			return true
		}
	}
	return false
}

func matchFilters(filters []any, value any, present bool) bool {
	values := []any{value}
	if list, ok := value.([]any); ok {
		values = list
	}
	for _, f := range filters {
		if m, ok := f.(map[string]any); ok {
			if exists, ok := m["exists"].(bool); ok {
				if exists == present {
					return true
				}
				continue
			}
		}
		if !present {
			continue
		}
		for _, v := range values {
			if matchFilter(f, v) {
				return true
			}
		}
	}
	return false
}

func matchFilter(f, v any) bool {
	m, ok := f.(map[string]any)
	if !ok {
		return sameValue(f, v)
	}
	if prefix, ok := m["prefix"].(string); ok {
		s, isString := v.(string)
		return isString && strings.HasPrefix(s, prefix)
	}
	if but, ok := m["anything-but"]; ok {
		list, isList := but.([]any)
		if !isList {
			list = []any{but}
		}
		for _, b := range list {
			if sameValue(b, v) {
				return false
			}
		}
		return true
	}
	return false
}

func sameValue(a, b any) bool {
	fa, aNum := a.(float64)
	fb, bNum := b.(float64)
	if aNum && bNum {
		return math.Abs(fa-fb) < 1e-9
	}
	return a == b
}

// putEventsEntry is an entry of PutEvents' request (JSON 1.1).
type putEventsEntry struct {
	Source       string   `json:"Source"`
	DetailType   string   `json:"DetailType"`
	Detail       string   `json:"Detail"`
	EventBusName string   `json:"EventBusName"`
	Resources    []string `json:"Resources"`
	Time         *float64 `json:"Time"`
}

// deliverArrayMatches delivers the events of a PutEvents (request, and
// moto's answer with their ids) that moto did not match to the rules
// matching them with EventBridge's array semantics, as moto delivers: the
// event as its SQS targets receive it.
func (s *Stack) deliverArrayMatches(ctx context.Context, request, answer []byte) error {
	var req struct {
		Entries []putEventsEntry `json:"Entries"`
	}
	var resp struct {
		Entries []struct {
			EventID string `json:"EventId"`
		} `json:"Entries"`
	}
	if json.Unmarshal(request, &req) != nil || json.Unmarshal(answer, &resp) != nil || len(resp.Entries) != len(req.Entries) {
		return nil
	}
	cfg := s.AWSConfig()
	eb, queues := eventbridge.NewFromConfig(cfg), sqs.NewFromConfig(cfg)
	for i, entry := range req.Entries {
		if resp.Entries[i].EventID == "" {
			continue
		}
		event, err := envelope(entry, resp.Entries[i].EventID)
		if err != nil {
			continue
		}
		bus := entry.EventBusName
		if _, name, ok := strings.Cut(bus, ":event-bus/"); ok {
			bus = name
		}
		if bus == "" {
			bus = "default"
		}
		rules, err := eb.ListRules(ctx, &eventbridge.ListRulesInput{EventBusName: aws.String(bus)})
		if err != nil {
			return fmt.Errorf("list rules of %s: %w", bus, err)
		}
		for _, rule := range rules.Rules {
			var pattern map[string]any
			if rule.State != "ENABLED" || json.Unmarshal([]byte(aws.ToString(rule.EventPattern)), &pattern) != nil ||
				!matchPattern(pattern, event, false) || matchPattern(pattern, event, true) {
				continue
			}
			targets, err := eb.ListTargetsByRule(ctx, &eventbridge.ListTargetsByRuleInput{Rule: rule.Name, EventBusName: aws.String(bus)})
			if err != nil {
				return fmt.Errorf("list targets of %s: %w", aws.ToString(rule.Name), err)
			}
			body, _ := json.Marshal(event)
			for _, target := range targets.Targets {
				arn := aws.ToString(target.Arn)
				if !strings.HasPrefix(arn, "arn:aws:sqs:") {
					continue
				}
				if _, err := queues.SendMessage(ctx, &sqs.SendMessageInput{
					QueueUrl: aws.String(s.endpoint + "/" + AccountID + "/" + arn[strings.LastIndex(arn, ":")+1:]), MessageBody: aws.String(string(body)),
				}); err != nil {
					return fmt.Errorf("deliver to %s: %w", arn, err)
				}
				s.log.Debug().Str("rule", aws.ToString(rule.Name)).Str("event_id", resp.Entries[i].EventID).Msg("array_match_delivered")
			}
		}
	}
	return nil
}

// envelope is the event EventBridge makes of a PutEvents entry, as moto
// gives it to SQS targets.
func envelope(e putEventsEntry, id string) (map[string]any, error) {
	var detail any
	if err := json.Unmarshal([]byte(e.Detail), &detail); err != nil {
		return nil, err
	}
	t := time.Now()
	if e.Time != nil {
		t = time.Unix(int64(*e.Time), 0)
	}
	resources := make([]any, 0, len(e.Resources))
	for _, r := range e.Resources {
		resources = append(resources, r)
	}
	return map[string]any{
		"version": "0", "id": id, "detail-type": e.DetailType, "source": e.Source, "account": AccountID,
		"time": t.UTC().Format("2006-01-02T15:04:05Z"), "region": Region, "resources": resources, "detail": detail,
	}, nil
}
