package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/permissions"
)

// TestBacktestCallsItsPermissions: the backtest calls through S3API
// exactly the S3 operations permissions lists for it, which terraform's
// backtest module allows.
func TestBacktestCallsItsPermissions(t *testing.T) {
	if diff := cmp.Diff(permissions.Operations("backtest", "s3"), permissions.Methods((*S3API)(nil))); diff != "" {
		t.Errorf("S3 operations listed (-) and called (+) differ:\n%s", diff)
	}
}
