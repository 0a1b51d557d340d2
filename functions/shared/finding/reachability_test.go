package finding_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// net is a VPC with a public subnet (subnet-pub, rtb-pub: 0.0.0.0/0 and
// ::/0 to igw-1), a private one on the main table (subnet-priv, rtb-main:
// local only), one behind a NAT gateway (subnet-nat), one whose IPv6 goes
// out through an egress-only gateway (subnet-eigw) and one whose gateway
// is gone (subnet-hole). acl-open (default: all in and out) serves them
// all but subnet-deny, whose acl-deny denies tcp/22 at rule 90 before
// allowing all at 100, and subnet-noreply, whose acl-noreply lets nothing
// out.
func net(groups ...finding.SecurityGroup) finding.Network {
	n := finding.Network{
		Groups: map[string]finding.SecurityGroup{},
		RouteTables: []finding.RouteTable{
			{ID: "rtb-main", VPCID: "vpc-1", Main: true, Routes: []finding.Route{{Destination: "10.0.0.0/16", Target: "local"}}},
			{ID: "rtb-pub", VPCID: "vpc-1", Subnets: []string{"subnet-pub", "subnet-deny", "subnet-noreply"}, Routes: []finding.Route{
				{Destination: "10.0.0.0/16", Target: "local"}, {Destination: "0.0.0.0/0", Target: "igw-1"}, {Destination: "::/0", Target: "igw-1"}}},
			{ID: "rtb-nat", VPCID: "vpc-1", Subnets: []string{"subnet-nat"}, Routes: []finding.Route{{Destination: "0.0.0.0/0", Target: "nat-1"}}},
			{ID: "rtb-eigw", VPCID: "vpc-1", Subnets: []string{"subnet-eigw"}, Routes: []finding.Route{
				{Destination: "0.0.0.0/0", Target: "igw-1"}, {Destination: "::/0", Target: "eigw-1"}}},
			{ID: "rtb-hole", VPCID: "vpc-1", Subnets: []string{"subnet-hole"}, Routes: []finding.Route{{Destination: "0.0.0.0/0", Target: "igw-gone", Blackhole: true}}},
		},
		ACLs: []finding.NetworkACL{
			{ID: "acl-open", VPCID: "vpc-1", Default: true, Subnets: []string{"subnet-pub", "subnet-priv", "subnet-nat", "subnet-eigw", "subnet-hole"}, Entries: openEntries()},
			{ID: "acl-deny", VPCID: "vpc-1", Subnets: []string{"subnet-deny"}, Entries: append(openEntries(),
				finding.ACLEntry{Number: 90, Allow: false, Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0"},
				finding.ACLEntry{Number: 80, Allow: false, Protocol: "tcp", FromPort: 3389, ToPort: 3389, CIDR: "203.0.113.0/24"})},
			{ID: "acl-noreply", VPCID: "vpc-1", Subnets: []string{"subnet-noreply"}, Entries: []finding.ACLEntry{
				{Number: 100, Allow: true, Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "0.0.0.0/0"},
				{Number: 32767, Allow: false, Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "0.0.0.0/0"},
				{Number: 32767, Egress: true, Allow: false, Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "0.0.0.0/0"}}},
		},
		PrefixLists: map[string]finding.PrefixList{
			"pl-world":  {ID: "pl-world", CIDRs: []string{"0.0.0.0/0"}},
			"pl-office": {ID: "pl-office", CIDRs: []string{"198.51.100.0/24"}},
		},
	}
	for _, g := range groups {
		n.Groups[g.ID] = g
	}
	return n
}

func openEntries() []finding.ACLEntry {
	var out []finding.ACLEntry
	for _, egress := range []bool{false, true} {
		out = append(out,
			finding.ACLEntry{Number: 100, Egress: egress, Allow: true, Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "0.0.0.0/0"},
			finding.ACLEntry{Number: 101, Egress: egress, Allow: true, Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "::/0"},
			finding.ACLEntry{Number: 32767, Egress: egress, Allow: false, Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "0.0.0.0/0"},
			finding.ACLEntry{Number: 32768, Egress: egress, Allow: false, Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "::/0"})
	}
	return out
}

func tcp(from, to int, cidr, group string) finding.Rule {
	r := finding.Rule{Protocol: "tcp", FromPort: from, ToPort: to, SecurityGroupID: group}.WithCIDR(cidr)
	return r
}

func group(id string, rules ...finding.Rule) finding.SecurityGroup {
	return finding.SecurityGroup{ID: id, Ingress: rules}
}

func eni(subnet string, public bool, groups ...string) finding.Target {
	t := finding.Target{ID: "eni-1", VPCID: "vpc-1", Subnets: []string{subnet}, SecurityGroups: groups, IPv4Line: "eni-1 has no public IPv4 address"}
	if public {
		t.IPv4, t.PublicIPv4, t.IPv4Line = true, []string{"203.0.113.10"}, "eni-1 has public IPv4 203.0.113.10"
	}
	return t
}

func TestReach(t *testing.T) {
	ssh := group("sg-ssh", tcp(22, 22, "0.0.0.0/0", ""))
	web := group("sg-web", tcp(80, 80, "0.0.0.0/0", ""), tcp(443, 443, "::/0", ""))
	wide := group("sg-wide", tcp(0, 65535, "0.0.0.0/0", ""))
	pl := group("sg-pl", finding.Rule{Protocol: "tcp", FromPort: 22, ToPort: 22, PrefixListID: "pl-world"}, finding.Rule{Protocol: "tcp", FromPort: 3389, ToPort: 3389, PrefixListID: "pl-office"})
	office := group("sg-office", tcp(22, 22, "198.51.100.0/24", ""))
	tests := []struct {
		name    string
		net     finding.Network
		target  finding.Target
		want    bool
		ports   []finding.Rule
		ips     []string
		explain []string
	}{
		{
			name: "public instance, ssh open, default ACL", net: net(ssh), target: eni("subnet-pub", true, "sg-ssh"), want: true,
			ports: []finding.Rule{tcp(22, 22, "0.0.0.0/0", "sg-ssh")}, ips: []string{"203.0.113.10"},
			explain: []string{"sg-ssh allows tcp/22 from 0.0.0.0/0", "eni-1 has public IPv4 203.0.113.10", "subnet-pub routes 0.0.0.0/0 to igw-1 (rtb-pub)",
				"acl-open rule 100 allows all traffic in from 0.0.0.0/0", "acl-open rule 100 allows all traffic out to 0.0.0.0/0"},
		},
		{
			name: "private subnet: main table without a gateway", net: net(ssh), target: eni("subnet-priv", true, "sg-ssh"), want: false, ips: []string{"203.0.113.10"},
			explain: []string{"sg-ssh allows tcp/22 from 0.0.0.0/0", "eni-1 has public IPv4 203.0.113.10", "subnet-priv has no route for 0.0.0.0/0 (rtb-main, the VPC's main route table)",
				"acl-open rule 100 allows all traffic in from 0.0.0.0/0", "acl-open rule 100 allows all traffic out to 0.0.0.0/0"},
		},
		{
			name: "NAT gateway is not a way in", net: net(ssh), target: eni("subnet-nat", true, "sg-ssh"), want: false, ips: []string{"203.0.113.10"},
			explain: []string{"sg-ssh allows tcp/22 from 0.0.0.0/0", "eni-1 has public IPv4 203.0.113.10", "subnet-nat routes 0.0.0.0/0 to nat-1, not to an internet gateway (rtb-nat)",
				"acl-open rule 100 allows all traffic in from 0.0.0.0/0", "acl-open rule 100 allows all traffic out to 0.0.0.0/0"},
		},
		{
			name: "blackhole route", net: net(ssh), target: eni("subnet-hole", true, "sg-ssh"), want: false, ips: []string{"203.0.113.10"},
			explain: []string{"sg-ssh allows tcp/22 from 0.0.0.0/0", "eni-1 has public IPv4 203.0.113.10", "subnet-hole routes 0.0.0.0/0 to igw-gone, a blackhole: the target is gone (rtb-hole)",
				"acl-open rule 100 allows all traffic in from 0.0.0.0/0", "acl-open rule 100 allows all traffic out to 0.0.0.0/0"},
		},
		{
			name: "no public address", net: net(ssh), target: eni("subnet-pub", false, "sg-ssh"), want: false,
			explain: []string{"eni-1 has no public IPv4 address"},
		},
		{
			name: "no world-open rule", net: net(office), target: eni("subnet-pub", true, "sg-office"), want: false, ips: []string{"203.0.113.10"},
			explain: []string{"eni-1 has public IPv4 203.0.113.10", "no security group of eni-1 allows any port from 0.0.0.0/0"},
		},
		{
			name: "ACL deny removes the port", net: net(ssh), target: eni("subnet-deny", true, "sg-ssh"), want: false, ips: []string{"203.0.113.10"},
			explain: []string{"sg-ssh allows tcp/22 from 0.0.0.0/0", "eni-1 has public IPv4 203.0.113.10", "subnet-deny routes 0.0.0.0/0 to igw-1 (rtb-pub)",
				"acl-deny rule 90 denies tcp/22 in from 0.0.0.0/0"},
		},
		{
			name: "ACL deny cuts a wide rule around the port; a partial-source deny is passed over", net: net(wide), target: eni("subnet-deny", true, "sg-wide"), want: true,
			ports: []finding.Rule{tcp(0, 21, "0.0.0.0/0", "sg-wide"), tcp(23, 65535, "0.0.0.0/0", "sg-wide")}, ips: []string{"203.0.113.10"},
			explain: []string{"sg-wide allows tcp/0-65535 from 0.0.0.0/0", "eni-1 has public IPv4 203.0.113.10", "subnet-deny routes 0.0.0.0/0 to igw-1 (rtb-pub)",
				"acl-deny rule 90 denies tcp/22 in from 0.0.0.0/0", "acl-deny rule 100 allows all traffic in from 0.0.0.0/0", "acl-deny rule 100 allows all traffic out to 0.0.0.0/0"},
		},
		{
			name: "no reply leaves", net: net(ssh), target: eni("subnet-noreply", true, "sg-ssh"), want: false, ips: []string{"203.0.113.10"},
			explain: []string{"sg-ssh allows tcp/22 from 0.0.0.0/0", "eni-1 has public IPv4 203.0.113.10", "subnet-noreply routes 0.0.0.0/0 to igw-1 (rtb-pub)",
				"acl-noreply rule 100 allows all traffic in from 0.0.0.0/0", "acl-noreply rule * (the default) denies all traffic out to 0.0.0.0/0",
				"acl-noreply lets no reply out: nothing allows tcp/1024-65535 out to 0.0.0.0/0"},
		},
		{
			name: "prefix list holding 0.0.0.0/0 is world-open, an office list is not", net: net(pl), target: eni("subnet-pub", true, "sg-pl"), want: true,
			ports: []finding.Rule{{Protocol: "tcp", FromPort: 22, ToPort: 22, PrefixListID: "pl-world", CIDR: "0.0.0.0/0", WorldOpen: true, SecurityGroupID: "sg-pl"}}, ips: []string{"203.0.113.10"},
			explain: []string{"sg-pl allows tcp/22 from pl-world (which holds 0.0.0.0/0)", "eni-1 has public IPv4 203.0.113.10", "subnet-pub routes 0.0.0.0/0 to igw-1 (rtb-pub)",
				"acl-open rule 100 allows all traffic in from 0.0.0.0/0", "acl-open rule 100 allows all traffic out to 0.0.0.0/0"},
		},
		{
			name: "IPv6 routed to an internet gateway", net: net(web),
			target: func() finding.Target {
				t := eni("subnet-pub", false, "sg-web")
				t.IPv6 = []string{"2001:db8::10"}
				return t
			}(), want: true, ports: []finding.Rule{tcp(443, 443, "::/0", "sg-web")}, ips: []string{"2001:db8::10"},
			explain: []string{"sg-web allows tcp/443 from ::/0", "eni-1 has IPv6 2001:db8::10", "subnet-pub routes ::/0 to igw-1 (rtb-pub)",
				"acl-open rule 101 allows all traffic in from ::/0", "acl-open rule 101 allows all traffic out to ::/0"},
		},
		{
			name: "IPv6 behind an egress-only gateway is not public", net: net(web),
			target: func() finding.Target {
				t := eni("subnet-eigw", false, "sg-web")
				t.IPv6 = []string{"2001:db8::10"}
				return t
			}(), want: false,
			explain: []string{"eni-1 has no public IPv4 address", "sg-web allows tcp/443 from ::/0", "eni-1 has IPv6 2001:db8::10",
				"subnet-eigw routes ::/0 to eigw-1, not to an internet gateway (rtb-eigw)", "acl-open rule 101 allows all traffic in from ::/0", "acl-open rule 101 allows all traffic out to ::/0"},
		},
		{
			name: "load balancer: only its listeners", net: net(group("sg-lb", tcp(22, 22, "0.0.0.0/0", ""), tcp(80, 80, "0.0.0.0/0", ""))),
			target: finding.Target{ID: "web", VPCID: "vpc-1", Subnets: []string{"subnet-priv", "subnet-pub"}, IPv4: true, IPv4Line: "web is internet-facing",
				SecurityGroups: []string{"sg-lb"}, Listeners: []finding.Listener{{Protocol: "HTTP", Port: 80}}},
			want: true, ports: []finding.Rule{tcp(80, 80, "0.0.0.0/0", "sg-lb")},
			explain: []string{"sg-lb allows tcp/80 from 0.0.0.0/0", "web is internet-facing", "subnet-pub routes 0.0.0.0/0 to igw-1 (rtb-pub)",
				"acl-open rule 100 allows all traffic in from 0.0.0.0/0", "acl-open rule 100 allows all traffic out to 0.0.0.0/0"},
		},
		{
			name: "network load balancer without groups", net: net(),
			target: finding.Target{ID: "nlb", VPCID: "vpc-1", Subnets: []string{"subnet-pub"}, IPv4: true, IPv4Line: "nlb is internet-facing", Ungrouped: true,
				Listeners: []finding.Listener{{Protocol: "TCP", Port: 22}}},
			want: true, ports: []finding.Rule{{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true}},
			explain: []string{"nlb has no security group: tcp/22 is open to 0.0.0.0/0", "nlb is internet-facing", "subnet-pub routes 0.0.0.0/0 to igw-1 (rtb-pub)",
				"acl-open rule 100 allows all traffic in from 0.0.0.0/0", "acl-open rule 100 allows all traffic out to 0.0.0.0/0"},
		},
		{
			name: "unknown ACL is not checked", net: func() finding.Network { n := net(ssh); n.ACLs = nil; return n }(), target: eni("subnet-pub", true, "sg-ssh"), want: true,
			ports: []finding.Rule{tcp(22, 22, "0.0.0.0/0", "sg-ssh")}, ips: []string{"203.0.113.10"},
			explain: []string{"sg-ssh allows tcp/22 from 0.0.0.0/0", "eni-1 has public IPv4 203.0.113.10", "subnet-pub routes 0.0.0.0/0 to igw-1 (rtb-pub)",
				"no network ACL found for subnet-pub: not checked"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.net.Reach(tc.target)
			if got.Reachable != tc.want {
				t.Errorf("reachable %v, want %v", got.Reachable, tc.want)
			}
			if diff := cmp.Diff(tc.ports, got.Ports); diff != "" {
				t.Errorf("ports (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.ips, got.PublicIPs); diff != "" {
				t.Errorf("public IPs (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.explain, got.Explanation); diff != "" {
				t.Errorf("explanation (-want +got):\n%s", diff)
			}
		})
	}
}

func TestResolvePrefixLists(t *testing.T) {
	lists := map[string]finding.PrefixList{"pl-world": {CIDRs: []string{"10.0.0.0/8", "0.0.0.0/0", "::/0"}}}
	rules := []finding.Rule{{Protocol: "tcp", FromPort: 22, ToPort: 22, PrefixListID: "pl-world"}, {Protocol: "tcp", FromPort: 80, ToPort: 80, PrefixListID: "pl-unknown"}}
	want := []finding.Rule{
		{Protocol: "tcp", FromPort: 22, ToPort: 22, PrefixListID: "pl-world", CIDR: "0.0.0.0/0", WorldOpen: true},
		{Protocol: "tcp", FromPort: 22, ToPort: 22, PrefixListID: "pl-world", CIDR: "::/0", WorldOpen: true},
		{Protocol: "tcp", FromPort: 80, ToPort: 80, PrefixListID: "pl-unknown"},
	}
	if diff := cmp.Diff(want, finding.ResolvePrefixLists(rules, lists)); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
