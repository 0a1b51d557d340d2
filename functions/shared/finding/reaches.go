package finding

import (
	"fmt"
	"slices"
	"strings"
)

// MaxReaches is how many reached resources a finding lists; ReachesCount
// counts them all.
const MaxReaches = 10

// Reached is a resource the internet reaches through the one a finding
// names (a member of a security group, an instance in a subnet whose route
// changed), and the ports it reaches.
type Reached struct {
	Type  ResourceType `json:"type"`
	ID    string       `json:"id"`
	Ports []Rule       `json:"ports,omitempty"`
}

// String is "i-1 (tcp/22 from 0.0.0.0/0)".
func (r Reached) String() string {
	var ports []string
	for _, p := range r.Ports {
		ports = append(ports, portText(p.Protocol, portsOf(p.FromPort, p.ToPort))+" from "+p.CIDR)
	}
	if len(ports) == 0 {
		return r.ID
	}
	return r.ID + " (" + strings.Join(ports, ", ") + ")"
}

// Candidate is a resource whose path enrich judged, as a Reached if its
// Path holds.
type Candidate struct {
	Type ResourceType
	ID   string
	Path Path
}

// SetPath records p, the verdict on r's own path, on r: Reachable,
// ReachablePorts, Reachability and the public IPs the internet reaches it
// by.
func (r *Resource) SetPath(p Path) {
	reachable := p.Reachable
	r.Reachable = &reachable
	r.ReachablePorts = p.Ports
	r.Reachability = p.Explanation
	r.PublicIPs = p.PublicIPs
}

// MergePaths is the verdict on a resource with several paths (an
// instance's network interfaces): reachable when any is, the ports and
// addresses of all, the explanation of the first that holds, else of the
// first.
func MergePaths(paths []Path) Path {
	var out Path
	for i, p := range paths {
		out.PublicIPs = appendAll(out.PublicIPs, p.PublicIPs)
		if p.Reachable {
			out.Ports = appendRules(out.Ports, p.Ports)
			if !out.Reachable {
				out.Explanation = p.Explanation
			}
			out.Reachable = true
		} else if i == 0 {
			out.Explanation = p.Explanation
		}
	}
	return out
}

// SetReaches records on r what the internet reaches through it: the
// candidates whose path holds, at most MaxReaches listed, those with admin
// ports (or all traffic) first; ReachesCount, Reachable (any reached) and
// ReachablePorts (the union of their ports). The explanation is head (what
// r itself does to the path), then the path of the first reached
// candidate, else of the first candidate.
func (r *Resource) SetReaches(head []string, candidates []Candidate) {
	var reached []Reached
	var ports []Rule
	var first []string
	for _, c := range candidates {
		if !c.Path.Reachable {
			continue
		}
		reached = append(reached, Reached{Type: c.Type, ID: c.ID, Ports: c.Path.Ports})
		ports = appendRules(ports, c.Path.Ports)
		if first == nil {
			first = prefixed(c.ID, c.Path.Explanation)
		}
	}
	if first == nil && len(candidates) > 0 {
		first = prefixed(candidates[0].ID, candidates[0].Path.Explanation)
	}
	slices.SortStableFunc(reached, func(a, b Reached) int { return adminRank(b.Ports) - adminRank(a.Ports) })
	r.ReachesCount = len(reached)
	if len(reached) > MaxReaches {
		reached = reached[:MaxReaches]
	}
	r.Reaches = reached
	reachable := r.ReachesCount > 0
	r.Reachable = &reachable
	r.ReachablePorts = ports
	summary := fmt.Sprintf("the internet reaches %d resources through %s", r.ReachesCount, r.ID)
	if len(candidates) == 0 {
		summary = fmt.Sprintf("nothing the internet could reach uses %s", r.ID)
	}
	r.Reachability = compactLines(slices.Concat(head, []string{summary}, first))
}

// prefixed prefixes each line with "<id>: ".
func prefixed(id string, lines []string) []string {
	out := make([]string, 0, len(lines))
	for _, l := range lines {
		out = append(out, id+": "+l)
	}
	return out
}

// adminRank is 1 when ports reach an admin port or all traffic.
func adminRank(ports []Rule) int {
	for _, p := range ports {
		if p.AllTraffic() || p.CoversAdminPort() {
			return 1
		}
	}
	return 0
}
