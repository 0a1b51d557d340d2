package finding

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
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
