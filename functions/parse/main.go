// Command parse is trailwatch's first step: it turns a CloudTrail event
// (EventBridge envelope or bare record) into a finding.
//
// With one argument it parses that event file and prints the finding; it
// needs no AWS then.
package main

import (
	"os"

	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
)

func main() {
	h := &Handler{Log: lambdarun.Logger(os.Stderr, "parse")}
	lambdarun.Start(h.Handle)
}
