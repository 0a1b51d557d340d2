// Command rulegen writes what is generated from the event catalog: the
// EventBridge event patterns (finding.EventPatterns), one file per rule,
// which terraform and the local stack both read, and the catalog table of
// the README. Tests fail when either drifts from the catalog.
//
//	go run ./cmd/rulegen -dir ../../statemachine/event-patterns -readme ../../README.md
//
// -dir receives <name>.json for every pattern; any other *.json there is
// removed, so a rule that the catalog no longer has disappears with its
// file. Without -dir the patterns are written to standard output, each
// preceded by a "# <name>" line.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

func main() {
	dir := flag.String("dir", "", "directory to write <name>.json per pattern to (default: standard output)")
	readme := flag.String("readme", "", "README whose catalog section to rewrite (default: none)")
	flag.Parse()
	if err := run(*dir, *readme, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "rulegen:", err)
		os.Exit(1)
	}
}

func run(dir, readme string, stdout io.Writer) error {
	patterns := finding.EventPatterns()
	if dir == "" {
		for _, p := range patterns {
			if _, err := fmt.Fprintf(stdout, "# %s\n%s", p.Name, p.JSON); err != nil {
				return err
			}
		}
	} else if err := writePatterns(dir, patterns); err != nil {
		return err
	}
	if readme == "" {
		return nil
	}
	text, err := os.ReadFile(readme)
	if err != nil {
		return err
	}
	updated, err := finding.ReplaceCatalog(string(text))
	if err != nil {
		return err
	}
	return os.WriteFile(readme, []byte(updated), 0o644)
}

// writePatterns makes dir hold exactly one <name>.json per pattern.
func writePatterns(dir string, patterns []finding.Pattern) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	keep := map[string]bool{}
	for _, p := range patterns {
		name := p.Name + ".json"
		keep[name] = true
		if err := os.WriteFile(filepath.Join(dir, name), p.JSON, 0o644); err != nil {
			return err
		}
	}
	stale, err := filepath.Glob(filepath.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	for _, path := range stale {
		if !keep[filepath.Base(path)] {
			if err := os.Remove(path); err != nil {
				return err
			}
		}
	}
	return nil
}
