package finding

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"unicode/utf8"
)

// Bounds on what Parse puts in a finding. An event on EventBridge may be as
// large as a PutEvents entry (256 KB), most of it text the caller chose: an
// error message, a user agent, names and ids, request parameters that expand
// into rules and resources. The finding then travels in Step Functions
// states and payloads, which hold at most 256 KiB each, along with what
// enrich adds and the state machine's own fields. Every finding Parse and
// ParseLog return is within these bounds.
const (
	// MaxTextBytes bounds every string of a finding as JSON encodes it
	// (quotes not counted, so "<" counts 6 for \u003c). A longer string is
	// cut on a character boundary and ends in TruncatedMark.
	MaxTextBytes = 4 << 10
	// MaxFindingBytes bounds the JSON encoding of a parsed finding: half of
	// Step Functions' 256 KiB, the other half left to enrich's live facts and
	// the state machine's fields. A finding that is longer once its strings
	// are cut loses items from the end of its longest lists (rules that are
	// not world-open first) until it fits, and its Summary says how many.
	MaxFindingBytes = 128 << 10
	// TruncatedMark ends a string that was cut to MaxTextBytes.
	TruncatedMark = "...[truncated]"
)

// bound makes f fit MaxTextBytes and MaxFindingBytes. It changes nothing in
// a finding that already does.
func bound(f *Finding) { boundTo(f, MaxFindingBytes) }

// Fit returns a copy of f cut as Parse cuts a finding (see MaxFindingBytes)
// to at most maxBytes of JSON: strings to MaxTextBytes, then items from the
// end of its longest lists, the Summary saying how many. When the strings
// alone are longer than maxBytes the copy is longer too. f is not changed.
func Fit(f *Finding, maxBytes int) *Finding {
	c := *f
	data, err := json.Marshal(f)
	if err == nil {
		c = Finding{}
		err = json.Unmarshal(data, &c)
	}
	if err != nil {
		panic("finding: copy for Fit: " + err.Error()) // plain data: cannot fail
	}
	boundTo(&c, maxBytes)
	return &c
}

// boundTo makes f fit MaxTextBytes and maxBytes.
func boundTo(f *Finding, maxBytes int) {
	boundStrings(reflect.ValueOf(f).Elem())
	size := encodedLen(f)
	if size <= maxBytes {
		return
	}
	dropped := 0
	for size > maxBytes {
		list := longestList(reflect.ValueOf(f).Elem())
		if !list.IsValid() {
			break // with every list empty, only the strings are left
		}
		dropped += dropFromEnd(list, size-maxBytes)
		size = encodedLen(f)
	}
	note := fmt.Sprintf(" [%d items left out of this finding to keep it under %d bytes]", dropped, maxBytes)
	f.Summary = cut(f.Summary, MaxTextBytes-jsonLen(note)) + note
}

// boundStrings cuts every settable string in v, in structs and slices at
// any depth.
func boundStrings(v reflect.Value) {
	switch v.Kind() {
	case reflect.String:
		if v.CanSet() {
			if s := v.String(); jsonLen(s) > MaxTextBytes {
				v.SetString(cut(s, MaxTextBytes))
			}
		}
	case reflect.Struct:
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				boundStrings(v.Field(i))
			}
		}
	case reflect.Slice:
		for i := range v.Len() {
			boundStrings(v.Index(i))
		}
	}
}

// longestList returns the non-empty slice in v, at any depth, whose JSON
// encoding is longest; the zero Value when there is none.
func longestList(v reflect.Value) reflect.Value {
	var best reflect.Value
	bestSize := 0
	var visit func(reflect.Value)
	visit = func(v reflect.Value) {
		switch v.Kind() {
		case reflect.Struct:
			for i := range v.NumField() {
				if v.Type().Field(i).IsExported() {
					visit(v.Field(i))
				}
			}
		case reflect.Slice:
			if v.Len() == 0 || !v.CanSet() {
				return
			}
			if n := encodedLen(v.Interface()); n > bestSize {
				best, bestSize = v, n
			}
			for i := range v.Len() {
				visit(v.Index(i))
			}
		}
	}
	visit(v)
	return best
}

// dropFromEnd removes items from the end of list until their encoding
// frees at least excess bytes, or the list is empty, and returns how many
// it removed. Rules that are not world-open go first, so a cut list of
// rules keeps what the exposure is made of.
func dropFromEnd(list reflect.Value, excess int) int {
	if rules, ok := list.Interface().([]Rule); ok {
		slices.SortStableFunc(rules, func(a, b Rule) int {
			switch {
			case a.WorldOpen == b.WorldOpen:
				return 0
			case a.WorldOpen:
				return -1
			default:
				return 1
			}
		})
	}
	n := list.Len()
	keep, freed := n, 0
	for keep > 0 && freed < excess {
		keep--
		freed += encodedLen(list.Index(keep).Interface()) + len(",")
	}
	list.Set(list.Slice(0, keep))
	return n - keep
}

// encodedLen is the length of v's JSON encoding. It counts what an
// Encoder writes (its buffers are pooled) rather than keeping a copy.
func encodedLen(v any) int {
	var n byteCounter
	if err := json.NewEncoder(&n).Encode(v); err != nil {
		panic("finding: encode for its size: " + err.Error()) // plain data: cannot fail
	}
	return int(n) - len("\n")
}

// byteCounter is an io.Writer that counts what it is given.
type byteCounter int

func (c *byteCounter) Write(p []byte) (int, error) {
	*c += byteCounter(len(p))
	return len(p), nil
}

// cut returns s when its JSON encoding is at most max bytes, else its
// longest prefix, on a character boundary, that fits max with TruncatedMark
// appended.
func cut(s string, max int) string {
	if jsonLen(s) <= max {
		return s
	}
	room := max - jsonLen(TruncatedMark)
	used, end := 0, 0
	for end < len(s) {
		w, size := runeJSONLen(s[end:])
		if used+w > room {
			break
		}
		used += w
		end += size
	}
	return s[:end] + TruncatedMark
}

// jsonLen is the length of s as encoding/json writes it inside quotes.
func jsonLen(s string) int {
	n := 0
	for i := 0; i < len(s); {
		w, size := runeJSONLen(s[i:])
		n += w
		i += size
	}
	return n
}

// runeJSONLen returns how many bytes encoding/json writes for the first
// character of s, and how many bytes of s that character takes.
func runeJSONLen(s string) (width, size int) {
	b := s[0]
	if b < utf8.RuneSelf {
		switch {
		case b == '"' || b == '\\' || b == '\n' || b == '\r' || b == '\t' || b == '\b' || b == '\f':
			return 2, 1
		case b < 0x20 || b == '<' || b == '>' || b == '&':
			return 6, 1 // \u00XX
		default:
			return 1, 1
		}
	}
	r, size := utf8.DecodeRuneInString(s)
	if r == utf8.RuneError && size == 1 || r == '\u2028' || r == '\u2029' {
		return 6, size // \ufffd, \u2028, \u2029
	}
	return size, size
}
