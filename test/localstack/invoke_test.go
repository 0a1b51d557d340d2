package localstack_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/test/localstack"
)

func TestInvoke(t *testing.T) {
	t.Parallel()
	// The timeout only bounds the "block" case, which never answers.
	stack := startStack(t, 2*time.Second)
	ctx := testContext(t)

	// The cases run in order: the last one checks the pool recovers from
	// the failures before it.
	tests := []struct {
		name     string
		function string
		payload  string
		wantErr  *localstack.FunctionError // nil: success; empty Message: any
	}{
		{name: "echo", function: "echo", payload: `{"hello": "world"}`},
		{name: "by ARN", function: stack.FunctionARN("echo"), payload: `{"by": "arn"}`},
		{name: "by qualified name", function: "echo:$LATEST", payload: `["a", 1]`},
		{
			name: "handler error", function: "echo", payload: `{"fail": "boom"}`,
			wantErr: &localstack.FunctionError{Type: "EchoError", Message: "boom"},
		},
		{
			name: "process exits", function: "echo", payload: `{"exit": 3}`,
			wantErr: &localstack.FunctionError{Type: "Runtime.ExitError"},
		},
		{
			name: "timeout", function: "echo", payload: `{"block": true}`,
			wantErr: &localstack.FunctionError{Type: "Sandbox.Timedout"},
		},
		{name: "after failures", function: "echo", payload: `{"still": "alive"}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, err := stack.Invoke(ctx, tc.function, []byte(tc.payload))
			if tc.wantErr != nil {
				var fe *localstack.FunctionError
				if !errors.As(err, &fe) {
					t.Fatalf("Invoke = %s, %v; want a *FunctionError", out, err)
				}
				if got, want := fe.Type, tc.wantErr.Type; got != want {
					t.Errorf("errorType = %q, want %q (message %q)", got, want, fe.Message)
				}
				if tc.wantErr.Message != "" && fe.Message != tc.wantErr.Message {
					t.Errorf("errorMessage = %q, want %q", fe.Message, tc.wantErr.Message)
				}
				return
			}
			if err != nil {
				t.Fatalf("Invoke: %v", err)
			}
			var got echoResponse
			if err := json.Unmarshal(out, &got); err != nil {
				t.Fatalf("decode %s: %v", out, err)
			}
			if !jsonEqual(t, got.Echo, []byte(tc.payload)) {
				t.Errorf("echo = %s, want %s", got.Echo, tc.payload)
			}
			for _, c := range []struct{ field, got, want string }{
				{"functionName", got.FunctionName, "echo"},
				{"invokedArn", got.InvokedARN, stack.FunctionARN("echo")},
				{"AWS_ENDPOINT_URL", got.Endpoint, stack.Endpoint()},
				{"AWS_REGION", got.Region, localstack.Region},
				{"Config.Env", got.Extra, echoExtra},
			} {
				if c.got != c.want {
					t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
				}
			}
			if got.RequestID == "" {
				t.Error("requestId is empty")
			}
		})
	}

	t.Run("function env over Config.Env", func(t *testing.T) {
		out, err := stack.Invoke(ctx, "echo-own", []byte(`{}`))
		if err != nil {
			t.Fatalf("Invoke: %v", err)
		}
		var got echoResponse
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatalf("decode %s: %v", out, err)
		}
		if got.Extra != echoOwnExtra || got.FunctionName != "echo-own" {
			t.Errorf("ECHO_EXTRA %q in function %q, want %q in echo-own", got.Extra, got.FunctionName, echoOwnExtra)
		}
	})

	t.Run("unknown function", func(t *testing.T) {
		out, err := stack.Invoke(ctx, "missing", []byte(`{}`))
		var fe *localstack.FunctionError
		if err == nil || errors.As(err, &fe) || !strings.Contains(err.Error(), "ResourceNotFoundException") {
			t.Fatalf("Invoke = %s, %v; want a ResourceNotFoundException", out, err)
		}
	})
}

// TestInvokeConcurrent holds n invocations inside the function at once: the
// gateway must run them in n processes, and reuse those afterwards.
func TestInvokeConcurrent(t *testing.T) {
	t.Parallel()
	const n = 4

	// Every invocation calls the barrier, which answers once all n have
	// arrived. It is created before the stack so that it closes after it.
	release := make(chan struct{})
	stopped := make(chan struct{})
	var mu sync.Mutex
	arrived := 0
	barrier := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		arrived++
		if arrived == n {
			close(release)
		}
		mu.Unlock()
		select {
		case <-release:
		case <-stopped:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(barrier.Close)
	stack := startStack(t, 0)
	t.Cleanup(func() { close(stopped) })
	ctx := testContext(t)

	type outcome struct {
		pid int
		err error
	}
	invoke := func(payload string) outcome {
		out, err := stack.Invoke(ctx, "echo", []byte(payload))
		if err != nil {
			return outcome{err: err}
		}
		var got echoResponse
		if err := json.Unmarshal(out, &got); err != nil {
			return outcome{err: fmt.Errorf("decode %s: %w", out, err)}
		}
		return outcome{pid: got.PID}
	}

	outcomes := make(chan outcome, n)
	payload := fmt.Sprintf(`{"barrier": %q}`, barrier.URL)
	for range n {
		go func() { outcomes <- invoke(payload) }()
	}
	pids := map[int]bool{}
	for range n {
		o := <-outcomes
		if o.err != nil {
			t.Fatalf("concurrent Invoke: %v", o.err)
		}
		pids[o.pid] = true
	}
	if got := len(pids); got != n {
		t.Fatalf("%d concurrent invocations ran in %d processes (%v), want %d", n, got, pids, n)
	}

	for i := range n {
		o := invoke(`{}`)
		if o.err != nil {
			t.Fatalf("sequential Invoke %d: %v", i, o.err)
		}
		if !pids[o.pid] {
			t.Errorf("sequential Invoke %d ran in a new process %d, want one of the idle %v", i, o.pid, pids)
		}
	}
}
