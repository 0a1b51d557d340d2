package finding

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
)

// parseCreateLoadBalancer reads both CreateLoadBalancer shapes: the classic
// API (2012-06-01: loadBalancerName, listeners, scheme absent meaning
// internet-facing) and v2 (2015-12-01: name, scheme, response with the
// load balancer's ARN).
func parseCreateLoadBalancer(rec *record, f *Finding) error {
	var req struct {
		LoadBalancerName string   `json:"loadBalancerName"`
		Name             string   `json:"name"`
		Scheme           string   `json:"scheme"`
		SecurityGroups   []string `json:"securityGroups"`
		Listeners        []struct {
			Protocol         string `json:"protocol"`
			LoadBalancerPort int    `json:"loadBalancerPort"`
		} `json:"listeners"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	var resp struct {
		LoadBalancers []struct {
			LoadBalancerARN  string   `json:"loadBalancerArn"`
			LoadBalancerName string   `json:"loadBalancerName"`
			Scheme           string   `json:"scheme"`
			SecurityGroups   []string `json:"securityGroups"`
		} `json:"loadBalancers"`
	}
	if err := decodeParams(rec.ResponseElements, &resp, "responseElements"); err != nil {
		return err
	}
	classic := req.LoadBalancerName != "" || rec.APIVersion == "2012-06-01"
	scheme := req.Scheme
	name := cmp.Or(req.LoadBalancerName, req.Name)
	r := Resource{Type: TypeLoadBalancer, ID: name, Name: name}
	for _, lb := range resp.LoadBalancers {
		r.ID = cmp.Or(lb.LoadBalancerARN, r.ID)
		r.Name = cmp.Or(lb.LoadBalancerName, r.Name)
		scheme = cmp.Or(lb.Scheme, scheme)
		for _, g := range lb.SecurityGroups {
			f.Requested.SecurityGroups = appendUnique(f.Requested.SecurityGroups, g)
		}
	}
	if r.ID == "" {
		return &MalformedEventError{Reason: "requestParameters has no load balancer name"}
	}
	if scheme == "" {
		// Both APIs default to internet-facing.
		scheme = SchemeInternetFacing
	}
	f.Requested.Scheme = strings.ToLower(scheme)
	for _, g := range req.SecurityGroups {
		f.Requested.SecurityGroups = appendUnique(f.Requested.SecurityGroups, g)
	}
	if classic {
		for _, l := range req.Listeners {
			f.Requested.Listeners = append(f.Requested.Listeners, Listener{Protocol: l.Protocol, Port: l.LoadBalancerPort}.String())
		}
	}
	f.Resources = append(f.Resources, r)
	f.OpensExposure = f.Requested.Scheme == SchemeInternetFacing
	return nil
}

// SchemeInternetFacing is the scheme of a load balancer with public
// addresses.
const SchemeInternetFacing = "internet-facing"

// confirmCreateLoadBalancer: the load balancer opens exposure when it is
// internet-facing as looked up. One that was not found (deleted within
// seconds, or enrichment could not see it) keeps what the call answered.
func confirmCreateLoadBalancer(f *Finding) {
	if lb, ok := liveLoadBalancer(f); ok {
		f.OpensExposure = lb.Scheme == SchemeInternetFacing
	}
}

// confirmCreateListener: a listener opens exposure when its load balancer
// is internet-facing as looked up. The request alone cannot tell, so a load
// balancer that was not found opens nothing.
func confirmCreateListener(f *Finding) {
	lb, ok := liveLoadBalancer(f)
	f.OpensExposure = ok && lb.Scheme == SchemeInternetFacing
}

// confirmSetSecurityGroups: the new groups open exposure when the load
// balancer is internet-facing as looked up and one of the groups the call
// set admits the world.
func confirmSetSecurityGroups(f *Finding) {
	f.OpensExposure = false
	lb, ok := liveLoadBalancer(f)
	if !ok || lb.Scheme != SchemeInternetFacing {
		return
	}
	for _, rule := range lb.OpenIngress {
		if slices.Contains(f.Requested.SecurityGroups, rule.SecurityGroupID) {
			f.OpensExposure = true
			return
		}
	}
}

// liveLoadBalancer returns f's first load balancer that enrichment found.
func liveLoadBalancer(f *Finding) (Resource, bool) {
	for _, r := range f.Resources {
		if r.Type == TypeLoadBalancer && r.Found != nil && *r.Found {
			return r, true
		}
	}
	return Resource{}, false
}

// parseCreateListener reads the v2 CreateListener: the listener (from the
// response) and its load balancer as resources, and the listener as
// "PROTOCOL:port". The request does not say whether the load balancer is
// internet-facing (its ARN names only app/net/gwy, a name and an id), so
// OpensExposure stays false until confirmCreateListener learns the scheme
// from the live load balancer.
func parseCreateListener(rec *record, f *Finding) error {
	var req struct {
		LoadBalancerARN string      `json:"loadBalancerArn"`
		Protocol        string      `json:"protocol"`
		Port            json.Number `json:"port"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	var resp struct {
		Listeners []struct {
			ListenerARN string `json:"listenerArn"`
		} `json:"listeners"`
	}
	if err := decodeParams(rec.ResponseElements, &resp, "responseElements"); err != nil {
		return err
	}
	if req.LoadBalancerARN == "" {
		return &MalformedEventError{Reason: "requestParameters has no loadBalancerArn"}
	}
	for _, l := range resp.Listeners {
		if l.ListenerARN != "" {
			f.Resources = append(f.Resources, Resource{Type: TypeListener, ID: l.ListenerARN})
		}
	}
	f.Resources = append(f.Resources, Resource{Type: TypeLoadBalancer, ID: req.LoadBalancerARN})
	if req.Protocol != "" || req.Port != "" {
		f.Requested.Listeners = []string{fmt.Sprintf("%s:%s", strings.ToUpper(req.Protocol), req.Port)}
	}
	return nil
}

// parseSetSecurityGroups reads the v2 SetSecurityGroups: the load balancer
// and the groups that replace its own (from the request, else the
// response). Whether the new groups expose anything depends on the load
// balancer's scheme, which the request does not say, so OpensExposure
// stays false until confirmSetSecurityGroups looks at the live load
// balancer. Like any group swap it is a candidate close.
func parseSetSecurityGroups(rec *record, f *Finding) error {
	var req struct {
		LoadBalancerARN string   `json:"loadBalancerArn"`
		SecurityGroups  []string `json:"securityGroups"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	var resp struct {
		SecurityGroupIDs []string `json:"securityGroupIds"`
	}
	if err := decodeParams(rec.ResponseElements, &resp, "responseElements"); err != nil {
		return err
	}
	if err := addResource(f, Resource{Type: TypeLoadBalancer, ID: req.LoadBalancerARN}, "requestParameters has no loadBalancerArn"); err != nil {
		return err
	}
	for _, g := range append(req.SecurityGroups, resp.SecurityGroupIDs...) {
		f.Requested.SecurityGroups = appendUnique(f.Requested.SecurityGroups, g)
	}
	f.ClosesExposure = len(f.Requested.SecurityGroups) > 0
	return nil
}

// parseDeleteLoadBalancer reads both DeleteLoadBalancer shapes (classic by
// loadBalancerName, v2 by loadBalancerArn); deleting a load balancer closes
// whatever it exposed.
func parseDeleteLoadBalancer(rec *record, f *Finding) error {
	var req struct {
		LoadBalancerName string `json:"loadBalancerName"`
		LoadBalancerARN  string `json:"loadBalancerArn"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	id := cmp.Or(req.LoadBalancerARN, req.LoadBalancerName)
	if err := addResource(f, Resource{Type: TypeLoadBalancer, ID: id, Name: req.LoadBalancerName}, "requestParameters has neither loadBalancerArn nor loadBalancerName"); err != nil {
		return err
	}
	f.ClosesExposure = true
	return nil
}

const elbSource = "elasticloadbalancing.amazonaws.com"

// elbCatalog are the catalog entries parsed in this file.
var elbCatalog = []Entry{
	{EventSource: elbSource, EventName: "CreateLoadBalancer", Category: CategoryLoadBalancer, Effect: EffectOpens,
		Description: "Creates a classic (2012-06-01) or v2 (2015-12-01) load balancer; internet-facing unless its scheme is internal.",
		parse:       parseCreateLoadBalancer, confirm: confirmCreateLoadBalancer,
		Words: Words{
			Headline: []string{"{scheme} load balancer {target} created, {live}", "{scheme} load balancer {target} created"},
			Advice:   "Make the load balancer internal if it need not face the internet (the scheme cannot be changed: recreate it with scheme internal), or restrict its security groups and listeners to known sources.",
		}},
	{EventSource: elbSource, EventName: "CreateListener", Category: CategoryLoadBalancer, Effect: EffectOpens,
		Description: "Adds a listener (a port) to a v2 load balancer. It faces the internet only if the load balancer does, which the request does not say: opens once enrichment finds the load balancer internet-facing.",
		parse:       parseCreateListener, confirm: confirmCreateListener,
		Words: Words{
			Headline: []string{"listener {listeners} on {target}: {live}", "listener {listeners} added to {target}"},
			Advice:   "Check that the port must be reachable from the internet; if not, delete the listener or restrict the load balancer's security groups to known sources.",
		}},
	{EventSource: elbSource, EventName: "SetSecurityGroups", Category: CategoryLoadBalancer, Effect: EffectVaries,
		Description: "Replaces a v2 load balancer's security groups: opens once enrichment finds the load balancer internet-facing and a new group open to the world; may close what the old groups opened (checked against the live groups).",
		parse:       parseSetSecurityGroups, confirm: confirmSetSecurityGroups,
		Words: Words{
			Headline: []string{"security groups of {target} replaced, {live}", "{live} on {target}", "security groups of {target} replaced"},
			Advice:   "Revoke the world-open rule of the new group, or put the load balancer's previous groups back; if its listeners must stay public, confirm it with the owner.",
		},
		Closing: groupSwapClosing},
	{EventSource: elbSource, EventName: "DeleteLoadBalancer", Category: CategoryLoadBalancer, Effect: EffectCloses,
		Description: "Deletes a classic or v2 load balancer, closing whatever it exposed.",
		parse:       parseDeleteLoadBalancer,
		Words: Words{
			Headline: []string{"load balancer {target} deleted"},
			Advice:   "Nothing to do if expected: open alerts about the load balancer are resolved. Check that no DNS record still points at its name.",
		}},
}
