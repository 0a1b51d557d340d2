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

// rdsCatalog are the catalog entries parsed in this file.
var rdsCatalog = []Entry{
	{EventSource: rdsSource, EventName: "CreateDBInstance", Category: CategoryDatabase, Effect: EffectOpens,
		Description: "Creates a DB instance; publicly accessible (as the response reports it, else as requested) opens it to the internet.",
		parse:       parseDBInstance(false)},
	{EventSource: rdsSource, EventName: "RestoreDBInstanceFromDBSnapshot", Category: CategoryDatabase, Effect: EffectOpens,
		Description: "Restores a DB instance from a snapshot; publicly accessible in the response (the restore's default) or the request opens it to the internet.",
		parse:       parseDBInstance(false)},
	{EventSource: rdsSource, EventName: "ModifyDBInstance", Category: CategoryDatabase, Effect: EffectVaries,
		Description: "Modifies a DB instance; publiclyAccessible true opens it to the internet, false closes it.",
		parse:       parseDBInstance(true)},
	{EventSource: rdsSource, EventName: "CreateDBCluster", Category: CategoryDatabase, Effect: EffectOpens,
		Description: "Creates an Aurora or Multi-AZ DB cluster; publicly accessible (as the response reports it, else as requested) opens it to the internet.",
		parse:       parseDBCluster(false)},
	{EventSource: rdsSource, EventName: "ModifyDBCluster", Category: CategoryDatabase, Effect: EffectVaries,
		Description: "Modifies a DB cluster; publiclyAccessible true opens it to the internet, false closes it.",
		parse:       parseDBCluster(true)},
	{EventSource: rdsSource, EventName: "ModifyDBSnapshotAttribute", Category: CategorySharing, Effect: EffectVaries,
		Description: "Shares a DB snapshot (attribute restore): \"all\" makes it public, account ids share it with those accounts; removed values unshare.",
		parse:       parseModifySnapshotAttribute(TypeDBSnapshot)},
	{EventSource: rdsSource, EventName: "ModifyDBClusterSnapshotAttribute", Category: CategorySharing, Effect: EffectVaries,
		Description: "Shares a DB cluster snapshot (attribute restore): \"all\" makes it public, account ids share it with those accounts; removed values unshare.",
		parse:       parseModifySnapshotAttribute(TypeDBClusterSnap)},
}
