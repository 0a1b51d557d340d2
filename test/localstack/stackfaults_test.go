package localstack_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/trailwatch/trailwatch/test/localstack"
)

// invokeEcho invokes echo with req and returns its answer, or the
// function error's type.
func invokeEcho(ctx context.Context, t *testing.T, s *localstack.Stack, req map[string]any) (echoResponse, string) {
	t.Helper()
	payload, _ := json.Marshal(req)
	out, err := s.Invoke(ctx, "echo", payload)
	var fe *localstack.FunctionError
	if errors.As(err, &fe) {
		return echoResponse{}, fe.Type
	}
	if err != nil {
		t.Fatalf("invoke: %v", err)
	}
	var resp echoResponse
	if err := json.Unmarshal(out, &resp); err != nil {
		t.Fatalf("decode %s: %v", out, err)
	}
	return resp, ""
}

// TestCrashFaults: a crash fault kills the function's process where it
// says (Runtime.ExitError) or holds it there past its timeout
// (Sandbox.Timedout), for as many invocations as it counts; a call fault
// answers the function's own call with the AWS error; the stack's own
// calls are never faulted.
func TestCrashFaults(t *testing.T) {
	t.Parallel()
	stack := startStack(t, 3*time.Second)
	ctx := testContext(t)
	list := map[string]any{"call": "sqs:ListQueues"}
	tests := []struct {
		name       string
		plan       localstack.FaultPlan
		req        map[string]any
		wantError  string // the first invocation's
		wantCalled string
	}{
		{"crash at start", localstack.FaultPlan{Crashes: []localstack.CrashFault{{Function: "echo", When: "start", Count: 1}}}, map[string]any{}, "Runtime.ExitError", ""},
		{"crash before the call", localstack.FaultPlan{Crashes: []localstack.CrashFault{{Function: "echo", When: "before:ListQueues", Count: 1}}}, list, "Runtime.ExitError", ""},
		{"crash after the call", localstack.FaultPlan{Crashes: []localstack.CrashFault{{Function: "echo", When: "after:sqs:ListQueues", Count: 1}}}, list, "Runtime.ExitError", ""},
		{"timeout at start", localstack.FaultPlan{Crashes: []localstack.CrashFault{{Function: "echo", Timeout: true, Count: 1}}}, map[string]any{}, "Sandbox.Timedout", ""},
		{"timeout after the call", localstack.FaultPlan{Crashes: []localstack.CrashFault{{Function: "echo", When: "after:ListQueues", Timeout: true, Count: 1}}}, list, "Sandbox.Timedout", ""},
		{"throttled call", localstack.FaultPlan{Calls: []localstack.CallFault{{Service: "sqs", Operation: "ListQueues", Error: "Throttling", Count: 1}}}, list, "", "Throttling"},
		{"another function's fault", localstack.FaultPlan{Calls: []localstack.CallFault{{Service: "sqs", Caller: "echo-own", Error: "Throttling"}}}, list, "", "ok"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if err := stack.InjectFaults(tc.plan); err != nil {
				t.Fatal(err)
			}
			defer stack.ClearFaults()
			resp, errType := invokeEcho(ctx, t, stack, tc.req)
			if errType != tc.wantError || resp.Called != tc.wantCalled {
				t.Errorf("first invocation: error %q called %q, want error %q called %q", errType, resp.Called, tc.wantError, tc.wantCalled)
			}
			resp, errType = invokeEcho(ctx, t, stack, tc.req)
			if errType != "" || (tc.req["call"] != nil && resp.Called != "ok") {
				t.Errorf("second invocation: error %q called %q, want it to pass (the fault counted one)", errType, resp.Called)
			}
		})
	}
	// The test's own calls pass whatever the plan.
	if err := stack.InjectFaults(localstack.FaultPlan{Calls: []localstack.CallFault{{Service: "ec2", Error: "RequestLimitExceeded"}}}); err != nil {
		t.Fatal(err)
	}
	defer stack.ClearFaults()
	if _, err := ec2.NewFromConfig(stack.AWSConfig()).DescribeVpcs(ctx, &ec2.DescribeVpcsInput{}); err != nil {
		t.Errorf("the test's own call was faulted: %v", err)
	}
}

// TestFaultsEndpoint: the plan set by HTTP is the plan set in Go, and a
// malformed one is refused with 400.
func TestFaultsEndpoint(t *testing.T) {
	t.Parallel()
	stack := startStack(t, 0)
	ctx := testContext(t)
	do := func(method, body string) int {
		t.Helper()
		req, _ := http.NewRequestWithContext(ctx, method, stack.Endpoint()+"/_trailwatch/faults", strings.NewReader(body))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if got := do(http.MethodPost, `{"calls":[{"service":"sqs","operation":"ListQueues","error":"InternalFailure","for":"1m"}]}`); got != http.StatusNoContent {
		t.Fatalf("POST: %d", got)
	}
	for range 2 {
		if resp, _ := invokeEcho(ctx, t, stack, map[string]any{"call": "sqs:ListQueues"}); resp.Called != "InternalFailure" {
			t.Errorf("during the outage: %q, want InternalFailure", resp.Called)
		}
	}
	if got := stack.FaultsFired(); got != 2 {
		t.Errorf("fired %d, want 2", got)
	}
	if got := do(http.MethodDelete, ""); got != http.StatusNoContent {
		t.Fatalf("DELETE: %d", got)
	}
	if resp, _ := invokeEcho(ctx, t, stack, map[string]any{"call": "sqs:ListQueues"}); resp.Called != "ok" {
		t.Errorf("after DELETE: %q, want ok", resp.Called)
	}
	for _, bad := range []string{`{"calls":[{"error":"Throttling"}]}`, `{"crashes":[{"function":"nope"}]}`, `{"unknown":1}`, `not json`} {
		if got := do(http.MethodPost, bad); got != http.StatusBadRequest {
			t.Errorf("POST %s: %d, want 400", bad, got)
		}
	}
}

// TestHideThroughGateway: with a hide in force, a function describing a
// group created after the plan is told it does not exist, and does not see
// the rule added to an older group, until the hide's time is up; the test's
// own Describe sees everything at once.
func TestHideThroughGateway(t *testing.T) {
	t.Parallel()
	stack := startStack(t, 0)
	ctx := testContext(t)
	client := ec2.NewFromConfig(stack.AWSConfig())
	group := func(name string) string {
		out, err := client.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name)})
		if err != nil {
			t.Fatal(err)
		}
		return aws.ToString(out.GroupId)
	}
	old := group("old")
	if err := stack.InjectFaults(localstack.FaultPlan{Hides: []localstack.HideFault{{Service: "ec2", For: localstack.Duration(3 * time.Second)}}}); err != nil {
		t.Fatal(err)
	}
	defer stack.ClearFaults()
	fresh := group("fresh")
	if _, err := client.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{
		GroupId: aws.String(old),
		IpPermissions: []ec2types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
			IpRanges: []ec2types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}}},
	}); err != nil {
		t.Fatal(err)
	}
	describe := func(id string) string {
		resp, errType := invokeEcho(ctx, t, stack, map[string]any{"call": "ec2:DescribeSecurityGroups", "group": id})
		if errType != "" {
			t.Fatalf("echo failed: %s", errType)
		}
		return resp.Called
	}
	if got := describe(fresh); got != "InvalidGroup.NotFound" {
		t.Errorf("new group while hidden: %q, want InvalidGroup.NotFound, as EC2 answers for a group it does not know", got)
	}
	if got, want := describe(old), "ok "+old+":0"; got != want {
		t.Errorf("old group while its new rule is hidden: %q, want %q", got, want)
	}
	own, err := client.DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{old, fresh}})
	if err != nil || len(own.SecurityGroups) != 2 {
		t.Errorf("the test's own describe: %v, %v: want both groups", own, err)
	}
	time.Sleep(3 * time.Second)
	if got, want := describe(fresh), "ok "+fresh+":0"; got != want {
		t.Errorf("new group after the hide: %q, want %q", got, want)
	}
	if got, want := describe(old), "ok "+old+":1"; got != want {
		t.Errorf("old group after the hide: %q, want %q", got, want)
	}
}

// TestLatencyPastTimeout: an answer later than the function's timeout
// leaves the invocation Sandbox.Timedout, the call made.
func TestLatencyPastTimeout(t *testing.T) {
	t.Parallel()
	stack := startStack(t, 2*time.Second)
	ctx := testContext(t)
	if err := stack.InjectFaults(localstack.FaultPlan{Calls: []localstack.CallFault{{Service: "sqs", Operation: "ListQueues", Latency: localstack.Duration(5 * time.Second), Count: 1}}}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	_, errType := invokeEcho(ctx, t, stack, map[string]any{"call": "sqs:ListQueues"})
	if errType != "Sandbox.Timedout" {
		t.Errorf("an answer 5 s late with a 2 s timeout: %q, want Sandbox.Timedout", errType)
	}
	t.Logf("timed out after %v", time.Since(start).Round(100*time.Millisecond))
	if got := stack.Calls("echo")["sqs:ListQueues"]; got != 1 {
		t.Errorf("calls %d, want the one call made", got)
	}
}
