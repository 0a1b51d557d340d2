package finding_test

import (
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// call is a request built on a real fixture's envelope: the fixture's
// identity, time and account with another event name, request and response.
// Shapes of events with no public sample follow the EC2 and ELB API
// references cited at each case (CloudTrail records the Query API
// parameters with a lower-case first letter and lists as {"items": [...]}).
type call struct {
	source, name string
	req, resp    string
	errorCode    string
}

func parseCall(t *testing.T, c call) (*finding.Finding, error) {
	t.Helper()
	rec := record(t, "ec2-createroute-igw-console.json")
	rec["eventSource"] = c.source
	if c.source == "" {
		rec["eventSource"] = "ec2.amazonaws.com"
	}
	rec["eventName"] = c.name
	rec["requestParameters"] = json.RawMessage(c.req)
	rec["responseElements"] = json.RawMessage(`null`)
	if c.resp != "" {
		rec["responseElements"] = json.RawMessage(c.resp)
	}
	if c.errorCode != "" {
		rec["errorCode"] = c.errorCode
	}
	return finding.Parse(mustJSON(t, rec))
}

// want is the part of a finding these tests check.
type want struct {
	Opens, Closes bool
	Resources     []string // type:id
	Requested     finding.Requested
}

func got(f *finding.Finding) want {
	w := want{Opens: f.OpensExposure, Closes: f.ClosesExposure, Requested: f.Requested}
	for _, r := range f.Resources {
		w.Resources = append(w.Resources, string(r.Type)+":"+r.ID)
	}
	return w
}

func rule(proto string, from, to int, cidr, group string) finding.Rule {
	return finding.Rule{Protocol: proto, FromPort: from, ToPort: to, CIDR: cidr, WorldOpen: finding.WorldOpen(cidr), SecurityGroupID: group}
}

// entry is r as a network ACL's entry number n.
func entry(n int, r finding.Rule) finding.Rule {
	r.Entry = n
	return r
}

func TestParseNetworkCalls(t *testing.T) {
	tests := []struct {
		name string
		call call
		want want
	}{
		// Routes. ReplaceRoute has CreateRoute's request:
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceRoute.html
		{"route ipv4 world to igw", call{name: "CreateRoute", req: `{"routeTableId":"rtb-1","destinationCidrBlock":"0.0.0.0/0","gatewayId":"igw-1"}`},
			want{Opens: true, Resources: []string{"ec2:route-table:rtb-1", "ec2:internet-gateway:igw-1"}, Requested: finding.Requested{Routes: []string{"0.0.0.0/0 -> igw-1"}}}},
		{"route ipv6 world to igw", call{name: "CreateRoute", req: `{"routeTableId":"rtb-1","destinationIpv6CidrBlock":"::/0","gatewayId":"igw-1"}`},
			want{Opens: true, Resources: []string{"ec2:route-table:rtb-1", "ec2:internet-gateway:igw-1"}, Requested: finding.Requested{Routes: []string{"::/0 -> igw-1"}}}},
		{"route to igw for one range is recorded, does not open", call{name: "CreateRoute", req: `{"routeTableId":"rtb-1","destinationCidrBlock":"203.0.113.0/24","gatewayId":"igw-1"}`},
			want{Resources: []string{"ec2:route-table:rtb-1", "ec2:internet-gateway:igw-1"}, Requested: finding.Requested{Routes: []string{"203.0.113.0/24 -> igw-1"}}}},
		{"default route to a NAT gateway", call{name: "CreateRoute", req: `{"routeTableId":"rtb-1","destinationCidrBlock":"0.0.0.0/0","natGatewayId":"nat-1"}`},
			want{Resources: []string{"ec2:route-table:rtb-1"}}},
		{"ipv6 default route to an egress-only gateway", call{name: "CreateRoute", req: `{"routeTableId":"rtb-1","destinationIpv6CidrBlock":"::/0","egressOnlyInternetGatewayId":"eigw-1"}`},
			want{Resources: []string{"ec2:route-table:rtb-1"}}},
		{"replace route to igw", call{name: "ReplaceRoute", req: `{"routeTableId":"rtb-1","destinationCidrBlock":"0.0.0.0/0","gatewayId":"igw-2"}`},
			want{Opens: true, Resources: []string{"ec2:route-table:rtb-1", "ec2:internet-gateway:igw-2"}, Requested: finding.Requested{Routes: []string{"0.0.0.0/0 -> igw-2"}}}},
		{"refused route opens nothing", call{name: "CreateRoute", req: `{"routeTableId":"rtb-1","destinationCidrBlock":"0.0.0.0/0","gatewayId":"igw-1"}`, errorCode: "Client.UnauthorizedOperation"},
			want{Resources: []string{"ec2:route-table:rtb-1", "ec2:internet-gateway:igw-1"}, Requested: finding.Requested{Routes: []string{"0.0.0.0/0 -> igw-1"}}}},

		// Network ACLs. ReplaceNetworkAclEntry has CreateNetworkAclEntry's request:
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReplaceNetworkAclEntry.html
		{"nacl inbound allow all protocols from ::/0", call{name: "ReplaceNetworkAclEntry", req: `{"networkAclId":"acl-1","ruleNumber":100,"aclProtocol":"-1","ruleAction":"allow","egress":false,"ipv6CidrBlock":"::/0"}`},
			want{Opens: true, Resources: []string{"ec2:network-acl:acl-1"}, Requested: finding.Requested{IngressRules: []finding.Rule{entry(100, rule("-1", -1, -1, "::/0", ""))}}}},
		{"nacl inbound allow udp 53 by number", call{name: "CreateNetworkAclEntry", req: `{"networkAclId":"acl-1","ruleNumber":10,"aclProtocol":"17","ruleAction":"allow","egress":false,"cidrBlock":"0.0.0.0/0","portRange":{"from":53,"to":53}}`},
			want{Opens: true, Resources: []string{"ec2:network-acl:acl-1"}, Requested: finding.Requested{IngressRules: []finding.Rule{entry(10, rule("udp", 53, 53, "0.0.0.0/0", ""))}}}},
		{"nacl inbound allow icmp type and code", call{name: "CreateNetworkAclEntry", req: `{"networkAclId":"acl-1","ruleNumber":10,"aclProtocol":"1","ruleAction":"allow","egress":false,"cidrBlock":"0.0.0.0/0","icmpTypeCode":{"type":8,"code":0}}`},
			want{Opens: true, Resources: []string{"ec2:network-acl:acl-1"}, Requested: finding.Requested{IngressRules: []finding.Rule{entry(10, rule("icmp", 8, 0, "0.0.0.0/0", ""))}}}},
		{"nacl inbound allow from a range", call{name: "CreateNetworkAclEntry", req: `{"networkAclId":"acl-1","ruleNumber":10,"aclProtocol":"6","ruleAction":"allow","egress":false,"cidrBlock":"10.0.0.0/8","portRange":{"from":22,"to":22}}`},
			want{Resources: []string{"ec2:network-acl:acl-1"}, Requested: finding.Requested{IngressRules: []finding.Rule{entry(10, rule("tcp", 22, 22, "10.0.0.0/8", ""))}}}},
		{"nacl outbound allow world", call{name: "CreateNetworkAclEntry", req: `{"networkAclId":"acl-1","ruleNumber":10,"aclProtocol":"-1","ruleAction":"allow","egress":true,"cidrBlock":"0.0.0.0/0"}`},
			want{Resources: []string{"ec2:network-acl:acl-1"}}},
		{"nacl inbound deny world", call{name: "CreateNetworkAclEntry", req: `{"networkAclId":"acl-1","ruleNumber":10,"aclProtocol":"-1","ruleAction":"deny","egress":false,"cidrBlock":"0.0.0.0/0"}`},
			want{Resources: []string{"ec2:network-acl:acl-1"}}},

		// Security group ingress in every form.
		{"ingress all protocols from ::/0", call{name: "AuthorizeSecurityGroupIngress", req: `{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"-1","ipv6Ranges":{"items":[{"cidrIpv6":"::/0"}]}}]}}`},
			want{Opens: true, Resources: []string{"ec2:security-group:sg-1"}, Requested: finding.Requested{IngressRules: []finding.Rule{rule("-1", -1, -1, "::/0", "sg-1")}}}},
		{"ingress from a prefix list and a group", call{name: "AuthorizeSecurityGroupIngress", req: `{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":443,"toPort":443,"prefixListIds":{"items":[{"prefixListId":"pl-1"}]},"groups":{"items":[{"groupId":"sg-2"}]}}]}}`},
			want{Resources: []string{"ec2:security-group:sg-1"}, Requested: finding.Requested{IngressRules: []finding.Rule{
				{Protocol: "tcp", FromPort: 443, ToPort: 443, PrefixListID: "pl-1", SecurityGroupID: "sg-1"},
				{Protocol: "tcp", FromPort: 443, ToPort: 443, GroupID: "sg-2", SecurityGroupID: "sg-1"}}}}},
		{"legacy cidrIp form by groupName (default VPC), id from response", call{name: "AuthorizeSecurityGroupIngress",
			req:  `{"groupName":"default","cidrIp":"0.0.0.0/0","ipProtocol":"tcp","fromPort":3389,"toPort":3389,"ipPermissions":{}}`,
			resp: `{"_return":true,"securityGroupRuleSet":{"items":[{"groupId":"sg-9","isEgress":false}]}}`},
			want{Opens: true, Resources: []string{"ec2:security-group:sg-9"}, Requested: finding.Requested{IngressRules: []finding.Rule{rule("tcp", 3389, 3389, "0.0.0.0/0", "sg-9")}}}},
		{"groupName only, no response rules", call{name: "AuthorizeSecurityGroupIngress", req: `{"groupName":"default","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}`},
			want{Opens: true, Resources: []string{"ec2:security-group:default"}, Requested: finding.Requested{IngressRules: []finding.Rule{rule("tcp", 22, 22, "0.0.0.0/0", "")}}}},
		{"legacy whole source group", call{name: "AuthorizeSecurityGroupIngress", req: `{"groupName":"web","sourceSecurityGroupName":"lb","sourceSecurityGroupOwnerId":"123456789012"}`},
			want{Resources: []string{"ec2:security-group:web"}, Requested: finding.Requested{IngressRules: []finding.Rule{{Protocol: "-1", FromPort: -1, ToPort: -1, GroupID: "lb"}}}}},

		// Revocations never add IngressRules; they say what they revoked.
		{"revoke world rule closes", call{name: "RevokeSecurityGroupIngress", req: `{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"0.0.0.0/0"}]}}]}}`},
			want{Closes: true, Resources: []string{"ec2:security-group:sg-1"}, Requested: finding.Requested{RevokedRules: []finding.Rule{rule("tcp", 22, 22, "0.0.0.0/0", "sg-1")}}}},
		{"revoke legacy world form closes", call{name: "RevokeSecurityGroupIngress", req: `{"groupId":"sg-1","cidrIp":"0.0.0.0/0","ipProtocol":"tcp","fromPort":22,"toPort":22}`},
			want{Closes: true, Resources: []string{"ec2:security-group:sg-1"}, Requested: finding.Requested{RevokedRules: []finding.Rule{rule("tcp", 22, 22, "0.0.0.0/0", "sg-1")}}}},
		{"revoke private rule does not close", call{name: "RevokeSecurityGroupIngress", req: `{"groupId":"sg-1","ipPermissions":{"items":[{"ipProtocol":"tcp","fromPort":22,"toPort":22,"ipRanges":{"items":[{"cidrIp":"10.0.0.0/8"}]}}]}}`},
			want{Resources: []string{"ec2:security-group:sg-1"}, Requested: finding.Requested{RevokedRules: []finding.Rule{rule("tcp", 22, 22, "10.0.0.0/8", "sg-1")}}}},
		// SecurityGroupRuleId.N, https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_RevokeSecurityGroupIngress.html;
		// its CloudTrail spelling is unverified, so both list spellings parse.
		// The ids alone cannot tell what was revoked: a candidate close,
		// decided against the group's live rules.
		{"revoke by rule ids (items) is a candidate close", call{name: "RevokeSecurityGroupIngress", req: `{"groupId":"sg-1","securityGroupRuleIds":{"items":[{"securityGroupRuleId":"sgr-1"}]}}`},
			want{Closes: true, Resources: []string{"ec2:security-group:sg-1"}, Requested: finding.Requested{Removed: []string{"sgr-1"}}}},
		{"revoke by rule ids (list) is a candidate close", call{name: "RevokeSecurityGroupIngress", req: `{"groupId":"sg-1","securityGroupRuleIds":["sgr-1"]}`},
			want{Closes: true, Resources: []string{"ec2:security-group:sg-1"}, Requested: finding.Requested{Removed: []string{"sgr-1"}}}},
		// RevokedSecurityGroupRules in the same reference: the response
		// says what the ids were, so the close is decided from it.
		{"revoke by rule id, response lists a world-open rule", call{name: "RevokeSecurityGroupIngress", req: `{"groupId":"sg-1","securityGroupRuleIds":["sgr-1"]}`,
			resp: `{"_return":true,"revokedSecurityGroupRuleSet":{"items":[{"securityGroupRuleId":"sgr-1","groupId":"sg-1","isEgress":false,"ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIpv4":"0.0.0.0/0"}]}}`},
			want{Closes: true, Resources: []string{"ec2:security-group:sg-1"}, Requested: finding.Requested{Removed: []string{"sgr-1"}, RevokedRules: []finding.Rule{rule("tcp", 22, 22, "0.0.0.0/0", "sg-1")}}}},
		{"revoke by rule id, response lists a private rule", call{name: "RevokeSecurityGroupIngress", req: `{"groupId":"sg-1","securityGroupRuleIds":["sgr-1"]}`,
			resp: `{"_return":true,"revokedSecurityGroupRuleSet":{"items":[{"securityGroupRuleId":"sgr-1","groupId":"sg-1","isEgress":false,"ipProtocol":"tcp","fromPort":22,"toPort":22,"cidrIpv4":"10.0.0.0/8"},{"securityGroupRuleId":"sgr-2","groupId":"sg-1","isEgress":true,"ipProtocol":"-1","cidrIpv4":"0.0.0.0/0"}]}}`},
			want{Resources: []string{"ec2:security-group:sg-1"}, Requested: finding.Requested{Removed: []string{"sgr-1"}, RevokedRules: []finding.Rule{rule("tcp", 22, 22, "10.0.0.0/8", "sg-1")}}}},
		// DeleteSecurityGroup: GroupId, or GroupName in a default VPC,
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSecurityGroup.html
		{"delete group by name", call{name: "DeleteSecurityGroup", req: `{"groupName":"web"}`},
			want{Closes: true, Resources: []string{"ec2:security-group:web"}}},

		// ModifySecurityGroupRules, as CloudTrail wraps it (requestParameters.
		// ModifySecurityGroupRulesRequest.SecurityGroupRule.SecurityGroupRule.*,
		// the paths public detections query); members per
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_SecurityGroupRuleRequest.html
		{"modify rule to world", call{name: "ModifySecurityGroupRules", req: `{"ModifySecurityGroupRulesRequest":{"GroupId":"sg-1","SecurityGroupRule":{"SecurityGroupRuleId":"sgr-1","tag":1,"SecurityGroupRule":{"CidrIpv4":"0.0.0.0/0","FromPort":443,"ToPort":443,"IpProtocol":"tcp"}}}}`},
			want{Opens: true, Resources: []string{"ec2:security-group:sg-1"}, Requested: finding.Requested{IngressRules: []finding.Rule{rule("tcp", 443, 443, "0.0.0.0/0", "sg-1")}}}},
		{"modify several rules (list), string ports: one opens, one may close", call{name: "ModifySecurityGroupRules", req: `{"ModifySecurityGroupRulesRequest":{"GroupId":"sg-1","SecurityGroupRule":[{"SecurityGroupRuleId":"sgr-1","SecurityGroupRule":{"CidrIpv6":"::/0","IpProtocol":"-1"}},{"SecurityGroupRuleId":"sgr-2","SecurityGroupRule":{"PrefixListId":"pl-1","FromPort":"22","ToPort":"22","IpProtocol":"tcp"}}]}}`},
			want{Opens: true, Closes: true, Resources: []string{"ec2:security-group:sg-1"}, Requested: finding.Requested{IngressRules: []finding.Rule{
				rule("-1", -1, -1, "::/0", "sg-1"),
				{Protocol: "tcp", FromPort: 22, ToPort: 22, PrefixListID: "pl-1", SecurityGroupID: "sg-1"}}}}},
		{"modify rule to a range is a candidate close", call{name: "ModifySecurityGroupRules", req: `{"ModifySecurityGroupRulesRequest":{"GroupId":"sg-1","SecurityGroupRule":{"SecurityGroupRuleId":"sgr-1","SecurityGroupRule":{"CidrIpv4":"10.0.0.0/8","FromPort":22,"ToPort":22,"IpProtocol":"tcp"}}}}`},
			want{Closes: true, Resources: []string{"ec2:security-group:sg-1"}, Requested: finding.Requested{IngressRules: []finding.Rule{rule("tcp", 22, 22, "10.0.0.0/8", "sg-1")}}}},

		// Groups swapped on an instance: the request alone never opens; it
		// is a candidate close (the old groups may have been world-open).
		{"instance groupSet", call{name: "ModifyInstanceAttribute", req: `{"instanceId":"i-1","groupSet":{"items":[{"groupId":"sg-1"},{"groupId":"sg-2"}]}}`},
			want{Closes: true, Resources: []string{"ec2:instance:i-1"}, Requested: finding.Requested{SecurityGroups: []string{"sg-1", "sg-2"}}}},

		// Addresses: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DisassociateAddress.html,
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_ReleaseAddress.html
		{"disassociate by association id", call{name: "DisassociateAddress", req: `{"associationId":"eipassoc-1"}`, resp: `{"_return":true}`},
			want{Closes: true, Resources: []string{"ec2:elastic-ip:eipassoc-1"}}},
		{"disassociate classic by public ip", call{name: "DisassociateAddress", req: `{"publicIp":"198.51.100.7"}`},
			want{Closes: true, Resources: []string{"ec2:elastic-ip:198.51.100.7"}, Requested: finding.Requested{PublicIPs: []string{"198.51.100.7"}}}},
		{"release by allocation id", call{name: "ReleaseAddress", req: `{"allocationId":"eipalloc-1"}`, resp: `{"_return":true}`},
			want{Closes: true, Resources: []string{"ec2:elastic-ip:eipalloc-1"}}},
		{"refused release closes nothing", call{name: "ReleaseAddress", req: `{"allocationId":"eipalloc-1"}`, errorCode: "InvalidIPAddress.InUse"},
			want{Resources: []string{"ec2:elastic-ip:eipalloc-1"}}},

		// Sharing.
		{"image shared with an organization and unshared from an account", call{name: "ModifyImageAttribute", req: `{"imageId":"ami-1","attributeType":"launchPermission","launchPermission":{"add":{"items":[{"organizationArn":"arn:aws:organizations::123456789012:organization/o-1"}]},"remove":{"items":[{"userId":"111122223333"}]}}}`},
			want{Opens: true, Closes: true, Resources: []string{"ec2:image:ami-1"}, Requested: finding.Requested{SharedWith: []string{"arn:aws:organizations::123456789012:organization/o-1"}, Unshared: []string{"111122223333"}}}},
		{"image description changed", call{name: "ModifyImageAttribute", req: `{"imageId":"ami-1","attributeType":"description","description":{"value":"x"}}`},
			want{Resources: []string{"ec2:image:ami-1"}}},
		{"snapshot unshared from an account", call{name: "ModifySnapshotAttribute", req: `{"snapshotId":"snap-1","attributeType":"CREATE_VOLUME_PERMISSION","createVolumePermission":{"remove":{"items":[{"userId":"111122223333"}]}}}`},
			want{Closes: true, Resources: []string{"ec2:snapshot:snap-1"}, Requested: finding.Requested{Unshared: []string{"111122223333"}}}},

		// Load balancers (v2 API reference: CreateListener, SetSecurityGroups, DeleteLoadBalancer).
		{"listener on an unknown-scheme load balancer", call{source: "elasticloadbalancing.amazonaws.com", name: "CreateListener", req: `{"loadBalancerArn":"arn:lb","protocol":"HTTPS","port":443}`},
			want{Resources: []string{"elasticloadbalancing:loadbalancer:arn:lb"}, Requested: finding.Requested{Listeners: []string{"HTTPS:443"}}}},
		{"load balancer groups replaced", call{source: "elasticloadbalancing.amazonaws.com", name: "SetSecurityGroups", req: `{"loadBalancerArn":"arn:lb","securityGroups":["sg-1"]}`, resp: `{"securityGroupIds":["sg-1","sg-2"]}`},
			want{Closes: true, Resources: []string{"elasticloadbalancing:loadbalancer:arn:lb"}, Requested: finding.Requested{SecurityGroups: []string{"sg-1", "sg-2"}}}},

		// Instances: https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_TerminateInstances.html
		{"terminate several instances", call{name: "TerminateInstances", req: `{"instancesSet":{"items":[{"instanceId":"i-1"},{"instanceId":"i-2"}]}}`,
			resp: `{"instancesSet":{"items":[{"instanceId":"i-1"},{"instanceId":"i-2"}]}}`},
			want{Closes: true, Resources: []string{"ec2:instance:i-1", "ec2:instance:i-2"}}},

		// Closing routes, gateways and network ACL entries:
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteRoute.html,
		// API_DetachInternetGateway.html, API_DeleteNetworkAclEntry.html
		{"replace the internet route towards a NAT gateway is a candidate close", call{name: "ReplaceRoute", req: `{"routeTableId":"rtb-1","destinationCidrBlock":"0.0.0.0/0","natGatewayId":"nat-1"}`},
			want{Closes: true, Resources: []string{"ec2:route-table:rtb-1"}, Requested: finding.Requested{Removed: []string{"0.0.0.0/0"}}}},
		{"create a default route towards a NAT gateway closes nothing", call{name: "CreateRoute", req: `{"routeTableId":"rtb-1","destinationCidrBlock":"0.0.0.0/0","natGatewayId":"nat-1"}`},
			want{Resources: []string{"ec2:route-table:rtb-1"}}},
		{"delete the ipv6 internet route", call{name: "DeleteRoute", req: `{"routeTableId":"rtb-1","destinationIpv6CidrBlock":"::/0"}`},
			want{Closes: true, Resources: []string{"ec2:route-table:rtb-1"}, Requested: finding.Requested{Removed: []string{"::/0"}}}},
		{"delete a route to one range", call{name: "DeleteRoute", req: `{"routeTableId":"rtb-1","destinationCidrBlock":"10.1.0.0/16"}`},
			want{Resources: []string{"ec2:route-table:rtb-1"}, Requested: finding.Requested{Removed: []string{"10.1.0.0/16"}}}},
		{"detach internet gateway", call{name: "DetachInternetGateway", req: `{"internetGatewayId":"igw-1","vpcId":"vpc-1"}`},
			want{Closes: true, Resources: []string{"ec2:internet-gateway:igw-1", "ec2:vpc:vpc-1"}}},
		{"delete an inbound nacl entry", call{name: "DeleteNetworkAclEntry", req: `{"networkAclId":"acl-1","egress":false,"ruleNumber":100}`},
			want{Closes: true, Resources: []string{"ec2:network-acl:acl-1"}, Requested: finding.Requested{Removed: []string{"inbound rule 100"}}}},
		{"delete an outbound nacl entry", call{name: "DeleteNetworkAclEntry", req: `{"networkAclId":"acl-1","egress":true,"ruleNumber":100}`},
			want{Resources: []string{"ec2:network-acl:acl-1"}, Requested: finding.Requested{Removed: []string{"outbound rule 100"}}}},
		{"replace an inbound nacl entry with a deny is a candidate close", call{name: "ReplaceNetworkAclEntry", req: `{"networkAclId":"acl-1","ruleNumber":100,"aclProtocol":"6","ruleAction":"deny","egress":false,"cidrBlock":"0.0.0.0/0","portRange":{"from":22,"to":22}}`},
			want{Closes: true, Resources: []string{"ec2:network-acl:acl-1"}, Requested: finding.Requested{Removed: []string{"inbound rule 100"}}}},
		{"replace an outbound nacl entry closes nothing", call{name: "ReplaceNetworkAclEntry", req: `{"networkAclId":"acl-1","ruleNumber":100,"aclProtocol":"-1","ruleAction":"deny","egress":true,"cidrBlock":"0.0.0.0/0"}`},
			want{Resources: []string{"ec2:network-acl:acl-1"}}},

		// Deletions of shared snapshots and images:
		// https://docs.aws.amazon.com/AWSEC2/latest/APIReference/API_DeleteSnapshot.html, API_DeregisterImage.html
		{"delete snapshot", call{name: "DeleteSnapshot", req: `{"snapshotId":"snap-1"}`}, want{Closes: true, Resources: []string{"ec2:snapshot:snap-1"}}},
		{"refused deregister closes nothing", call{name: "DeregisterImage", req: `{"imageId":"ami-1"}`, errorCode: "InvalidAMIID.Unavailable"}, want{Resources: []string{"ec2:image:ami-1"}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseCall(t, tc.call)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			if diff := cmp.Diff(tc.want, got(f), cmpopts.EquateEmpty()); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

func TestParseNetworkCallsMalformed(t *testing.T) {
	tests := []struct {
		name string
		call call
	}{
		{"route without table", call{name: "CreateRoute", req: `{"destinationCidrBlock":"0.0.0.0/0","gatewayId":"igw-1"}`}},
		{"nacl port out of range", call{name: "CreateNetworkAclEntry", req: `{"networkAclId":"acl-1","aclProtocol":"6","ruleAction":"allow","cidrBlock":"0.0.0.0/0","portRange":{"from":0,"to":70000}}`}},
		{"modify rules without group", call{name: "ModifySecurityGroupRules", req: `{"ModifySecurityGroupRulesRequest":{"SecurityGroupRule":{"SecurityGroupRuleId":"sgr-1"}}}`}},
		{"modify rules of the wrong type", call{name: "ModifySecurityGroupRules", req: `{"ModifySecurityGroupRulesRequest":{"GroupId":"sg-1","SecurityGroupRule":"sgr-1"}}`}},
		{"revoke without group", call{name: "RevokeSecurityGroupIngress", req: `{"securityGroupRuleIds":["sgr-1"]}`}},
		{"disassociate without address", call{name: "DisassociateAddress", req: `{}`}},
		{"share without image", call{name: "ModifyImageAttribute", req: `{"launchPermission":{"add":{"items":[{"group":"all"}]}}}`}},
		{"share list of the wrong type", call{name: "ModifySnapshotAttribute", req: `{"snapshotId":"snap-1","createVolumePermission":{"add":"all"}}`}},
		{"delete load balancer without name", call{source: "elasticloadbalancing.amazonaws.com", name: "DeleteLoadBalancer", req: `{}`}},
		{"terminate without instances", call{name: "TerminateInstances", req: `{"instancesSet":{}}`}},
		{"delete group without id or name", call{name: "DeleteSecurityGroup", req: `{}`}},
		{"delete route without table", call{name: "DeleteRoute", req: `{"destinationCidrBlock":"0.0.0.0/0"}`}},
		{"detach gateway without vpc", call{name: "DetachInternetGateway", req: `{"internetGatewayId":"igw-1"}`}},
		{"delete nacl entry without acl", call{name: "DeleteNetworkAclEntry", req: `{"ruleNumber":100}`}},
		{"delete snapshot without id", call{name: "DeleteSnapshot", req: `{"force":false}`}},
		{"revoked rule with a port out of range", call{name: "RevokeSecurityGroupIngress", req: `{"groupId":"sg-1","securityGroupRuleIds":["sgr-1"]}`,
			resp: `{"revokedSecurityGroupRuleSet":{"items":[{"isEgress":false,"ipProtocol":"tcp","fromPort":70000,"toPort":70000,"cidrIpv4":"0.0.0.0/0"}]}}`}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseCall(t, tc.call)
			if _, ok := err.(*finding.MalformedEventError); !ok {
				t.Fatalf("Parse = %+v, %v; want *MalformedEventError", f, err)
			}
		})
	}
}

// TestConfirm checks that enrichment's live facts decide the events whose
// request alone cannot.
func TestConfirm(t *testing.T) {
	world22 := rule("tcp", 22, 22, "0.0.0.0/0", "sg-1")
	world443 := rule("tcp", 443, 443, "0.0.0.0/0", "sg-1")
	swap := call{name: "ModifyNetworkInterfaceAttribute", req: `{"networkInterfaceId":"eni-1","groupSet":{"items":[{"groupId":"sg-1"}]}}`}
	modify := call{name: "ModifySecurityGroupRules", req: `{"ModifySecurityGroupRulesRequest":{"GroupId":"sg-1","SecurityGroupRule":{"SecurityGroupRuleId":"sgr-1","SecurityGroupRule":{"CidrIpv4":"0.0.0.0/0","FromPort":22,"ToPort":22,"IpProtocol":"tcp"}}}}`}
	tests := []struct {
		name     string
		call     call
		live     finding.Resource
		want     bool
		severity finding.Severity
	}{
		{"swap to a world-open group on a public interface", swap, finding.Resource{PublicIPs: []string{"198.51.100.8"}, OpenIngress: []finding.Rule{world22}}, true, finding.SeverityHigh},
		{"swap on a private interface", swap, finding.Resource{OpenIngress: []finding.Rule{world22}}, false, finding.SeverityNone},
		{"world-open rule from a group the call did not set", swap, finding.Resource{PublicIPs: []string{"198.51.100.8"}, OpenIngress: []finding.Rule{rule("tcp", 22, 22, "0.0.0.0/0", "sg-other")}}, false, finding.SeverityNone},
		{"modified rule is live ingress", modify, finding.Resource{OpenIngress: []finding.Rule{world22}}, true, finding.SeverityMedium},
		{"modified rule is not ingress (egress)", modify, finding.Resource{OpenIngress: []finding.Rule{world443}}, false, finding.SeverityNone},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseCall(t, tc.call)
			if err != nil {
				t.Fatal(err)
			}
			found := true
			f.Resources[0].Found = &found
			f.Resources[0].PublicIPs = tc.live.PublicIPs
			f.Resources[0].OpenIngress = tc.live.OpenIngress
			finding.Reassess(f)
			if f.OpensExposure != tc.want {
				t.Errorf("OpensExposure = %v, want %v", f.OpensExposure, tc.want)
			}
			if f.Severity != tc.severity {
				t.Errorf("Severity = %s, want %s", f.Severity, tc.severity)
			}
		})
	}
}

func TestShareSeverity(t *testing.T) {
	for _, path := range []string{"ec2-modifyimageattribute-add-all.json", "ec2-modifysnapshotattribute-add-account.json"} {
		t.Run(path, func(t *testing.T) {
			f, err := finding.Parse(mustJSON(t, record(t, path)))
			if err != nil {
				t.Fatal(err)
			}
			finding.Reassess(f)
			if f.Severity != finding.SeverityHigh || f.Category != finding.CategorySharing {
				t.Errorf("severity %s category %s, want high sharing", f.Severity, f.Category)
			}
		})
	}
}
