package finding_test

import (
	"errors"
	"os"
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// FuzzParse checks that Parse never panics and only ever fails with one of
// its two named errors, unwrapped. It is seeded with every fixture; the
// corpus it finds lives in testdata/fuzz/FuzzParse.
func FuzzParse(f *testing.F) {
	for _, path := range fixtures(f) {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		got, err := finding.Parse(data)
		switch err.(type) {
		case nil:
			if got == nil || got.EventID == "" || got.EventName == "" {
				t.Fatalf("Parse succeeded with an incomplete finding: %+v", got)
			}
			if got.Failed() && got.OpensExposure {
				t.Fatalf("failed call reported as an exposure")
			}
		case *finding.MalformedEventError, *finding.UnsupportedEventError:
			if got != nil {
				t.Fatalf("Parse returned a finding and an error")
			}
		default:
			t.Fatalf("Parse returned %T: %v", err, errors.Unwrap(err))
		}
	})
}
