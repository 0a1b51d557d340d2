package localstack_test

import (
	"context"
	"encoding/json"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	sfntypes "github.com/aws/aws-sdk-go-v2/service/sfn/types"

	"github.com/trailwatch/trailwatch/test/localstack"
)

// echoExtra is the value of ECHO_EXTRA the stacks give the echo function.
const echoExtra = "from-config"

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
}

// buildEcho builds testdata/echo and returns the path of its binary.
func buildEcho(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "bootstrap")
	cmd := exec.Command("go", "build", "-o", bin, "./testdata/echo")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build testdata/echo: %v\n%s", err, out)
	}
	return bin
}

// startStack starts a stack running testdata/echo as the function "echo",
// closed when the test ends. It skips the test when there is no python with
// moto, and only then.
func startStack(t *testing.T, timeout time.Duration) *localstack.Stack {
	t.Helper()
	cfg := localstack.Config{
		Functions: map[string]string{"echo": buildEcho(t)},
		Env:       map[string]string{"ECHO_EXTRA": echoExtra},
		Logs:      t.Output(),
		Timeout:   timeout,
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
