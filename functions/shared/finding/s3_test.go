package finding

import (
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPutBucketPolicy(t *testing.T) {
	const fixture = "s3-putbucketpolicy-public-vpce.json"
	e := entry(t, s3Catalog, "PutBucketPolicy")
	policy := func(stmt string) string {
		return `{"bucketName":"b","bucketPolicy":{"Version":"2012-10-17","Statement":` + stmt + `}}`
	}
	tests := []grantCase{
		{"principal star", policy(`[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*"}]`),
			[]string{"Principal * s3:GetObject on arn:aws:s3:::b/*"}},
		{"principal AWS star, single statement object", policy(`{"Effect":"Allow","Principal":{"AWS":"*"},"Action":["s3:GetObject","s3:ListBucket"],"Resource":["arn:aws:s3:::b","arn:aws:s3:::b/*"]}`),
			[]string{"Principal * s3:GetObject,s3:ListBucket on arn:aws:s3:::b,arn:aws:s3:::b/*"}},
		{"principal AWS list with star", policy(`[{"Effect":"Allow","Principal":{"AWS":["arn:aws:iam::111122223333:root","*"]},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]`),
			[]string{"Principal * s3:* on arn:aws:s3:::b/*"}},
		{"policy as a JSON string", `{"bucketName":"b","bucketPolicy":"{\"Statement\":[{\"Effect\":\"Allow\",\"Principal\":\"*\",\"Action\":\"s3:GetObject\",\"Resource\":\"arn:aws:s3:::b/*\"}]}"}`,
			[]string{"Principal * s3:GetObject on arn:aws:s3:::b/*"}},
		{"restricted to a VPC endpoint", policy(`[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:SourceVpce":"vpce-1"}}}]`), nil},
		{"restricted to an organization", policy(`[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEquals":{"aws:PrincipalOrgID":"o-1"}}}]`), nil},
		{"restricted to source IPs", policy(`[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"IpAddress":{"aws:SourceIp":"192.0.2.0/24"}}}]`), nil},
		{"restricted to a source ARN, ForAnyValue", policy(`[{"Effect":"Allow","Principal":"*","Action":"s3:PutObject","Resource":"arn:aws:s3:::b/*","Condition":{"ForAnyValue:ArnLike":{"aws:SourceArn":"arn:aws:cloudfront::1:distribution/x"}}}]`), nil},
		{"negated IP condition is still public", policy(`[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"NotIpAddress":{"aws:SourceIp":"192.0.2.1/32"}}}]`),
			[]string{"Principal * s3:GetObject on arn:aws:s3:::b/*"}},
		{"IfExists condition is still public", policy(`[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"StringEqualsIfExists":{"aws:SourceVpce":"vpce-1"}}}]`),
			[]string{"Principal * s3:GetObject on arn:aws:s3:::b/*"}},
		{"unrelated condition is still public", policy(`[{"Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*","Condition":{"Bool":{"aws:SecureTransport":"true"}}}]`),
			[]string{"Principal * s3:GetObject on arn:aws:s3:::b/*"}},
		{"deny", policy(`[{"Effect":"Deny","Principal":"*","Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]`), nil},
		{"named account", policy(`[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"s3:*","Resource":"arn:aws:s3:::b/*"}]`), nil},
	}
	checkGrants(t, e, fixture, true, tests)
	if _, err := parseEntry(t, e, fixture, `{"bucketName":"b","bucketPolicy":"not json"}`, ""); err == nil {
		t.Error("a policy string that is not JSON parsed")
	}
}

func TestPutBucketAcl(t *testing.T) {
	e := entry(t, s3Catalog, "PutBucketAcl")
	tests := []grantCase{
		{"canned public-read as array", `{"bucketName":"b","x-amz-acl":["public-read"]}`, []string{"AllUsers READ"}},
		{"canned public-read-write as string", `{"bucketName":"b","x-amz-acl":"public-read-write"}`, []string{"AllUsers READ", "AllUsers WRITE"}},
		{"canned authenticated-read", `{"bucketName":"b","x-amz-acl":["authenticated-read"]}`, []string{"AuthenticatedUsers READ"}},
		{"grant header", `{"bucketName":"b","x-amz-grant-read":["uri=\"http://acs.amazonaws.com/groups/global/AllUsers\""]}`, []string{"AllUsers READ"}},
		{"single grant object to AuthenticatedUsers", `{"bucketName":"b","AccessControlPolicy":{"AccessControlList":{"Grant":{"Grantee":{"xsi:type":"Group","URI":"http://acs.amazonaws.com/groups/global/AuthenticatedUsers"},"Permission":"WRITE"}}}}`,
			[]string{"AuthenticatedUsers WRITE"}},
		{"log delivery group is not public", `{"bucketName":"b","AccessControlPolicy":{"AccessControlList":{"Grant":[{"Grantee":{"URI":"http://acs.amazonaws.com/groups/s3/LogDelivery"},"Permission":"WRITE"}]}}}`, nil},
		{"canned private", `{"bucketName":"b","x-amz-acl":["private"]}`, nil},
	}
	checkGrants(t, e, "s3-putbucketacl-allusers-read.json", false, tests)
}

// TestPublicAccessBlock covers the bucket block and the account-level and
// delete entries from requests shaped like the fixtures: the account-level
// calls name their account in requestParameters.host (the s3control
// endpoint), and accountId is read too in case CloudTrail records it.
func TestPublicAccessBlock(t *testing.T) {
	const fixture = "s3-putbucketpublicaccessblock-all-true.json"
	tests := []struct {
		name    string
		e       Entry
		params  string
		res     Resource
		grants  []string
		opens   bool
		closes  bool
		wantErr bool
	}{
		{name: "bucket, one flag off", e: entry(t, s3Catalog, "PutBucketPublicAccessBlock"),
			params: `{"bucketName":"b","PublicAccessBlockConfiguration":{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":false}}`,
			res:    Resource{Type: TypeBucket, ID: "b"}, grants: []string{"RestrictPublicBuckets=false"}, opens: true},
		{name: "bucket, flag absent counts as off", e: entry(t, s3Catalog, "PutBucketPublicAccessBlock"),
			params: `{"bucketName":"b","PublicAccessBlockConfiguration":{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true}}`,
			res:    Resource{Type: TypeBucket, ID: "b"}, grants: []string{"RestrictPublicBuckets=false"}, opens: true},
		{name: "bucket, no configuration", e: entry(t, s3Catalog, "PutBucketPublicAccessBlock"),
			params: `{"bucketName":"b"}`, wantErr: true},
		{name: "account, all on", e: entry(t, s3PublicAccessBlockCatalog, "PutAccountPublicAccessBlock"),
			params: `{"accountId":"123456789012","PublicAccessBlockConfiguration":{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true}}`,
			res:    Resource{Type: TypeAccount, ID: "123456789012"}, closes: true},
		{name: "account, all off", e: entry(t, s3PublicAccessBlockCatalog, "PutAccountPublicAccessBlock"),
			params: `{"accountId":"123456789012","PublicAccessBlockConfiguration":{"BlockPublicAcls":false,"IgnorePublicAcls":false,"BlockPublicPolicy":false,"RestrictPublicBuckets":false}}`,
			res:    Resource{Type: TypeAccount, ID: "123456789012"},
			grants: []string{"BlockPublicAcls=false", "IgnorePublicAcls=false", "BlockPublicPolicy=false", "RestrictPublicBuckets=false"}, opens: true},
		{name: "bucket delete", e: entry(t, s3PublicAccessBlockCatalog, "DeleteBucketPublicAccessBlock"),
			params: `{"bucketName":"b","publicAccessBlock":""}`,
			res:    Resource{Type: TypeBucket, ID: "b"}, grants: []string{"public access block removed"}, opens: true},
		{name: "bucket delete without bucket", e: entry(t, s3PublicAccessBlockCatalog, "DeleteBucketPublicAccessBlock"),
			params: `{"publicAccessBlock":""}`, wantErr: true},
		{name: "account delete", e: entry(t, s3PublicAccessBlockCatalog, "DeleteAccountPublicAccessBlock"),
			params: `{"accountId":"123456789012"}`,
			res:    Resource{Type: TypeAccount, ID: "123456789012"}, grants: []string{"public access block removed"}, opens: true},
		{name: "account delete, account from the s3control host", e: entry(t, s3PublicAccessBlockCatalog, "DeleteAccountPublicAccessBlock"),
			params: `{"host":["111122223333.s3-control.us-east-1.amazonaws.com"]}`,
			res:    Resource{Type: TypeAccount, ID: "111122223333"}, grants: []string{"public access block removed"}, opens: true},
		{name: "account put, other host falls back to the recipient", e: entry(t, s3PublicAccessBlockCatalog, "PutAccountPublicAccessBlock"),
			params: `{"host":"s3.amazonaws.com","PublicAccessBlockConfiguration":{"BlockPublicAcls":true,"IgnorePublicAcls":true,"BlockPublicPolicy":true,"RestrictPublicBuckets":true}}`,
			res:    Resource{Type: TypeAccount, ID: "123456789012"}, closes: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseEntry(t, tc.e, fixture, tc.params, "")
			if tc.wantErr {
				if err == nil {
					t.Fatal("parsed, want an error")
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff([]Resource{tc.res}, f.Resources); diff != "" {
				t.Errorf("resources (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(tc.grants, f.Requested.Grants); diff != "" {
				t.Errorf("grants (-want +got):\n%s", diff)
			}
			if f.OpensExposure != tc.opens || f.ClosesExposure != tc.closes || f.Requested.PublicAccess != tc.opens {
				t.Errorf("opens=%v closes=%v publicAccess=%v, want opens %v closes %v", f.OpensExposure, f.ClosesExposure, f.Requested.PublicAccess, tc.opens, tc.closes)
			}
			if tc.opens && f.Severity != SeverityHigh {
				t.Errorf("severity %s, want high", f.Severity)
			}
		})
	}
}
