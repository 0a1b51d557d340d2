package lifecycle

import (
	"regexp"
	"strings"
)

// surface is what a call judged by its request touches: the facet of the
// resources it names, or, for a deletion, all of them.
type surface struct {
	facet Facet
	// deletes: the call removes the resources it names, so every line
	// about them (and every line through them, for a security group)
	// closes, whatever the live state says (a terminated instance is still
	// described for an hour).
	deletes bool
}

// surfaces are the calls judged by their requests, by event source and
// name (Lambda names without their API-version suffix): those whose
// resources enrich does not look up or gives no verdict (routes, network
// ACLs, gateways, the account's public access block), those whose live
// verdict may be missing (a database, bucket, function or share enrich
// could not judge), and the deletions. A closing call missing here closes
// only what the live state of its resources shows gone; adding one is a
// line here and a case in surface_test.go.
var surfaces = map[string]surface{
	"ec2.amazonaws.com ModifyImageAttribute":    {facet: FacetShare},
	"ec2.amazonaws.com ModifySnapshotAttribute": {facet: FacetShare},
	"ec2.amazonaws.com CreateRoute":             {facet: FacetRoute},
	"ec2.amazonaws.com ReplaceRoute":            {facet: FacetRoute},
	"ec2.amazonaws.com DeleteRoute":             {facet: FacetRoute},
	"ec2.amazonaws.com DeleteNetworkAclEntry":   {facet: FacetIngress},
	// ReplaceRouteTableAssociation moves a subnet to another table: it
	// removes no route (Requested.Removed is empty), so it closes none.
	"ec2.amazonaws.com ReplaceRouteTableAssociation": {facet: FacetRoute},
	"ec2.amazonaws.com CreateNetworkAclEntry":        {facet: FacetIngress},
	"ec2.amazonaws.com ReplaceNetworkAclEntry":       {facet: FacetIngress},
	"ec2.amazonaws.com AttachInternetGateway":        {facet: FacetGateway},
	"ec2.amazonaws.com DetachInternetGateway":        {facet: FacetGateway},
	"ec2.amazonaws.com TerminateInstances":           {deletes: true},
	"ec2.amazonaws.com DeleteSecurityGroup":          {deletes: true},
	"ec2.amazonaws.com ReleaseAddress":               {deletes: true},
	"ec2.amazonaws.com DeleteNetworkInterface":       {deletes: true},
	"ec2.amazonaws.com DeregisterImage":              {deletes: true},
	"ec2.amazonaws.com DeleteSnapshot":               {deletes: true},
	"ec2.amazonaws.com DeleteRouteTable":             {deletes: true},
	"ec2.amazonaws.com DeleteNetworkAcl":             {deletes: true},
	"ec2.amazonaws.com DeleteInternetGateway":        {deletes: true},

	"elasticloadbalancing.amazonaws.com DeleteLoadBalancer": {deletes: true},

	"rds.amazonaws.com CreateDBInstance":                 {facet: FacetPubliclyAccessible},
	"rds.amazonaws.com ModifyDBInstance":                 {facet: FacetPubliclyAccessible},
	"rds.amazonaws.com RestoreDBInstanceFromDBSnapshot":  {facet: FacetPubliclyAccessible},
	"rds.amazonaws.com CreateDBCluster":                  {facet: FacetPubliclyAccessible},
	"rds.amazonaws.com ModifyDBCluster":                  {facet: FacetPubliclyAccessible},
	"rds.amazonaws.com ModifyDBSnapshotAttribute":        {facet: FacetShare},
	"rds.amazonaws.com ModifyDBClusterSnapshotAttribute": {facet: FacetShare},
	"rds.amazonaws.com DeleteDBInstance":                 {deletes: true},
	"rds.amazonaws.com DeleteDBSnapshot":                 {deletes: true},
	"rds.amazonaws.com DeleteDBClusterSnapshot":          {deletes: true},

	"redshift.amazonaws.com CreateCluster": {facet: FacetPubliclyAccessible},
	"redshift.amazonaws.com ModifyCluster": {facet: FacetPubliclyAccessible},
	"redshift.amazonaws.com DeleteCluster": {deletes: true},

	"s3.amazonaws.com PutBucketPolicy":                {facet: FacetBucketPolicy},
	"s3.amazonaws.com DeleteBucketPolicy":             {facet: FacetBucketPolicy},
	"s3.amazonaws.com PutBucketAcl":                   {facet: FacetBucketACL},
	"s3.amazonaws.com PutBucketPublicAccessBlock":     {facet: FacetPublicAccessBlock},
	"s3.amazonaws.com DeleteBucketPublicAccessBlock":  {facet: FacetPublicAccessBlock},
	"s3.amazonaws.com PutAccountPublicAccessBlock":    {facet: FacetPublicAccessBlock},
	"s3.amazonaws.com DeleteAccountPublicAccessBlock": {facet: FacetPublicAccessBlock},
	"s3.amazonaws.com DeleteBucket":                   {deletes: true},

	"lambda.amazonaws.com AddPermission":           {facet: FacetPermission},
	"lambda.amazonaws.com RemovePermission":        {facet: FacetPermission},
	"lambda.amazonaws.com CreateFunctionUrlConfig": {facet: FacetFunctionURL},
	"lambda.amazonaws.com UpdateFunctionUrlConfig": {facet: FacetFunctionURL},
	"lambda.amazonaws.com DeleteFunctionUrlConfig": {facet: FacetFunctionURL},
	"lambda.amazonaws.com DeleteFunction":          {deletes: true},
}

// apiVersion is the suffix Lambda's CloudTrail event names carry
// (AddPermission20150331v2, CreateFunctionUrlConfig20211031).
var apiVersion = regexp.MustCompile(`[0-9]{8}(v[0-9]+)?$`)

// surfaceOf returns the surface of an event, and whether it has one.
func surfaceOf(eventSource, eventName string) (surface, bool) {
	if strings.HasPrefix(eventSource, "lambda.") {
		eventName = apiVersion.ReplaceAllString(eventName, "")
	}
	s, ok := surfaces[eventSource+" "+eventName]
	return s, ok
}
