package alert

import (
	"bytes"
	"encoding/json"
)

// marshal encodes v as JSON without HTML escaping (a message is not
// embedded in HTML, and "<" as \u003c would make it longer and harder to
// read). v is plain data: encoding cannot fail.
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		panic("alert: encode " + err.Error())
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n"))
}

// jsonLen is the length of s JSON-encoded as marshal encodes it, quotes
// not counted.
func jsonLen(s string) int { return len(marshal(s)) - 2 }
