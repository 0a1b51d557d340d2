package finding

import "cmp"

// permissionChange is EC2's launchPermission / createVolumePermission
// modification: lists of grantees to add and to remove. A grantee is the
// group "all" (public), an account id, or an AWS Organizations
// organization or organizational unit ARN.
type permissionChange struct {
	Add    items[grantee] `json:"add"`
	Remove items[grantee] `json:"remove"`
}

type grantee struct {
	Group                 string `json:"group"`
	UserID                string `json:"userId"`
	OrganizationARN       string `json:"organizationArn"`
	OrganizationalUnitARN string `json:"organizationalUnitArn"`
}

func (g grantee) name() string {
	return cmp.Or(g.Group, g.UserID, g.OrganizationARN, g.OrganizationalUnitARN)
}

// applyShare records a permission change on f: grantees added go to
// SharedWith (and "all" sets PublicAccess) and open exposure; grantees
// removed go to Unshared and close it.
func applyShare(c permissionChange, f *Finding) {
	for _, g := range c.Add.Items {
		if n := g.name(); n != "" {
			f.Requested.SharedWith = appendUnique(f.Requested.SharedWith, n)
			f.OpensExposure = true
			if g.Group == "all" {
				f.Requested.PublicAccess = true
			}
		}
	}
	for _, g := range c.Remove.Items {
		if n := g.name(); n != "" {
			f.Requested.Unshared = appendUnique(f.Requested.Unshared, n)
			f.ClosesExposure = true
		}
	}
}

// parseShare reads ModifyImageAttribute (imageId, launchPermission) and
// ModifySnapshotAttribute (snapshotId, createVolumePermission). A call that
// changes another attribute (an image's description, ...) shares nothing.
func parseShare(idField, permField string, typ ResourceType) func(*record, *Finding) error {
	return func(rec *record, f *Finding) error {
		req, id, err := paramsWithID(rec, idField)
		if err != nil {
			return err
		}
		f.Resources = append(f.Resources, Resource{Type: typ, ID: id})
		var c permissionChange
		if ok, err := decodeMember(req, permField, &c); err != nil || !ok {
			return err
		}
		applyShare(c, f)
		return nil
	}
}

// ec2SharingCatalog are the catalog entries parsed in this file.
var ec2SharingCatalog = []Entry{
	{EventSource: ec2Source, EventName: "ModifyImageAttribute", Category: CategorySharing, Effect: EffectVaries,
		Description: "Changes an AMI's launch permissions: adding group \"all\" makes it public, adding an account or organization shares it (both open); removing them closes.",
		parse:       parseShare("imageId", "launchPermission", TypeImage)},
	{EventSource: ec2Source, EventName: "ModifySnapshotAttribute", Category: CategorySharing, Effect: EffectVaries,
		Description: "Changes an EBS snapshot's create-volume permissions: adding group \"all\" makes it public, adding an account shares it (both open); removing them closes.",
		parse:       parseShare("snapshotId", "createVolumePermission", TypeSnapshot)},
}
