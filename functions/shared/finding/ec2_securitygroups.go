package finding

import (
	"cmp"
	"encoding/json"
	"slices"
)

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

// permissionRules expands one ipPermission into a Rule per source.
func permissionRules(p ipPermission, groupID string) ([]Rule, error) {
	base, err := ruleBase(p.IPProtocol, p.FromPort, p.ToPort, groupID)
	if err != nil {
		return nil, err
	}
	var rules []Rule
	for _, r := range p.IPRanges.Items {
		rules = append(rules, base.WithCIDR(r.CIDRIP))
	}
	for _, r := range p.IPv6Ranges.Items {
		rules = append(rules, base.WithCIDR(r.CIDRIPv6))
	}
	for _, r := range p.PrefixListIDs.Items {
		rule := base
		rule.PrefixListID = r.PrefixListID
		rules = append(rules, rule)
	}
	for _, g := range p.Groups.Items {
		rule := base
		rule.GroupID = cmp.Or(g.GroupID, g.GroupName)
		rules = append(rules, rule)
	}
	return rules, nil
}

// ruleIDs reads securityGroupRuleIds, whose CloudTrail shape no public
// sample shows: a list of strings, or EC2's {"items": [...]} of strings or of
// {"securityGroupRuleId": ...} objects.
type ruleIDs []string

func (r *ruleIDs) UnmarshalJSON(data []byte) error {
	var list []json.RawMessage
	if !decodes(data, &list) {
		var wrapped items[json.RawMessage]
		if err := unmarshal(data, &wrapped); err != nil {
			return err
		}
		list = wrapped.Items
	}
	for _, raw := range list {
		var id string
		if !decodes(raw, &id) {
			var obj struct {
				SecurityGroupRuleID string `json:"securityGroupRuleId"`
			}
			if err := unmarshal(raw, &obj); err != nil {
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

// securityGroupRuleSet is the response of AuthorizeSecurityGroupIngress
// (the rules created, with their group) and of RevokeSecurityGroupIngress
// (the rules revoked, revokedSecurityGroupRuleSet: RevokedSecurityGroupRule
// in https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html,
// spelled as CloudTrail spells securityGroupRuleSet; no public record shows
// it yet).
type securityGroupRuleSet struct {
	SecurityGroupRuleSet        items[securityGroupRuleItem] `json:"securityGroupRuleSet"`
	RevokedSecurityGroupRuleSet items[securityGroupRuleItem] `json:"revokedSecurityGroupRuleSet"`
}

// securityGroupRuleItem is one rule of a securityGroupRuleSet: its group
// and, for a revoked rule, what it admitted.
type securityGroupRuleItem struct {
	GroupID           string       `json:"groupId"`
	IsEgress          bool         `json:"isEgress"`
	IPProtocol        string       `json:"ipProtocol"`
	FromPort          *json.Number `json:"fromPort"`
	ToPort            *json.Number `json:"toPort"`
	CIDRIPv4          string       `json:"cidrIpv4"`
	CIDRIPv6          string       `json:"cidrIpv6"`
	PrefixListID      string       `json:"prefixListId"`
	ReferencedGroupID string       `json:"referencedGroupId"`
}

// rule is the ingress rule the item describes; ok is false for an egress
// rule or one without a source.
func (it securityGroupRuleItem) rule() (r Rule, ok bool, err error) {
	if it.IsEgress {
		return Rule{}, false, nil
	}
	base, err := ruleBase(it.IPProtocol, it.FromPort, it.ToPort, it.GroupID)
	if err != nil {
		return Rule{}, false, err
	}
	switch {
	case it.CIDRIPv4 != "":
		return base.WithCIDR(it.CIDRIPv4), true, nil
	case it.CIDRIPv6 != "":
		return base.WithCIDR(it.CIDRIPv6), true, nil
	case it.PrefixListID != "":
		base.PrefixListID = it.PrefixListID
		return base, true, nil
	case it.ReferencedGroupID != "":
		base.GroupID = it.ReferencedGroupID
		return base, true, nil
	}
	return Rule{}, false, nil
}

// sgCall is a security-group rule request as sgTarget reads it.
type sgCall struct {
	// rules the request names, with the group's id.
	rules []Rule
	// group is the security group as a Resource.
	group Resource
	// ruleIDs are the rules named by id (revocations only).
	ruleIDs []string
	// revoked are the ingress rules the response says were revoked.
	revoked []Rule
}

// sgTarget decodes a security-group rule request and returns its rules
// (with the group's id, from the request or, for the groupName-only form,
// from the response), the group as a Resource, the rule ids it names and
// the ingress rules its response says it revoked.
func sgTarget(rec *record) (sgCall, error) {
	var req sgPermissions
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return sgCall{}, err
	}
	var resp securityGroupRuleSet
	if err := decodeParams(rec.ResponseElements, &resp, "responseElements"); err != nil {
		return sgCall{}, err
	}
	id := req.GroupID
	for _, r := range append(resp.SecurityGroupRuleSet.Items, resp.RevokedSecurityGroupRuleSet.Items...) {
		if id == "" && r.GroupID != "" {
			id = r.GroupID
		}
	}
	if id == "" && req.GroupName == "" {
		return sgCall{}, &MalformedEventError{Reason: "requestParameters has neither groupId nor groupName"}
	}
	c := sgCall{group: Resource{Type: TypeSecurityGroup, ID: cmp.Or(id, req.GroupName), Name: req.GroupName}, ruleIDs: req.SecurityGroupRuleIDs}
	for _, it := range resp.RevokedSecurityGroupRuleSet.Items {
		r, ok, err := it.rule()
		if err != nil {
			return sgCall{}, err
		}
		if ok {
			c.revoked = append(c.revoked, r)
		}
	}
	var err error
	c.rules, err = req.rules(id)
	return c, err
}

func parseAuthorizeSecurityGroupIngress(rec *record, f *Finding) error {
	c, err := sgTarget(rec)
	if err != nil {
		return err
	}
	f.Resources = append(f.Resources, c.group)
	f.Requested.IngressRules = append(f.Requested.IngressRules, c.rules...)
	f.OpensExposure = anyWorldOpen(c.rules)
	return nil
}

// parseRevokeSecurityGroupIngress closes exposure when a revoked rule was
// world-open: a rule the request names by its properties, or one the
// response lists as revoked. Revoked rules go to Requested.RevokedRules,
// never to IngressRules, which holds rules added.
//
// A revocation by securityGroupRuleIds (the console's way) names only the
// rule ids, which go to Requested.Removed. Unless the response lists the
// revoked rules, the event cannot tell what they admitted, so it is a
// candidate close: it names the group, enrichment looks the group up, and
// whether an open alert's exposure is gone is decided against the group's
// live rules.
func parseRevokeSecurityGroupIngress(rec *record, f *Finding) error {
	c, err := sgTarget(rec)
	if err != nil {
		return err
	}
	f.Resources = append(f.Resources, c.group)
	f.Requested.RevokedRules = c.rules
	for _, r := range c.revoked {
		if !slices.ContainsFunc(f.Requested.RevokedRules, func(o Rule) bool { return sameRule(o, r) }) {
			f.Requested.RevokedRules = append(f.Requested.RevokedRules, r)
		}
	}
	f.Requested.Removed = c.ruleIDs
	f.ClosesExposure = anyWorldOpen(f.Requested.RevokedRules) || (len(c.ruleIDs) > 0 && len(c.revoked) == 0)
	return nil
}

// parseDeleteSecurityGroup closes: the group, with its rules, is gone (EC2
// refuses to delete a group still attached to an interface).
func parseDeleteSecurityGroup(rec *record, f *Finding) error {
	var req struct {
		GroupID   string `json:"groupId"`
		GroupName string `json:"groupName"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	if err := addResource(f, Resource{Type: TypeSecurityGroup, ID: cmp.Or(req.GroupID, req.GroupName), Name: req.GroupName}, "requestParameters has neither groupId nor groupName"); err != nil {
		return err
	}
	f.ClosesExposure = true
	return nil
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
// live ingress has that rule. A rule that becomes anything but world-open
// may have been world-open before: a candidate close, decided against the
// group's live rules.
func parseModifySecurityGroupRules(rec *record, f *Finding) error {
	var req modifySecurityGroupRules
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	id := req.Request.GroupID
	if id == "" {
		return &MalformedEventError{Reason: "requestParameters has no ModifySecurityGroupRulesRequest.GroupId"}
	}
	updates, err := objectOrList[securityGroupRuleUpdate](req.Request.Rules)
	if err != nil {
		return &MalformedEventError{Reason: "SecurityGroupRule", Err: err}
	}
	f.Resources = append(f.Resources, Resource{Type: TypeSecurityGroup, ID: id})
	for _, u := range updates {
		r := u.SecurityGroupRule
		base, err := ruleBase(r.IPProtocol, r.FromPort, r.ToPort, id)
		if err != nil {
			return err
		}
		// A rule has exactly one source.
		switch {
		case r.CIDRIPv4 != "":
			f.Requested.IngressRules = append(f.Requested.IngressRules, base.WithCIDR(r.CIDRIPv4))
		case r.CIDRIPv6 != "":
			f.Requested.IngressRules = append(f.Requested.IngressRules, base.WithCIDR(r.CIDRIPv6))
		case r.PrefixListID != "":
			base.PrefixListID = r.PrefixListID
			f.Requested.IngressRules = append(f.Requested.IngressRules, base)
		case r.ReferencedGroupID != "":
			base.GroupID = r.ReferencedGroupID
			f.Requested.IngressRules = append(f.Requested.IngressRules, base)
		}
	}
	f.OpensExposure = anyWorldOpen(f.Requested.IngressRules)
	f.ClosesExposure = slices.ContainsFunc(f.Requested.IngressRules, func(r Rule) bool { return !r.WorldOpen })
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
	id := cmp.Or(resp.GroupID, req.GroupName)
	if err := addResource(f, Resource{Type: TypeSecurityGroup, ID: id, Name: req.GroupName}, "neither responseElements.groupId nor requestParameters.groupName"); err != nil {
		return err
	}
	if req.VPCID != "" {
		f.Resources = append(f.Resources, Resource{Type: TypeVPC, ID: req.VPCID})
	}
	return nil
}

// worldOpenWords are the words of a call that opened ports to the world.
var worldOpenWords = Words{
	Headline: []string{"{ports} opened to the world on {target}", "{ports} opened to the world"},
	Advice:   "Revoke the world-open rule (or restrict its source to known address ranges); if the port must stay public, confirm it with the owner and record why.",
}

// ec2SecurityGroupCatalog are the catalog entries parsed in this file.
var ec2SecurityGroupCatalog = []Entry{
	{EventSource: ec2Source, EventName: "AuthorizeSecurityGroupIngress", Category: CategoryNetwork, Effect: EffectOpens,
		Description: "Adds ingress rules to a security group (ipPermissions or the legacy cidrIp form); a source with prefix length 0, IPv4 or IPv6, opens the ports to the world.",
		parse:       parseAuthorizeSecurityGroupIngress,
		Words:       worldOpenWords},
	{EventSource: ec2Source, EventName: "RevokeSecurityGroupIngress", Category: CategoryNetwork, Effect: EffectCloses,
		Description: "Removes ingress rules from a security group; closes when a revoked rule admitted the world. A revocation by rule id (the console's way) is a candidate close, decided against the group's live rules.",
		parse:       parseRevokeSecurityGroupIngress,
		Words: Words{
			Headline: []string{"{revoked} no longer open to the world on {target}", "{removed} revoked from {target}", "ingress rules revoked from {target}"},
			Advice:   "Check that no other rule of the group still admits the world; open alerts for the group are resolved once its live rules show the exposure gone.",
		}},
	{EventSource: ec2Source, EventName: "ModifySecurityGroupRules", Category: CategoryNetwork, Effect: EffectVaries,
		Description: "Rewrites security group rules by id; opens when a rule becomes world-open, a candidate close when one becomes anything else. The request does not say ingress or egress: enrichment keeps the exposure only if the group's live ingress has the rule.",
		parse:       parseModifySecurityGroupRules, confirm: confirmModifySecurityGroupRules,
		Words: worldOpenWords,
		Closing: Words{
			Headline: []string{"rules of {target} rewritten"},
			Advice:   "Check that the group's rules now admit only known sources; open alerts for the group are resolved once its live rules show the exposure gone.",
		}},
	{EventSource: ec2Source, EventName: "CreateSecurityGroup", Category: CategoryNetwork, Effect: EffectWatch,
		Description: "Creates a security group; exposes nothing by itself (a new group has no ingress rules).",
		parse:       parseCreateSecurityGroup,
		Words: Words{
			Headline: []string{"security group {target} created"},
			Advice:   "Nothing is exposed yet: a new group has no ingress rules. Rules later added to it are alerted on their own.",
		}},
	{EventSource: ec2Source, EventName: "DeleteSecurityGroup", Category: CategoryNetwork, Effect: EffectCloses,
		Description: "Deletes a security group, closing whatever its rules exposed (EC2 refuses to delete a group still in use).",
		parse:       parseDeleteSecurityGroup,
		Words: Words{
			Headline: []string{"security group {target} deleted"},
			Advice:   "Nothing to do if expected: the group and its rules are gone, and open alerts about it are resolved.",
		}},
}
