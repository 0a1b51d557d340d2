package finding

// parseDeletion reads a call that deletes one resource of type typ named by
// the string member idField of its request (DeleteSnapshot's snapshotId,
// DeleteDBInstance's dBInstanceIdentifier, DeleteBucket's bucketName, ...):
// whatever the resource exposed, and whoever it was shared with, is gone,
// so it closes. A request without idField is a *MalformedEventError.
func parseDeletion(idField string, typ ResourceType) func(*record, *Finding) error {
	return func(rec *record, f *Finding) error {
		_, id, err := paramsWithID(rec, idField)
		if err != nil {
			return err
		}
		f.Resources = append(f.Resources, Resource{Type: typ, ID: id})
		f.ClosesExposure = true
		return nil
	}
}
