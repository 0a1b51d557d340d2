// Command send sends one CloudTrail event through trailwatch running on the
// local playground (make up): it reads the stack from -stack, puts the event
// on the rules' bus with PutEvents (a bare CloudTrail record is wrapped as
// EventBridge wraps it; an EventBridge envelope is sent as it is), waits for
// the execution the rules start, and prints the path of states it took and
// every notification it produced, subject, attributes and body.
//
//	send [-stack .local/stack.json] [-timeout 2m] EVENT.json
//
// Exit status: 0 when the event's execution ended, whatever its outcome
// (notified, suppressed, skipped, rejected, failed: printed); 3 when no
// rule matches the event, so it started no execution; 2 for a bad command
// line or event file; 1 when the stack could not be reached or the
// execution did not end within -timeout.
//
// Run it from the repository: make send EVENT=path/to/event.json.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/trailwatch/trailwatch/test/pipeline"
)

// Exit statuses.
const (
	exitFailed     = 1
	exitUsage      = 2
	exitNotMatched = 3
)

// notificationWait is how long a notified execution's message may take to
// reach the notification queue.
const notificationWait = 10 * time.Second

// usageError is a bad command line or event file.
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

func main() {
	stack := flag.String("stack", ".local/stack.json", "the running stack's description, written by make up")
	timeout := flag.Duration("timeout", 2*time.Minute, "how long to wait for the execution")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: send [-stack FILE] [-timeout D] EVENT.json")
		os.Exit(exitUsage)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	err := run(ctx, os.Stdout, *stack, flag.Arg(0))
	cancel()
	stop()
	var usage usageError
	switch {
	case err == nil:
	case errors.Is(err, pipeline.ErrNotDelivered):
		fmt.Fprintln(os.Stderr, "send:", err)
		os.Exit(exitNotMatched)
	case errors.As(err, &usage):
		fmt.Fprintln(os.Stderr, "send:", err)
		os.Exit(exitUsage)
	default:
		fmt.Fprintln(os.Stderr, "send:", err)
		os.Exit(exitFailed)
	}
}

func run(ctx context.Context, out io.Writer, stackFile, eventFile string) error {
	m, err := pipeline.ReadManifest(stackFile)
	if errors.Is(err, os.ErrNotExist) {
		return fmt.Errorf("no local stack described in %s: start one with `make up`", stackFile)
	}
	if err != nil {
		return err
	}
	data, err := os.ReadFile(eventFile)
	if err != nil {
		return usageError{err}
	}
	ev, err := pipeline.ParseEvent(data)
	if err != nil {
		return usageError{fmt.Errorf("%s: %w", eventFile, err)}
	}
	p := pipeline.Attach(m)
	id, err := p.Put(ctx, ev)
	if err != nil {
		return fmt.Errorf("is the stack of %s still up? %w", stackFile, err)
	}
	fmt.Fprintf(out, "sent %s from %s (%s) to bus %s: EventBridge event %s\n", filepath.Base(eventFile), ev.Source, ev.DetailType, m.EventBus, id)
	e, err := p.Delivered(ctx, id)
	if errors.Is(err, pipeline.ErrNotDelivered) {
		return fmt.Errorf("%w (rules: %s)", err, strings.Join(m.Rules, ", "))
	}
	if err != nil {
		return err
	}
	printExecution(out, e)
	if e.MessageID() == "" {
		return nil
	}
	got, err := p.NotificationsUntil(ctx, e.MessageID(), notificationWait)
	if err != nil {
		return fmt.Errorf("read the notifications: %w", err)
	}
	printNotifications(out, e.MessageID(), got)
	return nil
}

func printExecution(out io.Writer, e pipeline.Execution) {
	fmt.Fprintf(out, "execution %s: %s, %s\n", e.ARN, e.Status, e.Outcome())
	fmt.Fprintf(out, "path: %s\n", strings.Join(e.Path, " > "))
	if len(e.TaskErrors) > 0 {
		fmt.Fprintf(out, "task errors (retried or caught): %s\n", strings.Join(e.TaskErrors, ", "))
	}
	if e.Error != "" {
		fmt.Fprintf(out, "error: %s\n", e.Error)
	}
}

// printNotifications prints the notification mine and names the others
// the queue held (from other events).
func printNotifications(out io.Writer, mine string, got []pipeline.Notification) {
	found := false
	var others []string
	for _, n := range got {
		if n.MessageID != mine {
			others = append(others, n.Subject)
			continue
		}
		found = true
		keys := make([]string, 0, len(n.Attributes))
		for k := range n.Attributes {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		attrs := make([]string, 0, len(keys))
		for _, k := range keys {
			attrs = append(attrs, k+"="+n.Attributes[k])
		}
		fmt.Fprintf(out, "\nnotification %s\nsubject: %s\nattributes: %s\n\n%s\n", n.MessageID, n.Subject, strings.Join(attrs, " "), strings.TrimRight(n.Text, "\n"))
	}
	if !found {
		fmt.Fprintf(out, "\nnotification %s: not in the notification queue after %s\n", mine, notificationWait)
	}
	if len(others) > 0 {
		fmt.Fprintf(out, "\n%d other notifications were waiting in the queue (from earlier events): %s\n", len(others), strings.Join(others, "; "))
	}
}
