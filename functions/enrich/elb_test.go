package main

import (
	"context"
	"errors"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	elb "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing"
	elbtypes "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancing/types"
	elbv2 "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2"
	elbv2types "github.com/aws/aws-sdk-go-v2/service/elasticloadbalancingv2/types"
	"github.com/aws/smithy-go"
	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// fakeELBV2 is an ELBV2API whose behaviour each test states.
type fakeELBV2 struct {
	DescribeLoadBalancersFn func(*elbv2.DescribeLoadBalancersInput) (*elbv2.DescribeLoadBalancersOutput, error)
	DescribeListenersFn     func(*elbv2.DescribeListenersInput) (*elbv2.DescribeListenersOutput, error)
	DescribeTagsFn          func(*elbv2.DescribeTagsInput) (*elbv2.DescribeTagsOutput, error)
}

func (f *fakeELBV2) DescribeTags(_ context.Context, in *elbv2.DescribeTagsInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeTagsOutput, error) {
	if f.DescribeTagsFn == nil {
		return &elbv2.DescribeTagsOutput{}, nil
	}
	return f.DescribeTagsFn(in)
}

func (f *fakeELBV2) DescribeLoadBalancers(_ context.Context, in *elbv2.DescribeLoadBalancersInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeLoadBalancersOutput, error) {
	return f.DescribeLoadBalancersFn(in)
}
func (f *fakeELBV2) DescribeListeners(_ context.Context, in *elbv2.DescribeListenersInput, _ ...func(*elbv2.Options)) (*elbv2.DescribeListenersOutput, error) {
	return f.DescribeListenersFn(in)
}

// fakeClassicELB is a ClassicELBAPI whose behaviour each test states.
type fakeClassicELB struct {
	DescribeLoadBalancersFn func(*elb.DescribeLoadBalancersInput) (*elb.DescribeLoadBalancersOutput, error)
	DescribeTagsFn          func(*elb.DescribeTagsInput) (*elb.DescribeTagsOutput, error)
}

func (f *fakeClassicELB) DescribeTags(_ context.Context, in *elb.DescribeTagsInput, _ ...func(*elb.Options)) (*elb.DescribeTagsOutput, error) {
	if f.DescribeTagsFn == nil {
		return &elb.DescribeTagsOutput{}, nil
	}
	return f.DescribeTagsFn(in)
}

func (f *fakeClassicELB) DescribeLoadBalancers(_ context.Context, in *elb.DescribeLoadBalancersInput, _ ...func(*elb.Options)) (*elb.DescribeLoadBalancersOutput, error) {
	return f.DescribeLoadBalancersFn(in)
}

const (
	albARN         = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/50dc6c495c0c9188"
	goneARN        = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/net/gone/73e2d6bc24d8a067"
	classicARN     = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/legacy"
	lbNotFoundCode = "LoadBalancerNotFound"
)

func TestLoadBalancers(t *testing.T) {
	var listenerCalls int
	v2 := &fakeELBV2{
		DescribeLoadBalancersFn: func(in *elbv2.DescribeLoadBalancersInput) (*elbv2.DescribeLoadBalancersOutput, error) {
			if len(in.LoadBalancerArns) != 1 {
				t.Fatalf("looked up %v at once, want one ARN per call", in.LoadBalancerArns)
			}
			switch in.LoadBalancerArns[0] {
			case albARN:
				return &elbv2.DescribeLoadBalancersOutput{LoadBalancers: []elbv2types.LoadBalancer{{
					LoadBalancerArn: aws.String(albARN), LoadBalancerName: aws.String("web"), Type: elbv2types.LoadBalancerTypeEnumApplication,
					Scheme: elbv2types.LoadBalancerSchemeEnumInternetFacing, DNSName: aws.String("web-1.us-east-1.elb.amazonaws.com"),
					SecurityGroups: []string{"sg-web"},
				}}}, nil
			case goneARN:
				return nil, &elbv2types.LoadBalancerNotFoundException{Message: aws.String("One or more load balancers not found")}
			}
			t.Fatalf("unexpected ARN %s", in.LoadBalancerArns[0])
			return nil, nil
		},
		DescribeListenersFn: func(in *elbv2.DescribeListenersInput) (*elbv2.DescribeListenersOutput, error) {
			listenerCalls++
			if got := aws.ToString(in.LoadBalancerArn); got != albARN {
				t.Errorf("listeners of %s", got)
			}
			if in.Marker == nil {
				return &elbv2.DescribeListenersOutput{NextMarker: aws.String("p2"), Listeners: []elbv2types.Listener{{Protocol: elbv2types.ProtocolEnumHttps, Port: aws.Int32(443)}}}, nil
			}
			return &elbv2.DescribeListenersOutput{Listeners: []elbv2types.Listener{{Protocol: elbv2types.ProtocolEnumHttp, Port: aws.Int32(80)}}}, nil
		},
	}
	classic := &fakeClassicELB{DescribeLoadBalancersFn: func(in *elb.DescribeLoadBalancersInput) (*elb.DescribeLoadBalancersOutput, error) {
		switch in.LoadBalancerNames[0] {
		case "legacy":
			return &elb.DescribeLoadBalancersOutput{LoadBalancerDescriptions: []elbtypes.LoadBalancerDescription{{
				LoadBalancerName: aws.String("legacy"), Scheme: aws.String("internet-facing"), DNSName: aws.String("legacy-1.us-east-1.elb.amazonaws.com"),
				SecurityGroups:       []string{"sg-legacy"},
				ListenerDescriptions: []elbtypes.ListenerDescription{{Listener: &elbtypes.Listener{Protocol: aws.String("TCP"), LoadBalancerPort: 22}}},
			}}}, nil
		case "missing":
			return nil, &elbtypes.AccessPointNotFoundException{Message: aws.String("There is no ACTIVE Load Balancer named 'missing'")}
		}
		t.Fatalf("unexpected name %v", in.LoadBalancerNames)
		return nil, nil
	}}
	e := &ELB{V2: v2, Classic: classic}
	got, err := e.LoadBalancers(context.Background(), []string{albARN, goneARN, classicARN, "missing"})
	if err != nil {
		t.Fatal(err)
	}
	want := []LoadBalancer{
		{ID: albARN, Name: "web", Kind: "application", Scheme: "internet-facing", DNSName: "web-1.us-east-1.elb.amazonaws.com",
			SecurityGroups: []string{"sg-web"}, Listeners: []finding.Listener{{Protocol: "HTTPS", Port: 443}, {Protocol: "HTTP", Port: 80}}},
		{ID: classicARN, Name: "legacy", Kind: "classic", Scheme: "internet-facing", DNSName: "legacy-1.us-east-1.elb.amazonaws.com", IPAddressType: "ipv4",
			SecurityGroups: []string{"sg-legacy"}, Listeners: []finding.Listener{{Protocol: "TCP", Port: 22}}},
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("load balancers (-want +got):\n%s", diff)
	}
	if listenerCalls != 2 {
		t.Errorf("DescribeListeners called %d times, want 2 (both pages)", listenerCalls)
	}
}

func TestLoadBalancersErrors(t *testing.T) {
	throttled := errors.New("Throttling: Rate exceeded")
	tests := []struct {
		name      string
		id        string
		v2err     error
		wantErr   error
		wantFound bool
	}{
		{"throttled is an error", albARN, throttled, throttled, false},
		{"not found by code is absent", albARN, &smithy.GenericAPIError{Code: lbNotFoundCode, Message: "emulator"}, nil, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := &ELB{V2: &fakeELBV2{DescribeLoadBalancersFn: func(*elbv2.DescribeLoadBalancersInput) (*elbv2.DescribeLoadBalancersOutput, error) {
				return nil, tc.v2err
			}}}
			got, err := e.LoadBalancers(context.Background(), []string{tc.id})
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("error %v, want %v", err, tc.wantErr)
			}
			if (len(got) > 0) != tc.wantFound {
				t.Errorf("found %v", got)
			}
		})
	}
}

// TestLoadBalancersRecordedResponses: the adapter maps what both Elastic
// Load Balancing APIs really answer, a load balancer of each with its
// listeners and tags, and a classic one that does not exist.
func TestLoadBalancersRecordedResponses(t *testing.T) {
	const myLB = "arn:aws:elasticloadbalancing:us-west-2:123456789012:loadbalancer/app/my-load-balancer/50dc6c495c0c9188"
	v2 := newRecorded(t, map[string]reply{
		"DescribeLoadBalancers": {file: "elbv2-describe-load-balancers.xml"},
		"DescribeListeners":     {file: "elbv2-describe-listeners.xml"},
		"DescribeTags":          {file: "elbv2-describe-tags.xml"},
	})
	classic := newRecorded(t, map[string]reply{
		"DescribeLoadBalancers": {file: "elb-describe-load-balancers.xml"},
		"DescribeTags":          {file: "elb-describe-tags.xml"},
	})
	e := &ELB{V2: elbv2.NewFromConfig(v2.config()), Classic: elb.NewFromConfig(classic.config())}
	got, err := e.LoadBalancers(background, []string{myLB, "my-loadbalancer"})
	if err != nil {
		t.Fatal(err)
	}
	lima := map[string]string{"project": "lima", "department": "digital-media"}
	want := []LoadBalancer{
		{ID: myLB, Name: "my-load-balancer", Kind: "application", Scheme: "internet-facing", DNSName: "my-load-balancer-424835706.us-west-2.elb.amazonaws.com",
			VPCID: "vpc-3ac0fb5f", Subnets: []string{"subnet-8360a9e7", "subnet-b7d581c0"}, SecurityGroups: []string{"sg-5943793c"},
			Listeners: []finding.Listener{{Protocol: "HTTPS", Port: 443}, {Protocol: "HTTP", Port: 80}}, Tags: lima},
		{ID: "my-loadbalancer", Name: "my-loadbalancer", Kind: "classic", Scheme: "internet-facing", DNSName: "my-loadbalancer-123456789.us-east-1.elb.amazonaws.com",
			IPAddressType: "ipv4", Listeners: []finding.Listener{{Protocol: "HTTP", Port: 80}}, Tags: lima},
	}
	if diff := cmp.Diff(want, got, cmpopts.EquateEmpty()); diff != "" {
		t.Errorf("load balancers (-want +got):\n%s", diff)
	}
	for _, c := range []struct {
		r    *recorded
		op   string
		want int
	}{{v2, "DescribeLoadBalancers", 1}, {v2, "DescribeListeners", 1}, {v2, "DescribeTags", 1}, {classic, "DescribeLoadBalancers", 1}, {classic, "DescribeTags", 1}} {
		if got := c.r.callsOf(c.op); got != c.want {
			t.Errorf("%s called %d times, want %d", c.op, got, c.want)
		}
	}

	gone := newRecorded(t, map[string]reply{"DescribeLoadBalancers": {file: "elb-error-load-balancer-not-found.xml", status: http.StatusBadRequest}})
	got, err = (&ELB{Classic: elb.NewFromConfig(gone.config())}).LoadBalancers(background, []string{"foobar"})
	if err != nil || len(got) != 0 {
		t.Errorf("a load balancer that does not exist: %v, %v; want none and no error", got, err)
	}
}
