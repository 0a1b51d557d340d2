package finding

import "testing"

func TestRDS(t *testing.T) {
	tests := []struct {
		name, event, fixture, params, resp string
		opens, closes, public              bool
		shared                             []string
	}{
		{name: "modify to private closes", event: "ModifyDBInstance", fixture: "rds-modifydbinstance-publiclyaccessible.json",
			params: `{"dBInstanceIdentifier":"db1","publiclyAccessible":false,"applyImmediately":true}`, resp: `{"dBInstanceIdentifier":"db1","publiclyAccessible":true}`, closes: true},
		{name: "modify something else", event: "ModifyDBInstance", fixture: "rds-modifydbinstance-publiclyaccessible.json",
			params: `{"dBInstanceIdentifier":"db1","allocatedStorage":40}`, resp: `{"dBInstanceIdentifier":"db1","publiclyAccessible":true}`},
		{name: "create private in response wins", event: "CreateDBInstance", fixture: "rds-createdbinstance.json",
			params: `{"dBInstanceIdentifier":"db1","publiclyAccessible":true}`, resp: `{"dBInstanceIdentifier":"db1","publiclyAccessible":false}`},
		{name: "restore public only in response", event: "RestoreDBInstanceFromDBSnapshot", fixture: "rds-restoredbinstancefromdbsnapshot.json",
			params: `{"dBInstanceIdentifier":"db1","dBSnapshotIdentifier":"s"}`, resp: `{"dBInstanceIdentifier":"db1","publiclyAccessible":true}`, opens: true, public: true},
		{name: "snapshot shared with all", event: "ModifyDBSnapshotAttribute", fixture: "rds-modifydbsnapshotattribute-add-account.json",
			params: `{"attributeName":"restore","dBSnapshotIdentifier":"s","valuesToAdd":["all"]}`, opens: true, public: true, shared: []string{"all"}},
		{name: "cluster snapshot shared with all", event: "ModifyDBClusterSnapshotAttribute", fixture: "rds-modifydbclustersnapshotattribute-add-account.json",
			params: `{"attributeName":"restore","dBClusterSnapshotIdentifier":"s","valuesToAdd":["all"]}`, opens: true, public: true, shared: []string{"all"}},
		{name: "other attribute", event: "ModifyDBSnapshotAttribute", fixture: "rds-modifydbsnapshotattribute-add-account.json",
			params: `{"attributeName":"something","dBSnapshotIdentifier":"s","valuesToAdd":["all"]}`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			f, err := parseEntry(t, entry(t, rdsCatalog, tc.event), tc.fixture, tc.params, tc.resp)
			if err != nil {
				t.Fatal(err)
			}
			if f.OpensExposure != tc.opens || f.ClosesExposure != tc.closes || f.Requested.PublicAccess != tc.public {
				t.Errorf("opens=%v closes=%v publicAccess=%v, want %v %v %v", f.OpensExposure, f.ClosesExposure, f.Requested.PublicAccess, tc.opens, tc.closes, tc.public)
			}
			if len(f.Requested.SharedWith) != len(tc.shared) || (len(tc.shared) > 0 && f.Requested.SharedWith[0] != tc.shared[0]) {
				t.Errorf("sharedWith %v, want %v", f.Requested.SharedWith, tc.shared)
			}
		})
	}
}
