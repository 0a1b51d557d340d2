package deployment

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// The pipeline's state machine, read by the tests below. test/terraform
// holds its rendering and the in-flight wait; these hold its retries and
// terminal outcomes to the intake's facts.
const pipelineASL = "../../../statemachine/pipeline.asl.json"

type aslRetry struct {
	ErrorEquals     []string `json:"ErrorEquals"`
	IntervalSeconds float64  `json:"IntervalSeconds"`
	MaxAttempts     *int     `json:"MaxAttempts"`
	BackoffRate     *float64 `json:"BackoffRate"`
	MaxDelaySeconds *float64 `json:"MaxDelaySeconds"`
	JitterStrategy  string   `json:"JitterStrategy"`
}

type aslCatch struct {
	ErrorEquals []string `json:"ErrorEquals"`
	ResultPath  *string  `json:"ResultPath"`
	Next        string   `json:"Next"`
}

type aslState struct {
	Type           string          `json:"Type"`
	Seconds        int             `json:"Seconds"`
	Next           string          `json:"Next"`
	Default        string          `json:"Default"`
	End            bool            `json:"End"`
	TimeoutSeconds int             `json:"TimeoutSeconds"`
	Parameters     json.RawMessage `json:"Parameters"`
	ResultSelector json.RawMessage `json:"ResultSelector"`
	Assign         json.RawMessage `json:"Assign"`
	ResultPath     *string         `json:"ResultPath"`
	Retry          []aslRetry      `json:"Retry"`
	Catch          []aslCatch      `json:"Catch"`
	Choices        []struct {
		Next string `json:"Next"`
	} `json:"Choices"`
	ItemProcessor *struct {
		States map[string]aslState `json:"States"`
	} `json:"ItemProcessor"`
}

type aslMachine struct {
	TimeoutSeconds int                 `json:"TimeoutSeconds"`
	States         map[string]aslState `json:"States"`
}

func readPipeline(t *testing.T) aslMachine {
	t.Helper()
	raw, err := os.ReadFile(pipelineASL)
	if err != nil {
		t.Fatal(err)
	}
	var m aslMachine
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// tasks returns every Task state, those of Map item processors included,
// by name, and the function each invokes (parse, enrich, dedupe, notify).
func tasks(states map[string]aslState) map[string]aslState {
	out := map[string]aslState{}
	for name, s := range states {
		if s.Type == "Task" {
			out[name] = s
		}
		if s.ItemProcessor != nil {
			for n, inner := range tasks(s.ItemProcessor.States) {
				out[n] = inner
			}
		}
	}
	return out
}

func allStates(states map[string]aslState) map[string]aslState {
	out := map[string]aslState{}
	for name, s := range states {
		out[name] = s
		if s.ItemProcessor != nil {
			for n, inner := range allStates(s.ItemProcessor.States) {
				out[n] = inner
			}
		}
	}
	return out
}

func function(s aslState) string {
	var p struct {
		FunctionName string `json:"FunctionName"`
	}
	_ = json.Unmarshal(s.Parameters, &p)
	name := strings.TrimPrefix(p.FunctionName, "${")
	name, _, _ = strings.Cut(name, "_")
	return name
}

// payload is what a Task asks of its function: dedupe's action, notify's
// mark of a resend as a possible repeat.
type payload struct {
	Action         string `json:"action"`
	PossibleRepeat bool   `json:"possibleRepeat"`
}

func payloadOf(s aslState) payload {
	var p struct {
		Payload payload `json:"Payload"`
	}
	_ = json.Unmarshal(s.Parameters, &p)
	return p.Payload
}

// action is the dedupe action a Task asks for ("" for none).
func action(s aslState) string { return payloadOf(s).Action }

// possibleRepeat reports whether a notify Task asks for its message to be
// marked as a possible repeat (a resend).
func possibleRepeat(s aslState) bool { return payloadOf(s).PossibleRepeat }

func retrying(s aslState, errorName string) *aslRetry {
	for i, r := range s.Retry {
		if slices.Contains(r.ErrorEquals, errorName) {
			return &s.Retry[i]
		}
	}
	return nil
}

func catching(s aslState, errorName string) *aslCatch {
	for i, c := range s.Catch {
		if slices.Contains(c.ErrorEquals, errorName) || slices.Contains(c.ErrorEquals, "States.ALL") {
			return &s.Catch[i]
		}
	}
	return nil
}

// maxWait is the longest a Retry entry waits in all (no jitter), by the
// ASL's rules (defaults 1 s, 2.0 and 3 attempts).
func maxWait(r aslRetry) float64 {
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
	total, wait := 0.0, interval
	for range attempts {
		if r.MaxDelaySeconds != nil {
			wait = min(wait, *r.MaxDelaySeconds)
		}
		total += wait
		wait *= rate
	}
	return total
}

// crashes are the errors of a function that crashed or timed out, as the
// local stack and Lambda name them, and of a task that timed out.
var crashes = []string{"Runtime.ExitError", "Sandbox.Timedout", "States.Timeout"}

// TestExecutionFitsTheIntake: an execution ends (Express synchronous
// executions last at most 5 minutes) before the intake queue hands its
// message out again, and before a claim's lease lapses.
func TestExecutionFitsTheIntake(t *testing.T) {
	m := readPipeline(t)
	visibility, err := time.ParseDuration(Facts.Intake.VisibilityTimeout)
	if err != nil {
		t.Fatal(err)
	}
	_, lease, _, err := Facts.Dedupe.Durations()
	if err != nil {
		t.Fatal(err)
	}
	timeout := time.Duration(m.TimeoutSeconds) * time.Second
	if timeout <= 0 || timeout >= 300*time.Second || timeout >= visibility || timeout >= lease {
		t.Errorf("TimeoutSeconds %s: want it under Express's 5 minutes, the intake's visibility timeout %s and the lease %s", timeout, visibility, lease)
	}
}

// TestTaskRetries: every Task retries Lambda's throttling and service
// errors with a jittered backoff long enough for a new account's
// concurrency to free up, each attempt under its own timeout; every Task
// but notify's retries a crashed or timed-out function; notify's never
// does (the message may have been sent): it catches those into the
// uncertain path (MarkUncertain, a dedupe Task) or, for updates,
// resolutions and digests, into one resend marked as a possible repeat,
// whose own unknown outcome ends in their Unconfirmed Succeed states.
func TestTaskRetries(t *testing.T) {
	m := readPipeline(t)
	states := allStates(m.States)
	for name, s := range tasks(m.States) {
		t.Run(name, func(t *testing.T) {
			if s.TimeoutSeconds <= 0 || s.TimeoutSeconds >= m.TimeoutSeconds {
				t.Errorf("TimeoutSeconds %d, want one under the execution's %d", s.TimeoutSeconds, m.TimeoutSeconds)
			}
			for _, e := range []string{"Lambda.TooManyRequestsException", "Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException"} {
				r := retrying(s, e)
				switch {
				case r == nil:
					t.Errorf("does not retry %s", e)
				case r.JitterStrategy != "FULL" || r.MaxDelaySeconds == nil:
					t.Errorf("retries %s without full jitter or MaxDelaySeconds", e)
				case maxWait(*r) < 30:
					t.Errorf("retries %s for %g s at most, too short for a new account's concurrency", e, maxWait(*r))
				}
			}
			notify := function(s) == "notify"
			for _, e := range crashes {
				switch r := retrying(s, e); {
				case notify && r != nil:
					t.Errorf("notify retries %s: a second copy could be sent without saying so", e)
				case !notify && r == nil:
					t.Errorf("does not retry %s", e)
				}
				if !notify {
					continue
				}
				c := catching(s, e)
				if c == nil || slices.Contains(c.ErrorEquals, "States.ALL") {
					t.Errorf("does not catch %s on its own", e)
					continue
				}
				next := states[c.Next]
				uncertain := next.Type == "Task" && function(next) == "dedupe" && action(next) == "uncertain"
				resend := next.Type == "Task" && function(next) == "notify" && possibleRepeat(next) && !possibleRepeat(s)
				if !uncertain && !resend && !(possibleRepeat(s) && next.Type == "Succeed" && strings.HasSuffix(c.Next, "Unconfirmed")) {
					t.Errorf("catches %s into %s: neither the uncertain path, nor one resend marked as a possible repeat, nor (after that resend) an Unconfirmed Succeed", e, c.Next)
				}
			}
		})
	}
}

// TestFailuresAfterAClaimRelease: a notify that surely did not publish
// releases its claim (or message, or digest) before the execution fails,
// so that a later try sends it.
func TestFailuresAfterAClaimRelease(t *testing.T) {
	m := readPipeline(t)
	states := allStates(m.States)
	for name, s := range tasks(m.States) {
		if function(s) != "notify" {
			continue
		}
		c := catching(s, "PublishError")
		if c == nil || !slices.Contains(c.ErrorEquals, "States.ALL") {
			t.Errorf("%s: does not catch every other error", name)
			continue
		}
		release := states[c.Next]
		if action(release) != "release" {
			t.Errorf("%s: a failed publish goes to %s, which does not release", name, c.Next)
		}
		if end := states[release.Next]; end.Type != "Fail" {
			t.Errorf("%s: the release goes on to %s (%s), not a Fail state the intake tries again", name, release.Next, end.Type)
		}
	}
}

// TestTerminalOutcomes: every outcome is a named terminal state; Fail only
// for failures a later try may fix (the intake queue hands the message out
// again), Succeed for everything else, malformed input included.
func TestTerminalOutcomes(t *testing.T) {
	m := readPipeline(t)
	fails := []string{"Failed", "NotifyFailed", "PublishUncertain", "ClosureNotifyFailed", "DigestNotifyFailed"}
	succeeds := []string{"Rejected", "Skipped", "NothingExposed", "Suppressed", "Allowed", "HeldForDigest", "InFlightElsewhere",
		"Notified", "NotifiedUnconfirmed", "PossiblyNotified", "Resolved", "Updated", "HeartbeatRecorded", "NoDigestDue", "DigestsSent"}
	for name, s := range m.States {
		switch s.Type {
		case "Fail":
			if !slices.Contains(fails, name) {
				t.Errorf("Fail state %s is not one a later try may fix", name)
			}
		case "Succeed":
			if !slices.Contains(succeeds, name) {
				t.Errorf("Succeed state %s is not a known outcome", name)
			}
		default:
			if s.End {
				t.Errorf("state %s ends the execution without a named outcome", name)
			}
		}
	}
	for _, name := range succeeds {
		if m.States[name].Type != "Succeed" {
			t.Errorf("%s is %q, want Succeed", name, m.States[name].Type)
		}
	}
}

// TestParseCarriesOnlyTheFinding: parse's task keeps only the finding (the
// raw input, up to the largest event, is not carried on): in the finding
// variable, the state holding a summary of it; its catches work on the
// pipe's input, an array (no ResultPath into it).
func TestParseCarriesOnlyTheFinding(t *testing.T) {
	p := readPipeline(t).States["Parse"]
	var sel struct {
		Finding map[string]string `json:"finding"`
	}
	if err := json.Unmarshal(p.ResultSelector, &sel); err != nil || p.ResultPath == nil || *p.ResultPath != "$" || len(sel.Finding) == 0 {
		t.Errorf("Parse keeps %s at %v, want a summary of the finding at $", p.ResultSelector, p.ResultPath)
	}
	for k, v := range sel.Finding {
		if !strings.HasPrefix(v, "$.Payload.") || strings.Count(v, ".") != 2 || !strings.HasSuffix(k, ".$") {
			t.Errorf("Parse's summary takes %s from %s, want one member of the finding", k, v)
		}
	}
	if got := assigned(t, p); got["finding"] != "$.Payload" {
		t.Errorf("Parse assigns %v, want the finding variable from $.Payload", got)
	}
	for _, c := range p.Catch {
		if c.ResultPath != nil && *c.ResultPath != "$" {
			t.Errorf("Parse catches %v into %s: a path into the input fails on the pipe's array", c.ErrorEquals, *c.ResultPath)
		}
	}
	if c := catching(p, "MalformedEventError"); c == nil || c.Next != "Rejected" {
		t.Errorf("malformed input goes to %v, want Rejected", c)
	}
}

// assigned returns the state's Assign as variable name -> path.
func assigned(t *testing.T, s aslState) map[string]string {
	t.Helper()
	out := map[string]string{}
	if len(s.Assign) == 0 {
		return out
	}
	var raw map[string]string
	if err := json.Unmarshal(s.Assign, &raw); err != nil {
		t.Fatalf("Assign %s: %v", s.Assign, err)
	}
	for k, v := range raw {
		out[strings.TrimSuffix(k, ".$")] = v
	}
	return out
}

// TestFindingTravelsInVariables: the finding and the claimed alert are
// workflow variables, assigned where they are made (parse, enrich, the
// degraded finding; the claim), so no state's input or output carries them
// again (each is logged at level ALL with execution data): no state reads
// them from the state but the Degraded merge of its own input, and the
// confirm, release and uncertain payloads get only the finding's event id
// and account.
func TestFindingTravelsInVariables(t *testing.T) {
	m := readPipeline(t)
	for name, want := range map[string]string{"Parse": "$.Payload", "Enrich": "$.Payload", "Degraded": "$.finding", "UnconfirmedFloor": "$.finding"} {
		if got := assigned(t, m.States[name])["finding"]; got != want {
			t.Errorf("%s assigns the finding from %q, want %q", name, got, want)
		}
	}
	if got := assigned(t, m.States["Dedupe"])["alert"]; got != "$.Payload.alert" {
		t.Errorf("Dedupe assigns the alert from %q, want $.Payload.alert", got)
	}
	raw, err := os.ReadFile(pipelineASL)
	if err != nil {
		t.Fatal(err)
	}
	var states map[string]json.RawMessage
	if err := json.Unmarshal(raw, &struct {
		States *map[string]json.RawMessage `json:"States"`
	}{&states}); err != nil {
		t.Fatal(err)
	}
	for name, st := range states {
		text := string(st)
		// The degraded path merges into the finding its own state holds,
		// and assigns the result.
		switch name {
		case "Degraded":
			text = strings.Replace(text, "States.JsonMerge($.finding, $.degraded, false)", "", 1)
			text = strings.Replace(text, `"finding.$": "$.finding"`, "", 1)
		case "UnconfirmedFloor":
			text = strings.Replace(text, "States.JsonMerge($.finding, $.floor, false)", "", 1)
			text = strings.Replace(text, `"finding.$": "$.finding"`, "", 1)
		}
		for _, ref := range []string{`"$.finding`, `"$.dedupe.alert"`} {
			if strings.Contains(text, ref) {
				t.Errorf("%s reads %s from the state: the variable holds it", name, strings.Trim(ref, `"`))
			}
		}
	}
	for name, s := range allStates(m.States) {
		var p struct {
			Payload map[string]json.RawMessage `json:"Payload"`
		}
		if len(s.Parameters) == 0 || json.Unmarshal(s.Parameters, &p) != nil || p.Payload == nil {
			continue
		}
		var action string
		_ = json.Unmarshal(p.Payload["action"], &action)
		small := action == "confirm" || action == "release" || action == "uncertain"
		if f, ok := p.Payload["finding"]; ok && small {
			var sub map[string]string
			if err := json.Unmarshal(f, &sub); err != nil || len(sub) != 2 || sub["eventId.$"] != "$finding.eventId" || sub["account.$"] != "$finding.account" {
				t.Errorf("%s (%s) gets the finding %s, want its eventId and account", name, action, f)
			}
		} else if f, ok := p.Payload["finding.$"]; ok && (small || string(f) != `"$finding"`) {
			t.Errorf("%s (%s) gets the finding from %s", name, action, f)
		}
	}
}

// TestDegradedAndHeartbeatPaths: an enrichment that fails after its
// retries goes on unconfirmed to the choice of what to do with its
// finding; a heartbeat (enriched: enrich runs on the heartbeat's path too,
// without lookups) goes to dedupe's record of it and ends
// HeartbeatRecorded.
func TestDegradedAndHeartbeatPaths(t *testing.T) {
	m := readPipeline(t)
	path := func(from string, steps int) []string {
		var out []string
		for name := from; name != "" && len(out) < steps; {
			out = append(out, name)
			s := m.States[name]
			switch {
			case s.Next != "":
				name = s.Next
			case s.Type == "Choice" && len(s.Choices) > 0:
				name = s.Choices[0].Next
			default:
				name = ""
			}
		}
		return out
	}
	enrich := m.States["Enrich"]
	if c := catching(enrich, "LookupError"); c == nil || !slices.Contains(c.ErrorEquals, "States.ALL") {
		t.Fatal("Enrich does not catch its failures")
	} else if got := path(c.Next, 3); !slices.Equal(got, []string{"Unconfirmed", "Degraded", "Exposed?"}) {
		t.Errorf("a failed enrichment goes %v", got)
	}
	if got := path("Exposed?", 3); !slices.Equal(got, []string{"Exposed?", "RecordHeartbeat", "HeartbeatRecorded"}) {
		t.Errorf("a heartbeat goes %v", got)
	}
	if action(m.States["RecordHeartbeat"]) != "heartbeat" {
		t.Error("RecordHeartbeat does not ask dedupe to record a heartbeat")
	}
}

// TestConsistencyWait: enrich's request for another look leads to a Wait
// of deployment.json's consistency.wait_seconds and back to Enrich, and
// the execution has time for every wait.
func TestConsistencyWait(t *testing.T) {
	m := readPipeline(t)
	var next string
	for _, c := range m.States["Exposed?"].Choices {
		if c.Next == "WaitForConsistency" {
			next = c.Next
		}
	}
	w, ok := m.States[next]
	if !ok || w.Type != "Wait" || w.Next != "Enrich" {
		t.Fatalf("Exposed? leads to %q (%+v), want a Wait back to Enrich", next, w)
	}
	c := Facts.Consistency
	if w.Seconds != c.WaitSeconds {
		t.Errorf("WaitForConsistency waits %d s, deployment.json says %d", w.Seconds, c.WaitSeconds)
	}
	if waits := c.WaitSeconds * c.MaxWaits; waits <= 0 || waits > m.TimeoutSeconds/4 {
		t.Errorf("%d waits of %d s: want them to take at most a quarter of the execution's %d s", c.MaxWaits, c.WaitSeconds, m.TimeoutSeconds)
	}
}

// TestNoPartialBatchFailure: the intake pipe takes a SUCCEEDED execution
// whose output has a top-level batchItemFailures for a partial batch
// failure and retries the items it names; no state writes that key.
func TestNoPartialBatchFailure(t *testing.T) {
	raw, err := os.ReadFile(pipelineASL)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(raw), "batchItemFailures") {
		t.Error("the state machine writes batchItemFailures: the pipe would retry a succeeded execution's items")
	}
}

// TestUnconfirmedNeverNothingExposed: a finding whose enrichment failed
// and whose request alone shows no exposure is raised to LOW, unconfirmed
// (UnconfirmedFloor, then dedupe), before the choice could judge it nothing
// exposed: degrade, never drop.
func TestUnconfirmedNeverNothingExposed(t *testing.T) {
	m := readPipeline(t)
	raw, err := os.ReadFile(pipelineASL)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		States map[string]struct {
			Choices []struct {
				And []struct {
					Variable     string `json:"Variable"`
					IsPresent    *bool  `json:"IsPresent"`
					StringEquals string `json:"StringEquals"`
				} `json:"And"`
				Next string `json:"Next"`
			} `json:"Choices"`
			Parameters struct {
				Floor map[string]any `json:"floor"`
			} `json:"Parameters"`
		} `json:"States"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	floor, nothing := -1, -1
	for i, c := range doc.States["Exposed?"].Choices {
		switch c.Next {
		case "UnconfirmedFloor":
			floor = i
			if len(c.And) == 0 || c.And[0].Variable != "$finding.unconfirmed" || c.And[0].IsPresent == nil || !*c.And[0].IsPresent {
				t.Errorf("UnconfirmedFloor is chosen by %+v, want an unconfirmed finding first", c.And)
			}
		case "NothingExposed":
			nothing = i
		}
	}
	if floor < 0 || nothing < 0 || floor > nothing {
		t.Errorf("Exposed? chooses UnconfirmedFloor at %d and NothingExposed at %d: an unconfirmed finding must be raised first", floor, nothing)
	}
	if f := doc.States["Degraded"].Parameters.Floor; f["severity"] != "low" || f["opensExposure"] != true {
		t.Errorf("the degraded floor is %v, want severity low, opensExposure true", f)
	}
	if s := m.States["UnconfirmedFloor"]; s.Type != "Pass" || s.Next != "Dedupe" {
		t.Errorf("UnconfirmedFloor is %s to %s, want a Pass to Dedupe", s.Type, s.Next)
	}
}

// TestUnconfirmedIsNotLookedForAgain: a finding enrich asked to look
// again at, whose next enrichment then failed, goes on unconfirmed instead
// of back to the wait (which would loop until the execution's timeout).
func TestUnconfirmedIsNotLookedForAgain(t *testing.T) {
	raw, err := os.ReadFile(pipelineASL)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		States map[string]struct {
			Choices []struct {
				And []struct {
					Not *struct {
						Variable  string `json:"Variable"`
						IsPresent *bool  `json:"IsPresent"`
					} `json:"Not"`
				} `json:"And"`
				Next string `json:"Next"`
			} `json:"Choices"`
		} `json:"States"`
	}
	if err := json.Unmarshal(raw, &doc); err != nil {
		t.Fatal(err)
	}
	for _, c := range doc.States["Exposed?"].Choices {
		if c.Next != "WaitForConsistency" {
			continue
		}
		for _, a := range c.And {
			if a.Not != nil && a.Not.Variable == "$finding.unconfirmed" && a.Not.IsPresent != nil && *a.Not.IsPresent {
				return
			}
		}
		t.Errorf("WaitForConsistency is chosen for unconfirmed findings too: %+v", c.And)
		return
	}
	t.Error("Exposed? has no WaitForConsistency choice")
}
