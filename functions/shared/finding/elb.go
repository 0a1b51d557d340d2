package finding

import (
	"fmt"
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
	name := firstNonEmpty(req.LoadBalancerName, req.Name)
	r := Resource{Type: TypeLoadBalancer, ID: name, Name: name}
	for _, lb := range resp.LoadBalancers {
		r.ID = firstNonEmpty(lb.LoadBalancerARN, r.ID)
		r.Name = firstNonEmpty(lb.LoadBalancerName, r.Name)
		scheme = firstNonEmpty(lb.Scheme, scheme)
		for _, g := range lb.SecurityGroups {
			f.Requested.SecurityGroups = appendUnique(f.Requested.SecurityGroups, g)
		}
	}
	if r.ID == "" {
		return &MalformedEventError{Reason: "requestParameters has no load balancer name"}
	}
	if scheme == "" {
		// Both APIs default to internet-facing.
		scheme = "internet-facing"
	}
	f.Requested.Scheme = strings.ToLower(scheme)
	for _, g := range req.SecurityGroups {
		f.Requested.SecurityGroups = appendUnique(f.Requested.SecurityGroups, g)
	}
	if classic {
		for _, l := range req.Listeners {
			f.Requested.Listeners = append(f.Requested.Listeners, fmt.Sprintf("%s:%d", strings.ToUpper(l.Protocol), l.LoadBalancerPort))
		}
	}
	f.Resources = append(f.Resources, r)
	f.OpensExposure = f.Requested.Scheme == "internet-facing"
	return nil
}

// elbCatalog are the catalog entries parsed in this file.
var elbCatalog = []Entry{
	{EventSource: "elasticloadbalancing.amazonaws.com", EventName: "CreateLoadBalancer", Category: CategoryLoadBalancer, Effect: EffectOpens,
		Description: "Creates a classic (2012-06-01) or v2 (2015-12-01) load balancer; internet-facing unless its scheme is internal.",
		parse:       parseCreateLoadBalancer},
}
