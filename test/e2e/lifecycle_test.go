package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/test/pipeline"
)

// rendered returns a function that returns the event it is given, or fails
// t on the error beside it.
func rendered(t *testing.T) func([]byte, error) []byte {
	return func(data []byte, err error) []byte {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return data
	}
}

// world runs a change of the local stack's world or fails the test.
func world(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// expect sends record through the rules and checks the outcome of its
// execution.
func expect(ctx context.Context, t *testing.T, p *pipeline.Pipeline, record []byte, outcome string) pipeline.Execution {
	t.Helper()
	e := send(ctx, t, p, record)
	if e.Outcome() != outcome {
		t.Fatalf("outcome %s (path %v, error %s), want %s", e.Outcome(), e.Path, e.Error, outcome)
	}
	return e
}

// inbox drains the notifications, waiting up to wait for want of them, and
// fails the test unless exactly want arrived.
func inbox(ctx context.Context, t *testing.T, p *pipeline.Pipeline, want int, wait time.Duration) []pipeline.Notification {
	t.Helper()
	var got []pipeline.Notification
	deadline := time.Now().Add(wait)
	for len(got) < want && time.Now().Before(deadline) {
		more, err := p.Notifications(ctx, time.Until(deadline))
		if err != nil {
			t.Fatal(err)
		}
		got = append(got, more...)
	}
	if more, err := p.Notifications(ctx, time.Second); err != nil {
		t.Fatal(err)
	} else {
		got = append(got, more...)
	}
	if len(got) != want {
		var subjects []string
		for _, n := range got {
			subjects = append(subjects, n.Attributes["status"]+" "+n.Subject)
		}
		t.Fatalf("%d notifications, want %d: %q", len(got), want, subjects)
	}
	return got
}

// openRDP opens 3389/tcp of the SSH group to the world and returns the
// AuthorizeSecurityGroupIngress that reports it.
func openRDP(ctx context.Context, t *testing.T, p *pipeline.Pipeline, w pipeline.World, root string) []byte {
	t.Helper()
	world(t, p.OpenPorts(ctx, w.SSHGroupID, 3389))
	return rendered(t)(pipeline.AuthorizeEvent(root, w, 3389))
}

// alerted sends record, which must be notified, and returns its alert.
func alerted(ctx context.Context, t *testing.T, p *pipeline.Pipeline, record []byte) pipeline.Notification {
	t.Helper()
	expect(ctx, t, p, record, "notified")
	return inbox(ctx, t, p, 1, 10*time.Second)[0]
}

// TestResolveAndReopen: an alert, the revocation that closes its exposure
// (resolved, threaded to the alert by its id), and the same exposure back
// (alerted again at once, within the window, as a new alert).
func TestResolveAndReopen(t *testing.T) {
	p, w, root := deploy(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ev := rendered(t)

	first := alerted(ctx, t, p, openRDP(ctx, t, p, w, root))

	world(t, p.ClosePorts(ctx, w.SSHGroupID, 22, 3389))
	closed := expect(ctx, t, p, ev(pipeline.RevokeEvent(root, w, 22, 3389)), "resolved")
	resolved := inbox(ctx, t, p, 1, 10*time.Second)[0]

	world(t, p.OpenPorts(ctx, w.SSHGroupID, 22, 3389))
	expect(ctx, t, p, ev(pipeline.AuthorizeEvent(root, w, 3389)), "notified")
	again := inbox(ctx, t, p, 1, 10*time.Second)[0]

	if got := []string{first.Attributes["status"], resolved.Attributes["status"], again.Attributes["status"]}; strings.Join(got, " ") != "open resolved open" {
		t.Errorf("statuses %v, want open resolved open", got)
	}
	id := first.Attributes["alert_id"]
	if id == "" || resolved.Attributes["alert_id"] != id {
		t.Errorf("alert ids %q then %q: the resolution must carry the alert's", id, resolved.Attributes["alert_id"])
	}
	if again.Attributes["alert_id"] == id || again.Attributes["alert_id"] == "" {
		t.Errorf("the exposure back is alert %q, want a new alert", again.Attributes["alert_id"])
	}
	if !strings.HasPrefix(resolved.Subject, "[RESOLVED] "+w.SSHGroupID) {
		t.Errorf("resolution subject %q", resolved.Subject)
	}
	for _, m := range []string{"tcp/22 from 0.0.0.0/0", "tcp/3389 from 0.0.0.0/0", "Exposed for:", "RevokeSecurityGroupIngress", "Resolved:", id} {
		if !strings.Contains(resolved.Text, m) {
			t.Errorf("the resolution does not say %q:\n%s", m, resolved.Text)
		}
	}
	if want := []string{"Parse", "Enrich", "Exposed?", "Dedupe", "Duplicate?", "NotifyClosures"}; !slices.Equal(closed.Path[:len(want)], want) || closed.Path[len(closed.Path)-1] != "Resolved" {
		t.Errorf("closing path %v, want %v ... Resolved", closed.Path, want)
	}
}

// TestPartialCloseUpdates: revoking one of two world-open rules updates
// the alert and says what is still open.
func TestPartialCloseUpdates(t *testing.T) {
	p, w, root := deploy(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ev := rendered(t)
	alert := alerted(ctx, t, p, openRDP(ctx, t, p, w, root))

	world(t, p.ClosePorts(ctx, w.SSHGroupID, 3389))
	expect(ctx, t, p, ev(pipeline.RevokeEvent(root, w, 3389)), "updated")
	u := inbox(ctx, t, p, 1, 10*time.Second)[0]
	if u.Attributes["status"] != "open" || u.Attributes["alert_id"] != alert.Attributes["alert_id"] || !strings.HasPrefix(u.Subject, "[UPDATED] ") {
		t.Errorf("update %q %v", u.Subject, u.Attributes)
	}
	i := strings.Index(u.Text, "Still open")
	if i < 0 || !strings.Contains(u.Text[i:], w.SSHGroupID+" allows tcp/22 from 0.0.0.0/0") ||
		!strings.Contains(u.Text, "Closed by this event\n  - "+w.SSHGroupID+" allows tcp/3389 from 0.0.0.0/0") {
		t.Errorf("the update does not say what closed and what is still open:\n%s", u.Text)
	}
}

// TestRepeatsCountOnce: one event delivered 50 times is one alert and
// counts as one event on it, as its resolution reports.
func TestRepeatsCountOnce(t *testing.T) {
	p, w, root := deploy(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	ev := rendered(t)
	record := openRDP(ctx, t, p, w, root)
	expect(ctx, t, p, record, "notified")
	outcomes := map[string]int{}
	for range 49 {
		if _, err := p.PutRecord(ctx, record); err != nil {
			t.Fatal(err)
		}
		if err := p.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
	}
	executions, err := p.Executions(ctx, func(input string) bool { return strings.Contains(input, eventIDOf(t, record)) })
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range executions[1:] {
		outcomes[e.Outcome()]++
	}
	if len(executions) != 50 || outcomes["suppressed"] != 49 {
		t.Errorf("%d executions; the 49 deliveries after the first: %v, want all suppressed", len(executions), outcomes)
	}
	inbox(ctx, t, p, 1, 10*time.Second)

	world(t, p.ClosePorts(ctx, w.SSHGroupID, 22, 3389))
	expect(ctx, t, p, ev(pipeline.RevokeEvent(root, w, 22, 3389)), "resolved")
	resolved := inbox(ctx, t, p, 1, 10*time.Second)[0]
	if !regexp.MustCompile(`\n  Reported by: +1 CloudTrail event\n`).MatchString(resolved.Text) {
		t.Errorf("the resolution does not count one event:\n%s", resolved.Text)
	}
}

// TestAllowRuleUntilItExpires: a rule of the rules file allows the
// exposure, naming itself in the execution's output, until it expires.
func TestAllowRuleUntilItExpires(t *testing.T) {
	expires := time.Now().UTC().Add(40 * time.Second).Truncate(time.Second)
	file := filepath.Join(t.TempDir(), "rules.yaml")
	rulesText := fmt.Sprintf(`rules:
  - id: bastion-admin-ports
    reason: The bastion group is open on 22 and 3389 during the migration (SEC-7).
    expires: %s
    match:
      resource: sg-*
      port: [22, 3389]
      event: AuthorizeSecurityGroupIngress
`, expires.Format(time.RFC3339))
	if err := os.WriteFile(file, []byte(rulesText), 0o644); err != nil {
		t.Fatal(err)
	}
	p, w, root, _ := deployWith(t, pipeline.Options{RulesFile: file})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ev := rendered(t)
	allowed := expect(ctx, t, p, openRDP(ctx, t, p, w, root), "allowed")
	var out struct {
		Dedupe struct {
			Rule struct {
				ID      string    `json:"id"`
				Reason  string    `json:"reason"`
				Expires time.Time `json:"expires"`
			} `json:"rule"`
		} `json:"dedupe"`
	}
	if err := json.Unmarshal([]byte(allowed.Output), &out); err != nil {
		t.Fatal(err)
	}
	if r := out.Dedupe.Rule; r.ID != "bastion-admin-ports" || !strings.Contains(r.Reason, "SEC-7") || !r.Expires.Equal(expires) {
		t.Errorf("the Allowed output names %+v", r)
	}
	if n, err := p.Notifications(ctx, 2*time.Second); err != nil || len(n) != 0 {
		t.Errorf("notifications %v %v, want none for an allowed finding", n, err)
	}

	time.Sleep(time.Until(expires) + time.Second)
	expect(ctx, t, p, ev(pipeline.AuthorizeEvent(root, w, 3389)), "notified")
	inbox(ctx, t, p, 1, 10*time.Second)
}

// TestMalformedRulesRefused: dedupe refuses to start on a malformed rules
// file (terraform refuses it at plan: terraform/tests/rules.tftest.hcl),
// saying which rule and what is wrong; the execution fails visibly.
func TestMalformedRulesRefused(t *testing.T) {
	file := filepath.Join(t.TempDir(), "rules.yaml")
	if err := os.WriteFile(file, []byte("rules:\n  - id: web\n    reason: the web tier\n    match:\n      port: 44x\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	p, w, root, logs := deployWith(t, pipeline.Options{RulesFile: file})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	e := send(ctx, t, p, openRDP(ctx, t, p, w, root))
	if e.Status != "FAILED" || e.Path[len(e.Path)-1] != "Failed" {
		t.Errorf("execution %s, path %v: want it to fail", e.Status, e.Path)
	}
	want := `rules file rules.yaml: rule 1 (id \"web\"), line 5: match.port[0]: \"44x\" is not a port (0-65535) or a range such as 8000-8080`
	if !strings.Contains(logs.String(), `"message":"startup_failed"`) || !strings.Contains(logs.String(), want) {
		t.Errorf("dedupe's logs do not refuse the file with %q", want)
	}
	if n, err := p.Notifications(ctx, time.Second); err != nil || len(n) != 0 {
		t.Errorf("notifications %v %v, want none", n, err)
	}
}

// TestStormDigest: 200 alerts from one actor (a fleet launched with public
// IPs) give the threshold's alerts at once and one digest, sent by the
// digest schedule's run before the storm period ends, that lists all 200.
// The events go through the rules in waves of ten, each wave handled before
// the next (more at once would start a process per concurrent invocation
// of every function); the local stack handles about one execution a second
// on two busy cores (measured: 200 in 4m40s), so the storm period is seven
// minutes, to hold the whole burst, and the test takes as long.
func TestStormDigest(t *testing.T) {
	const fleet, threshold, wave = 200, 5, 10
	period := 7 * time.Minute
	p, w, root := deploy(t, map[string]string{"STORM_PERIOD": period.String(), "STORM_THRESHOLD": fmt.Sprint(threshold)})
	ctx, cancel := context.WithTimeout(context.Background(), 14*time.Minute)
	defer cancel()
	ev := rendered(t)
	ids, err := p.LaunchPublic(ctx, w, fleet)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	sent := map[string]bool{}
	for i := 0; i < fleet; i += wave {
		for _, id := range ids[i:min(i+wave, fleet)] {
			eventID, err := p.PutRecord(ctx, ev(pipeline.FleetEvent(root, w, id)))
			if err != nil {
				t.Fatal(err)
			}
			sent[eventID] = true
		}
		if err := p.WaitIdle(ctx); err != nil {
			t.Fatal(err)
		}
		if (i/wave)%4 == 0 {
			t.Logf("%d events handled after %s", i+wave, time.Since(start).Round(time.Second))
		}
	}
	outcomes := map[string]int{}
	executions, err := p.Executions(ctx, func(input string) bool { return sent[pipeline.EventIDOf(input)] })
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range executions {
		outcomes[e.Outcome()]++
	}
	burst := time.Since(start)
	t.Logf("%d RunInstances alerts in %s: %v", fleet, burst.Round(time.Second), outcomes)
	if outcomes["notified"] != threshold || outcomes["held"] != fleet-threshold {
		t.Fatalf("outcomes %v, want %d notified and %d held", outcomes, threshold, fleet-threshold)
	}
	if burst > period {
		t.Fatalf("the burst took %s, longer than the storm period (%s): the test cannot tell a digest from a new period", burst, period)
	}
	alerts := inbox(ctx, t, p, threshold, 20*time.Second)

	var digests []pipeline.Execution
	for len(digests) == 0 && time.Since(start) < period+time.Minute {
		e, err := p.SendDigests(ctx)
		if err != nil {
			t.Fatal(err)
		}
		switch e.Outcome() {
		case "digests":
			if e.Path[len(e.Path)-1] == "DigestsSent" {
				digests = append(digests, e)
				continue
			}
		default:
			t.Fatalf("a run of the digest schedule: %s %v (%s)", e.Outcome(), e.Path, e.Error)
		}
		time.Sleep(10 * time.Second)
	}
	if len(digests) == 0 {
		t.Fatal("no digest was sent within the storm's period")
	}
	if took := time.Since(start); took > period {
		t.Errorf("the digest was sent %s after the burst began: held alerts waited longer than the period (%s)", took, period)
	}
	t.Logf("digest sent %s after the burst started (period %s)", time.Since(start).Round(time.Second), period)
	digest := inbox(ctx, t, p, 1, 20*time.Second)[0]
	if digest.Attributes["status"] != "digest" || !strings.Contains(digest.Subject, fmt.Sprintf("%d RunInstances messages held from fleet-launcher", fleet-threshold)) {
		t.Errorf("digest %q %v", digest.Subject, digest.Attributes)
	}
	for _, n := range alerts {
		if n.Attributes["status"] != "open" {
			t.Errorf("alert %q status %q", n.Subject, n.Attributes["status"])
		}
	}
	if e, err := p.SendDigests(ctx); err != nil || e.Path[len(e.Path)-1] != "NoDigestDue" {
		t.Errorf("the next run: %v %v, want nothing due", e.Path, err)
	}
	if n, err := p.Notifications(ctx, 2*time.Second); err != nil || len(n) != 0 {
		t.Errorf("%d more notifications: %d alerts and one digest in all, want %d", len(n), len(alerts), threshold+1)
	}

	// The digest notify published lists every alert of the storm.
	d := digestSent(ctx, t, p, digests[0])
	seen := map[string]bool{}
	for _, e := range append(append([]digestEntry(nil), d.Sent...), d.Held...) {
		seen[e.AlertID] = true
	}
	if len(d.Sent) != threshold || len(d.Held) != fleet-threshold || d.MoreHeld != 0 || len(seen) != fleet {
		t.Errorf("digest: %d sent, %d held, %d more, %d distinct alerts; want %d, %d, 0 and %d", len(d.Sent), len(d.Held), d.MoreHeld, len(seen), threshold, fleet-threshold, fleet)
	}
}

type digestEntry struct {
	AlertID string `json:"alertId"`
}

type digestDoc struct {
	Sent     []digestEntry `json:"sent"`
	Held     []digestEntry `json:"held"`
	MoreHeld int           `json:"moreHeld"`
}

// digestSent returns the digest the run e gave notify, from its history.
func digestSent(ctx context.Context, t *testing.T, p *pipeline.Pipeline, e pipeline.Execution) digestDoc {
	t.Helper()
	inputs, err := p.StateInputs(ctx, e.ARN, "NotifyDigest")
	if err != nil || len(inputs) != 1 {
		t.Fatalf("NotifyDigest inputs: %d, %v", len(inputs), err)
	}
	var in struct {
		Built struct {
			Digest digestDoc `json:"digest"`
		} `json:"built"`
	}
	if err := json.Unmarshal([]byte(inputs[0]), &in); err != nil {
		t.Fatal(err)
	}
	return in.Built.Digest
}

// TestDemoLifecycle runs the demo as make demo does: its samples, then
// its lifecycle part, which shows a resolution, an update, a storm held
// and its digest.
func TestDemoLifecycle(t *testing.T) {
	p, w, root := deploy(t, pipeline.DemoEnv)
	ctx, cancel := context.WithTimeout(context.Background(), 6*time.Minute)
	defer cancel()
	samples, err := p.Samples(root, w)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	rep, err := p.RunSamples(ctx, samples, &out)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := rep.Line(), "events=9 notified=6 suppressed=1 skipped=1 rejected=1 failed=0"; got != want {
		t.Errorf("samples: %q, want %q", got, want)
	}
	life, err := p.RunLifecycle(ctx, root, w, &out)
	t.Logf("demo output:\n%s\n%s", out.String(), life.Line())
	if err != nil {
		t.Fatal(err)
	}
	if err := life.Check(); err != nil {
		t.Error(err)
	}
	if got, want := life.Line(), "lifecycle: closing=resolved resolved=1 open=6 held=3 digests=1"; got != want {
		t.Errorf("lifecycle %q, want %q (an update and the storm's 5 alerts are open)", got, want)
	}
}

// TestRevokeByRuleIDResolves: the console revokes rules by their security
// group rule ids alone; enrich looks the group up, and the alert resolves
// against the group's live rules.
func TestRevokeByRuleIDResolves(t *testing.T) {
	p, w, root := deploy(t, nil)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	alert := alerted(ctx, t, p, openRDP(ctx, t, p, w, root))

	ids, err := p.ClosePortsByRuleID(ctx, w.SSHGroupID, 3389)
	world(t, err)
	expect(ctx, t, p, rendered(t)(pipeline.RevokeByRuleIDEvent(root, w, ids...)), "updated")
	u := inbox(ctx, t, p, 1, 10*time.Second)[0]
	if u.Attributes["alert_id"] != alert.Attributes["alert_id"] || !strings.Contains(u.Text, "Closed by this event\n  - "+w.SSHGroupID+" allows tcp/3389 from 0.0.0.0/0") {
		t.Errorf("the update by rule id %v does not close 3389:\n%s", ids, u.Text)
	}

	ids, err = p.ClosePortsByRuleID(ctx, w.SSHGroupID, 22)
	world(t, err)
	expect(ctx, t, p, rendered(t)(pipeline.RevokeByRuleIDEvent(root, w, ids...)), "resolved")
	r := inbox(ctx, t, p, 1, 10*time.Second)[0]
	if r.Attributes["status"] != "resolved" || r.Attributes["alert_id"] != alert.Attributes["alert_id"] {
		t.Errorf("resolution %q %v", r.Subject, r.Attributes)
	}
}

// TestTagRuleAllows: a rule on the tag trailwatch:allow, which enrich
// reads from the group, allows a world-open port of a group tagged for
// it; untagged, the group is alerted.
func TestTagRuleAllows(t *testing.T) {
	file := filepath.Join(t.TempDir(), "rules.yaml")
	rulesText := `rules:
  - id: web-tier-https
    reason: The web tier is public on 443 by design (SEC-12).
    match:
      tag: {"trailwatch:allow": "tcp/443"}
      port: 443
`
	if err := os.WriteFile(file, []byte(rulesText), 0o644); err != nil {
		t.Fatal(err)
	}
	p, w, root, _ := deployWith(t, pipeline.Options{RulesFile: file})
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	ev := rendered(t)
	group, err := p.NewGroup(ctx, w, "trailwatch-e2e-https", 443)
	world(t, err)
	world(t, p.Tag(ctx, group, "trailwatch:allow", "tcp/443"))
	allowed := expect(ctx, t, p, ev(pipeline.AuthorizeGroupEvent(root, group, 443)), "allowed")
	var out struct {
		Dedupe struct {
			Rule struct {
				ID string `json:"id"`
			} `json:"rule"`
		} `json:"dedupe"`
	}
	if err := json.Unmarshal([]byte(allowed.Output), &out); err != nil {
		t.Fatal(err)
	}
	var f struct {
		Resources []struct {
			Tags map[string]string `json:"tags"`
		} `json:"resources"`
	}
	if !allowed.Finding(&f) {
		t.Fatalf("the execution assigned no finding: %v", allowed.Variables)
	}
	if rs := f.Resources; out.Dedupe.Rule.ID != "web-tier-https" || len(rs) != 1 || rs[0].Tags["trailwatch:allow"] != "tcp/443" {
		t.Errorf("the Allowed output does not name the rule, or the finding lacks the tag enrich read:\n%.2000s\n%.2000s", allowed.Output, allowed.Variables["finding"])
	}
	if n, err := p.Notifications(ctx, 2*time.Second); err != nil || len(n) != 0 {
		t.Errorf("notifications %v %v, want none for an allowed finding", n, err)
	}

	world(t, p.Untag(ctx, group, "trailwatch:allow"))
	expect(ctx, t, p, ev(pipeline.AuthorizeGroupEvent(root, group, 443)), "notified")
	inbox(ctx, t, p, 1, 10*time.Second)
}
