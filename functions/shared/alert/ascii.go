package alert

import (
	"strings"
	"unicode"
)

// fallbackSubject replaces a subject with nothing printable in it.
const fallbackSubject = "trailwatch alert"

// SanitizeSubject returns s as a subject SNS accepts: printable ASCII only
// (letters with diacritics and common typographic punctuation
// transliterated, other characters replaced by "?", invisible ones
// dropped), every run of whitespace or line breaks collapsed into one space,
// no leading or trailing space, at most MaxSubjectLen characters (cut on a
// word boundary where there is one, ending in "..."), and never empty. A
// valid subject is returned unchanged, so SanitizeSubject is idempotent.
func SanitizeSubject(s string) string {
	s = truncate(asciiLine(s), MaxSubjectLen)
	if s == "" {
		return fallbackSubject
	}
	return s
}

// asciiLine transliterates s to printable ASCII on one line, with single
// spaces, trimmed. Runs of characters that have no transliteration become
// one "?".
func asciiLine(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	space, unknown := false, false
	emit := func(t string) {
		if space && b.Len() > 0 {
			b.WriteByte(' ')
		}
		space = false
		b.WriteString(t)
	}
	for _, r := range s { // invalid UTF-8 arrives as U+FFFD
		switch {
		case r >= 0x21 && r <= 0x7E:
			emit(string(r))
			unknown = false
		case unicode.IsSpace(r):
			space, unknown = true, false
		case r < 0x20 || r == 0x7F || unicode.IsControl(r) || isBidiControl(r) ||
			unicode.Is(unicode.Mn, r) || r == 0x00AD:
			// Controls, invisible formatting, combining marks (so a
			// decomposed "e\u0301" reads "e") and soft hyphens: dropped.
		default:
			if t, ok := translit[r]; ok {
				emit(t)
				unknown = false
			} else if !unknown {
				emit("?")
				unknown = true
			}
		}
	}
	return b.String()
}

// truncate cuts the clean ASCII line s to at most max characters (max >= 4),
// ending in "...": at the last space when that keeps at least half the
// room, else in the middle of a word.
func truncate(s string, max int) string {
	if len(s) <= max {
		return s
	}
	limit := max - len("...")
	cut := limit
	if i := strings.LastIndexByte(s[:limit+1], ' '); i >= limit/2 {
		cut = i
	}
	head := strings.TrimRight(s[:cut], " ,;:")
	if head == "" {
		head = strings.TrimRight(s[:limit], " ")
	}
	return head + "..."
}

// translit spells common non-ASCII letters and punctuation in ASCII.
var translit = func() map[rune]string {
	m := map[rune]string{}
	for _, g := range []struct{ from, to string }{
		{"ÀÁÂÃÄÅĀĂĄ", "A"}, {"àáâãäåāăą", "a"}, {"Æ", "AE"}, {"æ", "ae"},
		{"ÇĆĈĊČ", "C"}, {"çćĉċč", "c"}, {"ÐĎĐ", "D"}, {"ðďđ", "d"},
		{"ÈÉÊËĒĔĖĘĚ", "E"}, {"èéêëēĕėęě", "e"}, {"ĜĞĠĢ", "G"}, {"ĝğġģ", "g"},
		{"ĤĦ", "H"}, {"ĥħ", "h"}, {"ÌÍÎÏĨĪĬĮİ", "I"}, {"ìíîïĩīĭįı", "i"},
		{"Ĳ", "IJ"}, {"ĳ", "ij"}, {"Ĵ", "J"}, {"ĵ", "j"}, {"Ķ", "K"}, {"ķĸ", "k"},
		{"ĹĻĽĿŁ", "L"}, {"ĺļľŀł", "l"}, {"ÑŃŅŇŊ", "N"}, {"ñńņňŉŋ", "n"},
		{"ÒÓÔÕÖØŌŎŐ", "O"}, {"òóôõöøōŏő", "o"}, {"Œ", "OE"}, {"œ", "oe"},
		{"ŔŖŘ", "R"}, {"ŕŗř", "r"}, {"ŚŜŞŠ", "S"}, {"śŝşšſ", "s"}, {"ß", "ss"},
		{"ŢŤŦ", "T"}, {"ţťŧ", "t"}, {"Þ", "Th"}, {"þ", "th"},
		{"ÙÚÛÜŨŪŬŮŰŲ", "U"}, {"ùúûüũūŭůűų", "u"}, {"Ŵ", "W"}, {"ŵ", "w"},
		{"ÝŶŸ", "Y"}, {"ýÿŷ", "y"}, {"ŹŻŽ", "Z"}, {"źżž", "z"},
		{"‘’‚‛′´", "'"}, {"“”„‟″«»", `"`}, {"‐‑‒–—―−", "-"}, {"…", "..."},
		{"•·", "*"}, {"×", "x"}, {"÷", "/"}, {"©", "(c)"}, {"®", "(R)"},
		{"™", "TM"}, {"€", "EUR"}, {"°", "deg"}, {"¿", "?"}, {"¡", "!"},
	} {
		for _, r := range g.from {
			m[r] = g.to
		}
	}
	return m
}()
