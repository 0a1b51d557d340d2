package main

import (
	"fmt"
	"strings"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// The functions below turn what the adapters found into the targets whose
// paths finding.Network.Reach judges.

// interfaceTarget is a network interface behind groups (its own, or the
// one group whose change is judged).
func interfaceTarget(n NetworkInterface, groups []string) finding.Target {
	t := finding.Target{ID: n.ID, VPCID: n.VPCID, Subnets: []string{n.SubnetID}, SecurityGroups: groups, IPv6: n.IPv6,
		IPv4Line: n.ID + " has no public IPv4 address"}
	if n.InstanceID != "" && n.InstanceID != n.ID {
		t.ID = n.InstanceID + " (" + n.ID + ")"
		t.IPv4Line = t.ID + " has no public IPv4 address"
	}
	if len(n.PublicIPv4) > 0 {
		t.IPv4, t.PublicIPv4 = true, n.PublicIPv4
		t.IPv4Line = fmt.Sprintf("%s has public IPv4 %s", t.ID, strings.Join(n.PublicIPv4, ", "))
	}
	return t
}

// judgeable reports whether an interface's subnet is known: without it no
// path can be judged.
func judgeable(n NetworkInterface) bool { return n.SubnetID != "" }

// loadBalancerTarget is a load balancer's nodes behind groups: reachable
// over IPv4 when internet-facing (unless dualstack without public IPv4),
// over IPv6 when dualstack, only on its listeners.
func loadBalancerTarget(lb LoadBalancer, groups []string) finding.Target {
	name := lb.Name
	t := finding.Target{ID: name, VPCID: lb.VPCID, Subnets: lb.Subnets, SecurityGroups: groups, Ungrouped: len(groups) == 0,
		Listeners: lb.Listeners, IPv4Line: name + " is internal"}
	if t.Listeners == nil {
		t.Listeners = []finding.Listener{}
	}
	if lb.Scheme == finding.SchemeInternetFacing {
		t.IPv4Line = name + " is internet-facing"
		t.IPv4 = lb.IPAddressType != "dualstack-without-public-ipv4"
		if strings.HasPrefix(lb.IPAddressType, "dualstack") {
			t.IPv6 = []string{"(dualstack: its nodes' addresses)"}
		}
	}
	return t
}

// databaseTarget is a database's endpoint: reachable over IPv4 when
// publicly accessible, only on its port, from any subnet of its subnet
// group (it may fail over to any).
func databaseTarget(db Database, public bool) finding.Target {
	t := finding.Target{ID: db.ID, VPCID: db.VPCID, Subnets: db.Subnets, SecurityGroups: db.SecurityGroups,
		Listeners: []finding.Listener{{Protocol: "TCP", Port: db.Port}}, IPv4Line: db.ID + " is not publicly accessible"}
	if public {
		t.IPv4 = true
		t.IPv4Line = fmt.Sprintf("%s is publicly accessible (endpoint %s)", db.ID, endpoint(db))
	}
	return t
}

func endpoint(db Database) string {
	if db.Address == "" {
		return ""
	}
	return fmt.Sprintf("%s:%d", db.Address, db.Port)
}

// descriptionName is how a load balancer's interfaces name it in their
// description: "app/NAME/ID" (from a v2 ARN) or a classic name.
func descriptionName(lb LoadBalancer) string {
	if i := strings.Index(lb.ID, ":loadbalancer/"); i >= 0 && isV2ARN(lb.ID) {
		return lb.ID[i+len(":loadbalancer/"):]
	}
	return lb.Name
}

// loadBalancerID is what to look a load balancer up by from an interface's
// description name: a v2 load balancer's ARN in f's account and region, or
// a classic name.
func loadBalancerID(f *finding.Finding, name string) string {
	for _, kind := range []string{"app/", "net/", "gwy/"} {
		if strings.HasPrefix(name, kind) {
			return "arn:" + partitionOf(f.Region) + ":elasticloadbalancing:" + f.Region + ":" + f.Account + ":loadbalancer/" + name
		}
	}
	return name
}
