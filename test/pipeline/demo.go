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
