package lifecycle

import (
	"cmp"
	"net/netip"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Facet is which part of a resource an exposure line is about. The live
// facets are those enrich looks up; the others are judged by the requests
// that open and close them (see surface.go).
type Facet string

// Facets.
const (
	// FacetIngress: a world-open ingress rule (of the resource's own
	// security group, of a group attached to it, or of a network ACL).
	FacetIngress Facet = "ingress"
	// FacetPublicIP: a public IP of an instance, interface or address.
	FacetPublicIP Facet = "public-ip"
	// FacetAttachment: an Elastic IP attached to an instance or interface.
	FacetAttachment Facet = "attachment"
	// FacetScheme: an internet-facing load balancer.
	FacetScheme Facet = "scheme"

	// FacetBucketPolicy, FacetBucketACL and FacetPublicAccessBlock: a
	// bucket (or the account) made public by its policy, its ACL, or a
	// weakened or deleted public access block.
	FacetBucketPolicy      Facet = "s3-policy"
	FacetBucketACL         Facet = "s3-acl"
	FacetPublicAccessBlock Facet = "s3-public-access-block"
	// FacetPubliclyAccessible: a database reachable from the internet.
	FacetPubliclyAccessible Facet = "publicly-accessible"
	// FacetPermission and FacetFunctionURL: a function anyone may invoke,
	// through its resource policy or an unauthenticated URL.
	FacetPermission  Facet = "lambda-permission"
	FacetFunctionURL Facet = "lambda-url"
	// FacetShare: an image or snapshot shared with an account (Key) or
	// with everyone ("all").
	FacetShare Facet = "share"
	// FacetRoute: a route sending the whole internet to a gateway.
	FacetRoute Facet = "route"
	// FacetGateway: an internet gateway attached to a VPC.
	FacetGateway Facet = "internet-gateway"
	// FacetReachable: a database, bucket or function that enrich's live
	// verdict found reachable from the internet (or usable by anyone).
	FacetReachable Facet = "reachable"
)

// live reports whether enrich looks the facet up on instances, groups,
// addresses, interfaces and load balancers, so that a closing finding's
// live facts decide it. The live verdicts on databases, buckets,
// functions, images and snapshots decide every facet of theirs (see
// judgedLive).
func (f Facet) live() bool {
	switch f {
	case FacetIngress, FacetPublicIP, FacetAttachment, FacetScheme:
		return true
	}
	return false
}

// Line is one exposed thing an alert reports, in a canonical form that
// compares equal across the events that report it: "sg-1 allows tcp/22
// from 0.0.0.0/0", "i-1 allows tcp/22 from 0.0.0.0/0 through sg-1", "i-1
// has public IP 203.0.113.9", "bucket b is public: Principal * s3:GetObject".
type Line struct {
	// Resource is the exposed resource (its Ref).
	Resource string `json:"r"`
	// Via is the security group (its Ref) whose rule the line is, when the
	// rule is not the resource's own.
	Via   string `json:"v,omitempty"`
	Facet Facet  `json:"f"`
	// Key tells lines of one resource and facet apart: the rule
	// ("tcp/22 from 0.0.0.0/0"), the IP, the grant, the account shared
	// with, the route.
	Key string `json:"k"`
	// Text is the line for people, at most MaxTextBytes.
	Text string `json:"t"`
	// Rule is the ingress rule of a FacetIngress line.
	Rule *Rule `json:"rule,omitempty"`
}

// Rule is an ingress rule as a line holds it.
type Rule struct {
	// Protocol is as finding.NormalizeProtocol spells it ("-1" for all).
	Protocol string `json:"p"`
	From     int    `json:"from"`
	To       int    `json:"to"`
	// Source is the canonical CIDR (host bits masked).
	Source string `json:"s"`
	// Entry is a network ACL entry's rule number (0 for a security group
	// rule): the entry a DeleteNetworkAclEntry or ReplaceNetworkAclEntry
	// names.
	Entry int `json:"n,omitempty"`
}

// Bounds of lines.
const (
	// MaxTextBytes bounds a line's Text and Key.
	MaxTextBytes = 300
	// MaxLines bounds the lines an alert keeps; further lines are left out
	// (the alert then never resolves on the lines it lacks, only on those
	// it keeps, which the README states).
	MaxLines = 32
)

// id identifies a line: lines with the same id are the same exposure.
func (l Line) id() string {
	return l.Resource + "\x00" + l.Via + "\x00" + string(l.Facet) + "\x00" + l.Key
}

func compareLines(a, b Line) int {
	return cmp.Or(strings.Compare(a.Resource, b.Resource), strings.Compare(string(a.Facet), string(b.Facet)),
		strings.Compare(a.Via, b.Via), strings.Compare(a.Key, b.Key))
}

// Texts returns the lines' texts, in order.
func Texts(lines []Line) []string {
	if len(lines) == 0 {
		return nil
	}
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = l.Text
	}
	return out
}

// Minus returns the lines of a that are not in b, in a's order.
func Minus(a, b []Line) []Line {
	in := make(map[string]bool, len(b))
	for _, l := range b {
		in[l.id()] = true
	}
	var out []Line
	for _, l := range a {
		if !in[l.id()] {
			out = append(out, l)
		}
	}
	return out
}

// newRule returns the line rule of r (a protocol or source that is not one
// cut short: they are bounded text only).
func newRule(r finding.Rule) *Rule {
	out := &Rule{Protocol: cut(finding.NormalizeProtocol(r.Protocol), 16), From: r.FromPort, To: r.ToPort, Source: Ref(canonicalSource(r)), Entry: r.Entry}
	if out.Protocol == "-1" {
		out.From, out.To = -1, -1
	}
	return out
}

// String renders the rule: "tcp/22 from 0.0.0.0/0", "tcp/8000-8080 from
// ::/0", "tcp/all from 0.0.0.0/0", "all traffic from 0.0.0.0/0", "icmp
// from 0.0.0.0/0", "protocol 47 from ::/0".
func (r Rule) String() string {
	var what string
	switch {
	case r.Protocol == "-1":
		what = "all traffic"
	case r.Protocol == "tcp" || r.Protocol == "udp":
		switch {
		case r.From == -1 || (r.From <= 0 && r.To >= 65535):
			what = r.Protocol + "/all"
		case r.From == r.To:
			what = r.Protocol + "/" + strconv.Itoa(r.From)
		default:
			what = r.Protocol + "/" + strconv.Itoa(r.From) + "-" + strconv.Itoa(r.To)
		}
	case r.Protocol == "icmp" || r.Protocol == "icmpv6":
		what = r.Protocol
	default:
		what = "protocol " + r.Protocol
	}
	return what + " from " + r.Source
}

// admits reports whether the live rule live (world-open) lets through
// everything r admits: same address family, and all traffic, or the same
// protocol over a port range that covers r's.
func (r Rule) admittedBy(live finding.Rule) bool {
	if !live.WorldOpen {
		return false
	}
	l := newRule(live)
	if family(l.Source) != family(r.Source) {
		return false
	}
	switch {
	case l.Protocol == "-1":
		return true
	case l.Protocol != r.Protocol:
		return false
	case l.Protocol != "tcp" && l.Protocol != "udp":
		return l.From == r.From && l.To == r.To
	case l.From == -1 || (l.From <= 0 && l.To >= 65535):
		return true
	case r.From == -1:
		return false
	}
	return l.From <= r.From && r.To <= l.To
}

// family is "4" or "6" for a canonical world-open source, else the source.
func family(source string) string {
	if p, err := netip.ParsePrefix(source); err == nil {
		if p.Addr().Is4() {
			return "4"
		}
		return "6"
	}
	return source
}

// canonicalSource is the rule's source as a line spells it: the CIDR with
// host bits masked (203.0.113.9/0 is 0.0.0.0/0), else the prefix list or
// group.
func canonicalSource(r finding.Rule) string {
	if r.CIDR != "" {
		if p, err := netip.ParsePrefix(strings.TrimSpace(r.CIDR)); err == nil {
			return p.Masked().String()
		}
		return r.CIDR
	}
	return cmp.Or(r.PrefixListID, r.GroupID, "?")
}

// clip cuts s to at most MaxTextBytes on a character boundary.
func clip(s string) string {
	if len(s) <= MaxTextBytes {
		return s
	}
	cut := MaxTextBytes - len("...")
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "..."
}

// name is how a line's text names a resource id: the id, cut when long.
func name(id string) string {
	if len(id) > 120 {
		cut := 117
		for cut > 0 && !utf8.RuneStart(id[cut]) {
			cut--
		}
		return id[:cut] + "..."
	}
	return id
}
