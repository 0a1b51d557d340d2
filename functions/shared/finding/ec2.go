package finding

import "slices"

// ec2Source is the eventSource of EC2's events.
const ec2Source = "ec2.amazonaws.com"

// ec2Catalog are the EC2 catalog entries, each group beside its parsers:
// instances and interfaces (ec2_instances.go), Elastic IPs
// (ec2_addresses.go), security groups (ec2_securitygroups.go), VPC
// gateways, routes and network ACLs (ec2_vpc.go), and images and snapshots
// shared (ec2_sharing.go).
var ec2Catalog = slices.Concat(ec2InstanceCatalog, ec2AddressCatalog, ec2SecurityGroupCatalog, ec2VPCCatalog, ec2SharingCatalog)

// groupItem is one security group of an EC2 groupSet or of a rule's
// groups.
type groupItem struct {
	GroupID   string `json:"groupId"`
	GroupName string `json:"groupName"`
}

// groupIDs appends the ids of set to into, without repeats.
func groupIDs(set items[groupItem], into []string) []string {
	for _, g := range set.Items {
		if g.GroupID != "" {
			into = appendUnique(into, g.GroupID)
		}
	}
	return into
}
