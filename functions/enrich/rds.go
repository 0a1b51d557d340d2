package main

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"
)

// RDSAPI is the part of the RDS client the adapter uses.
type RDSAPI interface {
	rds.DescribeDBInstancesAPIClient
	rds.DescribeDBClustersAPIClient
	rds.DescribeDBSubnetGroupsAPIClient
	DescribeDBSnapshotAttributes(ctx context.Context, in *rds.DescribeDBSnapshotAttributesInput, opts ...func(*rds.Options)) (*rds.DescribeDBSnapshotAttributesOutput, error)
	DescribeDBClusterSnapshotAttributes(ctx context.Context, in *rds.DescribeDBClusterSnapshotAttributesInput, opts ...func(*rds.Options)) (*rds.DescribeDBClusterSnapshotAttributesOutput, error)
}

// RDS implements the RDS part of DatabaseLookups. It looks databases up by
// filter (a lookup by identifier fails with DBInstanceNotFound), so one
// that does not exist is absent, and follows every page.
type RDS struct {
	Client RDSAPI
}

// maxRDSFilterValues is how many values RDS accepts in one filter.
const maxRDSFilterValues = 100

func rdsFilter(name string, values []string) []types.Filter {
	return []types.Filter{{Name: aws.String(name), Values: values}}
}

// DBInstances describes the DB instances with the given identifiers and
// the members of the given clusters.
func (r *RDS) DBInstances(ctx context.Context, ids, clusters []string) ([]Database, error) {
	var out []Database
	for _, q := range []filterValues{{"db-instance-id", ids}, {"db-cluster-id", clusters}} {
		for len(q.values) > 0 {
			n := min(len(q.values), maxRDSFilterValues)
			p := rds.NewDescribeDBInstancesPaginator(r.Client, &rds.DescribeDBInstancesInput{Filters: rdsFilter(q.name, q.values[:n])})
			for p.HasMorePages() {
				page, err := p.NextPage(ctx)
				if err != nil {
					return nil, err
				}
				for _, d := range page.DBInstances {
					out = append(out, dbInstance(d))
				}
			}
			q.values = q.values[n:]
		}
	}
	return out, nil
}

func dbInstance(d types.DBInstance) Database {
	db := Database{ID: aws.ToString(d.DBInstanceIdentifier), Cluster: aws.ToString(d.DBClusterIdentifier), PubliclyAccessible: d.PubliclyAccessible}
	if d.Endpoint != nil {
		db.Address, db.Port = aws.ToString(d.Endpoint.Address), int(aws.ToInt32(d.Endpoint.Port))
	}
	for _, g := range d.VpcSecurityGroups {
		db.SecurityGroups = append(db.SecurityGroups, aws.ToString(g.VpcSecurityGroupId))
	}
	if g := d.DBSubnetGroup; g != nil {
		db.VPCID = aws.ToString(g.VpcId)
		db.Subnets = subnetIDs(g.Subnets)
	}
	db.Tags = rdsTags(d.TagList)
	return db
}

// DBClusters describes the DB clusters with the given identifiers and,
// with one more call each, their subnet groups.
func (r *RDS) DBClusters(ctx context.Context, ids []string) ([]Database, error) {
	var out []Database
	groups := map[string][]int{} // subnet group -> indexes in out
	for len(ids) > 0 {
		n := min(len(ids), maxRDSFilterValues)
		p := rds.NewDescribeDBClustersPaginator(r.Client, &rds.DescribeDBClustersInput{Filters: rdsFilter("db-cluster-id", ids[:n])})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if err != nil {
				return nil, err
			}
			for _, c := range page.DBClusters {
				db := Database{ID: aws.ToString(c.DBClusterIdentifier), PubliclyAccessible: c.PubliclyAccessible,
					Address: aws.ToString(c.Endpoint), Port: int(aws.ToInt32(c.Port)), Tags: rdsTags(c.TagList)}
				for _, g := range c.VpcSecurityGroups {
					db.SecurityGroups = append(db.SecurityGroups, aws.ToString(g.VpcSecurityGroupId))
				}
				out = append(out, db)
				if g := aws.ToString(c.DBSubnetGroup); g != "" {
					groups[g] = append(groups[g], len(out)-1)
				}
			}
		}
		ids = ids[n:]
	}
	for name, idx := range groups {
		p := rds.NewDescribeDBSubnetGroupsPaginator(r.Client, &rds.DescribeDBSubnetGroupsInput{DBSubnetGroupName: aws.String(name)})
		for p.HasMorePages() {
			page, err := p.NextPage(ctx)
			if isCode(err, "DBSubnetGroupNotFoundFault") {
				break
			}
			if err != nil {
				return nil, err
			}
			for _, g := range page.DBSubnetGroups {
				for _, i := range idx {
					out[i].VPCID, out[i].Subnets = aws.ToString(g.VpcId), subnetIDs(g.Subnets)
				}
			}
		}
	}
	return out, nil
}

// restoreValues returns the values of the restore attribute among attrs,
// nameValues giving each attribute's name and values: the attribute that
// shares a DB snapshot or DB cluster snapshot, "all" or account ids.
func restoreValues[A any](attrs []A, nameValues func(A) (*string, []string)) []string {
	var out []string
	for _, a := range attrs {
		if name, values := nameValues(a); aws.ToString(name) == "restore" {
			out = append(out, values...)
		}
	}
	return out
}

// DBSnapshotShares describes a manual DB snapshot's restore attribute: who
// may copy or restore it now ("all", account ids). A snapshot that does not
// exist is not found.
func (r *RDS) DBSnapshotShares(ctx context.Context, id string) ([]string, bool, error) {
	out, err := r.Client.DescribeDBSnapshotAttributes(ctx, &rds.DescribeDBSnapshotAttributesInput{DBSnapshotIdentifier: aws.String(id)})
	if isCode(err, "DBSnapshotNotFound") {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var attrs []types.DBSnapshotAttribute
	if res := out.DBSnapshotAttributesResult; res != nil {
		attrs = res.DBSnapshotAttributes
	}
	return restoreValues(attrs, func(a types.DBSnapshotAttribute) (*string, []string) { return a.AttributeName, a.AttributeValues }), true, nil
}

// DBClusterSnapshotShares describes a manual DB cluster snapshot's restore
// attribute, as DBSnapshotShares does a DB snapshot's.
func (r *RDS) DBClusterSnapshotShares(ctx context.Context, id string) ([]string, bool, error) {
	out, err := r.Client.DescribeDBClusterSnapshotAttributes(ctx, &rds.DescribeDBClusterSnapshotAttributesInput{DBClusterSnapshotIdentifier: aws.String(id)})
	if isCode(err, "DBClusterSnapshotNotFoundFault") {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	var attrs []types.DBClusterSnapshotAttribute
	if res := out.DBClusterSnapshotAttributesResult; res != nil {
		attrs = res.DBClusterSnapshotAttributes
	}
	return restoreValues(attrs, func(a types.DBClusterSnapshotAttribute) (*string, []string) {
		return a.AttributeName, a.AttributeValues
	}), true, nil
}

func subnetIDs(subnets []types.Subnet) []string {
	var out []string
	for _, s := range subnets {
		out = append(out, aws.ToString(s.SubnetIdentifier))
	}
	return out
}

func rdsTags(ts []types.Tag) map[string]string {
	return tagMap(ts, func(t types.Tag) (*string, *string) { return t.Key, t.Value })
}
