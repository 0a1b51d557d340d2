package lifecycle_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

var update = flag.Bool("update", false, "rewrite testdata/exposure/*.golden from the current output")

// TestExposureGolden computes the exposure lines of real findings: every
// catalog fixture as parse makes it (judged by its request, not enriched),
// and the enriched findings of the alert package's goldens (judged by live
// facts), and compares them with testdata/exposure/<name>.golden, one
// line's text per line.
func TestExposureGolden(t *testing.T) {
	cases := map[string]*finding.Finding{}
	events, err := filepath.Glob("../finding/testdata/events/*.json")
	if err != nil || len(events) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, path := range events {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := finding.Parse(data)
		if err != nil {
			continue // unsupported or malformed fixtures are parse's tests
		}
		cases["event-"+strings.TrimSuffix(filepath.Base(path), ".json")] = f
	}
	enriched, _ := filepath.Glob("../alert/testdata/*.finding.json")
	for _, path := range enriched {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var f finding.Finding
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		cases["enriched-"+strings.TrimSuffix(filepath.Base(path), ".finding.json")] = &f
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			var b strings.Builder
			for _, l := range lifecycle.Exposure(f) {
				b.WriteString(l.Text + "\n")
			}
			got := b.String()
			golden := filepath.Join("testdata", "exposure", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./lifecycle -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs (run go test ./lifecycle -update and review the diff)\nwant:\n%s\ngot:\n%s", golden, want, got)
			}
		})
	}
}
