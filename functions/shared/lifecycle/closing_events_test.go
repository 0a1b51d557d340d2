package lifecycle_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

// opening returns a finding of event name from source about rs that
// opened exposure, as parse makes it (judged by its request q).
func opening(source, name string, q finding.Requested, rs ...finding.Resource) *finding.Finding {
	return &finding.Finding{EventID: "open-1", EventSource: source, EventName: name, Account: "123456789012", Region: "eu-west-1",
		Resources: rs, Requested: q, OpensExposure: true, Severity: finding.SeverityHigh}
}

// enriched returns f as enrich leaves it: enriched, each resource as set
// makes it.
func enriched(f *finding.Finding, set func(r *finding.Resource)) *finding.Finding {
	out := *f
	out.Enriched = true
	out.Resources = append([]finding.Resource(nil), f.Resources...)
	for i := range out.Resources {
		set(&out.Resources[i])
	}
	return &out
}

// verdict sets a live verdict on a resource enrich found.
func verdict(reachable bool) func(r *finding.Resource) {
	return func(r *finding.Resource) { r.Found, r.Reachable = yes, &reachable }
}

// sharedWith sets the live shares of an image or snapshot enrich found.
func sharedWith(grantees ...string) func(r *finding.Resource) {
	return func(r *finding.Resource) {
		shared := len(grantees) > 0
		r.Found, r.Reachable, r.Shares = yes, &shared, nil
		for _, g := range grantees {
			r.Shares = append(r.Shares, finding.Share{Grantee: g})
		}
	}
}

// foundAs marks a resource enrich found with no verdict on it (a route
// table, a network ACL, an internet gateway).
func foundAs(r *finding.Resource) { r.Found = yes }

// gone marks a resource enrich did not find.
func gone(r *finding.Resource) { r.Found = no }

// TestEveryClosingEventCloses holds each catalog event that can close
// exposure (effect closes, or opens or closes) to what it closes of an
// open alert about its resources, from a real fixture where there is one:
// deletions close everything about what they delete, live verdicts decide
// databases, buckets, functions and shares (a closing request the live
// state contradicts closes nothing), and requests judged by their request
// close only the part they name (the grantee, the route's destination,
// the network ACL entry's number). It fails for a closing event that has
// no case. (ReplaceRouteTableAssociation is never a candidate close, as
// parse makes it; as one it would close nothing.)
func TestEveryClosingEventCloses(t *testing.T) {
	const (
		ec2, elb, rds, redshift = "ec2.amazonaws.com", "elasticloadbalancing.amazonaws.com", "rds.amazonaws.com", "redshift.amazonaws.com"
		s3, lambda              = "s3.amazonaws.com", "lambda.amazonaws.com"
	)
	inst := enrichedFixture(t, "runinstances-public-ssh") // i-0a1b2c3d4e5f60718, 22 through sg-0123456789abcdef0, public IP 34.245.10.11
	instLines := lifecycle.Texts(lifecycle.Exposure(inst))
	eip := enrichedFixture(t, "associate-address") // eipalloc-0aa11bb22cc33dd44 on i-0feedfacecafe0001
	lb := enrichedFixture(t, "elbv2-setsecuritygroups-world")
	lbARN := "arn:aws:elasticloadbalancing:ap-northeast-1:123456789012:loadbalancer/app/onecloud-fargate-public/b200ae207f9372e0"
	sg := enrichedFixture(t, "sg-rdp-world-open") // sg-0f63fecfa17ef4fee: 3389 from 0.0.0.0/0, 443 from ::/0
	revokeRDP := []finding.Rule{world("tcp", 443, "::/0", "sg-0f63fecfa17ef4fee")}

	acl := finding.Resource{Type: finding.TypeNetworkACL, ID: "acl-0af9cb843511d66d4"}
	aclOpen := opening(ec2, "CreateNetworkAclEntry", finding.Requested{IngressRules: []finding.Rule{
		{Protocol: "tcp", FromPort: 22, ToPort: 22, CIDR: "0.0.0.0/0", WorldOpen: true, Entry: 100},
		{Protocol: "tcp", FromPort: 443, ToPort: 443, CIDR: "0.0.0.0/0", WorldOpen: true, Entry: 110}}}, acl)
	rtb := finding.Resource{Type: finding.TypeRouteTable, ID: "rtb-09f392b007354c0e9"}
	igw := finding.Resource{Type: finding.TypeInternetGateway, ID: "igw-067da439b54963ef0"}
	routesOpen := opening(ec2, "CreateRoute", finding.Requested{Routes: []string{"0.0.0.0/0 -> igw-067da439b54963ef0", "::/0 -> igw-067da439b54963ef0"}}, rtb, igw)
	gatewayOpen := opening(ec2, "AttachInternetGateway", finding.Requested{}, igw, finding.Resource{Type: finding.TypeVPC, ID: "vpc-017d83801e79e7023"})

	db := finding.Resource{Type: finding.TypeDBInstance, ID: "test-cloudtrail-event-instance-31611-restored", Endpoint: "db.example.com:3306"}
	dbLive := enriched(opening(rds, "ModifyDBInstance", finding.Requested{PublicAccess: true}, db), verdict(true))
	cluster := finding.Resource{Type: finding.TypeDBCluster, ID: "aurora-cluster"}
	clusterLive := enriched(opening(rds, "ModifyDBCluster", finding.Requested{PublicAccess: true}, cluster), verdict(true))
	dw := finding.Resource{Type: finding.TypeRedshiftCluster, ID: "redshift-cluster-1"}
	dwOpen := opening(redshift, "ModifyCluster", finding.Requested{PublicAccess: true}, dw)

	bucket := func(id string) finding.Resource { return finding.Resource{Type: finding.TypeBucket, ID: id} }
	policyLive := enriched(opening(s3, "PutBucketPolicy", finding.Requested{PublicAccess: true, Grants: []string{"Principal * s3:GetObject"}}, bucket("myawsbucket")), verdict(true))
	aclBucket := enriched(opening(s3, "PutBucketAcl", finding.Requested{PublicAccess: true, Grants: []string{"AllUsers READ"}}, bucket("bucket")), verdict(true))
	blockBucket := opening(s3, "DeleteBucketPublicAccessBlock", finding.Requested{PublicAccess: true, Grants: []string{"public access block removed"}}, bucket("test-backt-testfile01"))
	crossAccount := enriched(opening(s3, "PutBucketPolicy", finding.Requested{PublicAccess: true}, bucket("my-test-bucket-cross-account")), verdict(true))
	account := finding.Resource{Type: finding.TypeAccount, ID: "123456789012"}
	accountOpen := opening(s3, "DeleteAccountPublicAccessBlock", finding.Requested{PublicAccess: true, Grants: []string{"public access block removed"}}, account)

	fn := finding.Resource{Type: finding.TypeFunction, ID: "cloudtrail-events-test"}
	fnLive := enriched(opening(lambda, "CreateFunctionUrlConfig20211031", finding.Requested{PublicAccess: true, Grants: []string{"function URL authType NONE"}}, fn), verdict(true))

	image := finding.Resource{Type: finding.TypeImage, ID: "ami-0beb42caf02660314"}
	imageLive := enriched(opening(ec2, "ModifyImageAttribute", finding.Requested{PublicAccess: true, SharedWith: []string{"all"}}, image), sharedWith("all", "111122223333"))
	deregistered := finding.Resource{Type: finding.TypeImage, ID: "ami-094a52a9a2b58d074"}
	snap := finding.Resource{Type: finding.TypeSnapshot, ID: "snap-0a392d80692e2526a"}
	snapLive := enriched(opening(ec2, "ModifySnapshotAttribute", finding.Requested{SharedWith: []string{"all"}}, snap), sharedWith("all"))
	deletedSnap := finding.Resource{Type: finding.TypeSnapshot, ID: "snap-0ea8b3632c0ff21d6"}
	dbSnap := finding.Resource{Type: finding.TypeDBSnapshot, ID: "test-cloudtrail-event-instance-29973-snap"}
	dbSnapLive := enriched(opening(rds, "ModifyDBSnapshotAttribute", finding.Requested{SharedWith: []string{"444455556666", "111122223333"}}, dbSnap),
		sharedWith("444455556666", "111122223333"))
	clusterSnap := finding.Resource{Type: finding.TypeDBClusterSnap, ID: "cluster-snap-1"}
	finalSnap := finding.Resource{Type: finding.TypeDBSnapshot, ID: "wp-test-final-snapshot"}

	tests := []struct {
		event      string
		name       string
		opened     *finding.Finding
		closing    *finding.Finding
		wantClosed []string
	}{
		{"DisassociateAddress", "the address no longer attached", eip,
			closing(ec2, "DisassociateAddress", finding.Resource{Type: finding.TypeElasticIP, ID: "eipalloc-0aa11bb22cc33dd44", Found: yes, PublicIPs: []string{"3.140.5.6"}}),
			[]string{"eipalloc-0aa11bb22cc33dd44 is attached to i-0feedfacecafe0001", "eipalloc-0aa11bb22cc33dd44 allows all traffic from 0.0.0.0/0 through sg-0ddeeff00112233aa",
				"i-0feedfacecafe0001 has public IP 3.140.5.6"}},
		{"ReleaseAddress", "the address released: its IP leaves the instance too", eip,
			enriched(event(t, "ec2-releaseaddress-constructed"), func(r *finding.Resource) { r.ID, r.Found = "eipalloc-0aa11bb22cc33dd44", no }),
			[]string{"eipalloc-0aa11bb22cc33dd44 is attached to i-0feedfacecafe0001", "eipalloc-0aa11bb22cc33dd44 allows all traffic from 0.0.0.0/0 through sg-0ddeeff00112233aa",
				"eipalloc-0aa11bb22cc33dd44 has public IP 3.140.5.6", "i-0feedfacecafe0001 has public IP 3.140.5.6"}},
		{"ModifyInstanceAttribute", "the instance's groups swapped for closed ones", inst,
			closing(ec2, "ModifyInstanceAttribute", finding.Resource{Type: finding.TypeInstance, ID: "i-0a1b2c3d4e5f60718", Found: yes, PublicIPs: []string{"34.245.10.11"}}),
			[]string{"i-0a1b2c3d4e5f60718 allows tcp/22 from 0.0.0.0/0 through sg-0123456789abcdef0", "i-0a1b2c3d4e5f60718 allows tcp/22 from ::/0 through sg-0123456789abcdef0"}},
		{"ModifyNetworkInterfaceAttribute", "the interface's public IP stands after a group swap", enrichedFixture(t, "ec2-modifynetworkinterfaceattribute-groupset-closed"),
			enriched(event(t, "ec2-modifynetworkinterfaceattribute-groupset"), func(r *finding.Resource) { r.Found = yes }),
			[]string{"eni-0e755eba3aa5e7e89 has public IP 13.112.9.201"}},
		{"TerminateInstances", "terminated, still described", inst,
			closing(ec2, "TerminateInstances", finding.Resource{Type: finding.TypeInstance, ID: "i-0a1b2c3d4e5f60718", Found: yes, PublicIPs: []string{"34.245.10.11"}}),
			instLines},
		{"RevokeSecurityGroupIngress", "revoked by rule id: the group's live rules decide", sg,
			enriched(event(t, "ec2-revokesecuritygroupingress-ruleids-constructed"), func(r *finding.Resource) {
				r.ID, r.Found, r.OpenIngress = "sg-0f63fecfa17ef4fee", yes, revokeRDP
			}),
			[]string{"sg-0f63fecfa17ef4fee allows tcp/3389 from 0.0.0.0/0"}},
		{"ModifySecurityGroupRules", "a rule rewritten to a private source", sg,
			closing(ec2, "ModifySecurityGroupRules", finding.Resource{Type: finding.TypeSecurityGroup, ID: "sg-0f63fecfa17ef4fee", Found: yes, OpenIngress: revokeRDP}),
			[]string{"sg-0f63fecfa17ef4fee allows tcp/3389 from 0.0.0.0/0"}},
		{"DeleteSecurityGroup", "the group deleted", sg,
			enriched(event(t, "ec2-deletesecuritygroup"), func(r *finding.Resource) { r.ID, r.Found = "sg-0f63fecfa17ef4fee", no }),
			lifecycle.Texts(lifecycle.Exposure(sg))},
		{"ModifyImageAttribute", "public launch permission removed, another account still shared", imageLive,
			enriched(event(t, "ec2-modifyimageattribute-remove-all"), sharedWith("111122223333")),
			[]string{"ami-0beb42caf02660314 is public (shared with all)"}},
		{"ModifyImageAttribute", "the request removes all, the live state still shares with all", imageLive,
			enriched(event(t, "ec2-modifyimageattribute-remove-all"), sharedWith("all", "111122223333")),
			nil},
		{"ModifySnapshotAttribute", "public create-volume permission removed", snapLive,
			enriched(event(t, "ec2-modifysnapshotattribute-remove-all"), sharedWith()),
			[]string{"snap-0a392d80692e2526a is public (shared with all)"}},
		{"DeleteSnapshot", "the snapshot deleted", enriched(opening(ec2, "ModifySnapshotAttribute", finding.Requested{SharedWith: []string{"all"}}, deletedSnap), sharedWith("all")),
			enriched(event(t, "ec2-deletesnapshot"), foundAs),
			[]string{"snap-0ea8b3632c0ff21d6 is public (shared with all)"}},
		{"DeregisterImage", "the image deregistered", opening(ec2, "ModifyImageAttribute", finding.Requested{SharedWith: []string{"all"}}, deregistered),
			enriched(event(t, "ec2-deregisterimage"), gone),
			[]string{"ami-094a52a9a2b58d074 is public (shared with all)"}},
		{"DetachInternetGateway", "the gateway detached", gatewayOpen,
			enriched(event(t, "ec2-detachinternetgateway-constructed"), foundAs),
			[]string{"igw-067da439b54963ef0 is attached to vpc-017d83801e79e7023"}},
		{"ReplaceRoute", "the IPv4 internet route pointed at a NAT gateway", routesOpen,
			enriched(parse(t, ec2, "ReplaceRoute", `{"routeTableId":"rtb-09f392b007354c0e9","destinationCidrBlock":"0.0.0.0/0","natGatewayId":"nat-1"}`), foundAs),
			[]string{"rtb-09f392b007354c0e9 routes 0.0.0.0/0 -> igw-067da439b54963ef0"}},
		{"DeleteRoute", "the IPv4 internet route deleted, the IPv6 one stands", routesOpen,
			enriched(event(t, "ec2-deleteroute-constructed"), foundAs),
			[]string{"rtb-09f392b007354c0e9 routes 0.0.0.0/0 -> igw-067da439b54963ef0"}},
		{"ReplaceNetworkAclEntry", "entry 100 replaced by a deny", aclOpen,
			enriched(parse(t, ec2, "ReplaceNetworkAclEntry", `{"networkAclId":"acl-0af9cb843511d66d4","ruleNumber":100,"aclProtocol":"6","ruleAction":"deny","egress":false,"cidrBlock":"0.0.0.0/0","portRange":{"from":22,"to":22}}`), foundAs),
			[]string{"acl-0af9cb843511d66d4 rule 100 allows tcp/22 from 0.0.0.0/0"}},
		{"DeleteNetworkAclEntry", "entry 100 deleted, entry 110 stands", aclOpen,
			enriched(event(t, "ec2-deletenetworkaclentry"), foundAs),
			[]string{"acl-0af9cb843511d66d4 rule 100 allows tcp/22 from 0.0.0.0/0"}},
		{"DeleteNetworkAclEntry", "another entry deleted", aclOpen,
			enriched(parse(t, ec2, "DeleteNetworkAclEntry", `{"networkAclId":"acl-0af9cb843511d66d4","egress":false,"ruleNumber":120}`), foundAs),
			nil},
		{"ReplaceRouteTableAssociation", "a subnet moved removes no route, even as a close", routesOpen,
			func() *finding.Finding {
				f := enriched(event(t, "ec2-replaceroutetableassociation-constructed"), foundAs)
				f.ClosesExposure = true
				return f
			}(),
			nil},
		{"SetSecurityGroups", "the load balancer's groups swapped for closed ones", lb,
			closing(elb, "SetSecurityGroups", finding.Resource{Type: finding.TypeLoadBalancer, ID: lbARN, Found: yes, Scheme: finding.SchemeInternetFacing}),
			[]string{lbARN + " allows tcp/80 from 0.0.0.0/0 through sg-02c8769865262abbd"}},
		{"DeleteLoadBalancer", "the load balancer deleted", lb,
			closing(elb, "DeleteLoadBalancer", finding.Resource{Type: finding.TypeLoadBalancer, ID: lbARN, Found: no}),
			lifecycle.Texts(lifecycle.Exposure(lb))},
		{"RemovePermission", "the public statement removed: the function is private now", fnLive,
			enriched(event(t, "lambda-removepermission20150331v2-constructed"), verdict(false)),
			[]string{"cloudtrail-events-test is public"}},
		{"RemovePermission", "a statement removed, the URL still public", fnLive,
			enriched(event(t, "lambda-removepermission20150331v2-constructed"), verdict(true)),
			nil},
		{"UpdateFunctionUrlConfig", "the URL back to AWS_IAM", fnLive,
			enriched(event(t, "lambda-updatefunctionurlconfig20211031-iam-constructed"), verdict(false)),
			[]string{"cloudtrail-events-test is public"}},
		{"DeleteFunctionUrlConfig", "the URL deleted", fnLive,
			enriched(event(t, "lambda-deletefunctionurlconfig20211031-constructed"), verdict(false)),
			[]string{"cloudtrail-events-test is public"}},
		{"DeleteFunctionUrlConfig", "the URL deleted, judged by the request alone", opening(lambda, "CreateFunctionUrlConfig20211031",
			finding.Requested{PublicAccess: true, Grants: []string{"function URL authType NONE"}}, fn),
			event(t, "lambda-deletefunctionurlconfig20211031-constructed"),
			[]string{"cloudtrail-events-test is public: function URL authType NONE"}},
		{"ModifyDBInstance", "no longer publicly accessible", dbLive,
			closing(rds, "ModifyDBInstance", finding.Resource{Type: finding.TypeDBInstance, ID: db.ID, Found: yes, Reachable: no}),
			[]string{db.ID + " is reachable from the internet at db.example.com:3306"}},
		{"ModifyDBInstance", "the request makes it private, the live state does not (yet)", dbLive,
			closing(rds, "ModifyDBInstance", finding.Resource{Type: finding.TypeDBInstance, ID: db.ID, Found: yes, Reachable: yes}),
			nil},
		{"ModifyDBInstance", "a request-judged alert resolved by the live verdict",
			opening(rds, "ModifyDBInstance", finding.Requested{PublicAccess: true}, db),
			closing(rds, "ModifyDBInstance", finding.Resource{Type: finding.TypeDBInstance, ID: db.ID, Found: yes, Reachable: no}),
			[]string{db.ID + " is publicly accessible"}},
		{"ModifyDBCluster", "the cluster no longer publicly accessible", clusterLive,
			closing(rds, "ModifyDBCluster", finding.Resource{Type: finding.TypeDBCluster, ID: cluster.ID, Found: yes, Reachable: no}),
			[]string{"aurora-cluster is reachable from the internet"}},
		{"ModifyDBSnapshotAttribute", "one account of two unshared", dbSnapLive,
			enriched(event(t, "rds-modifydbsnapshotattribute-remove"), sharedWith("111122223333")),
			[]string{dbSnap.ID + " is shared with 444455556666"}},
		{"ModifyDBClusterSnapshotAttribute", "unshared", enriched(opening(rds, "ModifyDBClusterSnapshotAttribute", finding.Requested{SharedWith: []string{"444455556666"}}, clusterSnap), sharedWith("444455556666")),
			closing(rds, "ModifyDBClusterSnapshotAttribute", finding.Resource{Type: finding.TypeDBClusterSnap, ID: clusterSnap.ID, Found: yes, Reachable: no}),
			[]string{"cluster-snap-1 is shared with 444455556666"}},
		{"DeleteDBInstance", "the database deleted", dbLive,
			enriched(event(t, "rds-deletedbinstance"), foundAs),
			[]string{db.ID + " is reachable from the internet at db.example.com:3306"}},
		{"DeleteDBSnapshot", "the snapshot deleted", opening(rds, "ModifyDBSnapshotAttribute", finding.Requested{SharedWith: []string{"444455556666"}}, finalSnap),
			event(t, "rds-deletedbsnapshot"),
			[]string{"wp-test-final-snapshot is shared with 444455556666"}},
		{"ModifyCluster", "the warehouse made private", dwOpen,
			closing(redshift, "ModifyCluster", finding.Resource{Type: finding.TypeRedshiftCluster, ID: dw.ID, Found: yes, Reachable: no}),
			[]string{"redshift-cluster-1 is publicly accessible"}},
		{"DeleteCluster", "the warehouse deleted", dwOpen,
			enriched(event(t, "redshift-deletecluster"), foundAs),
			[]string{"redshift-cluster-1 is publicly accessible"}},
		{"PutBucketPolicy", "the policy made private", enriched(opening(s3, "PutBucketPolicy", finding.Requested{PublicAccess: true}, bucket("test-backt-testfile01")), verdict(true)),
			enriched(event(t, "s3-putbucketpolicy-deny-notipaddress"), verdict(false)),
			[]string{"test-backt-testfile01 is public"}},
		{"PutBucketPolicy", "a private policy, the bucket still public (its ACL)", enriched(opening(s3, "PutBucketPolicy", finding.Requested{PublicAccess: true}, bucket("test-backt-testfile01")), verdict(true)),
			enriched(event(t, "s3-putbucketpolicy-deny-notipaddress"), verdict(true)),
			nil},
		{"PutBucketAcl", "the ACL made private", aclBucket,
			enriched(event(t, "s3-putbucketacl-canned-private"), verdict(false)),
			[]string{"bucket is public"}},
		{"PutBucketPublicAccessBlock", "the block restored", blockBucket,
			enriched(event(t, "s3-putbucketpublicaccessblock-all-true"), verdict(false)),
			[]string{"test-backt-testfile01 lost its public access block (public access block removed)"}},
		{"PutBucketPublicAccessBlock", "the block restored, judged by the request alone", blockBucket,
			event(t, "s3-putbucketpublicaccessblock-all-true"),
			[]string{"test-backt-testfile01 lost its public access block (public access block removed)"}},
		{"DeleteBucketPolicy", "the policy deleted", policyLive,
			enriched(event(t, "s3-deletebucketpolicy"), verdict(false)),
			[]string{"myawsbucket is public"}},
		{"DeleteBucket", "the bucket deleted", crossAccount,
			enriched(event(t, "s3-deletebucket"), foundAs),
			[]string{"my-test-bucket-cross-account is public"}},
		{"PutAccountPublicAccessBlock", "the account's block restored", accountOpen,
			parse(t, s3, "PutAccountPublicAccessBlock", `{"PublicAccessBlockConfiguration":{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true},"AccountId":"123456789012"}`),
			[]string{"123456789012 lost its public access block (public access block removed)"}},
	}
	covered := map[string]bool{}
	for _, tc := range tests {
		covered[tc.event] = true
		t.Run(tc.event+"/"+tc.name, func(t *testing.T) {
			if !tc.closing.ClosesExposure && tc.event != "ReplaceRouteTableAssociation" {
				t.Fatalf("%s is not a candidate close", tc.closing.EventName)
			}
			if !strings.HasPrefix(tc.closing.EventName, tc.event) {
				t.Fatalf("the closing finding is %s", tc.closing.EventName)
			}
			open := lifecycle.Exposure(tc.opened)
			if len(open) == 0 {
				t.Fatal("the opening finding has no exposure lines")
			}
			closed, still := lifecycle.Split(open, tc.closing)
			if diff := cmp.Diff(tc.wantClosed, lifecycle.Texts(closed)); diff != "" {
				t.Errorf("closed (-want +got):\n%s", diff)
			}
			if len(closed)+len(still) != len(open) {
				t.Errorf("%d closed + %d still open, want %d in all", len(closed), len(still), len(open))
			}
		})
	}
	if event(t, "ec2-replaceroutetableassociation-constructed").ClosesExposure {
		t.Error("ReplaceRouteTableAssociation is a candidate close: give it a case that closes what it closes")
	}
	for _, e := range finding.Catalog() {
		if (e.Effect == finding.EffectCloses || e.Effect == finding.EffectVaries) && !covered[e.EventName] {
			t.Errorf("%s %s can close exposure and has no case here", e.EventSource, e.EventName)
		}
	}
}

// parse returns the finding of a CloudTrail record of event name from
// source with request params, as parse makes it.
func parse(t *testing.T, source, name, params string) *finding.Finding {
	t.Helper()
	record := `{"eventVersion":"1.08","userIdentity":{"type":"IAMUser","arn":"arn:aws:iam::123456789012:user/fixer","accountId":"123456789012"},` +
		`"eventTime":"2025-11-23T09:30:00Z","eventSource":"` + source + `","eventName":"` + name + `","awsRegion":"eu-west-1",` +
		`"sourceIPAddress":"203.0.113.7","requestParameters":` + params + `,"responseElements":null,"eventID":"close-1",` +
		`"eventType":"AwsApiCall","recipientAccountId":"123456789012"}`
	f, err := finding.Parse([]byte(record))
	if err != nil {
		t.Fatal(err)
	}
	return f
}
