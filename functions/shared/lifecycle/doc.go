// Package lifecycle is the alert's life as trailwatch keeps it: what an
// alert reports exposed (its exposure lines, computed from an enriched
// finding), when a closing event's live state shows those lines gone, and
// how each event moves an alert's record between pending, open and
// resolved. It decides; the dedupe function stores. It imports no AWS SDK
// and does no I/O.
//
// Files by job: line.go (the canonical exposure line), exposure.go (the
// lines of a finding, from live facts, live verdicts or the request),
// surface.go (what a call judged by its request touches), split.go (which
// lines a closing finding shows gone),
// record.go (the stored record and the finding.Alert it reports),
// opening.go and closing.go (the transitions), storm.go (storm
// identities and periods), digest.go (building a digest), id.go (alert ids
// and long-id references).
package lifecycle
