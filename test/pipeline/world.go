package pipeline

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/trailwatch/trailwatch/test/localstack"
)

// World is the EC2 account the demo seeds: what the sample events name.
type World struct {
	VPCID             string `json:"vpc_id"`
	InternetGatewayID string `json:"internet_gateway_id"`
	SubnetID          string `json:"subnet_id"`
	// SSHGroupID opens 22/tcp to 0.0.0.0/0; the instance uses it.
	SSHGroupID string `json:"ssh_group_id"`
	// WebGroupID opens 80/tcp and 443/tcp to 0.0.0.0/0 and ::/0; the load
	// balancer uses it.
	WebGroupID string `json:"web_group_id"`
	// LoadBalancerARN is an internet-facing application load balancer in
	// the public subnet, named LoadBalancerName, with an HTTP:80 listener
	// (ListenerARN) forwarding to TargetGroupARN.
	LoadBalancerARN  string `json:"load_balancer_arn"`
	LoadBalancerName string `json:"load_balancer_name"`
	ListenerARN      string `json:"listener_arn"`
	TargetGroupARN   string `json:"target_group_arn"`
	InstanceID       string `json:"instance_id"`
	PublicIP         string `json:"public_ip"`
	// AllocationID and ElasticIP are an Elastic IP, not associated.
	AllocationID string `json:"allocation_id"`
	ElasticIP    string `json:"elastic_ip"`
}

// Seed creates the world: a VPC with an internet gateway and a public
// subnet, the two groups, an instance with a public IP, an Elastic IP, and
// an internet-facing load balancer with an HTTP listener.
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
	subnet, err := p.EC2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(w.VPCID), CidrBlock: aws.String("10.20.1.0/24"), AvailabilityZone: aws.String(localstack.Region + "a")})
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
	web := func(port int32) types.IpPermission {
		return types.IpPermission{
			IpProtocol: aws.String("tcp"), FromPort: aws.Int32(port), ToPort: aws.Int32(port),
			IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}, Ipv6Ranges: []types.Ipv6Range{{CidrIpv6: aws.String("::/0")}},
		}
	}
	if w.WebGroupID, err = p.group(ctx, w.VPCID, "trailwatch-demo-web", web(80), web(443)); err != nil {
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
	if err := p.loadBalancer(ctx, &w); err != nil {
		return w, err
	}
	return w, nil
}

// loadBalancer creates w's load balancer, target group and listener.
func (p *Pipeline) loadBalancer(ctx context.Context, w *World) error {
	w.LoadBalancerName = "trailwatch-demo"
	lb, err := p.ELB.CreateLoadBalancer(ctx, &elbv2.CreateLoadBalancerInput{
		Name: aws.String(w.LoadBalancerName), Subnets: []string{w.SubnetID}, SecurityGroups: []string{w.WebGroupID},
		Scheme: elbtypes.LoadBalancerSchemeEnumInternetFacing, Type: elbtypes.LoadBalancerTypeEnumApplication,
	})
	if err != nil {
		return fmt.Errorf("create load balancer: %w", err)
	}
	w.LoadBalancerARN = aws.ToString(lb.LoadBalancers[0].LoadBalancerArn)
	tg, err := p.ELB.CreateTargetGroup(ctx, &elbv2.CreateTargetGroupInput{
		Name: aws.String("trailwatch-demo-web"), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(80), VpcId: aws.String(w.VPCID),
	})
	if err != nil {
		return fmt.Errorf("create target group: %w", err)
	}
	w.TargetGroupARN = aws.ToString(tg.TargetGroups[0].TargetGroupArn)
	l, err := p.ELB.CreateListener(ctx, &elbv2.CreateListenerInput{
		LoadBalancerArn: aws.String(w.LoadBalancerARN), Protocol: elbtypes.ProtocolEnumHttp, Port: aws.Int32(80),
		DefaultActions: []elbtypes.Action{{Type: elbtypes.ActionTypeEnumForward, TargetGroupArn: aws.String(w.TargetGroupARN)}},
	})
	if err != nil {
		return fmt.Errorf("create listener: %w", err)
	}
	w.ListenerARN = aws.ToString(l.Listeners[0].ListenerArn)
	return nil
}

func (p *Pipeline) group(ctx context.Context, vpcID, name string, perms ...types.IpPermission) (string, error) {
	g, err := p.EC2.CreateSecurityGroup(ctx, &ec2.CreateSecurityGroupInput{GroupName: aws.String(name), Description: aws.String(name), VpcId: aws.String(vpcID)})
	if err != nil {
		return "", fmt.Errorf("create group %s: %w", name, err)
	}
	if _, err := p.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: g.GroupId, IpPermissions: perms}); err != nil {
		return "", fmt.Errorf("authorize %s: %w", name, err)
	}
	return aws.ToString(g.GroupId), nil
}

// OpenRDP opens 3389/tcp of the SSH group to the world: the change the demo's
// AuthorizeSecurityGroupIngress event reports.
func (p *Pipeline) OpenRDP(ctx context.Context, w World) error {
	return p.OpenPorts(ctx, w.SSHGroupID, 3389)
}

// OpenPorts opens tcp ports of group to 0.0.0.0/0.
func (p *Pipeline) OpenPorts(ctx context.Context, group string, ports ...int) error {
	_, err := p.EC2.AuthorizeSecurityGroupIngress(ctx, &ec2.AuthorizeSecurityGroupIngressInput{GroupId: aws.String(group), IpPermissions: worldOpen(ports)})
	if err != nil {
		return fmt.Errorf("open %v of %s: %w", ports, group, err)
	}
	return nil
}

// ClosePorts revokes the world-open tcp ports of group: the change a
// RevokeSecurityGroupIngress event (Revoke) reports.
func (p *Pipeline) ClosePorts(ctx context.Context, group string, ports ...int) error {
	_, err := p.EC2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(group), IpPermissions: worldOpen(ports)})
	if err != nil {
		return fmt.Errorf("close %v of %s: %w", ports, group, err)
	}
	return nil
}

func worldOpen(ports []int) []types.IpPermission {
	var perms []types.IpPermission
	for _, port := range ports {
		perms = append(perms, types.IpPermission{IpProtocol: aws.String("tcp"), FromPort: aws.Int32(int32(port)), ToPort: aws.Int32(int32(port)),
			IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}}})
	}
	return perms
}

// LaunchPublic launches n instances with public IPs in w's subnet and SSH
// group, as a fleet does, and returns their ids.
func (p *Pipeline) LaunchPublic(ctx context.Context, w World, n int) ([]string, error) {
	images, err := p.EC2.DescribeImages(ctx, &ec2.DescribeImagesInput{})
	if err != nil || len(images.Images) == 0 {
		return nil, fmt.Errorf("describe images: %v", err)
	}
	run, err := p.EC2.RunInstances(ctx, &ec2.RunInstancesInput{
		ImageId: images.Images[0].ImageId, InstanceType: types.InstanceTypeT3Micro, MinCount: aws.Int32(int32(n)), MaxCount: aws.Int32(int32(n)),
		NetworkInterfaces: []types.InstanceNetworkInterfaceSpecification{{
			DeviceIndex: aws.Int32(0), SubnetId: aws.String(w.SubnetID), AssociatePublicIpAddress: aws.Bool(true), Groups: []string{w.SSHGroupID},
		}},
	})
	if err != nil {
		return nil, fmt.Errorf("run %d instances: %w", n, err)
	}
	var ids []string
	for _, in := range run.Instances {
		ids = append(ids, aws.ToString(in.InstanceId))
	}
	return ids, nil
}
