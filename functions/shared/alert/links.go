package alert

import (
	"net/url"
	"strings"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Link is a labelled AWS console URL.
type Link struct {
	Label string `json:"label"`
	URL   string `json:"url"`
}

// MaxURLLen bounds a console link, as every field of a message is bounded.
// A resource whose own page would need a longer URL (an S3 key or an ARN
// of kilobytes) links to the console page that lists resources of its type.
const MaxURLLen = 2048

// links returns an AWS console URL for each resource, for the security
// groups and attachments the finding names, and for the CloudTrail event;
// without repeats, each at most MaxURLLen long, and at most maxLinks.
func links(f *finding.Finding) []Link {
	c := console{region: f.Region, source: f.EventSource}
	var out []Link
	seen := map[string]bool{}
	add := func(label, u string) {
		if u != "" && !seen[u] && len(out) < maxLinks {
			seen[u] = true
			out = append(out, Link{oneLine(label, maxValueLen), u})
		}
	}
	// Listeners last: a listener's page is its load balancer's, which is
	// better labelled by the load balancer.
	for _, listeners := range []bool{false, true} {
		for _, r := range f.Resources {
			if (r.Type == finding.TypeListener) == listeners {
				add(typeName(r.Type)+" "+shortID(r), resourceURL(c, r))
			}
		}
	}
	groups := append([]string(nil), f.Requested.SecurityGroups...)
	for _, r := range f.Resources {
		groups = append(groups, r.SecurityGroups...)
		if a := r.AttachedTo; a != "" {
			add("Attached "+attachmentName(a)+" "+a, resourceURL(c, attachment(a)))
		}
	}
	for _, g := range groups {
		add("Security group "+g, resourceURL(c, finding.Resource{Type: finding.TypeSecurityGroup, ID: g}))
	}
	if f.EventID != "" {
		add("CloudTrail event", eventURL(c, f.EventID))
	}
	return out
}

// eventURL is the CloudTrail console page of the event with id eventID,
// or the event history when that link would be longer than MaxURLLen.
func eventURL(c console, eventID string) string {
	return bounded(c.service("cloudtrailv2", "/events/"+url.PathEscape(eventID)), eventHistoryURL(c))
}

// eventHistoryURL is the CloudTrail console's event history. It takes no
// filter: AWS documents no link that opens it filtered (by event name or
// user name), so a message that needs a filter says which to set.
func eventHistoryURL(c console) string { return c.service("cloudtrailv2", "/events") }

// resourceURL is r's page in the AWS console: its own page, or when that
// is longer than MaxURLLen the page listing its type; "" for a resource
// without an id or of a type without pages.
func resourceURL(c console, r finding.Resource) string {
	k, ok := kinds[r.Type]
	if r.ID == "" || !ok {
		return ""
	}
	return bounded(k.page(c, r), k.list(c))
}

// bounded is u, or fallback when u is longer than MaxURLLen.
func bounded(u, fallback string) string {
	if len(u) > MaxURLLen {
		return fallback
	}
	return u
}

// shortID names r in a link label and in its console search: a load
// balancer by name when the finding has one, anything else by id.
func shortID(r finding.Resource) string {
	if r.Type == finding.TypeLoadBalancer && r.Name != "" {
		return r.Name
	}
	return r.ID
}

// displayName names r in a headline: as shortID does, and by the name its
// ARN ends in for a load balancer without a name, a trail or a function.
func displayName(r finding.Resource) string {
	var name string
	switch r.Type {
	case finding.TypeLoadBalancer:
		name = loadBalancerName(r.ID)
	case finding.TypeTrail:
		_, name, _ = strings.Cut(r.ID, ":trail/")
	case finding.TypeFunction:
		name = functionName(r.ID)
	}
	if name == "" || (r.Type == finding.TypeLoadBalancer && r.Name != "") {
		return shortID(r)
	}
	return name
}

// attachment is the resource an address's AttachedTo names.
func attachment(id string) finding.Resource {
	if strings.HasPrefix(id, "eni-") {
		return finding.Resource{Type: finding.TypeNetworkInterface, ID: id}
	}
	return finding.Resource{Type: finding.TypeInstance, ID: id}
}

func attachmentName(id string) string {
	if strings.HasPrefix(id, "eni-") {
		return "network interface"
	}
	return "instance"
}
