package pipeline

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
)

// World is the EC2 account the demo seeds: what the sample events name.
type World struct {
	VPCID             string
	InternetGatewayID string
	SubnetID          string
	// SSHGroupID opens 22/tcp to 0.0.0.0/0; the instance uses it.
	SSHGroupID string
	// WebGroupID opens 443/tcp to 0.0.0.0/0 and ::/0; the load balancer
	// uses it.
	WebGroupID string
	InstanceID string
	PublicIP   string
	// AllocationID and ElasticIP are an Elastic IP, not associated.
	AllocationID string
	ElasticIP    string
}

// Seed creates the world: a VPC with an internet gateway and a public
// subnet, the two groups, an instance with a public IP, and an Elastic IP.
func (p *Pipeline) Seed(ctx context.Context) (World, error) {
	var w World
	vpc, err := p.EC2.CreateVpc(ctx, &ec2.CreateVpcInput{CidrBlock: aws.String("10.20.0.0/16")})
	if err != nil {
		return w, fmt.Errorf("create vpc: %w", err)
	}
	w.VPCID = aws.ToString(vpc.Vpc.VpcId)
	igw, err := p.EC2.CreateInternetGateway(ctx, &ec2.CreateInternetGatewayInput{})
	if err != nil {
		return w, fmt.Errorf("create internet gateway: %w", err)
	}
	w.InternetGatewayID = aws.ToString(igw.InternetGateway.InternetGatewayId)
	if _, err := p.EC2.AttachInternetGateway(ctx, &ec2.AttachInternetGatewayInput{InternetGatewayId: aws.String(w.InternetGatewayID), VpcId: aws.String(w.VPCID)}); err != nil {
		return w, fmt.Errorf("attach internet gateway: %w", err)
	}
	subnet, err := p.EC2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(w.VPCID), CidrBlock: aws.String("10.20.1.0/24"), AvailabilityZone: aws.String(Region + "a")})
	if err != nil {
		return w, fmt.Errorf("create subnet: %w", err)
	}
	w.SubnetID = aws.ToString(subnet.Subnet.SubnetId)
	if _, err := p.EC2.ModifySubnetAttribute(ctx, &ec2.ModifySubnetAttributeInput{SubnetId: aws.String(w.SubnetID), MapPublicIpOnLaunch: &types.AttributeBooleanValue{Value: aws.Bool(true)}}); err != nil {
		return w, fmt.Errorf("modify subnet: %w", err)
	}
	if w.SSHGroupID, err = p.group(ctx, w.VPCID, "trailwatch-demo-ssh", types.IpPermission{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(22), ToPort: aws.Int32(22), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}},
	}); err != nil {
		return w, err
	}
	if w.WebGroupID, err = p.group(ctx, w.VPCID, "trailwatch-demo-web", types.IpPermission{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(443), ToPort: aws.Int32(443),
		IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}, Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: aws.String("::/0")}},
	}); err != nil {
		return w, err
	}
	images, err := p.EC2.DescribeImages(ctx, &ec2.DescribeImagesInput{})
	if err != nil || len(images.Images) == 0 {
		return w, fmt.Errorf("describe images: %v (%d images)", err, len(images.Images))
	}
	run, err := p.EC2.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: images.Images[0].ImageId, InstanceType: types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
		NetworkInterfaces: []types.InstanceNetworkInterfaceSpecification{{
			DeviceIndex: aws.Int32(0), SubnetId: aws.String(w.SubnetID), AssociatePublicIpAddress: aws.Bool(true), Groups: []string{w.SSHGroupID},
		}},
	})
	if err != nil {
		return w, fmt.Errorf("run instances: %w", err)
	}
	w.InstanceID = aws.ToString(run.Instances[0].InstanceId)
	desc, err := p.EC2.DescribeInstances(ctx, &ec2.DescribeInstancesInput{InstanceIds: []string{w.InstanceID}})
	if err != nil {
		return w, fmt.Errorf("describe instance: %w", err)
	}
	w.PublicIP = aws.ToString(desc.Reservations[0].Instances[0].PublicIpAddress)
	if w.PublicIP == "" {
		return w, fmt.Errorf("instance %s has no public IP", w.InstanceID)
	}
	addr, err := p.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
	if err != nil {
		return w, fmt.Errorf("allocate address: %w", err)
	}
	w.AllocationID, w.ElasticIP = aws.ToString(addr.AllocationId), aws.ToString(addr.PublicIp)
	return w, nil
}

func (p *Pipeline) group(ctx context.Context, vpcID, name string, perm types.IpPermission) (string, error) {
	g, err := p.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name), VpcId: aws.String(vpcID)})
	if err != nil {
		return "", fmt.Errorf("create group %s: %w", name, err)
	}
	if _, err := p.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: g.GroupId, IpPermissions: []types.IpPermission{perm}}); err != nil {
		return "", fmt.Errorf("authorize %s: %w", name, err)
	}
	return aws.ToString(g.GroupId), nil
}

// OpenRDP opens 3389/tcp of the SSH group to the world: the change the demo's
// AuthorizeSecurityGroupIngress event reports.
func (p *Pipeline) OpenRDP(ctx context.Context, w World) error {
	_, err := p.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(w.SSHGroupID), IpPermissions: []types.IpPermission{{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(3389), ToPort: aws.Int32(3389), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}},
	}}})
	if err != nil {
		return fmt.Errorf("open 3389: %w", err)
	}
	return nil
}
