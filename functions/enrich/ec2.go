package main

import (
	"cmp"
	"context"
	"net/netip"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// EC2API is the part of the EC2 client the adapter uses.
type EC2API interface {
	ec2.DescribeSecurityGroupsAPIClient
	ec2.DescribeInstancesAPIClient
	ec2.DescribeNetworkInterfacesAPIClient
	ec2.DescribeRouteTablesAPIClient
	ec2.DescribeNetworkAclsAPIClient
	ec2.DescribeSubnetsAPIClient
	ec2.GetManagedPrefixListEntriesAPIClient
	DescribeAddresses(ctx context.Context, in *ec2.DescribeAddressesInput, opts ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error)
	DescribeImageAttribute(ctx context.Context, in *ec2.DescribeImageAttributeInput, opts ...func(*ec2.Options)) (*ec2.DescribeImageAttributeOutput, error)
	DescribeSnapshotAttribute(ctx context.Context, in *ec2.DescribeSnapshotAttributeInput, opts ...func(*ec2.Options)) (*ec2.DescribeSnapshotAttributeOutput, error)
}

// EC2 implements EC2Lookups with the EC2 API. It looks resources up by
// filter, not by id, so an id that names nothing is simply absent (a
// lookup by id fails the whole call with *.NotFound), and it follows every
// page.
type EC2 struct {
	Client EC2API
}

var _ EC2Lookups = (*EC2)(nil)

// maxFilterValues is how many values EC2 accepts in one filter.
const maxFilterValues = 200

// chunks splits ids into groups of at most maxFilterValues.
func chunks(ids []string) [][]string {
	var out [][]string
	for len(ids) > maxFilterValues {
		out = append(out, ids[:maxFilterValues])
		ids = ids[maxFilterValues:]
	}
	if len(ids) > 0 {
		out = append(out, ids)
	}
	return out
}

func filter(name string, values []string) types.Filter {
	return types.Filter{Name: aws.String(name), Values: values}
}

// SecurityGroups describes the groups with the given ids.
func (e *EC2) SecurityGroups(ctx context.Context, ids []string) ([]finding.SecurityGroup, error) {
	var out []finding.SecurityGroup
	for _, c := range chunks(ids) {
		p := ec2.NewDescribeSecurityGroupsPaginator(e.Client, &ec2.DescribeSecurityGroupsInput{
			Filters: []types.Filter{filter("group-id", c)},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, g := range page.SecurityGroups {
				out = append(out, securityGroup(g))
			}
		}
	}
	return out, nil
}

func securityGroup(g types.SecurityGroup) finding.SecurityGroup {
	sg := finding.SecurityGroup{ID: aws.ToString(g.GroupId), Name: aws.ToString(g.GroupName), VPCID: aws.ToString(g.VpcId), Tags: tags(g.Tags)}
	for _, p := range g.IpPermissions {
		sg.Ingress = append(sg.Ingress, permissionRules(p, sg.ID)...)
	}
	return sg
}

// permissionRules expands one IpPermission into a rule per source.
func permissionRules(p types.IpPermission, groupID string) []finding.Rule {
	proto := finding.NormalizeProtocol(aws.ToString(p.IpProtocol))
	from, to := int(aws.ToInt32(p.FromPort)), int(aws.ToInt32(p.ToPort))
	if p.FromPort == nil || proto == "-1" {
		from = -1
	}
	if p.ToPort == nil || proto == "-1" {
		to = -1
	}
	base := finding.Rule{Protocol: proto, FromPort: from, ToPort: to, SecurityGroupID: groupID}
	var rules []finding.Rule
	for _, r := range p.IpRanges {
		rules = append(rules, base.WithCIDR(aws.ToString(r.CidrIp)))
	}
	for _, r := range p.Ipv6Ranges {
		rules = append(rules, base.WithCIDR(aws.ToString(r.CidrIpv6)))
	}
	for _, r := range p.PrefixListIds {
		rule := base
		rule.PrefixListID = aws.ToString(r.PrefixListId)
		rules = append(rules, rule)
	}
	for _, r := range p.UserIdGroupPairs {
		rule := base
		rule.GroupID = aws.ToString(r.GroupId)
		rules = append(rules, rule)
	}
	return rules
}

// Instances describes the instances with the given ids.
func (e *EC2) Instances(ctx context.Context, ids []string) ([]Instance, error) {
	var out []Instance
	for _, c := range chunks(ids) {
		p := ec2.NewDescribeInstancesPaginator(e.Client, &ec2.DescribeInstancesInput{
			Filters: []types.Filter{filter("instance-id", c)},
		})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, res := range page.Reservations {
				for _, in := range res.Instances {
					out = append(out, instance(in))
				}
			}
		}
	}
	return out, nil
}

// instance reads an instance's exposure: the groups of the instance and of
// every network interface (a secondary interface can have groups of its
// own), its public IPv4 and global IPv6 addresses, and each interface's
// subnet and addresses.
func instance(in types.Instance) Instance {
	i := Instance{ID: aws.ToString(in.InstanceId), Tags: tags(in.Tags)}
	var groups []string
	for _, g := range in.SecurityGroups {
		groups = append(groups, aws.ToString(g.GroupId))
	}
	if ip := aws.ToString(in.PublicIpAddress); ip != "" {
		i.PublicIPs = append(i.PublicIPs, ip)
	}
	for _, n := range in.NetworkInterfaces {
		ni := NetworkInterface{ID: aws.ToString(n.NetworkInterfaceId), InstanceID: i.ID,
			SubnetID: cmp.Or(aws.ToString(n.SubnetId), aws.ToString(in.SubnetId)), VPCID: cmp.Or(aws.ToString(n.VpcId), aws.ToString(in.VpcId))}
		for _, g := range n.Groups {
			groups = append(groups, aws.ToString(g.GroupId))
			ni.SecurityGroups = append(ni.SecurityGroups, aws.ToString(g.GroupId))
		}
		for _, ip := range n.Ipv6Addresses {
			i.PublicIPs = appendPublic(i.PublicIPs, aws.ToString(ip.Ipv6Address))
			ni.IPv6 = appendPublic(ni.IPv6, aws.ToString(ip.Ipv6Address))
		}
		if n.Association != nil {
			i.PublicIPs = appendPublic(i.PublicIPs, aws.ToString(n.Association.PublicIp))
			ni.PublicIPv4 = appendPublic(ni.PublicIPv4, aws.ToString(n.Association.PublicIp))
		}
		ni.PublicIPs = slices.Concat(ni.PublicIPv4, ni.IPv6)
		i.Interfaces = append(i.Interfaces, ni)
	}
	if len(in.NetworkInterfaces) == 0 && aws.ToString(in.SubnetId) != "" {
		// An instance described without its interfaces: one, with the
		// instance's own facts.
		ni := NetworkInterface{ID: i.ID, InstanceID: i.ID, SubnetID: aws.ToString(in.SubnetId), VPCID: aws.ToString(in.VpcId), SecurityGroups: unique(groups)}
		ni.PublicIPv4 = appendPublic(nil, aws.ToString(in.PublicIpAddress))
		ni.PublicIPs = ni.PublicIPv4
		i.Interfaces = append(i.Interfaces, ni)
	}
	i.SecurityGroups = unique(groups)
	return i
}

// appendPublic appends ip unless it is empty, already present, or not a
// global unicast address (IPv6 addresses of an instance are global; private
// IPv4 ones are never reported as public).
func appendPublic(ips []string, ip string) []string {
	a, err := netip.ParseAddr(ip)
	if err != nil || !a.IsGlobalUnicast() || a.IsPrivate() || slices.Contains(ips, ip) {
		return ips
	}
	return append(ips, ip)
}

// Addresses describes Elastic IPs by allocation id or public IP.
// DescribeAddresses has no paginator: it answers every match at once.
func (e *EC2) Addresses(ctx context.Context, ids []string) ([]Address, error) {
	var allocs, ips []string
	for _, id := range ids {
		if _, err := netip.ParseAddr(id); err == nil {
			ips = append(ips, id)
		} else {
			allocs = append(allocs, id)
		}
	}
	var out []Address
	for _, q := range []struct {
		name   string
		values []string
	}{{"allocation-id", allocs}, {"public-ip", ips}} {
		for _, c := range chunks(q.values) {
			resp, err := e.Client.DescribeAddresses(ctx, &ec2.DescribeAddressesInput{Filters: []types.Filter{filter(q.name, c)}})
			if err != nil {
				return nil, err
			}
			for _, a := range resp.Addresses {
				out = append(out, Address{
					AllocationID:       aws.ToString(a.AllocationId),
					PublicIP:           aws.ToString(a.PublicIp),
					InstanceID:         aws.ToString(a.InstanceId),
					NetworkInterfaceID: aws.ToString(a.NetworkInterfaceId),
					Tags:               tags(a.Tags),
				})
			}
		}
	}
	return out, nil
}

// NetworkInterfaces describes the interfaces with the given ids and those in
// the given security groups.
func (e *EC2) NetworkInterfaces(ctx context.Context, ids, groupIDs []string) ([]NetworkInterface, error) {
	return e.interfaces(ctx, []filterValues{{"network-interface-id", ids}, {"group-id", groupIDs}})
}

// InterfacesIn describes the interfaces in the given subnets, or, with
// subnets empty, in the given VPCs.
func (e *EC2) InterfacesIn(ctx context.Context, subnets, vpcs []string) ([]NetworkInterface, error) {
	if len(subnets) > 0 {
		return e.interfaces(ctx, []filterValues{{"subnet-id", subnets}})
	}
	return e.interfaces(ctx, []filterValues{{"vpc-id", vpcs}})
}

// filterValues is one filter of a lookup and its values.
type filterValues struct {
	name   string
	values []string
}

// interfaces describes the interfaces matching any of the filters, each
// once.
func (e *EC2) interfaces(ctx context.Context, queries []filterValues) ([]NetworkInterface, error) {
	var out []NetworkInterface
	seen := map[string]bool{}
	for _, q := range queries {
		for _, c := range chunks(q.values) {
			p := ec2.NewDescribeNetworkInterfacesPaginator(e.Client, &ec2.DescribeNetworkInterfacesInput{
				Filters: []types.Filter{filter(q.name, c)},
			})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					return nil, err
				}
				for _, n := range page.NetworkInterfaces {
					id := aws.ToString(n.NetworkInterfaceId)
					if seen[id] {
						continue
					}
					seen[id] = true
					out = append(out, networkInterface(n))
				}
			}
		}
	}
	return out, nil
}

func networkInterface(n types.NetworkInterface) NetworkInterface {
	ni := NetworkInterface{ID: aws.ToString(n.NetworkInterfaceId), SubnetID: aws.ToString(n.SubnetId), VPCID: aws.ToString(n.VpcId),
		LoadBalancer: loadBalancerOf(aws.ToString(n.Description)), Tags: tags(n.TagSet)}
	if n.Attachment != nil {
		ni.InstanceID = aws.ToString(n.Attachment.InstanceId)
	}
	for _, g := range n.Groups {
		ni.SecurityGroups = append(ni.SecurityGroups, aws.ToString(g.GroupId))
	}
	if n.Association != nil {
		ni.PublicIPv4 = appendPublic(ni.PublicIPv4, aws.ToString(n.Association.PublicIp))
	}
	for _, ip := range n.Ipv6Addresses {
		ni.IPv6 = appendPublic(ni.IPv6, aws.ToString(ip.Ipv6Address))
	}
	ni.PublicIPs = slices.Concat(ni.PublicIPv4, ni.IPv6)
	return ni
}

// loadBalancerOf reads the load balancer an interface belongs to from the
// description Elastic Load Balancing gives it: "ELB app/NAME/ID" or "ELB
// net/NAME/ID" (v2), "ELB NAME" (classic). Any other description gives "".
func loadBalancerOf(description string) string {
	name, ok := strings.CutPrefix(description, "ELB ")
	if !ok || name == "" || strings.ContainsAny(name, " ") {
		return ""
	}
	return name
}

// tags turns EC2 tags into a map; nil when there are none.
func tags(ts []types.Tag) map[string]string {
	return tagMap(ts, func(t types.Tag) (*string, *string) { return t.Key, t.Value })
}

// tagMap turns any API's tags into a map, kv giving each one's key and
// value; nil when there are none.
func tagMap[T any](ts []T, kv func(T) (*string, *string)) map[string]string {
	var out map[string]string
	for _, t := range ts {
		if out == nil {
			out = map[string]string{}
		}
		k, v := kv(t)
		out[aws.ToString(k)] = aws.ToString(v)
	}
	return out
}
