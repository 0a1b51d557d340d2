package pipeline

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/ec2/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	s3ctltypes "github.com/aws/aws-sdk-go-v2/service/s3control/types"
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
	// ImageID is the image the instances run, one of moto's.
	ImageID  string `json:"image_id"`
	PublicIP string `json:"public_ip"`
	// AllocationID and ElasticIP are an Elastic IP, not associated.
	AllocationID string `json:"allocation_id"`
	ElasticIP    string `json:"elastic_ip"`

	// PublicRouteTableID routes 0.0.0.0/0 to the internet gateway: SubnetID
	// and DenySubnetID use it; PrivateSubnetID has the VPC's main table,
	// which routes nowhere.
	PublicRouteTableID string `json:"public_route_table_id"`
	PrivateSubnetID    string `json:"private_subnet_id"`
	// PrivateInstanceID has a public IP and the SSH group, in the private
	// subnet: nothing reaches it.
	PrivateInstanceID string `json:"private_instance_id"`
	// DenySubnetID's network ACL (DenyACLID) denies tcp/22 from the world
	// at rule 90 and allows everything else; DenyInstanceID has a public IP
	// and the SSH group there.
	DenySubnetID   string `json:"deny_subnet_id"`
	DenyACLID      string `json:"deny_acl_id"`
	DenyInstanceID string `json:"deny_instance_id"`
	// LoadBalancerInterfaceID is the load balancer's network interface
	// (described as Elastic Load Balancing describes its own), in the web
	// group, with a public IP: moto creates none for a load balancer.
	LoadBalancerInterfaceID string `json:"load_balancer_interface_id"`
	// DatabaseID is a publicly accessible RDS instance in a subnet group of
	// the private subnet, its group (DatabaseGroupID) open on 5432.
	DatabaseID      string `json:"database_id"`
	DatabaseGroupID string `json:"database_group_id"`
	// Bucket has a public bucket policy, under an account public access
	// block with every setting on.
	Bucket string `json:"bucket"`
	// PublicFunction has a function URL with auth NONE and a policy
	// statement letting everyone call it; IAMFunction the same statement
	// and a URL with auth AWS_IAM (world_functions.go).
	PublicFunction string `json:"public_function"`
	IAMFunction    string `json:"iam_function"`
	// DBSnapshotID is a manual snapshot of the database, shared (restore)
	// with SnapshotSharedWith, an account the deployment does not trust.
	DBSnapshotID       string `json:"db_snapshot_id"`
	SnapshotSharedWith string `json:"snapshot_shared_with"`
}

// Seed creates the world: a VPC with an internet gateway and a public
// subnet, the two groups, an instance with a public IP, an Elastic IP, and
// an internet-facing load balancer with an HTTP listener; then the paths
// (a public route table, a private subnet, a subnet whose ACL denies 22,
// an instance in each, the load balancer's interface), a publicly
// accessible database in the private subnet and a bucket with a public
// policy under the account's public access block; a snapshot of the
// database shared with an untrusted account, and two functions with URLs
// (auth NONE and AWS_IAM).
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
	w.InstanceID, w.ImageID = aws.ToString(run.Instances[0].InstanceId), aws.ToString(images.Images[0].ImageId)
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
	if err := p.paths(ctx, &w, images.Images[0].ImageId); err != nil {
		return w, err
	}
	if err := p.database(ctx, &w); err != nil {
		return w, err
	}
	if err := p.bucket(ctx, &w); err != nil {
		return w, err
	}
	if err := p.dbSnapshot(ctx, &w); err != nil {
		return w, err
	}
	if err := p.functions(ctx, &w); err != nil {
		return w, err
	}
	return w, nil
}

// paths gives the world its routes and ACLs: the public route table, the
// private subnet and its instance, the subnet whose ACL denies 22 and its
// instance, and the load balancer's interface.
func (p *Pipeline) paths(ctx context.Context, w *World, image *string) error {
	rt, err := p.EC2.CreateRouteTable(ctx, &ec2.CreateRouteTableInput{VpcId: aws.String(w.VPCID)})
	if err != nil {
		return fmt.Errorf("create route table: %w", err)
	}
	w.PublicRouteTableID = aws.ToString(rt.RouteTable.RouteTableId)
	if _, err := p.EC2.CreateRoute(ctx, &ec2.CreateRouteInput{RouteTableId: aws.String(w.PublicRouteTableID), DestinationCidrBlock: aws.String("0.0.0.0/0"),
		GatewayId: aws.String(w.InternetGatewayID)}); err != nil {
		return fmt.Errorf("create route: %w", err)
	}
	subnet := func(cidr string) (string, error) {
		s, err := p.EC2.CreateSubnet(ctx, &ec2.CreateSubnetInput{VpcId: aws.String(w.VPCID), CidrBlock: aws.String(cidr), AvailabilityZone: aws.String(localstack.Region + "a")})
		if err != nil {
			return "", fmt.Errorf("create subnet %s: %w", cidr, err)
		}
		return aws.ToString(s.Subnet.SubnetId), nil
	}
	if w.PrivateSubnetID, err = subnet("10.20.2.0/24"); err != nil {
		return err
	}
	if w.DenySubnetID, err = subnet("10.20.3.0/24"); err != nil {
		return err
	}
	for _, s := range []string{w.SubnetID, w.DenySubnetID} {
		if _, err := p.EC2.AssociateRouteTable(ctx, &ec2.AssociateRouteTableInput{RouteTableId: aws.String(w.PublicRouteTableID), SubnetId: aws.String(s)}); err != nil {
			return fmt.Errorf("associate route table: %w", err)
		}
	}
	if err := p.denyACL(ctx, w); err != nil {
		return err
	}
	instance := func(subnet string) (string, error) {
		run, err := p.EC2.RunInstances(ctx, &ec2.RunInstancesInput{
			ImageId: image, InstanceType: types.InstanceTypeT3Micro, MinCount: aws.Int32(1), MaxCount: aws.Int32(1),
			NetworkInterfaces: []types.InstanceNetworkInterfaceSpecification{{
				DeviceIndex: aws.Int32(0), SubnetId: aws.String(subnet), AssociatePublicIpAddress: aws.Bool(true), Groups: []string{w.SSHGroupID},
			}},
		})
		if err != nil {
			return "", fmt.Errorf("run instance in %s: %w", subnet, err)
		}
		return aws.ToString(run.Instances[0].InstanceId), nil
	}
	if w.PrivateInstanceID, err = instance(w.PrivateSubnetID); err != nil {
		return err
	}
	if w.DenyInstanceID, err = instance(w.DenySubnetID); err != nil {
		return err
	}
	// The interface Elastic Load Balancing would give the load balancer,
	// described as it describes them ("ELB app/NAME/ID").
	suffix := w.LoadBalancerARN[strings.Index(w.LoadBalancerARN, ":loadbalancer/")+len(":loadbalancer/"):]
	eni, err := p.EC2.CreateNetworkInterface(ctx, &ec2.CreateNetworkInterfaceInput{SubnetId: aws.String(w.SubnetID), Groups: []string{w.WebGroupID},
		Description: aws.String("ELB " + suffix)})
	if err != nil {
		return fmt.Errorf("create load balancer interface: %w", err)
	}
	w.LoadBalancerInterfaceID = aws.ToString(eni.NetworkInterface.NetworkInterfaceId)
	addr, err := p.EC2.AllocateAddress(ctx, &ec2.AllocateAddressInput{Domain: types.DomainTypeVpc})
	if err != nil {
		return fmt.Errorf("allocate load balancer address: %w", err)
	}
	if _, err := p.EC2.AssociateAddress(ctx, &ec2.AssociateAddressInput{AllocationId: addr.AllocationId, NetworkInterfaceId: aws.String(w.LoadBalancerInterfaceID)}); err != nil {
		return fmt.Errorf("associate load balancer address: %w", err)
	}
	return nil
}

// denyACL gives the deny subnet an ACL that denies tcp/22 from the world
// (rule 90) and allows all traffic in and out (rule 100).
func (p *Pipeline) denyACL(ctx context.Context, w *World) error {
	acl, err := p.EC2.CreateNetworkAcl(ctx, &ec2.CreateNetworkAclInput{VpcId: aws.String(w.VPCID)})
	if err != nil {
		return fmt.Errorf("create network acl: %w", err)
	}
	w.DenyACLID = aws.ToString(acl.NetworkAcl.NetworkAclId)
	entries := []ec2.CreateNetworkAclEntryInput{
		{RuleNumber: aws.Int32(90), Protocol: aws.String("6"), RuleAction: types.RuleActionDeny, PortRange: &types.PortRange{From: aws.Int32(22), To: aws.Int32(22)}},
		{RuleNumber: aws.Int32(100), Protocol: aws.String("-1"), RuleAction: types.RuleActionAllow},
		{RuleNumber: aws.Int32(100), Protocol: aws.String("-1"), RuleAction: types.RuleActionAllow, Egress: aws.Bool(true)},
	}
	for _, e := range entries {
		e.NetworkAclId, e.CidrBlock = aws.String(w.DenyACLID), aws.String("0.0.0.0/0")
		if e.Egress == nil {
			e.Egress = aws.Bool(false)
		}
		if _, err := p.EC2.CreateNetworkAclEntry(ctx, &e); err != nil {
			return fmt.Errorf("create network acl entry %d: %w", aws.ToInt32(e.RuleNumber), err)
		}
	}
	acls, err := p.EC2.DescribeNetworkAcls(ctx, &ec2.DescribeNetworkAclsInput{Filters: []types.Filter{{Name: aws.String("association.subnet-id"), Values: []string{w.DenySubnetID}}}})
	if err != nil {
		return fmt.Errorf("describe network acls: %w", err)
	}
	for _, a := range acls.NetworkAcls {
		for _, as := range a.Associations {
			if aws.ToString(as.SubnetId) == w.DenySubnetID {
				if _, err := p.EC2.ReplaceNetworkAclAssociation(ctx, &ec2.ReplaceNetworkAclAssociationInput{AssociationId: as.NetworkAclAssociationId, NetworkAclId: aws.String(w.DenyACLID)}); err != nil {
					return fmt.Errorf("replace network acl association: %w", err)
				}
				return nil
			}
		}
	}
	return fmt.Errorf("subnet %s has no network acl association", w.DenySubnetID)
}

// database creates a publicly accessible RDS instance in the private
// subnet, its group open on 5432.
func (p *Pipeline) database(ctx context.Context, w *World) error {
	var err error
	if w.DatabaseGroupID, err = p.group(ctx, w.VPCID, "trailwatch-demo-db", types.IpPermission{
		IpProtocol: aws.String("tcp"), FromPort: aws.Int32(5432), ToPort: aws.Int32(5432), IpRanges: []types.IpRange{{CidrIp: aws.String("0.0.0.0/0")}},
	}); err != nil {
		return err
	}
	if _, err := p.RDS.CreateDBSubnetGroup(ctx, &rds.CreateDBSubnetGroupInput{DBSubnetGroupName: aws.String("trailwatch-demo-private"),
		DBSubnetGroupDescription: aws.String("private"), SubnetIds: []string{w.PrivateSubnetID}}); err != nil {
		return fmt.Errorf("create db subnet group: %w", err)
	}
	w.DatabaseID = "trailwatch-demo-db"
	if _, err := p.RDS.CreateDBInstance(ctx, &rds.CreateDBInstanceInput{DBInstanceIdentifier: aws.String(w.DatabaseID), DBInstanceClass: aws.String("db.t3.micro"),
		Engine: aws.String("postgres"), MasterUsername: aws.String("demo"), MasterUserPassword: aws.String("demo-password-1"), AllocatedStorage: aws.Int32(20),
		DBSubnetGroupName: aws.String("trailwatch-demo-private"), PubliclyAccessible: aws.Bool(true), VpcSecurityGroupIds: []string{w.DatabaseGroupID}}); err != nil {
		return fmt.Errorf("create db instance: %w", err)
	}
	return nil
}

// bucket creates a bucket with a public policy under an account public
// access block with every setting on.
func (p *Pipeline) bucket(ctx context.Context, w *World) error {
	w.Bucket = "trailwatch-demo-public"
	if _, err := p.S3.CreateBucket(ctx, &s3.CreateBucketInput{Bucket: aws.String(w.Bucket)}); err != nil {
		return fmt.Errorf("create bucket: %w", err)
	}
	policy := `{"Version":"2012-10-17","Statement":[{"Sid":"PublicRead","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::` + w.Bucket + `/*"}]}`
	if _, err := p.S3.PutBucketPolicy(ctx, &s3.PutBucketPolicyInput{Bucket: aws.String(w.Bucket), Policy: aws.String(policy)}); err != nil {
		return fmt.Errorf("put bucket policy: %w", err)
	}
	on := aws.Bool(true)
	if _, err := p.S3Control.PutPublicAccessBlock(ctx, &s3control.PutPublicAccessBlockInput{AccountId: aws.String(localstack.AccountID),
		PublicAccessBlockConfiguration: &s3ctltypes.PublicAccessBlockConfiguration{BlockPublicAcls: on, IgnorePublicAcls: on, BlockPublicPolicy: on, RestrictPublicBuckets: on}}); err != nil {
		return fmt.Errorf("put account public access block: %w", err)
	}
	return nil
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

// NewGroup creates a security group in w's VPC that opens tcp ports to
// 0.0.0.0/0, and returns its id.
func (p *Pipeline) NewGroup(ctx context.Context, w World, name string, ports ...int) (string, error) {
	return p.group(ctx, w.VPCID, name, worldOpen(ports)...)
}

// Tag sets the tag key to value on the EC2 resource id.
func (p *Pipeline) Tag(ctx context.Context, id, key, value string) error {
	if _, err := p.EC2.CreateTags(ctx, &ec2.CreateTagsInput{Resources: []string{id}, Tags: []types.Tag{{Key: aws.String(key), Value: aws.String(value)}}}); err != nil {
		return fmt.Errorf("tag %s with %s: %w", id, key, err)
	}
	return nil
}

// Untag removes the tag key from the EC2 resource id.
func (p *Pipeline) Untag(ctx context.Context, id, key string) error {
	if _, err := p.EC2.DeleteTags(ctx, &ec2.DeleteTagsInput{Resources: []string{id}, Tags: []types.Tag{{Key: aws.String(key)}}}); err != nil {
		return fmt.Errorf("untag %s of %s: %w", key, id, err)
	}
	return nil
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

// ClosePortsByRuleID revokes group's ingress rules that open tcp ports to
// 0.0.0.0/0 by their security group rule ids, as the console does, and
// returns the ids revoked.
func (p *Pipeline) ClosePortsByRuleID(ctx context.Context, group string, ports ...int) ([]string, error) {
	out, err := p.EC2.DescribeSecurityGroupRules(ctx, &ec2.DescribeSecurityGroupRulesInput{
		Filters: []types.Filter{{Name: aws.String("group-id"), Values: []string{group}}}})
	if err != nil {
		return nil, fmt.Errorf("describe the rules of %s: %w", group, err)
	}
	var ids []string
	for _, r := range out.SecurityGroupRules {
		if !aws.ToBool(r.IsEgress) && aws.ToString(r.CidrIpv4) == "0.0.0.0/0" && aws.ToString(r.IpProtocol) == "tcp" &&
			slices.Contains(ports, int(aws.ToInt32(r.FromPort))) && aws.ToInt32(r.FromPort) == aws.ToInt32(r.ToPort) {
			ids = append(ids, aws.ToString(r.SecurityGroupRuleId))
		}
	}
	if len(ids) != len(ports) {
		return nil, fmt.Errorf("%s has rules %v for the ports %v, want one each", group, ids, ports)
	}
	if _, err := p.EC2.RevokeSecurityGroupIngress(ctx, &ec2.RevokeSecurityGroupIngressInput{GroupId: aws.String(group), SecurityGroupRuleIds: ids}); err != nil {
		return nil, fmt.Errorf("revoke %v of %s: %w", ids, group, err)
	}
	return ids, nil
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
