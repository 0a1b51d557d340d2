package finding

import (
	"cmp"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Network is the part of an account's network enrich looked up for one
// event: the security groups, route tables, network ACLs and managed
// prefix lists a path from the internet crosses.
type Network struct {
	Groups      map[string]SecurityGroup
	RouteTables []RouteTable
	ACLs        []NetworkACL
	PrefixLists map[string]PrefixList
}

// Target is something the internet may reach: a network interface, a load
// balancer's nodes, a database's endpoint.
type Target struct {
	// ID names the target in the explanation.
	ID    string
	VPCID string
	// Subnets are where it lives. A target in several (a load balancer's
	// nodes, a database that may fail over to any subnet of its group) is
	// reachable when a path through any one of them is.
	Subnets []string
	// IPv4 is true when the internet can address it over IPv4 (a public
	// IPv4 address, an internet-facing load balancer, a publicly accessible
	// database); IPv4Line says so, or why not, for the explanation.
	IPv4     bool
	IPv4Line string
	// PublicIPv4 are its public IPv4 addresses, when the API lists them.
	PublicIPv4 []string
	// IPv6 are its global IPv6 addresses: public only in a subnet that
	// routes ::/0 to an internet gateway.
	IPv6 []string
	// SecurityGroups filter what reaches it; Ungrouped means none does (a
	// network load balancer created without groups).
	SecurityGroups []string
	Ungrouped      bool
	// Listeners, when not nil, are the only ports it accepts (a load
	// balancer's listeners, a database's port), whatever its groups admit.
	Listeners []Listener
}

// Path is the verdict on a Target.
type Path struct {
	// Reachable is true when every condition of a path from the internet
	// holds for at least one port.
	Reachable bool
	// Ports are the world-open ingress rules the whole path admits, cut to
	// the ports the network ACL lets in (and to the listeners).
	Ports []Rule
	// PublicIPs are the addresses the internet reaches it by: its public
	// IPv4 addresses, and its IPv6 addresses in a subnet routing ::/0 to an
	// internet gateway.
	PublicIPs []string
	// Explanation says why, one line per condition: of the first path that
	// holds, or of the first that fails.
	Explanation []string
}

// ephemeral are the client ports replies go to: the network ACL must let
// them out.
var ephemeral = ports{{1024, maxPort}}

// maxExplanation bounds the lines of one explanation.
const maxExplanation = 16

// Reach judges whether the internet reaches t, port by port, as AWS routes
// a packet: a security group rule admits the port from the whole internet
// (a CIDR of prefix length 0, or a managed prefix list holding one); t has
// an address of that family (a public IPv4, or an IPv6 address in a subnet
// that routes ::/0 to an internet gateway); its subnet's route table, or
// the VPC's main one, sends that family's whole internet to an internet
// gateway (not a NAT gateway, not an egress-only gateway, not a blackhole
// route); and the subnet's network ACL, entries in number order, admits
// the port from the whole internet and lets replies out to the ephemeral
// ports 1024-65535. ACL entries for part of the internet neither admit nor
// stop the whole of it and are passed over. A subnet without a known route
// table is not routed; one without a known ACL is taken as admitting.
func (n Network) Reach(t Target) Path {
	rules := n.worldRules(t)
	var p Path
	// failed is the first failing path of each family.
	failed := map[family][]string{}
	if t.IPv4 {
		p.PublicIPs = append(p.PublicIPs, t.PublicIPv4...)
	}
	families := []family{ipv4, ipv6}
	for _, f := range families {
		if f == ipv4 && !t.IPv4 {
			failed[f] = []string{t.IPv4Line}
			continue
		}
		if f == ipv6 && len(t.IPv6) == 0 {
			continue
		}
		fr := rulesOf(rules, f)
		if len(fr) == 0 {
			failed[f] = []string{t.IPv4LineFor(f), noRuleLine(t, f)}
			continue
		}
		for _, subnet := range t.Subnets {
			hop := n.hop(t, subnet, f, fr)
			if f == ipv6 && hop.routed {
				p.PublicIPs = appendAll(p.PublicIPs, t.IPv6)
			}
			if !hop.ok() {
				failed[f] = appendFirst(failed[f], slices.Concat(ruleLines(t.ID, fr), []string{t.IPv4LineFor(f)}, hop.lines)...)
				continue
			}
			if !p.Reachable {
				p.Explanation = slices.Concat(ruleLines(t.ID, hop.sources), []string{t.IPv4LineFor(f)}, hop.lines)
			}
			p.Reachable = true
			p.Ports = appendRules(p.Ports, hop.ports)
		}
	}
	if !p.Reachable {
		p.Explanation = slices.Concat(failed[ipv4], failed[ipv6])
	}
	p.Explanation = compactLines(p.Explanation)
	return p
}

// IPv4LineFor is the line saying how t is addressed over family f.
func (t Target) IPv4LineFor(f family) string {
	if f == ipv6 {
		return fmt.Sprintf("%s has IPv6 %s", t.ID, strings.Join(t.IPv6, ", "))
	}
	return t.IPv4Line
}

func noRuleLine(t Target, f family) string {
	if len(t.Listeners) > 0 {
		return fmt.Sprintf("no security group of %s allows a listener port from %s", t.ID, f.world())
	}
	return fmt.Sprintf("no security group of %s allows any port from %s", t.ID, f.world())
}

// hop is one subnet's part of a path: the route and the ACL.
type hop struct {
	routed bool
	// ports are the rules the ACL admits; replies tells whether it lets
	// them out.
	ports []Rule
	// sources are the rules of fr that admitted any of ports.
	sources []Rule
	replies bool
	lines   []string
}

func (h hop) ok() bool { return h.routed && len(h.ports) > 0 && h.replies }

// hop judges subnet's route and ACL for family f and the rules fr.
func (n Network) hop(t Target, subnet string, f family, fr []Rule) hop {
	var h hop
	table, ok := tableOf(n.RouteTables, subnet, t.VPCID)
	switch {
	case !ok:
		h.lines = append(h.lines, fmt.Sprintf("no route table found for %s", subnet))
	default:
		h.routed = routeLine(&h.lines, table, subnet, f)
	}
	acl, ok := aclOf(n.ACLs, subnet)
	if !ok {
		h.lines = append(h.lines, fmt.Sprintf("no network ACL found for %s: not checked", subnet))
		h.ports, h.sources, h.replies = fr, fr, true
		return h
	}
	var deciding []ACLEntry
	for _, r := range fr {
		admitted, by := aclNarrow(acl, r, f)
		deciding = appendEntries(deciding, by)
		h.ports = appendRules(h.ports, admitted)
		if len(admitted) > 0 {
			h.sources = append(h.sources, r)
		}
	}
	for _, e := range deciding {
		h.lines = append(h.lines, entryLine(acl.ID, e))
	}
	if len(deciding) == 0 {
		h.lines = append(h.lines, fmt.Sprintf("%s has no rule for these ports from %s: its default rule denies them", acl.ID, f.world()))
	}
	if len(h.ports) == 0 {
		return h
	}
	h.replies = true
	for _, proto := range replyProtocols(h.ports) {
		want := ephemeral
		if proto != "tcp" && proto != "udp" {
			want = allPorts
		}
		admitted, by := aclAdmits(acl.Entries, true, f, proto, want)
		if len(admitted) == 0 {
			h.replies = false
			if len(by) > 0 {
				h.lines = append(h.lines, entryLine(acl.ID, by[0]))
			}
			h.lines = append(h.lines, fmt.Sprintf("%s lets no reply out: nothing allows %s out to %s", acl.ID, portText(proto, want), f.world()))
			continue
		}
		for _, e := range by {
			if e.Allow {
				h.lines = append(h.lines, entryLine(acl.ID, e))
				break
			}
		}
	}
	return h
}

// routeLine appends the line saying where subnet's table sends family f's
// whole internet and reports whether that is an internet gateway.
func routeLine(lines *[]string, table RouteTable, subnet string, f family) bool {
	which := table.ID
	if !slices.Contains(table.Subnets, subnet) {
		which = table.ID + ", the VPC's main route table"
	}
	r, ok := table.worldRoute(f)
	switch {
	case !ok:
		*lines = append(*lines, fmt.Sprintf("%s has no route for %s (%s)", subnet, f.world(), which))
	case r.Blackhole:
		*lines = append(*lines, fmt.Sprintf("%s routes %s to %s, a blackhole: the target is gone (%s)", subnet, f.world(), r.Target, which))
	case !isInternetGateway(r.Target):
		*lines = append(*lines, fmt.Sprintf("%s routes %s to %s, not to an internet gateway (%s)", subnet, f.world(), r.Target, which))
	default:
		*lines = append(*lines, fmt.Sprintf("%s routes %s to %s (%s)", subnet, f.world(), r.Target, which))
		return true
	}
	return false
}

// worldRules returns the ingress rules of t's groups that admit a whole
// internet, each with its world CIDR (a prefix list rule once per world
// CIDR it holds, keeping PrefixListID), cut to t's listeners when it has
// them. An ungrouped target admits all traffic from both.
func (n Network) worldRules(t Target) []Rule {
	var rules []Rule
	if t.Ungrouped {
		for _, f := range []family{ipv4, ipv6} {
			rules = append(rules, Rule{Protocol: protocolAll, FromPort: -1, ToPort: -1}.WithCIDR(f.world()))
		}
	}
	for _, id := range t.SecurityGroups {
		g, ok := n.Groups[id]
		if !ok {
			continue
		}
		for _, r := range g.Ingress {
			r.SecurityGroupID = g.ID
			switch {
			case r.WorldOpen:
				rules = append(rules, r)
			case r.PrefixListID != "":
				for _, cidr := range n.PrefixLists[r.PrefixListID].CIDRs {
					if WorldOpen(cidr) {
						rules = append(rules, r.WithCIDR(cidr))
					}
				}
			}
		}
	}
	if t.Listeners == nil {
		return rules
	}
	var out []Rule
	for _, l := range t.Listeners {
		for _, proto := range transport(l.Protocol) {
			for _, r := range rules {
				if admits(r, proto, l.Port) {
					through := r
					through.Protocol, through.FromPort, through.ToPort = proto, l.Port, l.Port
					out = append(out, through)
				}
			}
		}
	}
	return out
}

// ResolvePrefixLists marks the rules that reference a managed prefix list
// holding a whole internet (0.0.0.0/0 or ::/0) as world-open, one rule per
// such CIDR with PrefixListID kept: what the world-open ingress of a group
// is once its prefix lists are read.
func ResolvePrefixLists(rules []Rule, lists map[string]PrefixList) []Rule {
	var out []Rule
	for _, r := range rules {
		if r.WorldOpen || r.PrefixListID == "" {
			out = append(out, r)
			continue
		}
		open := false
		for _, cidr := range lists[r.PrefixListID].CIDRs {
			if WorldOpen(cidr) {
				out = append(out, r.WithCIDR(cidr))
				open = true
			}
		}
		if !open {
			out = append(out, r)
		}
	}
	return out
}

// rulesOf returns the rules whose source is family f's whole internet.
func rulesOf(rules []Rule, f family) []Rule {
	var out []Rule
	for _, r := range rules {
		if fam, ok := familyOf(r.CIDR); ok && fam == f && r.WorldOpen {
			out = append(out, r)
		}
	}
	return out
}

// aclNarrow returns the parts of r the ACL's inbound entries admit from
// family f's whole internet, and the entries that decided.
func aclNarrow(acl NetworkACL, r Rule, f family) ([]Rule, []ACLEntry) {
	if r.AllTraffic() {
		tcp, byTCP := aclAdmits(acl.Entries, false, f, "tcp", allPorts)
		udp, byUDP := aclAdmits(acl.Entries, false, f, "udp", allPorts)
		by := appendEntries(byTCP, byUDP)
		if tcp.all() && udp.all() {
			return []Rule{r}, by
		}
		return slices.Concat(narrowed(r, "tcp", tcp), narrowed(r, "udp", udp)), by
	}
	if r.Protocol != "tcp" && r.Protocol != "udp" {
		admitted, by := aclAdmits(acl.Entries, false, f, r.Protocol, allPorts)
		if len(admitted) == 0 {
			return nil, by
		}
		return []Rule{r}, by
	}
	admitted, by := aclAdmits(acl.Entries, false, f, r.Protocol, portsOf(r.FromPort, r.ToPort))
	return narrowed(r, r.Protocol, admitted), by
}

// narrowed returns r as protocol proto, once per span of ps.
func narrowed(r Rule, proto string, ps ports) []Rule {
	var out []Rule
	for _, s := range ps {
		n := r
		n.Protocol, n.FromPort, n.ToPort = proto, s.lo, s.hi
		if (span{0, maxPort}) == s {
			n.FromPort, n.ToPort = 0, maxPort
		}
		out = append(out, n)
	}
	return out
}

// aclAdmits walks entries in number order for traffic of proto to the
// ports want, in (egress false) or out (egress true), from or to family
// f's whole internet: each entry for that whole internet decides the ports
// still undecided that it covers. It returns the ports allowed and the
// entries that decided any; ports no entry decides are denied (the
// default rule).
func aclAdmits(entries []ACLEntry, egress bool, f family, proto string, want ports) (ports, []ACLEntry) {
	sorted := slices.Clone(entries)
	slices.SortStableFunc(sorted, func(a, b ACLEntry) int { return cmp.Compare(a.Number, b.Number) })
	undecided := want
	var admitted ports
	var by []ACLEntry
	for _, e := range sorted {
		if e.Egress != egress || !WorldOpen(e.CIDR) {
			continue
		}
		if fam, ok := familyOf(e.CIDR); !ok || fam != f {
			continue
		}
		if e.Protocol != protocolAll && e.Protocol != proto {
			continue
		}
		covered := undecided
		if e.Protocol == "tcp" || e.Protocol == "udp" {
			covered = undecided.intersect(portsOf(e.FromPort, e.ToPort))
		}
		if len(covered) == 0 {
			continue
		}
		by = append(by, e)
		if e.Allow {
			admitted = admitted.union(covered)
		}
		undecided = undecided.minus(covered)
		if len(undecided) == 0 {
			break
		}
	}
	return admitted, by
}

// replyProtocols are the protocols whose replies must leave: tcp for an
// all-traffic rule, else each rule's own.
func replyProtocols(rules []Rule) []string {
	var out []string
	for _, r := range rules {
		proto := r.Protocol
		if r.AllTraffic() {
			proto = "tcp"
		}
		out = appendUnique(out, proto)
	}
	return out
}

// entryLine renders an ACL entry: "acl-1 rule 100 allows tcp/0-65535 in
// from 0.0.0.0/0".
func entryLine(acl string, e ACLEntry) string {
	verb, dir, prep := "denies", "in", "from"
	if e.Allow {
		verb = "allows"
	}
	if e.Egress {
		dir, prep = "out", "to"
	}
	number := strconv.Itoa(e.Number)
	if e.Number >= 32767 {
		number = "* (the default)"
	}
	return fmt.Sprintf("%s rule %s %s %s %s %s %s", acl, number, verb, portText(e.Protocol, portsOf(e.FromPort, e.ToPort)), dir, prep, e.CIDR)
}

// ruleLines renders each rule as its group's line: "sg-1 allows tcp/22
// from 0.0.0.0/0"; a rule of no group (target id, ungrouped) says the
// target has none.
func ruleLines(id string, rules []Rule) []string {
	var out []string
	for _, r := range rules {
		from := r.CIDR
		if r.PrefixListID != "" {
			from = r.PrefixListID + " (which holds " + r.CIDR + ")"
		}
		what := portText(r.Protocol, portsOf(r.FromPort, r.ToPort))
		if r.SecurityGroupID == "" {
			out = append(out, fmt.Sprintf("%s has no security group: %s is open to %s", id, what, from))
			continue
		}
		out = append(out, fmt.Sprintf("%s allows %s from %s", r.SecurityGroupID, what, from))
	}
	return out
}

// portText renders a protocol and ports: "tcp/22", "tcp/1024-65535",
// "all traffic", "icmp", "protocol 50".
func portText(proto string, ps ports) string {
	switch proto {
	case protocolAll:
		return "all traffic"
	case "tcp", "udp":
		var spans []string
		for _, s := range ps {
			if s.lo == s.hi {
				spans = append(spans, strconv.Itoa(s.lo))
			} else {
				spans = append(spans, strconv.Itoa(s.lo)+"-"+strconv.Itoa(s.hi))
			}
		}
		return proto + "/" + strings.Join(spans, ",")
	case "icmp", "icmpv6":
		return proto
	}
	return "protocol " + proto
}

// appendRules appends the rules of add not already in rules.
func appendRules(rules []Rule, add []Rule) []Rule {
	for _, r := range add {
		if !slices.Contains(rules, r) {
			rules = append(rules, r)
		}
	}
	return rules
}

// appendEntries appends the entries of add not already in entries.
func appendEntries(entries []ACLEntry, add []ACLEntry) []ACLEntry {
	for _, e := range add {
		if !slices.ContainsFunc(entries, func(x ACLEntry) bool { return x.Number == e.Number && x.Egress == e.Egress }) {
			entries = append(entries, e)
		}
	}
	return entries
}

// appendAll appends the values of add not already in s.
func appendAll(s []string, add []string) []string {
	for _, v := range add {
		s = appendUnique(s, v)
	}
	return s
}

// appendFirst appends lines to an explanation only while it is empty: a
// failed verdict explains its first failing path.
func appendFirst(expl []string, lines ...string) []string {
	if len(expl) > 0 {
		return expl
	}
	return lines
}

// compactLines drops empty and repeated lines and keeps at most
// maxExplanation.
func compactLines(lines []string) []string {
	var out []string
	for _, l := range lines {
		if l != "" && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	if len(out) > maxExplanation {
		out = append(out[:maxExplanation-1], fmt.Sprintf("... and %d more", len(out)-maxExplanation+1))
	}
	return out
}
