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

// redshiftPublicAdvice is what to do about a publicly accessible cluster.
const redshiftPublicAdvice = "Make the cluster not publicly accessible (modify it: publicly accessible no) unless clients outside the VPC must connect; check that its security groups admit port 5439 only from known sources."

// redshiftCatalog are the catalog entries parsed in this file.
var redshiftCatalog = []Entry{
	{EventSource: redshiftSource, EventName: "CreateCluster", Category: CategoryDatabase, Effect: EffectOpens,
		Description: "Creates a Redshift cluster; publicly accessible (as the response reports it, else as requested) opens it to the internet.",
		parse:       parseRedshiftCluster(false),
		Words: Words{
			Headline: []string{"Redshift cluster {target} created publicly accessible", "{target} created publicly accessible"},
			Advice:   redshiftPublicAdvice,
		}},
	{EventSource: redshiftSource, EventName: "ModifyCluster", Category: CategoryDatabase, Effect: EffectVaries,
		Description: "Modifies a Redshift cluster; publiclyAccessible true opens it to the internet, false closes it.",
		parse:       parseRedshiftCluster(true),
		Words: Words{
			Headline: []string{"Redshift cluster {target} made publicly accessible", "{target} made publicly accessible"},
			Advice:   redshiftPublicAdvice,
		},
		Closing: Words{
			Headline: []string{"Redshift cluster {target} no longer publicly accessible", "{target} no longer publicly accessible"},
			Advice:   "Nothing to do if intended: open alerts about the cluster are resolved.",
		}},
	{EventSource: redshiftSource, EventName: "DeleteCluster", Category: CategoryDatabase, Effect: EffectCloses,
		Description: "Deletes a Redshift cluster, closing whatever it exposed (a final snapshot, if taken, keeps its data).",
		parse:       parseDeletion("clusterIdentifier", TypeRedshiftCluster),
		Words: Words{
			Headline: []string{"Redshift cluster {target} deleted"},
			Advice:   "Nothing to do if expected: open alerts about the cluster are resolved. Its final snapshot, if kept, holds its data: check that it is not shared.",
		}},
}
