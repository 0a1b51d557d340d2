package main

import (
	"context"
	"fmt"

	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
)

// Lookups is what enrich needs from EC2. Each method returns only what
// exists: an id that names nothing is absent from the result, not an error.
type Lookups interface {
	SecurityGroups(ctx context.Context, ids []string) ([]finding.SecurityGroup, error)
	Instances(ctx context.Context, ids []string) ([]Instance, error)
	// Addresses looks Elastic IPs up by allocation id or, for a classic
	// address, by public IP.
	Addresses(ctx context.Context, ids []string) ([]Address, error)
	// NetworkInterfaces returns the interfaces with the given ids and those
	// in any of the given security groups.
	NetworkInterfaces(ctx context.Context, ids, groupIDs []string) ([]NetworkInterface, error)
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

// EC2LookupError is returned (unwrapped) when an EC2 call fails. It is
// usually transient; the state machine retries it.
type EC2LookupError struct {
	Op  string
	Err error
}

func (e *EC2LookupError) Error() string { return fmt.Sprintf("ec2 %s: %v", e.Op, e.Err) }
func (e *EC2LookupError) Unwrap() error { return e.Err }

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
// finding, *EC2LookupError when EC2 (or assuming the member account's
// role) fails.
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
			err = &EC2LookupError{Op: "AssumeRole", Err: err}
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
// they are attached to. Resources of other types are left alone. It looks
// addresses up first (to learn their instances), then instances and
// interfaces, then every security group met, one call of each kind.
func Enrich(ctx context.Context, ec2 Lookups, f *finding.Finding) error {
	var instIDs, addrIDs, eniIDs, groupIDs []string
	for _, r := range f.Resources {
		switch r.Type {
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
			return &EC2LookupError{Op: "DescribeAddresses", Err: err}
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
			return &EC2LookupError{Op: "DescribeInstances", Err: err}
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
			return &EC2LookupError{Op: "DescribeNetworkInterfaces", Err: err}
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
	if hasType(f, finding.TypeLoadBalancer) {
		need = append(need, f.Requested.SecurityGroups...)
	}
	groups := map[string]finding.SecurityGroup{}
	if len(need) > 0 {
		found, err := ec2.SecurityGroups(ctx, unique(need))
		if err != nil {
			return &EC2LookupError{Op: "DescribeSecurityGroups", Err: err}
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
			r.SecurityGroups = f.Requested.SecurityGroups
			r.OpenIngress = openIn(f.Requested.SecurityGroups)
		}
	}
	return nil
}

func hasType(f *finding.Finding, t finding.ResourceType) bool {
	for _, r := range f.Resources {
		if r.Type == t {
			return true
		}
	}
	return false
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
