package main

import (
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// TestWritePatternsRemovesStaleFiles: the directory ends with exactly one
// file per pattern; a file of a rule the catalog no longer has goes, and
// what is not a pattern file stays.
func TestWritePatternsRemovesStaleFiles(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"gone.json", "README.md"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("{}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := run(dir, "", io.Discard); err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range finding.EventPatterns() {
		want = append(want, p.Name+".json")
		got, err := os.ReadFile(filepath.Join(dir, p.Name+".json"))
		if err != nil || string(got) != string(p.JSON) {
			t.Errorf("%s.json: %v, content equal: %v", p.Name, err, string(got) == string(p.JSON))
		}
	}
	want = append(want, "README.md")
	slices.Sort(want)
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range entries {
		got = append(got, e.Name())
	}
	if !slices.Equal(got, want) {
		t.Errorf("directory holds %v, want %v", got, want)
	}
}
