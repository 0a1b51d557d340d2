package finding

import "cmp"

// database is how a request or a response describes a database's
// exposure: an RDS DB instance (dbInstance), a Redshift cluster
// (redshiftCluster).
type database interface {
	// identifier names the database; empty when the call does not.
	identifier() string
	// publiclyAccessible is nil when the call does not say.
	publiclyAccessible() *bool
}

// parsePubliclyAccessible reads a call that creates (modify false) or
// modifies a database of type D, a resource of type typ named by the
// response's identifier, else the request's (neither is a
// *MalformedEventError with reason missing).
//
// Create: the database is public when the response says so, else when the
// request asked for it. Modify: publiclyAccessible true in the request
// opens, false closes; absent, the call changes nothing trailwatch
// watches.
func parsePubliclyAccessible[D database](typ ResourceType, modify bool, missing string) func(*record, *Finding) error {
	return func(rec *record, f *Finding) error {
		var req, resp D
		if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
			return err
		}
		if err := decodeParams(rec.ResponseElements, &resp, "responseElements"); err != nil {
			return err
		}
		if err := addResource(f, Resource{Type: typ, ID: cmp.Or(resp.identifier(), req.identifier())}, missing); err != nil {
			return err
		}
		public := req.publiclyAccessible()
		if !modify && resp.publiclyAccessible() != nil {
			public = resp.publiclyAccessible()
		}
		setPubliclyAccessible(f, public, modify)
		return nil
	}
}

// setPubliclyAccessible records a database's publiclyAccessible flag:
// true opens; false closes when the call modifies an existing database;
// nil (not in the call) changes nothing.
func setPubliclyAccessible(f *Finding, public *bool, modify bool) {
	switch {
	case public == nil:
	case *public:
		f.Requested.PublicAccess = true
		f.OpensExposure = true
	case modify:
		f.ClosesExposure = true
	}
}
