// Command gateway runs trailwatch's local AWS stack (moto behind a gateway
// that runs the functions' bootstrap binaries) until SIGINT or SIGTERM.
//
//	gateway -function trailwatch-parse=build/parse/bootstrap \
//	        -function trailwatch-enrich=build/enrich/bootstrap \
//	        -env TABLE_NAME=trailwatch-findings
//
// It prints the endpoint (http://127.0.0.1:<port>) on stdout, one line, once
// the stack is ready; logs go to stderr.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"strings"
	"syscall"

	"github.com/trailwatch/trailwatch/test/localstack"
)

// pairs is a repeatable NAME=VALUE flag.
type pairs map[string]string

func (p pairs) String() string { return fmt.Sprint(map[string]string(p)) }

func (p pairs) Set(s string) error {
	k, v, ok := strings.Cut(s, "=")
	if !ok || k == "" {
		return fmt.Errorf("want NAME=VALUE, got %q", s)
	}
	p[k] = v
	return nil
}

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gateway:", err)
		os.Exit(1)
	}
}

func run() error {
	cfg := localstack.Config{Functions: pairs{}, Env: pairs{}, Logs: os.Stderr}
	flag.Var(pairs(cfg.Functions), "function", "`name=path` of a function's bootstrap binary; repeatable")
	flag.Var(pairs(cfg.Env), "env", "`KEY=VALUE` for every function's environment; repeatable")
	flag.StringVar(&cfg.Python, "python", "", "python interpreter with moto (default: $TRAILWATCH_PYTHON, <repo>/.venv/bin/python, python3)")
	flag.IntVar(&cfg.Port, "port", 0, "gateway port on 127.0.0.1 (0: a free one)")
	flag.DurationVar(&cfg.Timeout, "timeout", localstack.DefaultTimeout, "invocation timeout")
	flag.Parse()
	if flag.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", flag.Args())
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	stack, err := localstack.Start(ctx, cfg)
	if err != nil {
		return err
	}
	fmt.Println(stack.Endpoint())
	<-ctx.Done()
	stop() // a second signal kills the command at once
	return stack.Close()
}
