package alert_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/trailwatch/trailwatch/functions/shared/alert"
)

// validSubject returns why s would be refused as an SNS subject, or nil:
// SNS wants printable ASCII without line breaks, beginning with a letter,
// number or punctuation mark, shorter than 100 characters.
func validSubject(s string) error {
	switch {
	case s == "":
		return fmt.Errorf("empty")
	case len(s) > alert.MaxSubjectLen:
		return fmt.Errorf("%d characters, want at most %d", len(s), alert.MaxSubjectLen)
	case s[0] == ' ':
		return fmt.Errorf("starts with a space")
	case s[len(s)-1] == ' ':
		return fmt.Errorf("ends with a space")
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c > 0x7E {
			return fmt.Errorf("byte %#x at %d is not printable ASCII", c, i)
		}
	}
	return nil
}

func TestSanitizeSubject(t *testing.T) {
	words := strings.Repeat("word ", 30) // 150 characters
	for _, tc := range []struct {
		name, in, want string
	}{
		{"valid unchanged", "[HIGH] 3389/tcp opened to the world on sg-0abc (123456789012 us-east-1)", "[HIGH] 3389/tcp opened to the world on sg-0abc (123456789012 us-east-1)"},
		{"line breaks", "first\r\nsecond\nthird\rfourth", "first second third fourth"},
		{"unicode line separators", "a\u2028b\u2029c\u0085d", "a b c d"},
		{"tabs and runs of spaces", "a\t\t b     c", "a b c"},
		{"leading and trailing whitespace", " \t\n  subject \n", "subject"},
		{"diacritics transliterated", "Zoë Ångström-Nuñez, Łódź, Straße", "Zoe Angstrom-Nunez, Lodz, Strasse"},
		{"decomposed accents", "re\u0301sume\u0301", "resume"},
		{"typographic punctuation", "“quoted” — it’s… «fine»", `"quoted" - it's... "fine"`},
		{"unknown runs become one ?", "user 渡辺太郎 and 🙂🙂", "user ? and ?"},
		{"controls and bidi dropped", "a\x00b\x1bc\u202ed\u200be\x7f", "abcde"},
		{"non-breaking space", "a\u00a0b\u3000c", "a b c"},
		{"invalid UTF-8", "a\xffb\xc3", "a?b?"},
		{"empty", "", "trailwatch alert"},
		{"only whitespace and controls", " \n\t\x00\u200b ", "trailwatch alert"},
		{"exactly 99", strings.Repeat("x", 99), strings.Repeat("x", 99)},
		{"100 without spaces cut mid-word", strings.Repeat("x", 100), strings.Repeat("x", 96) + "..."},
		{"long cut on a word boundary", words, strings.TrimSpace(words[:95]) + "..."},
		{"cut drops trailing punctuation", strings.Repeat("y", 80) + ", " + strings.Repeat("z", 30), strings.Repeat("y", 80) + "..."},
		{"long with one early space cut mid-word", "a " + strings.Repeat("b", 200), "a " + strings.Repeat("b", 94) + "..."},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := alert.SanitizeSubject(tc.in)
			if got != tc.want {
				t.Errorf("SanitizeSubject(%q)\n got %q\nwant %q", tc.in, got, tc.want)
			}
			if err := validSubject(got); err != nil {
				t.Errorf("SanitizeSubject(%q) = %q: invalid: %v", tc.in, got, err)
			}
			if again := alert.SanitizeSubject(got); again != got {
				t.Errorf("not idempotent: %q then %q", got, again)
			}
		})
	}
}

func FuzzSanitizeSubject(f *testing.F) {
	for _, s := range []string{"", " ", "\n", "[HIGH] x", "Zoë", "渡辺", "a\xffb", strings.Repeat("é ", 80), strings.Repeat("x", 300), "\u202e\u2028"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := alert.SanitizeSubject(s)
		if err := validSubject(got); err != nil {
			t.Fatalf("SanitizeSubject(%q) = %q: %v", s, got, err)
		}
		if again := alert.SanitizeSubject(got); again != got {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, got, again)
		}
	})
}
