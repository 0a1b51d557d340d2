package finding

import "cmp"

// dbInstance is the part of an RDS DB instance, as a request or a response
// describes it, that tells exposure: CreateDBInstance, the restores and
// ModifyDBInstance. RDS picks publiclyAccessible's default (public in a
// default VPC), and a restore can be public only in its response; a
// modification applies it immediately whatever applyImmediately says.
type dbInstance struct {
	DBInstanceIdentifier       string `json:"dBInstanceIdentifier"`
	TargetDBInstanceIdentifier string `json:"targetDBInstanceIdentifier"`
	PubliclyAccessible         *bool  `json:"publiclyAccessible"`
}

// identifier is the restored instance's (targetDBInstanceIdentifier, a
// point-in-time restore's request), else dBInstanceIdentifier.
func (d dbInstance) identifier() string {
	return cmp.Or(d.TargetDBInstanceIdentifier, d.DBInstanceIdentifier)
}

func (d dbInstance) publiclyAccessible() *bool { return d.PubliclyAccessible }

// dbCluster is the part of an RDS DB cluster, as CreateDBCluster and
// ModifyDBCluster requests and responses describe it, that tells exposure.
// publiclyAccessible applies to Multi-AZ DB clusters; an Aurora cluster's
// instances carry their own (enrich reads them).
type dbCluster struct {
	DBClusterIdentifier string `json:"dBClusterIdentifier"`
	PubliclyAccessible  *bool  `json:"publiclyAccessible"`
}

func (c dbCluster) identifier() string        { return c.DBClusterIdentifier }
func (c dbCluster) publiclyAccessible() *bool { return c.PubliclyAccessible }

// parseDBCluster reads CreateDBCluster (modify false) and ModifyDBCluster
// (see parsePubliclyAccessible).
func parseDBCluster(modify bool) func(*record, *Finding) error {
	return parsePubliclyAccessible[dbCluster](TypeDBCluster, modify, "no dBClusterIdentifier")
}

// parseDBInstance reads CreateDBInstance and the restores (modify false)
// and ModifyDBInstance (see parsePubliclyAccessible).
func parseDBInstance(modify bool) func(*record, *Finding) error {
	return parsePubliclyAccessible[dbInstance](TypeDBInstance, modify, "no dBInstanceIdentifier")
}

// parseModifySnapshotAttribute reads ModifyDBSnapshotAttribute and
// ModifyDBClusterSnapshotAttribute. Only the "restore" attribute shares:
// valuesToAdd "all" makes the snapshot public, account ids share it with
// those accounts; valuesToRemove takes access away.
func parseModifySnapshotAttribute(typ ResourceType) func(*record, *Finding) error {
	return func(rec *record, f *Finding) error {
		var req struct {
			AttributeName               string   `json:"attributeName"`
			DBSnapshotIdentifier        string   `json:"dBSnapshotIdentifier"`
			DBClusterSnapshotIdentifier string   `json:"dBClusterSnapshotIdentifier"`
			ValuesToAdd                 []string `json:"valuesToAdd"`
			ValuesToRemove              []string `json:"valuesToRemove"`
		}
		if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
			return err
		}
		id := cmp.Or(req.DBSnapshotIdentifier, req.DBClusterSnapshotIdentifier)
		if err := addResource(f, Resource{Type: typ, ID: id}, "requestParameters names no snapshot"); err != nil {
			return err
		}
		if req.AttributeName != "restore" {
			return nil
		}
		for _, v := range req.ValuesToAdd {
			if v == "all" {
				f.Requested.PublicAccess = true
			}
			f.Requested.SharedWith = appendUnique(f.Requested.SharedWith, v)
		}
		for _, v := range req.ValuesToRemove {
			f.Requested.Unshared = appendUnique(f.Requested.Unshared, v)
		}
		f.OpensExposure = len(f.Requested.SharedWith) > 0
		f.ClosesExposure = len(f.Requested.Unshared) > 0
		return nil
	}
}

// rdsSource is the eventSource of RDS events.
const rdsSource = "rds.amazonaws.com"

// dbClusterPublicAdvice is what to do about a publicly accessible DB
// cluster.
const dbClusterPublicAdvice = "Make it not publicly accessible (modify the DB cluster: publicly accessible no) unless clients outside the VPC must connect; check that its security groups admit the database port only from known sources."

// dbPublicAdvice is what to do about a publicly accessible DB instance.
const dbPublicAdvice = "Make it not publicly accessible (modify the DB instance: publicly accessible no) unless clients outside the VPC must connect; check that its security groups admit the database port only from known sources."

// dbSnapshotWords are the words of a DB snapshot, or DB cluster snapshot
// (kind), shared and unshared.
func dbSnapshotWords(kind string) (shared, unshared Words) {
	return Words{
			Headline: []string{kind + " {target} shared with {shared}", "{target} shared with {shared}"},
			Advice:   "Anyone it is shared with can restore it and read the data: remove the account, or \"all\", from the snapshot's restore attribute unless the share is intended and the data may leave the account.",
		}, Words{
			Headline: []string{kind + " {target} no longer shared with {unshared}", "{target} no longer shared with {unshared}"},
			Advice:   "Nothing to do if intended; copies or restores those accounts already made remain theirs.",
		}
}

var (
	dbSnapshotShared, dbSnapshotUnshared               = dbSnapshotWords("DB snapshot")
	dbClusterSnapshotShared, dbClusterSnapshotUnshared = dbSnapshotWords("DB cluster snapshot")
)

// rdsCatalog are the catalog entries parsed in this file.
var rdsCatalog = []Entry{
	{EventSource: rdsSource, EventName: "CreateDBInstance", Category: CategoryDatabase, Effect: EffectOpens,
		Description: "Creates a DB instance; publicly accessible (as the response reports it, else as requested) opens it to the internet.",
		parse:       parseDBInstance(false),
		Words: Words{
			Headline: []string{"DB instance {target} created publicly accessible", "{target} created publicly accessible"},
			Advice:   dbPublicAdvice,
		}},
	{EventSource: rdsSource, EventName: "RestoreDBInstanceFromDBSnapshot", Category: CategoryDatabase, Effect: EffectOpens,
		Description: "Restores a DB instance from a snapshot; publicly accessible in the response (the restore's default) or the request opens it to the internet.",
		parse:       parseDBInstance(false),
		Words: Words{
			Headline: []string{"DB instance {target} restored publicly accessible", "{target} restored publicly accessible"},
			Advice:   dbPublicAdvice,
		}},
	{EventSource: rdsSource, EventName: "ModifyDBInstance", Category: CategoryDatabase, Effect: EffectVaries,
		Description: "Modifies a DB instance; publiclyAccessible true opens it to the internet, false closes it.",
		parse:       parseDBInstance(true),
		Words: Words{
			Headline: []string{"DB instance {target} made publicly accessible", "{target} made publicly accessible"},
			Advice:   dbPublicAdvice,
		},
		Closing: Words{
			Headline: []string{"DB instance {target} no longer publicly accessible", "{target} no longer publicly accessible"},
			Advice:   "Nothing to do if intended: the instance has no public address any more, and open alerts about it are resolved.",
		}},
	{EventSource: rdsSource, EventName: "CreateDBCluster", Category: CategoryDatabase, Effect: EffectOpens,
		Description: "Creates an Aurora or Multi-AZ DB cluster; publicly accessible (as the response reports it, else as requested) opens it to the internet.",
		parse:       parseDBCluster(false),
		Words: Words{
			Headline: []string{"DB cluster {target} created publicly accessible", "{target} created publicly accessible"},
			Advice:   dbClusterPublicAdvice,
		}},
	{EventSource: rdsSource, EventName: "ModifyDBCluster", Category: CategoryDatabase, Effect: EffectVaries,
		Description: "Modifies a DB cluster; publiclyAccessible true opens it to the internet, false closes it.",
		parse:       parseDBCluster(true),
		Words: Words{
			Headline: []string{"DB cluster {target} made publicly accessible", "{target} made publicly accessible"},
			Advice:   dbClusterPublicAdvice,
		},
		Closing: Words{
			Headline: []string{"DB cluster {target} no longer publicly accessible", "{target} no longer publicly accessible"},
			Advice:   "Nothing to do if intended: the cluster has no public address any more, and open alerts about it are resolved.",
		}},
	{EventSource: rdsSource, EventName: "ModifyDBSnapshotAttribute", Category: CategorySharing, Effect: EffectVaries,
		Description: "Shares a DB snapshot (attribute restore): \"all\" makes it public, account ids share it with those accounts; removed values unshare.",
		parse:       parseModifySnapshotAttribute(TypeDBSnapshot),
		Words:       dbSnapshotShared, Closing: dbSnapshotUnshared},
	{EventSource: rdsSource, EventName: "ModifyDBClusterSnapshotAttribute", Category: CategorySharing, Effect: EffectVaries,
		Description: "Shares a DB cluster snapshot (attribute restore): \"all\" makes it public, account ids share it with those accounts; removed values unshare.",
		parse:       parseModifySnapshotAttribute(TypeDBClusterSnap),
		Words:       dbClusterSnapshotShared, Closing: dbClusterSnapshotUnshared},
	{EventSource: rdsSource, EventName: "DeleteDBInstance", Category: CategoryDatabase, Effect: EffectCloses,
		Description: "Deletes a DB instance, closing whatever it exposed (a final snapshot, if taken, keeps its data).",
		parse:       parseDeletion("dBInstanceIdentifier", TypeDBInstance),
		Words: Words{
			Headline: []string{"DB instance {target} deleted", "{target} deleted"},
			Advice:   "Nothing to do if expected: open alerts about the instance are resolved. Its final snapshot and automated backups, if kept, hold its data: check that none is shared.",
		}},
	{EventSource: rdsSource, EventName: "DeleteDBSnapshot", Category: CategorySharing, Effect: EffectCloses,
		Description: "Deletes a DB snapshot, closing any share of it.",
		parse:       parseDeletion("dBSnapshotIdentifier", TypeDBSnapshot),
		Words: Words{
			Headline: []string{"DB snapshot {target} deleted"},
			Advice:   "Nothing to do if expected: open alerts about sharing the snapshot are resolved.",
		}},
}
