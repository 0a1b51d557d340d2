package finding

import "regexp"

// Words are what an alert says about an event: they live in the event's
// catalog entry, beside its parser, so that adding an event is one room.
// Package alert renders them; a test there fails for an entry without an
// alert golden.
type Words struct {
	// Headline says what the call did in a few words, as phrasings richest
	// first: "{target} made publicly accessible". A subject uses the first
	// that fits; a phrasing with a placeholder the finding has no value for
	// is skipped. Placeholders are the names in Placeholders, in braces.
	Headline []string
	// Advice says what to check or do about it, in a sentence or two.
	Advice string
}

// Placeholders are the names a Words phrase may use, in braces. Package
// alert fills each from the finding:
//
//   - target: the resource the call acted on (for a listener, its load
//     balancer), or "N <things>" when the call names several of its type;
//   - ports: the ports the call opened to the world ("22/tcp, 3389/tcp");
//   - revoked: the world-open ports the call revoked;
//   - live: what enrichment found open to the world ("22/tcp open to the
//     world");
//   - ip: the public IP the call named or enrichment found;
//   - attached: what an address was associated with;
//   - vpc: the VPC the call named;
//   - scheme, listeners, routes, grants: Requested's, joined;
//   - shared, unshared: who the call shared with or stopped sharing with
//     ("everyone" for "all");
//   - removed: what the call removed by id (Requested.Removed).
var Placeholders = []string{"target", "ports", "revoked", "live", "ip", "attached", "vpc", "scheme", "listeners", "routes", "grants", "shared", "unshared", "removed"}

// placeholderRE matches a placeholder in a phrase.
var placeholderRE = regexp.MustCompile(`\{([a-z]+)\}`)

// Fill returns phrase with each placeholder replaced by value(name); ok
// is false when a value is "" (the phrase does not apply).
func Fill(phrase string, value func(name string) string) (filled string, ok bool) {
	ok = true
	filled = placeholderRE.ReplaceAllStringFunc(phrase, func(m string) string {
		v := value(m[1 : len(m)-1])
		if v == "" {
			ok = false
		}
		return v
	})
	return filled, ok
}

// PhrasePlaceholders returns the placeholder names phrase uses, in order.
func PhrasePlaceholders(phrase string) []string {
	var out []string
	for _, m := range placeholderRE.FindAllStringSubmatch(phrase, -1) {
		out = append(out, m[1])
	}
	return out
}

// WordsFor returns what an alert about f says: the words of f's catalog
// entry for what f did. An entry's Closing words stand for a call that
// closed exposure without opening any; its Words for everything else the
// entry's effect covers. ok is false, and the Words empty, when the entry
// has none for f: an event outside the catalog, a refused call, an audit
// event, or a call that neither opened nor closed anything an opening
// entry watches.
func WordsFor(f *Finding) (w Words, ok bool) {
	e, found := Lookup(f.EventSource, f.EventName)
	if !found || f.Failed() || f.Category == CategoryAudit {
		return Words{}, false
	}
	switch {
	case f.ClosesExposure && !f.OpensExposure && e.Effect == EffectVaries:
		return e.Closing, true
	case e.Effect == EffectCloses:
		return e.Words, f.ClosesExposure
	case e.Effect == EffectWatch, e.Effect == EffectEvasion, f.OpensExposure:
		return e.Words, true
	}
	return Words{}, false
}
