package finding

import "cmp"

// dbInstance is the part of an RDS DB instance, as a request or a response
// describes it, that tells exposure.
type dbInstance struct {
	DBInstanceIdentifier       string `json:"dBInstanceIdentifier"`
	TargetDBInstanceIdentifier string `json:"targetDBInstanceIdentifier"`
	PubliclyAccessible         *bool  `json:"publiclyAccessible"`
}

// parseDBInstance reads CreateDBInstance, the restores and ModifyDBInstance.
//
// Create and restore: the instance is public when the response says so (RDS
// picks the default, public in a default VPC; a restore can be public only
// in its response), else when the request asked for it.
//
// Modify: publiclyAccessible true in the request opens, false closes (RDS
// applies it immediately whatever applyImmediately says); absent, the call
// changes nothing trailwatch watches.
func parseDBInstance(modify bool) func(*record, *Finding) error {
	return func(rec *record, f *Finding) error {
		var req, resp dbInstance
		if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
			return err
		}
		if err := decodeParams(rec.ResponseElements, &resp, "responseElements"); err != nil {
			return err
		}
		id := cmp.Or(resp.DBInstanceIdentifier, req.TargetDBInstanceIdentifier, req.DBInstanceIdentifier)
		if id == "" {
			return &MalformedEventError{Reason: "no dBInstanceIdentifier"}
		}
		f.Resources = append(f.Resources, Resource{Type: TypeDBInstance, ID: id})
		public := req.PubliclyAccessible
		if !modify && resp.PubliclyAccessible != nil {
			public = resp.PubliclyAccessible
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
		if id == "" {
			return &MalformedEventError{Reason: "requestParameters names no snapshot"}
		}
		f.Resources = append(f.Resources, Resource{Type: typ, ID: id})
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

// rdsCatalog are the catalog entries parsed in this file.
var rdsCatalog = []Entry{
	{EventSource: "rds.amazonaws.com", EventName: "CreateDBInstance", Category: CategoryDatabase, Effect: EffectOpens,
		Description: "Creates a DB instance; publicly accessible (as the response reports it, else as requested) opens it to the internet.",
		parse:       parseDBInstance(false)},
	{EventSource: "rds.amazonaws.com", EventName: "RestoreDBInstanceFromDBSnapshot", Category: CategoryDatabase, Effect: EffectOpens,
		Description: "Restores a DB instance from a snapshot; publicly accessible in the response (the restore's default) or the request opens it to the internet.",
		parse:       parseDBInstance(false)},
	{EventSource: "rds.amazonaws.com", EventName: "ModifyDBInstance", Category: CategoryDatabase, Effect: EffectVaries,
		Description: "Modifies a DB instance; publiclyAccessible true opens it to the internet, false closes it.",
		parse:       parseDBInstance(true)},
	{EventSource: "rds.amazonaws.com", EventName: "ModifyDBSnapshotAttribute", Category: CategorySharing, Effect: EffectVaries,
		Description: "Shares a DB snapshot (attribute restore): \"all\" makes it public, account ids share it with those accounts; removed values unshare.",
		parse:       parseModifySnapshotAttribute(TypeDBSnapshot)},
	{EventSource: "rds.amazonaws.com", EventName: "ModifyDBClusterSnapshotAttribute", Category: CategorySharing, Effect: EffectVaries,
		Description: "Shares a DB cluster snapshot (attribute restore): \"all\" makes it public, account ids share it with those accounts; removed values unshare.",
		parse:       parseModifySnapshotAttribute(TypeDBClusterSnap)},
}
