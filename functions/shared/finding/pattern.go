package finding

import (
	"bytes"
	"encoding/json"
	"sort"
)

//go:generate go run ../cmd/rulegen -o ../../../statemachine/event-pattern.json -readme ../../../README.md

// EventPattern returns the EventBridge event pattern that matches exactly
// the catalog's events: one $or branch per event source and detail type,
// each naming the EventBridge source, the detail type and the event names (a prefix match for Family entries). Matching on source as well as
// detail-type keeps out custom events that merely claim to come from
// CloudTrail. The output is deterministic, indented JSON ending in a
// newline: it is committed as statemachine/event-pattern.json.
func EventPattern() []byte {
	type branch struct {
		Source     []string `json:"source"`
		DetailType []string `json:"detail-type"`
		Detail     struct {
			EventSource []string `json:"eventSource"`
			EventName   []any    `json:"eventName"`
		} `json:"detail"`
	}
	bySource := map[string]*branch{}
	var order []string
	for _, e := range Catalog() {
		id := e.EventSource + " " + e.EventBridgeDetailType()
		b, ok := bySource[id]
		if !ok {
			b = &branch{Source: []string{e.Source()}, DetailType: []string{e.EventBridgeDetailType()}}
			b.Detail.EventSource = []string{e.EventSource}
			bySource[id] = b
			order = append(order, id)
		}
		if e.Family {
			b.Detail.EventName = append(b.Detail.EventName, map[string]string{"prefix": e.EventName})
		} else {
			b.Detail.EventName = append(b.Detail.EventName, e.EventName)
		}
	}
	sort.Strings(order)
	pattern := struct {
		Or []*branch `json:"$or"`
	}{}
	for _, s := range order {
		pattern.Or = append(pattern.Or, bySource[s])
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(pattern); err != nil {
		panic(err) // only plain strings and maps: cannot fail
	}
	return buf.Bytes()
}
