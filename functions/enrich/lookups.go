package main

import (
	"context"
	"fmt"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Lookups is what enrich needs from an account: its EC2 resources and
// network, load balancers, databases, buckets and functions. Each method
// returns only what exists: an id that names nothing is absent from the
// result, not an error.
type Lookups interface {
	EC2Lookups
	LoadBalancerLookups
	DatabaseLookups
	BucketLookups
	FunctionLookups
}

// EC2Lookups is what enrich needs from EC2.
type EC2Lookups interface {
	SecurityGroups(ctx context.Context, ids []string) ([]finding.SecurityGroup, error)
	Instances(ctx context.Context, ids []string) ([]Instance, error)
	// Addresses looks Elastic IPs up by allocation id or, for a classic
	// address, by public IP.
	Addresses(ctx context.Context, ids []string) ([]Address, error)
	// NetworkInterfaces returns the interfaces with the given ids and those
	// in any of the given security groups.
	NetworkInterfaces(ctx context.Context, ids, groupIDs []string) ([]NetworkInterface, error)
	// InterfacesIn returns the interfaces in the given subnets, or, with
	// subnets empty, in the given VPCs.
	InterfacesIn(ctx context.Context, subnets, vpcs []string) ([]NetworkInterface, error)
	// RouteTables returns the route tables with the given ids, or, with ids
	// empty, every route table of the given VPCs.
	RouteTables(ctx context.Context, ids, vpcs []string) ([]finding.RouteTable, error)
	// NetworkACLs returns the network ACLs with the given ids, or, with ids
	// empty, those associated with the given subnets.
	NetworkACLs(ctx context.Context, ids, subnets []string) ([]finding.NetworkACL, error)
	// PrefixLists returns the managed prefix lists with the given ids and
	// their entries.
	PrefixLists(ctx context.Context, ids []string) ([]finding.PrefixList, error)
	Subnets(ctx context.Context, ids []string) ([]Subnet, error)
	// ImageShares and SnapshotShares return who an image (launch
	// permission) or EBS snapshot (create-volume permission) is shared
	// with now: "all", account ids, organization or OU ARNs; found is false
	// when the image or snapshot does not exist.
	ImageShares(ctx context.Context, id string) (grantees []string, found bool, err error)
	SnapshotShares(ctx context.Context, id string) (grantees []string, found bool, err error)
}

// LoadBalancerLookups is what enrich needs from Elastic Load Balancing.
type LoadBalancerLookups interface {
	// LoadBalancers looks load balancers up by ARN (application, network,
	// gateway) or by name (classic), with their listeners and tags.
	LoadBalancers(ctx context.Context, ids []string) ([]LoadBalancer, error)
}

// DatabaseLookups is what enrich needs from RDS and Redshift.
type DatabaseLookups interface {
	// DBInstances returns the RDS DB instances with the given identifiers
	// and those of the given clusters.
	DBInstances(ctx context.Context, ids, clusters []string) ([]Database, error)
	// DBClusters returns the RDS DB clusters with the given identifiers,
	// their subnet groups' subnets included.
	DBClusters(ctx context.Context, ids []string) ([]Database, error)
	// RedshiftClusters returns the Redshift clusters with the given
	// identifiers, their subnet groups' subnets included.
	RedshiftClusters(ctx context.Context, ids []string) ([]Database, error)
	// DBSnapshotShares and DBClusterSnapshotShares return who a manual RDS
	// DB snapshot or DB cluster snapshot is shared with now (its restore
	// attribute: "all", account ids); found is false when it does not
	// exist.
	DBSnapshotShares(ctx context.Context, id string) (grantees []string, found bool, err error)
	DBClusterSnapshotShares(ctx context.Context, id string) (grantees []string, found bool, err error)
}

// BucketLookups is what enrich needs from S3.
type BucketLookups interface {
	// Bucket returns what S3 says about who may use bucket, owned by
	// account; found is false when the bucket does not exist.
	Bucket(ctx context.Context, account, bucket string) (access finding.BucketAccess, tags map[string]string, found bool, err error)
}

// FunctionLookups is what enrich needs from Lambda.
type FunctionLookups interface {
	// Function returns what Lambda says about who may invoke function (a
	// name or ARN) in account and region; found is false when it does not
	// exist.
	Function(ctx context.Context, account, region, function string) (access finding.FunctionAccess, tags map[string]string, found bool, err error)
}

// LoadBalancer is a load balancer as enrich needs it.
type LoadBalancer struct {
	// ID is the ARN or name it was looked up by.
	ID   string
	Name string
	// Kind is "application", "network", "gateway" or "classic".
	Kind           string
	Scheme         string
	DNSName        string
	VPCID          string
	Subnets        []string
	IPAddressType  string
	SecurityGroups []string
	Listeners      []finding.Listener
	Tags           map[string]string
}

// Instance is an EC2 instance as enrich needs it.
type Instance struct {
	ID             string
	SecurityGroups []string
	// PublicIPs are its public IPv4 and global IPv6 addresses.
	PublicIPs  []string
	Interfaces []NetworkInterface
	Tags       map[string]string
}

// Address is an Elastic IP.
type Address struct {
	AllocationID       string
	PublicIP           string
	InstanceID         string
	NetworkInterfaceID string
	Tags               map[string]string
}

// NetworkInterface is an elastic network interface.
type NetworkInterface struct {
	ID             string
	InstanceID     string
	SubnetID       string
	VPCID          string
	SecurityGroups []string
	// PublicIPs are its public IPv4 and global IPv6 addresses; PublicIPv4
	// and IPv6 split them by family.
	PublicIPs  []string
	PublicIPv4 []string
	IPv6       []string
	// LoadBalancer is the load balancer the interface belongs to, from its
	// description ("ELB app/web/50dc6c495c0c9188" gives "app/web/50dc...",
	// "ELB legacy" gives "legacy"); "" for any other interface.
	LoadBalancer string
	Tags         map[string]string
}

// Subnet is a VPC subnet.
type Subnet struct {
	ID                  string
	VPCID               string
	MapPublicIPOnLaunch bool
	AssignIPv6OnCreate  bool
	Tags                map[string]string
}

// Database is an RDS DB instance or cluster, or a Redshift cluster.
type Database struct {
	ID string
	// Cluster is the DB cluster an RDS instance belongs to.
	Cluster string
	// PubliclyAccessible is nil when the API does not say (an Aurora
	// cluster: its instances do).
	PubliclyAccessible *bool
	Address            string
	Port               int
	SecurityGroups     []string
	VPCID              string
	Subnets            []string
	Tags               map[string]string
}

// LookupError is returned (unwrapped) when a lookup fails: an AWS call, or
// assuming the member account's role. It is usually transient; the state
// machine retries it.
type LookupError struct {
	// Service and Op name the call, e.g. "ec2" and "DescribeInstances".
	Service string
	Op      string
	Err     error
}

// MaxLookupErrorBytes bounds a LookupError's text: Step Functions carries
// it as the Enrich task's cause, which the degraded path keeps in the
// finding (finding.Unconfirmed).
const MaxLookupErrorBytes = 1024

// Error says which call failed and why, in at most MaxLookupErrorBytes
// (cut with "…").
func (e *LookupError) Error() string {
	return finding.Shorten(fmt.Sprintf("%s %s: %v", e.Service, e.Op, e.Err), MaxLookupErrorBytes)
}

func (e *LookupError) Unwrap() error { return e.Err }

// Accounts gives the Lookups of an account in a region: the function's own
// account, or a member account's through the role enrich assumes there.
type Accounts interface {
	For(ctx context.Context, account, region string) (Lookups, error)
}

// Single is Accounts for one account and region: every account gets the
// same Lookups.
type Single struct{ Lookups }

// For returns s's Lookups whatever the account and region.
func (s Single) For(context.Context, string, string) (Lookups, error) { return s.Lookups, nil }
