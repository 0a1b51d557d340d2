package main

import (
	"context"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// fakeEC2 is an EC2API whose behaviour each test states.
type fakeEC2 struct {
	DescribeSecurityGroupsFn      func(*ec2.DescribeSecurityGroupsInput) (*ec2.DescribeSecurityGroupsOutput, error)
	DescribeInstancesFn           func(*ec2.DescribeInstancesInput) (*ec2.DescribeInstancesOutput, error)
	DescribeNetworkInterfacesFn   func(*ec2.DescribeNetworkInterfacesInput) (*ec2.DescribeNetworkInterfacesOutput, error)
	DescribeAddressesFn           func(*ec2.DescribeAddressesInput) (*ec2.DescribeAddressesOutput, error)
	DescribeRouteTablesFn         func(*ec2.DescribeRouteTablesInput) (*ec2.DescribeRouteTablesOutput, error)
	DescribeNetworkAclsFn         func(*ec2.DescribeNetworkAclsInput) (*ec2.DescribeNetworkAclsOutput, error)
	DescribeSubnetsFn             func(*ec2.DescribeSubnetsInput) (*ec2.DescribeSubnetsOutput, error)
	GetManagedPrefixListEntriesFn func(*ec2.GetManagedPrefixListEntriesInput) (*ec2.GetManagedPrefixListEntriesOutput, error)
	DescribeImageAttributeFn      func(*ec2.DescribeImageAttributeInput) (*ec2.DescribeImageAttributeOutput, error)
	DescribeSnapshotAttributeFn   func(*ec2.DescribeSnapshotAttributeInput) (*ec2.DescribeSnapshotAttributeOutput, error)
}

func (f *fakeEC2) DescribeRouteTables(_ context.Context, in *ec2.DescribeRouteTablesInput, _ ...func(*ec2.Options)) (*ec2.DescribeRouteTablesOutput, error) {
	return f.DescribeRouteTablesFn(in)
}
func (f *fakeEC2) DescribeNetworkAcls(_ context.Context, in *ec2.DescribeNetworkAclsInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkAclsOutput, error) {
	return f.DescribeNetworkAclsFn(in)
}
func (f *fakeEC2) DescribeSubnets(_ context.Context, in *ec2.DescribeSubnetsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSubnetsOutput, error) {
	return f.DescribeSubnetsFn(in)
}
func (f *fakeEC2) GetManagedPrefixListEntries(_ context.Context, in *ec2.GetManagedPrefixListEntriesInput, _ ...func(*ec2.Options)) (*ec2.GetManagedPrefixListEntriesOutput, error) {
	return f.GetManagedPrefixListEntriesFn(in)
}
func (f *fakeEC2) DescribeImageAttribute(_ context.Context, in *ec2.DescribeImageAttributeInput, _ ...func(*ec2.Options)) (*ec2.DescribeImageAttributeOutput, error) {
	return f.DescribeImageAttributeFn(in)
}
func (f *fakeEC2) DescribeSnapshotAttribute(_ context.Context, in *ec2.DescribeSnapshotAttributeInput, _ ...func(*ec2.Options)) (*ec2.DescribeSnapshotAttributeOutput, error) {
	return f.DescribeSnapshotAttributeFn(in)
}

func (f *fakeEC2) DescribeSecurityGroups(_ context.Context, in *ec2.DescribeSecurityGroupsInput, _ ...func(*ec2.Options)) (*ec2.DescribeSecurityGroupsOutput, error) {
	return f.DescribeSecurityGroupsFn(in)
}
func (f *fakeEC2) DescribeInstances(_ context.Context, in *ec2.DescribeInstancesInput, _ ...func(*ec2.Options)) (*ec2.DescribeInstancesOutput, error) {
	return f.DescribeInstancesFn(in)
}
func (f *fakeEC2) DescribeNetworkInterfaces(_ context.Context, in *ec2.DescribeNetworkInterfacesInput, _ ...func(*ec2.Options)) (*ec2.DescribeNetworkInterfacesOutput, error) {
	return f.DescribeNetworkInterfacesFn(in)
}
func (f *fakeEC2) DescribeAddresses(_ context.Context, in *ec2.DescribeAddressesInput, _ ...func(*ec2.Options)) (*ec2.DescribeAddressesOutput, error) {
	return f.DescribeAddressesFn(in)
}

func TestSecurityGroupsFollowsPagesAndExpandsRules(t *testing.T) {
	calls := 0
	client := &fakeEC2{DescribeSecurityGroupsFn: func(in *ec2.DescribeSecurityGroupsInput) (*ec2.DescribeSecurityGroupsOutput, error) {
		calls++
		if got := in.Filters[0].Values; len(got) != 1 || got[0] != "sg-1" {
			t.Errorf("filter values %v", got)
		}
		if in.NextToken == nil {
			return &ec2.DescribeSecurityGroupsOutput{NextToken: aws.String("p2"), SecurityGroups: []types.SecurityGroup{{GroupId: aws.String("sg-1"), GroupName: aws.String("one"),
				IpPermissions: []types.IpPermission{{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22),
					IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}, {CidrIp: aws.String("10.0.0.0/8")}}}}}}}, nil
		}
		return &ec2.DescribeSecurityGroupsOutput{SecurityGroups: []types.SecurityGroup{{GroupId: aws.String("sg-2"),
			IpPermissions: []types.IpPermission{{IpProtocol: aws.String("-1"), Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: aws.String("::/0")}},
				PrefixListIds: []types.PrefixListId{{PrefixListId: aws.String("pl-1")}}, UserIdGroupPairs: []types.UserIdGroupPair{{GroupId: aws.String("sg-9")}}}}}}}, nil
	}}
	got, err := (&EC2{Client: client}).SecurityGroups(context.Background(), []string{"sg-1"})
	if err != nil {
		t.Fatal(err)
	}
	want := []finding.SecurityGroup{
		{ID: "sg-1", Name: "one", Ingress: []finding.Rule{
			{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true, SecurityGroupID: "sg-1"},
			{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "10.0.0.0/8", SecurityGroupID: "sg-1"},
		}},
		{ID: "sg-2", Ingress: []finding.Rule{
			{Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "::/0", WorldOpen: true, SecurityGroupID: "sg-2"},
			{Protocol: "-1", FromPort: -1, ToPort: -1, PrefixListID: "pl-1", SecurityGroupID: "sg-2"},
			{Protocol: "-1", FromPort: -1, ToPort: -1, GroupID: "sg-9", SecurityGroupID: "sg-2"},
		}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("groups (-want +got):\n%s", diff)
	}
	if calls != 2 {
		t.Errorf("%d calls, want 2 (one per page)", calls)
	}
}

func TestInstancesChunksFilters(t *testing.T) {
	var sizes []int
	client := &fakeEC2{DescribeInstancesFn: func(in *ec2.DescribeInstancesInput) (*ec2.DescribeInstancesOutput, error) {
		sizes = append(sizes, len(in.Filters[0].Values))
		var insts []types.Instance
		for _, id := range in.Filters[0].Values {
			insts = append(insts, types.Instance{InstanceId: aws.String(id), PublicIpAddress: aws.String("203.0.113.5"),
				SecurityGroups: []types.GroupIdentifier{{GroupId: aws.String("sg-1")}},
				NetworkInterfaces: []types.InstanceNetworkInterface{{Association: &types.InstanceNetworkInterfaceAssociation{PublicIp: aws.String("203.0.113.5")},
					Groups:        []types.GroupIdentifier{{GroupId: aws.String("sg-1")}, {GroupId: aws.String("sg-2")}},
					Ipv6Addresses: []types.InstanceIpv6Address{{Ipv6Address: aws.String("2001:db8::1")}}}}})
		}
		return &ec2.DescribeInstancesOutput{Reservations: []types.Reservation{{Instances: insts}}}, nil
	}}
	ids := make([]string, 450)
	for i := range ids {
		ids[i] = fmt.Sprintf("i-%04d", i)
	}
	got, err := (&EC2{Client: client}).Instances(context.Background(), ids)
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]int{200, 200, 50}, sizes); diff != "" {
		t.Errorf("filter sizes (-want +got):\n%s", diff)
	}
	if len(got) != 450 {
		t.Fatalf("%d instances, want 450", len(got))
	}
	want := Instance{ID: "i-0000", SecurityGroups: []string{"sg-1", "sg-2"}, PublicIPs: []string{"203.0.113.5", "2001:db8::1"},
		Interfaces: []NetworkInterface{{InstanceID: "i-0000", SecurityGroups: []string{"sg-1", "sg-2"}, PublicIPs: []string{"203.0.113.5", "2001:db8::1"},
			PublicIPv4: []string{"203.0.113.5"}, IPv6: []string{"2001:db8::1"}}}}
	if diff := cmp.Diff(want, got[0]); diff != "" {
		t.Errorf("instance (-want +got):\n%s", diff)
	}
}

func TestAddressesByAllocationAndIP(t *testing.T) {
	var filters []string
	client := &fakeEC2{DescribeAddressesFn: func(in *ec2.DescribeAddressesInput) (*ec2.DescribeAddressesOutput, error) {
		f := in.Filters[0]
		filters = append(filters, aws.ToString(f.Name)+"="+f.Values[0])
		return &ec2.DescribeAddressesOutput{Addresses: []types.Address{{AllocationId: aws.String("eipalloc-1"), PublicIp: aws.String("198.51.100.1"), InstanceId: aws.String("i-1")}}}, nil
	}}
	_, err := (&EC2{Client: client}).Addresses(context.Background(), []string{"eipalloc-1", "198.51.100.1"})
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff([]string{"allocation-id=eipalloc-1", "public-ip=198.51.100.1"}, filters); diff != "" {
		t.Errorf("filters (-want +got):\n%s", diff)
	}
}

func TestAppendPublicSkipsPrivate(t *testing.T) {
	var got []string
	for _, ip := range []string{"10.0.0.5", "", "203.0.113.9", "203.0.113.9", "fd00::1", "2001:db8::2", "not-an-ip"} {
		got = appendPublic(got, ip)
	}
	if diff := cmp.Diff([]string{"203.0.113.9", "2001:db8::2"}, got); diff != "" {
		t.Errorf("(-want +got):\n%s", diff)
	}
}
