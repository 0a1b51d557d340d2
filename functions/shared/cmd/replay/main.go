// Command replay parses CloudTrail log files ({"Records": [...]}, gzip or
// not, as CloudTrail writes them to S3) on every core and prints their
// findings, then a summary table on standard error. Without -enrich it
// needs no AWS: use it to see what trailwatch makes of past activity, or to
// test a catalog change on real logs.
//
//	go run ./functions/shared/cmd/replay [-all] [-format json|table] [-enrich] [-workers N] PATH...
//
// A PATH is a log file, a directory (every file below it) or - for
// standard input. By default it prints only findings that open or close
// exposure, failed attempts and defense evasion; -all prints every
// finding. -format json (the default) prints one finding per line, table
// one line per finding for people. -enrich runs each printed finding
// through enrich against the account (the AWS SDK's default credentials,
// AWS_ENDPOINT_URL for the local stack) and prints what is exposed now.
// On a terminal, standard error shows a progress bar (files, records,
// findings, throughput).
//
// Exit status: 0 when every file was read, 1 when one was not (its error
// is printed and the others are still read), 2 for a usage error.
package main

import (
	"context"
	"os"
	"os/signal"

	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	os.Exit(run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr, term.IsTerminal(int(os.Stderr.Fd()))))
}
