package lifecycle

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// TestEveryClosingEventIsJudged: every catalog event that can close
// exposure (effect closes, or opens or closes) is judged, for each
// resource its fixtures name, by live facts or by its surface: otherwise
// it could never resolve an alert.
func TestEveryClosingEventIsJudged(t *testing.T) {
	paths, err := filepath.Glob("../finding/testdata/events/*.json")
	if err != nil || len(paths) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, path := range paths {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := finding.Parse(data)
		if err != nil {
			continue
		}
		e, ok := finding.Lookup(f.EventSource, f.EventName)
		if !ok || (e.Effect != finding.EffectCloses && e.Effect != finding.EffectVaries) {
			continue
		}
		_, judged := surfaceOf(f.EventSource, f.EventName)
		for _, r := range f.Resources {
			if !liveTypes[r.Type] && !judged {
				t.Errorf("%s (%s %s): a %s is not looked up by enrich and the event has no surface: add it to surfaces",
					filepath.Base(path), f.EventSource, f.EventName, r.Type)
			}
		}
	}
}

func TestSurfaceOfLambdaVersions(t *testing.T) {
	for _, name := range []string{"AddPermission20150331v2", "AddPermission", "RemovePermission20150331v2"} {
		if s, ok := surfaceOf("lambda.amazonaws.com", name); !ok || s.facet != FacetPermission {
			t.Errorf("%s: %+v %v", name, s, ok)
		}
	}
	if s, ok := surfaceOf("lambda.amazonaws.com", "DeleteFunction20150331"); !ok || !s.deletes {
		t.Errorf("DeleteFunction20150331: %+v %v", s, ok)
	}
	if _, ok := surfaceOf("ec2.amazonaws.com", "RunInstances"); ok {
		t.Error("RunInstances is judged by live facts, not a surface")
	}
}
