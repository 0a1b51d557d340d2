package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"runtime"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// options are replay's flags.
type options struct {
	all      bool
	format   string
	enrich   bool
	enricher string
	workers  int
	// enrichWorkers is how many findings are enriched at once.
	enrichWorkers int
}

// run is replay: it returns the exit status. terminal says whether stderr
// is a terminal (for the progress bar).
func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer, terminal bool) int {
	var o options
	fs := flag.NewFlagSet("replay", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&o.all, "all", false, "print every finding, not only alerts")
	fs.StringVar(&o.format, "format", "json", "output: json (one finding per line) or table")
	fs.BoolVar(&o.enrich, "enrich", false, "run the printed findings through enrich against the account (AWS SDK default credentials, AWS_ENDPOINT_URL)")
	fs.StringVar(&o.enricher, "enrich-command", "", "the enrich command to run (default: $TRAILWATCH_BIN/enrich/bootstrap, else go run ./functions/enrich)")
	fs.IntVar(&o.workers, "workers", runtime.GOMAXPROCS(0), "how many cores parse")
	fs.IntVar(&o.enrichWorkers, "enrich-workers", defaultEnrichWorkers, "with -enrich, how many findings are enriched at once (each a run of enrich's program)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: replay [-all] [-format json|table] [-enrich [-enrich-workers N]] [-workers N] PATH... (a file, a directory, or - for stdin)")
		fs.PrintDefaults()
	}
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() == 0 || o.format != "json" && o.format != "table" || o.workers < 1 || o.enrichWorkers < 1 {
		fs.Usage()
		return 2
	}
	inputs, err := expand(fs.Args(), stdin)
	if err != nil {
		fmt.Fprintln(stderr, "replay:", err)
		return 1
	}
	var enr enricher
	if o.enrich {
		cmd, err := newCommandEnricher(o.enricher)
		if err != nil {
			fmt.Fprintln(stderr, "replay:", err)
			return 1
		}
		defer cmd.close()
		enr = cmd
	}
	out := newPrinter(o.format, stdout)
	var stats stats
	prog := newProgress(stderr, terminal, inputs, &stats)
	start := time.Now()
	failed := false
	// output writes one result, and what enrich made of it: the only
	// writer of stdout and, but for the progress bar, of stderr.
	output := func(r result, now *finding.Finding, enrichErr error) error {
		switch {
		case r.fileErr != nil:
			failed = true
			prog.clear()
			fmt.Fprintf(stderr, "replay: %s: %v\n", r.file, r.fileErr)
			return nil
		case r.err != nil:
			var unsup *finding.UnsupportedEventError
			if !errors.As(r.err, &unsup) {
				prog.clear()
				fmt.Fprintf(stderr, "replay: %s: record %d: %v\n", r.file, r.index, r.err)
			}
			return nil
		}
		if enrichErr != nil {
			stats.enrichFailed.Add(1)
			prog.clear()
			fmt.Fprintf(stderr, "replay: %s: record %d: enrich: %v\n", r.file, r.index, enrichErr)
		}
		return out.print(r.finding, now)
	}
	printed := func(r result) bool {
		return r.fileErr == nil && r.err == nil && (o.all || isAlert(r.finding))
	}
	var pool *enrichInOrder
	if enr != nil {
		pool = newEnrichInOrder(ctx, enr, o.enrichWorkers, output)
	}
	err = replay(ctx, inputs, o.workers, &stats, func(r result) error {
		show := printed(r)
		if show {
			stats.printed.Add(1)
		}
		if r.fileErr == nil && r.err == nil && !show {
			return nil
		}
		if pool != nil {
			return pool.add(r, show)
		}
		return output(r, nil, nil)
	})
	if pool != nil {
		if closeErr := pool.close(); err == nil {
			err = closeErr
		}
	}
	prog.finish()
	if flushErr := out.flush(); err == nil {
		err = flushErr
	}
	writeSummary(stderr, &stats, time.Since(start), enr != nil)
	if err != nil {
		fmt.Fprintln(stderr, "replay:", err)
		return 1
	}
	if failed {
		return 1
	}
	return 0
}

// defaultEnrichWorkers is how many findings -enrich enriches at once by
// default: enough to hide the programs' start and AWS's latency, few
// enough for the account's API rate limits.
const defaultEnrichWorkers = 8

// isAlert reports whether f is a finding replay prints without -all: it
// opens or closes exposure, is a failed attempt or defense evasion.
func isAlert(f *finding.Finding) bool {
	return f.Severity != finding.SeverityNone || f.ClosesExposure
}
