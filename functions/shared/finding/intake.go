package finding

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
)

// The intake pipe (an EventBridge Pipe reading the intake queue, batch size
// one, no input transformer) starts the state machine with a JSON array of
// one SQS message record whose body is the EventBridge event as a string:
//
//	[{"messageId":"…","body":"{\"version\":\"0\",…}","attributes":{"ApproximateReceiveCount":"1",…},…}]

// sqsRecord is the part of an SQS message record parse reads.
type sqsRecord struct {
	MessageID  *string `json:"messageId"`
	Body       *string `json:"body"`
	Attributes struct {
		ApproximateReceiveCount string `json:"ApproximateReceiveCount"`
	} `json:"attributes"`
}

// Intake returns the event in data, which is either the event itself (an
// EventBridge event or a bare CloudTrail record: attempt is then 0) or the
// intake pipe's input, a JSON array of exactly one SQS message record
// whose body is the event (attempt is then the record's
// ApproximateReceiveCount, at least 1). Errors: *MalformedEventError for an
// array that is not one record, a record without a body, or a body that is
// not a JSON object; Parse judges the event itself.
func Intake(data []byte) (event []byte, attempt int, err error) {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) == 0 || trimmed[0] != '[' {
		return data, 0, nil
	}
	var records []json.RawMessage
	if err := json.Unmarshal(trimmed, &records); err != nil {
		return nil, 0, &MalformedEventError{Reason: "intake batch is not a JSON array of SQS records", Err: err}
	}
	if len(records) != 1 {
		return nil, 0, &MalformedEventError{Reason: fmt.Sprintf("intake batch holds %d records, not one", len(records))}
	}
	var rec sqsRecord
	if err := json.Unmarshal(records[0], &rec); err != nil {
		return nil, 0, &MalformedEventError{Reason: "intake record is not an SQS message record", Err: err}
	}
	if rec.Body == nil || rec.MessageID == nil {
		return nil, 0, &MalformedEventError{Reason: "intake record has no messageId or body"}
	}
	body := bytes.TrimSpace([]byte(*rec.Body))
	if len(body) == 0 || body[0] != '{' || !json.Valid(body) {
		return nil, 0, &MalformedEventError{Reason: "intake record's body is not a JSON object"}
	}
	attempt, err = strconv.Atoi(rec.Attributes.ApproximateReceiveCount)
	if err != nil || attempt < 1 {
		attempt = 1
	}
	return body, attempt, nil
}
