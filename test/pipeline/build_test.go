package pipeline

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// TestMakefileBuildsLikeBuild: `make bin` and Build compile the functions
// with the same flags.
func TestMakefileBuildsLikeBuild(t *testing.T) {
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	mk, err := os.ReadFile(filepath.Join(root, "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	m := regexp.MustCompile(`(?m)^HOST_BUILD_FLAGS\s*:=\s*(.*?)\s*$`).FindSubmatch(mk)
	if m == nil {
		t.Fatal("the Makefile sets no HOST_BUILD_FLAGS")
	}
	if got, want := string(m[1]), strings.Join(BuildFlags, " "); got != want {
		t.Errorf("Makefile HOST_BUILD_FLAGS %q, BuildFlags %q", got, want)
	}
	if !regexp.MustCompile(`(?m)^export CGO_ENABLED\s*:=\s*0\s*$`).Match(mk) {
		t.Error("the Makefile does not export CGO_ENABLED := 0, as Build sets it")
	}
}

func TestPatterns(t *testing.T) {
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	patterns, err := Patterns(root)
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(root, PatternDir, "*.json"))
	if len(patterns) != len(files) {
		t.Fatalf("%d patterns for %d files", len(patterns), len(files))
	}
	for _, p := range patterns {
		if p.Group == "" || !json.Valid([]byte(p.JSON)) {
			t.Errorf("pattern %q: empty group or not JSON", p.Group)
		}
	}
	if _, err := Patterns(t.TempDir()); err == nil {
		t.Error("Patterns of a directory without patterns succeeded")
	}
}

func TestRenderDefinition(t *testing.T) {
	root, err := FindRoot()
	if err != nil {
		t.Fatal(err)
	}
	asl, err := os.ReadFile(filepath.Join(root, "statemachine", "pipeline.asl.json"))
	if err != nil {
		t.Fatal(err)
	}
	def, err := RenderDefinition(string(asl), func(step string) string { return "arn:" + step })
	if err != nil {
		t.Fatal(err)
	}
	for _, step := range Steps {
		if !strings.Contains(def, `"arn:`+step+`"`) {
			t.Errorf("the definition does not call %s", step)
		}
	}
	if _, err := RenderDefinition(`{"Resource": "${other_arn}"}`, func(string) string { return "" }); err == nil {
		t.Error("a placeholder left unfilled was accepted")
	}
	if _, err := RenderDefinition(`{"Resource": `, func(string) string { return "" }); err == nil {
		t.Error("a definition that is not JSON was accepted")
	}
}
