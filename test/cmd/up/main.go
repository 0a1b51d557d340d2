// Command up runs trailwatch's local playground until Ctrl-C: it starts the
// local stack (moto behind the gateway that runs the real function
// binaries), deploys the pipeline on it as terraform would, seeds the demo's
// EC2 world, writes sample events rendered with the world's ids, prints the
// endpoint and every resource name, and writes the same as JSON (package
// pipeline's Manifest) to -state for scripts and for the send command.
//
// On SIGINT or SIGTERM it stops moto and every function process, removes
// the state file and exits 0; it exits 1 when the stack could not start.
//
// Run it from the repository: make up. It runs the functions' binaries from
// $TRAILWATCH_BIN (make builds them into .local/bin), else builds them
// there.
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/test/pipeline"
)

type options struct {
	port   int
	state  string
	events string
	log    string
}

func main() {
	var o options
	flag.IntVar(&o.port, "port", 4566, "port of the stack's endpoint on 127.0.0.1 (0: a free one)")
	flag.StringVar(&o.state, "state", ".local/stack.json", "file to write the stack's description to, relative to the repository")
	flag.StringVar(&o.events, "events", ".local/events", "directory to write sample events to, relative to the repository")
	flag.StringVar(&o.log, "log", ".local/up.log", "file for the stack's and the functions' logs, relative to the repository")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: up [-port N] [-state FILE] [-events DIR] [-log FILE]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, stop, o)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "up:", err)
		os.Exit(1)
	}
}

// run brings the playground up, waits for ctx (the first signal), and
// takes it down; stop, called then, makes a second signal kill the process.
func run(ctx context.Context, stop func(), o options) error {
	root, err := pipeline.FindRoot()
	if err != nil {
		return err
	}
	abs := func(p string) string {
		if filepath.IsAbs(p) {
			return p
		}
		return filepath.Join(root, p)
	}
	o.state, o.events, o.log = abs(o.state), abs(o.events), abs(o.log)
	if err := os.MkdirAll(filepath.Dir(o.log), 0o755); err != nil {
		return err
	}
	logs, err := os.Create(o.log)
	if err != nil {
		return err
	}
	defer logs.Close()

	bin, built, err := pipeline.Binaries(ctx, root, filepath.Join(root, ".local", "bin"))
	if err != nil {
		return fmt.Errorf("build the functions: %w", err)
	}
	if built {
		fmt.Println("built the functions into", bin)
	}
	canary, err := time.ParseDuration(deployment.Facts.Heartbeat.Interval)
	if err != nil {
		return fmt.Errorf("deployment.json heartbeat.interval: %w", err)
	}
	p, err := pipeline.Deploy(ctx, pipeline.Options{Root: root, BinDir: bin, Logs: logs, Port: o.port, Canary: canary})
	if err != nil {
		return fmt.Errorf("deploy (logs: %s): %w", o.log, err)
	}
	defer func() {
		fmt.Println("stopping the local stack")
		if err := p.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "up: close:", err)
		}
		os.Remove(o.state)
	}()
	w, err := p.Seed(ctx)
	if err != nil {
		return fmt.Errorf("seed the world: %w", err)
	}
	m := p.Manifest(w)
	m.Logs = o.log
	if m.Events, err = writeEvents(p, root, w, o.events); err != nil {
		return err
	}
	if err := pipeline.WriteManifest(o.state, m); err != nil {
		return err
	}
	printManifest(os.Stdout, m, o.state, root)
	<-ctx.Done()
	stop() // a second signal kills at once
	return nil
}

// writeEvents writes each sample event the rules receive, rendered with the
// world's ids, to dir/<fixture name>, and returns their paths by fixture
// name.
func writeEvents(p *pipeline.Pipeline, root string, w pipeline.World, dir string) (map[string]string, error) {
	samples, err := p.Samples(root, w)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, s := range samples {
		if s.Direct || out[s.File] != "" {
			continue
		}
		var v any
		if err := json.Unmarshal(s.Record, &v); err != nil {
			return nil, err
		}
		data, err := json.MarshalIndent(v, "", "  ")
		if err != nil {
			return nil, err
		}
		path := filepath.Join(dir, s.File)
		if err := os.WriteFile(path, append(data, '\n'), 0o644); err != nil {
			return nil, err
		}
		out[s.File] = path
	}
	return out, nil
}

// printManifest prints what the playground runs and how to use it.
func printManifest(out io.Writer, m pipeline.Manifest, state, root string) {
	rel := func(p string) string {
		if r, err := filepath.Rel(root, p); err == nil && !strings.HasPrefix(r, "..") {
			return r
		}
		return p
	}
	steps := make([]string, 0, len(m.Functions))
	for step := range m.Functions {
		steps = append(steps, step)
	}
	sort.Strings(steps)
	var functions []string
	for _, step := range steps {
		functions = append(functions, m.Functions[step])
	}
	fmt.Fprintln(out, "trailwatch is running on the local stack (Ctrl-C stops it)")
	fmt.Fprintln(out)
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	for _, row := range [][2]string{
		{"endpoint", m.Endpoint},
		{"region", m.Region},
		{"account", m.Account},
		{"event bus", m.EventBus},
		{"rules", strings.Join(m.Rules, ", ")},
		{"state machine", m.StateMachineARN},
		{"functions", strings.Join(functions, ", ")},
		{"table", m.Table},
		{"topic", m.TopicARN},
		{"notifications", m.NotificationQueueURL + " (SQS, subscribed to the topic)"},
		{"intake", m.IntakeQueueURL + " (SQS, the rules' target; the pipe starts an execution per message)"},
		{"parked", m.ParkedQueueURL + " (SQS, events whose executions failed " + strconv.Itoa(deployment.Facts.Intake.MaxReceiveCount) + " times: make redrive)"},
		{"dead letters", m.DeadLetterQueueURL + " (SQS, events the rules could not deliver)"},
		{"canary", m.CanaryGroupID + " (security group tagged " + deployment.Facts.Heartbeat.TagKey + " every " + deployment.Facts.Heartbeat.Interval + ")"},
		{"world", "vpc " + m.World.VPCID + ", subnet " + m.World.SubnetID + ", internet gateway " + m.World.InternetGatewayID},
		{"", "instance " + m.World.InstanceID + " (public IP " + m.World.PublicIP + ") in group " + m.World.SSHGroupID + " (22/tcp open to the world)"},
		{"", "load balancer " + m.World.LoadBalancerName + " (" + m.World.LoadBalancerARN + ")"},
		{"", "  listener " + m.World.ListenerARN + ", group " + m.World.WebGroupID + " (80, 443 open to the world)"},
		{"", "Elastic IP " + m.World.ElasticIP + " (" + m.World.AllocationID + ")"},
		{"sample events", rel(filepath.Dir(firstEvent(m)))},
		{"logs", rel(m.Logs)},
		{"state", rel(state)},
	} {
		fmt.Fprintf(tw, "%s\t%s\n", row[0], row[1])
	}
	tw.Flush()
	fmt.Fprintf(out, `
Try it (another terminal):
  export AWS_ACCESS_KEY_ID=test AWS_SECRET_ACCESS_KEY=test AWS_DEFAULT_REGION=%s
  aws --endpoint-url %s ec2 authorize-security-group-ingress --group-id %s --protocol tcp --port 3389 --cidr 0.0.0.0/0
  make send EVENT=%s
`, m.Region, m.Endpoint, m.World.SSHGroupID, rel(m.Events["ec2-authorizesecuritygroupingress.json"]))
}

func firstEvent(m pipeline.Manifest) string {
	for _, p := range m.Events {
		return p
	}
	return ""
}
