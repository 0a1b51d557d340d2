package pipeline

import (
	"errors"
	"fmt"
	"io"
	"os"
	"testing"

	"github.com/trailwatch/trailwatch/test/localstack"
)

// TestMain is the TestMain of a package whose tests run on the local
// stack: it sets *binDir to the functions' binaries (TestBinaries: found
// or built once, outside every test's deadline), runs the tests and
// removes what it built. It returns the exit code.
func TestMain(m *testing.M, binDir *string) int {
	_, dir, cleanup, err := TestBinaries()
	defer cleanup()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	*binDir = dir
	return m.Run()
}

// Started ends t when a local stack did not start: it skips t when err
// says there is no Python with moto, and fails it on any other error.
// Otherwise it makes t close stack when it ends, and log the stack's logs
// if it failed.
func Started(t testing.TB, stack io.Closer, logs *localstack.Buffer, err error) {
	t.Helper()
	if errors.Is(err, localstack.ErrMotoNotFound) {
		t.Skip("no python with moto: run `make moto` (make test does)")
	}
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		stack.Close()
		if t.Failed() {
			t.Logf("stack logs:\n%s", logs.String())
		}
	})
}
