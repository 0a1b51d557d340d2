package finding

import (
	"fmt"
	"strings"
)

// Listener is a port a load balancer accepts connections on.
type Listener struct {
	// Protocol as the Elastic Load Balancing APIs name it: HTTP, HTTPS,
	// TCP, TLS, UDP, TCP_UDP, GENEVE, SSL.
	Protocol string
	Port     int
}

// String is "PROTOCOL:port", the form of Resource.Listeners and
// Requested.Listeners.
func (l Listener) String() string { return fmt.Sprintf("%s:%d", strings.ToUpper(l.Protocol), l.Port) }

// ListenerExposure returns what of a load balancer the world can reach
// through its listeners, given its security groups and the world-open
// ingress rules of those groups:
//
//   - with listeners, one rule per listener the rules admit (protocol and
//     port of the listener, source and group of the rule): a load balancer
//     forwards only its listeners' ports, whatever else its groups allow;
//   - with listeners and no security groups (a network load balancer
//     created without them), every listener, open to 0.0.0.0/0 and ::/0;
//   - without listeners (a v2 load balancer is created without them and
//     given them by CreateListener), nothing: no port is reachable through
//     it yet.
func ListenerExposure(listeners []Listener, securityGroups []string, worldOpen []Rule) []Rule {
	var out []Rule
	for _, l := range listeners {
		for _, proto := range transport(l.Protocol) {
			listener := Rule{Protocol: proto, FromPort: l.Port, ToPort: l.Port}
			if len(securityGroups) == 0 {
				for _, cidr := range []string{"0.0.0.0/0", "::/0"} {
					out = append(out, listener.WithCIDR(cidr))
				}
				continue
			}
			for _, r := range worldOpen {
				if admits(r, proto, l.Port) {
					through := listener
					through.CIDR, through.PrefixListID, through.GroupID = r.CIDR, r.PrefixListID, r.GroupID
					through.WorldOpen, through.SecurityGroupID = r.WorldOpen, r.SecurityGroupID
					out = append(out, through)
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
func admits(r Rule, proto string, port int) bool {
	if r.AllTraffic() {
		return true
	}
	return r.Protocol == proto && r.Covers(port)
}
