// Command demo shows trailwatch working with no AWS account: it deploys the
// pipeline on the local stack, seeds an EC2 world, sends sample CloudTrail
// events through the EventBridge rule and prints, for each, the states its
// execution went through and the subject of the alert it produced; then it
// closes what the samples opened on the SSH group (a resolution and an
// update), launches a fleet from one actor (a storm: a few alerts at once,
// the rest held) and runs the digest schedule (the storm's digest). It
// prints one summary line for each part and exits 1 if any execution
// failed, the repeated event was not suppressed, or the lifecycle part did
// not resolve, hold and digest. Ctrl-C stops everything it started.
//
// Run it from the repository: make demo. It runs the functions' binaries
// from $TRAILWATCH_BIN (make builds them into .local/bin), else builds them
// there.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/trailwatch/trailwatch/test/pipeline"
)

func main() {
	logPath := flag.String("log", ".local/demo.log", "file for the stack's and functions' logs, relative to the repository")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, *logPath)
	stop()
	os.Exit(code)
}

func run(ctx context.Context, logPath string) int {
	root, err := pipeline.FindRoot()
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 2
	}
	if !filepath.IsAbs(logPath) {
		logPath = filepath.Join(root, logPath)
	}
	if err := os.MkdirAll(filepath.Dir(logPath), 0o755); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 2
	}
	logs, err := os.Create(logPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 2
	}
	defer logs.Close()

	bin, built, err := pipeline.Binaries(ctx, root, filepath.Join(root, ".local", "bin"))
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo: build the functions:", err)
		return 2
	}
	if built {
		fmt.Println("trailwatch demo: built the functions into", bin)
	}
	fmt.Println("trailwatch demo: starting the local stack (logs:", logPath+")")
	p, err := pipeline.Deploy(ctx, pipeline.Options{Root: root, BinDir: bin, Logs: logs, Env: pipeline.DemoEnv})
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo: deploy:", err)
		return 2
	}
	defer p.Close()
	w, err := p.Seed(ctx)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo: seed:", err)
		return 2
	}
	fmt.Printf("seeded: %s (igw %s), instance %s with public IP %s and 22/tcp open to the world (%s), Elastic IP %s,\n"+
		"        internet-facing load balancer %s with listener HTTP:80 (%s open to the world on 80 and 443)\n\n",
		w.VPCID, w.InternetGatewayID, w.InstanceID, w.PublicIP, w.SSHGroupID, w.ElasticIP, w.LoadBalancerName, w.WebGroupID)
	samples, err := p.Samples(root, w)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo: samples:", err)
		return 2
	}
	rep, err := p.RunSamples(ctx, samples, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 2
	}
	fmt.Println()
	fmt.Println(rep.Line())
	fmt.Println()
	life, err := p.RunLifecycle(ctx, root, w, os.Stdout)
	if err != nil {
		fmt.Fprintln(os.Stderr, "demo: lifecycle:", err)
		return 2
	}
	fmt.Println()
	fmt.Println(life.Line())
	if err := life.Check(); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		return 1
	}
	repeatSuppressed := false
	for _, r := range rep.Results {
		if r.Sample.Want == "suppressed" && r.Outcome == "suppressed" {
			repeatSuppressed = true
		}
	}
	switch {
	case rep.Failed != 0:
		fmt.Fprintln(os.Stderr, "demo: some executions failed; see", logPath)
		return 1
	case !repeatSuppressed:
		fmt.Fprintln(os.Stderr, "demo: the repeated event was not suppressed")
		return 1
	}
	return 0
}
