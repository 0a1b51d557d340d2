package lifecycle_test

import (
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
	"github.com/trailwatch/trailwatch/functions/shared/lifecycle"
)

var update = flag.Bool("update", false, "rewrite testdata/exposure/*.golden from the current output")

// TestExposureGolden computes the exposure lines of real findings: every
// catalog fixture as parse makes it (judged by its request, not enriched),
// and the enriched findings of the alert package's goldens (judged by live
// facts), and compares them with testdata/exposure/<name>.golden, one
// line's text per line.
func TestExposureGolden(t *testing.T) {
	cases := map[string]*finding.Finding{}
	events, err := filepath.Glob("../finding/testdata/events/*.json")
	if err != nil || len(events) == 0 {
		t.Fatalf("no fixtures: %v", err)
	}
	for _, path := range events {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		f, err := finding.Parse(data)
		if err != nil {
			continue // unsupported or malformed fixtures are parse's tests
		}
		cases["event-"+strings.TrimSuffix(filepath.Base(path), ".json")] = f
	}
	enriched, _ := filepath.Glob("../alert/testdata/*.finding.json")
	for _, path := range enriched {
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var f finding.Finding
		if err := json.Unmarshal(data, &f); err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		cases["enriched-"+strings.TrimSuffix(filepath.Base(path), ".finding.json")] = &f
	}
	for name, f := range cases {
		t.Run(name, func(t *testing.T) {
			var b strings.Builder
			for _, l := range lifecycle.Exposure(f) {
				b.WriteString(l.Text + "\n")
			}
			got := b.String()
			golden := filepath.Join("testdata", "exposure", name+".golden")
			if *update {
				if err := os.WriteFile(golden, []byte(got), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test ./lifecycle -update to create it)", err)
			}
			if got != string(want) {
				t.Errorf("%s differs (run go test ./lifecycle -update and review the diff)\nwant:\n%s\ngot:\n%s", golden, want, got)
			}
		})
	}
}

// TestExposureOfLiveVerdicts: a database, bucket, function, image or
// snapshot enrich gave a verdict is exposed as the verdict says, not as
// the request says: a bucket policy made public under a public access
// block exposes nothing; a share exposes the grantees the request shared
// with that the resource is shared with now.
func TestExposureOfLiveVerdicts(t *testing.T) {
	const s3, rds, ec2 = "s3.amazonaws.com", "rds.amazonaws.com", "ec2.amazonaws.com"
	publicPolicy := finding.Requested{PublicAccess: true, Grants: []string{"Principal * s3:GetObject"}}
	tests := []struct {
		name string
		f    *finding.Finding
		want []string
	}{
		{"a public bucket", enriched(opening(s3, "PutBucketPolicy", publicPolicy, finding.Resource{Type: finding.TypeBucket, ID: "b"}), verdict(true)),
			[]string{"b is public"}},
		{"a public policy under the account's block", enriched(opening(s3, "PutBucketPolicy", publicPolicy, finding.Resource{Type: finding.TypeBucket, ID: "b"}), verdict(false)),
			nil},
		{"the bucket not looked up: its request", opening(s3, "PutBucketPolicy", publicPolicy, finding.Resource{Type: finding.TypeBucket, ID: "b"}),
			[]string{"b is public: Principal * s3:GetObject"}},
		{"a database with its endpoint", enriched(opening(rds, "ModifyDBInstance", finding.Requested{PublicAccess: true},
			finding.Resource{Type: finding.TypeDBInstance, ID: "db-1", Endpoint: "db-1.example.com:5432"}), verdict(true)),
			[]string{"db-1 is reachable from the internet at db-1.example.com:5432"}},
		{"a database in private subnets", enriched(opening(rds, "ModifyDBInstance", finding.Requested{PublicAccess: true},
			finding.Resource{Type: finding.TypeDBInstance, ID: "db-1"}), verdict(false)),
			nil},
		{"a share: the grantees the call added that stand", enriched(opening(ec2, "ModifySnapshotAttribute", finding.Requested{SharedWith: []string{"111122223333", "444455556666"}},
			finding.Resource{Type: finding.TypeSnapshot, ID: "snap-1"}), sharedWith("111122223333", "999988887777")),
			[]string{"snap-1 is shared with 111122223333"}},
		{"a share already removed", enriched(opening(ec2, "ModifyImageAttribute", finding.Requested{SharedWith: []string{"all"}},
			finding.Resource{Type: finding.TypeImage, ID: "ami-1"}), sharedWith()),
			nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if diff := cmp.Diff(tc.want, lifecycle.Texts(lifecycle.Exposure(tc.f))); diff != "" {
				t.Errorf("exposure (-want +got):\n%s", diff)
			}
		})
	}
}
