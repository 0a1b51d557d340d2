package finding

import "cmp"

// parseRedshiftCluster reads CreateCluster and ModifyCluster.
//
// Create: the cluster is public when the response says so, else when the
// request asked for it. Modify: publiclyAccessible true in the request
// opens, false closes; absent, the call changes nothing trailwatch watches.
// The request shape is the Redshift API's (CreateCluster/ModifyCluster
// PubliclyAccessible), as CloudTrail records it in the Redshift management
// guide's "sample CreateCluster call".
func parseRedshiftCluster(modify bool) func(*record, *Finding) error {
	return func(rec *record, f *Finding) error {
		type cluster struct {
			ClusterIdentifier  string `json:"clusterIdentifier"`
			PubliclyAccessible *bool  `json:"publiclyAccessible"`
		}
		var req, resp cluster
		if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
			return err
		}
		if err := decodeParams(rec.ResponseElements, &resp, "responseElements"); err != nil {
			return err
		}
		id := cmp.Or(resp.ClusterIdentifier, req.ClusterIdentifier)
		if id == "" {
			return &MalformedEventError{Reason: "no clusterIdentifier"}
		}
		f.Resources = append(f.Resources, Resource{Type: TypeRedshiftCluster, ID: id})
		public := req.PubliclyAccessible
		if !modify && resp.PubliclyAccessible != nil {
			public = resp.PubliclyAccessible
		}
		setPubliclyAccessible(f, public, modify)
		return nil
	}
}

// redshiftCatalog are the catalog entries parsed in this file.
var redshiftCatalog = []Entry{
	{EventSource: "redshift.amazonaws.com", EventName: "CreateCluster", Category: CategoryDatabase, Effect: EffectOpens,
		Description: "Creates a Redshift cluster; publicly accessible (as the response reports it, else as requested) opens it to the internet.",
		parse:       parseRedshiftCluster(false)},
	{EventSource: "redshift.amazonaws.com", EventName: "ModifyCluster", Category: CategoryDatabase, Effect: EffectVaries,
		Description: "Modifies a Redshift cluster; publiclyAccessible true opens it to the internet, false closes it.",
		parse:       parseRedshiftCluster(true)},
}
