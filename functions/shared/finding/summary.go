package finding

import "strings"

// summarize says in one line what the call did, from the request.
func summarize(f *Finding) string {
	who := f.Actor.Name()
	if f.Failed() {
		return who + " tried " + f.EventName + " and was refused (" + f.ErrorCode + ")"
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
		return who + " allowed " + rulesText(req.IngressRules) + " into " + target
	case len(req.RevokedRules) > 0:
		return who + " revoked " + rulesText(req.RevokedRules) + " from " + target
	case len(req.Removed) > 0:
		return who + " removed " + strings.Join(req.Removed, ", ") + " from " + target + " (" + f.EventName + ")"
	case len(req.SharedWith) > 0 && req.PublicAccess:
		return who + " made " + target + " public (" + f.EventName + ")"
	case len(req.SharedWith) > 0:
		return who + " shared " + target + " with " + strings.Join(req.SharedWith, ", ") + " (" + f.EventName + ")"
	case len(req.Unshared) > 0:
		return who + " stopped sharing " + target + " with " + strings.Join(req.Unshared, ", ") + " (" + f.EventName + ")"
	case req.PublicAccess && len(req.Grants) > 0:
		return who + " made " + target + " public: " + strings.Join(req.Grants, "; ") + " (" + f.EventName + ")"
	case req.PublicAccess:
		return who + " made " + target + " public (" + f.EventName + ")"
	case len(req.Routes) > 0:
		return who + " routed " + strings.Join(req.Routes, ", ") + " (" + f.EventName + ")"
	case len(req.Listeners) > 0 && req.Scheme == "":
		lb := target
		for _, r := range f.Resources {
			if r.Type == TypeLoadBalancer {
				lb = r.ID
			}
		}
		return who + " added listener " + strings.Join(req.Listeners, ", ") + " to " + lb
	case f.Category == CategoryDefenseEvasion:
		return who + " called " + f.EventName + " on " + target
	case f.Requested.Scheme != "":
		return who + " created " + f.Requested.Scheme + " load balancer " + target
	case f.EventName == "RunInstances" && f.Requested.PublicIP:
		return who + " launched " + target + " with a public IP"
	case f.Requested.PublicIP && len(f.Requested.PublicIPs) > 0:
		return who + " " + f.EventName + " public IP " + strings.Join(f.Requested.PublicIPs, ", ") + " (" + target + ")"
	}
	return who + " called " + f.EventName + " on " + target
}

func rulesText(rules []Rule) string {
	out := make([]string, 0, len(rules))
	for _, r := range rules {
		out = append(out, r.String())
	}
	return strings.Join(out, "; ")
}
