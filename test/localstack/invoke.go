package localstack

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
)

// FunctionError is the error Invoke returns when the function failed: its
// handler returned an error or panicked, its process exited, or it ran out of
// time.
type FunctionError struct {
	// Type is the errorType: the Go type name of the handler's error (as
	// aws-lambda-go reports it, e.g. "MalformedEventError"), or the
	// runtime's ("Runtime.ExitError", "Sandbox.Timedout", ...).
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("function error %s: %s", e.Type, e.Message)
}

// Invoke calls function (a name or an ARN) synchronously through the
// gateway's Lambda Invoke API, as the SDK or moto would, and returns its
// response payload. When the function failed, the error is a
// *FunctionError; other errors (an unknown function, the stack closed) say
// what the gateway answered.
func (s *Stack) Invoke(ctx context.Context, function string, payload []byte) ([]byte, error) {
	u := s.endpoint + invokePrefix + url.PathEscape(function) + invokeSuffix
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w", function, err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Amz-Invocation-Type", "RequestResponse")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, fmt.Errorf("invoke %s: %w", function, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("invoke %s: read the response: %w", function, err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("invoke %s: %s %s: %s", function, resp.Status, resp.Header.Get("X-Amzn-ErrorType"), bytes.TrimSpace(body))
	}
	if resp.Header.Get("X-Amz-Function-Error") != "" {
		fe := &FunctionError{}
		if err := json.Unmarshal(body, fe); err != nil {
			return nil, fmt.Errorf("invoke %s: decode the function error %q: %w", function, body, err)
		}
		return nil, fe
	}
	return body, nil
}
