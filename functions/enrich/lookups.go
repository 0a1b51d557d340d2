package main

import (
	"context"
	"fmt"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// Lookups is what enrich needs from an account: its EC2 resources and its
// load balancers. Each method returns only what exists: an id that names
// nothing is absent from the result, not an error.
type Lookups interface {
	EC2Lookups
	LoadBalancerLookups
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
}

// LoadBalancerLookups is what enrich needs from Elastic Load Balancing.
type LoadBalancerLookups interface {
	// LoadBalancers looks load balancers up by ARN (application, network,
	// gateway) or by name (classic), with their listeners.
	LoadBalancers(ctx context.Context, ids []string) ([]LoadBalancer, error)
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
	SecurityGroups []string
	Listeners      []finding.Listener
}

// Instance is an EC2 instance as enrich needs it.
type Instance struct {
	ID             string
	SecurityGroups []string
	PublicIPs      []string
}

// Address is an Elastic IP.
type Address struct {
	AllocationID       string
	PublicIP           string
	InstanceID         string
	NetworkInterfaceID string
}

// NetworkInterface is an elastic network interface.
type NetworkInterface struct {
	ID             string
	InstanceID     string
	SecurityGroups []string
	PublicIPs      []string
}

// LookupError is returned (unwrapped) when a lookup fails: an EC2 or
// Elastic Load Balancing call, or assuming the member account's role. It is
// usually transient; the state machine retries it.
type LookupError struct {
	// Service and Op name the call, e.g. "ec2" and "DescribeInstances".
	Service string
	Op      string
	Err     error
}

func (e *LookupError) Error() string { return fmt.Sprintf("%s %s: %v", e.Service, e.Op, e.Err) }
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
