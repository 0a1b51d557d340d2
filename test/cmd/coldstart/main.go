// Command coldstart prints, for each function, how long its bootstrap takes
// from process start to its first poll of the Lambda Runtime API (median,
// 90th percentile and maximum of -runs starts), as make coldstart runs it.
// It uses the host binaries of make bin ($TRAILWATCH_BIN).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"text/tabwriter"
	"time"

	"github.com/trailwatch/trailwatch/test/coldstart"
	"github.com/trailwatch/trailwatch/test/pipeline"
)

// budget is issue 12's bound on a cold start's init.
const budget = 20 * time.Millisecond

func main() {
	runs := flag.Int("runs", 30, "starts per function")
	flag.Parse()
	root, err := pipeline.FindRoot()
	if err != nil {
		fail(err)
	}
	tmp, err := os.MkdirTemp("", "coldstart-")
	if err != nil {
		fail(err)
	}
	defer os.RemoveAll(tmp)
	dir, _, err := pipeline.Binaries(context.Background(), root, tmp)
	if err != nil {
		fail(err)
	}
	envs, err := coldstart.Environment()
	if err != nil {
		fail(err)
	}
	tw := tabwriter.NewWriter(os.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "function\tmedian\tp90\tmax\twithin 20 ms (p90)")
	for _, step := range pipeline.Steps {
		ds, err := coldstart.Measure(context.Background(), filepath.Join(dir, step, "bootstrap"), envs[step], *runs)
		if err != nil {
			fail(err)
		}
		median, p90, max := coldstart.Stats(ds)
		fmt.Fprintf(tw, "%s\t%.1f ms\t%.1f ms\t%.1f ms\t%v\n", step, ms(median), ms(p90), ms(max), p90 <= budget)
	}
	tw.Flush()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

func fail(err error) {
	fmt.Fprintln(os.Stderr, "coldstart:", err)
	os.Exit(1)
}
