package finding

import (
	"encoding"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"slices"
	"strings"
	"sync"
	"time"
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
	if boundStrings(reflect.ValueOf(f).Elem(), true) <= maxBytes {
		return
	}
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
// any depth (cutting set), and returns an upper bound of the length of v's
// JSON encoding once cut, which saves encoding it: strings, numbers, bools,
// times, pointers, slices, maps with string keys and structs are bounded
// from their values, anything else (an interface, a type with its own
// MarshalJSON) is unbounded (math.MaxInt).
func boundStrings(v reflect.Value, cutting bool) int {
	return sizePlanOf(v.Type()).bound(v, cutting)
}

// sizePlan is how boundStrings walks one type.
type sizePlan struct {
	kind   reflect.Kind // reflect.Invalid: unbounded; reflect.Struct with t time.Time: fixed
	fixed  int          // the bound of a value of this type, when it has one
	elem   *sizePlan    // pointers, slices, maps
	fields []sizeField  // structs
}

// sizeField is a field encoding/json writes (or promotes) and the length
// of its key as JSON writes it (quotes and colon included), at most.
type sizeField struct {
	index  int
	keyLen int
	plan   *sizePlan
}

var sizePlans sync.Map // reflect.Type -> *sizePlan

func sizePlanOf(t reflect.Type) *sizePlan {
	if p, ok := sizePlans.Load(t); ok {
		return p.(*sizePlan)
	}
	p := compileSize(t, map[reflect.Type]*sizePlan{})
	sizePlans.Store(t, p)
	return p
}

func compileSize(t reflect.Type, building map[reflect.Type]*sizePlan) *sizePlan {
	if p, ok := building[t]; ok {
		return p
	}
	p := &sizePlan{}
	building[t] = p
	switch {
	case t == reflect.TypeFor[time.Time]():
		p.kind, p.fixed = reflect.Struct, len(`"2006-01-02T15:04:05.999999999Z07:00"`)
		return p
	case t.Implements(marshalerType) || reflect.PointerTo(t).Implements(marshalerType) ||
		t.Implements(textMarshalerType) || reflect.PointerTo(t).Implements(textMarshalerType):
		return p // reflect.Invalid: unbounded
	}
	switch k := t.Kind(); k {
	case reflect.String:
		p.kind = k
	case reflect.Bool:
		p.kind, p.fixed = k, len("false")
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		p.kind, p.fixed = reflect.Int, len("-9223372036854775808")
	case reflect.Float32, reflect.Float64:
		p.kind, p.fixed = reflect.Int, 32 // the longest of strconv's 'f' (|x| < 1e21) and 'e' forms
	case reflect.Pointer:
		p.kind, p.elem = k, compileSize(t.Elem(), building)
	case reflect.Slice:
		if t.Elem().Kind() != reflect.Uint8 { // base64, or a RawMessage's own bytes: unbounded
			p.kind, p.elem = k, compileSize(t.Elem(), building)
		}
	case reflect.Map:
		if t.Key().Kind() == reflect.String {
			p.kind, p.elem = k, compileSize(t.Elem(), building)
		}
	case reflect.Struct:
		p.kind = k
		for i := range t.NumField() {
			sf := t.Field(i)
			if !sf.IsExported() && !sf.Anonymous {
				continue // an embedded struct's fields are promoted: counted
			}
			name := sf.Name
			if tag, _, _ := strings.Cut(sf.Tag.Get("json"), ","); tag != "" {
				name = tag
			}
			p.fields = append(p.fields, sizeField{index: i, keyLen: jsonLen(name) + len(`"":`), plan: compileSize(sf.Type, building)})
		}
	}
	return p
}

func (p *sizePlan) bound(v reflect.Value, cutting bool) int {
	switch p.kind {
	case reflect.String:
		s := v.String()
		n := jsonLen(s)
		if cutting && n > MaxTextBytes && v.CanSet() {
			s = cut(s, MaxTextBytes)
			v.SetString(s)
			n = jsonLen(s)
		}
		return n + len(`""`)
	case reflect.Bool, reflect.Int:
		return p.fixed
	case reflect.Pointer:
		if v.IsNil() {
			return len("null")
		}
		return p.elem.bound(v.Elem(), false)
	case reflect.Struct:
		if p.fixed > 0 {
			return p.fixed
		}
		n := len("{}")
		for _, f := range p.fields {
			n = add(n, add(f.keyLen+len(","), f.plan.bound(v.Field(f.index), cutting)))
		}
		return n
	case reflect.Slice:
		if v.IsNil() {
			return len("null")
		}
		n := len("[]")
		for i := range v.Len() {
			n = add(n, add(len(","), p.elem.bound(v.Index(i), cutting)))
		}
		return n
	case reflect.Map:
		if v.IsNil() {
			return len("null")
		}
		n := len("{}")
		for it := v.MapRange(); it.Next(); {
			n = add(n, add(jsonLen(it.Key().String())+len(`"":,`), p.elem.bound(it.Value(), false)))
		}
		return n
	}
	return math.MaxInt
}

// add is a + b, saturating at math.MaxInt.
func add(a, b int) int {
	if a > math.MaxInt-b {
		return math.MaxInt
	}
	return a + b
}

var (
	marshalerType     = reflect.TypeFor[json.Marshaler]()
	textMarshalerType = reflect.TypeFor[encoding.TextMarshaler]()
)

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
		if c := s[i]; c < utf8.RuneSelf {
			n += int(asciiJSONLen[c])
			i++
			continue
		}
		w, size := runeJSONLen(s[i:])
		n += w
		i += size
	}
	return n
}

// asciiJSONLen is runeJSONLen of each ASCII character.
var asciiJSONLen = func() (t [utf8.RuneSelf]uint8) {
	for c := range utf8.RuneSelf {
		w, _ := runeJSONLen(string(rune(c)))
		t[c] = uint8(w)
	}
	return t
}()

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
