package e2e

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"
	"text/tabwriter"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	ddbtypes "github.com/aws/aws-sdk-go-v2/service/dynamodb/types"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	ec2types "github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/trailwatch/trailwatch/functions/shared/alert"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/test/localstack"
	"github.com/trailwatch/trailwatch/test/pipeline"
)

var update = flag.Bool("update", false, "write the fault matrix's table to bench/faults.txt when it passes")

// matrixVisibility is the intake queue's visibility timeout in the fault
// matrix: a message whose execution failed comes back this much later (on
// AWS, intake.visibility_timeout), short enough that a 45-second outage is
// over by the third receive. (The local pipe keeps a message hidden while
// its execution runs, as the longer timeout on AWS does.)
const matrixVisibility = 20 * time.Second

// outage is how long the matrix's outages last.
const outage = 45 * time.Second

// faultRow is one row of the fault matrix.
type faultRow struct {
	name string
	plan localstack.FaultPlan
	// hidden: the row's events name resources created after the plan
	// (hiddenEvents), instead of the demo's samples.
	hidden bool
}

func calls(c ...localstack.CallFault) localstack.FaultPlan { return localstack.FaultPlan{Calls: c} }

func crash(fn, when string) localstack.FaultPlan {
	return localstack.FaultPlan{Crashes: []localstack.CrashFault{{Function: fn, When: when, Count: 1}}}
}

// faultRows are the fault matrix's rows (requirement 7 of issue 10).
func faultRows(names pipeline.Names) []faultRow {
	fn := names.Functions
	forOutage := localstack.Duration(outage)
	return []faultRow{
		{name: "none"},
		{name: "EC2 throttled, next 3 calls", plan: calls(localstack.CallFault{Service: "ec2", Error: "RequestLimitExceeded", Count: 3})},
		{name: "SNS throttled, next 3 calls", plan: calls(localstack.CallFault{Service: "sns", Error: "Throttling", Count: 3})},
		{name: "DynamoDB throttled, next 3 calls", plan: calls(localstack.CallFault{Service: "dynamodb", Error: "ProvisionedThroughputExceededException", Count: 3})},
		{name: "EC2 outage, 45 s", plan: calls(localstack.CallFault{Service: "ec2", Error: "RequestLimitExceeded", For: forOutage})},
		{name: "SNS outage, 45 s", plan: calls(localstack.CallFault{Service: "sns", Error: "Throttling", For: forOutage})},
		{name: "DynamoDB outage, 45 s", plan: calls(localstack.CallFault{Service: "dynamodb", Error: "ProvisionedThroughputExceededException", For: forOutage})},
		{name: "AccessDenied on enrich's lookups", plan: calls(
			localstack.CallFault{Service: "ec2", Caller: fn["enrich"], Error: "UnauthorizedOperation"},
			localstack.CallFault{Service: "elasticloadbalancingv2", Caller: fn["enrich"], Error: "AccessDenied"},
			localstack.CallFault{Service: "s3", Caller: fn["enrich"], Error: "AccessDenied"},
		)},
		{name: "SNS refuses publishing until cleared (parked, then redriven)", plan: calls(localstack.CallFault{Service: "sns", Operation: "Publish", Error: "AuthorizationError"})},
		{name: "SNS answers after 35 s (past the attempt timeout)", plan: calls(localstack.CallFault{Service: "sns", Operation: "Publish", Latency: localstack.Duration(35 * time.Second), Count: 1})},
		{name: "notify crashed before publish", plan: crash(fn["notify"], "before:Publish")},
		{name: "notify crashed after publish", plan: crash(fn["notify"], "after:Publish")},
		{name: "notify timed out after publish", plan: localstack.FaultPlan{Crashes: []localstack.CrashFault{{Function: fn["notify"], When: "after:Publish", Timeout: true, Count: 1}}}},
		{name: "enrich timed out", plan: localstack.FaultPlan{Crashes: []localstack.CrashFault{{Function: fn["enrich"], Timeout: true, Count: 1}}}},
		{name: "dedupe crashed after its claim", plan: crash(fn["dedupe"], "after:TransactWriteItems")},
		{name: "enrich: new resources hidden 20 s", plan: localstack.FaultPlan{Hides: []localstack.HideFault{
			{Service: "ec2", For: localstack.Duration(20 * time.Second)}, {Service: "elasticloadbalancingv2", For: localstack.Duration(20 * time.Second)},
		}}, hidden: true},
	}
}

// matrixEvent is one event a row sends.
type matrixEvent struct {
	name    string
	record  []byte
	want    string // the outcome without faults
	eventID string // EventBridge's, once sent
}

// rowResult is one line of the matrix's table.
type rowResult struct {
	name     string
	events   int
	outcomes map[string]int // final outcome by event
	alerts   int            // alerts the events should send
	lost     int            // alerts never sent, or events with no outcome
	dups     int            // copies of an alert beyond one (a possible repeat after an unknown publish outcome allowed once)
	repeats  int            // possible repeats among the notifications
	parked   int            // events parked before the redrive
	fired    int            // calls and invocations the plan broke
	wrong    []string       // events whose outcome differs from the fault-free one
}

// TestFaultMatrix runs the demo's events under each fault of
// faultRows in one stack (the dedupe table emptied between rows) and
// prints the table README quotes (-update writes it to bench/faults.txt):
// every event must end in its fault-free outcome, or parked and then,
// once the fault is cleared and the parked events redriven, in that
// outcome; every alert sent exactly once (a second copy marked
// possible_repeat after an unknown publish outcome is allowed).
func TestFaultMatrix(t *testing.T) {
	p, w, root, logs := deployWith(t, pipeline.Options{VisibilityTimeout: matrixVisibility})
	ctx, cancel := context.WithTimeout(context.Background(), 40*time.Minute)
	defer cancel()
	samples, err := p.Samples(root, w)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range samples {
		if s.Before != nil {
			if err := s.Before(ctx); err != nil {
				t.Fatalf("%s: %v", s.Name, err)
			}
		}
	}
	var results []rowResult
	for _, row := range faultRows(p.Names) {
		ok := t.Run(row.name, func(t *testing.T) {
			res := runRow(ctx, t, p, root, w, row)
			results = append(results, res)
			if res.lost != 0 || res.dups != 0 || len(res.wrong) != 0 {
				t.Errorf("%s: lost %d, duplicates %d, outcomes %v; events not in their fault-free outcome: %v",
					row.name, res.lost, res.dups, res.outcomes, res.wrong)
			}
			if row.name != "none" && res.fired == 0 {
				t.Errorf("%s: the plan broke nothing", row.name)
			}
		})
		if !ok && ctx.Err() != nil {
			break
		}
	}
	table := faultTable(results)
	t.Logf("fault matrix (local stack, intake visibility timeout %v):\n%s", matrixVisibility, table)
	if t.Failed() {
		t.Logf("stack logs (tail):\n%s", tail(logs.String(), 200))
	}
	if *update && !t.Failed() {
		path := filepath.Join(root, "bench", "faults.txt")
		header := fmt.Sprintf("# go test ./test/e2e -run TestFaultMatrix -update (local stack, intake visibility timeout %v, %d receives before parking)\n",
			matrixVisibility, intakeReceives())
		if err := os.WriteFile(path, []byte(header+table), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// runRow runs one row: empties the table and the inbox, puts the plan in
// force, sends the events, waits until each ended or was parked, clears
// the plan, redrives what was parked, and counts.
func runRow(ctx context.Context, t *testing.T, p *pipeline.Pipeline, root string, w pipeline.World, row faultRow) rowResult {
	t.Helper()
	ctx, cancel := context.WithTimeout(ctx, 6*time.Minute)
	defer cancel()
	emptyTable(ctx, t, p)
	if _, err := p.Notifications(ctx, 0); err != nil {
		t.Fatal(err)
	}
	p.Stack.ClearFaults()
	if err := p.Stack.InjectFaults(row.plan); err != nil {
		t.Fatal(err)
	}
	defer p.Stack.ClearFaults()
	start := time.Now()
	var events []*matrixEvent
	if row.hidden {
		events = hiddenEvents(ctx, t, p, root, w)
	} else {
		events = sampleEvents(t, p, root, w)
	}
	for _, ev := range events {
		id, err := p.PutRecord(ctx, ev.record)
		if err != nil {
			t.Fatal(err)
		}
		ev.eventID = id
	}
	if end := start.Add(longestOutage(row.plan)); time.Now().Before(end) {
		time.Sleep(time.Until(end))
	}
	if err := p.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	res := rowResult{name: row.name, events: len(events), fired: p.Stack.FaultsFired()}
	p.Stack.ClearFaults()
	var err error
	if res.parked, err = p.Parked(ctx); err != nil {
		t.Fatal(err)
	}
	if res.parked > 0 {
		if _, err := p.Redrive(ctx); err != nil {
			t.Fatal(err)
		}
		if err := p.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
	}
	notes, err := p.Notifications(ctx, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if n, err := p.QueueDepth(ctx, p.DeadLetterQueueURL); err != nil || n != 0 {
		t.Errorf("%d events in the rules' dead-letter queue (%v): EventBridge could not deliver them to the intake", n, err)
	}
	res.outcomes = map[string]int{}
	for _, ev := range events {
		outcome := finalOutcome(ctx, t, p, ev.eventID)
		res.outcomes[outcome]++
		if ev.want == "notified" {
			res.alerts++
		}
		if outcome == "none" {
			res.lost++
		}
		if !sameOutcome(ev.want, outcome) {
			res.wrong = append(res.wrong, ev.name+": "+outcome)
		}
	}
	copies := map[string][2]int{} // alert id -> copies, possible repeats
	for _, n := range notes {
		if n.Kind != "" && n.Kind != "alert" {
			continue
		}
		c := copies[n.Attributes[alert.AttrAlertID]]
		if n.Attributes["possible_repeat"] == "true" {
			c[1]++
			res.repeats++
		} else {
			c[0]++
		}
		copies[n.Attributes[alert.AttrAlertID]] = c
	}
	for _, c := range copies {
		res.dups += max(c[0]-1, 0) + max(c[1]-1, 0)
	}
	if res.dups > 0 || res.lost > 0 || len(copies) < res.alerts {
		for _, n := range notes {
			t.Logf("%s: notification kind %q alert %s possible_repeat %q: %s", row.name, n.Kind, n.Attributes[alert.AttrAlertID], n.Attributes["possible_repeat"], n.Subject)
		}
	}
	if missing := res.alerts - len(copies); missing > 0 {
		res.lost += missing
	}
	t.Logf("%s: %d events, outcomes %v, %d notifications for %d alerts, parked %d, fired %d, took %v",
		row.name, res.events, res.outcomes, len(notes), res.alerts, res.parked, res.fired, time.Since(start).Round(time.Second))
	return res
}

// sameOutcome reports whether got is the fault-free outcome want: an
// event whose alert another copy of it sent may end suppressed instead of
// notified, and the other way round; the demo's "skipped" read-only event
// is one no rule matches.
func sameOutcome(want, got string) bool {
	pair := func(o string) bool { return o == "notified" || o == "suppressed" }
	return want == got || (pair(want) && pair(got)) || (want == "skipped" && got == "unmatched")
}

// finalOutcome is the outcome of the event's last execution that
// succeeded, "none" when none did, "unmatched" when it started none (no
// rule matches it).
func finalOutcome(ctx context.Context, t *testing.T, p *pipeline.Pipeline, eventID string) string {
	t.Helper()
	execs, err := p.Executions(ctx, eventInput(eventID))
	if err != nil {
		t.Fatal(err)
	}
	if len(execs) == 0 {
		return "unmatched"
	}
	for i := len(execs) - 1; i >= 0; i-- {
		if execs[i].Status == "SUCCEEDED" {
			return execs[i].Outcome()
		}
	}
	return "none"
}

// eventInput matches the inputs of executions of the EventBridge event id.
func eventInput(id string) func(string) bool {
	return func(input string) bool {
		return strings.Contains(input, id) && pipeline.EventIDOf(input) == id
	}
}

// sampleEvents are the demo's samples that go through the rules, rendered
// anew (new event ids).
func sampleEvents(t *testing.T, p *pipeline.Pipeline, root string, w pipeline.World) []*matrixEvent {
	t.Helper()
	samples, err := p.Samples(root, w)
	if err != nil {
		t.Fatal(err)
	}
	var out []*matrixEvent
	for _, s := range samples {
		if !s.Direct {
			out = append(out, &matrixEvent{name: s.Name, record: s.Record, want: s.Want})
		}
	}
	return out
}

// hiddenEvents creates, under the row's hide, a security group open to the
// world on 22 and an instance in it with a public IP, and returns the events of both: the
// group's AuthorizeSecurityGroupIngress and the instance's RunInstances.
func hiddenEvents(ctx context.Context, t *testing.T, p *pipeline.Pipeline, root string, w pipeline.World) []*matrixEvent {
	t.Helper()
	group, err := p.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{
		GroupName: aws.String("hidden-" + pipeline.NewID()[:8]), Description: aws.String("created under a hide"), VpcId: aws.String(w.VPCID),
	})
	if err != nil {
		t.Fatal(err)
	}
	groupID := aws.ToString(group.GroupId)
	if err := p.OpenPorts(ctx, groupID, 22); err != nil {
		t.Fatal(err)
	}
	run, err := p.EC2.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: aws.String(w.ImageID), MinCount: aws.Int32(1), MaxCount: aws.Int32(1), InstanceType: ec2types.InstanceTypeT3Micro,
		NetworkInterfaces: []ec2types.InstanceNetworkInterfaceSpecification{{
			DeviceIndex: aws.Int32(0), SubnetId: aws.String(w.SubnetID), AssociatePublicIpAddress: aws.Bool(true), Groups: []string{groupID},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	instanceID := aws.ToString(run.Instances[0].InstanceId)
	render := func(file string, edits map[string]any) []byte {
		rec, err := pipeline.RenderFixture(root, file, edits)
		if err != nil {
			t.Fatal(err)
		}
		return rec
	}
	return []*matrixEvent{
		{name: "RunInstances (hidden instance)", want: "notified", record: render("ec2-runinstances.json", map[string]any{
			"responseElements.instancesSet.items.0.instanceId":               instanceID,
			"responseElements.instancesSet.items.0.groupSet.items.0.groupId": groupID,
		})},
		{name: "AuthorizeSecurityGroupIngress (hidden rule)", want: "notified", record: render("ec2-authorizesecuritygroupingress.json", map[string]any{
			"requestParameters.groupId":                                       groupID,
			"requestParameters.ipPermissions.items.0.fromPort":                22,
			"requestParameters.ipPermissions.items.0.toPort":                  22,
			"requestParameters.ipPermissions.items.0.ipRanges.items.0.cidrIp": "0.0.0.0/0",
			"responseElements.securityGroupRuleSet.items.0.groupId":           groupID,
		})},
	}
}

// longestOutage is how long the plan's longest outage lasts.
func longestOutage(plan localstack.FaultPlan) time.Duration {
	var d time.Duration
	for _, c := range plan.Calls {
		d = max(d, time.Duration(c.For))
	}
	return d
}

// emptyTable deletes every item of the dedupe table but the rules file's.
func emptyTable(ctx context.Context, t *testing.T, p *pipeline.Pipeline) {
	t.Helper()
	pages := dynamodb.NewScanPaginator(p.DDB, &dynamodb.ScanInput{TableName: aws.String(p.Names.Table), ProjectionExpression: aws.String("pk")})
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, item := range page.Items {
			if pk, ok := item["pk"].(*ddbtypes.AttributeValueMemberS); ok && strings.HasPrefix(pk.Value, "config#") {
				continue
			}
			if _, err := p.DDB.DeleteItem(ctx, &dynamodb.DeleteItemInput{TableName: aws.String(p.Names.Table), Key: item}); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// faultTable renders the matrix's results as an aligned table.
func faultTable(results []rowResult) string {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "fault\tevents in\toutcomes\tlost\tduplicate notifications\tpossible repeats\tparked (then redriven)\tfaults fired")
	for _, r := range results {
		fmt.Fprintf(tw, "%s\t%d\t%s\t%d\t%d\t%d\t%d\t%d\n", r.name, r.events, outcomeCounts(r.outcomes), r.lost, r.dups, r.repeats, r.parked, r.fired)
	}
	tw.Flush()
	return b.String()
}

func outcomeCounts(m map[string]int) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, 0, len(keys))
	for _, k := range keys {
		parts = append(parts, fmt.Sprintf("%s=%d", k, m[k]))
	}
	return strings.Join(parts, " ")
}

func intakeReceives() int { return deployment.Facts.Intake.MaxReceiveCount }

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// TestConcurrentDeliveries: one event delivered 100 times at once (the
// rules' at-least-once delivery at its worst) gives exactly one
// notification.
func TestConcurrentDeliveries(t *testing.T) {
	const deliveries = 100
	p, w, root := deploy(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	record := runInstances(t, p, root, w)
	ids := make([]string, deliveries)
	var wg sync.WaitGroup
	errs := make(chan error, deliveries)
	for i := range deliveries {
		wg.Go(func() {
			id, err := p.PutRecord(ctx, record)
			ids[i] = id
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := p.WaitIdle(ctx); err != nil {
		t.Fatal(err)
	}
	outcomes := map[string]int{}
	for _, id := range ids {
		outcomes[finalOutcome(ctx, t, p, id)]++
	}
	notes, err := p.Notifications(ctx, 3*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%d deliveries: outcomes %v, %d notifications", deliveries, outcomes, len(notes))
	if len(notes) != 1 || outcomes["notified"] != 1 || outcomes["suppressed"] != deliveries-1 {
		t.Errorf("%d deliveries of one event: %d notifications, outcomes %v; want 1 notification, 1 notified and %d suppressed",
			deliveries, len(notes), outcomes, deliveries-1)
	}
}

// TestThrottlingCallCount: 1,000 events on one security group through
// enrich (requirement 6) make at most 50 EC2 calls, counted on the local
// stack. The events are AuthorizeSecurityGroupIngress on the demo's SSH
// group, each its own event id, given to enrich as the state machine
// gives them (parse's finding, as parse assigned it), ten at a time.
func TestThrottlingCallCount(t *testing.T) {
	const events, concurrency, budget = 1000, 10, 50
	p, w, root := deploy(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	record, err := pipeline.RenderFixture(root, "ec2-authorizesecuritygroupingress.json", map[string]any{
		"requestParameters.groupId":                                       w.SSHGroupID,
		"requestParameters.ipPermissions.items.0.fromPort":                22,
		"requestParameters.ipPermissions.items.0.toPort":                  22,
		"requestParameters.ipPermissions.items.0.ipRanges.items.0.cidrIp": "0.0.0.0/0",
		"responseElements.securityGroupRuleSet.items.0.groupId":           w.SSHGroupID,
	})
	if err != nil {
		t.Fatal(err)
	}
	first := send(ctx, t, p, record)
	vars, err := p.StateVariables(ctx, first.ARN, "Parse")
	if err != nil || len(vars) != 1 || vars[0]["finding"] == "" {
		t.Fatalf("parse's finding: %v, %v", vars, err)
	}
	payloads := enrichPayloads(t, `{"finding": `+vars[0]["finding"]+`}`, eventIDOf(t, record), events)
	enrich := p.Names.Functions["enrich"]
	p.Stack.ResetCalls()
	sem := make(chan struct{}, concurrency)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var failed []string
	start := time.Now()
	for _, payload := range payloads {
		sem <- struct{}{}
		wg.Go(func() {
			defer func() { <-sem }()
			if _, err := p.Stack.Invoke(ctx, enrich, payload); err != nil {
				mu.Lock()
				failed = append(failed, err.Error())
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	if len(failed) > 0 {
		t.Fatalf("%d of %d enrich invocations failed, e.g. %s", len(failed), events, failed[0])
	}
	made := p.Stack.Calls(enrich)
	ec2Calls := 0
	var ops []string
	for call, n := range made {
		if strings.HasPrefix(call, "ec2:") {
			ec2Calls += n
			ops = append(ops, fmt.Sprintf("%s=%d", call, n))
		}
	}
	slices.Sort(ops)
	t.Logf("%d events on group %s through enrich, %d at a time, in %v: %d EC2 calls (%s)",
		events, w.SSHGroupID, concurrency, time.Since(start).Round(time.Second), ec2Calls, strings.Join(ops, " "))
	if ec2Calls > budget {
		t.Errorf("%d EC2 calls for %d events on one security group, want at most %d", ec2Calls, events, budget)
	}
}

// enrichPayloads returns n copies of enrich's state input (the Payload the
// state machine passes: the finding and the execution id), each with its
// own event id in place of eventID.
func enrichPayloads(t *testing.T, input, eventID string, n int) [][]byte {
	t.Helper()
	if !strings.Contains(input, eventID) {
		t.Fatalf("enrich's input does not carry the event id %s: %s", eventID, input)
	}
	var state struct {
		Finding json.RawMessage `json:"finding"`
	}
	if err := json.Unmarshal([]byte(input), &state); err != nil || len(state.Finding) == 0 {
		t.Fatalf("enrich's input %s: no finding (%v)", input, err)
	}
	out := make([][]byte, n)
	for i := range out {
		id := pipeline.NewID()
		payload := `{"finding": ` + string(state.Finding) + `, "executionId": "local-` + id + `"}`
		out[i] = []byte(strings.ReplaceAll(payload, eventID, id))
	}
	return out
}
