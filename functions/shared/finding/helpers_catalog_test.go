package finding

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parseEntry runs entry's parser on the fixture's record with
// requestParameters (and, when given, responseElements and userIdentity)
// replaced, as parseRecord would, without looking the entry up in the
// catalog: it also tests entries not in the catalog yet.
func parseEntry(t *testing.T, e Entry, fixture string, params, resp string) (*Finding, error) {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "events", fixture))
	if err != nil {
		t.Fatal(err)
	}
	var rec record
	if err := json.Unmarshal(data, &rec); err != nil {
		t.Fatal(err)
	}
	rec.EventSource, rec.EventName = e.EventSource, e.EventName
	if params != "" {
		rec.RequestParameters = json.RawMessage(params)
	}
	if resp != "" {
		rec.ResponseElements = json.RawMessage(resp)
	}
	f := &Finding{EventName: rec.EventName, EventSource: rec.EventSource, Account: account(&rec),
		ErrorCode: rec.ErrorCode, Category: e.Category, Resources: []Resource{}}
	if err := e.parse(&rec, f); err != nil {
		return nil, err
	}
	f.Severity = Assess(f)
	return f, nil
}

// entry returns the named entry of entries.
func entry(t *testing.T, entries []Entry, name string) Entry {
	t.Helper()
	for _, e := range entries {
		if e.EventName == name {
			return e
		}
	}
	t.Fatalf("no entry %s", name)
	return Entry{}
}

// grantCase is a request and the public grants its parser must find; nil
// grants: the request makes nothing public.
type grantCase struct {
	name, params string
	grants       []string
}

// checkGrants runs e's parser on fixture with each case's request
// parameters. The grants must be the case's, and PublicAccess and
// OpensExposure set exactly when there are grants; with closes,
// ClosesExposure must be set exactly when there are none.
func checkGrants(t *testing.T, e Entry, fixture string, closes bool, tests []grantCase) {
	t.Helper()
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseEntry(t, e, fixture, tc.params, "")
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.grants, f.Requested.Grants); diff != "" {
				t.Errorf("grants (-want +got):\n%s", diff)
			}
			public := tc.grants != nil
			if f.Requested.PublicAccess != public || f.OpensExposure != public {
				t.Errorf("publicAccess=%v opens=%v, want %v", f.Requested.PublicAccess, f.OpensExposure, public)
			}
			if closes && f.ClosesExposure == public {
				t.Errorf("closes=%v, want %v", f.ClosesExposure, !public)
			}
		})
	}
}
