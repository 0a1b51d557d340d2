// Package mototest starts a moto server for one Go test, with package moto.
package mototest

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/test/moto"
)

// startTimeout bounds moto's start; a cold Python import takes a few
// seconds, more on a busy machine.
const startTimeout = time.Minute

// Start starts moto on a free loopback port, stops it when the test ends,
// and returns its URL. It skips the test, saying why, only when no python
// was configured ($TRAILWATCH_PYTHON) and none with moto was found; any
// other failure to start fails the test, with moto's last output. When the
// test fails, moto's last output is logged too.
func Start(t testing.TB) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), startTimeout)
	defer cancel()
	s, err := moto.Start(ctx, moto.Options{})
	if errors.Is(err, moto.ErrNotFound) {
		t.Skipf("moto unavailable (make test installs it): %v", err)
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		s.Stop()
		if t.Failed() {
			t.Logf("moto's last output:\n%s", s.Tail())
		}
	})
	return s.URL
}
