package finding

import (
	"encoding"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf16"
	"unicode/utf8"
)

// unmarshal is json.Unmarshal(data, v), in one pass over data for the
// shapes catalog parsers decode into: structs without embedded fields,
// pointers, slices, maps with string keys, strings, bools, numbers,
// json.Number, json.RawMessage and json.Unmarshalers. It gives the same
// result as json.Unmarshal, and the same error: whenever the input is
// wrong, or is something it does not read itself, it puts *v back to its
// zero value and lets json.Unmarshal decode it. Other types are decoded by
// json.Unmarshal value by value. A json.RawMessage it sets shares data's
// bytes (capacity cut to its length) instead of copying them. v must be a
// non-nil pointer; a *v that is not zero is left to json.Unmarshal.
func unmarshal(data []byte, v any) error {
	rv := reflect.ValueOf(v)
	if referenceDecode || rv.Kind() != reflect.Pointer || rv.IsNil() || !rv.Elem().IsZero() {
		return json.Unmarshal(data, v)
	}
	target := rv.Elem()
	d := decoder{data: data}
	i, ok := d.value(planOf(target.Type()), target, skipSpace(data, 0), 0)
	if ok && skipSpace(data, i) == len(data) {
		return nil
	}
	target.SetZero()
	return json.Unmarshal(data, v)
}

// decodes reports whether json.Unmarshal(data, v) succeeds, and decodes
// data into v as unmarshal does when it does; when it does not, v holds
// what json.Unmarshal would leave in it or its zero value, which callers
// do not use. It is unmarshal for callers that try a shape and another:
// data that does not start with a value of v's kind (an object for a
// string, a string for a list) costs a look at its first byte, not
// json.Unmarshal's error.
func decodes(data []byte, v any) bool {
	rv := reflect.ValueOf(v)
	if !referenceDecode && rv.Kind() == reflect.Pointer && !rv.IsNil() {
		i := skipSpace(data, 0)
		if i >= len(data) || !mayStart(planOf(rv.Elem().Type()), data[i]) {
			return false
		}
	}
	return unmarshal(data, v) == nil
}

// mayStart reports whether encoding/json may decode a value that starts
// with c into a value of plan p's kind; false only when it surely refuses.
func mayStart(p *plan, c byte) bool {
	for p.kind == kindPointer {
		p = p.elem
	}
	if c == 'n' {
		return true // null: every kind takes it
	}
	switch p.kind {
	case kindString:
		return c == '"'
	case kindBool:
		return c == 't' || c == 'f'
	case kindSlice:
		return c == '['
	case kindMap, kindStruct:
		return c == '{'
	}
	return true
}

// referenceDecode makes unmarshal and Parse plain encoding/json: the
// reference the tests hold the one-pass paths to. Only tests set it.
var referenceDecode bool

// A plan says how to decode into one Go type.
type plan struct {
	kind   planKind
	typ    reflect.Type
	elem   *plan // pointers, slices and maps
	fields []planField
	exact  map[string]int // field by name
	folded map[string]int // field by foldName(name): the first declared
	// foldLen marks the lengths of the fields' folded names, up to 63.
	foldLen [64]bool
	// byLen lists the fields by the length of their names, up to 63 (longer
	// ones are looked up in exact).
	byLen [64][]namedField
}

type namedField struct {
	name string
	n    int
}

// lookup is the field named key exactly.
func (p *plan) lookup(key []byte) (int, bool) {
	if len(key) < len(p.byLen) {
		for _, f := range p.byLen[len(key)] {
			if string(key) == f.name {
				return f.n, true
			}
		}
		return 0, false
	}
	n, ok := p.exact[string(key)]
	return n, ok
}

// foldedField is the first field whose name equals key (unquoted) when
// case is ignored, as encoding/json matches it.
func (p *plan) foldedField(key []byte) (int, bool) {
	ascii := true
	for _, c := range key {
		ascii = ascii && c < utf8.RuneSelf
	}
	if ascii && len(key) < len(p.foldLen) && !p.foldLen[len(key)] {
		return 0, false // ASCII folding keeps the length
	}
	var fold [64]byte
	n, ok := p.folded[string(appendFoldedName(fold[:0], key))]
	return n, ok
}

type planField struct {
	index int
	plan  *plan
}

type planKind uint8

const (
	// kindOther is decoded by json.Unmarshal: interfaces, arrays, []byte,
	// encoding.TextUnmarshalers, structs with embedded fields or ",string"
	// options, maps with other keys.
	kindOther planKind = iota
	kindString
	kindNumber
	kindBool
	kindInt
	kindUint
	kindFloat
	kindRaw
	kindUnmarshaler
	kindPointer
	kindSlice
	kindMap
	kindStruct
)

var (
	plans           sync.Map // reflect.Type -> *plan
	rawMessageType  = reflect.TypeFor[json.RawMessage]()
	numberType      = reflect.TypeFor[json.Number]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
	textUnmarshaler = reflect.TypeFor[encoding.TextUnmarshaler]()
)

func planOf(t reflect.Type) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	building := map[reflect.Type]*plan{}
	p := compile(t, building)
	for t, p := range building {
		plans.LoadOrStore(t, p)
	}
	return p
}

func compile(t reflect.Type, building map[reflect.Type]*plan) *plan {
	if p, ok := plans.Load(t); ok {
		return p.(*plan)
	}
	if p, ok := building[t]; ok {
		return p
	}
	p := &plan{typ: t}
	building[t] = p
	pt := reflect.PointerTo(t)
	switch {
	case t == rawMessageType:
		p.kind = kindRaw
	case t == numberType:
		p.kind = kindNumber
	case t.Kind() != reflect.Pointer && pt.Implements(unmarshalerType):
		p.kind = kindUnmarshaler
	case t.Kind() != reflect.Pointer && pt.Implements(textUnmarshaler):
		p.kind = kindOther
	default:
		switch t.Kind() {
		case reflect.String:
			p.kind = kindString
		case reflect.Bool:
			p.kind = kindBool
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
			p.kind = kindInt
		case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
			p.kind = kindUint
		case reflect.Float32, reflect.Float64:
			p.kind = kindFloat
		case reflect.Pointer:
			p.kind, p.elem = kindPointer, compile(t.Elem(), building)
		case reflect.Slice:
			if t.Elem().Kind() != reflect.Uint8 {
				p.kind, p.elem = kindSlice, compile(t.Elem(), building)
			}
		case reflect.Map:
			k := t.Key()
			if k.Kind() == reflect.String && !reflect.PointerTo(k).Implements(textUnmarshaler) {
				p.kind, p.elem = kindMap, compile(t.Elem(), building)
			}
		case reflect.Struct:
			compileStruct(p, building)
		}
	}
	return p
}

// compileStruct gives p its fields as encoding/json names them, or leaves
// it kindOther for what only encoding/json reads right.
func compileStruct(p *plan, building map[reflect.Type]*plan) {
	t := p.typ
	p.exact, p.folded = map[string]int{}, map[string]int{}
	for i := range t.NumField() {
		sf := t.Field(i)
		if sf.Anonymous {
			return
		}
		if !sf.IsExported() {
			continue
		}
		tag := sf.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		for opt := range strings.SplitSeq(opts, ",") {
			if opt == "string" {
				return
			}
		}
		if !plainTagName(name) {
			return
		}
		if name == "" {
			name = sf.Name
		}
		if _, dup := p.exact[name]; dup {
			return
		}
		p.exact[name] = len(p.fields)
		if len(name) < len(p.byLen) {
			p.byLen[len(name)] = append(p.byLen[len(name)], namedField{name, len(p.fields)})
		}
		if f := string(foldName([]byte(name))); !hasKey(p.folded, f) {
			p.folded[f] = len(p.fields)
			if len(f) < len(p.foldLen) {
				p.foldLen[len(f)] = true
			}
		}
		p.fields = append(p.fields, planField{index: i, plan: compile(sf.Type, building)})
	}
	p.kind = kindStruct
}

func hasKey(m map[string]int, k string) bool {
	_, ok := m[k]
	return ok
}

// plainTagName reports whether a json tag name is one encoding/json takes
// as it is: empty (the field's name) or letters, digits, '_' and '-'.
func plainTagName(name string) bool {
	for _, c := range name {
		if !unicode.IsLetter(c) && !unicode.IsDigit(c) && c != '_' && c != '-' {
			return false
		}
	}
	return true
}

// decoder decodes data. With dry set it only checks types and sets
// nothing. With textRoom set, the strings it sets and the map keys it
// makes that need no unquoting are written one after the other into text,
// grown by textRoom bytes on the first of them, and share its memory
// instead of each being an allocation of its own.
type decoder struct {
	data     []byte
	dry      bool
	text     strings.Builder
	textRoom int
}

// str is the string data[start:end] (a scanned JSON string, quotes
// included) stands for.
func (d *decoder) str(start, end int, plain bool) string {
	return d.strOf(d.data[start:end], plain)
}

// strOf is the string quoted (a scanned JSON string in data, quotes
// included) stands for.
func (d *decoder) strOf(quoted []byte, plain bool) string {
	if !plain || d.textRoom == 0 && d.text.Cap() == 0 {
		return stringOf(quoted, plain)
	}
	content := quoted[1 : len(quoted)-1]
	if len(content) == 0 {
		return ""
	}
	if d.text.Cap()-d.text.Len() < len(content) {
		d.text.Grow(max(d.textRoom, len(content)))
		d.textRoom = 0
	}
	n := d.text.Len()
	d.text.Write(content)
	return d.text.String()[n:]
}

// value decodes the value at data[i] into v and returns the index after
// it. false means: leave it to encoding/json.
func (d *decoder) value(p *plan, v reflect.Value, i, depth int) (int, bool) {
	b := d.data
	if i >= len(b) {
		return 0, false
	}
	c := b[i]
	if c == 'n' && p.kind != kindUnmarshaler && p.kind != kindOther && p.kind != kindRaw {
		end, ok := scanLiteral(b, i, "null")
		if ok && !d.dry {
			switch p.kind {
			case kindPointer, kindSlice, kindMap:
				v.SetZero()
			}
		}
		return end, ok
	}
	switch p.kind {
	case kindString:
		if c != '"' {
			return 0, false
		}
		end, plain, ok := scanString(b, i)
		if ok && !d.dry {
			v.SetString(d.str(i, end, plain))
		}
		return end, ok
	case kindNumber, kindInt, kindUint, kindFloat:
		if c != '-' && !isDigit(c) {
			return 0, false
		}
		end, ok := scanNumber(b, i)
		if !ok {
			return 0, false
		}
		return end, d.dry || setNumber(p.kind, v, b[i:end])
	case kindBool:
		switch c {
		case 't':
			end, ok := scanLiteral(b, i, "true")
			if ok && !d.dry {
				v.SetBool(true)
			}
			return end, ok
		case 'f':
			end, ok := scanLiteral(b, i, "false")
			if ok && !d.dry {
				v.SetBool(false)
			}
			return end, ok
		}
		return 0, false
	case kindRaw:
		end, ok := skipValue(b, i, depth)
		if ok && !d.dry {
			v.SetBytes(b[i:end:end])
		}
		return end, ok
	case kindUnmarshaler, kindOther:
		end, ok := skipValue(b, i, depth)
		if !ok || d.dry {
			return 0, false
		}
		if p.kind == kindUnmarshaler {
			return end, v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(b[i:end]) == nil
		}
		return end, json.Unmarshal(b[i:end], v.Addr().Interface()) == nil
	case kindPointer:
		if !d.dry {
			if v.IsNil() {
				v.Set(reflect.New(p.typ.Elem()))
			}
			v = v.Elem()
		}
		return d.value(p.elem, v, i, depth)
	case kindSlice:
		if c != '[' {
			return 0, false
		}
		return d.slice(p, v, i, depth+1)
	case kindMap:
		if c != '{' {
			return 0, false
		}
		return d.mapValue(p, v, i, depth+1)
	case kindStruct:
		if c != '{' {
			return 0, false
		}
		return d.object(p, v, i, depth+1)
	}
	return 0, false
}

// slice decodes an array as encoding/json does: into the slice's own
// elements, growing it, truncating it to what the array held, and making
// an empty array a non-nil empty slice.
func (d *decoder) slice(p *plan, v reflect.Value, i, depth int) (int, bool) {
	if depth > maxDepth {
		return 0, false
	}
	b := d.data
	n := 0
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == ']' {
		i++
	} else {
		for {
			var elem reflect.Value
			if !d.dry {
				if n >= v.Cap() {
					v.Grow(1)
				}
				if n >= v.Len() {
					v.SetLen(n + 1)
				}
				elem = v.Index(n)
			}
			var ok bool
			if i, ok = d.value(p.elem, elem, i, depth); !ok {
				return 0, false
			}
			n++
			if i, ok = nextMember(b, i, ']'); !ok {
				return 0, false
			}
			if b[i-1] == ']' {
				break
			}
			i = skipSpace(b, i)
		}
	}
	if !d.dry {
		if n < v.Len() {
			v.SetLen(n)
		}
		if n == 0 {
			v.Set(reflect.MakeSlice(p.typ, 0, 0))
		}
	}
	return i, true
}

// mapValue decodes an object into a map with string keys, each value
// decoded from zero.
func (d *decoder) mapValue(p *plan, v reflect.Value, i, depth int) (int, bool) {
	if depth > maxDepth {
		return 0, false
	}
	var elem reflect.Value
	if !d.dry {
		if v.IsNil() {
			v.Set(reflect.MakeMap(p.typ))
		}
		elem = reflect.New(p.typ.Elem()).Elem()
	}
	return d.members(i, func(key []byte, plain bool, i int) (int, bool) {
		if d.dry {
			return d.value(p.elem, elem, i, depth)
		}
		elem.SetZero()
		end, ok := d.value(p.elem, elem, i, depth)
		if ok {
			k := reflect.ValueOf(d.strOf(key, plain))
			if k.Type() != p.typ.Key() {
				k = k.Convert(p.typ.Key())
			}
			v.SetMapIndex(k, elem)
		}
		return end, ok
	})
}

// object decodes an object into a struct: a member goes to the field of
// its name, else to the first field whose name equals it folded
// (encoding/json's case-insensitive match); other members are skipped.
func (d *decoder) object(p *plan, v reflect.Value, i, depth int) (int, bool) {
	if depth > maxDepth {
		return 0, false
	}
	return d.members(i, func(key []byte, plain bool, i int) (int, bool) {
		if !plain {
			key = unquote(key)
		} else {
			key = key[1 : len(key)-1]
		}
		n, ok := p.lookup(key)
		if !ok {
			n, ok = p.foldedField(key)
		}
		if !ok {
			return skipValue(d.data, i, depth)
		}
		f := p.fields[n]
		var fv reflect.Value
		if !d.dry {
			fv = v.Field(f.index)
		}
		return d.value(f.plan, fv, i, depth)
	})
}

// members reads the object at data[i] and calls member with each key (as
// it is in data, quotes included) and the index of its value, which member
// reads.
func (d *decoder) members(i int, member func(key []byte, plain bool, i int) (int, bool)) (int, bool) {
	return objectMembers(d.data, i, member)
}

// setNumber stores the number text in v as encoding/json does, false when
// encoding/json would refuse it (out of range, a fraction for an integer).
func setNumber(k planKind, v reflect.Value, text []byte) bool {
	switch k {
	case kindNumber:
		v.SetString(string(text))
	case kindInt:
		n, err := strconv.ParseInt(string(text), 10, 64)
		if err != nil || v.OverflowInt(n) {
			return false
		}
		v.SetInt(n)
	case kindUint:
		n, err := strconv.ParseUint(string(text), 10, 64)
		if err != nil || v.OverflowUint(n) {
			return false
		}
		v.SetUint(n)
	case kindFloat:
		n, err := strconv.ParseFloat(string(text), v.Type().Bits())
		if err != nil || v.OverflowFloat(n) {
			return false
		}
		v.SetFloat(n)
	}
	return true
}

// stringOf is the string a quoted JSON string (quotes included, already
// scanned) stands for.
func stringOf(quoted []byte, plain bool) string {
	if plain {
		return string(quoted[1 : len(quoted)-1])
	}
	return string(unquote(quoted))
}

// unquote is encoding/json's unquoteBytes for a string the scanner
// accepted: escapes resolved, invalid UTF-8 and lone surrogates replaced
// by U+FFFD.
func unquote(quoted []byte) []byte {
	s := quoted[1 : len(quoted)-1]
	b := make([]byte, 0, len(s)+2*utf8.UTFMax)
	for r := 0; r < len(s); {
		c := s[r]
		switch {
		case c == '\\':
			switch e := s[r+1]; e {
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				rr := getu4(s[r:])
				r += 6
				if utf16.IsSurrogate(rr) {
					if dec := utf16.DecodeRune(rr, getu4(s[r:])); dec != unicode.ReplacementChar {
						b = utf8.AppendRune(b, dec)
						r += 6
						continue
					}
					rr = unicode.ReplacementChar
				}
				b = utf8.AppendRune(b, rr)
				continue
			default:
				b = append(b, e)
			}
			r += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			r++
		default:
			rr, size := utf8.DecodeRune(s[r:])
			b = utf8.AppendRune(b, rr)
			r += size
		}
	}
	return b
}

// getu4 decodes \uXXXX from the start of s, -1 when s does not start so.
func getu4(s []byte) rune {
	if len(s) < 6 || s[0] != '\\' || s[1] != 'u' {
		return -1
	}
	r, err := strconv.ParseUint(string(s[2:6]), 16, 64)
	if err != nil {
		return -1
	}
	return rune(r)
}

// foldName is encoding/json's: foldName(x) == foldName(y) exactly when
// bytes.EqualFold(x, y).
func foldName(in []byte) []byte {
	var arr [32]byte
	return appendFoldedName(arr[:0], in)
}

func appendFoldedName(out, in []byte) []byte {
	for i := 0; i < len(in); {
		if c := in[i]; c < utf8.RuneSelf {
			if 'a' <= c && c <= 'z' {
				c -= 'a' - 'A'
			}
			out = append(out, c)
			i++
			continue
		}
		r, n := utf8.DecodeRune(in[i:])
		out = utf8.AppendRune(out, foldRune(r))
		i += n
	}
	return out
}

// foldRune returns the smallest rune of r's fold set.
func foldRune(r rune) rune {
	for {
		r2 := unicode.SimpleFold(r)
		if r2 <= r {
			return r2
		}
		r = r2
	}
}
