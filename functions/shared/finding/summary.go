package finding

import (
	"fmt"
	"strings"
)

// summarize says in one line what the call did, from the request.
func summarize(f *Finding) string {
	who := f.Actor.Name()
	if f.Failed() {
		return fmt.Sprintf("%s tried %s and was refused (%s)", who, f.EventName, f.ErrorCode)
	}
	target := "nothing"
	if len(f.Resources) > 0 {
		ids := make([]string, 0, len(f.Resources))
		for _, r := range f.Resources {
			ids = append(ids, r.ID)
		}
		target = strings.Join(ids, ", ")
	}
	req := f.Requested
	switch {
	case len(req.IngressRules) > 0:
		return fmt.Sprintf("%s allowed %s into %s", who, rulesText(req.IngressRules), target)
	case len(req.RevokedRules) > 0:
		return fmt.Sprintf("%s revoked %s from %s", who, rulesText(req.RevokedRules), target)
	case len(req.Removed) > 0:
		return fmt.Sprintf("%s removed %s from %s (%s)", who, strings.Join(req.Removed, ", "), target, f.EventName)
	case len(req.SharedWith) > 0 && req.PublicAccess:
		return fmt.Sprintf("%s made %s public (%s)", who, target, f.EventName)
	case len(req.SharedWith) > 0:
		return fmt.Sprintf("%s shared %s with %s (%s)", who, target, strings.Join(req.SharedWith, ", "), f.EventName)
	case len(req.Unshared) > 0:
		return fmt.Sprintf("%s stopped sharing %s with %s (%s)", who, target, strings.Join(req.Unshared, ", "), f.EventName)
	case req.PublicAccess && len(req.Grants) > 0:
		return fmt.Sprintf("%s made %s public: %s (%s)", who, target, strings.Join(req.Grants, "; "), f.EventName)
	case req.PublicAccess:
		return fmt.Sprintf("%s made %s public (%s)", who, target, f.EventName)
	case len(req.Routes) > 0:
		return fmt.Sprintf("%s routed %s (%s)", who, strings.Join(req.Routes, ", "), f.EventName)
	case len(req.Listeners) > 0 && req.Scheme == "":
		lb := target
		for _, r := range f.Resources {
			if r.Type == TypeLoadBalancer {
				lb = r.ID
			}
		}
		return fmt.Sprintf("%s added listener %s to %s", who, strings.Join(req.Listeners, ", "), lb)
	case f.Category == CategoryDefenseEvasion:
		return fmt.Sprintf("%s called %s on %s", who, f.EventName, target)
	case f.Requested.Scheme != "":
		return fmt.Sprintf("%s created %s load balancer %s", who, f.Requested.Scheme, target)
	case f.EventName == "RunInstances" && f.Requested.PublicIP:
		return fmt.Sprintf("%s launched %s with a public IP", who, target)
	case f.Requested.PublicIP && len(f.Requested.PublicIPs) > 0:
		return fmt.Sprintf("%s %s public IP %s (%s)", who, f.EventName, strings.Join(f.Requested.PublicIPs, ", "), target)
	}
	return fmt.Sprintf("%s called %s on %s", who, f.EventName, target)
}

func rulesText(rules []Rule) string {
	out := make([]string, 0, len(rules))
	for _, r := range rules {
		out = append(out, r.String())
	}
	return strings.Join(out, "; ")
}
