package finding

import "cmp"

// SecurityGroup is a security group as the EC2 API describes it.
type SecurityGroup struct {
	ID      string
	Name    string
	VPCID   string
	Ingress []Rule
	Tags    map[string]string
}

// WorldOpenIngress returns the ingress rules of groups that admit the whole
// internet, in group then rule order.
func WorldOpenIngress(groups []SecurityGroup) []Rule {
	var out []Rule
	for _, g := range groups {
		for _, r := range g.Ingress {
			if r.WorldOpen {
				r.SecurityGroupID = g.ID
				out = append(out, r)
			}
		}
	}
	return out
}

// reachable reports whether r can be reached from the internet: it has a
// public IP or is an internet-facing load balancer. A load balancer's
// looked-up scheme wins over the requested one.
func (r Resource) reachable(requestedScheme string) bool {
	return len(r.PublicIPs) > 0 || (r.Type == TypeLoadBalancer && cmp.Or(r.Scheme, requestedScheme) == SchemeInternetFacing)
}

// Assess returns the severity of f from the facts it holds: each resource's
// live facts once f is Enriched, else what the call requested.
//
//   - none: the call opens nothing (and did not fail, and is not watched);
//     audit events, even failed (a non-root sign-in failure is not an
//     exposure, and would be noise); an image or snapshot the live state
//     shows shared with no one.
//   - low: a failed attempt; a watched data event; an exposure with nothing
//     open (a public IP behind closed groups, a world-open rule on nothing
//     reachable, a database, bucket or function the live state shows not
//     reachable, a share with trusted accounts only).
//   - medium: a reachable resource with world-open ports; an
//     internet-facing load balancer; a world-open admin port on a resource
//     not (yet) reachable.
//   - high: a world-open admin port (or all traffic) on a reachable
//     resource; data or a function made public or shared with another
//     account; defense evasion (logging stopped, detection deleted, root
//     sign-in).
//
// A resource enrich judged from live state (Reachable set) is assessed by
// that verdict, not by the request: see Resource.judgedSeverity.
func Assess(f *Finding) Severity {
	switch {
	case f.Category == CategoryAudit:
		return SeverityNone
	case f.Failed():
		return SeverityLow
	case f.Category == CategoryData:
		return SeverityLow
	case f.Category == CategoryDefenseEvasion:
		return SeverityHigh
	case !f.OpensExposure:
		return SeverityNone
	}
	// A resource the lookups could not find is judged by what the request
	// asked for.
	missing := f.Enriched && Missing(f)
	if f.Enriched && judged(f) {
		sev := SeverityNone
		if missing {
			sev = requestSeverity(f)
		}
		for _, r := range f.Resources {
			if r.Reachable != nil {
				sev = sev.Max(r.judgedSeverity())
			} else {
				sev = sev.Max(r.liveSeverity(f.Requested.Scheme))
			}
		}
		return sev
	}
	if f.Requested.PublicAccess || len(f.Requested.SharedWith) > 0 {
		return SeverityHigh
	}
	if !f.Enriched {
		return requestSeverity(f)
	}
	sev := SeverityLow
	if missing {
		sev = requestSeverity(f)
	}
	for _, r := range f.Resources {
		sev = sev.Max(r.liveSeverity(f.Requested.Scheme))
	}
	return sev
}

// requestSeverity is the severity of what f's request asked for.
func requestSeverity(f *Finding) Severity {
	reachable := f.Requested.PublicIP || f.Requested.Scheme == SchemeInternetFacing
	return SeverityLow.Max(rulesSeverity(f.Requested.IngressRules, reachable))
}

// Missing reports whether enrich looked one of f's resources up and did
// not find it (Resource.Found false): that resource is judged, and its
// alert keyed, by what the request asked for.
func Missing(f *Finding) bool {
	for _, r := range f.Resources {
		if r.Found != nil && !*r.Found {
			return true
		}
	}
	return false
}

// judged reports whether enrich judged any of f's resources from live
// state.
func judged(f *Finding) bool {
	for _, r := range f.Resources {
		if r.Reachable != nil {
			return true
		}
	}
	return false
}

// liveSeverity is the severity of an enriched resource enrich did not
// judge a path for: reachable by a public IP or an internet-facing scheme.
func (r Resource) liveSeverity(requestedScheme string) Severity {
	reachable := r.reachable(requestedScheme)
	sev := SeverityLow
	if reachable && r.Type == TypeLoadBalancer {
		sev = SeverityMedium
	}
	return sev.Max(rulesSeverity(r.OpenIngress, reachable))
}

// judgedSeverity is the severity of a resource by enrich's live verdict:
//
//   - an image or snapshot: high when shared with all or an account that
//     is not trusted, low when with trusted accounts only, none when with
//     no one;
//   - a database, bucket or function: high when reachable, else low;
//   - anything else (the network): when reachable, its ReachablePorts
//     (admin or all traffic high, others medium; an internet-facing load
//     balancer at least medium); when not, its world-open ingress on
//     something unreachable (admin medium, others low); never below low.
func (r Resource) judgedSeverity() Severity {
	reachable := *r.Reachable
	switch r.Type {
	case TypeImage, TypeSnapshot, TypeDBSnapshot, TypeDBClusterSnap:
		sev := SeverityNone
		for _, s := range r.Shares {
			if s.Trusted {
				sev = sev.Max(SeverityLow)
			} else {
				sev = SeverityHigh
			}
		}
		return sev
	case TypeDBInstance, TypeDBCluster, TypeRedshiftCluster, TypeBucket, TypeFunction:
		if reachable {
			return SeverityHigh
		}
		return SeverityLow
	}
	sev := SeverityLow
	if !reachable {
		return sev.Max(rulesSeverity(r.OpenIngress, false))
	}
	if r.Type == TypeLoadBalancer {
		sev = SeverityMedium
	}
	return sev.Max(rulesSeverity(r.ReachablePorts, true))
}

func rulesSeverity(rules []Rule, reachable bool) Severity {
	sev := SeverityNone
	for _, r := range rules {
		if !r.WorldOpen {
			continue
		}
		admin := r.AllTraffic() || r.CoversAdminPort()
		switch {
		case admin && reachable:
			return SeverityHigh
		case admin || reachable:
			sev = sev.Max(SeverityMedium)
		default:
			sev = sev.Max(SeverityLow)
		}
	}
	return sev
}
