package main

import (
	"slices"
	"testing"

	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/permissions"
)

// TestPermissions: the calls the adapters can make are the ones IAM allows.
func TestPermissions(t *testing.T) {
	if diff := cmp.Diff(permissions.Operations("enrich", "ec2"), permissions.Methods((*EC2API)(nil))); diff != "" {
		t.Errorf("EC2API and permissions differ (-permissions +code):\n%s", diff)
	}
	elb := slices.Concat(permissions.Methods((*ELBV2API)(nil)), permissions.Methods((*ClassicELBAPI)(nil)))
	slices.Sort(elb)
	if diff := cmp.Diff(permissions.Operations("enrich", "elasticloadbalancing"), slices.Compact(elb)); diff != "" {
		t.Errorf("ELB clients and permissions differ (-permissions +code):\n%s", diff)
	}
	for _, c := range []struct {
		client string
		api    any
	}{
		{"rds", (*RDSAPI)(nil)}, {"redshift", (*RedshiftAPI)(nil)}, {"s3", (*S3API)(nil)}, {"s3control", (*S3ControlAPI)(nil)}, {"lambda", (*LambdaAPI)(nil)},
	} {
		if diff := cmp.Diff(permissions.Operations("enrich", c.client), permissions.Methods(c.api)); diff != "" {
			t.Errorf("%s client and permissions differ (-permissions +code):\n%s", c.client, diff)
		}
	}
	if diff := cmp.Diff(permissions.Operations("enrich", "sts"), permissions.Methods((*stscreds.AssumeRoleAPIClient)(nil))); diff != "" {
		t.Errorf("STS client and permissions differ (-permissions +code):\n%s", diff)
	}
}
