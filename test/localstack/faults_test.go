package localstack

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	"github.com/aws/aws-sdk-go-v2/service/sfn"
	"github.com/aws/aws-sdk-go-v2/service/sns"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
)

// TestFaultPlanJSON: the HTTP endpoint's JSON is the Go plan, durations
// written as Go writes them.
func TestFaultPlanJSON(t *testing.T) {
	in := `{"calls":[{"service":"ec2","operation":"DescribeInstances","error":"RequestLimitExceeded","count":3},
		{"service":"sns","for":"45s","error":"InternalFailure"},{"service":"sns","operation":"Publish","latency":"35s"}],
		"hides":[{"service":"ec2","for":"20s"}],
		"crashes":[{"function":"notify","when":"after:Publish","count":1},{"function":"dedupe","timeout":true}]}`
	var got FaultPlan
	if err := json.Unmarshal([]byte(in), &got); err != nil {
		t.Fatal(err)
	}
	want := FaultPlan{
		Calls: []CallFault{
			{Service: "ec2", Operation: "DescribeInstances", Error: "RequestLimitExceeded", Count: 3},
			{Service: "sns", For: Duration(45 * time.Second), Error: "InternalFailure"},
			{Service: "sns", Operation: "Publish", Latency: Duration(35 * time.Second)},
		},
		Hides:   []HideFault{{Service: "ec2", For: Duration(20 * time.Second)}},
		Crashes: []CrashFault{{Function: "notify", When: "after:Publish", Count: 1}, {Function: "dedupe", Timeout: true}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("decoded plan (-want +got):\n%s", diff)
	}
	out, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), `"for":"45s"`) || !strings.Contains(string(out), `"latency":"35s"`) {
		t.Errorf("encoded plan %s: durations not written as Go durations", out)
	}
}

// TestFaultPlanValidate: a plan the gateway cannot apply is refused with
// ErrInvalidFaultPlan, naming what is wrong.
func TestFaultPlanValidate(t *testing.T) {
	functions := map[string]*function{"notify": {name: "notify"}}
	tests := []struct {
		name string
		plan FaultPlan
		want string // in the error; "" for a valid plan
	}{
		{"valid", FaultPlan{Calls: []CallFault{{Service: "sns", Error: "Throttling", Count: 2}},
			Crashes: []CrashFault{{Function: "notify", When: "before:sns:Publish"}}}, ""},
		{"no service", FaultPlan{Calls: []CallFault{{Error: "Throttling"}}}, "no service"},
		{"nothing to do", FaultPlan{Calls: []CallFault{{Service: "sns"}}}, "neither an error nor a latency"},
		{"count and for", FaultPlan{Calls: []CallFault{{Service: "sns", Error: "Throttling", Count: 1, For: Duration(time.Second)}}}, "both count and for"},
		{"unknown caller", FaultPlan{Calls: []CallFault{{Service: "sns", Error: "Throttling", Caller: "parse"}}}, `no function "parse"`},
		{"hide sns", FaultPlan{Hides: []HideFault{{Service: "sns", For: Duration(time.Second)}}}, "cannot hide"},
		{"hide no time", FaultPlan{Hides: []HideFault{{Service: "ec2"}}}, "no duration"},
		{"crash unknown", FaultPlan{Crashes: []CrashFault{{Function: "parse"}}}, `no function "parse"`},
		{"crash where", FaultPlan{Crashes: []CrashFault{{Function: "notify", When: "during:Publish"}}}, `when "during:Publish"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.plan.validate(functions)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("valid plan refused: %v", err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidFaultPlan) || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("error %v, want ErrInvalidFaultPlan saying %q", err, tc.want)
			}
		})
	}
}

// TestForCall: which calls a plan breaks, in order, and that count-limited
// faults are used up and outages end.
func TestForCall(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	f := newFaults()
	f.now = func() time.Time { return now }
	f.add(FaultPlan{
		Calls: []CallFault{
			{Service: "ec2", Operation: "DescribeInstances", Error: "RequestLimitExceeded", Count: 2},
			{Service: "sns", Error: "InternalFailure", For: Duration(45 * time.Second)},
			{Service: "dynamodb", Caller: "dedupe", Error: "ProvisionedThroughputExceededException"},
			{Service: "elasticloadbalancingv2", Latency: Duration(3 * time.Second), Count: 1},
		},
		Crashes: []CrashFault{{Function: "notify", When: "after:Publish", Count: 1}, {Function: "enrich", When: "start", Count: 1}},
	})
	type verdict struct {
		Error   string
		Latency time.Duration
		Crash   string
	}
	check := func(call, caller string, want verdict) {
		t.Helper()
		v := f.forCall(call, caller)
		got := verdict{Latency: v.latency}
		if v.err != nil {
			got.Error = v.err.Error
		}
		if v.crash != nil {
			got.Crash = v.crash.point + ":" + v.crash.op
		}
		if got != want {
			t.Errorf("%s by %s: %+v, want %+v", call, caller, got, want)
		}
	}
	check("ec2:DescribeInstances", "enrich", verdict{Error: "RequestLimitExceeded"})
	check("ec2:DescribeSecurityGroups", "enrich", verdict{})
	check("ec2:DescribeInstances", "enrich", verdict{Error: "RequestLimitExceeded"})
	check("ec2:DescribeInstances", "enrich", verdict{}) // both used
	check("dynamodb:PutItem", "notify", verdict{})
	check("dynamodb:PutItem", "dedupe", verdict{Error: "ProvisionedThroughputExceededException"})
	check("dynamodb:UpdateItem", "dedupe", verdict{Error: "ProvisionedThroughputExceededException"}) // no count: until cleared
	check("elasticloadbalancingv2:DescribeListeners", "enrich", verdict{Latency: 3 * time.Second})
	check("elasticloadbalancingv2:DescribeListeners", "enrich", verdict{})
	check("sns:Publish", "notify", verdict{Crash: "after:Publish"}) // the crash comes first
	check("sns:Publish", "notify", verdict{Error: "InternalFailure"})
	now = now.Add(44 * time.Second)
	check("sns:Publish", "notify", verdict{Error: "InternalFailure"})
	now = now.Add(time.Second)
	check("sns:Publish", "notify", verdict{}) // the outage is over
	if c := f.atStart("enrich"); c == nil {
		t.Error("enrich's start crash did not apply")
	}
	if c := f.atStart("enrich"); c != nil {
		t.Error("enrich's start crash applied twice with count 1")
	}
	if got := f.firedCount(); got != 9 {
		t.Errorf("fired %d, want 9", got)
	}
	f.clear()
	check("dynamodb:UpdateItem", "dedupe", verdict{})
}

// TestErrorShapes: each injected error reaches the SDK's client as AWS's
// own would, in its protocol's wire format: the same error code, and the
// same verdict of the SDK's standard retryer (throttles and server errors
// retried, AccessDenied and KMS throttling not).
func TestErrorShapes(t *testing.T) {
	tests := []struct {
		service   string
		code      string
		call      func(context.Context, aws.Config) error
		retryable bool
		throttle  bool
	}{
		{"ec2", "RequestLimitExceeded", describeInstances, true, true},
		{"ec2", "InternalError", describeInstances, true, false},
		{"ec2", "UnauthorizedOperation", describeInstances, false, false},
		{"ec2", "AccessDenied", describeInstances, false, false},
		{"sns", "Throttling", publish, true, true},
		{"sns", "InternalFailure", publish, true, false},
		{"sns", "KMSThrottlingException", publish, false, false},
		{"sns", "AuthorizationError", publish, false, false},
		{"dynamodb", "ProvisionedThroughputExceededException", putItem, true, true},
		{"dynamodb", "ThrottlingException", putItem, true, true},
		{"dynamodb", "InternalServerError", putItem, true, false},
		{"dynamodb", "AccessDeniedException", putItem, false, false},
		{"elasticloadbalancingv2", "Throttling", describeListeners, true, true},
		{"states", "ThrottlingException", describeExecution, true, true},
	}
	for _, tc := range tests {
		t.Run(tc.service+" "+tc.code, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				writeAWSError(w, r, tc.service, &CallFault{Service: tc.service, Error: tc.code})
			}))
			defer srv.Close()
			cfg := ClientConfig(srv.URL)
			cfg.Retryer = func() aws.Retryer { return aws.NopRetryer{} }
			err := tc.call(t.Context(), cfg)
			var api smithy.APIError
			if !errors.As(err, &api) {
				t.Fatalf("error %v: not an API error", err)
			}
			if api.ErrorCode() != tc.code {
				t.Errorf("error code %q, want %q (%v)", api.ErrorCode(), tc.code, err)
			}
			if got := retry.NewStandard().IsErrorRetryable(err); got != tc.retryable {
				t.Errorf("retryable %v, want %v", got, tc.retryable)
			}
			if got := retry.IsErrorThrottles(retry.DefaultThrottles).IsErrorThrottle(err) == aws.TrueTernary; got != tc.throttle {
				t.Errorf("throttle %v, want %v", got, tc.throttle)
			}
		})
	}
}

func describeInstances(ctx context.Context, cfg aws.Config) error {
	_, err := ec2.NewFromConfig(cfg).DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{"i-1"}})
	return err
}

func publish(ctx context.Context, cfg aws.Config) error {
	_, err := sns.NewFromConfig(cfg).Publish(ctx, &sns.PublishInput{TopicArn: aws.String("arn:aws:sns:us-east-1:123456789012:t"), Message: aws.String("m")})
	return err
}

func putItem(ctx context.Context, cfg aws.Config) error {
	_, err := dynamodb.NewFromConfig(cfg).PutItem(ctx, &dynamodb.PutItemInput{TableName: aws.String("t"),
		Item: map[string]ddbtypes.AttributeValue{"pk": &ddbtypes.AttributeValueMemberS{Value: "k"}}})
	return err
}

func describeListeners(ctx context.Context, cfg aws.Config) error {
	_, err := elbv2.NewFromConfig(cfg).DescribeListeners(ctx, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String("arn")})
	return err
}

func describeExecution(ctx context.Context, cfg aws.Config) error {
	_, err := sfn.NewFromConfig(cfg).DescribeExecution(ctx, &sfn.DescribeExecutionInput{ExecutionArn: aws.String("arn")})
	return err
}

// Answers as moto gives them (EC2's and ELB's XML), trimmed.
const (
	runInstancesXML = `<?xml version="1.0" encoding="UTF-8"?>
<RunInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><reservationId>r-1</reservationId>
<instancesSet><item><instanceId>i-new</instanceId><groupSet><item><groupId>sg-old</groupId></item></groupSet>
<networkInterfaceSet><item><networkInterfaceId>eni-new</networkInterfaceId></item></networkInterfaceSet></item></instancesSet></RunInstancesResponse>`
	describeInstancesXML = `<?xml version="1.0" encoding="UTF-8"?>
<DescribeInstancesResponse xmlns="http://ec2.amazonaws.com/doc/2016-11-15/"><reservationSet><item><instancesSet>` +
		`<item><instanceId>i-old</instanceId><ipAddress>3.3.3.3</ipAddress><groupSet><item><groupId>sg-old</groupId></item></groupSet></item>` +
		`<item><instanceId>i-new</instanceId><groupSet><item><groupId>sg-old</groupId></item></groupSet></item>` +
		`</instancesSet></item></reservationSet></DescribeInstancesResponse>`
	describeGroupsXML = `<DescribeSecurityGroupsResponse><securityGroupInfo><item><groupName>web</groupName><ipPermissions>` +
		`<item><fromPort>22</fromPort><ipProtocol>tcp</ipProtocol><ipRanges><item><cidrIp>10.0.0.0/8</cidrIp></item><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><toPort>22</toPort></item>` +
		`<item><fromPort>3389</fromPort><ipProtocol>tcp</ipProtocol><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><toPort>3389</toPort></item>` +
		`</ipPermissions><ownerId>123456789012</ownerId><groupId>sg-old</groupId></item></securityGroupInfo></DescribeSecurityGroupsResponse>`
	describeListenersXML = `<DescribeListenersResponse><DescribeListenersResult><Listeners>` +
		`<member><ListenerArn>arn:old</ListenerArn><Port>80</Port></member><member><ListenerArn>arn:new</ListenerArn><Port>443</Port></member>` +
		`</Listeners></DescribeListenersResult></DescribeListenersResponse>`
)

// TestHide: what was created under a hide is cut out of Describe answers
// until its time is up, and nothing else is (the instance's old group
// stays in its groupSet).
func TestHide(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	until := now.Add(10 * time.Second)
	f := newFaults()
	f.record("ec2:RunInstances", nil, []byte(runInstancesXML), until)
	f.record("ec2:AssociateAddress", url.Values{"InstanceId": {"i-old"}, "PublicIp": {"3.3.3.3"}}, []byte(`<AssociateAddressResponse/>`), until)
	f.record("ec2:AuthorizeSecurityGroupIngress", url.Values{
		"GroupId": {"sg-old"}, "IpPermissions.1.IpProtocol": {"tcp"}, "IpPermissions.1.FromPort": {"22"}, "IpPermissions.1.ToPort": {"22"},
		"IpPermissions.1.IpRanges.1.CidrIp": {"0.0.0.0/0"},
		"IpPermissions.2.IpProtocol":        {"tcp"}, "IpPermissions.2.FromPort": {"3389"}, "IpPermissions.2.ToPort": {"3389"},
		"IpPermissions.2.IpRanges.1.CidrIp": {"0.0.0.0/0"},
	}, []byte(`<AuthorizeSecurityGroupIngressResponse><return>true</return></AuthorizeSecurityGroupIngressResponse>`), until)
	f.record("elasticloadbalancingv2:CreateListener", nil, []byte(`<CreateListenerResponse><CreateListenerResult><Listeners><member><ListenerArn>arn:new</ListenerArn></member></Listeners></CreateListenerResult></CreateListenerResponse>`), until)

	tests := []struct {
		name, body, want string
	}{
		{"instances", describeInstancesXML, strings.NewReplacer(
			`<item><instanceId>i-new</instanceId><groupSet><item><groupId>sg-old</groupId></item></groupSet></item>`, "",
			`<ipAddress>3.3.3.3</ipAddress>`, "").Replace(describeInstancesXML)},
		{"group rules", describeGroupsXML, strings.NewReplacer(
			`<item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><toPort>22</toPort>`, `</ipRanges><toPort>22</toPort>`,
			`<item><fromPort>3389</fromPort><ipProtocol>tcp</ipProtocol><ipRanges><item><cidrIp>0.0.0.0/0</cidrIp></item></ipRanges><toPort>3389</toPort></item>`, "").Replace(describeGroupsXML)},
		{"listeners", describeListenersXML, strings.Replace(describeListenersXML, `<member><ListenerArn>arn:new</ListenerArn><Port>443</Port></member>`, "", 1)},
	}
	notFound := []struct {
		call string
		form url.Values
		want string // the error's code and message; "" for none
	}{
		{"ec2:DescribeInstances", url.Values{"InstanceId.1": {"i-new"}}, "InvalidInstanceID.NotFound: The instance ID 'i-new' does not exist"},
		{"ec2:DescribeInstances", url.Values{"InstanceId.1": {"i-old"}}, ""},
		{"ec2:DescribeInstances", url.Values{"Filter.1.Name": {"instance-id"}, "Filter.1.Value.1": {"i-new"}}, ""}, // a filter finds nothing, no error
		{"ec2:DescribeNetworkInterfaces", url.Values{"NetworkInterfaceId.1": {"eni-new"}}, "InvalidNetworkInterfaceID.NotFound: The networkInterface ID 'eni-new' does not exist"},
		{"elasticloadbalancingv2:DescribeListeners", url.Values{"ListenerArns.member.1": {"arn:new"}}, "ListenerNotFound: The listener 'arn:new' does not exist"},
	}
	for _, tc := range notFound {
		got := ""
		if e := f.notFound(tc.call, tc.form, now); e != nil {
			got = e.Error + ": " + e.Message
		}
		if got != tc.want {
			t.Errorf("%s %v: %q, want %q", tc.call, tc.form, got, tc.want)
		}
		if e := f.notFound(tc.call, tc.form, until); e != nil {
			t.Errorf("%s %v after the hide: %v, want none", tc.call, tc.form, e)
		}
	}
	onlyNew := `<DescribeInstancesResponse><reservationSet><item><reservationId>r-1</reservationId><instancesSet><item><instanceId>i-new</instanceId></item></instancesSet></item></reservationSet></DescribeInstancesResponse>`
	if got, want := string(f.filter([]byte(onlyNew), now)), `<DescribeInstancesResponse><reservationSet></reservationSet></DescribeInstancesResponse>`; got != want {
		t.Errorf("a reservation of hidden instances only: %s, want it gone: %s", got, want)
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, string(f.filter([]byte(tc.body), now))); diff != "" {
				t.Errorf("while hidden (-want +got):\n%s", diff)
			}
			if got := string(f.filter([]byte(tc.body), until)); got != tc.body {
				t.Errorf("after the hide: %s, want the answer unchanged", got)
			}
		})
	}
}
