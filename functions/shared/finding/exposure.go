package finding

import "cmp"

// SecurityGroup is a security group as the EC2 API describes it.
type SecurityGroup struct {
	ID      string
	Name    string
	VPCID   string
	Ingress []Rule
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
//     exposure, and would be noise).
//   - low: a failed attempt; a watched data event; an exposure with nothing
//     open (a public IP behind closed groups, a world-open rule on nothing
//     reachable).
//   - medium: a reachable resource with world-open ports; an
//     internet-facing load balancer; a world-open admin port on a resource
//     not (yet) reachable.
//   - high: a world-open admin port (or all traffic) on a reachable
//     resource; data or a function made public or shared with another
//     account; defense evasion (logging stopped, detection deleted, root
//     sign-in).
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
	case f.Requested.PublicAccess || len(f.Requested.SharedWith) > 0:
		return SeverityHigh
	}
	sev := SeverityLow
	if !f.Enriched {
		reachable := f.Requested.PublicIP || f.Requested.Scheme == SchemeInternetFacing
		return sev.Max(rulesSeverity(f.Requested.IngressRules, reachable))
	}
	for _, r := range f.Resources {
		reachable := r.reachable(f.Requested.Scheme)
		if reachable && r.Type == TypeLoadBalancer {
			sev = sev.Max(SeverityMedium)
		}
		sev = sev.Max(rulesSeverity(r.OpenIngress, reachable))
	}
	return sev
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
