package finding

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

type groupItem struct {
	GroupID   string `json:"groupId"`
	GroupName string `json:"groupName"`
}

func groupIDs(set items[groupItem], into []string) []string {
	for _, g := range set.Items {
		if g.GroupID != "" {
			into = appendUnique(into, g.GroupID)
		}
	}
	return into
}

func parseRunInstances(rec *record, f *Finding) error {
	var req struct {
		GroupSet            items[groupItem] `json:"groupSet"`
		NetworkInterfaceSet items[struct {
			AssociatePublicIPAddress *bool            `json:"associatePublicIpAddress"`
			GroupSet                 items[groupItem] `json:"groupSet"`
		}] `json:"networkInterfaceSet"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	var resp struct {
		InstancesSet items[struct {
			InstanceID          string           `json:"instanceId"`
			GroupSet            items[groupItem] `json:"groupSet"`
			NetworkInterfaceSet items[struct {
				Association *struct {
					PublicIP string `json:"publicIp"`
				} `json:"association"`
			}] `json:"networkInterfaceSet"`
		}] `json:"instancesSet"`
	}
	if err := decodeParams(rec.ResponseElements, &resp, "responseElements"); err != nil {
		return err
	}
	f.Requested.SecurityGroups = groupIDs(req.GroupSet, f.Requested.SecurityGroups)
	for _, ni := range req.NetworkInterfaceSet.Items {
		if ni.AssociatePublicIPAddress != nil && *ni.AssociatePublicIPAddress {
			f.Requested.PublicIP = true
		}
		f.Requested.SecurityGroups = groupIDs(ni.GroupSet, f.Requested.SecurityGroups)
	}
	for _, in := range resp.InstancesSet.Items {
		if in.InstanceID == "" {
			continue
		}
		f.Resources = append(f.Resources, Resource{Type: TypeInstance, ID: in.InstanceID})
		f.Requested.SecurityGroups = groupIDs(in.GroupSet, f.Requested.SecurityGroups)
		for _, ni := range in.NetworkInterfaceSet.Items {
			if ni.Association != nil && ni.Association.PublicIP != "" {
				f.Requested.PublicIP = true
				f.Requested.PublicIPs = appendUnique(f.Requested.PublicIPs, ni.Association.PublicIP)
			}
		}
	}
	f.OpensExposure = f.Requested.PublicIP && len(f.Resources) > 0
	return nil
}

// confirmRunInstances: an instance launched without asking for a public IP
// still gets one when its subnet maps public IPs on launch.
func confirmRunInstances(f *Finding) {
	for _, r := range f.Resources {
		if r.Type == TypeInstance && len(r.PublicIPs) > 0 {
			f.OpensExposure = true
		}
	}
}

func parseAllocateAddress(rec *record, f *Finding) error {
	var resp struct {
		PublicIP     string `json:"publicIp"`
		AllocationID string `json:"allocationId"`
	}
	if err := decodeParams(rec.ResponseElements, &resp, "responseElements"); err != nil {
		return err
	}
	id := resp.AllocationID
	if id == "" {
		id = resp.PublicIP
	}
	if id != "" {
		f.Resources = append(f.Resources, Resource{Type: TypeElasticIP, ID: id})
	}
	if resp.PublicIP != "" {
		f.Requested.PublicIP = true
		f.Requested.PublicIPs = []string{resp.PublicIP}
	}
	f.OpensExposure = f.Requested.PublicIP
	return nil
}

func parseAssociateAddress(rec *record, f *Finding) error {
	var req struct {
		AllocationID       string `json:"allocationId"`
		PublicIP           string `json:"publicIp"`
		InstanceID         string `json:"instanceId"`
		NetworkInterfaceID string `json:"networkInterfaceId"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	switch {
	case req.AllocationID != "":
		f.Resources = append(f.Resources, Resource{Type: TypeElasticIP, ID: req.AllocationID})
	case req.PublicIP != "":
		f.Resources = append(f.Resources, Resource{Type: TypeElasticIP, ID: req.PublicIP})
	default:
		return &MalformedEventError{Reason: "requestParameters has neither allocationId nor publicIp"}
	}
	if req.InstanceID != "" {
		f.Resources = append(f.Resources, Resource{Type: TypeInstance, ID: req.InstanceID})
	}
	if req.NetworkInterfaceID != "" {
		f.Resources = append(f.Resources, Resource{Type: TypeNetworkInterface, ID: req.NetworkInterfaceID})
	}
	if req.PublicIP != "" {
		f.Requested.PublicIPs = []string{req.PublicIP}
	}
	f.Requested.PublicIP = true
	f.OpensExposure = true
	return nil
}

// ipPermission is one entry of ipPermissions.items.
type ipPermission struct {
	IPProtocol string           `json:"ipProtocol"`
	FromPort   *json.Number     `json:"fromPort"`
	ToPort     *json.Number     `json:"toPort"`
	Groups     items[groupItem] `json:"groups"`
	IPRanges   items[struct {
		CIDRIP string `json:"cidrIp"`
	}] `json:"ipRanges"`
	IPv6Ranges items[struct {
		CIDRIPv6 string `json:"cidrIpv6"`
	}] `json:"ipv6Ranges"`
	PrefixListIDs items[struct {
		PrefixListID string `json:"prefixListId"`
	}] `json:"prefixListIds"`
}

// sgPermissions is the request of AuthorizeSecurityGroupIngress and
// RevokeSecurityGroupIngress in every form CloudTrail records: ipPermissions
// (the current form), the legacy top-level form (cidrIp, ipProtocol,
// fromPort, toPort, or sourceSecurityGroupName for a whole group), a
// groupName without groupId (default VPC), and, for Revoke only,
// securityGroupRuleIds.
type sgPermissions struct {
	GroupID       string              `json:"groupId"`
	GroupName     string              `json:"groupName"`
	IPPermissions items[ipPermission] `json:"ipPermissions"`
	// Legacy top-level form.
	CIDRIP                     string       `json:"cidrIp"`
	IPProtocol                 string       `json:"ipProtocol"`
	FromPort                   *json.Number `json:"fromPort"`
	ToPort                     *json.Number `json:"toPort"`
	SourceSecurityGroupName    string       `json:"sourceSecurityGroupName"`
	SourceSecurityGroupOwnerID string       `json:"sourceSecurityGroupOwnerId"`
	// SecurityGroupRuleIDs names rules to revoke by id.
	SecurityGroupRuleIDs ruleIDs `json:"securityGroupRuleIds"`
}

// rules returns the rules the request names, with groupID as their
// SecurityGroupID.
func (p sgPermissions) rules(groupID string) ([]Rule, error) {
	perms := p.IPPermissions.Items
	if p.CIDRIP != "" || p.SourceSecurityGroupName != "" {
		legacy := ipPermission{IPProtocol: p.IPProtocol, FromPort: p.FromPort, ToPort: p.ToPort}
		if p.CIDRIP != "" {
			legacy.IPRanges.Items = append(legacy.IPRanges.Items, struct {
				CIDRIP string `json:"cidrIp"`
			}{p.CIDRIP})
		}
		if p.SourceSecurityGroupName != "" {
			legacy.Groups.Items = append(legacy.Groups.Items, groupItem{GroupName: p.SourceSecurityGroupName})
		}
		perms = append(perms, legacy)
	}
	var out []Rule
	for _, perm := range perms {
		rules, err := permissionRules(perm, groupID)
		if err != nil {
			return nil, err
		}
		out = append(out, rules...)
	}
	return out, nil
}

// ruleIDs reads securityGroupRuleIds, whose CloudTrail shape no public
// sample shows: a list of strings, or EC2's {"items": [...]} of strings or of
// {"securityGroupRuleId": ...} objects.
type ruleIDs []string

func (r *ruleIDs) UnmarshalJSON(data []byte) error {
	var list []json.RawMessage
	if err := json.Unmarshal(data, &list); err != nil {
		var wrapped items[json.RawMessage]
		if err := json.Unmarshal(data, &wrapped); err != nil {
			return err
		}
		list = wrapped.Items
	}
	for _, raw := range list {
		var id string
		if json.Unmarshal(raw, &id) != nil {
			var obj struct {
				SecurityGroupRuleID string `json:"securityGroupRuleId"`
			}
			if err := json.Unmarshal(raw, &obj); err != nil {
				return err
			}
			id = obj.SecurityGroupRuleID
		}
		if id != "" {
			*r = append(*r, id)
		}
	}
	return nil
}

// securityGroupRuleSet is the response of AuthorizeSecurityGroupIngress:
// the rules created, with their group.
type securityGroupRuleSet struct {
	SecurityGroupRuleSet items[struct {
		GroupID string `json:"groupId"`
	}] `json:"securityGroupRuleSet"`
}

// sgTarget decodes a security-group rule request and returns it with the
// group's id (from the request or, for the groupName-only form, from the
// response) and the group as a Resource.
func sgTarget(rec *record) (sgPermissions, string, Resource, error) {
	var req sgPermissions
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return req, "", Resource{}, err
	}
	var resp securityGroupRuleSet
	if err := decodeParams(rec.ResponseElements, &resp, "responseElements"); err != nil {
		return req, "", Resource{}, err
	}
	id := req.GroupID
	for _, r := range resp.SecurityGroupRuleSet.Items {
		if id == "" && r.GroupID != "" {
			id = r.GroupID
		}
	}
	if id == "" && req.GroupName == "" {
		return req, "", Resource{}, &MalformedEventError{Reason: "requestParameters has neither groupId nor groupName"}
	}
	return req, id, Resource{Type: TypeSecurityGroup, ID: firstNonEmpty(id, req.GroupName), Name: req.GroupName}, nil
}

func parseAuthorizeSecurityGroupIngress(rec *record, f *Finding) error {
	req, id, group, err := sgTarget(rec)
	if err != nil {
		return err
	}
	f.Resources = append(f.Resources, group)
	rules, err := req.rules(id)
	if err != nil {
		return err
	}
	f.Requested.IngressRules = append(f.Requested.IngressRules, rules...)
	f.OpensExposure = anyWorldOpen(rules)
	return nil
}

// parseRevokeSecurityGroupIngress closes exposure when a revoked rule was
// world-open. Revoked rules are not recorded in Requested.IngressRules,
// which holds rules added; a revocation by securityGroupRuleIds alone cannot
// tell what it removed, so it never closes.
func parseRevokeSecurityGroupIngress(rec *record, f *Finding) error {
	req, id, group, err := sgTarget(rec)
	if err != nil {
		return err
	}
	f.Resources = append(f.Resources, group)
	rules, err := req.rules(id)
	if err != nil {
		return err
	}
	f.Requested.RevokedRules = rules
	f.ClosesExposure = anyWorldOpen(rules)
	return nil
}

func anyWorldOpen(rules []Rule) bool {
	for _, r := range rules {
		if r.WorldOpen {
			return true
		}
	}
	return false
}

// modifySecurityGroupRules is ModifySecurityGroupRules as CloudTrail
// records it: the request wrapped in ModifySecurityGroupRulesRequest, with
// capitalised members, and SecurityGroupRule an object for one rule or a
// list for several. API reference:
// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ModifySecurityGroupRules.html
// (SecurityGroupRuleUpdate, SecurityGroupRuleRequest).
type modifySecurityGroupRules struct {
	Request struct {
		GroupID string          `json:"GroupId"`
		Rules   json.RawMessage `json:"SecurityGroupRule"`
	} `json:"ModifySecurityGroupRulesRequest"`
}

type securityGroupRuleUpdate struct {
	SecurityGroupRuleID string `json:"SecurityGroupRuleId"`
	SecurityGroupRule   struct {
		IPProtocol        string       `json:"IpProtocol"`
		FromPort          *json.Number `json:"FromPort"`
		ToPort            *json.Number `json:"ToPort"`
		CIDRIPv4          string       `json:"CidrIpv4"`
		CIDRIPv6          string       `json:"CidrIpv6"`
		PrefixListID      string       `json:"PrefixListId"`
		ReferencedGroupID string       `json:"ReferencedGroupId"`
	} `json:"SecurityGroupRule"`
}

// parseModifySecurityGroupRules records the rules as they become. The
// request does not say whether a rule is ingress or egress, so the rules go
// to Requested.IngressRules and OpensExposure is set when one becomes
// world-open; confirmModifySecurityGroupRules keeps it only if the group's
// live ingress has that rule.
func parseModifySecurityGroupRules(rec *record, f *Finding) error {
	var req modifySecurityGroupRules
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	id := req.Request.GroupID
	if id == "" {
		return &MalformedEventError{Reason: "requestParameters has no ModifySecurityGroupRulesRequest.GroupId"}
	}
	var updates []securityGroupRuleUpdate
	if raw := req.Request.Rules; len(raw) > 0 && string(raw) != "null" {
		if raw[0] == '[' {
			if err := json.Unmarshal(raw, &updates); err != nil {
				return &MalformedEventError{Reason: "SecurityGroupRule", Err: err}
			}
		} else {
			var one securityGroupRuleUpdate
			if err := json.Unmarshal(raw, &one); err != nil {
				return &MalformedEventError{Reason: "SecurityGroupRule", Err: err}
			}
			updates = append(updates, one)
		}
	}
	f.Resources = append(f.Resources, Resource{Type: TypeSecurityGroup, ID: id})
	for _, u := range updates {
		r := u.SecurityGroupRule
		base, err := ruleBase(ipPermission{IPProtocol: r.IPProtocol, FromPort: r.FromPort, ToPort: r.ToPort}, id)
		if err != nil {
			return err
		}
		// A rule has exactly one source.
		switch {
		case r.CIDRIPv4 != "":
			f.Requested.IngressRules = append(f.Requested.IngressRules, cidrRule(base, r.CIDRIPv4))
		case r.CIDRIPv6 != "":
			f.Requested.IngressRules = append(f.Requested.IngressRules, cidrRule(base, r.CIDRIPv6))
		case r.PrefixListID != "":
			base.PrefixListID = r.PrefixListID
			f.Requested.IngressRules = append(f.Requested.IngressRules, base)
		case r.ReferencedGroupID != "":
			base.GroupID = r.ReferencedGroupID
			f.Requested.IngressRules = append(f.Requested.IngressRules, base)
		}
	}
	f.OpensExposure = anyWorldOpen(f.Requested.IngressRules)
	return nil
}

// confirmModifySecurityGroupRules keeps OpensExposure only when the group,
// as it is now, admits the world through one of the modified rules: a
// modified egress rule, or one changed again since, does not count.
func confirmModifySecurityGroupRules(f *Finding) {
	f.OpensExposure = false
	for _, r := range f.Resources {
		if r.Type != TypeSecurityGroup {
			continue
		}
		for _, live := range r.OpenIngress {
			for _, req := range f.Requested.IngressRules {
				if req.WorldOpen && sameRule(live, req) {
					f.OpensExposure = true
				}
			}
		}
	}
}

// sameRule compares protocol, ports (ignored for all traffic) and source.
func sameRule(a, b Rule) bool {
	if NormalizeProtocol(a.Protocol) != NormalizeProtocol(b.Protocol) {
		return false
	}
	if !a.AllTraffic() && (a.FromPort != b.FromPort || a.ToPort != b.ToPort) {
		return false
	}
	return sameCIDR(a.CIDR, b.CIDR) && a.PrefixListID == b.PrefixListID && a.GroupID == b.GroupID
}

func sameCIDR(a, b string) bool {
	pa, errA := netip.ParsePrefix(a)
	pb, errB := netip.ParsePrefix(b)
	if errA != nil || errB != nil {
		return a == b
	}
	return pa.Masked() == pb.Masked()
}

func parseCreateSecurityGroup(rec *record, f *Finding) error {
	var req struct {
		GroupName string `json:"groupName"`
		VPCID     string `json:"vpcId"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	var resp struct {
		GroupID string `json:"groupId"`
	}
	if err := decodeParams(rec.ResponseElements, &resp, "responseElements"); err != nil {
		return err
	}
	id := firstNonEmpty(resp.GroupID, req.GroupName)
	if id == "" {
		return &MalformedEventError{Reason: "neither responseElements.groupId nor requestParameters.groupName"}
	}
	f.Resources = append(f.Resources, Resource{Type: TypeSecurityGroup, ID: id, Name: req.GroupName})
	if req.VPCID != "" {
		f.Resources = append(f.Resources, Resource{Type: TypeVPC, ID: req.VPCID})
	}
	return nil
}

// parseGroupSwap reads ModifyInstanceAttribute and
// ModifyNetworkInterfaceAttribute: the resource, and the security groups
// that replace its groups when the call sets groupSet. Other attributes
// (instanceType, sourceDestCheck, ...) leave Requested empty. The request
// alone never opens: confirmGroupSwap decides from the live resource.
func parseGroupSwap(idField string, typ ResourceType) func(*record, *Finding) error {
	return func(rec *record, f *Finding) error {
		var req map[string]json.RawMessage
		if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
			return err
		}
		var id string
		if raw, ok := req[idField]; ok {
			if err := json.Unmarshal(raw, &id); err != nil {
				return &MalformedEventError{Reason: idField, Err: err}
			}
		}
		if id == "" {
			return &MalformedEventError{Reason: "requestParameters has no " + idField}
		}
		f.Resources = append(f.Resources, Resource{Type: typ, ID: id})
		if raw, ok := req["groupSet"]; ok {
			var set items[groupItem]
			if err := json.Unmarshal(raw, &set); err != nil {
				return &MalformedEventError{Reason: "groupSet", Err: err}
			}
			f.Requested.SecurityGroups = groupIDs(set, f.Requested.SecurityGroups)
		}
		return nil
	}
}

// confirmGroupSwap: the swap opens exposure when the resource now has a
// public IP and one of the groups the call set admits the world.
func confirmGroupSwap(f *Finding) {
	f.OpensExposure = false
	if len(f.Requested.SecurityGroups) == 0 {
		return
	}
	for _, r := range f.Resources {
		if len(r.PublicIPs) == 0 {
			continue
		}
		for _, rule := range r.OpenIngress {
			if slices.Contains(f.Requested.SecurityGroups, rule.SecurityGroupID) {
				f.OpensExposure = true
			}
		}
	}
}

// parseDisassociateAddress closes: the Elastic IP stops routing to the
// instance or interface (which may still keep, or be given, its own public
// IP). The request names the association, or for EC2-Classic the public IP;
// the resource's id is whichever it gives.
func parseDisassociateAddress(rec *record, f *Finding) error {
	var req struct {
		AssociationID string `json:"associationId"`
		PublicIP      string `json:"publicIp"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	id := firstNonEmpty(req.PublicIP, req.AssociationID)
	if id == "" {
		return &MalformedEventError{Reason: "requestParameters has neither associationId nor publicIp"}
	}
	f.Resources = append(f.Resources, Resource{Type: TypeElasticIP, ID: id})
	if req.PublicIP != "" {
		f.Requested.PublicIPs = []string{req.PublicIP}
	}
	f.ClosesExposure = true
	return nil
}

// parseReleaseAddress closes: the address leaves the account.
func parseReleaseAddress(rec *record, f *Finding) error {
	var req struct {
		AllocationID string `json:"allocationId"`
		PublicIP     string `json:"publicIp"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	id := firstNonEmpty(req.AllocationID, req.PublicIP)
	if id == "" {
		return &MalformedEventError{Reason: "requestParameters has neither allocationId nor publicIp"}
	}
	f.Resources = append(f.Resources, Resource{Type: TypeElasticIP, ID: id})
	if req.PublicIP != "" {
		f.Requested.PublicIPs = []string{req.PublicIP}
	}
	f.ClosesExposure = true
	return nil
}

// permissionRules expands one ipPermission into a Rule per source.
func permissionRules(p ipPermission, groupID string) ([]Rule, error) {
	base, err := ruleBase(p, groupID)
	if err != nil {
		return nil, err
	}
	var rules []Rule
	for _, r := range p.IPRanges.Items {
		rules = append(rules, cidrRule(base, r.CIDRIP))
	}
	for _, r := range p.IPv6Ranges.Items {
		rules = append(rules, cidrRule(base, r.CIDRIPv6))
	}
	for _, r := range p.PrefixListIDs.Items {
		rule := base
		rule.PrefixListID = r.PrefixListID
		rules = append(rules, rule)
	}
	for _, g := range p.Groups.Items {
		rule := base
		rule.GroupID = firstNonEmpty(g.GroupID, g.GroupName)
		rules = append(rules, rule)
	}
	return rules, nil
}

// ruleBase is the protocol and port range of p, without a source.
func ruleBase(p ipPermission, groupID string) (Rule, error) {
	from, err := port(p.FromPort)
	if err != nil {
		return Rule{}, err
	}
	to, err := port(p.ToPort)
	if err != nil {
		return Rule{}, err
	}
	proto := NormalizeProtocol(p.IPProtocol)
	if proto == "-1" {
		from, to = -1, -1
	}
	return Rule{Protocol: proto, FromPort: from, ToPort: to, SecurityGroupID: groupID}, nil
}

func cidrRule(base Rule, cidr string) Rule {
	base.CIDR = cidr
	base.WorldOpen = WorldOpen(cidr)
	return base
}

// WorldOpen reports whether cidr admits the whole internet: an IPv4 or IPv6
// prefix of length 0, however it is spelled (0.0.0.0/0, ::/0, 10.0.0.0/0).
func WorldOpen(cidr string) bool {
	p, err := netip.ParsePrefix(cidr)
	return err == nil && p.Bits() == 0
}

func port(n *json.Number) (int, error) {
	if n == nil {
		return -1, nil
	}
	v, err := strconv.Atoi(n.String())
	if err != nil || v < -1 || v > 65535 {
		return 0, &MalformedEventError{Reason: fmt.Sprintf("port %q out of range", n.String())}
	}
	return v, nil
}

// NormalizeProtocol spells an IP protocol as EC2 answers it: lower-case
// names for tcp, udp, icmp and icmpv6 (also when given by number), "-1" for
// all traffic (also when given as "all" or empty), other numbers as given.
func NormalizeProtocol(p string) string {
	p = strings.ToLower(strings.TrimSpace(p))
	switch p {
	case "6":
		return "tcp"
	case "17":
		return "udp"
	case "1":
		return "icmp"
	case "58":
		return "icmpv6"
	case "", "all":
		return "-1"
	}
	return p
}

func appendUnique(s []string, v string) []string {
	for _, x := range s {
		if x == v {
			return s
		}
	}
	return append(s, v)
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}

// ec2Catalog are the EC2 catalog entries: network exposure (this file and
// ec2_vpc.go) and sharing (ec2_sharing.go).
var ec2Catalog = slices.Concat(ec2NetworkCatalog, ec2SharingCatalog)

const ec2Source = "ec2.amazonaws.com"

var ec2NetworkCatalog = []Entry{
	{EventSource: ec2Source, EventName: "RunInstances", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Launches instances; a public IP requested per network interface (or given by the subnet default) and their security groups decide exposure.",
		parse:       parseRunInstances, confirm: confirmRunInstances},
	{EventSource: ec2Source, EventName: "AllocateAddress", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Allocates an Elastic IP: a new internet address in the account.",
		parse:       parseAllocateAddress},
	{EventSource: ec2Source, EventName: "AssociateAddress", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Attaches an Elastic IP to an instance or network interface, making it reachable from the internet.",
		parse:       parseAssociateAddress},
	{EventSource: ec2Source, EventName: "DisassociateAddress", Category: CategoryNetwork, Effect: EffectCloses,
		Description: "Detaches an Elastic IP from its instance or network interface (which may still have, or be given, its own public IP).",
		parse:       parseDisassociateAddress},
	{EventSource: ec2Source, EventName: "ReleaseAddress", Category: CategoryNetwork, Effect: EffectCloses,
		Description: "Releases an Elastic IP: the address leaves the account.",
		parse:       parseReleaseAddress},
	{EventSource: ec2Source, EventName: "AuthorizeSecurityGroupIngress", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Adds ingress rules to a security group (ipPermissions or the legacy cidrIp form); a source with prefix length 0, IPv4 or IPv6, opens the ports to the world.",
		parse:       parseAuthorizeSecurityGroupIngress},
	{EventSource: ec2Source, EventName: "RevokeSecurityGroupIngress", Category: CategoryNetwork, Effect: EffectCloses,
		Description: "Removes ingress rules from a security group; closes when a revoked rule admitted the world (a revocation by rule id alone cannot tell, and does not close).",
		parse:       parseRevokeSecurityGroupIngress},
	{EventSource: ec2Source, EventName: "ModifySecurityGroupRules", Category: CategoryNetwork, Effect: EffectVaries,
		Description: "Rewrites security group rules by id; opens when a rule becomes world-open. The request does not say ingress or egress: enrichment keeps the exposure only if the group's live ingress has the rule.",
		parse:       parseModifySecurityGroupRules, confirm: confirmModifySecurityGroupRules},
	{EventSource: ec2Source, EventName: "CreateSecurityGroup", Category: CategoryNetwork, Effect: EffectWatch,
		Description: "Creates a security group; exposes nothing by itself (a new group has no ingress rules).",
		parse:       parseCreateSecurityGroup},
	{EventSource: ec2Source, EventName: "ModifyInstanceAttribute", Category: CategoryNetwork, Effect: EffectVaries,
		Description: "Changes an instance attribute; replacing its security groups (groupSet) opens exposure when enrichment finds the instance public and a new group world-open.",
		parse:       parseGroupSwap("instanceId", TypeInstance), confirm: confirmGroupSwap},
	{EventSource: ec2Source, EventName: "ModifyNetworkInterfaceAttribute", Category: CategoryNetwork, Effect: EffectVaries,
		Description: "Changes a network interface attribute; replacing its security groups (groupSet) opens exposure when enrichment finds the interface public and a new group world-open.",
		parse:       parseGroupSwap("networkInterfaceId", TypeNetworkInterface), confirm: confirmGroupSwap},
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
	{EventSource: ec2Source, EventName: "ReplaceNetworkAclEntry", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Replaces a network ACL entry; opens when it becomes an inbound allow from a source with prefix length 0.",
		parse:       parseNetworkACLEntry},
}
