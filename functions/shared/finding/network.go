package finding

import (
	"net/netip"
	"slices"
	"strings"
)

// The value types below are the network as the EC2 API describes it, the
// facts a packet's path from the internet depends on. enrich's adapters
// fill them; Network.Reach judges a path from them.

// RouteTable is a VPC route table.
type RouteTable struct {
	ID    string
	VPCID string
	// Main is true for the VPC's main route table: the table of every
	// subnet without an explicit association.
	Main bool
	// Subnets are the subnets explicitly associated with the table.
	Subnets []string
	// Associations are the table's association ids (rtbassoc-...), the
	// main association's included.
	Associations map[string]string // association id -> subnet id ("" for the main association)
	Routes       []Route
	Tags         map[string]string
}

// Route is one route of a route table.
type Route struct {
	// Destination is an IPv4 or IPv6 CIDR, or a prefix list id.
	Destination string
	// Target is the gateway, NAT gateway, egress-only gateway, interface,
	// peering connection, ... the route sends to: "igw-...", "nat-...",
	// "eigw-...", "local", ...
	Target string
	// Blackhole is true when the target is gone (a detached gateway, a
	// deleted NAT gateway): the route drops traffic.
	Blackhole bool
}

// NetworkACL is a VPC network ACL.
type NetworkACL struct {
	ID    string
	VPCID string
	// Default is true for the VPC's default ACL.
	Default bool
	// Subnets are the subnets associated with the ACL; every subnet has
	// exactly one.
	Subnets []string
	Entries []ACLEntry
	Tags    map[string]string
}

// ACLEntry is one rule of a network ACL.
type ACLEntry struct {
	// Number orders the entries: the lowest matching number decides.
	// 32767 (and 32768 for IPv6) is the default deny, "*".
	Number int
	Egress bool
	Allow  bool
	// Protocol as NormalizeProtocol spells it ("tcp", "udp", "icmp",
	// "-1", or a number).
	Protocol string
	// FromPort and ToPort bound a tcp or udp entry; -1 for all ports.
	FromPort, ToPort int
	// CIDR is the entry's IPv4 or IPv6 block.
	CIDR string
}

// PrefixList is a managed prefix list and its entries.
type PrefixList struct {
	ID    string
	CIDRs []string
}

// tableOf returns the route table of a subnet in vpc: its explicit
// association, else the VPC's main table. ok is false when neither is
// known.
func tableOf(tables []RouteTable, subnet, vpc string) (RouteTable, bool) {
	for _, t := range tables {
		if slices.Contains(t.Subnets, subnet) {
			return t, true
		}
	}
	for _, t := range tables {
		if t.Main && t.VPCID == vpc {
			return t, true
		}
	}
	return RouteTable{}, false
}

// aclOf returns the network ACL associated with subnet.
func aclOf(acls []NetworkACL, subnet string) (NetworkACL, bool) {
	for _, a := range acls {
		if slices.Contains(a.Subnets, subnet) {
			return a, true
		}
	}
	return NetworkACL{}, false
}

// family is an IP address family: "IPv4" or "IPv6".
type family string

const (
	ipv4 family = "IPv4"
	ipv6 family = "IPv6"
)

// world is the family's whole internet as a CIDR.
func (f family) world() string {
	if f == ipv6 {
		return "::/0"
	}
	return "0.0.0.0/0"
}

// familyOf returns the family of a CIDR, and false for anything else.
func familyOf(cidr string) (family, bool) {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return "", false
	}
	if p.Addr().Is4() {
		return ipv4, true
	}
	return ipv6, true
}

// worldRoute returns the route of t for the family's whole internet (a
// destination of prefix length 0).
func (t RouteTable) worldRoute(f family) (Route, bool) {
	for _, r := range t.Routes {
		if fam, ok := familyOf(r.Destination); ok && fam == f && WorldOpen(r.Destination) {
			return r, true
		}
	}
	return Route{}, false
}

// isInternetGateway reports whether a route target is an internet gateway
// (not an egress-only one, a NAT gateway or anything else).
func isInternetGateway(target string) bool { return strings.HasPrefix(target, "igw-") }

// RouteTableOf returns the route table of a subnet in vpc: its explicit
// association, else the VPC's main table; false when neither is known.
func (n Network) RouteTableOf(subnet, vpc string) (RouteTable, bool) {
	return tableOf(n.RouteTables, subnet, vpc)
}

// SubnetRoute says whether subnet (in vpc) routes the whole IPv4 internet
// (or, with v6, the IPv6 one) to an internet gateway, and the line that
// explains it.
func (n Network) SubnetRoute(subnet, vpc string, v6 bool) (bool, string) {
	f := ipv4
	if v6 {
		f = ipv6
	}
	table, ok := tableOf(n.RouteTables, subnet, vpc)
	if !ok {
		return false, "no route table found for " + subnet
	}
	var lines []string
	routed := routeLine(&lines, table, subnet, f)
	return routed, lines[0]
}

// WorldRoutes renders the routes of t for a whole internet: "rtb-1 routes
// 0.0.0.0/0 to igw-1"; nil when it has none.
func (t RouteTable) WorldRoutes() []string {
	var out []string
	for _, f := range []family{ipv4, ipv6} {
		if r, ok := t.worldRoute(f); ok {
			line := t.ID + " routes " + f.world() + " to " + r.Target
			if r.Blackhole {
				line += " (a blackhole: the target is gone)"
			}
			out = append(out, line)
		}
	}
	return out
}
