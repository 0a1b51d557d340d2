package finding

import (
	"slices"
	"strings"
)

// Consistency says how enrich waited for the lookups to show what the
// event did. EC2 and ELB are eventually consistent: a Describe call made
// a second after the event may not show the new instance, its public IP or
// the rule just added. Enrich then asks to look again (LookAgain), the
// state machine waits (its WaitForConsistency state) and enriches again,
// a bounded number of times, before it concludes.
type Consistency struct {
	// LookAgain is true when enrich wants another look after a wait.
	LookAgain bool `json:"lookAgain"`
	// Reason says what the lookups did not show yet (Unsettled).
	Reason string `json:"reason,omitempty"`
	// Looks counts enrich's looks so far; WaitedSeconds the time waited
	// between them.
	Looks         int `json:"looks"`
	WaitedSeconds int `json:"waitedSeconds"`
}

// Unsettled says what the live state, as f's enrichment found it, lacks of
// what the event just did, "" when nothing: a resource the event created
// (a Run or Create call that opens no exposure by its request alone, such
// as an instance whose public IP comes from its subnet) was not found; a
// resource the event opened exposure on was not found; a group lacks a world-open rule the event
// added; an instance the event asked a public IP for has none; a load
// balancer lacks a listener the event added. Only events that open
// exposure, as their request says, and that succeeded, are judged.
func Unsettled(f *Finding) string {
	if !f.Enriched || f.Failed() || f.Kind != "" {
		return ""
	}
	if created(f) {
		for _, r := range f.Resources {
			if r.Found != nil && !*r.Found {
				return "new resource " + r.ID + " not found"
			}
		}
	}
	if !requestedExposure(f) {
		return ""
	}
	for _, r := range f.Resources {
		if r.Found != nil && !*r.Found {
			return "resource " + r.ID + " not found"
		}
	}
	for _, r := range f.Resources {
		if r.Found == nil {
			continue
		}
		switch r.Type {
		case TypeSecurityGroup:
			for _, want := range f.Requested.IngressRules {
				// Rules by prefix list or source group are left to the
				// live verdict: their live form names other sources.
				if want.WorldOpen && want.PrefixListID == "" && want.GroupID == "" && !containsRule(r.OpenIngress, want) {
					return "rule " + want.String() + " not yet on " + r.ID
				}
			}
		case TypeInstance:
			if f.Requested.PublicIP && len(r.PublicIPs) == 0 {
				return "no public IP on " + r.ID + " yet"
			}
		case TypeLoadBalancer:
			for _, l := range f.Requested.Listeners {
				if !slices.Contains(r.Listeners, l) {
					return "listener " + l + " not yet on " + r.ID
				}
			}
		}
	}
	return ""
}

// created reports whether f's event made the resources it names (RunInstances,
// CreateLoadBalancer, ...), so that not finding them means the lookups do not
// show them yet. A closing event's are not waited for.
func created(f *Finding) bool {
	return !f.ClosesExposure && (strings.HasPrefix(f.EventName, "Run") || strings.HasPrefix(f.EventName, "Create"))
}

// requestedExposure reports whether f's request, on its own, asked for
// exposure: world-open rules, a public IP, listeners.
func requestedExposure(f *Finding) bool {
	return anyWorldOpen(f.Requested.IngressRules) || f.Requested.PublicIP || len(f.Requested.Listeners) > 0
}

func containsRule(rules []Rule, want Rule) bool {
	for _, r := range rules {
		if sameRule(r, want) {
			return true
		}
	}
	return false
}
