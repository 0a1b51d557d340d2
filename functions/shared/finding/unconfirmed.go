package finding

import (
	"encoding/json"
	"strings"
)

// Unconfirmed is why a finding's exposure was not confirmed: the error of
// the state machine's Enrich task after its retries, as Step Functions
// reports it (its name, and its cause: for a function's error the JSON
// {"errorType","errorMessage"} aws-lambda-go writes).
type Unconfirmed struct {
	Error string `json:"error"`
	Cause string `json:"cause,omitempty"`
}

// MaxReasonBytes bounds Unconfirmed.Reason.
const MaxReasonBytes = 300

// Reason is one line saying why: the error's name and, when its cause is a
// function's error, its message; at most MaxReasonBytes, cut with "…".
func (u *Unconfirmed) Reason() string {
	if u == nil {
		return ""
	}
	reason := u.Error
	var lambdaErr struct {
		ErrorMessage string `json:"errorMessage"`
	}
	if json.Unmarshal([]byte(u.Cause), &lambdaErr) == nil && lambdaErr.ErrorMessage != "" {
		reason += ": " + lambdaErr.ErrorMessage
	} else if u.Cause != "" && !strings.HasPrefix(strings.TrimSpace(u.Cause), "{") {
		reason += ": " + u.Cause
	}
	return Shorten(strings.Join(strings.Fields(reason), " "), MaxReasonBytes)
}
