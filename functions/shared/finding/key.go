package finding

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/netip"
	"slices"
	"strings"
)

// AlertKey returns what makes two findings the same alert, as the lowercase
// hex SHA-256 (64 characters) of a canonical encoding of:
//
//   - the account and the region;
//
//   - the resources, as type and id, sorted and de-duplicated (Name and the
//     live facts are not part of a resource's identity);
//
//   - the exposure signature. When f.Enriched it is read from the resources'
//     live facts: the OpenIngress rules of all resources that are WorldOpen,
//     and their PublicIPs. Otherwise it is read from f.Requested: the
//     IngressRules that are WorldOpen, PublicIPs, the PublicIP flag and the
//     Scheme. Rules are compared by protocol, port range and source (CIDR,
//     prefix list or group), never by the security group they belong to, and
//     are sorted and de-duplicated; so are public IPs.
//
//   - whether the call failed (an attempt is never the same alert as the
//     exposure it attempted), what the call made public (PublicAccess), who
//     it shared with (SharedWith) and the public grants (Grants);
//
//   - for failed calls, data events and defense evasion, which have no
//     exposure to compare, the event source and name.
//
// Otherwise the key never depends on the event id, event name, time, actor, summary,
// severity or on the order of any slice, so the same exposure reported by two
// events has the same key. Protocols are compared case-insensitively with the
// numbers of tcp, udp, icmp and icmpv6 taken as their names, the ports of an
// all-traffic rule ("-1") are ignored, and IPs and CIDRs are compared in
// their canonical text form (CIDRs with host bits masked).
//
// Keys are stored by dedupe: changing what goes into them makes every alert
// in a live window new again, so the encoding is versioned. f must not be nil.
func AlertKey(f *Finding) string {
	k := alertKey{
		Version:   2,
		Account:   f.Account,
		Region:    f.Region,
		Resources: []keyResource{},
		Rules:     []keyRule{},
		PublicIPs: []string{},
	}
	for _, r := range f.Resources {
		k.Resources = append(k.Resources, keyResource{Type: string(r.Type), ID: r.ID})
	}
	if f.Enriched {
		for _, r := range f.Resources {
			for _, rule := range r.OpenIngress {
				if rule.WorldOpen {
					k.Rules = append(k.Rules, newKeyRule(rule))
				}
			}
			for _, ip := range r.PublicIPs {
				k.PublicIPs = append(k.PublicIPs, canonicalIP(ip))
			}
		}
	}
	if !f.Enriched || Missing(f) {
		for _, rule := range f.Requested.IngressRules {
			if rule.WorldOpen {
				k.Rules = append(k.Rules, newKeyRule(rule))
			}
		}
		for _, ip := range f.Requested.PublicIPs {
			k.PublicIPs = append(k.PublicIPs, canonicalIP(ip))
		}
		k.PublicIP = f.Requested.PublicIP
		k.Scheme = strings.ToLower(f.Requested.Scheme)
	}

	// A refused attempt is not the exposure it attempted; events that
	// expose nothing are told apart by what they did.
	k.Attempt = f.Failed()
	if k.Attempt || f.Category == CategoryDefenseEvasion || f.Category == CategoryData {
		k.Kind = f.EventSource + " " + f.EventName
	}
	k.PublicAccess = f.Requested.PublicAccess
	k.SharedWith = sortedUnique(f.Requested.SharedWith)
	k.Grants = sortedUnique(f.Requested.Grants)

	slices.SortFunc(k.Resources, func(a, b keyResource) int {
		return cmp.Or(cmp.Compare(a.Type, b.Type), cmp.Compare(a.ID, b.ID))
	})
	k.Resources = slices.Compact(k.Resources)
	slices.SortFunc(k.Rules, keyRule.compare)
	k.Rules = slices.Compact(k.Rules)
	slices.Sort(k.PublicIPs)
	k.PublicIPs = slices.Compact(k.PublicIPs)

	// Marshalling a struct of strings, ints, bools and slices of such structs
	// cannot fail, and its output is deterministic.
	data, err := json.Marshal(k)
	if err != nil {
		panic("finding: encode alert key: " + err.Error())
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

// IsAlertKey reports whether s has the form of an AlertKey: 64 lowercase
// hex digits.
func IsAlertKey(s string) bool {
	if len(s) != 2*sha256.Size {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// alertKey is the canonical encoding hashed by AlertKey. Its JSON field
// names and Version are part of the key: change them only on purpose.
type alertKey struct {
	Version   int           `json:"v"`
	Account   string        `json:"account"`
	Region    string        `json:"region"`
	Resources []keyResource `json:"resources"`
	Rules     []keyRule     `json:"rules"`
	PublicIPs []string      `json:"publicIps"`
	PublicIP  bool          `json:"publicIp"`
	Scheme    string        `json:"scheme"`
	// Since version 2.
	Attempt      bool     `json:"attempt,omitempty"`
	Kind         string   `json:"kind,omitempty"`
	PublicAccess bool     `json:"publicAccess,omitempty"`
	SharedWith   []string `json:"sharedWith,omitempty"`
	Grants       []string `json:"grants,omitempty"`
}

type keyResource struct {
	Type string `json:"type"`
	ID   string `json:"id"`
}

type keyRule struct {
	Protocol     string `json:"protocol"`
	FromPort     int    `json:"from"`
	ToPort       int    `json:"to"`
	CIDR         string `json:"cidr,omitempty"`
	PrefixListID string `json:"prefixList,omitempty"`
	GroupID      string `json:"group,omitempty"`
}

func newKeyRule(r Rule) keyRule {
	k := keyRule{
		Protocol:     NormalizeProtocol(r.Protocol),
		FromPort:     r.FromPort,
		ToPort:       r.ToPort,
		CIDR:         canonicalPrefix(r.CIDR),
		PrefixListID: r.PrefixListID,
		GroupID:      r.GroupID,
	}
	if k.Protocol == protocolAll {
		// All traffic: EC2 ignores the ports, and events carry them
		// inconsistently (absent, -1, or 0-65535).
		k.FromPort, k.ToPort = -1, -1
	}
	return k
}

func (a keyRule) compare(b keyRule) int {
	return cmp.Or(
		cmp.Compare(a.Protocol, b.Protocol),
		cmp.Compare(a.FromPort, b.FromPort),
		cmp.Compare(a.ToPort, b.ToPort),
		cmp.Compare(a.CIDR, b.CIDR),
		cmp.Compare(a.PrefixListID, b.PrefixListID),
		cmp.Compare(a.GroupID, b.GroupID),
	)
}

// canonicalIP returns the canonical text form of ip, or ip itself when it is
// not an IP address.
func canonicalIP(ip string) string {
	if a, err := netip.ParseAddr(strings.TrimSpace(ip)); err == nil {
		return a.String()
	}
	return ip
}

// canonicalPrefix returns the canonical text form of cidr, host bits masked
// (10.0.0.0/0 is 0.0.0.0/0), or cidr itself when it is not a CIDR.
func canonicalPrefix(cidr string) string {
	if cidr == "" {
		return ""
	}
	if p, err := netip.ParsePrefix(strings.TrimSpace(cidr)); err == nil {
		return p.Masked().String()
	}
	return cidr
}
