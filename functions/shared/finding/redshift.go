package finding

// redshiftCluster is the part of a Redshift cluster, as CreateCluster and
// ModifyCluster requests and responses describe it, that tells exposure.
// The shape is the Redshift API's (PubliclyAccessible), as CloudTrail
// records it in the Redshift management guide's "sample CreateCluster
// call".
type redshiftCluster struct {
	ClusterIdentifier  string `json:"clusterIdentifier"`
	PubliclyAccessible *bool  `json:"publiclyAccessible"`
}

func (c redshiftCluster) identifier() string        { return c.ClusterIdentifier }
func (c redshiftCluster) publiclyAccessible() *bool { return c.PubliclyAccessible }

// parseRedshiftCluster reads CreateCluster (modify false) and
// ModifyCluster (see parsePubliclyAccessible).
func parseRedshiftCluster(modify bool) func(*record, *Finding) error {
	return parsePubliclyAccessible[redshiftCluster](TypeRedshiftCluster, modify, "no clusterIdentifier")
}

// redshiftSource is the eventSource of Redshift events.
const redshiftSource = "redshift.amazonaws.com"

// redshiftCatalog are the catalog entries parsed in this file.
var redshiftCatalog = []Entry{
	{EventSource: redshiftSource, EventName: "CreateCluster", Category: CategoryDatabase, Effect: EffectOpens,
		Description: "Creates a Redshift cluster; publicly accessible (as the response reports it, else as requested) opens it to the internet.",
		parse:       parseRedshiftCluster(false)},
	{EventSource: redshiftSource, EventName: "ModifyCluster", Category: CategoryDatabase, Effect: EffectVaries,
		Description: "Modifies a Redshift cluster; publiclyAccessible true opens it to the internet, false closes it.",
		parse:       parseRedshiftCluster(true)},
}
