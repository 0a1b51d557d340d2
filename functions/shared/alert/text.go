package alert

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// oneLine makes s safe to print on one line of the body or in an
// attribute: valid UTF-8, every control, line-breaking or bidirectional
// formatting character replaced by a space (so a value cannot forge lines
// of the alert or reorder its text), runs of spaces collapsed, trimmed, and
// cut to at most max runes with "..." when longer.
func oneLine(s string, max int) string {
	var b strings.Builder
	space := false
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		if unicode.IsSpace(r) || unicode.IsControl(r) || isBidiControl(r) {
			space = b.Len() > 0
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
	}
	out := b.String()
	if utf8.RuneCountInString(out) > max {
		runes := []rune(out)
		out = strings.TrimRight(string(runes[:max-3]), " ") + "..."
	}
	return out
}

// isBidiControl reports whether r reorders or isolates text (the
// "Trojan Source" characters) or is invisible formatting.
func isBidiControl(r rune) bool {
	switch {
	case r >= 0x202A && r <= 0x202E, r >= 0x2066 && r <= 0x2069,
		r == 0x200E, r == 0x200F, r == 0x061C, r == 0xFEFF,
		r >= 0x200B && r <= 0x200D, r == 0x2060:
		return true
	}
	return false
}
