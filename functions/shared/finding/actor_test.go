package finding_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// TestActors reads the identity of real records of every identity type.
// Records of calls outside the catalog are made a catalog call
// (AllocateAddress) with their identity, source IP, user agent and VPC
// endpoint kept, so that every identity shape goes through Parse.
func TestActors(t *testing.T) {
	tests := []struct {
		file string
		want finding.Actor
	}{
		{"identity-root-ec2-terminateinstances.json", finding.Actor{Type: "Root"}},
		{"ec2-allocateaddress.json", finding.Actor{Type: "IAMUser"}},
		{"s3-putobject.json", finding.Actor{Type: "AssumedRole"}},
		{"identity-federateduser-sts-getcalleridentity.json", finding.Actor{Type: "FederatedUser"}},
		{"identity-awsservice-sts-assumerole.json", finding.Actor{Type: "AWSService"}},
		{"identity-awsaccount-sts-assumerole.json", finding.Actor{Type: "AWSAccount"}},
		{"identity-identitycenteruser-quicksight-invokeaction.json", finding.Actor{Type: "IdentityCenterUser"}},
		{"s3-putbucketpolicy-public-vpce.json", finding.Actor{Type: "IAMUser"}},
	}
	for _, tc := range tests {
		t.Run(tc.file, func(t *testing.T) {
			data, err := os.ReadFile(filepath.Join("testdata", "events", tc.file))
			if err != nil {
				t.Fatal(err)
			}
			var rec map[string]any
			if err := json.Unmarshal(data, &rec); err != nil {
				t.Fatal(err)
			}
			if d, ok := rec["detail"].(map[string]any); ok {
				rec = d
			}
			want := identity(rec)
			rec["eventSource"], rec["eventName"] = "ec2.amazonaws.com", "AllocateAddress"
			rec["requestParameters"] = map[string]any{"domain": "vpc"}
			rec["responseElements"] = map[string]any{"publicIp": "198.51.100.7", "allocationId": "eipalloc-1"}
			delete(rec, "errorCode")
			for k, v := range map[string]any{"eventID": "e-1", "eventTime": "2024-01-01T00:00:00Z", "awsRegion": "us-east-1", "recipientAccountId": "123456789012"} {
				if _, ok := rec[k]; !ok {
					rec[k] = v
				}
			}
			b, _ := json.Marshal(rec)
			f, err := finding.Parse(b)
			if err != nil {
				t.Fatal(err)
			}
			if f.Actor.Type != tc.want.Type {
				t.Errorf("type %q, want %q", f.Actor.Type, tc.want.Type)
			}
			if diff := cmp.Diff(want, f.Actor); diff != "" {
				t.Errorf("actor (-record +parsed):\n%s", diff)
			}
			if f.Actor.Name() == "" {
				t.Error("actor has no name")
			}
		})
	}
}

// identity is what the record itself says of its actor, read independently
// of the parser.
func identity(rec map[string]any) finding.Actor {
	s := func(m map[string]any, k string) string { v, _ := m[k].(string); return v }
	u, _ := rec["userIdentity"].(map[string]any)
	a := finding.Actor{
		Type: s(u, "type"), ARN: s(u, "arn"), AccountID: s(u, "accountId"), PrincipalID: s(u, "principalId"),
		UserName: s(u, "userName"), InvokedBy: s(u, "invokedBy"),
		SourceIP: s(rec, "sourceIPAddress"), UserAgent: s(rec, "userAgent"), VPCEndpointID: s(rec, "vpcEndpointId"),
	}
	if sc, ok := u["sessionContext"].(map[string]any); ok {
		if is, ok := sc["sessionIssuer"].(map[string]any); ok {
			a.SessionIssuer = s(is, "arn")
			if a.UserName == "" {
				a.UserName = s(is, "userName")
			}
		}
	}
	if a.UserName == "" {
		if ob, ok := u["onBehalfOf"].(map[string]any); ok {
			a.UserName = s(ob, "userId")
		}
	}
	return a
}
