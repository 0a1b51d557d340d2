package cost

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"unicode"
	"unicode/utf8"

	"github.com/aws/aws-sdk-go-v2/aws"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
)

// Level is a logging configuration of the state machine: a log level and
// whether execution data (inputs, outputs, task parameters) is included.
type Level struct {
	Name string `json:"name"`
	// Level is Step Functions' log level: ALL, ERROR, FATAL or OFF.
	Level string `json:"level"`
	Data  bool   `json:"data"`
}

// Levels are the choices the estimate prices, most logged first: what
// terraform configures today (ALL with execution data, which the console's
// execution view of Express executions needs), ALL without data (the
// console shows the path, not the inputs and outputs), ERROR (failures
// only, with their data) and OFF.
var Levels = []Level{
	{Name: "ALL with data", Level: "ALL", Data: true},
	{Name: "ALL without data", Level: "ALL", Data: false},
	{Name: "ERROR", Level: "ERROR", Data: true},
	{Name: "OFF", Level: "OFF", Data: false},
}

// errorEvents and fatalEvents are the history event types Step Functions
// logs at levels ERROR and FATAL
// (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html, "Log
// levels"); ALL logs every event, OFF none.
var (
	errorEvents = []string{
		"ActivityFailed", "ActivityScheduleFailed", "ActivityTimedOut",
		"ExecutionAborted", "ExecutionFailed", "ExecutionTimedOut", "FailStateEntered",
		"LambdaFunctionFailed", "LambdaFunctionScheduleFailed", "LambdaFunctionStartFailed", "LambdaFunctionTimedOut",
		"MapStateAborted", "MapStateFailed", "MapIterationAborted", "MapIterationFailed", "MapRunAborted", "MapRunFailed",
		"ParallelStateAborted", "ParallelStateFailed",
		"TaskFailed", "TaskStartFailed", "TaskStateAborted", "TaskSubmitFailed", "TaskTimedOut", "WaitStateAborted",
	}
	fatalEvents = []string{"ExecutionAborted", "ExecutionFailed", "ExecutionTimedOut"}
)

// logged reports whether an event of type typ is logged at level.
func (l Level) logged(typ string) bool {
	switch l.Level {
	case "ALL":
		return true
	case "ERROR":
		return slices.Contains(errorEvents, typ)
	case "FATAL":
		return slices.Contains(fatalEvents, typ)
	}
	return false
}

// dataFields are the members of an event's details that are execution
// data: left out of the log without it.
var dataFields = []string{"input", "output", "parameters"}

// LogEventOverhead is what CloudWatch Logs counts for each log event
// beyond its message: 26 bytes
// (https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutLogEvents.html).
const LogEventOverhead = 26

// LoggedBytes is how many bytes the execution's history events make in
// CloudWatch Logs at level: each event logged as Step Functions writes it,
// one JSON log event (logEvent), plus LogEventOverhead.
func LoggedBytes(executionARN string, events []sfntypes.HistoryEvent, level Level) (int, error) {
	total := 0
	for _, ev := range events {
		if !level.logged(string(ev.Type)) {
			continue
		}
		msg, err := logEvent(executionARN, ev, level.Data)
		if err != nil {
			return 0, err
		}
		total += len(msg) + LogEventOverhead
	}
	return total, nil
}

// logEvent is the history event as Step Functions logs it to CloudWatch
// Logs: {"id", "type", "details", "previous_event_id", "event_timestamp",
// "execution_arn"}, details being the event's details with camelCase
// names as the API writes them, without execution data unless data is set.
func logEvent(executionARN string, ev sfntypes.HistoryEvent, data bool) ([]byte, error) {
	details, err := eventDetails(ev)
	if err != nil {
		return nil, err
	}
	if !data {
		for _, f := range dataFields {
			delete(details, f)
		}
	}
	return json.Marshal(struct {
		ID              string         `json:"id"`
		Type            string         `json:"type"`
		Details         map[string]any `json:"details"`
		PreviousEventID string         `json:"previous_event_id"`
		EventTimestamp  string         `json:"event_timestamp"`
		ExecutionARN    string         `json:"execution_arn"`
	}{
		ID: strconv.FormatInt(ev.Id, 10), Type: string(ev.Type), Details: details,
		PreviousEventID: strconv.FormatInt(ev.PreviousEventId, 10),
		EventTimestamp:  strconv.FormatInt(aws.ToTime(ev.Timestamp).UnixMilli(), 10),
		ExecutionARN:    executionARN,
	})
}

// eventDetails is the one *EventDetails member of ev that is set, as a map
// with the API's camelCase names and no null members; empty when none is.
func eventDetails(ev sfntypes.HistoryEvent) (map[string]any, error) {
	v := reflect.ValueOf(ev)
	for i := range v.NumField() {
		f := v.Field(i)
		if f.Kind() != reflect.Pointer || f.IsNil() || !isDetails(v.Type().Field(i).Name) {
			continue
		}
		raw, err := json.Marshal(f.Interface())
		if err != nil {
			return nil, fmt.Errorf("%s: %w", v.Type().Field(i).Name, err)
		}
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			return nil, err
		}
		return camelCase(m).(map[string]any), nil
	}
	return map[string]any{}, nil
}

func isDetails(field string) bool {
	const suffix = "EventDetails"
	return len(field) > len(suffix) && field[len(field)-len(suffix):] == suffix
}

// camelCase is v with every map key's first letter lowered and null
// members dropped.
func camelCase(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			if e == nil {
				continue
			}
			r, n := utf8.DecodeRuneInString(k)
			out[string(unicode.ToLower(r))+k[n:]] = camelCase(e)
		}
		return out
	case []any:
		for i, e := range x {
			x[i] = camelCase(e)
		}
		return x
	}
	return v
}
