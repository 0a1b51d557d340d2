package alert

import "strings"

// chatDefang replaces what chat clients read as markup or as a live
// reference with look-alikes that read the same but are plain text:
// Slack's <url|label>, <@user> and <!channel> (angle brackets, the pipe,
// and the ampersand of &lt; and friends), Markdown links and images
// ([label](url)), bold, strike and code (*, ~, `), @-mentions, and
// scheme://, which chat clients turn into a link.
var chatDefang = strings.NewReplacer(
	"<", "\u2039", // ‹
	">", "\u203A", // ›
	"&", "\uFF06", // ＆
	"|", "\u00A6", // ¦
	"[", "\uFF3B", // ［
	"]", "\uFF3D", // ］
	"*", "\u2217", // ∗
	"~", "\u223C", // ∼
	"`", "\u02CB", // ˋ
	"@", "\uFF20", // ＠
	"://", ":\u2215\u2215", // :∕∕
)

// chatText makes s, text that may hold anything a user chose (group
// names, tags, object keys, error messages, user agents), safe to show in
// a chat message as text, never as markup: on one line (see oneLine), with
// the markup of chatDefang replaced, at most max runes. Underscores are
// left alone: ids are full of them, and they only ever make italics.
func chatText(s string, max int) string {
	return oneLine(chatDefang.Replace(oneLine(s, 4*max)), max)
}
