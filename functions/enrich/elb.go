package main

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// ELBV2API is the part of the Elastic Load Balancing v2 client (application,
// network and gateway load balancers) the adapter uses.
type ELBV2API interface {
	elbv2.DescribeLoadBalancersAPIClient
	elbv2.DescribeListenersAPIClient
	DescribeTags(ctx context.Context, in *elbv2.DescribeTagsInput, opts ...func(*elbv2.Options)) (*elbv2.DescribeTagsOutput, error)
}

// ClassicELBAPI is the part of the classic Elastic Load Balancing client the
// adapter uses.
type ClassicELBAPI interface {
	elb.DescribeLoadBalancersAPIClient
	DescribeTags(ctx context.Context, in *elb.DescribeTagsInput, opts ...func(*elb.Options)) (*elb.DescribeTagsOutput, error)
}

// ELB implements LoadBalancerLookups with both Elastic Load Balancing APIs:
// an id that is a v2 load balancer ARN (loadbalancer/app/, net/ or gwy/) is
// looked up in V2 with its listeners, any other id (a classic name, or a
// classic ARN loadbalancer/NAME) in Classic. Both APIs fail a lookup by a
// name that does not exist, so each load balancer is looked up on its own
// and one that is not found is absent from the result. Tags are read with
// one DescribeTags call per API for all those found.
type ELB struct {
	V2      ELBV2API
	Classic ClassicELBAPI
}

var _ LoadBalancerLookups = (*ELB)(nil)

// LoadBalancers describes the load balancers with the given ARNs or names.
func (e *ELB) LoadBalancers(ctx context.Context, ids []string) ([]LoadBalancer, error) {
	var out []LoadBalancer
	for _, id := range ids {
		var (
			lb    LoadBalancer
			found bool
			err   error
		)
		if isV2ARN(id) {
			lb, found, err = e.v2(ctx, id)
		} else {
			lb, found, err = e.classic(ctx, id)
		}
		if err != nil {
			return nil, err
		}
		if found {
			lb.ID = id
			out = append(out, lb)
		}
	}
	if err := e.tags(ctx, out); err != nil {
		return nil, err
	}
	return out, nil
}

// maxTagResources is how many load balancers one DescribeTags call takes.
const maxTagResources = 20

// tags sets the tags of lbs: v2 ones by ARN, classic ones by name, 20 a
// call.
func (e *ELB) tags(ctx context.Context, lbs []LoadBalancer) error {
	var arns, names []string
	for _, lb := range lbs {
		if lb.Kind == "classic" {
			names = append(names, lb.Name)
		} else {
			arns = append(arns, lb.ID)
		}
	}
	byKey := map[string]map[string]string{}
	for len(arns) > 0 {
		n := min(len(arns), maxTagResources)
		resp, err := e.V2.DescribeTags(ctx, &elbv2.DescribeTagsInput{ResourceArns: arns[:n]})
		if err != nil && !notFound(err) {
			return err
		}
		if resp != nil {
			for _, d := range resp.TagDescriptions {
				for _, t := range d.Tags {
					setTag(byKey, aws.ToString(d.ResourceArn), aws.ToString(t.Key), aws.ToString(t.Value))
				}
			}
		}
		arns = arns[n:]
	}
	for len(names) > 0 {
		n := min(len(names), maxTagResources)
		resp, err := e.Classic.DescribeTags(ctx, &elb.DescribeTagsInput{LoadBalancerNames: names[:n]})
		if err != nil && !notFound(err) {
			return err
		}
		if resp != nil {
			for _, d := range resp.TagDescriptions {
				for _, t := range d.Tags {
					setTag(byKey, aws.ToString(d.LoadBalancerName), aws.ToString(t.Key), aws.ToString(t.Value))
				}
			}
		}
		names = names[n:]
	}
	for i := range lbs {
		key := lbs[i].ID
		if lbs[i].Kind == "classic" {
			key = lbs[i].Name
		}
		lbs[i].Tags = byKey[key]
	}
	return nil
}

func setTag(m map[string]map[string]string, resource, key, value string) {
	if m[resource] == nil {
		m[resource] = map[string]string{}
	}
	m[resource][key] = value
}

func (e *ELB) v2(ctx context.Context, arn string) (LoadBalancer, bool, error) {
	resp, err := e.V2.DescribeLoadBalancers(ctx, &elbv2.DescribeLoadBalancersInput{LoadBalancerArns: []string{arn}})
	if notFound(err) {
		return LoadBalancer{}, false, nil
	}
	if err != nil {
		return LoadBalancer{}, false, err
	}
	if len(resp.LoadBalancers) == 0 {
		return LoadBalancer{}, false, nil
	}
	d := resp.LoadBalancers[0]
	lb := LoadBalancer{
		Name:           aws.ToString(d.LoadBalancerName),
		Kind:           string(d.Type),
		Scheme:         string(d.Scheme),
		DNSName:        aws.ToString(d.DNSName),
		VPCID:          aws.ToString(d.VpcId),
		IPAddressType:  string(d.IpAddressType),
		SecurityGroups: d.SecurityGroups,
	}
	for _, az := range d.AvailabilityZones {
		if s := aws.ToString(az.SubnetId); s != "" {
			lb.Subnets = append(lb.Subnets, s)
		}
	}
	p := elbv2.NewDescribeListenersPaginator(e.V2, &elbv2.DescribeListenersInput{LoadBalancerArn: aws.String(arn)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if notFound(err) {
			// Deleted between the two calls.
			return LoadBalancer{}, false, nil
		}
		if err != nil {
			return LoadBalancer{}, false, err
		}
		for _, l := range page.Listeners {
			lb.Listeners = append(lb.Listeners, finding.Listener{Protocol: string(l.Protocol), Port: int(aws.ToInt32(l.Port))})
		}
	}
	return lb, true, nil
}

func (e *ELB) classic(ctx context.Context, id string) (LoadBalancer, bool, error) {
	name := id
	if i := strings.LastIndex(id, ":loadbalancer/"); i >= 0 {
		name = id[i+len(":loadbalancer/"):]
	}
	resp, err := e.Classic.DescribeLoadBalancers(ctx, &elb.DescribeLoadBalancersInput{LoadBalancerNames: []string{name}})
	if notFound(err) {
		return LoadBalancer{}, false, nil
	}
	if err != nil {
		return LoadBalancer{}, false, err
	}
	if len(resp.LoadBalancerDescriptions) == 0 {
		return LoadBalancer{}, false, nil
	}
	d := resp.LoadBalancerDescriptions[0]
	lb := LoadBalancer{
		Name:           aws.ToString(d.LoadBalancerName),
		Kind:           "classic",
		Scheme:         aws.ToString(d.Scheme),
		DNSName:        aws.ToString(d.DNSName),
		VPCID:          aws.ToString(d.VPCId),
		Subnets:        d.Subnets,
		IPAddressType:  "ipv4",
		SecurityGroups: d.SecurityGroups,
	}
	for _, ld := range d.ListenerDescriptions {
		if ld.Listener != nil {
			lb.Listeners = append(lb.Listeners, finding.Listener{Protocol: aws.ToString(ld.Listener.Protocol), Port: int(ld.Listener.LoadBalancerPort)})
		}
	}
	return lb, true, nil
}

// isV2ARN reports whether id is the ARN of an application, network or
// gateway load balancer.
func isV2ARN(id string) bool {
	for _, kind := range []string{":loadbalancer/app/", ":loadbalancer/net/", ":loadbalancer/gwy/"} {
		if strings.Contains(id, kind) {
			return true
		}
	}
	return false
}

// notFound reports whether err says the load balancer does not exist.
func notFound(err error) bool {
	if err == nil {
		return false
	}
	var v2 *elbv2types.LoadBalancerNotFoundException
	var classic *elbtypes.AccessPointNotFoundException
	if errors.As(err, &v2) || errors.As(err, &classic) {
		return true
	}
	var api smithy.APIError
	return errors.As(err, &api) && api.ErrorCode() == "LoadBalancerNotFound"
}
