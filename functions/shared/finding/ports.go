package finding

import "slices"

// maxPort is the highest tcp and udp port.
const maxPort = 65535

// span is a closed range of ports.
type span struct{ lo, hi int }

// ports is a set of ports: sorted, disjoint, non-adjacent spans.
type ports []span

// allPorts is every port.
var allPorts = ports{{0, maxPort}}

// portsOf returns the ports a rule's FromPort and ToPort cover: every port
// for -1 (or a range past both ends), nothing for a reversed range.
func portsOf(from, to int) ports {
	if from == -1 || to == -1 {
		return allPorts
	}
	from, to = max(from, 0), min(to, maxPort)
	if from > to {
		return nil
	}
	return ports{{from, to}}
}

// union returns p ∪ q.
func (p ports) union(q ports) ports {
	all := slices.Concat(p, q)
	slices.SortFunc(all, func(a, b span) int { return a.lo - b.lo })
	var out ports
	for _, s := range all {
		if n := len(out); n > 0 && s.lo <= out[n-1].hi+1 {
			out[n-1].hi = max(out[n-1].hi, s.hi)
			continue
		}
		out = append(out, s)
	}
	return out
}

// intersect returns p ∩ q.
func (p ports) intersect(q ports) ports {
	var out ports
	for _, a := range p {
		for _, b := range q {
			if lo, hi := max(a.lo, b.lo), min(a.hi, b.hi); lo <= hi {
				out = append(out, span{lo, hi})
			}
		}
	}
	return ports(nil).union(out)
}

// minus returns p \ q.
func (p ports) minus(q ports) ports {
	out := p
	for _, b := range q {
		var next ports
		for _, a := range out {
			if b.hi < a.lo || b.lo > a.hi {
				next = append(next, a)
				continue
			}
			if a.lo < b.lo {
				next = append(next, span{a.lo, b.lo - 1})
			}
			if a.hi > b.hi {
				next = append(next, span{b.hi + 1, a.hi})
			}
		}
		out = next
	}
	return out
}

// all reports whether p is every port.
func (p ports) all() bool { return len(p) == 1 && p[0] == span{0, maxPort} }
