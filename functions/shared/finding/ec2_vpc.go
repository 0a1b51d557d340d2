package finding

import (
	"cmp"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
)

// parseInternetGateway reads AttachInternetGateway (attach true), which
// opens: the VPC gets a gateway to the internet (its subnets are reachable
// only once a route and public IPs follow, but this is the call that makes
// any of that possible); and DetachInternetGateway, same request, which
// closes.
func parseInternetGateway(attach bool) func(*record, *Finding) error {
	return func(rec *record, f *Finding) error {
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
		f.OpensExposure = attach
		f.ClosesExposure = !attach
		return nil
	}
}

// routeRequest is the request of CreateRoute, ReplaceRoute and
// DeleteRoute (which has only the table and a destination).
type routeRequest struct {
	RouteTableID             string `json:"routeTableId"`
	DestinationCIDRBlock     string `json:"destinationCidrBlock"`
	DestinationIPv6CIDRBlock string `json:"destinationIpv6CidrBlock"`
	DestinationPrefixListID  string `json:"destinationPrefixListId"`
	GatewayID                string `json:"gatewayId"`
}

func (r routeRequest) destinations() []string {
	var out []string
	for _, d := range []string{r.DestinationCIDRBlock, r.DestinationIPv6CIDRBlock, r.DestinationPrefixListID} {
		if d != "" {
			out = append(out, d)
		}
	}
	return out
}

// decodeRoute decodes a route request and adds its route table to f.
func decodeRoute(rec *record, f *Finding) (routeRequest, error) {
	var req routeRequest
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return req, err
	}
	return req, addResource(f, Resource{Type: TypeRouteTable, ID: req.RouteTableID}, "requestParameters has no routeTableId")
}

// parseDeleteRoute is a candidate close when it deletes the route for the
// whole internet (0.0.0.0/0 or ::/0), the route an internet gateway
// exposes subnets by: the request does not say where the route went. The
// destination goes to Requested.Removed.
func parseDeleteRoute(rec *record, f *Finding) error {
	req, err := decodeRoute(rec, f)
	if err != nil {
		return err
	}
	for _, d := range req.destinations() {
		f.Requested.Removed = append(f.Requested.Removed, d)
		if WorldOpen(d) {
			f.ClosesExposure = true
		}
	}
	return nil
}

// parseRoute reads CreateRoute and ReplaceRoute (replace true; same
// request shape). A route to an internet gateway is recorded in
// Requested.Routes; it opens exposure when its destination is the whole
// internet (an IPv4 or IPv6 prefix of length 0). Routes to other targets
// (NAT gateways, egress-only gateways, peering, transit gateways, ...) are
// outbound or private and open nothing; a replacement that points the
// whole internet's route at one of them is a candidate close (the route
// may have led to an internet gateway before), its destinations in
// Requested.Removed (the routes it replaced).
func parseRoute(replace bool) func(*record, *Finding) error {
	return func(rec *record, f *Finding) error {
		req, err := decodeRoute(rec, f)
		if err != nil {
			return err
		}
		if !strings.HasPrefix(req.GatewayID, "igw-") {
			f.ClosesExposure = replace && slices.ContainsFunc(req.destinations(), WorldOpen)
			if f.ClosesExposure {
				f.Requested.Removed = req.destinations()
			}
			return nil
		}
		f.Resources = append(f.Resources, Resource{Type: TypeInternetGateway, ID: req.GatewayID})
		for _, dest := range req.destinations() {
			f.Requested.Routes = append(f.Requested.Routes, dest+" -> "+req.GatewayID)
			if WorldOpen(dest) {
				f.OpensExposure = true
			}
		}
		return nil
	}
}

// parseNetworkACLEntry reads CreateNetworkAclEntry and
// ReplaceNetworkAclEntry (replace true; same request shape). An inbound
// allow entry is recorded in Requested.IngressRules (protocol number as its
// name, port range, or ICMP type and code); it opens exposure when its
// source is the whole internet. Deny and outbound entries open nothing and
// are not recorded as rules; each rule carries its entry's number (Entry).
// A replaced inbound entry that is no longer an allow from the world is a
// candidate close, the entry in Requested.Removed as "inbound rule
// <number>" (as DeleteNetworkAclEntry names it).
func parseNetworkACLEntry(replace bool) func(*record, *Finding) error {
	return func(rec *record, f *Finding) error {
		number, egress, err := networkACLEntry(rec, f)
		if err != nil {
			return err
		}
		f.ClosesExposure = replace && !f.OpensExposure && !egress
		if f.ClosesExposure && number != "" {
			f.Requested.Removed = []string{ACLEntryName(false, number)}
		}
		return nil
	}
}

// ACLEntryName names a network ACL entry as Requested.Removed does:
// "inbound rule 100", "outbound rule 100".
func ACLEntryName(egress bool, number string) string {
	if egress {
		return "outbound rule " + number
	}
	return "inbound rule " + number
}

// parseDeleteNetworkACLEntry is a candidate close when it deletes an
// inbound entry: an allow entry gone closes what it admitted (a deny entry
// gone can open traffic instead, which the request cannot tell). The entry
// goes to Requested.Removed as "inbound rule <number>".
func parseDeleteNetworkACLEntry(rec *record, f *Finding) error {
	var req struct {
		NetworkACLID string       `json:"networkAclId"`
		Egress       bool         `json:"egress"`
		RuleNumber   *json.Number `json:"ruleNumber"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	if err := addResource(f, Resource{Type: TypeNetworkACL, ID: req.NetworkACLID}, "requestParameters has no networkAclId"); err != nil {
		return err
	}
	if req.RuleNumber != nil {
		f.Requested.Removed = []string{ACLEntryName(req.Egress, req.RuleNumber.String())}
	}
	f.ClosesExposure = !req.Egress
	return nil
}

// networkACLEntry records the inbound allow entry of a CreateNetworkAclEntry
// or ReplaceNetworkAclEntry request, and returns its number ("" when the
// request has none) and whether it is outbound.
func networkACLEntry(rec *record, f *Finding) (number string, egress bool, err error) {
	var req struct {
		NetworkACLID string       `json:"networkAclId"`
		RuleNumber   *json.Number `json:"ruleNumber"`
		Egress       bool         `json:"egress"`
		RuleAction   string       `json:"ruleAction"`
		Protocol     string       `json:"aclProtocol"`
		CIDRBlock    string       `json:"cidrBlock"`
		IPv6CIDR     string       `json:"ipv6CidrBlock"`
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
		return "", false, err
	}
	if err := addResource(f, Resource{Type: TypeNetworkACL, ID: req.NetworkACLID}, "requestParameters has no networkAclId"); err != nil {
		return "", false, err
	}
	if req.RuleNumber != nil {
		number = req.RuleNumber.String()
	}
	if req.Egress || !strings.EqualFold(req.RuleAction, "allow") {
		return number, req.Egress, nil
	}
	from, to := req.PortRange.From, req.PortRange.To
	switch NormalizeProtocol(req.Protocol) {
	case "icmp", "icmpv6":
		from, to = req.ICMPTypeCode.Type, req.ICMPTypeCode.Code
	}
	base, err := ruleBase(req.Protocol, from, to, "")
	if err != nil {
		return "", false, err
	}
	if n, err := strconv.Atoi(number); err == nil {
		base.Entry = n
	}
	for _, cidr := range []string{req.CIDRBlock, req.IPv6CIDR} {
		if cidr != "" {
			f.Requested.IngressRules = append(f.Requested.IngressRules, base.WithCIDR(cidr))
		}
	}
	f.OpensExposure = anyWorldOpen(f.Requested.IngressRules)
	return number, false, nil
}

// Words shared by the network ACL entries.
var (
	aclOpenWords = Words{
		Headline: []string{"{ports} allowed from the world by {target}", "inbound traffic from the world allowed by {target}"},
		Advice:   "Check that the subnets behind this network ACL are meant to accept this traffic from the internet; delete the entry or narrow its source if not. Their security groups still apply behind it.",
	}
	aclClosingWords = Words{
		Headline: []string{"inbound entry of {target} replaced"},
		Advice:   "Check that the entry now allows only known sources; nothing more to do if the change was intended.",
	}
	routeOpenWords = Words{
		Headline: []string{"route {routes} set on {target}", "internet route set on {target}"},
		Advice:   "Check that the subnets using this route table are meant to be public (reachable through the internet gateway); remove the route, or point it at a NAT gateway, if not.",
	}
)

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
		parse:       parseInternetGateway(true),
		Words: Words{
			Headline: []string{"internet gateway {target} attached to {vpc}", "internet gateway {target} attached"},
			Advice:   "Check that the VPC is meant to have internet access; its subnets become reachable once a route to the gateway and public IPs follow. Detach the gateway if not.",
		}},
	{EventSource: ec2Source, EventName: "DetachInternetGateway", Category: CategoryNetwork, Effect: EffectCloses,
		Description: "Detaches an internet gateway from a VPC, closing the VPC's routes to the internet through it.",
		parse:       parseInternetGateway(false),
		Words: Words{
			Headline: []string{"internet gateway {target} detached from {vpc}", "internet gateway {target} detached"},
			Advice:   "Nothing to do if expected: the VPC can no longer be reached from the internet through this gateway, and open alerts about it are resolved.",
		}},
	{EventSource: ec2Source, EventName: "CreateRoute", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Adds a route; opens when it sends the whole internet (0.0.0.0/0 or ::/0) to an internet gateway.",
		parse:       parseRoute(false),
		Words:       routeOpenWords},
	{EventSource: ec2Source, EventName: "ReplaceRoute", Category: CategoryNetwork, Effect: EffectVaries,
		Description: "Replaces a route's target; opens when it sends the whole internet (0.0.0.0/0 or ::/0) to an internet gateway, a candidate close when it sends it anywhere else.",
		parse:       parseRoute(true),
		Words:       routeOpenWords,
		Closing: Words{
			Headline: []string{"internet route of {target} pointed away from the internet gateway", "route of {target} replaced"},
			Advice:   "Nothing to do if intended: the whole internet's route of this table no longer leads to an internet gateway.",
		}},
	{EventSource: ec2Source, EventName: "DeleteRoute", Category: CategoryNetwork, Effect: EffectCloses,
		Description: "Deletes a route; a candidate close when it is the whole internet's (0.0.0.0/0 or ::/0), the route an internet gateway exposes subnets by.",
		parse:       parseDeleteRoute,
		Words: Words{
			Headline: []string{"route {removed} deleted from {target}"},
			Advice:   "Nothing to do if intended: subnets using this table no longer reach the internet by this route.",
		}},
	{EventSource: ec2Source, EventName: "CreateNetworkAclEntry", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Adds a network ACL entry; opens when it is an inbound allow from a source with prefix length 0.",
		parse:       parseNetworkACLEntry(false),
		Words:       aclOpenWords},
	{EventSource: ec2Source, EventName: "ReplaceNetworkAclEntry", Category: CategoryNetwork, Effect: EffectVaries,
		Description: "Replaces a network ACL entry; opens when it becomes an inbound allow from a source with prefix length 0, a candidate close when an inbound entry becomes anything else.",
		parse:       parseNetworkACLEntry(true),
		Words:       aclOpenWords,
		Closing:     aclClosingWords},
	{EventSource: ec2Source, EventName: "DeleteNetworkAclEntry", Category: CategoryNetwork, Effect: EffectCloses,
		Description: "Deletes a network ACL entry; a candidate close for an inbound one (the request does not say whether it allowed or denied).",
		parse:       parseDeleteNetworkACLEntry,
		Words: Words{
			Headline: []string{"{removed} deleted from {target}", "entry deleted from {target}"},
			Advice:   "Check which entry this was: deleting an allow entry closes what it admitted, deleting a deny entry can open traffic instead (the request does not say which).",
		}},
	{EventSource: ec2Source, EventName: "ReplaceRouteTableAssociation", Category: CategoryNetwork, Effect: EffectVaries,
		Description: "Moves a subnet (or the VPC's main association) to another route table; opens when enrichment finds resources the internet reaches through the new table.",
		parse:       parseReplaceRouteTableAssociation, confirm: confirmReachedThrough,
		Words: Words{
			Headline: []string{"subnet moved to route table {target}, reachable from the internet", "route table {target} now used by a subnet"},
			Advice:   "Check that the subnet is meant to be public: its route table now sends the internet to an internet gateway and the resources listed are reachable; move it back to a private route table if not.",
		},
		Closing: Words{
			Headline: []string{"subnet moved to route table {target}"},
			Advice:   "Nothing to do if intended: check the subnet's new route table is the one it should use.",
		}},
	{EventSource: ec2Source, EventName: "ModifySubnetAttribute", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Changes a subnet attribute; mapPublicIpOnLaunch (or assignIpv6AddressOnCreation) true gives new instances public addresses, which opens once enrichment finds the subnet routed to an internet gateway.",
		parse:       parseModifySubnetAttribute, confirm: confirmReachedThrough,
		Words: Words{
			Headline: []string{"{target} now gives new instances public IPs", "public IPs on launch in {target}"},
			Advice:   "Check that the subnet is meant to be public: every instance launched in it now gets a public address, reachable through its internet route; turn auto-assign public IP off if not.",
		}},
}
