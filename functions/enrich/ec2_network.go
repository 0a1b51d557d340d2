package main

import (
	"context"
	"errors"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/aws/smithy-go"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// RouteTables describes the route tables with the given ids, or, with ids
// empty, every route table of the given VPCs (the main table included,
// which serves the subnets with no association of their own).
func (e *EC2) RouteTables(ctx context.Context, ids, vpcs []string) ([]finding.RouteTable, error) {
	q := filterValues{"route-table-id", ids}
	if len(ids) == 0 {
		q = filterValues{"vpc-id", vpcs}
	}
	var out []finding.RouteTable
	for _, c := range chunks(q.values) {
		p := ec2.NewDescribeRouteTablesPaginator(e.Client, &ec2.DescribeRouteTablesInput{Filters: []types.Filter{filter(q.name, c)}})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, t := range page.RouteTables {
				out = append(out, routeTable(t))
			}
		}
	}
	return out, nil
}

func routeTable(t types.RouteTable) finding.RouteTable {
	rt := finding.RouteTable{ID: aws.ToString(t.RouteTableId), VPCID: aws.ToString(t.VpcId), Tags: tags(t.Tags), Associations: map[string]string{}}
	for _, a := range t.Associations {
		if a.AssociationState != nil && a.AssociationState.State != "" && a.AssociationState.State != types.RouteTableAssociationStateCodeAssociated {
			continue
		}
		subnet := aws.ToString(a.SubnetId)
		rt.Associations[aws.ToString(a.RouteTableAssociationId)] = subnet
		if aws.ToBool(a.Main) {
			rt.Main = true
		}
		if subnet != "" {
			rt.Subnets = append(rt.Subnets, subnet)
		}
	}
	for _, r := range t.Routes {
		dest := aws.ToString(r.DestinationCidrBlock)
		if dest == "" {
			dest = aws.ToString(r.DestinationIpv6CidrBlock)
		}
		if dest == "" {
			dest = aws.ToString(r.DestinationPrefixListId)
		}
		target := firstSet(r.GatewayId, r.NatGatewayId, r.EgressOnlyInternetGatewayId, r.TransitGatewayId,
			r.VpcPeeringConnectionId, r.NetworkInterfaceId, r.InstanceId, r.LocalGatewayId, r.CarrierGatewayId, r.CoreNetworkArn)
		rt.Routes = append(rt.Routes, finding.Route{Destination: dest, Target: target, Blackhole: r.State == types.RouteStateBlackhole})
	}
	return rt
}

// firstSet returns the first non-empty value.
func firstSet(values ...*string) string {
	for _, v := range values {
		if s := aws.ToString(v); s != "" {
			return s
		}
	}
	return ""
}

// NetworkACLs describes the network ACLs with the given ids, or, with ids
// empty, those associated with the given subnets.
func (e *EC2) NetworkACLs(ctx context.Context, ids, subnets []string) ([]finding.NetworkACL, error) {
	q := filterValues{"association.network-acl-id", ids}
	if len(ids) == 0 {
		q = filterValues{"association.subnet-id", subnets}
	}
	var out []finding.NetworkACL
	for _, c := range chunks(q.values) {
		p := ec2.NewDescribeNetworkAclsPaginator(e.Client, &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{filter(q.name, c)}})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, a := range page.NetworkAcls {
				out = append(out, networkACL(a))
			}
		}
	}
	return out, nil
}

func networkACL(a types.NetworkAcl) finding.NetworkACL {
	acl := finding.NetworkACL{ID: aws.ToString(a.NetworkAclId), VPCID: aws.ToString(a.VpcId), Default: aws.ToBool(a.IsDefault), Tags: tags(a.Tags)}
	for _, as := range a.Associations {
		if s := aws.ToString(as.SubnetId); s != "" {
			acl.Subnets = append(acl.Subnets, s)
		}
	}
	for _, en := range a.Entries {
		entry := finding.ACLEntry{Number: int(aws.ToInt32(en.RuleNumber)), Egress: aws.ToBool(en.Egress), Allow: en.RuleAction == types.RuleActionAllow,
			Protocol: finding.NormalizeProtocol(aws.ToString(en.Protocol)), FromPort: -1, ToPort: -1, CIDR: aws.ToString(en.CidrBlock)}
		if entry.CIDR == "" {
			entry.CIDR = aws.ToString(en.Ipv6CidrBlock)
		}
		if en.PortRange != nil && (entry.Protocol == "tcp" || entry.Protocol == "udp") {
			entry.FromPort, entry.ToPort = int(aws.ToInt32(en.PortRange.From)), int(aws.ToInt32(en.PortRange.To))
		}
		acl.Entries = append(acl.Entries, entry)
	}
	return acl
}

// PrefixLists gets the entries of each managed prefix list, one call (and
// its pages) per list. A list that does not exist is absent.
func (e *EC2) PrefixLists(ctx context.Context, ids []string) ([]finding.PrefixList, error) {
	var out []finding.PrefixList
	for _, id := range ids {
		pl := finding.PrefixList{ID: id}
		p := ec2.NewGetManagedPrefixListEntriesPaginator(e.Client, &ec2.GetManagedPrefixListEntriesInput{PrefixListId: aws.String(id)})
		found := true
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if isCode(err, "InvalidPrefixListID.NotFound", "InvalidPrefixListId.NotFound") {
				found = false
				break
			}
			if err != nil {
				return nil, err
			}
			for _, en := range page.Entries {
				pl.CIDRs = append(pl.CIDRs, aws.ToString(en.Cidr))
			}
		}
		if found {
			out = append(out, pl)
		}
	}
	return out, nil
}

// Subnets describes the subnets with the given ids.
func (e *EC2) Subnets(ctx context.Context, ids []string) ([]Subnet, error) {
	var out []Subnet
	for _, c := range chunks(ids) {
		p := ec2.NewDescribeSubnetsPaginator(e.Client, &ec2.DescribeSubnetsInput{Filters: []types.Filter{filter("subnet-id", c)}})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, s := range page.Subnets {
				out = append(out, Subnet{ID: aws.ToString(s.SubnetId), VPCID: aws.ToString(s.VpcId), MapPublicIPOnLaunch: aws.ToBool(s.MapPublicIpOnLaunch),
					AssignIPv6OnCreate: aws.ToBool(s.AssignIpv6AddressOnCreation), Tags: tags(s.Tags)})
			}
		}
	}
	return out, nil
}

// isCode reports whether err is an API error with one of the codes.
func isCode(err error, codes ...string) bool {
	var api smithy.APIError
	if err == nil || !errors.As(err, &api) {
		return false
	}
	for _, c := range codes {
		if api.ErrorCode() == c {
			return true
		}
	}
	return false
}
