package main

import (
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/deployment"
)

// TestReadsNoEnvironment: parse has no configuration, so deployment.json
// must list no environment for it. A variable listed there would be set by
// terraform and the local stack and read by nothing.
func TestReadsNoEnvironment(t *testing.T) {
	if err := deployment.CheckEnvironment("parse", nil); err != nil {
		t.Error(err)
	}
}
