package finding

import (
	"encoding/binary"
	"math/bits"
	"unicode/utf8"
)

// The scanner below reads JSON at byte-loop speed for the fast path of
// Parse, ParseLog and decodeParams. It accepts only what encoding/json
// accepts; whatever it refuses (a syntax error, input nested deeper than
// maxDepth) is handed to encoding/json, which then says what is wrong in
// its own words. It never panics: every index is checked against len(b).

// maxDepth bounds how deeply the scanner follows nested arrays and objects.
// encoding/json allows 10,000; deeper input takes the encoding/json path,
// which reports it.
const maxDepth = 1000

// stringByte marks the bytes a string scan must stop at: the quote, the
// backslash, control characters (invalid in JSON strings) and non-ASCII
// bytes (UTF-8 is checked once per string).
var stringByte = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	for c := 0x80; c < 0x100; c++ {
		t[c] = true
	}
	t['"'], t['\\'] = true, true
	return t
}()

// skipSpace returns the index of the first byte at or after i that is not
// JSON whitespace.
func skipSpace(b []byte, i int) int {
	if i < len(b) && b[i] > ' ' {
		return i // compact JSON: no whitespace between tokens
	}
	for i < len(b) && space[b[i]] {
		i++
	}
	return i
}

var space = [256]bool{' ': true, '\t': true, '\n': true, '\r': true}

// Masks for reading eight string bytes at once (SWAR): a byte of x is
// '"', '\\', below 0x20 or above 0x7f exactly when its bit 7 is set in
// specialBytes(x).
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

func specialBytes(x uint64) uint64 {
	quote := x ^ ('"' * ones)
	backslash := x ^ ('\\' * ones)
	return ((quote-ones) & ^quote | (backslash-ones) & ^backslash | (x-0x20*ones) & ^x | x) & highs
}

// scanString reads the string that starts at b[i] (a quote) and returns the
// index after its closing quote. plain reports that its content needs no
// unquoting: no escape, valid UTF-8. ok is false for anything encoding/json
// refuses.
func scanString(b []byte, i int) (end int, plain, ok bool) {
	i++ // opening quote
	start, escaped, nonASCII := i, false, false
	for {
		// Find the next byte that is not plain ASCII: eight at a time, then
		// the first of them from the mask (exact for the lowest byte it marks).
		if i+8 <= len(b) {
			m := specialBytes(binary.LittleEndian.Uint64(b[i:]))
			if m == 0 {
				i += 8
				continue
			}
			i += bits.TrailingZeros64(m) >> 3
		} else {
			for i < len(b) && !stringByte[b[i]] {
				i++
			}
			if i >= len(b) {
				return 0, false, false
			}
		}
		switch c := b[i]; {
		case c == '"':
			plain = !escaped && (!nonASCII || utf8.Valid(b[start:i]))
			return i + 1, plain, true
		case c == '\\':
			escaped = true
			if i+1 >= len(b) {
				return 0, false, false
			}
			switch b[i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				i += 2
			case 'u':
				if i+6 > len(b) || !isHex(b[i+2]) || !isHex(b[i+3]) || !isHex(b[i+4]) || !isHex(b[i+5]) {
					return 0, false, false
				}
				i += 6
			default:
				return 0, false, false
			}
		case c < 0x20:
			return 0, false, false
		default:
			nonASCII = true
			i++
		}
	}
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// scanNumber reads the number that starts at b[i] and returns the index
// after it, with JSON's grammar: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
func scanNumber(b []byte, i int) (int, bool) {
	if i < len(b) && b[i] == '-' {
		i++
	}
	switch {
	case i < len(b) && b[i] == '0':
		i++
	case i < len(b) && '1' <= b[i] && b[i] <= '9':
		for i++; i < len(b) && isDigit(b[i]); i++ {
		}
	default:
		return 0, false
	}
	if i < len(b) && b[i] == '.' {
		i++
		if i >= len(b) || !isDigit(b[i]) {
			return 0, false
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	if i < len(b) && (b[i] == 'e' || b[i] == 'E') {
		i++
		if i < len(b) && (b[i] == '+' || b[i] == '-') {
			i++
		}
		if i >= len(b) || !isDigit(b[i]) {
			return 0, false
		}
		for i < len(b) && isDigit(b[i]) {
			i++
		}
	}
	return i, true
}

// scanLiteral reads the literal lit (true, false or null) at b[i].
func scanLiteral(b []byte, i int, lit string) (int, bool) {
	if len(b)-i < len(lit) || string(b[i:i+len(lit)]) != lit {
		return 0, false
	}
	return i + len(lit), true
}

// skipValue reads the value that starts at b[i] (no leading whitespace)
// and returns the index after it. depth is how deeply the value is nested:
// a value whose arrays and objects nest deeper than maxDepth counts as not
// read. It walks nested values in one loop, keeping whether each open one
// is an object or an array in a bit stack, without recursion or calls per
// member.
func skipValue(b []byte, i, depth int) (int, bool) {
	var objects [maxDepth/64 + 1]uint64 // bit n: the open value at level n is an object
	level := 0                          // open arrays and objects
	for {
		// A value starts at b[i].
		if i >= len(b) {
			return 0, false
		}
		var ok bool
		switch c := b[i]; {
		case c == '"':
			i, _, ok = scanString(b, i)
		case c == '{' || c == '[':
			if depth+level+1 > maxDepth {
				return 0, false
			}
			closing := byte(']')
			if c == '{' {
				closing = '}'
			}
			if i = skipSpace(b, i+1); i < len(b) && b[i] == closing {
				i, ok = i+1, true
				break
			}
			if c == '{' {
				objects[level/64] |= 1 << (level % 64)
				if i, ok = skipKey(b, i); !ok {
					return 0, false
				}
			} else {
				objects[level/64] &^= 1 << (level % 64)
			}
			level++
			continue
		case c == 't':
			i, ok = scanLiteral(b, i, "true")
		case c == 'f':
			i, ok = scanLiteral(b, i, "false")
		case c == 'n':
			i, ok = scanLiteral(b, i, "null")
		case c == '-' || isDigit(c):
			i, ok = scanNumber(b, i)
		}
		if !ok {
			return 0, false
		}
		// A value ended before b[i]: close what it ends, go on to the next.
		for {
			if level == 0 {
				return i, true
			}
			inObject := objects[(level-1)/64]&(1<<((level-1)%64)) != 0
			if i = skipSpace(b, i); i >= len(b) {
				return 0, false
			}
			c := b[i]
			if c == ',' {
				i = skipSpace(b, i+1)
				if inObject {
					if i, ok = skipKey(b, i); !ok {
						return 0, false
					}
				}
				break
			}
			if inObject && c != '}' || !inObject && c != ']' {
				return 0, false
			}
			i++
			level--
		}
	}
}

// skipKey reads an object's member name and its colon at b[i] and returns
// the index of the member's value.
func skipKey(b []byte, i int) (int, bool) {
	if i >= len(b) || b[i] != '"' {
		return 0, false
	}
	end, _, ok := scanString(b, i)
	if !ok {
		return 0, false
	}
	if i = skipSpace(b, end); i >= len(b) || b[i] != ':' {
		return 0, false
	}
	return skipSpace(b, i+1), true
}

// objectMembers reads the object at b[i] and calls member with each key
// (as it is in b, quotes included) and the index of its value, which
// member reads and returns the end of. It returns the index after the
// object.
func objectMembers(b []byte, i int, member func(key []byte, plain bool, i int) (int, bool)) (int, bool) {
	i = skipSpace(b, i+1)
	if i < len(b) && b[i] == '}' {
		return i + 1, true
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return 0, false
		}
		end, plain, ok := scanString(b, i)
		if !ok {
			return 0, false
		}
		key := b[i:end]
		if i = skipSpace(b, end); i >= len(b) || b[i] != ':' {
			return 0, false
		}
		if i, ok = member(key, plain, skipSpace(b, i+1)); !ok {
			return 0, false
		}
		if i, ok = nextMember(b, i, '}'); !ok {
			return 0, false
		}
		if b[i-1] == '}' {
			return i, true
		}
		i = skipSpace(b, i)
	}
}

// nextMember reads what follows a member or element: a comma (there is
// another) or the closing delimiter. It returns the index after it.
func nextMember(b []byte, i int, closing byte) (int, bool) {
	i = skipSpace(b, i)
	if i >= len(b) || b[i] != ',' && b[i] != closing {
		return 0, false
	}
	return i + 1, true
}
