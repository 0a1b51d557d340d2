package alert

import (
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// TestEveryResourceTypeHasALink: every resource type a finding can name
// has a name and a console page in the region, and a list page to fall
// back to.
func TestEveryResourceTypeHasALink(t *testing.T) {
	c := console{region: "eu-west-1"}
	for _, typ := range finding.ResourceTypes() {
		t.Run(string(typ), func(t *testing.T) {
			k, ok := kinds[typ]
			if !ok {
				t.Fatalf("no kind for %s: add its name and console pages to kinds", typ)
			}
			if k.name == "" {
				t.Errorf("no name")
			}
			for what, u := range map[string]string{"page": k.page(c, finding.Resource{Type: typ, ID: sampleID(typ)}), "list": k.list(c)} {
				if !strings.HasPrefix(u, "https://") || len(u) > MaxURLLen {
					t.Errorf("%s %q: want an https URL of at most %d characters", what, u, MaxURLLen)
				}
			}
		})
	}
	if extra := slices.DeleteFunc(slices.Collect(maps.Keys(kinds)), func(t finding.ResourceType) bool { return slices.Contains(finding.ResourceTypes(), t) }); len(extra) > 0 {
		t.Errorf("kinds of types finding does not list: %v", extra)
	}
}

// sampleID is an id of the shape type t's resources have.
func sampleID(t finding.ResourceType) string {
	switch t {
	case finding.TypeListener:
		return "arn:aws:elasticloadbalancing:eu-west-1:123456789012:listener/app/web/50dc6c495c0c9188/f2f7dc8efc522ab2"
	case finding.TypeTrail:
		return "arn:aws:cloudtrail:eu-west-1:123456789012:trail/management"
	case finding.TypeObject:
		return "bucket/dir/key.txt"
	}
	return "id-0123456789abcdef0"
}

// TestLinksAreBounded: a resource whose page would need a longer link than
// MaxURLLen links to the page listing its type.
func TestLinksAreBounded(t *testing.T) {
	huge := strings.Repeat("é<&", 2000)
	f := &finding.Finding{EventID: huge, Region: "us-east-1"}
	for _, typ := range finding.ResourceTypes() {
		f.Resources = append(f.Resources, finding.Resource{Type: typ, ID: string(typ) + huge, Name: huge})
	}
	ls := links(f)
	if len(ls) == 0 {
		t.Fatal("no links")
	}
	for _, l := range ls {
		if len(l.URL) > MaxURLLen {
			t.Errorf("%s: %d characters, more than %d", l.Label[:20], len(l.URL), MaxURLLen)
		}
	}
}

// TestPlaceholderFuncsCoverPlaceholders: alert fills exactly the
// placeholders finding's words may use.
func TestPlaceholderFuncsCoverPlaceholders(t *testing.T) {
	got := slices.Sorted(maps.Keys(placeholderFuncs))
	want := slices.Sorted(slices.Values(finding.Placeholders))
	if !slices.Equal(got, want) {
		t.Errorf("placeholderFuncs fill %v, finding.Placeholders are %v", got, want)
	}
}
