package finding

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// parseBoth parses data on the one-pass paths and with encoding/json alone
// (referenceDecode), and fails t when the findings or errors differ.
func parseBoth(t *testing.T, data []byte) {
	t.Helper()
	fast, fastErr := Parse(data)
	referenceDecode = true
	ref, refErr := Parse(data)
	referenceDecode = false
	if diff := cmp.Diff(ref, fast); diff != "" {
		t.Fatalf("one-pass finding differs from encoding/json's (-encoding/json +one-pass):\n%s", diff)
	}
	if (fastErr == nil) != (refErr == nil) || fastErr != nil && (reflect.TypeOf(fastErr) != reflect.TypeOf(refErr) || fastErr.Error() != refErr.Error()) {
		t.Fatalf("one-pass error %T %v, encoding/json's %T %v", fastErr, fastErr, refErr, refErr)
	}
}

// seeds are the fixtures and the fuzz corpus of FuzzParse.
func seeds(t testing.TB) [][]byte {
	t.Helper()
	var out [][]byte
	paths, _ := filepath.Glob("testdata/events/*.json")
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, data)
	}
	corpus, _ := filepath.Glob("testdata/fuzz/FuzzParse/*")
	for _, p := range corpus {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := corpusValue(data); ok {
			out = append(out, v)
		}
	}
	return out
}

// corpusValue reads the []byte of a "go test fuzz v1" corpus file.
func corpusValue(file []byte) ([]byte, bool) {
	const header, open = "go test fuzz v1\n[]byte(", ")\n"
	s := string(file)
	if len(s) < len(header)+len(open) || s[:len(header)] != header {
		return nil, false
	}
	var v string
	if err := json.Unmarshal([]byte(s[len(header):len(s)-len(open)]), &v); err != nil {
		return nil, false // Go quoting that JSON does not read: skip the seed
	}
	return []byte(v), true
}

// mutations are variants of an event that reach the one-pass paths' exits
// to encoding/json: members of the wrong type, repeated or cased
// differently, escapes, envelopes without a CloudTrail detail.
func mutations(data []byte) [][]byte {
	var m map[string]any
	if json.Unmarshal(data, &m) != nil {
		return nil
	}
	rec := m
	if d, ok := m["detail"].(map[string]any); ok {
		rec = d
	}
	var out [][]byte
	variant := func(change func()) {
		saved := map[string]any{}
		for k, v := range rec {
			saved[k] = v
		}
		change()
		b, _ := json.Marshal(m)
		out = append(out, b)
		for k := range rec {
			delete(rec, k)
		}
		for k, v := range saved {
			rec[k] = v
		}
	}
	for k := range rec {
		variant(func() { rec[k] = 42 })
		variant(func() { rec[k] = nil })
		variant(func() { rec[k] = []any{"x"} })
		variant(func() { v := rec[k]; delete(rec, k); rec[string(foldName([]byte(k)))] = v })
		variant(func() { delete(rec, k) })
	}
	variant(func() { rec["userIdentity"] = map[string]any{"accountId": 7} })
	variant(func() {
		rec["recipientAccountId"] = ""
		rec["userIdentity"] = map[string]any{"accountId": "111122223333"}
	})
	variant(func() { rec["eventName"] = "Run\u00e9Instances" })
	variant(func() { m["detail-type"] = 5 })
	variant(func() { m["account"] = false })
	b, _ := json.Marshal(m)
	out = append(out, []byte(`{"eventName":"A","eventName":"B",`+string(b[1:])))
	return out
}

func TestParseOnePassMatchesEncodingJSON(t *testing.T) {
	for _, data := range seeds(t) {
		parseBoth(t, data)
		for _, v := range mutations(data) {
			parseBoth(t, v)
		}
	}
}

// FuzzParseOnePass holds Parse's one-pass paths (the event walk and the
// decoder of catalog parsers) to encoding/json on any input.
func FuzzParseOnePass(f *testing.F) {
	for _, data := range seeds(f) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) { parseBoth(t, data) })
}

func TestMembersHaveRoom(t *testing.T) {
	for _, p := range []*plan{recordPlan, envelopePlan} {
		if p.kind != kindStruct || len(p.fields) > maxMembers {
			t.Errorf("%s: plan kind %d with %d fields, want a struct of at most maxMembers (%d)", p.typ, p.kind, len(p.fields), maxMembers)
		}
	}
}
