package main

import (
	"cmp"
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/redshift"
	"github.com/aws/aws-sdk-go-v2/service/redshift/types"
)

// RedshiftAPI is the part of the Redshift client the adapter uses.
type RedshiftAPI interface {
	redshift.DescribeClustersAPIClient
	redshift.DescribeClusterSubnetGroupsAPIClient
}

// Redshift implements the Redshift part of DatabaseLookups. DescribeClusters
// fails on an identifier that names nothing (ClusterNotFound), so each
// cluster is looked up on its own and one that is not found is absent.
type Redshift struct {
	Client RedshiftAPI
}

// RedshiftClusters describes the clusters with the given identifiers and,
// with one more call each, their subnet groups.
func (r *Redshift) RedshiftClusters(ctx context.Context, ids []string) ([]Database, error) {
	var out []Database
	for _, id := range ids {
		resp, err := r.Client.DescribeClusters(ctx, &redshift.DescribeClustersInput{ClusterIdentifier: aws.String(id)})
		if isCode(err, "ClusterNotFound") {
			continue
		}
		if err != nil {
			return nil, err
		}
		for _, c := range resp.Clusters {
			db := Database{ID: aws.ToString(c.ClusterIdentifier), PubliclyAccessible: c.PubliclyAccessible, VPCID: aws.ToString(c.VpcId)}
			if c.Endpoint != nil {
				db.Address, db.Port = aws.ToString(c.Endpoint.Address), int(aws.ToInt32(c.Endpoint.Port))
			}
			for _, g := range c.VpcSecurityGroups {
				db.SecurityGroups = append(db.SecurityGroups, aws.ToString(g.VpcSecurityGroupId))
			}
			db.Tags = tagMap(c.Tags, func(t types.Tag) (*string, *string) { return t.Key, t.Value })
			if name := aws.ToString(c.ClusterSubnetGroupName); name != "" {
				if err := r.subnetGroup(ctx, name, &db); err != nil {
					return nil, err
				}
			}
			out = append(out, db)
		}
	}
	return out, nil
}

func (r *Redshift) subnetGroup(ctx context.Context, name string, db *Database) error {
	p := redshift.NewDescribeClusterSubnetGroupsPaginator(r.Client, &redshift.DescribeClusterSubnetGroupsInput{ClusterSubnetGroupName: aws.String(name)})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if isCode(err, "ClusterSubnetGroupNotFoundFault") {
			return nil
		}
		if err != nil {
			return err
		}
		for _, g := range page.ClusterSubnetGroups {
			db.VPCID = cmp.Or(db.VPCID, aws.ToString(g.VpcId))
			db.Subnets = nil
			for _, s := range g.Subnets {
				db.Subnets = append(db.Subnets, aws.ToString(s.SubnetIdentifier))
			}
		}
	}
	return nil
}
