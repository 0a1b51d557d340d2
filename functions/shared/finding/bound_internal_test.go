package finding

import (
	"encoding/json"
	"reflect"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestJSONLenIsEncodingJSON(t *testing.T) {
	for _, s := range []string{
		"", "plain", `quote " backslash \`, "tab\tnewline\nreturn\r", "\b\f\x00\x1f\x7f",
		"<script>&amp;</script>", "\u2028\u2029", "é日本🙂", "bad \xff\xfe utf-8 \xe6\x97",
	} {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := jsonLen(s), len(b)-2; got != want {
			t.Errorf("jsonLen(%q) = %d, encoding/json writes %d", s, got, want)
		}
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		name string
		s    string
		max  int
	}{
		{"fits", "short", 5},
		{"ascii", strings.Repeat("a", 100), 40},
		{"escapes", strings.Repeat("<", 100), 40},
		{"multi-byte", strings.Repeat("日本", 100), 40},
		{"line separators", strings.Repeat("\u2028x", 100), 41},
		{"invalid utf-8", strings.Repeat("\xff", 100), 40},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := cut(tc.s, tc.max)
			if jsonLen(tc.s) <= tc.max {
				if got != tc.s {
					t.Errorf("cut changed %q, which fits, to %q", tc.s, got)
				}
				return
			}
			if n := jsonLen(got); n > tc.max {
				t.Errorf("cut to %d: %d bytes encoded", tc.max, n)
			}
			kept, ok := strings.CutSuffix(got, TruncatedMark)
			if !ok || !strings.HasPrefix(tc.s, kept) {
				t.Errorf("cut %q is not a prefix followed by %q", got, TruncatedMark)
			}
			if utf8.ValidString(tc.s) && !utf8.ValidString(kept) {
				t.Errorf("cut %q splits a character", kept)
			}
			if jsonLen(kept)+jsonLen(TruncatedMark)+6 < tc.max {
				t.Errorf("cut kept %d bytes of room %d: cut too early", jsonLen(kept), tc.max-jsonLen(TruncatedMark))
			}
		})
	}
}

// TestBoundStringsIsAnUpperBound: the bound that lets bound skip encoding
// a finding is never below the encoding's length.
func TestBoundStringsIsAnUpperBound(t *testing.T) {
	var findings []*Finding
	for _, data := range seeds(t) {
		if f, err := Parse(data); err == nil {
			findings = append(findings, f)
		}
	}
	yes := true
	findings = append(findings, &Finding{
		Summary:   "<&>\u2028 \xff",
		Resources: []Resource{{Tags: map[string]string{"k<": "v&"}, Found: &yes, OpenIngress: []Rule{{FromPort: -1, ToPort: 65535}}}},
	})
	for _, f := range findings {
		if got, want := boundStrings(reflect.ValueOf(f).Elem(), false), encodedLen(f); got < want {
			t.Errorf("%s: bound %d below the encoding's %d bytes", f.EventName, got, want)
		}
	}
}
