package main

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/redshift"
)

// TestDatabasesRecordedResponses: the RDS and Redshift adapters map what
// the APIs really answer: a DB instance, a publicly accessible Multi-AZ DB
// cluster and its subnet group, the restore attribute of a DB snapshot
// and of a DB cluster snapshot, a Redshift cluster and a cluster subnet
// group.
func TestDatabasesRecordedResponses(t *testing.T) {
	r := newRecorded(t, map[string]reply{
		"DescribeDBInstances":                 {file: "rds-describe-db-instances.xml"},
		"DescribeDBClusters":                  {file: "rds-describe-db-clusters.xml"},
		"DescribeDBSubnetGroups":              {file: "rds-describe-db-subnet-groups.xml"},
		"DescribeDBSnapshotAttributes":        {file: "rds-describe-db-snapshot-attributes.xml"},
		"DescribeDBClusterSnapshotAttributes": {file: "rds-describe-db-cluster-snapshot-attributes.xml"},
	})
	db := &RDS{Client: rds.NewFromConfig(r.config())}
	rs := newRecorded(t, map[string]reply{
		"DescribeClusters":            {file: "redshift-describe-clusters.xml"},
		"DescribeClusterSubnetGroups": {file: "redshift-describe-cluster-subnet-groups.xml"},
	})
	red := &Redshift{Client: redshift.NewFromConfig(rs.config())}
	yes := true
	tests := []recordedCase{
		// An instance of 2011, before VPCs: no VPC groups, no subnet group,
		// publicly accessible unsaid.
		{"DescribeDBInstances", func() (any, error) { return db.DBInstances(background, []string{"simcoprod01"}, nil) }, []Database{
			{ID: "simcoprod01", Address: "simcoprod01.cu7u2t4uz396.us-east-1.rds.amazonaws.com", Port: 3306},
		}},
		{"DescribeDBClusters and DescribeDBSubnetGroups", func() (any, error) { return db.DBClusters(background, []string{"my-multi-az-cluster"}) }, []Database{
			{ID: "my-multi-az-cluster", PubliclyAccessible: &yes, Address: "my-multi-az-cluster.cluster-123456789012.us-west-2.rds.amazonaws.com", Port: 3306,
				SecurityGroups: []string{"sg-6921cc28"}, VPCID: "990524496922", Subnets: []string{"subnet-7c5b4115", "subnet-7b5b4112", "subnet-3ea6bd57"}},
		}},
		{"DescribeDBSnapshotAttributes", func() (any, error) { return sharesOf(db.DBSnapshotShares(background, "manual-snapshot1")) }, shares{[]string{"012345678901"}, true}},
		{"DescribeDBClusterSnapshotAttributes", func() (any, error) {
			return sharesOf(db.DBClusterSnapshotShares(background, "manual-cluster-snapshot1"))
		}, shares{[]string{"012345678901"}, true}},
		// A cluster being created: publicly accessible, no endpoint yet, no
		// subnet group named.
		{"DescribeClusters", func() (any, error) { return red.RedshiftClusters(background, []string{"examplecluster"}) }, []Database{
			{ID: "examplecluster", PubliclyAccessible: &yes},
		}},
		{"DescribeClusterSubnetGroups", func() (any, error) {
			d := Database{ID: "examplecluster"}
			err := red.subnetGroup(background, "my-subnet-group", &d)
			return d, err
		}, Database{ID: "examplecluster", VPCID: "vpc-5d917a30", Subnets: []string{"subnet-71c5091c", "subnet-78de1215"}}},
	}
	runRecorded(t, tests)
	if got := r.callsOf("DescribeDBSubnetGroups"); got != 1 {
		t.Errorf("DescribeDBSubnetGroups called %d times, want 1 (the cluster's group)", got)
	}
}
