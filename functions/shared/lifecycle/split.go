package lifecycle

import (
	"slices"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Split splits open, the lines an alert still reports open, into those the
// closing finding c shows gone and those that stand. A line is gone when:
//
//   - c deletes its resource, or the security group it goes through
//     (TerminateInstances, DeleteSecurityGroup, DeleteDBInstance, ...: see
//     surface.go);
//   - enrich looked that resource (or, for a line through a group, the
//     group) up for c and did not find it;
//   - enrich found it, and its live facts lack the line: no world-open rule
//     of the line's group (or of the group itself) admits the line's rule,
//     the public IP is gone, the address is attached elsewhere or not at
//     all, the load balancer is not internet-facing;
//   - c's own request judges the line's facet on the line's resource (a
//     bucket policy replaced or deleted, a database made private, a
//     function URL back to AWS_IAM, a share removed, ...) and leaves it
//     out.
//
// Any other line stands: c says nothing about it. c must not be nil.
func Split(open []Line, c *finding.Finding) (closed, still []Line) {
	res := map[string]finding.Resource{}
	for _, r := range c.Resources {
		res[Ref(r.ID)] = r
	}
	s, judged := surfaceOf(c.EventSource, c.EventName)
	var own map[string]bool
	if t, ok := target(c); ok && judged && s.facet != "" {
		own = map[string]bool{}
		for _, l := range requestLines(c, t) {
			own[l.id()] = true
		}
	}
	for _, l := range open {
		if gone(l, c, res, s, own) {
			closed = append(closed, l)
		} else {
			still = append(still, l)
		}
	}
	return closed, still
}

// gone reports whether c shows the line l gone (see Split).
func gone(l Line, c *finding.Finding, res map[string]finding.Resource, s surface, own map[string]bool) bool {
	r, named := res[l.Resource]
	g, viaNamed := res[l.Via]
	viaNamed = viaNamed && l.Via != ""
	if s.deletes && (named || viaNamed) {
		return true
	}
	if (named && r.Found != nil && !*r.Found) || (viaNamed && g.Found != nil && !*g.Found) {
		return true
	}
	switch {
	case named && r.Found != nil && l.Facet.live():
		return !liveHas(r, l, true)
	case viaNamed && g.Found != nil && l.Facet == FacetIngress:
		return !liveHas(g, l, false)
	case named && own != nil && l.Facet == s.facet:
		if l.Facet == FacetShare {
			return slices.Contains(c.Requested.Unshared, l.Key)
		}
		return !own[l.id()]
	}
	return false
}

// liveHas reports whether the live facts of r, enriched and found, still
// hold the line l. onResource says r is the line's own resource; otherwise
// it is the group the line goes through.
func liveHas(r finding.Resource, l Line, onResource bool) bool {
	switch l.Facet {
	case FacetIngress:
		if l.Rule == nil {
			return true
		}
		for _, live := range r.OpenIngress {
			if onResource && l.Via != "" && Ref(live.SecurityGroupID) != l.Via {
				continue
			}
			if l.Rule.admittedBy(live) {
				return true
			}
		}
		return false
	case FacetPublicIP:
		return slices.Contains(r.PublicIPs, l.Key)
	case FacetAttachment:
		return r.AttachedTo == l.Key
	case FacetScheme:
		return r.Scheme == finding.SchemeInternetFacing
	}
	return true
}
