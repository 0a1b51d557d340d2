package main

import (
	"context"
	"slices"
	"sync"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Enrich sets the live facts of f's resources and enrich's verdict on each
// (see apply): for EC2 resources and load balancers their groups,
// world-open ingress, public IPs and the reachability of their network
// path; for security groups and changes to a path (route tables, network
// ACLs, VPCs, subnets) what the internet reaches through them; for
// databases, buckets, functions, images and snapshots (EBS and RDS)
// whether anyone
// outside may use them now. trusted are the accounts a share may go to.
//
// The lookups run in five stages, the calls of a stage concurrently (at
// most maxConcurrentLookups at once), one call of each kind per stage: the
// resources the event names (addresses, load balancers, databases,
// buckets, functions, shares, route tables, ACLs, subnets); what they
// lead to (instances, interfaces, the members of a group, the interfaces
// behind a changed path); the load balancers among those interfaces; the
// network those paths cross (security groups, route tables, ACLs); and the
// managed prefix lists the groups reference. A failed lookup is a
// *LookupError.
func Enrich(ctx context.Context, l Lookups, f *finding.Finding, trusted finding.Trusted) error {
	w, err := lookUp(ctx, l, f)
	if err != nil {
		return err
	}
	for i := range f.Resources {
		w.apply(&f.Resources[i], f, trusted)
	}
	return nil
}

// facts is what the lookups found, by id.
type facts struct {
	mu       sync.Mutex
	addrs    map[string]Address // by allocation id and by public IP
	insts    map[string]Instance
	enis     map[string]NetworkInterface
	members  map[string][]NetworkInterface // by security group
	lbs      map[string]LoadBalancer       // by the id looked up, and by "app/NAME/ID" or classic name
	dbs      map[string]Database           // by resource type and id
	buckets  map[string]bucket
	funcs    map[string]function
	shares   map[string]shares
	subnets  map[string]Subnet
	tables   map[string]finding.RouteTable // looked up by id
	acls     map[string]finding.NetworkACL // looked up by id
	affected []NetworkInterface            // behind a changed path
	// changedVPCs are the VPCs an internet gateway was attached to.
	changedVPCs map[string]bool
	net         finding.Network
}

// lookUp looks up f's resources and everything that decides their
// exposure.
func lookUp(ctx context.Context, l Lookups, f *finding.Finding) (*facts, error) {
	w := &facts{
		addrs: map[string]Address{}, insts: map[string]Instance{}, enis: map[string]NetworkInterface{}, members: map[string][]NetworkInterface{},
		lbs: map[string]LoadBalancer{}, dbs: map[string]Database{}, buckets: map[string]bucket{}, funcs: map[string]function{},
		shares: map[string]shares{}, subnets: map[string]Subnet{}, tables: map[string]finding.RouteTable{}, acls: map[string]finding.NetworkACL{},
		net: finding.Network{Groups: map[string]finding.SecurityGroup{}, PrefixLists: map[string]finding.PrefixList{}},
	}
	ids := map[finding.ResourceType][]string{}
	for _, r := range f.Resources {
		ids[r.Type] = append(ids[r.Type], r.ID)
	}
	for t := range ids {
		ids[t] = unique(ids[t])
	}
	if err := w.stageResources(ctx, l, f, ids); err != nil {
		return nil, err
	}
	if err := w.stageAttached(ctx, l, ids); err != nil {
		return nil, err
	}
	if err := w.stageMemberLoadBalancers(ctx, l, f); err != nil {
		return nil, err
	}
	if err := w.stageNetwork(ctx, l, ids, f.Requested.SecurityGroups); err != nil {
		return nil, err
	}
	return w, w.stagePrefixLists(ctx, l)
}

// call is one lookup of a stage: skipped when it has nothing to look up.
func call(skip bool, service, op string, fn func(context.Context) error) func(context.Context) error {
	if skip {
		return nil
	}
	return func(ctx context.Context) error {
		if err := fn(ctx); err != nil {
			return &LookupError{Service: service, Op: op, Err: err}
		}
		return nil
	}
}

// stageResources looks up what the event names.
func (w *facts) stageResources(ctx context.Context, l Lookups, f *finding.Finding, ids map[finding.ResourceType][]string) error {
	fns := []func(context.Context) error{
		call(len(ids[finding.TypeElasticIP]) == 0, "ec2", "DescribeAddresses", func(ctx context.Context) error {
			found, err := l.Addresses(ctx, ids[finding.TypeElasticIP])
			for _, a := range found {
				w.addrs[a.AllocationID], w.addrs[a.PublicIP] = a, a
			}
			return err
		}),
		call(len(ids[finding.TypeLoadBalancer]) == 0, "elasticloadbalancing", "DescribeLoadBalancers", func(ctx context.Context) error {
			return w.loadBalancers(ctx, l, ids[finding.TypeLoadBalancer])
		}),
		call(len(ids[finding.TypeDBInstance]) == 0, "rds", "DescribeDBInstances", func(ctx context.Context) error {
			found, err := l.DBInstances(ctx, ids[finding.TypeDBInstance], nil)
			w.putDBs(finding.TypeDBInstance, found)
			return err
		}),
		call(len(ids[finding.TypeDBCluster]) == 0, "rds", "DescribeDBClusters", func(ctx context.Context) error {
			found, err := l.DBClusters(ctx, ids[finding.TypeDBCluster])
			if err != nil {
				return err
			}
			w.putDBs(finding.TypeDBCluster, found)
			members, err := l.DBInstances(ctx, nil, ids[finding.TypeDBCluster])
			w.putDBs(finding.TypeDBInstance, members)
			return err
		}),
		call(len(ids[finding.TypeRedshiftCluster]) == 0, "redshift", "DescribeClusters", func(ctx context.Context) error {
			found, err := l.RedshiftClusters(ctx, ids[finding.TypeRedshiftCluster])
			w.putDBs(finding.TypeRedshiftCluster, found)
			return err
		}),
		call(len(ids[finding.TypeRouteTable]) == 0, "ec2", "DescribeRouteTables", func(ctx context.Context) error {
			found, err := l.RouteTables(ctx, ids[finding.TypeRouteTable], nil)
			for _, t := range found {
				w.tables[t.ID] = t
			}
			return err
		}),
		call(len(ids[finding.TypeNetworkACL]) == 0, "ec2", "DescribeNetworkAcls", func(ctx context.Context) error {
			found, err := l.NetworkACLs(ctx, ids[finding.TypeNetworkACL], nil)
			for _, a := range found {
				w.acls[a.ID] = a
			}
			return err
		}),
		call(len(ids[finding.TypeSubnet]) == 0, "ec2", "DescribeSubnets", func(ctx context.Context) error {
			found, err := l.Subnets(ctx, ids[finding.TypeSubnet])
			for _, s := range found {
				w.subnets[s.ID] = s
			}
			return err
		}),
	}
	for _, id := range ids[finding.TypeBucket] {
		fns = append(fns, call(false, "s3", "GetBucketPolicyStatus", func(ctx context.Context) error {
			a, t, found, err := l.Bucket(ctx, f.Account, id)
			w.mu.Lock()
			w.buckets[id] = bucket{a, t, found}
			w.mu.Unlock()
			return err
		}))
	}
	for _, id := range ids[finding.TypeFunction] {
		fns = append(fns, call(false, "lambda", "GetPolicy", func(ctx context.Context) error {
			a, t, found, err := l.Function(ctx, f.Account, f.Region, id)
			w.mu.Lock()
			w.funcs[id] = function{a, t, found}
			w.mu.Unlock()
			return err
		}))
	}
	for _, s := range []struct {
		typ         finding.ResourceType
		service, op string
		lookup      func(context.Context, string) ([]string, bool, error)
	}{
		{finding.TypeImage, "ec2", "DescribeImageAttribute", l.ImageShares},
		{finding.TypeSnapshot, "ec2", "DescribeSnapshotAttribute", l.SnapshotShares},
		{finding.TypeDBSnapshot, "rds", "DescribeDBSnapshotAttributes", l.DBSnapshotShares},
		{finding.TypeDBClusterSnap, "rds", "DescribeDBClusterSnapshotAttributes", l.DBClusterSnapshotShares},
	} {
		for _, id := range ids[s.typ] {
			fns = append(fns, call(false, s.service, s.op, func(ctx context.Context) error {
				g, found, err := s.lookup(ctx, id)
				w.putShares(s.typ, id, shares{g, found})
				return err
			}))
		}
	}
	return parallel(ctx, fns...)
}

func (w *facts) putDBs(t finding.ResourceType, dbs []Database) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, db := range dbs {
		w.dbs[string(t)+"/"+db.ID] = db
	}
}

func (w *facts) putShares(t finding.ResourceType, id string, s shares) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.shares[string(t)+"/"+id] = s
}

// loadBalancers looks ids up and keeps them by id and by the name their
// interfaces' descriptions use.
func (w *facts) loadBalancers(ctx context.Context, l Lookups, ids []string) error {
	found, err := l.LoadBalancers(ctx, ids)
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, lb := range found {
		w.lbs[lb.ID] = lb
		w.lbs[descriptionName(lb)] = lb
	}
	return err
}

// stageAttached looks up what the named resources lead to: the instances
// and interfaces named or behind an address, the members of a named
// group, the interfaces behind a changed route table, ACL or VPC.
func (w *facts) stageAttached(ctx context.Context, l Lookups, ids map[finding.ResourceType][]string) error {
	instIDs, eniIDs := slices.Clone(ids[finding.TypeInstance]), slices.Clone(ids[finding.TypeNetworkInterface])
	for _, a := range w.addrs {
		if a.InstanceID != "" {
			instIDs = append(instIDs, a.InstanceID)
		} else if a.NetworkInterfaceID != "" {
			eniIDs = append(eniIDs, a.NetworkInterfaceID)
		}
	}
	instIDs, eniIDs = unique(instIDs), unique(eniIDs)
	groups := ids[finding.TypeSecurityGroup]
	subnets, vpcs := w.pathChange(ids)
	return parallel(ctx,
		call(len(instIDs) == 0, "ec2", "DescribeInstances", func(ctx context.Context) error {
			found, err := l.Instances(ctx, instIDs)
			for _, in := range found {
				w.insts[in.ID] = in
			}
			return err
		}),
		call(len(eniIDs) == 0 && len(groups) == 0, "ec2", "DescribeNetworkInterfaces", func(ctx context.Context) error {
			found, err := l.NetworkInterfaces(ctx, eniIDs, groups)
			for _, n := range found {
				w.enis[n.ID] = n
				for _, g := range n.SecurityGroups {
					if slices.Contains(groups, g) {
						w.members[g] = append(w.members[g], n)
					}
				}
			}
			return err
		}),
		call(len(subnets) == 0 && len(vpcs) == 0, "ec2", "DescribeNetworkInterfaces", func(ctx context.Context) error {
			found, err := l.InterfacesIn(ctx, subnets, vpcs)
			w.affected = found
			return err
		}),
	)
}

// pathChange returns where the interfaces behind the changed paths are:
// the subnets of a route table (all of its VPC's for the main table, or
// the one of a replaced association), of a network ACL, or a whole VPC an
// internet gateway was attached to.
func (w *facts) pathChange(ids map[finding.ResourceType][]string) (subnets, vpcs []string) {
	assocs := ids[finding.TypeRouteAssociation]
	for _, t := range w.tables {
		var assocSubnet string
		replaced := false
		for _, a := range assocs {
			if s, ok := t.Associations[a]; ok {
				assocSubnet, replaced = s, true
			}
		}
		switch {
		case replaced && assocSubnet != "":
			subnets = append(subnets, assocSubnet)
		case t.Main:
			vpcs = append(vpcs, t.VPCID)
		default:
			subnets = append(subnets, t.Subnets...)
		}
	}
	for _, a := range w.acls {
		subnets = append(subnets, a.Subnets...)
	}
	if len(ids[finding.TypeInternetGateway]) > 0 {
		// AttachInternetGateway: every interface of the VPC is behind it.
		w.changedVPCs = map[string]bool{}
		for _, v := range ids[finding.TypeVPC] {
			w.changedVPCs[v] = true
			vpcs = append(vpcs, v)
		}
	}
	if len(vpcs) > 0 {
		return nil, unique(vpcs)
	}
	return unique(subnets), nil
}

// maxLoadBalancersLooked bounds the load balancers looked up behind a
// group or a path change; the others are judged by their interfaces.
const maxLoadBalancersLooked = 5

// stageMemberLoadBalancers looks up the load balancers whose interfaces
// are members of a named group or behind a changed path.
func (w *facts) stageMemberLoadBalancers(ctx context.Context, l Lookups, f *finding.Finding) error {
	var arns []string
	for _, n := range slices.Concat(w.affected, w.allMembers()) {
		if n.LoadBalancer == "" {
			continue
		}
		if _, ok := w.lbs[n.LoadBalancer]; ok {
			continue
		}
		arns = append(arns, loadBalancerID(f, n.LoadBalancer))
	}
	arns = unique(arns)
	if len(arns) > maxLoadBalancersLooked {
		arns = arns[:maxLoadBalancersLooked]
	}
	return parallel(ctx, call(len(arns) == 0, "elasticloadbalancing", "DescribeLoadBalancers", func(ctx context.Context) error {
		return w.loadBalancers(ctx, l, arns)
	}))
}

func (w *facts) allMembers() []NetworkInterface {
	var out []NetworkInterface
	for _, ms := range w.members {
		out = append(out, ms...)
	}
	return out
}

// stageNetwork looks up the network the paths cross: every security group
// that decides a resource's exposure, the route tables of their VPCs and
// the network ACLs of their subnets.
func (w *facts) stageNetwork(ctx context.Context, l Lookups, ids map[finding.ResourceType][]string, requested []string) error {
	groups := slices.Clone(ids[finding.TypeSecurityGroup])
	var vpcs, subnets []string
	addIface := func(n NetworkInterface) {
		groups = append(groups, n.SecurityGroups...)
		vpcs = append(vpcs, n.VPCID)
		subnets = append(subnets, n.SubnetID)
	}
	for _, in := range w.insts {
		groups = append(groups, in.SecurityGroups...)
		for _, n := range in.Interfaces {
			addIface(n)
		}
	}
	for _, n := range w.enis {
		addIface(n)
	}
	for _, n := range w.affected {
		addIface(n)
	}
	for _, lb := range w.lbs {
		groups = append(groups, lb.SecurityGroups...)
		vpcs = append(vpcs, lb.VPCID)
		subnets = append(subnets, lb.Subnets...)
	}
	if len(ids[finding.TypeLoadBalancer]) > 0 {
		// A load balancer not found is judged by the groups the call named.
		groups = append(groups, requested...)
	}
	for _, db := range w.dbs {
		groups = append(groups, db.SecurityGroups...)
		vpcs = append(vpcs, db.VPCID)
		subnets = append(subnets, db.Subnets...)
	}
	for _, t := range w.tables {
		vpcs = append(vpcs, t.VPCID)
	}
	for _, a := range w.acls {
		vpcs = append(vpcs, a.VPCID)
	}
	for _, s := range w.subnets {
		vpcs = append(vpcs, s.VPCID)
	}
	groups, vpcs, subnets = unique(groups), unique(vpcs), unique(subnets)
	return parallel(ctx,
		call(len(groups) == 0, "ec2", "DescribeSecurityGroups", func(ctx context.Context) error {
			found, err := l.SecurityGroups(ctx, groups)
			for _, g := range found {
				w.net.Groups[g.ID] = g
			}
			return err
		}),
		call(len(vpcs) == 0, "ec2", "DescribeRouteTables", func(ctx context.Context) error {
			found, err := l.RouteTables(ctx, nil, vpcs)
			w.net.RouteTables = found
			return err
		}),
		call(len(subnets) == 0, "ec2", "DescribeNetworkAcls", func(ctx context.Context) error {
			found, err := l.NetworkACLs(ctx, nil, subnets)
			w.net.ACLs = found
			return err
		}),
	)
}

// stagePrefixLists reads the managed prefix lists the groups' ingress
// rules reference.
func (w *facts) stagePrefixLists(ctx context.Context, l Lookups) error {
	var ids []string
	for _, g := range w.net.Groups {
		for _, r := range g.Ingress {
			ids = append(ids, r.PrefixListID)
		}
	}
	ids = unique(ids)
	slices.Sort(ids)
	return parallel(ctx, call(len(ids) == 0, "ec2", "GetManagedPrefixListEntries", func(ctx context.Context) error {
		found, err := l.PrefixLists(ctx, ids)
		for _, pl := range found {
			w.net.PrefixLists[pl.ID] = pl
		}
		return err
	}))
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
