package finding_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// sshOpen is an enriched finding: sg-1 and sg-2, attached to i-1, admit
// the internet on 22/tcp (IPv4 and IPv6) and i-1 has a public IP.
func sshOpen() *finding.Finding {
	return &finding.Finding{
		EventID:     "11111111-1111-1111-1111-111111111111",
		EventName:   "AuthorizeSecurityGroupIngress",
		EventSource: "ec2.amazonaws.com",
		Account:     "123456789012",
		Region:      "eu-west-1",
		Time:        time.Date(2025, 11, 23, 9, 0, 0, 0, time.UTC),
		Actor:       finding.Actor{Type: "IAMUser", ARN: "arn:aws:iam::123456789012:user/alice"},
		Resources: []finding.Resource{
			{
				Type:           finding.TypeSecurityGroup,
				ID:             "sg-1",
				Name:           "web",
				SecurityGroups: []string{"sg-1"},
				OpenIngress: []finding.Rule{
					{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true, SecurityGroupID: "sg-1"},
					{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "::/0", WorldOpen: true, SecurityGroupID: "sg-1"},
				},
			},
			{
				Type:      finding.TypeInstance,
				ID:        "i-1",
				PublicIPs: []string{"203.0.113.10", "198.51.100.7"},
			},
		},
		Category:      finding.CategoryNetwork,
		Severity:      finding.SeverityHigh,
		OpensExposure: true,
		Requested: finding.Requested{
			IngressRules: []finding.Rule{
				{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true, SecurityGroupID: "sg-1"},
			},
		},
		Summary:  "alice opened 22/tcp to the internet on sg-1",
		Enriched: true,
	}
}

// lbRequested is a finding that was not enriched: an internet-facing load
// balancer with a world-open listener rule and a public IP.
func lbRequested() *finding.Finding {
	return &finding.Finding{
		EventID:   "22222222-2222-2222-2222-222222222222",
		EventName: "CreateLoadBalancer",
		Account:   "123456789012",
		Region:    "us-east-1",
		Resources: []finding.Resource{
			{Type: finding.TypeLoadBalancer, ID: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/web/1"},
			{Type: finding.TypeSecurityGroup, ID: "sg-9"},
		},
		Requested: finding.Requested{
			IngressRules: []finding.Rule{
				{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDR: "0.0.0.0/0", WorldOpen: true, SecurityGroupID: "sg-9"},
				{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDR: "10.0.0.0/8", SecurityGroupID: "sg-9"},
			},
			PublicIP:  true,
			PublicIPs: []string{"192.0.2.1"},
			Scheme:    "internet-facing",
			Listeners: []string{"HTTPS:443"},
		},
	}
}

func TestAlertKey(t *testing.T) {
	tests := []struct {
		name   string
		base   func() *finding.Finding
		change func(f *finding.Finding)
		same   bool
	}{
		// Same alert.
		{
			name: "same exposure from another event",
			base: sshOpen,
			change: func(f *finding.Finding) {
				f.EventID = "33333333-3333-3333-3333-333333333333"
				f.EventName = "ModifySecurityGroupRules"
				f.Time = f.Time.Add(3 * time.Hour)
				f.Actor = finding.Actor{Type: "AssumedRole", ARN: "arn:aws:sts::123456789012:assumed-role/ops/bob"}
				f.Summary = "bob changed sg-1"
				f.Severity = finding.SeverityMedium
				f.Resources[0].Name = "renamed"
				f.Resources[0].SecurityGroups = nil
			},
			same: true,
		},
		{
			name: "resources in another order",
			base: sshOpen,
			change: func(f *finding.Finding) {
				f.Resources[0], f.Resources[1] = f.Resources[1], f.Resources[0]
			},
			same: true,
		},
		{
			name: "resources of one type in another order",
			base: func() *finding.Finding {
				f := sshOpen()
				f.Resources = append(f.Resources, finding.Resource{Type: finding.TypeInstance, ID: "i-0"})
				return f
			},
			change: func(f *finding.Finding) {
				f.Resources[1], f.Resources[2] = f.Resources[2], f.Resources[1]
			},
			same: true,
		},
		{
			name: "rules and public IPs in another order",
			base: sshOpen,
			change: func(f *finding.Finding) {
				r := f.Resources[0].OpenIngress
				r[0], r[1] = r[1], r[0]
				ips := f.Resources[1].PublicIPs
				ips[0], ips[1] = ips[1], ips[0]
			},
			same: true,
		},
		{
			name: "same rule through another group, spelled otherwise",
			base: sshOpen,
			change: func(f *finding.Finding) {
				f.Resources[1].OpenIngress = []finding.Rule{
					{Protocol: "TCP", FromPort: 22, ToPort: 22, CIDR: "10.1.2.3/0", WorldOpen: true, SecurityGroupID: "sg-2"},
					{Protocol: "6", FromPort: 22, ToPort: 22, CIDR: "::0/0", WorldOpen: true},
				}
				f.Resources[1].PublicIPs = append(f.Resources[1].PublicIPs, "203.0.113.10")
			},
			same: true,
		},
		{
			name: "resource listed twice",
			base: sshOpen,
			change: func(f *finding.Finding) {
				f.Resources = append(f.Resources, finding.Resource{Type: finding.TypeInstance, ID: "i-1"})
			},
			same: true,
		},
		{
			name: "enriched: rules that are not world-open do not matter",
			base: sshOpen,
			change: func(f *finding.Finding) {
				f.Resources[1].OpenIngress = []finding.Rule{{Protocol: "tcp", FromPort: 5432, ToPort: 5432, CIDR: "10.0.0.0/8"}}
			},
			same: true,
		},
		{
			name: "enriched: what was requested does not matter",
			base: sshOpen,
			change: func(f *finding.Finding) {
				f.Requested = finding.Requested{PublicIP: true, Scheme: "internet-facing"}
			},
			same: true,
		},
		{
			name: "all-traffic rule ports are ignored",
			base: func() *finding.Finding {
				f := sshOpen()
				f.Resources[0].OpenIngress = []finding.Rule{{Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "0.0.0.0/0", WorldOpen: true}}
				return f
			},
			change: func(f *finding.Finding) {
				f.Resources[0].OpenIngress[0].FromPort = 0
				f.Resources[0].OpenIngress[0].ToPort = 65535
			},
			same: true,
		},
		{
			name: "requested: rules that are not world-open do not matter",
			base: lbRequested,
			change: func(f *finding.Finding) {
				f.Requested.IngressRules = f.Requested.IngressRules[:1]
				f.Requested.Listeners = nil
				f.Requested.SecurityGroups = []string{"sg-9"}
			},
			same: true,
		},
		{
			name: "requested: order does not matter",
			base: lbRequested,
			change: func(f *finding.Finding) {
				f.Resources[0], f.Resources[1] = f.Resources[1], f.Resources[0]
				r := f.Requested.IngressRules
				r[0], r[1] = r[1], r[0]
			},
			same: true,
		},

		// Another alert.
		{
			name: "another port",
			base: sshOpen,
			change: func(f *finding.Finding) {
				f.Resources[0].OpenIngress[0].FromPort, f.Resources[0].OpenIngress[0].ToPort = 3389, 3389
			},
		},
		{
			name:   "another protocol",
			base:   sshOpen,
			change: func(f *finding.Finding) { f.Resources[0].OpenIngress[0].Protocol = "udp" },
		},
		{
			name: "another source",
			base: sshOpen,
			change: func(f *finding.Finding) {
				f.Resources[0].OpenIngress[0].CIDR = ""
				f.Resources[0].OpenIngress[0].PrefixListID = "pl-1"
			},
		},
		{
			name: "one more open rule",
			base: sshOpen,
			change: func(f *finding.Finding) {
				f.Resources[0].OpenIngress = append(f.Resources[0].OpenIngress, finding.Rule{Protocol: "tcp", FromPort: 80, ToPort: 80, CIDR: "0.0.0.0/0", WorldOpen: true})
			},
		},
		{
			name:   "another account",
			base:   sshOpen,
			change: func(f *finding.Finding) { f.Account = "210987654321" },
		},
		{
			name:   "another region",
			base:   sshOpen,
			change: func(f *finding.Finding) { f.Region = "eu-central-1" },
		},
		{
			name:   "another resource id",
			base:   sshOpen,
			change: func(f *finding.Finding) { f.Resources[1].ID = "i-2" },
		},
		{
			name:   "another resource type",
			base:   sshOpen,
			change: func(f *finding.Finding) { f.Resources[1].Type = finding.TypeNetworkInterface },
		},
		{
			name:   "one resource fewer",
			base:   sshOpen,
			change: func(f *finding.Finding) { f.Resources = f.Resources[:1] },
		},
		{
			name:   "another public IP",
			base:   sshOpen,
			change: func(f *finding.Finding) { f.Resources[1].PublicIPs[0] = "203.0.113.11" },
		},
		{
			name:   "enriched or not",
			base:   sshOpen,
			change: func(f *finding.Finding) { f.Enriched = false },
		},
		{
			name: "requested: another port",
			base: lbRequested,
			change: func(f *finding.Finding) {
				f.Requested.IngressRules[0].FromPort, f.Requested.IngressRules[0].ToPort = 8443, 8443
			},
		},
		{
			name:   "requested: another scheme",
			base:   lbRequested,
			change: func(f *finding.Finding) { f.Requested.Scheme = "internal" },
		},
		{
			name:   "requested: no public IP flag",
			base:   lbRequested,
			change: func(f *finding.Finding) { f.Requested.PublicIP = false },
		},
		{
			name:   "requested: another public IP",
			base:   lbRequested,
			change: func(f *finding.Finding) { f.Requested.PublicIPs = []string{"192.0.2.2"} },
		},
		{
			name:   "requested: a rule becomes world-open",
			base:   lbRequested,
			change: func(f *finding.Finding) { f.Requested.IngressRules[1].WorldOpen = true },
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a, b := tc.base(), tc.base()
			tc.change(b)
			ka, kb := finding.AlertKey(a), finding.AlertKey(b)
			if got := ka == kb; got != tc.same {
				t.Errorf("same key = %v, want %v (%s, %s)", got, tc.same, ka, kb)
			}
		})
	}
}

func TestAlertKeyFormat(t *testing.T) {
	hex64 := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for _, f := range []*finding.Finding{sshOpen(), lbRequested(), {}} {
		if k := finding.AlertKey(f); !hex64.MatchString(k) {
			t.Errorf("AlertKey = %q, want 64 lowercase hex digits", k)
		} else if !finding.IsAlertKey(k) {
			t.Errorf("IsAlertKey(%q) = false for an AlertKey", k)
		}
	}
}

func TestIsAlertKey(t *testing.T) {
	key := finding.AlertKey(sshOpen())
	tests := []struct {
		name string
		s    string
		want bool
	}{
		{"an alert key", key, true},
		{"all digits", strings.Repeat("0", 64), true},
		{"empty", "", false},
		{"63 digits", key[:63], false},
		{"65 digits", key + "0", false},
		{"upper case", strings.ToUpper(key), false},
		{"not hex", strings.Repeat("g", 64), false},
		{"space", " " + key[1:], false},
		{"multibyte", "é" + key[2:], false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := finding.IsAlertKey(tc.s); got != tc.want {
				t.Errorf("IsAlertKey(%q) = %v, want %v", tc.s, got, tc.want)
			}
		})
	}
}

// TestAlertKeyStable pins keys: dedupe stores them, so a change to the
// encoding makes every alert in a live window new again. Change the want
// values (and the encoding's version) only on purpose.
func TestAlertKeyStable(t *testing.T) {
	tests := []struct {
		name string
		f    *finding.Finding
		want string
	}{
		{"enriched", sshOpen(), "53f3b06004deaf7688f05cb999ee8605eb332c40c51afb49212ec03baa3d9f37"},
		{"requested", lbRequested(), "6c331b1e962937c9f0ac5690a35cb6dbe7f8244bf813b98281a64ae83c55f5c2"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := finding.AlertKey(tc.f); got != tc.want {
				t.Errorf("AlertKey = %s, want %s", got, tc.want)
			}
		})
	}
}

func TestAlertKeyTellsApartWhatExposesNothing(t *testing.T) {
	base := finding.Finding{Account: "123456789012", Region: "us-east-1", EventSource: "ec2.amazonaws.com", EventName: "AuthorizeSecurityGroupIngress",
		Resources: []finding.Resource{{Type: finding.TypeSecurityGroup, ID: "sg-1"}},
		Requested: finding.Requested{IngressRules: []finding.Rule{{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true}}}}
	attempt := base
	attempt.ErrorCode = "UnauthorizedOperation"
	stop := finding.Finding{Account: "123456789012", Region: "us-east-1", EventSource: "cloudtrail.amazonaws.com", EventName: "StopLogging",
		Category: finding.CategoryDefenseEvasion, Resources: []finding.Resource{{Type: finding.TypeTrail, ID: "trail"}}}
	del := stop
	del.EventName = "DeleteTrail"
	shareA := finding.Finding{Account: "123456789012", Region: "us-east-1", Resources: []finding.Resource{{Type: finding.TypeSnapshot, ID: "snap-1"}},
		Requested: finding.Requested{SharedWith: []string{"111122223333"}}}
	shareB := shareA
	shareB.Requested = finding.Requested{SharedWith: []string{"444455556666"}}
	public := shareA
	public.Requested = finding.Requested{PublicAccess: true, SharedWith: []string{"all"}}
	pairs := []struct {
		name string
		a, b finding.Finding
	}{
		{"attempt and success", base, attempt},
		{"stop logging and delete trail", stop, del},
		{"shared with another account", shareA, shareB},
		{"shared and made public", shareA, public},
	}
	for _, p := range pairs {
		if finding.AlertKey(&p.a) == finding.AlertKey(&p.b) {
			t.Errorf("%s: same key", p.name)
		}
	}
}
