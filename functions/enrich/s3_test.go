package main

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// TestBucketRecordedResponses: the adapter maps what S3 and S3 Control
// really answer (booleans spelt TRUE and FALSE, as the S3 API reference
// shows them): a public policy status, the blocks, the ACL and the tags.
func TestBucketRecordedResponses(t *testing.T) {
	block := &finding.PublicAccessBlock{BlockPublicAcls: true}
	tests := []struct {
		name       string
		acl        string
		wantGrants []string
	}{
		{"an ACL granting AllUsers READ", "s3-get-bucket-acl-public.xml", []string{"AllUsers READ"}},
		{"the owner's ACL", "s3-get-bucket-acl.xml", nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			bucket := newRecorded(t, map[string]reply{
				"GetBucketPolicyStatus": {file: "s3-get-bucket-policy-status.xml"},
				"GetPublicAccessBlock":  {file: "s3-get-public-access-block.xml"},
				"GetBucketAcl":          {file: tc.acl},
				"GetBucketTagging":      {file: "s3-get-bucket-tagging.xml"},
			})
			// S3 Control answers the account's block in the same element as
			// S3 the bucket's (its API reference has no sample response).
			control := newRecorded(t, map[string]reply{"GetPublicAccessBlock": {file: "s3-get-public-access-block.xml"}})
			s := &S3{Client: s3.NewFromConfig(bucket.config()), Control: s3control.NewFromConfig(control.config())}
			access, tags, found, err := s.Bucket(background, "123456789012", "amzn-s3-demo-bucket")
			if err != nil || !found {
				t.Fatalf("found %v, error %v", found, err)
			}
			want := finding.BucketAccess{Bucket: "amzn-s3-demo-bucket", Account: "123456789012", PolicyPublic: true, PublicGrants: tc.wantGrants, Block: block, AccountBlock: block}
			if diff := cmp.Diff(want, access); diff != "" {
				t.Errorf("access (-want +got):\n%s", diff)
			}
			if diff := cmp.Diff(map[string]string{"Project": "Project One", "User": "jsmith"}, tags); diff != "" {
				t.Errorf("tags (-want +got):\n%s", diff)
			}
			if got := control.callsOf("GetPublicAccessBlock"); got != 1 {
				t.Errorf("S3 Control GetPublicAccessBlock called %d times, want 1", got)
			}
		})
	}
}
