package finding

import (
	"cmp"
	"encoding/json"
	"fmt"
	"net/netip"
	"strconv"
	"strings"
)

// Rule is one ingress permission from one source.
type Rule struct {
	// Protocol is "tcp", "udp", "icmp", "icmpv6", a protocol number, or "-1"
	// for all traffic.
	Protocol string `json:"protocol"`
	// FromPort and ToPort bound the port range; both are -1 for all ports.
	// For ICMP they are type and code.
	FromPort int `json:"fromPort"`
	ToPort   int `json:"toPort"`
	// Exactly one source is set.
	CIDR         string `json:"cidr,omitempty"`
	PrefixListID string `json:"prefixListId,omitempty"`
	GroupID      string `json:"groupId,omitempty"`
	// WorldOpen is true for a CIDR source with prefix length 0.
	WorldOpen bool `json:"worldOpen"`
	// GroupID of the security group the rule belongs to, when known.
	SecurityGroupID string `json:"securityGroupId,omitempty"`
	// Entry is the rule number of a network ACL entry; 0 for a security
	// group rule.
	Entry int `json:"entry,omitempty"`
}

// protocolAll is how EC2 spells "every protocol".
const protocolAll = "-1"

// AdminPorts are ports whose exposure to the world is high severity on a
// reachable resource: remote administration, and databases and caches that
// should never face the internet.
var AdminPorts = []int{20, 21, 22, 23, 135, 139, 445, 1433, 1521, 2375, 2376, 3306, 3389, 5432, 5900, 5984, 6379, 6443, 9200, 9300, 11211, 27017}

// AllTraffic reports whether r admits every protocol.
func (r Rule) AllTraffic() bool { return r.Protocol == protocolAll }

// AllPorts reports whether r's port range is every port: FromPort -1 (EC2's
// "all ports"), or a range from 0 (or less) to 65535 (or more). It is the
// one definition Covers, String and the alert's wording use.
func (r Rule) AllPorts() bool {
	return r.FromPort == -1 || (r.FromPort <= 0 && r.ToPort >= 65535)
}

// Covers reports whether r admits TCP or UDP traffic to port p.
func (r Rule) Covers(p int) bool {
	switch r.Protocol {
	case protocolAll:
		return true
	case "tcp", "udp":
		return r.AllPorts() || (r.FromPort <= p && p <= r.ToPort)
	}
	return false
}

// CoversAdminPort reports whether r admits any of AdminPorts.
func (r Rule) CoversAdminPort() bool {
	for _, p := range AdminPorts {
		if r.Covers(p) {
			return true
		}
	}
	return false
}

// String renders r for people: "tcp 22 from 0.0.0.0/0", "all traffic from
// ::/0", "udp 1000-2000 from pl-123", "icmp from 10.0.0.0/8".
func (r Rule) String() string {
	var b strings.Builder
	switch {
	case r.AllTraffic():
		b.WriteString("all traffic")
	case r.Protocol == "tcp" || r.Protocol == "udp":
		b.WriteString(r.Protocol)
		b.WriteByte(' ')
		switch {
		case r.AllPorts():
			b.WriteString("all ports")
		case r.FromPort == r.ToPort:
			b.WriteString(strconv.Itoa(r.FromPort))
		default:
			b.WriteString(strconv.Itoa(r.FromPort) + "-" + strconv.Itoa(r.ToPort))
		}
	default:
		b.WriteString("protocol " + r.Protocol)
	}
	b.WriteString(" from ")
	b.WriteString(cmp.Or(r.CIDR, r.PrefixListID, r.GroupID, "?"))
	return b.String()
}

// WithCIDR returns r with cidr as its source and WorldOpen set from it.
func (r Rule) WithCIDR(cidr string) Rule {
	r.CIDR = cidr
	r.WorldOpen = WorldOpen(cidr)
	return r
}

// WorldOpen reports whether cidr admits the whole internet: an IPv4 or IPv6
// prefix of length 0, however it is spelled (0.0.0.0/0, ::/0, 10.0.0.0/0).
func WorldOpen(cidr string) bool {
	p, err := netip.ParsePrefix(cidr)
	return err == nil && p.Bits() == 0
}

// NormalizeProtocol spells an IP protocol as EC2 answers it: lower-case
// names for tcp, udp, icmp and icmpv6 (also when given by number), "-1" for
// all traffic (also when given as "all" or empty), other numbers as given.
func NormalizeProtocol(p string) string {
	p = strings.ToLower(strings.TrimSpace(p))
	switch p {
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "1":
		return "icmp"
	case "58":
		return "icmpv6"
	case "", "all":
		return protocolAll
	}
	return p
}

// ruleBase is a rule of protocol and port range, without a source, as a
// CloudTrail request gives them: the protocol normalized, an absent port -1,
// and the ports of all traffic -1. A port that is not a number from -1 to
// 65535 is a *MalformedEventError.
func ruleBase(protocol string, from, to *json.Number, groupID string) (Rule, error) {
	fromPort, err := port(from)
	if err != nil {
		return Rule{}, err
	}
	toPort, err := port(to)
	if err != nil {
		return Rule{}, err
	}
	proto := NormalizeProtocol(protocol)
	if proto == protocolAll {
		fromPort, toPort = -1, -1
	}
	return Rule{Protocol: proto, FromPort: fromPort, ToPort: toPort, SecurityGroupID: groupID}, nil
}

func port(n *json.Number) (int, error) {
	if n == nil {
		return -1, nil
	}
	v, err := strconv.Atoi(n.String())
	if err != nil || v < -1 || v > 65535 {
		return 0, &MalformedEventError{Reason: fmt.Sprintf("port %q out of range", n.String())}
	}
	return v, nil
}

func anyWorldOpen(rules []Rule) bool {
	for _, r := range rules {
		if r.WorldOpen {
			return true
		}
	}
	return false
}

// sameRule compares protocol, ports (ignored for all traffic) and source.
func sameRule(a, b Rule) bool {
	if NormalizeProtocol(a.Protocol) != NormalizeProtocol(b.Protocol) {
		return false
	}
	if !a.AllTraffic() && (a.FromPort != b.FromPort || a.ToPort != b.ToPort) {
		return false
	}
	return sameCIDR(a.CIDR, b.CIDR) && a.PrefixListID == b.PrefixListID && a.GroupID == b.GroupID
}

func sameCIDR(a, b string) bool {
	pa, errA := netip.ParsePrefix(a)
	pb, errB := netip.ParsePrefix(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return pa.Masked() == pb.Masked()
}
