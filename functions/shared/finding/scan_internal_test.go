package finding

import (
	"encoding/json"
	"strings"
	"testing"
)

var skipSeeds = []string{
	`{}`, `[]`, `""`, `0`, `-1.5e+3`, `true`, `false`, `null`,
	`{"a":[1,{"b":[]},"c",{"d":{"e":null}}],"f":{}}`,
	` [ 1 , [ [ ] ] , { "x" : [ { } ] } ] `,
	`{"a":1,}`, `[1,]`, `{"a" 1}`, `{"a":}`, `{1:2}`, `[1 2]`, `{"a":1]`, `[1}`, `[`, `{"a":[1,2}`,
	`"\u00e9\"\\"`, `"bad \x01"`, `"\x"`, `01`, `-`, `1.`, `1e`, `tru`, `nul`,
	strings.Repeat("[", maxDepth) + strings.Repeat("]", maxDepth),
	strings.Repeat("[", maxDepth+1) + strings.Repeat("]", maxDepth+1),
	strings.Repeat(`{"a":`, maxDepth) + "1" + strings.Repeat("}", maxDepth),
	strings.Repeat(`{"a":[`, 70) + strings.Repeat("]}", 70),
}

// skipBoth fails t when skipValue takes data as one JSON value and
// encoding/json does not, or the other way round within maxDepth.
func skipBoth(t *testing.T, data []byte) {
	t.Helper()
	i := skipSpace(data, 0)
	end, ok := skipValue(data, i, 0)
	whole := ok && skipSpace(data, end) == len(data)
	if valid := json.Valid(data); whole != valid && !(valid && tooDeep(data)) {
		t.Fatalf("skipValue(%.60q) = %d, %v; json.Valid = %v", data, end, ok, valid)
	}
}

// tooDeep reports whether data nests arrays and objects deeper than
// maxDepth (counting brackets outside strings).
func tooDeep(data []byte) bool {
	depth, inString, escaped := 0, false, false
	for _, c := range data {
		switch {
		case inString && escaped:
			escaped = false
		case inString && c == '\\':
			escaped = true
		case c == '"':
			inString = !inString
		case !inString && (c == '[' || c == '{'):
			if depth++; depth > maxDepth {
				return true
			}
		case !inString && (c == ']' || c == '}'):
			depth--
		}
	}
	return false
}

func TestSkipValueMatchesEncodingJSON(t *testing.T) {
	for _, s := range skipSeeds {
		skipBoth(t, []byte(s))
	}
	for _, data := range seeds(t) {
		skipBoth(t, data)
	}
}

func TestSkipValueStopsAtMaxDepth(t *testing.T) {
	for _, tc := range []struct {
		depth int
		ok    bool
	}{{maxDepth, true}, {maxDepth + 1, false}} {
		data := []byte(strings.Repeat("[", tc.depth) + strings.Repeat("]", tc.depth))
		if _, ok := skipValue(data, 0, 0); ok != tc.ok {
			t.Errorf("nested %d deep: ok %v, want %v", tc.depth, ok, tc.ok)
		}
	}
}

// FuzzSkipValue holds skipValue to json.Valid on any input.
func FuzzSkipValue(f *testing.F) {
	for _, s := range skipSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) { skipBoth(t, data) })
}
