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
		parse:       parseShare("imageId", "launchPermission", TypeImage),
		Words: Words{
			Headline: []string{"AMI {target} shared with {shared}"},
			Advice:   "Check that the image holds nothing private (keys, credentials, data baked into its volumes); remove the launch permission (group all, or the account) if the share was not intended.",
		},
		Closing: Words{
			Headline: []string{"AMI {target} no longer shared with {unshared}"},
			Advice:   "Nothing to do if intended; copies already made by the accounts it was shared with remain theirs.",
		}},
	{EventSource: ec2Source, EventName: "ModifySnapshotAttribute", Category: CategorySharing, Effect: EffectVaries,
		Description: "Changes an EBS snapshot's create-volume permissions: adding group \"all\" makes it public, adding an account shares it (both open); removing them closes.",
		parse:       parseShare("snapshotId", "createVolumePermission", TypeSnapshot),
		Words: Words{
			Headline: []string{"EBS snapshot {target} shared with {shared}"},
			Advice:   "Anyone it is shared with can create a volume from it and read its data: remove the create-volume permission (group all, or the account) unless the share is intended and the data may leave the account.",
		},
		Closing: Words{
			Headline: []string{"EBS snapshot {target} no longer shared with {unshared}"},
			Advice:   "Nothing to do if intended; volumes or copies already made from it remain with those accounts.",
		}},
	{EventSource: ec2Source, EventName: "DeleteSnapshot", Category: CategorySharing, Effect: EffectCloses,
		Description: "Deletes an EBS snapshot, closing any share of it.",
		parse:       parseDeletion("snapshotId", TypeSnapshot),
		Words: Words{
			Headline: []string{"EBS snapshot {target} deleted"},
			Advice:   "Nothing to do if expected: open alerts about sharing the snapshot are resolved.",
		}},
	{EventSource: ec2Source, EventName: "DeregisterImage", Category: CategorySharing, Effect: EffectCloses,
		Description: "Deregisters an AMI, closing any share of it (its snapshots remain, with their own permissions).",
		parse:       parseDeletion("imageId", TypeImage),
		Words: Words{
			Headline: []string{"AMI {target} deregistered"},
			Advice:   "The image's EBS snapshots remain, with their own permissions: check that none of them is still shared.",
		}},
}
