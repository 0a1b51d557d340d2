package terraform

import (
	"encoding/json"
	"maps"
	"math"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/permissions"
)

const aslPath = "../../statemachine/pipeline.asl.json"

// asl is the part of the state machine definition these tests read.
type asl struct {
	TimeoutSeconds int `json:"TimeoutSeconds"`
	States         map[string]struct {
		Comment string `json:"Comment"`
		Retry   []struct {
			ErrorEquals     []string `json:"ErrorEquals"`
			IntervalSeconds float64  `json:"IntervalSeconds"`
			MaxAttempts     *int     `json:"MaxAttempts"`
			BackoffRate     *float64 `json:"BackoffRate"`
			MaxDelaySeconds *float64 `json:"MaxDelaySeconds"`
		} `json:"Retry"`
	} `json:"States"`
}

func readASL(t *testing.T) asl {
	t.Helper()
	raw, err := os.ReadFile(aslPath)
	if err != nil {
		t.Fatal(err)
	}
	var a asl
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	return a
}

// retryWait is how long, in seconds, the Retry entry of state for errorName
// waits in all between attempts, by the ASL's rules: IntervalSeconds, then
// each wait BackoffRate times the one before (capped at MaxDelaySeconds),
// MaxAttempts times (defaults 1 s, 2.0 and 3).
func retryWait(t *testing.T, a asl, state, errorName string) float64 {
	t.Helper()
	s, ok := a.States[state]
	if !ok {
		t.Fatalf("no state %s", state)
	}
	for _, r := range s.Retry {
		if !slices.Contains(r.ErrorEquals, errorName) {
			continue
		}
		interval, attempts, rate := r.IntervalSeconds, 3, 2.0
		if interval == 0 {
			interval = 1
		}
		if r.MaxAttempts != nil {
			attempts = *r.MaxAttempts
		}
		if r.BackoffRate != nil {
			rate = *r.BackoffRate
		}
		total := 0.0
		for i := range attempts {
			wait := interval * math.Pow(rate, float64(i))
			if r.MaxDelaySeconds != nil && wait > *r.MaxDelaySeconds {
				wait = *r.MaxDelaySeconds
			}
			total += wait
		}
		return total
	}
	t.Fatalf("state %s does not retry %s", state, errorName)
	return 0
}

// TestInFlightWait: how long an execution waits for another that holds its
// alert is the Dedupe state's AlertInFlightError retries, and only there.
// Every place that states it says the same, the wait outlasts notify's own
// retries (so the holder settles first, as dedupe's AlertInFlightError
// documents), and the lease outlasts any execution (terraform checks it too,
// in dynamodb.tf).
func TestInFlightWait(t *testing.T) {
	a := readASL(t)
	wait := retryWait(t, a, "Dedupe", "AlertInFlightError")
	t.Logf("in-flight wait: %g s", wait)

	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	stated := regexp.MustCompile(`retried for (\d+) s|\(after (\d+) s\)`).FindAllStringSubmatch(string(readme), -1)
	if len(stated) < 3 {
		t.Errorf("README states the in-flight wait %d times; the diagram, the overview and the errors table each should", len(stated))
	}
	for _, m := range stated {
		n, _ := strconv.Atoi(m[1] + m[2])
		if float64(n) != wait {
			t.Errorf("README says %q; the state machine waits %g s", m[0], wait)
		}
	}
	for name, s := range a.States {
		for _, m := range regexp.MustCompile(`(\d+) ?s\b`).FindAllStringSubmatch(s.Comment, -1) {
			t.Errorf("state %s's comment states a duration (%q): the ASL's retries are the one source", name, m[0])
		}
	}

	var notify float64
	for _, r := range a.States["Notify"].Retry {
		notify = max(notify, retryWait(t, a, "Notify", r.ErrorEquals[0]))
	}
	if wait <= notify {
		t.Errorf("the in-flight wait (%g s) does not outlast notify's retries (%g s)", wait, notify)
	}

	_, lease, _, err := deployment.Facts.Dedupe.Durations()
	if err != nil {
		t.Fatal(err)
	}
	if lease.Seconds() <= float64(a.TimeoutSeconds) {
		t.Errorf("the dedupe lease (%s) does not outlast an execution (TimeoutSeconds %d)", lease, a.TimeoutSeconds)
	}
}

// TestStateMachineDefinitionFitsQuota renders the definition as terraform
// does, with the longest function ARNs (partition aws-us-gov, a 15-character
// region, 64-character function names, a version qualifier), and checks it
// against Step Functions' definition size.
func TestStateMachineDefinitionFitsQuota(t *testing.T) {
	raw, err := os.ReadFile(aslPath)
	if err != nil {
		t.Fatal(err)
	}
	arn := "arn:aws-us-gov:lambda:us-isof-south-1:123456789012:function:" + strings.Repeat("f", 64) + ":" + strings.Repeat("9", 10)
	rendered := regexp.MustCompile(`\$\{[a-z_]+_function_arn\}`).ReplaceAllString(string(raw), arn)
	if !json.Valid([]byte(rendered)) {
		t.Fatal("the rendered definition is not JSON")
	}
	limit := deployment.Facts.Quotas.DefinitionBytes.Value
	t.Logf("definition: %d bytes rendered with %d-character ARNs (quota %d)", len(rendered), len(arn), limit)
	if len(rendered) > limit {
		t.Errorf("the definition is %d bytes, more than Step Functions' %d", len(rendered), limit)
	}
}

// TestMemberRolePermissions: the role enrich assumes in member accounts
// allows exactly the lookups enrich makes (permissions.Actions), without
// sts:AssumeRole, which enrich needs only in the central account.
func TestMemberRolePermissions(t *testing.T) {
	m := load(t, root+"/modules/member-role")
	docs := m.find("data", "aws_iam_policy_document", "describe")
	if len(docs) != 1 {
		t.Fatalf("%d data.aws_iam_policy_document.describe", len(docs))
	}
	got := actionsOf(t, docs[0])
	slices.Sort(got)
	var want []string
	for _, a := range permissions.Actions("enrich") {
		if !strings.HasPrefix(a, "sts:") {
			want = append(want, a)
		}
	}
	if !slices.Equal(got, want) {
		t.Errorf("member role allows %v; enrich looks up with %v", got, want)
	}
}

// TestScheduleInputReachesTheDigests: the state machine sends the digests
// for exactly the input the digest schedule starts it with
// (deployment.json's digest_schedule.input, which terraform's schedule and
// the local stack's SendDigests give it), and parse's refusal of
// non-CloudTrail input is what leads there.
func TestScheduleInputReachesTheDigests(t *testing.T) {
	raw, err := os.ReadFile(aslPath)
	if err != nil {
		t.Fatal(err)
	}
	var a struct {
		States map[string]struct {
			Catch []struct {
				ErrorEquals []string `json:"ErrorEquals"`
				Next        string   `json:"Next"`
			} `json:"Catch"`
			Choices []struct {
				And []struct {
					Variable     string  `json:"Variable"`
					StringEquals *string `json:"StringEquals"`
				} `json:"And"`
				Next string `json:"Next"`
			} `json:"Choices"`
		} `json:"States"`
	}
	if err := json.Unmarshal(raw, &a); err != nil {
		t.Fatal(err)
	}
	next := ""
	for _, c := range a.States["Parse"].Catch {
		if slices.Contains(c.ErrorEquals, "UnsupportedEventError") {
			next = c.Next
		}
	}
	choice, ok := a.States[next]
	if !ok || len(choice.Choices) != 1 || choice.Choices[0].Next != "CollectDigests" {
		t.Fatalf("parse's UnsupportedEventError leads to %q, which does not choose CollectDigests", next)
	}
	got := map[string]string{}
	for _, cond := range choice.Choices[0].And {
		if cond.StringEquals != nil {
			got[cond.Variable] = *cond.StringEquals
		}
	}
	in := deployment.Facts.DigestSchedule.Input
	want := map[string]string{"$.source": in.Source, "$.detail-type": in.DetailType}
	if !maps.Equal(got, want) {
		t.Errorf("the state machine sends digests for %v, the schedule's input is %v", got, want)
	}
}
