package lifecycle

import (
	"slices"
	"strconv"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Exposure returns what f reports exposed, as sorted, distinct lines (at
// most MaxLines): for each resource enrich looked up and found, its live
// facts (world-open ingress, own or through a security group; public IPs of
// instances, interfaces and addresses; an address's attachment; an
// internet-facing load balancer; a database, bucket or function its live
// verdict found reachable; the accounts an image or snapshot is shared
// with now, of those the request shared it with); for the resource judged
// by the request (the first resource of a type judged by requests, or that
// enrich did not look up), unless enrich gave it a live verdict, what the
// request made public (grants, shares, routes, network ACL entries, an
// attached internet gateway, a publicly accessible database). A refused
// call, defense evasion, a data event and an audit event expose nothing to
// close: Exposure returns nil for them, and their alerts end with their
// window.
func Exposure(f *finding.Finding) []Line {
	if f.Failed() || f.Category == finding.CategoryDefenseEvasion || f.Category == finding.CategoryData || f.Category == finding.CategoryAudit {
		return nil
	}
	var out []Line
	for _, r := range f.Resources {
		if r.Found != nil && *r.Found && f.Enriched {
			out = append(out, liveLines(f, r)...)
		}
	}
	if t, ok := target(f); ok && !(f.Enriched && judgedLive(t)) {
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

// liveLines are the lines of a resource enrich found, on behalf of f.
func liveLines(f *finding.Finding, r finding.Resource) []Line {
	if judgedLive(r) {
		return verdictLines(f, r)
	}
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
// (a security group's, a network ACL entry's, which the line names by its
// number) or, when the rule belongs to another security group, through
// that group.
func ingressLine(id string, rule finding.Rule) Line {
	lr := newRule(rule)
	l := Line{Resource: Ref(id), Facet: FacetIngress, Key: clip(lr.String()), Rule: lr}
	text := name(id) + " allows " + lr.String()
	if lr.Entry > 0 {
		entry := "rule " + strconv.Itoa(lr.Entry)
		l.Key, text = clip(entry+": "+lr.String()), name(id)+" "+entry+" allows "+lr.String()
	}
	if g := rule.SecurityGroupID; g != "" && g != id {
		l.Via = Ref(g)
		text += " through " + name(g)
	}
	l.Text = clip(text)
	return l
}

// liveTypes are the resource types whose exposure enrich's lookups decide
// (groups, rules, addresses, schemes). Those of verdictTypes are decided
// by enrich's verdict when it gives one; the exposure of the others
// (routes, network ACLs, gateways, the account's public access block) is
// judged by the requests that open and close it.
var liveTypes = map[finding.ResourceType]bool{
	finding.TypeInstance: true, finding.TypeSecurityGroup: true, finding.TypeElasticIP: true,
	finding.TypeNetworkInterface: true, finding.TypeLoadBalancer: true, finding.TypeListener: true,
}

// verdictTypes are the resource types enrich gives a live verdict
// (Resource.Reachable) that is not a network path: databases, buckets and
// functions reachable or not, images and snapshots shared with whom.
var verdictTypes = map[finding.ResourceType]bool{
	finding.TypeDBInstance: true, finding.TypeDBCluster: true, finding.TypeRedshiftCluster: true,
	finding.TypeBucket: true, finding.TypeFunction: true,
	finding.TypeImage: true, finding.TypeSnapshot: true, finding.TypeDBSnapshot: true, finding.TypeDBClusterSnap: true,
}

// judgedLive reports whether enrich found r, of a verdict type, and gave
// it its live verdict: that verdict, not the request, then says what is
// exposed on r.
func judgedLive(r finding.Resource) bool {
	return verdictTypes[r.Type] && r.Found != nil && *r.Found && r.Reachable != nil
}

// verdictLines are the lines of r's live verdict: for an image or
// snapshot, one per grantee it is shared with now that f's request shared
// it with (every grantee when the request names none); for a database,
// bucket or function, one when it is reachable.
func verdictLines(f *finding.Finding, r finding.Resource) []Line {
	ref, who := Ref(r.ID), name(r.ID)
	var out []Line
	switch r.Type {
	case finding.TypeImage, finding.TypeSnapshot, finding.TypeDBSnapshot, finding.TypeDBClusterSnap:
		for _, s := range r.Shares {
			if len(f.Requested.SharedWith) > 0 && !slices.Contains(f.Requested.SharedWith, s.Grantee) {
				continue
			}
			out = append(out, shareLine(ref, who, s.Grantee))
		}
		return out
	}
	if !*r.Reachable {
		return nil
	}
	text := who + " is reachable from the internet"
	switch {
	case r.Type == finding.TypeBucket || r.Type == finding.TypeFunction:
		text = who + " is public"
	case r.Endpoint != "":
		text += " at " + r.Endpoint
	}
	return []Line{{Resource: ref, Facet: FacetReachable, Key: "internet", Text: clip(text)}}
}

// shareLine is the line of a share of the resource ref (named who) with
// grantee ("all": everyone).
func shareLine(ref, who, grantee string) Line {
	text := who + " is shared with " + grantee
	if grantee == "all" {
		text = who + " is public (shared with all)"
	}
	return Line{Resource: ref, Facet: FacetShare, Key: clip(grantee), Text: clip(text)}
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
		out = append(out, shareLine(ref, who, a))
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
