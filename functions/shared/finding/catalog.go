package finding

import (
	"slices"
	"sort"
	"strings"
)

// Effect says what a catalog event can do to exposure.
type Effect string

// Effects.
const (
	// EffectOpens: the call can open a path from the internet.
	EffectOpens Effect = "opens"
	// EffectCloses: the call can remove such a path.
	EffectCloses Effect = "closes"
	// EffectVaries: the call opens or closes exposure depending on its
	// parameters (ModifySecurityGroupRules, PutPublicAccessBlock, ...).
	EffectVaries Effect = "opens or closes"
	// EffectWatch: the call exposes nothing by itself but is watched (data
	// events on watched buckets).
	EffectWatch Effect = "watch"
	// EffectEvasion: the call exposes nothing but blinds the security team
	// (logging stopped, detection deleted, root sign-in).
	EffectEvasion Effect = "evasion"
)

// Entry is one event of the catalog: the CloudTrail events trailwatch
// understands.
type Entry struct {
	// EventSource is the CloudTrail eventSource, e.g. "ec2.amazonaws.com".
	EventSource string
	// EventName is the CloudTrail eventName. When Family is true it is a
	// prefix: Lambda names carry API-version suffixes.
	EventName string
	Family    bool
	// DetailType is the EventBridge detail-type the event arrives with;
	// empty means DetailTypeAPICall.
	DetailType string
	Category   Category
	Effect     Effect
	// Description says what the call means for exposure, for the README.
	Description string
	// Words are what an alert about the event says (see WordsFor); Closing,
	// for an EffectVaries entry, what it says when the call closed exposure.
	Words   Words
	Closing Words

	parse func(*record, *Finding) error
	// confirm, when set, recomputes OpensExposure from live facts.
	confirm func(*Finding)
	// group, when set, names the entry's rule instead of its service (see
	// Group); requestParameters, when set, is what its rule's pattern
	// also asks of detail.requestParameters.
	group             string
	requestParameters any
}

// EventBridgeDetailType is the detail-type the entry's events arrive with.
func (e Entry) EventBridgeDetailType() string {
	if e.DetailType == "" {
		return DetailTypeAPICall
	}
	return e.DetailType
}

// Source is the EventBridge source of the entry's events: "aws." followed
// by the service part of the eventSource.
func (e Entry) Source() string {
	return "aws." + strings.TrimSuffix(e.EventSource, ".amazonaws.com")
}

// catalog is every supported event. Each group of entries lives beside its
// parsers.
var catalog = slices.Concat(ec2Catalog, elbCatalog, s3Catalog, s3PublicAccessBlockCatalog, rdsCatalog, redshiftCatalog, lambdaCatalog, lambdaFunctionURLCatalog, evasionCatalog, heartbeatCatalog)

// Catalog returns the catalog's entries, sorted by event source and name.
// The slice is a copy.
func Catalog() []Entry {
	out := append([]Entry(nil), catalog...)
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].EventSource != out[j].EventSource {
			return out[i].EventSource < out[j].EventSource
		}
		return out[i].EventName < out[j].EventName
	})
	return out
}

var index = func() map[string]Entry {
	m := make(map[string]Entry, len(catalog))
	for _, e := range catalog {
		if !e.Family {
			m[e.EventSource+" "+e.EventName] = e
		}
	}
	return m
}()

// Lookup returns the catalog entry of an event, matching a Family entry by
// prefix.
func Lookup(eventSource, eventName string) (Entry, bool) {
	return lookup(eventSource, eventName)
}

// Reassess marks f as enriched and recomputes OpensExposure (for events
// whose exposure only the live account can tell, such as an instance given
// a public IP by its subnet's default) and Severity from the live facts now
// on its resources. A failed call stays unexposed.
func Reassess(f *Finding) {
	f.Enriched = true
	if e, ok := Lookup(f.EventSource, f.EventName); ok && e.confirm != nil && !f.Failed() {
		e.confirm(f)
	}
	f.Severity = Assess(f)
}
