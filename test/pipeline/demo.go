package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"
)

// sampleTimeout bounds the wait for one sample's execution; an alert in
// flight elsewhere is retried for 35 s.
const sampleTimeout = 60 * time.Second

// notificationWait is how long a notified execution's message may take to
// reach the inbox.
const notificationWait = 5 * time.Second

// Result is what became of one sample.
type Result struct {
	Sample    Sample
	Outcome   string
	Path      []string
	Subject   string
	Execution Execution
}

// Report sums the demo up.
type Report struct {
	Results                                                 []Result
	Events, Notified, Suppressed, Skipped, Rejected, Failed int
	Notifications                                           []Notification
}

// Line is the report's summary line.
func (r Report) Line() string {
	return fmt.Sprintf("events=%d notified=%d suppressed=%d skipped=%d rejected=%d failed=%d",
		r.Events, r.Notified, r.Suppressed, r.Skipped, r.Rejected, r.Failed)
}

// RunSamples sends each sample in turn, waits for its execution (an event
// no rule matches is "skipped", not delivered), and reports the path of
// states and the notification of each. Progress goes to w.
func (p *Pipeline) RunSamples(ctx context.Context, samples []Sample, w io.Writer) (Report, error) {
	var rep Report
	for i, s := range samples {
		if s.Before != nil {
			if err := s.Before(ctx); err != nil {
				return rep, err
			}
		}
		res, err := p.runSample(ctx, i, s)
		if err != nil {
			return rep, err
		}
		if res.Outcome == "notified" {
			got, err := p.NotificationsUntil(ctx, res.Execution.MessageID(), notificationWait)
			if err != nil {
				return rep, err
			}
			rep.Notifications = append(rep.Notifications, got...)
			for _, n := range rep.Notifications {
				if n.MessageID == res.Execution.MessageID() {
					res.Subject = n.Subject
				}
			}
		}
		rep.add(res)
		fmt.Fprintf(w, "%-52s %-10s %s\n", s.Name, res.Outcome, strings.Join(res.Path, " > "))
		if res.Subject != "" {
			fmt.Fprintf(w, "%-52s %-10s subject: %s\n", "", "", res.Subject)
		}
	}
	return rep, nil
}

// runSample sends the i-th sample (through the rules, or directly) and
// returns its execution's outcome.
func (p *Pipeline) runSample(ctx context.Context, i int, s Sample) (Result, error) {
	ctx, cancel := context.WithTimeout(ctx, sampleTimeout)
	defer cancel()
	res := Result{Sample: s}
	var err error
	if s.Direct {
		var arn string
		if arn, err = p.StartDirect(ctx, fmt.Sprintf("direct-%d-%s", i, NewID()), s.Record); err != nil {
			return res, err
		}
		res.Execution, err = p.Execution(ctx, arn)
	} else {
		var id string
		if id, err = p.PutRecord(ctx, s.Record); err != nil {
			return res, err
		}
		res.Execution, err = p.Delivered(ctx, id)
		if errors.Is(err, ErrNotDelivered) {
			res.Outcome, res.Path = "skipped", []string{"(not delivered: no rule matches)"}
			return res, nil
		}
	}
	if err != nil {
		return res, err
	}
	res.Outcome, res.Path = res.Execution.Outcome(), res.Execution.Path
	return res, nil
}

func (r *Report) add(res Result) {
	r.Results = append(r.Results, res)
	r.Events++
	switch res.Outcome {
	case "notified":
		r.Notified++
	case "suppressed":
		r.Suppressed++
	case "skipped":
		r.Skipped++
	case "rejected":
		r.Rejected++
	default:
		r.Failed++
	}
}

// DemoEnv is the function environment the demo deploys with: a storm
// period short enough for the demo to show a storm's digest.
var DemoEnv = map[string]string{"STORM_PERIOD": "20s"}

// stormFleet is how many instances the demo's storm launches: more than
// the storm threshold.
const stormFleet = 8

// Lifecycle is what became of the demo's second part: the exposures of the
// samples closed, and a storm.
type Lifecycle struct {
	// Closing is the execution of the RevokeSecurityGroupIngress that closes
	// what the samples opened on the SSH group.
	Closing Execution
	// Storm are the executions of the fleet's RunInstances, in order.
	Storm []Execution
	// Digests is the digest schedule's run that sent the storm's digest.
	Digests Execution
	// Notifications are the messages the part produced: updates and
	// resolutions, the storm's alerts, its digest.
	Notifications []Notification
}

// Line is the lifecycle part's summary line.
func (l Lifecycle) Line() string {
	status, held := l.counts()
	return fmt.Sprintf("lifecycle: closing=%s resolved=%d open=%d held=%d digests=%d",
		l.Closing.Outcome(), status["resolved"], status["open"], held, status["digest"])
}

// counts returns the notifications by status and how many of the storm's
// alerts were held.
func (l Lifecycle) counts() (status map[string]int, held int) {
	status = map[string]int{}
	for _, n := range l.Notifications {
		status[n.Attributes["status"]]++
	}
	for _, e := range l.Storm {
		if e.Outcome() == "held" {
			held++
		}
	}
	return status, held
}

// RunLifecycle runs the demo's second part on a pipeline deployed with
// DemoEnv after RunSamples: it revokes the SSH group's world-open rules
// (22 and the samples' 3389) and sends the RevokeSecurityGroupIngress
// that reports it (resolving the AuthorizeSecurityGroupIngress alert and
// updating the RunInstances one, whose instance keeps its public IP), then
// launches a fleet from one actor (FleetActor), more than the storm threshold, sends
// its RunInstances and runs the digest schedule once the storm's digest
// is due. Progress goes to out.
func (p *Pipeline) RunLifecycle(ctx context.Context, root string, w World, out io.Writer) (Lifecycle, error) {
	var l Lifecycle
	if err := p.ClosePorts(ctx, w.SSHGroupID, 22, 3389); err != nil {
		return l, err
	}
	revoke, err := RevokeEvent(root, w, 22, 3389)
	if err != nil {
		return l, err
	}
	if l.Closing, err = p.deliver(ctx, revoke); err != nil {
		return l, err
	}
	fmt.Fprintf(out, "%-52s %-10s %s\n", "RevokeSecurityGroupIngress (22 and 3389)", l.Closing.Outcome(), strings.Join(l.Closing.Path, " > "))
	if err := p.collect(ctx, &l, out, 2); err != nil {
		return l, err
	}

	ids, err := p.LaunchPublic(ctx, w, stormFleet)
	if err != nil {
		return l, err
	}
	for _, id := range ids {
		record, err := FleetEvent(root, w, id)
		if err != nil {
			return l, err
		}
		e, err := p.deliver(ctx, record)
		if err != nil {
			return l, err
		}
		l.Storm = append(l.Storm, e)
	}
	outcomes := map[string]int{}
	for _, e := range l.Storm {
		outcomes[e.Outcome()]++
	}
	fmt.Fprintf(out, "%-52s %-10s %d sent at once, %d held for the digest\n", fmt.Sprintf("RunInstances x%d (one actor: a storm)", stormFleet), "storm",
		outcomes["notified"], outcomes["held"])
	if err := p.collect(ctx, &l, out, outcomes["notified"]); err != nil {
		return l, err
	}
	deadline := time.Now().Add(sampleTimeout)
	for time.Now().Before(deadline) {
		if l.Digests, err = p.SendDigests(ctx); err != nil {
			return l, err
		}
		if last := l.Digests.Path[len(l.Digests.Path)-1]; last != "NoDigestDue" {
			break
		}
		time.Sleep(2 * time.Second)
	}
	fmt.Fprintf(out, "%-52s %-10s %s\n", "the digest schedule's run", l.Digests.Outcome(), strings.Join(l.Digests.Path, " > "))
	return l, p.collect(ctx, &l, out, 1)
}

// deliver sends record through the rules and waits for its execution.
func (p *Pipeline) deliver(ctx context.Context, record []byte) (Execution, error) {
	ctx, cancel := context.WithTimeout(ctx, sampleTimeout)
	defer cancel()
	id, err := p.PutRecord(ctx, record)
	if err != nil {
		return Execution{}, err
	}
	return p.Delivered(ctx, id)
}

// collect waits for n notifications and prints their subjects.
func (p *Pipeline) collect(ctx context.Context, l *Lifecycle, out io.Writer, n int) error {
	var got []Notification
	deadline := time.Now().Add(notificationWait)
	for len(got) < n && time.Now().Before(deadline) {
		more, err := p.Notifications(ctx, time.Until(deadline))
		if err != nil {
			return err
		}
		got = append(got, more...)
	}
	for _, m := range got {
		fmt.Fprintf(out, "%-52s %-10s %s\n", "", m.Attributes["status"], m.Subject)
	}
	l.Notifications = append(l.Notifications, got...)
	return nil
}

// Check returns an error unless the lifecycle part did what the demo shows:
// the closing event resolved an alert (and updated the other), the storm
// held what passed the threshold, and the digest was sent.
func (l Lifecycle) Check() error {
	status, held := l.counts()
	switch {
	case l.Closing.Outcome() != "resolved" || status["resolved"] != 1:
		return fmt.Errorf("the closing event ended %s with %d resolutions, want resolved with 1", l.Closing.Outcome(), status["resolved"])
	case held == 0 || len(l.Storm) == 0:
		return fmt.Errorf("the storm of %d alerts held %d", len(l.Storm), held)
	case len(l.Digests.Path) == 0 || l.Digests.Path[len(l.Digests.Path)-1] != "DigestsSent" || status["digest"] != 1:
		return fmt.Errorf("the digest schedule's run ended %v with %d digests, want DigestsSent and 1", l.Digests.Path, status["digest"])
	}
	return nil
}
