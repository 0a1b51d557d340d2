package lifecycle

import (
	"slices"
	"strconv"
	"strings"

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
//   - enrich gave its resource (a database, bucket, function, image or
//     snapshot) a live verdict that lacks it: not reachable (a bucket
//     policy made private, a database no longer publicly accessible, a
//     function URL back to AWS_IAM), or, for a share, no longer shared
//     with that grantee; whatever c's request says, the verdict decides (a
//     closing request the live state contradicts closes nothing);
//   - it is the public IP of an Elastic IP on the instance or interface
//     the address was attached to, and the address's line of that IP (the
//     address released) or of that attachment (disassociated) is gone;
//   - c's own request judges the line's facet on the line's resource and
//     leaves it out, of the part the request is about: the grantees it
//     unshared, the routes it replaced or deleted (by destination), the
//     network ACL entry it replaced or deleted (by number), or the whole
//     facet (a bucket policy deleted, a gateway detached, ...).
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
	var first []Line
	for _, l := range open {
		if gone(l, c, res, s, own) {
			first = append(first, l)
		}
	}
	left := addressesLeft(open, first)
	for _, l := range open {
		if slices.ContainsFunc(first, func(g Line) bool { return g.id() == l.id() }) ||
			(l.Facet == FacetPublicIP && left[l.Resource+"\x00"+l.Key]) {
			closed = append(closed, l)
		} else {
			still = append(still, l)
		}
	}
	return closed, still
}

// addressesLeft returns, as "<resource>\x00<ip>", the public IPs closed
// lines of Elastic IPs took from the resources they were attached to: an
// address whose IP line closed (released) or whose attachment line closed
// (disassociated) no longer gives its IP to what it was attached to.
func addressesLeft(open, closed []Line) map[string]bool {
	ips := map[string][]string{}
	attached := map[string]string{}
	for _, l := range open {
		switch l.Facet {
		case FacetPublicIP:
			ips[l.Resource] = append(ips[l.Resource], l.Key)
		case FacetAttachment:
			attached[l.Resource] = Ref(l.Key)
		}
	}
	left := map[string]bool{}
	for _, l := range closed {
		to, ok := attached[l.Resource]
		if !ok || (l.Facet != FacetAttachment && l.Facet != FacetPublicIP) {
			continue
		}
		addrIPs := ips[l.Resource]
		if l.Facet == FacetPublicIP {
			addrIPs = []string{l.Key}
		}
		for _, ip := range addrIPs {
			left[to+"\x00"+ip] = true
		}
	}
	return left
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
	if named && judgedLive(r) {
		if l.Facet == FacetShare {
			return !slices.ContainsFunc(r.Shares, func(s finding.Share) bool { return s.Grantee == l.Key })
		}
		return !*r.Reachable
	}
	switch {
	case named && r.Found != nil && l.Facet.live() && liveTypes[r.Type]:
		return !liveHas(r, l, true)
	case viaNamed && g.Found != nil && l.Facet == FacetIngress:
		return !liveHas(g, l, false)
	case named && own != nil && l.Facet == s.facet:
		return inScope(l, c.Requested) && !own[l.id()]
	}
	return false
}

// inScope reports whether the request q is about the line l of its facet:
// a share with a grantee it unshared; a route whose destination it
// replaced or deleted; a network ACL entry of the number it replaced or
// deleted (Removed); any other line of the facet.
func inScope(l Line, q finding.Requested) bool {
	switch {
	case l.Facet == FacetShare:
		return slices.Contains(q.Unshared, l.Key)
	case l.Facet == FacetRoute:
		return slices.ContainsFunc(q.Removed, func(dest string) bool { return strings.HasPrefix(l.Key, dest+" -> ") })
	case l.Facet == FacetIngress && l.Rule != nil && l.Rule.Entry > 0:
		return slices.Contains(q.Removed, finding.ACLEntryName(false, strconv.Itoa(l.Rule.Entry)))
	}
	return true
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
