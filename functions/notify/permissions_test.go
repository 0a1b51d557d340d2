package main

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/permissions"
)

// TestPermissions: the calls the adapter can make are the ones IAM allows.
func TestPermissions(t *testing.T) {
	if diff := cmp.Diff(permissions.Operations("notify", "sns"), permissions.Methods((*SNSAPI)(nil))); diff != "" {
		t.Errorf("SNSAPI and permissions differ (-permissions +code):\n%s", diff)
	}
}
