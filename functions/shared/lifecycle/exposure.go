package lifecycle

import (
	"slices"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Exposure returns what f reports exposed, as sorted, distinct lines (at
// most MaxLines): for each resource enrich looked up and found, its live
// facts (world-open ingress, own or through a security group; public IPs of
// instances, interfaces and addresses; an address's attachment; an
// internet-facing load balancer); for the resource judged by the request
// (the first resource of a type judged by requests, or that enrich did not
// look up), what the request made public (grants, shares, routes, network ACL entries, an attached internet
// gateway, a publicly accessible database). A refused call, defense
// evasion, a data event and an audit event expose nothing to close:
// Exposure returns nil for them, and their alerts end with their window.
func Exposure(f *finding.Finding) []Line {
	if f.Failed() || f.Category == finding.CategoryDefenseEvasion || f.Category == finding.CategoryData || f.Category == finding.CategoryAudit {
		return nil
	}
	var out []Line
	for _, r := range f.Resources {
		if r.Found != nil && *r.Found && f.Enriched {
			out = append(out, liveLines(r)...)
		}
	}
	if t, ok := target(f); ok {
		out = append(out, requestLines(f, t)...)
	}
	return normalize(out)
}

// normalize sorts lines, drops repeats and keeps at most MaxLines.
func normalize(lines []Line) []Line {
	slices.SortFunc(lines, compareLines)
	lines = slices.CompactFunc(lines, func(a, b Line) bool { return a.id() == b.id() })
	if len(lines) > MaxLines {
		lines = lines[:MaxLines]
	}
	if len(lines) == 0 {
		return nil
	}
	return lines
}

// liveLines are the lines of a resource enrich found.
func liveLines(r finding.Resource) []Line {
	ref := Ref(r.ID)
	var out []Line
	for _, rule := range r.OpenIngress {
		if rule.WorldOpen {
			out = append(out, ingressLine(r.ID, rule))
		}
	}
	switch r.Type {
	case finding.TypeInstance, finding.TypeNetworkInterface, finding.TypeElasticIP:
		for _, ip := range r.PublicIPs {
			out = append(out, Line{Resource: ref, Facet: FacetPublicIP, Key: clip(ip), Text: clip(name(r.ID) + " has public IP " + ip)})
		}
	}
	if r.Type == finding.TypeElasticIP && r.AttachedTo != "" {
		out = append(out, Line{Resource: ref, Facet: FacetAttachment, Key: clip(r.AttachedTo), Text: clip(name(r.ID) + " is attached to " + name(r.AttachedTo))})
	}
	if r.Type == finding.TypeLoadBalancer && r.Scheme == finding.SchemeInternetFacing {
		text := name(r.ID) + " is internet-facing"
		if r.DNSName != "" {
			text += " at " + r.DNSName
		}
		out = append(out, Line{Resource: ref, Facet: FacetScheme, Key: finding.SchemeInternetFacing, Text: clip(text)})
	}
	return out
}

// ingressLine is the line of a world-open rule on the resource id: its own
// (a security group's, a network ACL's) or, when the rule belongs to
// another security group, through that group.
func ingressLine(id string, rule finding.Rule) Line {
	lr := newRule(rule)
	l := Line{Resource: Ref(id), Facet: FacetIngress, Key: clip(lr.String()), Rule: lr}
	text := name(id) + " allows " + lr.String()
	if g := rule.SecurityGroupID; g != "" && g != id {
		l.Via = Ref(g)
		text += " through " + name(g)
	}
	l.Text = clip(text)
	return l
}

// liveTypes are the resource types whose exposure enrich's lookups decide
// (groups, rules, addresses, schemes); the exposure of the others (buckets,
// databases, functions, snapshots, routes, ...) is judged by the requests
// that open and close it, even once enrich looks them up (for tags).
var liveTypes = map[finding.ResourceType]bool{
	finding.TypeInstance: true, finding.TypeSecurityGroup: true, finding.TypeElasticIP: true,
	finding.TypeNetworkInterface: true, finding.TypeLoadBalancer: true, finding.TypeListener: true,
}

// target returns the resource f's request is judged on: the first one
// whose type is judged by requests, or that enrich did not look up.
func target(f *finding.Finding) (finding.Resource, bool) {
	for _, r := range f.Resources {
		if !liveTypes[r.Type] || r.Found == nil {
			return r, true
		}
	}
	return finding.Resource{}, false
}

// requestLines are the lines f's request exposes on t, its target: what
// the request made public, shared, routed or opened. For a call that closes
// exposure they are what it leaves open of the facet it sets (none for a
// call that makes t private).
func requestLines(f *finding.Finding, t finding.Resource) []Line {
	ref, who := Ref(t.ID), name(t.ID)
	q := f.Requested
	facet := FacetPubliclyAccessible
	if s, ok := surfaceOf(f.EventSource, f.EventName); ok && s.facet != "" {
		facet = s.facet
	}
	var out []Line
	add := func(facet Facet, key, text string) {
		out = append(out, Line{Resource: ref, Facet: facet, Key: clip(key), Text: clip(text)})
	}
	if q.PublicAccess {
		for _, g := range q.Grants {
			if facet == FacetPublicAccessBlock {
				add(facet, g, who+" lost its public access block ("+g+")")
			} else {
				add(facet, g, who+" is public: "+g)
			}
		}
		if len(q.Grants) == 0 && len(q.SharedWith) == 0 {
			add(facet, "public", who+" is publicly accessible")
		}
	}
	for _, a := range q.SharedWith {
		if a == "all" {
			add(FacetShare, a, who+" is public (shared with all)")
		} else {
			add(FacetShare, a, who+" is shared with "+a)
		}
	}
	for _, r := range q.Routes {
		add(FacetRoute, r, who+" routes "+r)
	}
	for _, rule := range q.IngressRules {
		if rule.WorldOpen {
			out = append(out, ingressLine(t.ID, rule))
		}
	}
	switch t.Type {
	case finding.TypeInternetGateway:
		if f.OpensExposure {
			for _, r := range f.Resources {
				if r.Type == finding.TypeVPC {
					add(FacetGateway, r.ID, who+" is attached to "+name(r.ID))
				}
			}
		}
	case finding.TypeInstance, finding.TypeNetworkInterface, finding.TypeElasticIP:
		for _, ip := range q.PublicIPs {
			add(FacetPublicIP, ip, who+" has public IP "+ip)
		}
	}
	return out
}
