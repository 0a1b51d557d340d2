package localstack_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	sqstypes "github.com/aws/aws-sdk-go-v2/service/sqs/types"

	"github.com/trailwatch/trailwatch/test/localstack"
)

// ECHO_EXTRA, as the stacks give it: Config.Env's to every function, and
// echo-own's own.
const (
	echoExtra    = "from-config"
	echoOwnExtra = "from-function"
)

// echoResponse is testdata/echo's answer.
type echoResponse struct {
	Echo         json.RawMessage `json:"echo"`
	PID          int             `json:"pid"`
	RequestID    string          `json:"requestId"`
	InvokedARN   string          `json:"invokedArn"`
	FunctionName string          `json:"functionName"`
	Endpoint     string          `json:"endpoint"`
	Region       string          `json:"region"`
	Extra        string          `json:"extra"`
	Called       string          `json:"called"`
}

// echoBin is the path of testdata/echo's binary, built once by TestMain.
var echoBin string

// TestMain builds testdata/echo once, before any test runs and outside
// every test's deadline.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "localstack-echo-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	echoBin = filepath.Join(dir, "bootstrap")
	cmd := exec.Command("go", "build", "-o", echoBin, "./testdata/echo")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "build testdata/echo: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startStack starts a stack running testdata/echo as the functions "echo"
// and "echo-own" (which has its own ECHO_EXTRA), closed when the test ends. It skips the test when there is no python with
// moto, and only then.
func startStack(t *testing.T, timeout time.Duration) *localstack.Stack {
	t.Helper()
	cfg := localstack.Config{
		Functions: map[string]localstack.Function{
			"echo":     {Bootstrap: echoBin},
			"echo-own": {Bootstrap: echoBin, Env: map[string]string{"ECHO_EXTRA": echoOwnExtra}},
		},
		Env:     map[string]string{"ECHO_EXTRA": echoExtra},
		Logs:    t.Output(),
		Timeout: timeout,
	}
	s, err := localstack.Start(t.Context(), cfg)
	if errors.Is(err, localstack.ErrMotoNotFound) {
		t.Skipf("local AWS stack unavailable: %v", err)
	}
	if err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		if err := s.Close(); err != nil {
			t.Errorf("Close: %v", err)
		}
	})
	return s
}

// testContext returns a context that ends with the test or after two
// minutes, whichever comes first.
func testContext(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// waitFor calls cond every 100ms until it reports true; it fails the test
// when cond fails or ctx ends first.
func waitFor(ctx context.Context, t *testing.T, what string, cond func() (bool, error)) {
	t.Helper()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		ok, err := cond()
		if err != nil {
			t.Fatalf("wait for %s: %v", what, err)
		}
		if ok {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("wait for %s: %v", what, ctx.Err())
		case <-tick.C:
		}
	}
}

// waitForExecution returns the execution once it has stopped running.
func waitForExecution(ctx context.Context, t *testing.T, client *sfn.Client, arn string) *sfn.DescribeExecutionOutput {
	t.Helper()
	var out *sfn.DescribeExecutionOutput
	waitFor(ctx, t, "execution "+arn, func() (bool, error) {
		var err error
		out, err = client.DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String(arn)})
		return err == nil && out.Status != sfntypes.ExecutionStatusRunning, err
	})
	return out
}

// jsonEqual reports whether a and b hold the same JSON value.
func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var va, vb any
	if err := json.Unmarshal(a, &va); err != nil {
		t.Fatalf("decode %s: %v", a, err)
	}
	if err := json.Unmarshal(b, &vb); err != nil {
		t.Fatalf("decode %s: %v", b, err)
	}
	return reflect.DeepEqual(va, vb)
}

// queueDepth returns how many messages the queue holds, visible or not.
func queueDepth(ctx context.Context, client *sqs.Client, url string) (int, error) {
	out, err := client.GetQueueAttributes(ctx, &sqs.GetQueueAttributesInput{
		QueueUrl: aws.String(url),
		AttributeNames: []sqstypes.QueueAttributeName{
			sqstypes.QueueAttributeNameApproximateNumberOfMessages,
			sqstypes.QueueAttributeNameApproximateNumberOfMessagesNotVisible,
		},
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, v := range out.Attributes {
		c, err := strconv.Atoi(v)
		if err != nil {
			return 0, err
		}
		n += c
	}
	return n, nil
}

// contextWithCancel returns a context that ends with the test or when
// cancelled.
func contextWithCancel(t *testing.T) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(t.Context())
	t.Cleanup(cancel)
	return ctx, cancel
}

// httpDo makes a request with body and returns its status.
func httpDo(ctx context.Context, t *testing.T, method, url, body string) int {
	t.Helper()
	req, err := http.NewRequestWithContext(ctx, method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}
