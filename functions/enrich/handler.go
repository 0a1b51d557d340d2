package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
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
	Listeners      []Listener
}

// Listener is the port a load balancer accepts connections on.
type Listener struct {
	// Protocol as the API names it: HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP,
	// GENEVE, SSL.
	Protocol string
	Port     int
}

// String is "PROTOCOL:port".
func (l Listener) String() string { return fmt.Sprintf("%s:%d", strings.ToUpper(l.Protocol), l.Port) }

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

// Handler enriches findings.
type Handler struct {
	Accounts Accounts
	Log      zerolog.Logger
}

// Handle looks the finding's resources up and returns it with their live
// facts, OpensExposure confirmed and Severity reassessed. A failed call and
// a finding with nothing to look up are returned reassessed without any
// lookup. Errors: *finding.InvalidInputError for a request without a
// finding, *LookupError when EC2, Elastic Load Balancing or assuming the
// member account's role fails.
func (h *Handler) Handle(ctx context.Context, req finding.StepRequest) (*finding.Finding, error) {
	ctx = lambdarun.WithInvocation(ctx, h.Log, req.ExecutionID)
	log := zerolog.Ctx(ctx)
	if req.Finding == nil || req.Finding.EventID == "" {
		err := &finding.InvalidInputError{Reason: "request has no finding with an eventId"}
		log.Warn().Err(err).Msg("input_rejected")
		return nil, err
	}
	f := req.Finding
	if !f.Failed() {
		ec2, err := h.Accounts.For(ctx, f.Account, f.Region)
		if err != nil {
			err = &LookupError{Service: "sts", Op: "AssumeRole", Err: err}
		} else {
			err = Enrich(ctx, ec2, f)
		}
		if err != nil {
			log.Error().Err(err).Str("event_id", f.EventID).Msg("lookup_failed")
			return nil, err
		}
	}
	finding.Reassess(f)
	log.Info().Str("event_id", f.EventID).Str("event_name", f.EventName).Str("severity", string(f.Severity)).
		Bool("opens_exposure", f.OpensExposure).Msg("finding_enriched")
	return f, nil
}

// Enrich sets the live facts of f's EC2 resources and load balancers:
// security groups, world-open ingress, public IPs and, for addresses, what
// they are attached to; for load balancers their scheme, DNS name and
// listeners. Resources of other types are left alone. It looks addresses up
// first (to learn their instances), then instances and interfaces, then
// load balancers, then every security group met, one call of each kind
// (load balancers: one each).
func Enrich(ctx context.Context, ec2 Lookups, f *finding.Finding) error {
	var instIDs, addrIDs, eniIDs, groupIDs, lbIDs []string
	for _, r := range f.Resources {
		switch r.Type {
		case finding.TypeLoadBalancer:
			lbIDs = append(lbIDs, r.ID)
		case finding.TypeInstance:
			instIDs = append(instIDs, r.ID)
		case finding.TypeElasticIP:
			addrIDs = append(addrIDs, r.ID)
		case finding.TypeNetworkInterface:
			eniIDs = append(eniIDs, r.ID)
		case finding.TypeSecurityGroup:
			groupIDs = append(groupIDs, r.ID)
		}
	}
	addrs := map[string]Address{}
	if len(addrIDs) > 0 {
		found, err := ec2.Addresses(ctx, addrIDs)
		if err != nil {
			return &LookupError{Service: "ec2", Op: "DescribeAddresses", Err: err}
		}
		for _, a := range found {
			addrs[a.AllocationID], addrs[a.PublicIP] = a, a
			if a.InstanceID != "" {
				instIDs = append(instIDs, a.InstanceID)
			} else if a.NetworkInterfaceID != "" {
				eniIDs = append(eniIDs, a.NetworkInterfaceID)
			}
		}
	}
	insts := map[string]Instance{}
	if len(instIDs) > 0 {
		found, err := ec2.Instances(ctx, unique(instIDs))
		if err != nil {
			return &LookupError{Service: "ec2", Op: "DescribeInstances", Err: err}
		}
		for _, in := range found {
			insts[in.ID] = in
		}
	}
	enis := map[string]NetworkInterface{}
	publicByGroup := map[string][]string{}
	if len(eniIDs) > 0 || len(groupIDs) > 0 {
		found, err := ec2.NetworkInterfaces(ctx, unique(eniIDs), unique(groupIDs))
		if err != nil {
			return &LookupError{Service: "ec2", Op: "DescribeNetworkInterfaces", Err: err}
		}
		for _, n := range found {
			enis[n.ID] = n
			for _, g := range n.SecurityGroups {
				publicByGroup[g] = append(publicByGroup[g], n.PublicIPs...)
			}
		}
	}
	// Every group whose rules decide a resource's exposure.
	need := append([]string(nil), groupIDs...)
	for _, in := range insts {
		need = append(need, in.SecurityGroups...)
	}
	for _, n := range enis {
		need = append(need, n.SecurityGroups...)
	}
	lbs := map[string]LoadBalancer{}
	if len(lbIDs) > 0 {
		found, err := ec2.LoadBalancers(ctx, unique(lbIDs))
		if err != nil {
			return &LookupError{Service: "elasticloadbalancing", Op: "DescribeLoadBalancers", Err: err}
		}
		for _, lb := range found {
			lbs[lb.ID] = lb
			need = append(need, lb.SecurityGroups...)
		}
		// A load balancer not found is judged by the groups the call named.
		need = append(need, f.Requested.SecurityGroups...)
	}
	groups := map[string]finding.SecurityGroup{}
	if len(need) > 0 {
		found, err := ec2.SecurityGroups(ctx, unique(need))
		if err != nil {
			return &LookupError{Service: "ec2", Op: "DescribeSecurityGroups", Err: err}
		}
		for _, g := range found {
			groups[g.ID] = g
		}
	}
	openIn := func(ids []string) []finding.Rule {
		var gs []finding.SecurityGroup
		for _, id := range ids {
			if g, ok := groups[id]; ok {
				gs = append(gs, g)
			}
		}
		return finding.WorldOpenIngress(gs)
	}
	for i := range f.Resources {
		r := &f.Resources[i]
		switch r.Type {
		case finding.TypeInstance:
			in, ok := insts[r.ID]
			r.Found = &ok
			r.SecurityGroups, r.PublicIPs = in.SecurityGroups, in.PublicIPs
			r.OpenIngress = openIn(in.SecurityGroups)
		case finding.TypeNetworkInterface:
			n, ok := enis[r.ID]
			r.Found = &ok
			r.SecurityGroups, r.PublicIPs, r.AttachedTo = n.SecurityGroups, n.PublicIPs, n.InstanceID
			r.OpenIngress = openIn(n.SecurityGroups)
		case finding.TypeElasticIP:
			a, ok := addrs[r.ID]
			r.Found = &ok
			if !ok {
				continue
			}
			r.PublicIPs = []string{a.PublicIP}
			r.AttachedTo = firstNonEmpty(a.InstanceID, a.NetworkInterfaceID)
			switch {
			case a.InstanceID != "":
				r.SecurityGroups = insts[a.InstanceID].SecurityGroups
			case a.NetworkInterfaceID != "":
				r.SecurityGroups = enis[a.NetworkInterfaceID].SecurityGroups
			}
			r.OpenIngress = openIn(r.SecurityGroups)
		case finding.TypeSecurityGroup:
			g, ok := groups[r.ID]
			r.Found = &ok
			if ok {
				r.Name = firstNonEmpty(r.Name, g.Name)
				r.OpenIngress = openIn([]string{g.ID})
				r.PublicIPs = unique(publicByGroup[g.ID])
			}
		case finding.TypeLoadBalancer:
			lb, ok := lbs[r.ID]
			r.Found = &ok
			if !ok {
				r.SecurityGroups = f.Requested.SecurityGroups
				r.OpenIngress = openIn(f.Requested.SecurityGroups)
				continue
			}
			r.Name = firstNonEmpty(r.Name, lb.Name)
			r.Scheme, r.DNSName, r.SecurityGroups = lb.Scheme, lb.DNSName, lb.SecurityGroups
			r.Listeners = nil
			for _, l := range lb.Listeners {
				r.Listeners = append(r.Listeners, l.String())
			}
			r.OpenIngress = ListenerExposure(lb, openIn(lb.SecurityGroups))
		}
	}
	return nil
}

// ListenerExposure returns what of lb the world can reach, given the
// world-open ingress rules of its security groups:
//
//   - with listeners, one rule per listener the rules admit (protocol and
//     port of the listener, source and group of the rule): a load balancer
//     forwards only its listeners' ports, whatever else its groups allow;
//   - with listeners and no security groups (a network load balancer
//     created without them), every listener, open to 0.0.0.0/0 and ::/0;
//   - without listeners (a v2 load balancer is created without them and
//     given them by CreateListener), nothing: no port is reachable through
//     it yet.
func ListenerExposure(lb LoadBalancer, worldOpen []finding.Rule) []finding.Rule {
	var out []finding.Rule
	for _, l := range lb.Listeners {
		for _, proto := range transport(l.Protocol) {
			if len(lb.SecurityGroups) == 0 {
				for _, cidr := range []string{"0.0.0.0/0", "::/0"} {
					out = append(out, finding.Rule{Protocol: proto, FromPort: l.Port, ToPort: l.Port, CIDR: cidr, WorldOpen: true})
				}
				continue
			}
			for _, r := range worldOpen {
				if admits(r, proto, l.Port) {
					out = append(out, finding.Rule{Protocol: proto, FromPort: l.Port, ToPort: l.Port, CIDR: r.CIDR,
						PrefixListID: r.PrefixListID, GroupID: r.GroupID, WorldOpen: r.WorldOpen, SecurityGroupID: r.SecurityGroupID})
				}
			}
		}
	}
	return out
}

// transport returns the IP protocols a listener protocol runs over.
func transport(listenerProtocol string) []string {
	switch strings.ToUpper(listenerProtocol) {
	case "UDP", "GENEVE":
		return []string{"udp"}
	case "TCP_UDP":
		return []string{"tcp", "udp"}
	default: // HTTP, HTTPS, TCP, TLS, SSL
		return []string{"tcp"}
	}
}

// admits reports whether r lets proto traffic reach port.
func admits(r finding.Rule, proto string, port int) bool {
	if r.AllTraffic() {
		return true
	}
	return r.Protocol == proto && r.Covers(port)
}

// unique returns ids without empty strings and repeats, in first-seen order.
func unique(ids []string) []string {
	seen := make(map[string]bool, len(ids))
	out := make([]string, 0, len(ids))
	for _, id := range ids {
		if id != "" && !seen[id] {
			seen[id] = true
			out = append(out, id)
		}
	}
	return out
}

func firstNonEmpty(vs ...string) string {
	for _, v := range vs {
		if v != "" {
			return v
		}
	}
	return ""
}
