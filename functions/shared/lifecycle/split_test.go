package lifecycle_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// load returns a finding from a file: the alert package's enriched
// findings (name.finding.json) or a catalog fixture, parsed.
func load(t *testing.T, path string) *finding.Finding {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if filepath.Dir(path) == filepath.Join("..", "alert", "testdata") {
		var f finding.Finding
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatal(err)
		}
		return &f
	}
	f, err := finding.Parse(data)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func enrichedFixture(t *testing.T, name string) *finding.Finding {
	return load(t, filepath.Join("..", "alert", "testdata", name+".finding.json"))
}

func event(t *testing.T, name string) *finding.Finding {
	return load(t, filepath.Join("..", "finding", "testdata", "events", name+".json"))
}

var (
	yes = func() *bool { b := true; return &b }()
	no  = func() *bool { b := false; return &b }()
)

// closing returns a closing finding of event name from source about rs,
// enriched.
func closing(source, name string, rs ...finding.Resource) *finding.Finding {
	return &finding.Finding{EventID: "close-1", EventSource: source, EventName: name, Account: "123456789012",
		Region: "eu-west-1", Resources: rs, ClosesExposure: true, Enriched: true}
}

func world(proto string, port int, cidr, group string) finding.Rule {
	return finding.Rule{Protocol: proto, FromPort: port, ToPort: port, CIDR: cidr, WorldOpen: finding.WorldOpen(cidr), SecurityGroupID: group}
}

func TestSplit(t *testing.T) {
	const ec2 = "ec2.amazonaws.com"
	sg := enrichedFixture(t, "sg-rdp-world-open")         // sg-0f63fecfa17ef4fee: 3389 from 0.0.0.0/0, 443 from ::/0
	inst := enrichedFixture(t, "runinstances-public-ssh") // i-0a1b2c3d4e5f60718: 22 from both through sg-0123456789abcdef0, public IP
	eip := enrichedFixture(t, "associate-address")        // eipalloc-0aa11bb22cc33dd44 on i-0feedfacecafe0001
	lb := enrichedFixture(t, "elbv2-internet-facing")     // 443 and 8000-8999 through sg-0aabbccddeeff0011
	policy := event(t, "s3-putbucketpolicy-public-vpce")  // jcazure2-dummy-bucket5, policy grant
	acl := event(t, "s3-putbucketacl-allusers-read")      // test-backt-testfile01, ACL grants
	snapshot := event(t, "ec2-modifysnapshotattribute-add-account")
	db := event(t, "rds-modifydbinstance-publiclyaccessible")
	const sgID, instSG, lbSG = "sg-0f63fecfa17ef4fee", "sg-0123456789abcdef0", "sg-0aabbccddeeff0011"

	tests := []struct {
		name       string
		opened     *finding.Finding
		closing    *finding.Finding
		wantClosed []string
	}{
		{
			name:   "one of two world-open rules revoked",
			opened: sg,
			closing: closing(ec2, "RevokeSecurityGroupIngress", finding.Resource{Type: finding.TypeSecurityGroup, ID: sgID, Found: yes,
				OpenIngress: []finding.Rule{world("tcp", 443, "::/0", sgID)}}),
			wantClosed: []string{"sg-0f63fecfa17ef4fee allows tcp/3389 from 0.0.0.0/0"},
		},
		{
			name:       "every world-open rule revoked",
			opened:     sg,
			closing:    closing(ec2, "RevokeSecurityGroupIngress", finding.Resource{Type: finding.TypeSecurityGroup, ID: sgID, Found: yes}),
			wantClosed: []string{"sg-0f63fecfa17ef4fee allows tcp/3389 from 0.0.0.0/0", "sg-0f63fecfa17ef4fee allows tcp/443 from ::/0"},
		},
		{
			name:   "a wider rule still admits the port",
			opened: sg,
			closing: closing(ec2, "RevokeSecurityGroupIngress", finding.Resource{Type: finding.TypeSecurityGroup, ID: sgID, Found: yes,
				OpenIngress: []finding.Rule{{Protocol: "-1", FromPort: -1, ToPort: -1, CIDR: "0.0.0.0/0", WorldOpen: true}, world("tcp", 443, "::/0", sgID)}}),
		},
		{
			name:   "a rule from another family does not",
			opened: sg,
			closing: closing(ec2, "RevokeSecurityGroupIngress", finding.Resource{Type: finding.TypeSecurityGroup, ID: sgID, Found: yes,
				OpenIngress: []finding.Rule{world("tcp", 3389, "::/0", sgID), world("tcp", 443, "::/0", sgID)}}),
			wantClosed: []string{"sg-0f63fecfa17ef4fee allows tcp/3389 from 0.0.0.0/0"},
		},
		{
			name:   "the instance's group revoked on 22 over IPv4: the IPv6 rule and the IP stand",
			opened: inst,
			closing: closing(ec2, "RevokeSecurityGroupIngress", finding.Resource{Type: finding.TypeSecurityGroup, ID: instSG, Found: yes,
				OpenIngress: []finding.Rule{world("tcp", 22, "::/0", instSG)}}),
			wantClosed: []string{"i-0a1b2c3d4e5f60718 allows tcp/22 from 0.0.0.0/0 through sg-0123456789abcdef0"},
		},
		{
			name:   "the instance's live facts: another group's rule is not this group's",
			opened: inst,
			closing: closing(ec2, "ModifyInstanceAttribute", finding.Resource{Type: finding.TypeInstance, ID: "i-0a1b2c3d4e5f60718", Found: yes,
				PublicIPs: []string{"34.245.10.11"}, OpenIngress: []finding.Rule{world("tcp", 22, "0.0.0.0/0", "sg-other"), world("tcp", 22, "::/0", "sg-other")}}),
			wantClosed: []string{"i-0a1b2c3d4e5f60718 allows tcp/22 from 0.0.0.0/0 through sg-0123456789abcdef0",
				"i-0a1b2c3d4e5f60718 allows tcp/22 from ::/0 through sg-0123456789abcdef0"},
		},
		{
			name:   "terminated: everything about the instance closes, whatever is still described",
			opened: inst,
			closing: closing(ec2, "TerminateInstances", finding.Resource{Type: finding.TypeInstance, ID: "i-0a1b2c3d4e5f60718", Found: yes,
				PublicIPs: []string{"34.245.10.11"}}),
			wantClosed: []string{"i-0a1b2c3d4e5f60718 allows tcp/22 from 0.0.0.0/0 through sg-0123456789abcdef0",
				"i-0a1b2c3d4e5f60718 allows tcp/22 from ::/0 through sg-0123456789abcdef0", "i-0a1b2c3d4e5f60718 has public IP 34.245.10.11"},
		},
		{
			name:    "the group deleted closes what went through it",
			opened:  inst,
			closing: closing(ec2, "DeleteSecurityGroup", finding.Resource{Type: finding.TypeSecurityGroup, ID: instSG, Found: no}),
			wantClosed: []string{"i-0a1b2c3d4e5f60718 allows tcp/22 from 0.0.0.0/0 through sg-0123456789abcdef0",
				"i-0a1b2c3d4e5f60718 allows tcp/22 from ::/0 through sg-0123456789abcdef0"},
		},
		{
			name:   "address disassociated: still allocated, no longer attached nor exposing the instance",
			opened: eip,
			closing: closing(ec2, "DisassociateAddress", finding.Resource{Type: finding.TypeElasticIP, ID: "eipalloc-0aa11bb22cc33dd44", Found: yes,
				PublicIPs: []string{"3.140.5.6"}}),
			wantClosed: []string{"eipalloc-0aa11bb22cc33dd44 is attached to i-0feedfacecafe0001",
				"eipalloc-0aa11bb22cc33dd44 allows all traffic from 0.0.0.0/0 through sg-0ddeeff00112233aa",
				"i-0feedfacecafe0001 has public IP 3.140.5.6"},
		},
		{
			name:   "load balancer deleted",
			opened: lb,
			closing: closing("elasticloadbalancing.amazonaws.com", "DeleteLoadBalancer", finding.Resource{Type: finding.TypeLoadBalancer,
				ID: "arn:aws:elasticloadbalancing:ap-southeast-2:210987654321:loadbalancer/app/public-api/50dc6c495c0c9188", Found: no}),
			wantClosed: lifecycle.Texts(lifecycle.Exposure(lb)),
		},
		{
			name:   "the load balancer's group narrowed to 443: the listener range closes",
			opened: lb,
			closing: closing(ec2, "RevokeSecurityGroupIngress", finding.Resource{Type: finding.TypeSecurityGroup, ID: lbSG, Found: yes,
				OpenIngress: []finding.Rule{world("tcp", 443, "0.0.0.0/0", lbSG)}}),
			wantClosed: []string{"arn:aws:elasticloadbalancing:ap-southeast-2:210987654321:loadbalancer/app/public-api/50dc6c495c0c9188 allows tcp/8000-8999 from 0.0.0.0/0 through sg-0aabbccddeeff0011"},
		},
		{
			name:       "bucket policy made private",
			opened:     policy,
			closing:    closing("s3.amazonaws.com", "PutBucketPolicy", finding.Resource{Type: finding.TypeBucket, ID: "jcazure2-dummy-bucket5"}),
			wantClosed: lifecycle.Texts(lifecycle.Exposure(policy)),
		},
		{
			name:       "bucket policy deleted",
			opened:     policy,
			closing:    closing("s3.amazonaws.com", "DeleteBucketPolicy", finding.Resource{Type: finding.TypeBucket, ID: "jcazure2-dummy-bucket5"}),
			wantClosed: lifecycle.Texts(lifecycle.Exposure(policy)),
		},
		{
			name: "a bucket enrich found but gave no verdict is judged by the request",
			opened: func() *finding.Finding {
				f := *policy
				f.Resources = []finding.Resource{{Type: finding.TypeBucket, ID: "jcazure2-dummy-bucket5", Found: yes, Tags: map[string]string{"team": "data"}}}
				f.Enriched = true
				return &f
			}(),
			closing:    closing("s3.amazonaws.com", "PutBucketPolicy", finding.Resource{Type: finding.TypeBucket, ID: "jcazure2-dummy-bucket5", Found: yes}),
			wantClosed: lifecycle.Texts(lifecycle.Exposure(policy)),
		},
		{
			name:    "a private policy leaves a public ACL",
			opened:  acl,
			closing: closing("s3.amazonaws.com", "PutBucketPolicy", finding.Resource{Type: finding.TypeBucket, ID: "test-backt-testfile01"}),
		},
		{
			name:    "another bucket's policy",
			opened:  policy,
			closing: closing("s3.amazonaws.com", "PutBucketPolicy", finding.Resource{Type: finding.TypeBucket, ID: "another-bucket"}),
		},
		{
			name:   "one account of two unshared",
			opened: snapshot,
			closing: func() *finding.Finding {
				c := closing(ec2, "ModifySnapshotAttribute", finding.Resource{Type: finding.TypeSnapshot, ID: "snap-041993b54a9b3af6f"})
				c.Requested.Unshared = []string{"111122223333"}
				return c
			}(),
			wantClosed: []string{"snap-041993b54a9b3af6f is shared with 111122223333"},
		},
		{
			name:   "another account unshared",
			opened: snapshot,
			closing: func() *finding.Finding {
				c := closing(ec2, "ModifySnapshotAttribute", finding.Resource{Type: finding.TypeSnapshot, ID: "snap-041993b54a9b3af6f"})
				c.Requested.Unshared = []string{"444455556666"}
				return c
			}(),
		},
		{
			name:       "database made private",
			opened:     db,
			closing:    closing("rds.amazonaws.com", "ModifyDBInstance", finding.Resource{Type: finding.TypeDBInstance, ID: "test-cloudtrail-event-instance-31611"}),
			wantClosed: []string{"test-cloudtrail-event-instance-31611 is publicly accessible"},
		},
		{
			name:       "database deleted",
			opened:     db,
			closing:    closing("rds.amazonaws.com", "DeleteDBInstance", finding.Resource{Type: finding.TypeDBInstance, ID: "test-cloudtrail-event-instance-31611"}),
			wantClosed: []string{"test-cloudtrail-event-instance-31611 is publicly accessible"},
		},
		{
			name:    "a closing call about something else says nothing",
			opened:  inst,
			closing: closing(ec2, "RevokeSecurityGroupIngress", finding.Resource{Type: finding.TypeSecurityGroup, ID: "sg-unrelated", Found: yes}),
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			open := lifecycle.Exposure(tc.opened)
			if len(open) == 0 {
				t.Fatal("the opening finding has no exposure lines")
			}
			closed, still := lifecycle.Split(open, tc.closing)
			if diff := cmp.Diff(tc.wantClosed, lifecycle.Texts(closed)); diff != "" {
				t.Errorf("closed (-want +got):\n%s", diff)
			}
			if got, want := len(closed)+len(still), len(open); got != want {
				t.Errorf("%d closed + %d still open, want %d in all", len(closed), len(still), want)
			}
			if diff := cmp.Diff(lifecycle.Texts(lifecycle.Minus(open, closed)), lifecycle.Texts(still)); diff != "" {
				t.Errorf("still open is not the rest (-want +got):\n%s", diff)
			}
		})
	}
}

// TestRefBoundsLongIDs: lines name a long id (an S3 object key) by its
// hash, which two spellings of the same id share.
func TestRefBoundsLongIDs(t *testing.T) {
	long := "bucket/" + string(make([]byte, 600))
	if got := lifecycle.Ref(long); len(got) > lifecycle.MaxRefBytes || got != lifecycle.Ref(long) || got == lifecycle.Ref(long+"x") {
		t.Errorf("Ref(long) = %q", got)
	}
	if got := lifecycle.Ref("sg-1"); got != "sg-1" {
		t.Errorf("Ref(sg-1) = %q", got)
	}
}
