// Command redrive sends the events parked on the local playground (make up)
// back to its intake queue, once the fault that parked them is gone: the
// local stack's stand-in for SQS's StartMessageMoveTask from the parked
// queue to the intake queue, which moto does not implement (on AWS, the
// README's aws sqs start-message-move-task line does it). The pipe then
// runs each event again. It prints how many it moved.
//
//	redrive [-stack .local/stack.json] [-timeout 1m]
//
// Exit status: 0 when every parked event was moved; 1 when the stack could
// not be reached or a move failed; 2 for a bad command line.
//
// Run it from the repository: make redrive.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/trailwatch/trailwatch/test/pipeline"
)

func main() {
	stack := flag.String("stack", ".local/stack.json", "the running stack's description, written by make up")
	timeout := flag.Duration("timeout", time.Minute, "how long the moves may take")
	flag.Parse()
	if flag.NArg() != 0 {
		fmt.Fprintln(os.Stderr, "usage: redrive [-stack FILE] [-timeout D]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	n, err := run(ctx, *stack)
	cancel()
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "redrive:", err)
		os.Exit(1)
	}
	fmt.Printf("moved %d parked event(s) back to the intake queue\n", n)
}

func run(ctx context.Context, stack string) (int, error) {
	m, err := pipeline.ReadManifest(stack)
	if err != nil {
		return 0, fmt.Errorf("%w (is make up running?)", err)
	}
	if m.ParkedQueueURL == "" || m.IntakeQueueURL == "" {
		return 0, fmt.Errorf("%s: no intake or parked queue (written by an older make up?)", stack)
	}
	return pipeline.Attach(m).Redrive(ctx)
}
