// Command cost measures what trailwatch costs per event: it runs the
// demo's sample events through the pipeline on the local stack, measures
// each execution's log at each log level, the functions' invocations,
// durations, logs and DynamoDB and SNS calls (package test/cost), writes
// the run to bench/cost.json, prints the cost of a million executions at
// each level choice from AWS's list prices, and regenerates the README's
// cost section from them (make cost).
//
//	go run ./test/cmd/cost [-readme README.md] [-out bench/cost.json] [-render]
//
// -render measures nothing: it renders the run in -out again (after a
// change of prices or of the table).
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/trailwatch/trailwatch/test/cost"
	"github.com/trailwatch/trailwatch/test/pipeline"
)

func main() {
	readme := flag.String("readme", "README.md", "README to regenerate the cost section of, relative to the repository root; empty for none")
	out := flag.String("out", cost.RunFile, "where to write the run, relative to the repository root; empty for nowhere")
	render := flag.Bool("render", false, "measure nothing: render the run in -out again")
	flag.Parse()
	if err := run(*readme, *out, *render); err != nil {
		fmt.Fprintln(os.Stderr, "cost:", err)
		os.Exit(1)
	}
}

func run(readme, out string, render bool) error {
	root, err := pipeline.FindRoot()
	if err != nil {
		return err
	}
	if out != "" && !filepath.IsAbs(out) {
		out = filepath.Join(root, out)
	}
	var r *cost.Run
	if render {
		if r, err = cost.LoadRun(out); err != nil {
			return err
		}
	} else if r, err = measure(root, out); err != nil {
		return err
	}
	section := cost.Render(r, cost.ListPrices)
	fmt.Print(section)
	if readme == "" {
		return nil
	}
	path := filepath.Join(root, readme)
	doc, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	updated, err := cost.ReplaceSection(string(doc), section)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	return os.WriteFile(path, []byte(updated), 0o644)
}

// measure runs the samples on the local stack and writes the run to out
// (when not empty).
func measure(root, out string) (*cost.Run, error) {
	_, bin, cleanup, err := pipeline.TestBinaries()
	defer cleanup()
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	r, err := cost.Measure(ctx, cost.Options{Root: root, BinDir: bin, Progress: os.Stderr})
	if err != nil {
		return nil, err
	}
	if out != "" {
		if err := cost.SaveRun(out, r); err != nil {
			return nil, err
		}
	}
	return r, nil
}
