// Command rulegen writes what is generated from the event catalog: the
// EventBridge event pattern (finding.EventPattern), which terraform and the
// local stack both read, and the catalog table of the README. Tests fail
// when either drifts from the catalog.
//
//	go run ./cmd/rulegen -o ../../statemachine/event-pattern.json -readme ../../README.md
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

func main() {
	out := flag.String("o", "", "file to write the pattern to (default: standard output)")
	readme := flag.String("readme", "", "README whose catalog section to rewrite (default: none)")
	flag.Parse()
	if err := run(*out, *readme); err != nil {
		fmt.Fprintln(os.Stderr, "rulegen:", err)
		os.Exit(1)
	}
}

func run(out, readme string) error {
	p := finding.EventPattern()
	if out == "" {
		_, err := os.Stdout.Write(p)
		return err
	}
	if err := os.WriteFile(out, p, 0o644); err != nil {
		return err
	}
	if readme == "" {
		return nil
	}
	text, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	updated, err := finding.ReplaceCatalog(string(text))
	if err != nil {
		return err
	}
	return os.WriteFile(readme, []byte(updated), 0o644)
}
