package finding

import "testing"

// TestRedshiftCluster uses the CloudTrail request shape of the Redshift
// management guide's "sample CreateCluster call" (fixture
// redshift-createcluster-public.json) and the Redshift API reference's
// ModifyCluster PubliclyAccessible parameter; no real ModifyCluster record
// with it was found.
func TestRedshiftCluster(t *testing.T) {
	const fixture = "redshift-createcluster-public.json"
	tests := []struct {
		name, event, params, resp string
		opens, closes             bool
	}{
		{"create, private in request and response", "CreateCluster", `{"clusterIdentifier":"c","publiclyAccessible":false}`, `{"clusterIdentifier":"c","publiclyAccessible":false}`, false, false},
		{"create, public only in response", "CreateCluster", `{"clusterIdentifier":"c"}`, `{"clusterIdentifier":"c","publiclyAccessible":true}`, true, false},
		{"modify to public", "ModifyCluster", `{"clusterIdentifier":"c","publiclyAccessible":true}`, "null", true, false},
		{"modify to private", "ModifyCluster", `{"clusterIdentifier":"c","publiclyAccessible":false}`, "null", false, true},
		{"modify something else", "ModifyCluster", `{"clusterIdentifier":"c","masterUserPassword":"****","encrypted":true}`, "null", false, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseEntry(t, entry(t, redshiftCatalog, tc.event), fixture, tc.params, tc.resp)
			if err != nil {
				t.Fatal(err)
			}
			if f.OpensExposure != tc.opens || f.Requested.PublicAccess != tc.opens || f.ClosesExposure != tc.closes {
				t.Errorf("opens=%v publicAccess=%v closes=%v, want opens %v closes %v", f.OpensExposure, f.Requested.PublicAccess, f.ClosesExposure, tc.opens, tc.closes)
			}
			if len(f.Resources) != 1 || f.Resources[0].Type != TypeRedshiftCluster || f.Resources[0].ID != "c" {
				t.Errorf("resources %v", f.Resources)
			}
		})
	}
	if _, err := parseEntry(t, entry(t, redshiftCatalog, "ModifyCluster"), fixture, `{"publiclyAccessible":true}`, "null"); err == nil {
		t.Error("a cluster without identifier parsed")
	}
}
