package finding_test

import (
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

func TestListenerString(t *testing.T) {
	for _, tc := range []struct {
		l    finding.Listener
		want string
	}{
		{finding.Listener{Protocol: "HTTPS", Port: 443}, "HTTPS:443"},
		{finding.Listener{Protocol: "tcp", Port: 22}, "TCP:22"},
		{finding.Listener{Protocol: "TCP_UDP", Port: 53}, "TCP_UDP:53"},
	} {
		if got := tc.l.String(); got != tc.want {
			t.Errorf("%+v.String() = %q, want %q", tc.l, got, tc.want)
		}
	}
}

func TestListenerExposure(t *testing.T) {
	ssh := finding.Rule{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true, SecurityGroupID: "sg-ssh"}
	https6 := finding.Rule{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDR: "::/0", WorldOpen: true, SecurityGroupID: "sg-web"}
	all := finding.Rule{Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "0.0.0.0/0", WorldOpen: true, SecurityGroupID: "sg-all"}
	tcpRange := finding.Rule{Protocol: "tcp", FromPort: 1000, ToPort: 2000, CIDR: "0.0.0.0/0", WorldOpen: true, SecurityGroupID: "sg-range"}
	udpDNS := finding.Rule{Protocol: "udp", FromPort: 53, ToPort: 53, CIDR: "::/0", WorldOpen: true, SecurityGroupID: "sg-dns"}
	listener := func(proto string, port int, from finding.Rule) finding.Rule {
		from.Protocol, from.FromPort, from.ToPort = proto, port, port
		return from
	}
	tests := []struct {
		name      string
		listeners []finding.Listener
		groups    []string
		worldOpen []finding.Rule
		want      []finding.Rule
	}{
		{
			name:      "only the listener ports the groups admit",
			listeners: []finding.Listener{{Protocol: "HTTPS", Port: 443}, {Protocol: "HTTP", Port: 80}},
			groups:    []string{"sg-web"},
			worldOpen: []finding.Rule{https6},
			want:      []finding.Rule{https6},
		},
		{
			name:      "a group port without a listener is not reachable",
			listeners: []finding.Listener{{Protocol: "TCP", Port: 22}, {Protocol: "HTTP", Port: 80}},
			groups:    []string{"sg-ssh", "sg-web"},
			worldOpen: []finding.Rule{ssh, https6},
			want:      []finding.Rule{ssh},
		},
		{
			name:      "no security groups: every listener open to the world",
			listeners: []finding.Listener{{Protocol: "TCP", Port: 22}},
			want: []finding.Rule{
				{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true},
				{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "::/0", WorldOpen: true},
			},
		},
		{
			name:      "no security groups, UDP listener",
			listeners: []finding.Listener{{Protocol: "UDP", Port: 53}},
			want: []finding.Rule{
				{Protocol: "udp", FromPort: 53, ToPort: 53, CIDR: "0.0.0.0/0", WorldOpen: true},
				{Protocol: "udp", FromPort: 53, ToPort: 53, CIDR: "::/0", WorldOpen: true},
			},
		},
		{
			name:      "no listeners: nothing reachable",
			groups:    []string{"sg-ssh"},
			worldOpen: []finding.Rule{ssh},
		},
		{
			name:      "all traffic admits every listener, on the listener's protocol and port",
			listeners: []finding.Listener{{Protocol: "HTTPS", Port: 443}, {Protocol: "GENEVE", Port: 6081}},
			groups:    []string{"sg-all"},
			worldOpen: []finding.Rule{all},
			want:      []finding.Rule{listener("tcp", 443, all), listener("udp", 6081, all)},
		},
		{
			name:      "a port range admits the listener inside it",
			listeners: []finding.Listener{{Protocol: "TLS", Port: 1443}, {Protocol: "TCP", Port: 2443}},
			groups:    []string{"sg-range"},
			worldOpen: []finding.Rule{tcpRange},
			want:      []finding.Rule{listener("tcp", 1443, tcpRange)},
		},
		{
			name:      "TCP_UDP runs over both; a UDP rule admits only the UDP half",
			listeners: []finding.Listener{{Protocol: "TCP_UDP", Port: 53}},
			groups:    []string{"sg-dns"},
			worldOpen: []finding.Rule{udpDNS},
			want:      []finding.Rule{udpDNS},
		},
		{
			name:      "a TCP rule does not admit a UDP listener",
			listeners: []finding.Listener{{Protocol: "UDP", Port: 22}},
			groups:    []string{"sg-ssh"},
			worldOpen: []finding.Rule{ssh},
		},
		{
			name:      "a prefix-list source is kept",
			listeners: []finding.Listener{{Protocol: "HTTP", Port: 80}},
			groups:    []string{"sg-pl"},
			worldOpen: []finding.Rule{{Protocol: "tcp", FromPort: 80, ToPort: 80, PrefixListID: "pl-1", SecurityGroupID: "sg-pl"}},
			want:      []finding.Rule{{Protocol: "tcp", FromPort: 80, ToPort: 80, PrefixListID: "pl-1", SecurityGroupID: "sg-pl"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := finding.ListenerExposure(tc.listeners, tc.groups, tc.worldOpen)
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("ListenerExposure (-want +got):\n%s", diff)
			}
		})
	}
}
