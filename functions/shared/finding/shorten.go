package finding

import "unicode/utf8"

// Ellipsis ends a text Shorten cut.
const Ellipsis = "…"

// Shorten returns s when it is at most n bytes, else its longest prefix on
// a character boundary that fits n with Ellipsis appended.
func Shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	end := max(n-len(Ellipsis), 0)
	for end > 0 && !utf8.RuneStart(s[end]) {
		end--
	}
	return s[:end] + Ellipsis
}
