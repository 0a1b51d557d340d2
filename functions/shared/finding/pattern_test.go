package finding_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/deployment"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

const patternDir = "../../../statemachine/event-patterns"

func TestEventPatternsAreCommitted(t *testing.T) {
	patterns := finding.EventPatterns()
	var want []string
	for _, p := range patterns {
		want = append(want, p.Name+".json")
		path := filepath.Join(patternDir, p.Name+".json")
		committed, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v: run go generate ./... in functions/shared", err)
			continue
		}
		if !bytes.Equal(committed, p.JSON) {
			t.Errorf("%s is stale: run go generate ./... in functions/shared", path)
		}
	}
	got, err := filepath.Glob(filepath.Join(patternDir, "*"))
	if err != nil {
		t.Fatal(err)
	}
	for i := range got {
		got[i] = filepath.Base(got[i])
	}
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s holds %v, want exactly %v: run go generate ./... in functions/shared", patternDir, got, want)
	}
}

// TestEventPatternsFitQuota: EventBridge refuses a rule whose pattern
// exceeds its quota; the AWS provider compacts the pattern before PutRule,
// and the quota counts that.
func TestEventPatternsFitQuota(t *testing.T) {
	limit := deployment.Facts.Quotas.EventPatternChars.Value
	for _, p := range finding.EventPatterns() {
		var compact bytes.Buffer
		if err := json.Compact(&compact, p.JSON); err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		t.Logf("%-22s %5d characters compacted", p.Name, compact.Len())
		if compact.Len() > limit {
			t.Errorf("pattern %s is %d characters compacted, more than EventBridge's %d: split its group (finding.Entry.Group)", p.Name, compact.Len(), limit)
		}
		if !regexp.MustCompile(`^[a-z][a-z0-9]*$`).MatchString(p.Name) {
			t.Errorf("pattern name %q is not a lowercase word", p.Name)
		}
	}
}

// branch is one alternative of a generated pattern.
type branch finding.PatternBranch

// branches returns a pattern's alternatives: its $or, or the pattern
// itself. It fails on members other than those EventPatterns writes.
func branches(t *testing.T, p finding.Pattern) []branch {
	t.Helper()
	var or struct {
		Or []branch `json:"$or"`
	}
	dec := json.NewDecoder(bytes.NewReader(p.JSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&or); err == nil && len(or.Or) > 0 {
		return or.Or
	}
	var b branch
	dec = json.NewDecoder(bytes.NewReader(p.JSON))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&b); err != nil {
		t.Fatalf("pattern %s is neither a branch nor an $or of branches: %v", p.Name, err)
	}
	return []branch{b}
}

// matches reports whether b matches a CloudTrail event of eventSource and
// eventName delivered by EventBridge, as EventBridge matches the generated
// shapes: every listed field must hold one of its values, and an eventName
// value may be {"prefix": ...}.
func (b branch) matches(source, detailType, eventSource, eventName string) bool {
	if !slices.Contains(b.Source, source) || !slices.Contains(b.DetailType, detailType) ||
		!slices.Contains(b.Detail.EventSource, eventSource) {
		return false
	}
	for _, n := range b.Detail.EventName {
		switch v := n.(type) {
		case string:
			if v == eventName {
				return true
			}
		case map[string]any:
			if prefix, ok := v["prefix"].(string); ok && len(v) == 1 && strings.HasPrefix(eventName, prefix) {
				return true
			}
		}
	}
	return false
}

// TestEventPatternsCoverCatalog: the rules together match the catalog
// exactly, each catalog event in exactly one rule (so no event starts the
// pipeline twice), the rule of its group; and they name nothing else.
func TestEventPatternsCoverCatalog(t *testing.T) {
	patterns := finding.EventPatterns()
	listed := map[string]string{} // "eventSource eventName" -> rule
	for _, p := range patterns {
		for _, b := range branches(t, p) {
			if len(b.Source) != 1 || len(b.DetailType) != 1 || len(b.Detail.EventSource) != 1 {
				t.Errorf("%s: branch %v does not match on one source, detail-type and eventSource", p.Name, b.Detail.EventSource)
				continue
			}
			for _, n := range b.Detail.EventName {
				s, _ := n.(string)
				if m, ok := n.(map[string]any); ok {
					s, _ = m["prefix"].(string)
				}
				id := b.Detail.EventSource[0] + " " + s
				if other, dup := listed[id]; dup {
					t.Errorf("%s is in rules %s and %s", id, other, p.Name)
				}
				listed[id] = p.Name
			}
		}
	}
	for _, e := range finding.Catalog() {
		id := e.EventSource + " " + e.EventName
		if rule, ok := listed[id]; !ok {
			t.Errorf("no rule lists %s", id)
		} else if rule != e.Group() {
			t.Errorf("%s is in rule %s, want its group %s", id, rule, e.Group())
		}
		delete(listed, id)

		name := e.EventName
		if e.Family {
			name += "20150331v2"
		}
		var matched []string
		for _, p := range patterns {
			for _, b := range branches(t, p) {
				if b.matches(e.Source(), e.EventBridgeDetailType(), e.EventSource, name) {
					matched = append(matched, p.Name)
					break
				}
			}
		}
		if len(matched) != 1 {
			t.Errorf("an event %s %s matches rules %v, want exactly one", e.EventSource, name, matched)
		}
	}
	for id, rule := range listed {
		t.Errorf("rule %s lists %s, which is not in the catalog", rule, id)
	}
}

// TestEventPatternsIgnoreForgeries: a custom event that claims CloudTrail's
// detail-type and a catalog event name but not an aws.* source matches no
// rule.
func TestEventPatternsIgnoreForgeries(t *testing.T) {
	for _, e := range finding.Catalog() {
		for _, p := range finding.EventPatterns() {
			for _, b := range branches(t, p) {
				if b.matches("custom.app", e.EventBridgeDetailType(), e.EventSource, e.EventName) {
					t.Errorf("rule %s matches a custom source claiming %s", p.Name, e.EventName)
				}
			}
		}
	}
}
