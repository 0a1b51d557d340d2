// Command parse is trailwatch's first step: it turns a CloudTrail event
// (EventBridge envelope or bare record) into a finding.
//
// It reads no configuration besides LOG_LEVEL (deployment.json lists no
// environment for it) and needs no AWS client. With one argument it parses
// that event file and prints the finding.
package main

import (
	"os"

	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
)

func main() {
	handler := NewHandler(lambdarun.Logger(os.Stderr, "parse"))
	lambdarun.Start(handler.Handle)
}
