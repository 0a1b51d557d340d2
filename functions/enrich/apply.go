package main

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// apply sets r's live facts and enrich's verdict from w. The security
// groups f's call named judge a load balancer that was not found; trusted
// judges shares.
func (w *facts) apply(r *finding.Resource, f *finding.Finding, trusted finding.Trusted) {
	switch r.Type {
	case finding.TypeInstance:
		in, ok := w.insts[r.ID]
		r.Found = &ok
		r.SecurityGroups, r.PublicIPs, r.Tags = in.SecurityGroups, in.PublicIPs, finding.PeopleTags(in.Tags)
		r.OpenIngress = w.openIn(in.SecurityGroups)
		w.setInterfacesPath(r, in.Interfaces)
	case finding.TypeNetworkInterface:
		n, ok := w.enis[r.ID]
		r.Found = &ok
		r.SecurityGroups, r.PublicIPs, r.AttachedTo, r.Tags = n.SecurityGroups, n.PublicIPs, n.InstanceID, finding.PeopleTags(n.Tags)
		r.OpenIngress = w.openIn(n.SecurityGroups)
		if ok {
			w.setInterfacesPath(r, []NetworkInterface{n})
		}
	case finding.TypeElasticIP:
		w.applyAddress(r)
	case finding.TypeSecurityGroup:
		w.applyGroup(r)
	case finding.TypeLoadBalancer:
		w.applyLoadBalancer(r, f.Requested.SecurityGroups)
	case finding.TypeDBInstance, finding.TypeDBCluster, finding.TypeRedshiftCluster:
		w.applyDatabase(r)
	case finding.TypeBucket:
		b, ok := w.buckets[r.ID]
		r.Found = &b.found
		if ok && b.found {
			r.Tags = finding.PeopleTags(b.tags)
			r.SetVerdict(b.access.Verdict())
		}
	case finding.TypeFunction:
		fn, ok := w.funcs[r.ID]
		r.Found = &fn.found
		if ok && fn.found {
			r.Tags = finding.PeopleTags(fn.tags)
			public, lines, err := fn.access.Verdict()
			if err != nil {
				lines = []string{"its policy could not be read: " + err.Error()}
				public = true
			}
			r.SetVerdict(public, lines)
		}
	case finding.TypeImage, finding.TypeSnapshot, finding.TypeDBSnapshot, finding.TypeDBClusterSnap:
		s, ok := w.shares[string(r.Type)+"/"+r.ID]
		r.Found = &s.found
		if ok && s.found {
			r.SetShares(trusted, s.grantees)
		}
	case finding.TypeRouteTable:
		w.applyRouteTable(r)
	case finding.TypeNetworkACL:
		w.applyACL(r)
	case finding.TypeVPC:
		if w.changedVPCs[r.ID] {
			var behind []NetworkInterface
			for _, n := range w.affected {
				if n.VPCID == r.ID {
					behind = append(behind, n)
				}
			}
			r.SetReaches(nil, w.candidates(behind, nil))
		}
	case finding.TypeSubnet:
		w.applySubnet(r)
	}
}

// openIn returns the world-open ingress of the groups ids that were found,
// their managed prefix lists resolved.
func (w *facts) openIn(ids []string) []finding.Rule {
	var gs []finding.SecurityGroup
	for _, id := range ids {
		if g, ok := w.net.Groups[id]; ok {
			g.Ingress = finding.ResolvePrefixLists(g.Ingress, w.net.PrefixLists)
			gs = append(gs, g)
		}
	}
	return finding.WorldOpenIngress(gs)
}

// setInterfacesPath judges the paths of a resource's interfaces, each
// behind its own groups; nothing when no interface's subnet is known.
func (w *facts) setInterfacesPath(r *finding.Resource, ifaces []NetworkInterface) {
	var paths []finding.Path
	for _, n := range ifaces {
		if judgeable(n) {
			paths = append(paths, w.net.Reach(interfaceTarget(n, n.SecurityGroups)))
		}
	}
	if len(paths) > 0 {
		r.SetPath(finding.MergePaths(paths))
	}
}

func (w *facts) applyAddress(r *finding.Resource) {
	a, ok := w.addrs[r.ID]
	r.Found = &ok
	if !ok {
		return
	}
	r.PublicIPs = []string{a.PublicIP}
	r.AttachedTo = cmp.Or(a.InstanceID, a.NetworkInterfaceID)
	r.Tags = finding.PeopleTags(a.Tags)
	var ifaces []NetworkInterface
	switch {
	case a.InstanceID != "":
		r.SecurityGroups = w.insts[a.InstanceID].SecurityGroups
		ifaces = w.insts[a.InstanceID].Interfaces
	case a.NetworkInterfaceID != "":
		r.SecurityGroups = w.enis[a.NetworkInterfaceID].SecurityGroups
		if n, ok := w.enis[a.NetworkInterfaceID]; ok {
			ifaces = []NetworkInterface{n}
		}
	}
	r.OpenIngress = w.openIn(r.SecurityGroups)
	if len(ifaces) > 0 {
		w.setInterfacesPath(r, ifaces)
		r.PublicIPs = []string{a.PublicIP}
	}
}

// applyGroup judges a security group by its members, each behind this
// group alone (what the group's world-open rules reach): interfaces by
// their path, a load balancer's interfaces by its listeners.
func (w *facts) applyGroup(r *finding.Resource) {
	g, ok := w.net.Groups[r.ID]
	r.Found = &ok
	if !ok {
		return
	}
	r.Name = cmp.Or(r.Name, g.Name)
	r.Tags = finding.PeopleTags(g.Tags)
	r.OpenIngress = w.openIn([]string{g.ID})
	members := w.members[g.ID]
	var publicIPs []string
	for _, n := range members {
		if n.LoadBalancer == "" || !w.lbFound(n.LoadBalancer) {
			publicIPs = append(publicIPs, n.PublicIPs...)
		}
	}
	r.PublicIPs = unique(publicIPs)
	if !slices.ContainsFunc(members, judgeable) {
		return
	}
	candidates := w.candidates(members, []string{g.ID})
	r.SetReaches(nil, candidates)
	// The public IPs the group's rules reach: of its reached interfaces.
	r.PublicIPs = nil
	for _, c := range candidates {
		if c.Type != finding.TypeLoadBalancer && c.Path.Reachable {
			r.PublicIPs = append(r.PublicIPs, c.Path.PublicIPs...)
		}
	}
	r.PublicIPs = unique(r.PublicIPs)
}

func (w *facts) lbFound(name string) bool {
	_, ok := w.lbs[name]
	return ok
}

// candidates judges each interface (behind groups, or its own when nil):
// those of a load balancer that was looked up as the load balancer, once,
// by its listeners; the others by their own path.
func (w *facts) candidates(ifaces []NetworkInterface, groups []string) []finding.Candidate {
	var out []finding.Candidate
	seenLB := map[string]bool{}
	for _, n := range ifaces {
		gs := groups
		if gs == nil {
			gs = n.SecurityGroups
		}
		if lb, ok := w.lbs[n.LoadBalancer]; ok && n.LoadBalancer != "" {
			if seenLB[lb.ID] {
				continue
			}
			seenLB[lb.ID] = true
			lbGroups := groups
			if lbGroups == nil {
				lbGroups = lb.SecurityGroups
			}
			out = append(out, finding.Candidate{Type: finding.TypeLoadBalancer, ID: cmp.Or(lb.Name, lb.ID), Path: w.net.Reach(loadBalancerTarget(lb, lbGroups))})
			continue
		}
		if !judgeable(n) {
			continue
		}
		typ, id := finding.TypeNetworkInterface, n.ID
		if n.InstanceID != "" {
			typ, id = finding.TypeInstance, n.InstanceID
		}
		out = append(out, finding.Candidate{Type: typ, ID: id, Path: w.net.Reach(interfaceTarget(n, gs))})
	}
	return out
}

func (w *facts) applyLoadBalancer(r *finding.Resource, requestedGroups []string) {
	lb, ok := w.lbs[r.ID]
	r.Found = &ok
	if !ok {
		r.SecurityGroups = requestedGroups
		r.OpenIngress = w.openIn(requestedGroups)
		return
	}
	r.Name = cmp.Or(r.Name, lb.Name)
	r.Scheme, r.DNSName, r.SecurityGroups = lb.Scheme, lb.DNSName, lb.SecurityGroups
	r.Tags = finding.PeopleTags(lb.Tags)
	r.Listeners = nil
	for _, l := range lb.Listeners {
		r.Listeners = append(r.Listeners, l.String())
	}
	r.OpenIngress = finding.ListenerExposure(lb.Listeners, lb.SecurityGroups, w.openIn(lb.SecurityGroups))
	if len(lb.Subnets) == 0 {
		return
	}
	p := w.net.Reach(loadBalancerTarget(lb, lb.SecurityGroups))
	if !p.Reachable && lb.Scheme == finding.SchemeInternetFacing {
		// An internet-facing load balancer in a routed subnet faces the
		// internet even with no port its groups let through.
		for _, s := range lb.Subnets {
			if routed, line := w.net.SubnetRoute(s, lb.VPCID, false); routed {
				p.Reachable = true
				p.Explanation = append([]string{lb.Name + " is internet-facing", line}, p.Explanation...)
				break
			}
		}
	}
	r.SetPath(p)
}

func (w *facts) applyDatabase(r *finding.Resource) {
	db, ok := w.dbs[string(r.Type)+"/"+r.ID]
	r.Found = &ok
	if !ok {
		return
	}
	r.SecurityGroups, r.Endpoint, r.Tags = db.SecurityGroups, endpoint(db), finding.PeopleTags(db.Tags)
	public := db.PubliclyAccessible != nil && *db.PubliclyAccessible
	subnets := db.Subnets
	if r.Type == finding.TypeDBCluster {
		// An Aurora cluster's instances carry the flag, and their subnet
		// groups' subnets.
		for _, m := range w.dbs {
			if m.Cluster == db.ID {
				public = public || (m.PubliclyAccessible != nil && *m.PubliclyAccessible)
				subnets = append(subnets, m.Subnets...)
			}
		}
		db.Subnets = unique(subnets)
	}
	r.OpenIngress = w.openIn(db.SecurityGroups)
	if db.Port == 0 || len(db.Subnets) == 0 {
		r.SetVerdict(false, []string{fmt.Sprintf("%s has no endpoint or subnets yet", db.ID)})
		return
	}
	p := w.net.Reach(databaseTarget(db, public))
	r.SetPath(p)
	r.PublicIPs = nil
}

// applyRouteTable judges a changed route table by what the internet
// reaches through it: the interfaces in the subnets it now serves.
func (w *facts) applyRouteTable(r *finding.Resource) {
	t, ok := w.tables[r.ID]
	r.Found = &ok
	if !ok {
		return
	}
	r.Tags = finding.PeopleTags(t.Tags)
	var behind []NetworkInterface
	for _, n := range w.affected {
		if table, ok := w.net.RouteTableOf(n.SubnetID, n.VPCID); ok && table.ID == t.ID {
			behind = append(behind, n)
		}
	}
	head := t.WorldRoutes()
	if len(head) == 0 {
		head = []string{r.ID + " has no route for 0.0.0.0/0 or ::/0"}
	}
	r.SetReaches(head, w.candidates(behind, nil))
}

// applyACL judges a changed network ACL by what the internet reaches
// through the subnets it serves.
func (w *facts) applyACL(r *finding.Resource) {
	a, ok := w.acls[r.ID]
	r.Found = &ok
	if !ok {
		return
	}
	r.Tags = finding.PeopleTags(a.Tags)
	var behind []NetworkInterface
	for _, n := range w.affected {
		if slices.Contains(a.Subnets, n.SubnetID) {
			behind = append(behind, n)
		}
	}
	r.SetReaches([]string{fmt.Sprintf("%s serves %d subnets", r.ID, len(a.Subnets))}, w.candidates(behind, nil))
}

// applySubnet judges a subnet given public addresses on launch: whether
// the internet can route to the instances launched there.
func (w *facts) applySubnet(r *finding.Resource) {
	s, ok := w.subnets[r.ID]
	r.Found = &ok
	if !ok {
		return
	}
	r.Tags = finding.PeopleTags(s.Tags)
	var lines []string
	routed := false
	if s.MapPublicIPOnLaunch {
		ok, line := w.net.SubnetRoute(s.ID, s.VPCID, false)
		lines = append(lines, s.ID+" gives new instances a public IPv4 address (MapPublicIpOnLaunch)", line)
		routed = routed || ok
	}
	if s.AssignIPv6OnCreate {
		ok, line := w.net.SubnetRoute(s.ID, s.VPCID, true)
		lines = append(lines, s.ID+" gives new instances an IPv6 address (AssignIpv6AddressOnCreation)", line)
		routed = routed || ok
	}
	if len(lines) == 0 {
		lines = []string{s.ID + " gives new instances no public address"}
	}
	r.SetVerdict(routed, lines)
}
