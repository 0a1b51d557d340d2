package finding

import (
	"cmp"
	"encoding/json"
	"strings"
)

// parseAttachInternetGateway opens: the VPC gets a gateway to the internet.
// Its subnets are reachable only once a route and public IPs follow, but
// this is the call that makes any of that possible.
func parseAttachInternetGateway(rec *record, f *Finding) error {
	var req struct {
		InternetGatewayID string `json:"internetGatewayId"`
		VPCID             string `json:"vpcId"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	if req.InternetGatewayID == "" || req.VPCID == "" {
		return &MalformedEventError{Reason: "requestParameters needs internetGatewayId and vpcId"}
	}
	f.Resources = append(f.Resources,
		Resource{Type: TypeInternetGateway, ID: req.InternetGatewayID},
		Resource{Type: TypeVPC, ID: req.VPCID})
	f.OpensExposure = true
	return nil
}

// parseRoute reads CreateRoute and ReplaceRoute (same request shape). A
// route to an internet gateway is recorded in Requested.Routes; it opens
// exposure when its destination is the whole internet (an IPv4 or IPv6
// prefix of length 0). Routes to other targets (NAT gateways, egress-only
// gateways, peering, transit gateways, ...) are outbound or private and
// open nothing.
func parseRoute(rec *record, f *Finding) error {
	var req struct {
		RouteTableID             string `json:"routeTableId"`
		DestinationCIDRBlock     string `json:"destinationCidrBlock"`
		DestinationIPv6CIDRBlock string `json:"destinationIpv6CidrBlock"`
		DestinationPrefixListID  string `json:"destinationPrefixListId"`
		GatewayID                string `json:"gatewayId"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	if err := addResource(f, Resource{Type: TypeRouteTable, ID: req.RouteTableID}, "requestParameters has no routeTableId"); err != nil {
		return err
	}
	if !strings.HasPrefix(req.GatewayID, "igw-") {
		return nil
	}
	f.Resources = append(f.Resources, Resource{Type: TypeInternetGateway, ID: req.GatewayID})
	for _, dest := range []string{req.DestinationCIDRBlock, req.DestinationIPv6CIDRBlock, req.DestinationPrefixListID} {
		if dest == "" {
			continue
		}
		f.Requested.Routes = append(f.Requested.Routes, dest+" -> "+req.GatewayID)
		if WorldOpen(dest) {
			f.OpensExposure = true
		}
	}
	return nil
}

// parseNetworkACLEntry reads CreateNetworkAclEntry and
// ReplaceNetworkAclEntry (same request shape). An inbound allow entry is
// recorded in Requested.IngressRules (protocol number as its name, port
// range, or ICMP type and code); it opens exposure when its source is the
// whole internet. Deny and outbound entries open nothing and are not
// recorded as rules.
func parseNetworkACLEntry(rec *record, f *Finding) error {
	var req struct {
		NetworkACLID string `json:"networkAclId"`
		Egress       bool   `json:"egress"`
		RuleAction   string `json:"ruleAction"`
		Protocol     string `json:"aclProtocol"`
		CIDRBlock    string `json:"cidrBlock"`
		IPv6CIDR     string `json:"ipv6CidrBlock"`
		PortRange    struct {
			From *json.Number `json:"from"`
			To   *json.Number `json:"to"`
		} `json:"portRange"`
		ICMPTypeCode struct {
			Type *json.Number `json:"type"`
			Code *json.Number `json:"code"`
		} `json:"icmpTypeCode"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	if err := addResource(f, Resource{Type: TypeNetworkACL, ID: req.NetworkACLID}, "requestParameters has no networkAclId"); err != nil {
		return err
	}
	if req.Egress || !strings.EqualFold(req.RuleAction, "allow") {
		return nil
	}
	from, to := req.PortRange.From, req.PortRange.To
	switch NormalizeProtocol(req.Protocol) {
	case "icmp", "icmpv6":
		from, to = req.ICMPTypeCode.Type, req.ICMPTypeCode.Code
	}
	base, err := ruleBase(req.Protocol, from, to, "")
	if err != nil {
		return err
	}
	for _, cidr := range []string{req.CIDRBlock, req.IPv6CIDR} {
		if cidr != "" {
			f.Requested.IngressRules = append(f.Requested.IngressRules, base.WithCIDR(cidr))
		}
	}
	f.OpensExposure = anyWorldOpen(f.Requested.IngressRules)
	return nil
}

// parseReplaceRouteTableAssociation reads ReplaceRouteTableAssociation:
// the route table a subnet (or, for the main association, the VPC) now
// uses, and the new association (responseElements.newAssociationId, else
// the request's associationId), by which enrich finds the subnet. The
// request alone opens nothing: confirmReplaceRouteTableAssociation decides.
func parseReplaceRouteTableAssociation(rec *record, f *Finding) error {
	var req struct {
		AssociationID string `json:"associationId"`
		RouteTableID  string `json:"routeTableId"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	var resp struct {
		NewAssociationID string `json:"newAssociationId"`
	}
	if err := decodeParams(rec.ResponseElements, &resp, "responseElements"); err != nil {
		return err
	}
	if err := addResource(f, Resource{Type: TypeRouteTable, ID: req.RouteTableID}, "requestParameters has no routeTableId"); err != nil {
		return err
	}
	if id := cmp.Or(resp.NewAssociationID, req.AssociationID); id != "" {
		f.Resources = append(f.Resources, Resource{Type: TypeRouteAssociation, ID: id})
	}
	return nil
}

// confirmReachedThrough opens exposure when enrichment finds resources the
// internet reaches through the changed route table.
func confirmReachedThrough(f *Finding) {
	f.OpensExposure = false
	for _, r := range f.Resources {
		if r.Reachable != nil && *r.Reachable {
			f.OpensExposure = true
		}
	}
}

// parseModifySubnetAttribute reads ModifySubnetAttribute: mapPublicIpOnLaunch
// true gives every instance launched in the subnet a public IPv4 address,
// assignIpv6AddressOnCreation true an IPv6 one; either opens (Requested.
// PublicIP), until confirmReachedThrough finds the subnet does not route
// that family's internet to an internet gateway. Other attributes, and
// false, change no existing exposure.
func parseModifySubnetAttribute(rec *record, f *Finding) error {
	type flag struct {
		Value *bool `json:"value"`
	}
	var req struct {
		SubnetID                    string `json:"subnetId"`
		MapPublicIPOnLaunch         *flag  `json:"mapPublicIpOnLaunch"`
		AssignIPv6AddressOnCreation *flag  `json:"assignIpv6AddressOnCreation"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	if err := addResource(f, Resource{Type: TypeSubnet, ID: req.SubnetID}, "requestParameters has no subnetId"); err != nil {
		return err
	}
	for _, fl := range []*flag{req.MapPublicIPOnLaunch, req.AssignIPv6AddressOnCreation} {
		if fl != nil && fl.Value != nil && *fl.Value {
			f.Requested.PublicIP = true
			f.OpensExposure = true
		}
	}
	return nil
}

// ec2VPCCatalog are the catalog entries parsed in this file.
var ec2VPCCatalog = []Entry{
	{EventSource: ec2Source, EventName: "AttachInternetGateway", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Attaches an internet gateway to a VPC: its subnets become routable from the internet once a route and public IPs follow.",
		parse:       parseAttachInternetGateway},
	{EventSource: ec2Source, EventName: "CreateRoute", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Adds a route; opens when it sends the whole internet (0.0.0.0/0 or ::/0) to an internet gateway.",
		parse:       parseRoute},
	{EventSource: ec2Source, EventName: "ReplaceRoute", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Replaces a route's target; opens when it sends the whole internet (0.0.0.0/0 or ::/0) to an internet gateway.",
		parse:       parseRoute},
	{EventSource: ec2Source, EventName: "CreateNetworkAclEntry", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Adds a network ACL entry; opens when it is an inbound allow from a source with prefix length 0.",
		parse:       parseNetworkACLEntry},
	{EventSource: ec2Source, EventName: "ReplaceRouteTableAssociation", Category: CategoryNetwork, Effect: EffectVaries,
		Description: "Moves a subnet (or the VPC's main association) to another route table; opens when enrichment finds resources the internet reaches through the new table.",
		parse:       parseReplaceRouteTableAssociation, confirm: confirmReachedThrough},
	{EventSource: ec2Source, EventName: "ModifySubnetAttribute", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Changes a subnet attribute; mapPublicIpOnLaunch (or assignIpv6AddressOnCreation) true gives new instances public addresses, which opens once enrichment finds the subnet routed to an internet gateway.",
		parse:       parseModifySubnetAttribute, confirm: confirmReachedThrough},
	{EventSource: ec2Source, EventName: "ReplaceNetworkAclEntry", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Replaces a network ACL entry; opens when it becomes an inbound allow from a source with prefix length 0.",
		parse:       parseNetworkACLEntry},
}
