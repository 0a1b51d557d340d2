package finding_test

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// TestEveryEntryHasWords: every catalog entry says what its event did and
// what to do about it, an entry that opens or closes depending on the call
// says both, and every phrase uses only known placeholders.
func TestEveryEntryHasWords(t *testing.T) {
	for _, e := range finding.Catalog() {
		t.Run(e.EventSource+" "+e.EventName, func(t *testing.T) {
			check := func(what string, w finding.Words) {
				if len(w.Headline) == 0 || w.Advice == "" {
					t.Errorf("%s: headline %q, advice %q: want both", what, w.Headline, w.Advice)
				}
				for _, p := range w.Headline {
					for _, name := range finding.PhrasePlaceholders(p) {
						if !slices.Contains(finding.Placeholders, name) {
							t.Errorf("%s: phrase %q uses unknown placeholder {%s}", what, p, name)
						}
					}
				}
			}
			check("Words", e.Words)
			switch {
			case e.Effect == finding.EffectVaries:
				check("Closing", e.Closing)
			case len(e.Closing.Headline) > 0 || e.Closing.Advice != "":
				t.Errorf("Closing words on an entry whose effect is %q: only %q entries use them", e.Effect, finding.EffectVaries)
			}
		})
	}
}

func TestWordsFor(t *testing.T) {
	opened := func(f *finding.Finding) { f.OpensExposure = true }
	closed := func(f *finding.Finding) { f.ClosesExposure = true }
	tests := []struct {
		name, source, event string
		change              func(*finding.Finding)
		want                string // the first headline phrase, "" for none
	}{
		{"opening call that opened", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", opened, "{ports} opened to the world on {target}"},
		{"opening call that opened nothing", "ec2.amazonaws.com", "AuthorizeSecurityGroupIngress", func(*finding.Finding) {}, ""},
		{"varying call that closed", "rds.amazonaws.com", "ModifyDBInstance", closed, "DB instance {target} no longer publicly accessible"},
		{"varying call that opened and closed", "ec2.amazonaws.com", "ModifySecurityGroupRules", func(f *finding.Finding) { opened(f); closed(f) }, "{ports} opened to the world on {target}"},
		{"closing call", "ec2.amazonaws.com", "DeleteSecurityGroup", closed, "security group {target} deleted"},
		{"closing call that closed nothing", "ec2.amazonaws.com", "RevokeSecurityGroupIngress", func(*finding.Finding) {}, ""},
		{"watched call", "ec2.amazonaws.com", "CreateSecurityGroup", func(*finding.Finding) {}, "security group {target} created"},
		{"family", "lambda.amazonaws.com", "DeleteFunctionUrlConfig20211031", closed, "URL of {target} deleted"},
		{"refused", "ec2.amazonaws.com", "DeleteSecurityGroup", func(f *finding.Finding) { closed(f); f.ErrorCode = "AccessDenied" }, ""},
		{"audit", "signin.amazonaws.com", "ConsoleLogin", func(f *finding.Finding) { f.Category = finding.CategoryAudit }, ""},
		{"not in the catalog", "ec2.amazonaws.com", "DescribeInstances", opened, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f := &finding.Finding{EventSource: tc.source, EventName: tc.event}
			tc.change(f)
			w, ok := finding.WordsFor(f)
			got := ""
			if ok {
				got = w.Headline[0]
			}
			if got != tc.want {
				t.Errorf("WordsFor: first phrase %q (ok %v), want %q", got, ok, tc.want)
			}
		})
	}
}

// TestResourceTypesAreListed: every resource type a fixture's finding
// names is in ResourceTypes, which the alert package's tests check for
// console links and names.
func TestResourceTypesAreListed(t *testing.T) {
	listed := finding.ResourceTypes()
	for _, path := range fixtures(t) {
		data, _ := os.ReadFile(path)
		f, err := finding.Parse(data)
		if err != nil {
			continue
		}
		for _, r := range f.Resources {
			if !slices.Contains(listed, r.Type) {
				t.Errorf("%s: resource type %q is not in ResourceTypes", filepath.Base(path), r.Type)
			}
		}
	}
}
