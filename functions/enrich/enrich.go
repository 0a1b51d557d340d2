package main

import (
	"cmp"
	"context"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Enrich sets the live facts of f's EC2 resources and load balancers:
// security groups, world-open ingress, public IPs and, for addresses, what
// they are attached to; for load balancers their scheme, DNS name and
// listeners. Resources of other types are left alone. It looks addresses up
// first (to learn their instances), then instances and interfaces, then
// load balancers, then every security group met, one call of each kind
// (load balancers: one each). A failed lookup is a *LookupError.
func Enrich(ctx context.Context, ec2 Lookups, f *finding.Finding) error {
	w, err := lookUp(ctx, ec2, f)
	if err != nil {
		return err
	}
	for i := range f.Resources {
		w.apply(&f.Resources[i], f.Requested.SecurityGroups)
	}
	return nil
}

// facts is what the lookups found, by id.
type facts struct {
	addrs map[string]Address // by allocation id and by public IP
	insts map[string]Instance
	enis  map[string]NetworkInterface
	// publicByGroup are the public IPs of the interfaces in each group.
	publicByGroup map[string][]string
	lbs           map[string]LoadBalancer
	groups        map[string]finding.SecurityGroup
}

// lookUp looks up f's resources and every security group that decides
// their exposure.
func lookUp(ctx context.Context, ec2 Lookups, f *finding.Finding) (*facts, error) {
	w := &facts{
		addrs: map[string]Address{}, insts: map[string]Instance{}, enis: map[string]NetworkInterface{},
		publicByGroup: map[string][]string{}, lbs: map[string]LoadBalancer{}, groups: map[string]finding.SecurityGroup{},
	}
	var instIDs, addrIDs, eniIDs, groupIDs, lbIDs []string
	for _, r := range f.Resources {
		switch r.Type {
		case finding.TypeLoadBalancer:
			lbIDs = append(lbIDs, r.ID)
		case finding.TypeInstance:
			instIDs = append(instIDs, r.ID)
		case finding.TypeElasticIP:
			addrIDs = append(addrIDs, r.ID)
		case finding.TypeNetworkInterface:
			eniIDs = append(eniIDs, r.ID)
		case finding.TypeSecurityGroup:
			groupIDs = append(groupIDs, r.ID)
		}
	}
	if len(addrIDs) > 0 {
		found, err := ec2.Addresses(ctx, addrIDs)
		if err != nil {
			return nil, &LookupError{Service: "ec2", Op: "DescribeAddresses", Err: err}
		}
		for _, a := range found {
			w.addrs[a.AllocationID], w.addrs[a.PublicIP] = a, a
			if a.InstanceID != "" {
				instIDs = append(instIDs, a.InstanceID)
			} else if a.NetworkInterfaceID != "" {
				eniIDs = append(eniIDs, a.NetworkInterfaceID)
			}
		}
	}
	if len(instIDs) > 0 {
		found, err := ec2.Instances(ctx, unique(instIDs))
		if err != nil {
			return nil, &LookupError{Service: "ec2", Op: "DescribeInstances", Err: err}
		}
		for _, in := range found {
			w.insts[in.ID] = in
		}
	}
	if len(eniIDs) > 0 || len(groupIDs) > 0 {
		found, err := ec2.NetworkInterfaces(ctx, unique(eniIDs), unique(groupIDs))
		if err != nil {
			return nil, &LookupError{Service: "ec2", Op: "DescribeNetworkInterfaces", Err: err}
		}
		for _, n := range found {
			w.enis[n.ID] = n
			for _, g := range n.SecurityGroups {
				w.publicByGroup[g] = append(w.publicByGroup[g], n.PublicIPs...)
			}
		}
	}
	// Every group whose rules decide a resource's exposure.
	need := append([]string(nil), groupIDs...)
	for _, in := range w.insts {
		need = append(need, in.SecurityGroups...)
	}
	for _, n := range w.enis {
		need = append(need, n.SecurityGroups...)
	}
	if len(lbIDs) > 0 {
		found, err := ec2.LoadBalancers(ctx, unique(lbIDs))
		if err != nil {
			return nil, &LookupError{Service: "elasticloadbalancing", Op: "DescribeLoadBalancers", Err: err}
		}
		for _, lb := range found {
			w.lbs[lb.ID] = lb
			need = append(need, lb.SecurityGroups...)
		}
		// A load balancer not found is judged by the groups the call named.
		need = append(need, f.Requested.SecurityGroups...)
	}
	if len(need) > 0 {
		found, err := ec2.SecurityGroups(ctx, unique(need))
		if err != nil {
			return nil, &LookupError{Service: "ec2", Op: "DescribeSecurityGroups", Err: err}
		}
		for _, g := range found {
			w.groups[g.ID] = g
		}
	}
	return w, nil
}

// openIn returns the world-open ingress of the groups ids that were found.
func (w *facts) openIn(ids []string) []finding.Rule {
	var gs []finding.SecurityGroup
	for _, id := range ids {
		if g, ok := w.groups[id]; ok {
			gs = append(gs, g)
		}
	}
	return finding.WorldOpenIngress(gs)
}

// apply sets r's live facts from w. requestedGroups are the security
// groups the call named: they judge a load balancer that was not found.
func (w *facts) apply(r *finding.Resource, requestedGroups []string) {
	switch r.Type {
	case finding.TypeInstance:
		in, ok := w.insts[r.ID]
		r.Found = &ok
		r.SecurityGroups, r.PublicIPs = in.SecurityGroups, in.PublicIPs
		r.OpenIngress = w.openIn(in.SecurityGroups)
	case finding.TypeNetworkInterface:
		n, ok := w.enis[r.ID]
		r.Found = &ok
		r.SecurityGroups, r.PublicIPs, r.AttachedTo = n.SecurityGroups, n.PublicIPs, n.InstanceID
		r.OpenIngress = w.openIn(n.SecurityGroups)
	case finding.TypeElasticIP:
		a, ok := w.addrs[r.ID]
		r.Found = &ok
		if !ok {
			return
		}
		r.PublicIPs = []string{a.PublicIP}
		r.AttachedTo = cmp.Or(a.InstanceID, a.NetworkInterfaceID)
		switch {
		case a.InstanceID != "":
			r.SecurityGroups = w.insts[a.InstanceID].SecurityGroups
		case a.NetworkInterfaceID != "":
			r.SecurityGroups = w.enis[a.NetworkInterfaceID].SecurityGroups
		}
		r.OpenIngress = w.openIn(r.SecurityGroups)
	case finding.TypeSecurityGroup:
		g, ok := w.groups[r.ID]
		r.Found = &ok
		if ok {
			r.Name = cmp.Or(r.Name, g.Name)
			r.OpenIngress = w.openIn([]string{g.ID})
			r.PublicIPs = unique(w.publicByGroup[g.ID])
		}
	case finding.TypeLoadBalancer:
		lb, ok := w.lbs[r.ID]
		r.Found = &ok
		if !ok {
			r.SecurityGroups = requestedGroups
			r.OpenIngress = w.openIn(requestedGroups)
			return
		}
		r.Name = cmp.Or(r.Name, lb.Name)
		r.Scheme, r.DNSName, r.SecurityGroups = lb.Scheme, lb.DNSName, lb.SecurityGroups
		r.Listeners = nil
		for _, l := range lb.Listeners {
			r.Listeners = append(r.Listeners, l.String())
		}
		r.OpenIngress = finding.ListenerExposure(lb.Listeners, lb.SecurityGroups, w.openIn(lb.SecurityGroups))
	}
}

// unique returns ids without empty strings and repeats, in first-seen
// order; nil when none is left.
func unique(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	var out []string
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}
