package finding

import "fmt"

// The error types below are returned unwrapped at the Lambda boundary:
// aws-lambda-go reports the outermost error's type name as errorType, and
// the state machine's ErrorEquals matches on it. Their names are part of
// the contract with statemachine/pipeline.asl.json.

// MalformedEventError is returned for input that is not a CloudTrail event
// trailwatch can read: invalid JSON, a missing required field, a field of
// the wrong type. Retrying cannot help.
type MalformedEventError struct {
	Reason string
	Err    error
}

// MaxErrorEcho bounds what an error's text repeats of its input (an event
// name, a detail-type, a decoder's message), so that an error's text, which
// Step Functions carries as the failed state's cause, stays small.
const MaxErrorEcho = 128

// echo is s as error texts repeat it: at most MaxErrorEcho bytes.
func echo(s string) string { return Shorten(s, MaxErrorEcho) }

func (e *MalformedEventError) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("malformed event: %s: %s", echo(e.Reason), echo(e.Err.Error()))
	}
	return "malformed event: " + echo(e.Reason)
}

func (e *MalformedEventError) Unwrap() error { return e.Err }

// UnsupportedEventError is returned for a well-formed CloudTrail event that
// is not in the catalog. The pipeline skips such events quietly.
type UnsupportedEventError struct {
	EventSource string
	EventName   string
	// DetailType is set when the envelope's detail-type is not a CloudTrail
	// one.
	DetailType string
}

func (e *UnsupportedEventError) Error() string {
	if e.DetailType != "" {
		return fmt.Sprintf("unsupported event: detail-type %q", echo(e.DetailType))
	}
	return fmt.Sprintf("unsupported event: %s %s", echo(e.EventSource), echo(e.EventName))
}

// InvalidInputError is returned by a step whose input is not what the
// previous step produces (for example a finding without an event id).
type InvalidInputError struct {
	Reason string
}

func (e *InvalidInputError) Error() string { return "invalid input: " + e.Reason }
