package finding_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// TestErrorTextsBounded: an error's text repeats at most MaxErrorEcho bytes
// of each piece of its input, however long (a 200 KB event name, an emoji
// detail-type), so that a failed state's cause stays small.
func TestErrorTextsBounded(t *testing.T) {
	long := strings.Repeat("😀", 50_000)
	tests := map[string]error{
		"unsupported event name":  &finding.UnsupportedEventError{EventSource: "ec2.amazonaws.com", EventName: long},
		"unsupported detail-type": &finding.UnsupportedEventError{DetailType: long},
		"malformed reason":        &finding.MalformedEventError{Reason: long},
		"malformed cause":         &finding.MalformedEventError{Reason: "invalid JSON", Err: errors.New(long)},
	}
	for name, err := range tests {
		t.Run(name, func(t *testing.T) {
			text := err.Error()
			if max := 3*finding.MaxErrorEcho + 100; len(text) > max {
				t.Errorf("error text is %d bytes, more than %d", len(text), max)
			}
			if !strings.Contains(text, "…") {
				t.Errorf("error text %q does not mark the cut", text)
			}
		})
	}
}

// TestUnconfirmedReason: the reason of an unconfirmed finding is the
// error's name and the function's message, on one line and bounded.
func TestUnconfirmedReason(t *testing.T) {
	tests := []struct {
		name string
		u    *finding.Unconfirmed
		want string
	}{
		{name: "function error", u: &finding.Unconfirmed{Error: "LookupError",
			Cause: `{"errorMessage":"sts AssumeRole: operation error STS: AssumeRole, api error AccessDenied: not authorized","errorType":"LookupError"}`},
			want: "LookupError: sts AssumeRole: operation error STS: AssumeRole, api error AccessDenied: not authorized"},
		{name: "timeout", u: &finding.Unconfirmed{Error: "States.Timeout", Cause: "Task timed out after 30.00 seconds"},
			want: "States.Timeout: Task timed out after 30.00 seconds"},
		{name: "no cause", u: &finding.Unconfirmed{Error: "Lambda.TooManyRequestsException"}, want: "Lambda.TooManyRequestsException"},
		{name: "none", u: nil, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.u.Reason(); got != tc.want {
				t.Errorf("reason %q, want %q", got, tc.want)
			}
		})
	}
	long := (&finding.Unconfirmed{Error: "LookupError", Cause: `{"errorMessage":"` + strings.Repeat("é\\n", 1000) + `"}`}).Reason()
	if len(long) > finding.MaxReasonBytes || !strings.HasSuffix(long, "…") || strings.Contains(long, "\n") {
		t.Errorf("a long reason is %d bytes (%q…), want at most %d, one line, cut with …", len(long), long[:20], finding.MaxReasonBytes)
	}
}

// TestShorten: a text over the bound is cut on a character boundary and
// ends in the ellipsis, within the bound; one within it is kept.
func TestShorten(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"short", 10, "short"},
		{"exactly10!", 10, "exactly10!"},
		{"a longer text", 10, "a longe…"},
		{"日本語のテキスト", 10, "日本…"},
		{"abc", 1, "…"},
	} {
		got := finding.Shorten(tc.s, tc.n)
		if got != tc.want || len(got) > max(tc.n, len(finding.Ellipsis)) {
			t.Errorf("Shorten(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
}
