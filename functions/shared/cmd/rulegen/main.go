// Command rulegen writes the EventBridge event pattern generated from the
// event catalog (finding.EventPattern). terraform and the local stack both
// read the file it writes; a test fails when the two drift.
//
//	go run ./cmd/rulegen -o ../../statemachine/event-pattern.json
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

func main() {
	out := flag.String("o", "", "file to write (default: standard output)")
	flag.Parse()
	p := finding.EventPattern()
	if *out == "" {
		os.Stdout.Write(p)
		return
	}
	if err := os.WriteFile(*out, p, 0o644); err != nil {
		fmt.Fprintln(os.Stderr, "rulegen:", err)
		os.Exit(1)
	}
}
