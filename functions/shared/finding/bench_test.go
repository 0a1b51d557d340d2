package finding_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// BenchmarkParse parses each fixture the catalog supports: one event of
// each kind.
func BenchmarkParse(b *testing.B) {
	for _, path := range fixtures(b) {
		data, err := os.ReadFile(path)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := finding.Parse(data); err != nil {
			continue
		}
		b.Run(strings.TrimSuffix(filepath.Base(path), ".json"), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(data)))
			for b.Loop() {
				if _, err := finding.Parse(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
