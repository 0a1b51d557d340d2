package finding

import (
	"cmp"
	"encoding/json"
	"strings"
)

func parsePutObject(rec *record, f *Finding) error {
	var req struct {
		BucketName string `json:"bucketName"`
		Key        string `json:"key"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	return addResource(f, Resource{Type: TypeObject, ID: req.BucketName + "/" + req.Key, Name: req.BucketName}, "requestParameters has no bucketName")
}

// bucket adds the bucket named by requestParameters.bucketName to f.
func bucket(rec *record, f *Finding) error {
	var req struct {
		BucketName string `json:"bucketName"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	return addResource(f, Resource{Type: TypeBucket, ID: req.BucketName}, "requestParameters has no bucketName")
}

// policyStatement is one statement of an IAM policy document.
type policyStatement struct {
	Sid          string                                `json:"Sid"`
	Effect       string                                `json:"Effect"`
	Principal    json.RawMessage                       `json:"Principal"`
	NotPrincipal json.RawMessage                       `json:"NotPrincipal"`
	Action       json.RawMessage                       `json:"Action"`
	Resource     json.RawMessage                       `json:"Resource"`
	Condition    map[string]map[string]json.RawMessage `json:"Condition"`
}

// restrictingKeys are condition keys that confine an Allow to a network,
// an organization, an account or a caller: a statement with one of them
// (under a positive operator) is not public.
var restrictingKeys = map[string]bool{
	"aws:sourceip": true, "aws:sourcevpc": true, "aws:sourcevpce": true,
	"aws:principalorgid": true, "aws:principalorgpaths": true, "aws:principalaccount": true,
	"aws:principalarn": true, "aws:userid": true, "aws:username": true,
	"aws:sourceaccount": true, "aws:sourcearn": true, "aws:sourceowner": true,
	"aws:sourceorgid": true, "aws:sourceorgpaths": true, "aws:principalservicename": true,
	"s3:dataaccesspointaccount": true, "s3:dataaccesspointarn": true,
}

// public reports whether the statement allows everyone: Effect Allow for
// Principal "*" (or {"AWS": "*"}), or Allow with a NotPrincipal, and no
// condition that restricts who or where. A condition restricts when it
// tests a restrictingKeys key with a positive operator: negated operators
// (NotIpAddress, StringNotEquals, ...) still admit nearly everyone, and
// ...IfExists operators pass requests that lack the key.
func (s policyStatement) public() bool {
	if !strings.EqualFold(s.Effect, "Allow") {
		return false
	}
	if !everyone(s.Principal) && len(s.NotPrincipal) == 0 {
		return false
	}
	for op, keys := range s.Condition {
		op = op[strings.LastIndex(op, ":")+1:] // ForAnyValue:, ForAllValues:
		if strings.Contains(op, "Not") || strings.HasSuffix(op, "IfExists") || op == "Null" {
			continue
		}
		for k := range keys {
			if restrictingKeys[strings.ToLower(k)] {
				return false
			}
		}
	}
	return true
}

// everyone reports whether a Principal element names everyone: "*", or
// {"AWS": "*"} (or a list holding "*").
func everyone(raw json.RawMessage) bool {
	if len(raw) == 0 {
		return false
	}
	var m map[string]json.RawMessage
	if decodes(raw, &m) {
		raw = m["AWS"]
	}
	for _, p := range stringOrList(raw) {
		if p == "*" {
			return true
		}
	}
	return false
}

// parsePutBucketPolicy reads PutBucketPolicy. The policy is in
// requestParameters.bucketPolicy, as an object or as a JSON string. Each
// public statement (see policyStatement.public) becomes a grant "Principal
// * <actions> on <resources>". A policy with no public statement replaces
// any public one, so it closes.
func parsePutBucketPolicy(rec *record, f *Finding) error {
	if err := bucket(rec, f); err != nil {
		return err
	}
	var req struct {
		BucketPolicy json.RawMessage `json:"bucketPolicy"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	doc := req.BucketPolicy
	var s string
	if decodes(doc, &s) {
		doc = json.RawMessage(s)
	}
	var policy struct {
		Statement json.RawMessage `json:"Statement"`
	}
	if err := decodeParams(doc, &policy, "requestParameters.bucketPolicy"); err != nil {
		return err
	}
	statements, err := objectOrList[policyStatement](policy.Statement)
	if err != nil {
		return &MalformedEventError{Reason: "requestParameters.bucketPolicy.Statement", Err: err}
	}
	for _, st := range statements {
		if !st.public() {
			continue
		}
		grant := "Principal * " + strings.Join(stringOrList(st.Action), ",")
		if r := stringOrList(st.Resource); len(r) > 0 {
			grant += " on " + strings.Join(r, ",")
		}
		f.Requested.Grants = append(f.Requested.Grants, grant)
	}
	f.Requested.PublicAccess = len(f.Requested.Grants) > 0
	f.OpensExposure = f.Requested.PublicAccess
	f.ClosesExposure = !f.OpensExposure
	return nil
}

// publicGroups are the ACL grantee groups that mean everyone.
var publicGroups = []string{"AllUsers", "AuthenticatedUsers"}

// cannedGrants are the public grants of S3's canned ACLs.
var cannedGrants = map[string][]string{
	"public-read":        {"AllUsers READ"},
	"public-read-write":  {"AllUsers READ", "AllUsers WRITE"},
	"authenticated-read": {"AuthenticatedUsers READ"},
}

// grantHeaders are the x-amz-grant-* headers and the permission each gives.
var grantHeaders = map[string]string{
	"x-amz-grant-read": "READ", "x-amz-grant-write": "WRITE", "x-amz-grant-read-acp": "READ_ACP",
	"x-amz-grant-write-acp": "WRITE_ACP", "x-amz-grant-full-control": "FULL_CONTROL",
}

// parsePutBucketAcl reads PutBucketAcl: grants to the AllUsers or
// AuthenticatedUsers groups, in the AccessControlPolicy body, a canned
// x-amz-acl (public-read, public-read-write, authenticated-read) or an
// x-amz-grant-* header, make the bucket public ("AllUsers READ"). An ACL
// with no public grant replaces any public one, so it closes.
func parsePutBucketAcl(rec *record, f *Finding) error {
	if err := bucket(rec, f); err != nil {
		return err
	}
	var req map[string]json.RawMessage
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	var grants []string
	for _, acl := range stringOrList(req["x-amz-acl"]) {
		grants = append(grants, cannedGrants[acl]...)
	}
	for h, perm := range grantHeaders {
		for _, v := range stringOrList(req[h]) {
			for _, g := range publicGroups {
				if strings.Contains(v, "/"+g) {
					grants = append(grants, g+" "+perm)
				}
			}
		}
	}
	var body struct {
		AccessControlList struct {
			Grant json.RawMessage `json:"Grant"`
		} `json:"AccessControlList"`
	}
	if err := decodeParams(req["AccessControlPolicy"], &body, "requestParameters.AccessControlPolicy"); err != nil {
		return err
	}
	type grant struct {
		Grantee struct {
			URI string `json:"URI"`
		} `json:"Grantee"`
		Permission string `json:"Permission"`
	}
	list, err := objectOrList[grant](body.AccessControlList.Grant)
	if err != nil {
		return &MalformedEventError{Reason: "requestParameters.AccessControlPolicy.AccessControlList.Grant", Err: err}
	}
	for _, g := range list {
		for _, group := range publicGroups {
			if strings.HasSuffix(g.Grantee.URI, "/"+group) {
				grants = append(grants, group+" "+g.Permission)
			}
		}
	}
	f.Requested.Grants = sortedUnique(grants)
	f.Requested.PublicAccess = len(grants) > 0
	f.OpensExposure = f.Requested.PublicAccess
	f.ClosesExposure = !f.OpensExposure
	return nil
}

// publicAccessBlockFlags are the four settings of a public access block.
var publicAccessBlockFlags = []string{"BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets"}

// parsePutPublicAccessBlock reads PutBucketPublicAccessBlock (and the
// account-level block, whose request names accountId instead of a
// bucket): any of the four settings false or absent (S3 takes absent as
// false) weakens the guard that refuses public policies and ACLs, so it
// opens with a grant per setting ("BlockPublicPolicy=false"); all four
// true closes.
func parsePutPublicAccessBlock(rec *record, f *Finding) error {
	if err := bucketOrAccount(rec, f); err != nil {
		return err
	}
	var req struct {
		Config map[string]json.RawMessage `json:"PublicAccessBlockConfiguration"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	if req.Config == nil {
		return &MalformedEventError{Reason: "requestParameters has no PublicAccessBlockConfiguration"}
	}
	for _, flag := range publicAccessBlockFlags {
		var on bool
		if v, ok := req.Config[flag]; ok {
			if err := unmarshal(v, &on); err != nil {
				return &MalformedEventError{Reason: "PublicAccessBlockConfiguration." + flag, Err: err}
			}
		}
		if !on {
			f.Requested.Grants = append(f.Requested.Grants, flag+"=false")
		}
	}
	f.Requested.PublicAccess = len(f.Requested.Grants) > 0
	f.OpensExposure = f.Requested.PublicAccess
	f.ClosesExposure = !f.OpensExposure
	return nil
}

// parseDeletePublicAccessBlock reads DeleteBucketPublicAccessBlock (and the
// account-level delete): the guard is gone, so the finding is PublicAccess
// and opens, with the grant "public access block removed". Nothing is
// public yet by this call alone; it is reported as the exposure it enables,
// like a weakened block.
func parseDeletePublicAccessBlock(rec *record, f *Finding) error {
	if err := bucketOrAccount(rec, f); err != nil {
		return err
	}
	f.Requested.PublicAccess = true
	f.Requested.Grants = []string{"public access block removed"}
	f.OpensExposure = true
	return nil
}

// bucketOrAccount adds the bucket the call names or, for the account-level
// calls, the account: requestParameters.accountId, else the account in
// requestParameters.host (CloudTrail records the s3control endpoint,
// "<account>.s3-control.<region>.amazonaws.com"), else the recipient.
func bucketOrAccount(rec *record, f *Finding) error {
	var req struct {
		BucketName string          `json:"bucketName"`
		AccountID  string          `json:"accountId"`
		Host       json.RawMessage `json:"host"`
	}
	if err := decodeParams(rec.RequestParameters, &req, "requestParameters"); err != nil {
		return err
	}
	if req.BucketName != "" {
		f.Resources = append(f.Resources, Resource{Type: TypeBucket, ID: req.BucketName})
		return nil
	}
	if !strings.Contains(rec.EventName, "Bucket") {
		f.Resources = append(f.Resources, Resource{Type: TypeAccount, ID: cmp.Or(req.AccountID, controlHostAccount(req.Host), account(rec))})
		return nil
	}
	return &MalformedEventError{Reason: "requestParameters has no bucketName"}
}

// controlHostAccount returns the account id of an s3control host
// ("123456789012.s3-control.us-east-1.amazonaws.com", as a string or a
// one-element list), or "" for any other host.
func controlHostAccount(raw json.RawMessage) string {
	for _, h := range stringOrList(raw) {
		id, rest, ok := strings.Cut(h, ".")
		if ok && strings.HasPrefix(rest, "s3-control.") && len(id) == 12 && strings.Trim(id, "0123456789") == "" {
			return id
		}
	}
	return ""
}

// s3Source is the eventSource of S3 events.
const s3Source = "s3.amazonaws.com"

// Words shared by the S3 entries.
const (
	// bucketAdvice is what to do about a write to a watched bucket.
	bucketAdvice = "Check that the write was expected; confirm the bucket's Block Public Access settings are on and its policy grants no public access; delete or quarantine the object if it was not expected."
	// publicBucketAdvice is what to do about a bucket made public.
	publicBucketAdvice = "Remove the public grant or turn Block Public Access on for the bucket unless it is meant to serve the public; check what it holds, and its access logs for reads by strangers."
	// blockWeakenedAdvice is what to do about a weakened public access block.
	blockWeakenedAdvice = "Turn all four Block Public Access settings back on unless a public bucket is intended: with them off, a bucket policy or ACL can make its data public."
	// blockRestoredAdvice is what to say when a block is fully on again.
	blockRestoredAdvice = "Nothing to do if intended: public policies and ACLs are blocked again, and open alerts about the weakened block are resolved."
)

// s3Catalog are the catalog entries parsed in this file.
var s3Catalog = []Entry{
	{EventSource: s3Source, EventName: "PutObject", Category: CategoryData, Effect: EffectWatch,
		Description: "Writes an object to a bucket whose data events the trail records (watched buckets).",
		parse:       parsePutObject,
		Words: Words{
			Headline: []string{"{target} written"},
			Advice:   bucketAdvice,
		}},
	{EventSource: s3Source, EventName: "PutBucketPolicy", Category: CategoryStorage, Effect: EffectVaries,
		Description: "Replaces a bucket policy; an Allow for Principal \"*\" without a condition on source IP, VPC, endpoint, organization, account or ARN makes the bucket public; otherwise it closes.",
		parse:       parsePutBucketPolicy,
		Words: Words{
			Headline: []string{"{target} made public by its bucket policy"},
			Advice:   publicBucketAdvice,
		},
		Closing: Words{
			Headline: []string{"policy of {target} replaced, no public statement"},
			Advice:   "Nothing to do if intended: the policy grants no public access, and open alerts about it are resolved (the bucket's ACL still may).",
		}},
	{EventSource: s3Source, EventName: "PutBucketAcl", Category: CategoryStorage, Effect: EffectVaries,
		Description: "Replaces a bucket ACL; a grant to AllUsers or AuthenticatedUsers (explicit, canned public-read, public-read-write or authenticated-read, or an x-amz-grant header) makes the bucket public; otherwise it closes.",
		parse:       parsePutBucketAcl,
		Words: Words{
			Headline: []string{"{target} made public by its ACL ({grants})", "{target} made public by its ACL"},
			Advice:   publicBucketAdvice,
		},
		Closing: Words{
			Headline: []string{"ACL of {target} replaced, no public grant"},
			Advice:   "Nothing to do if intended: the ACL grants no public access, and open alerts about it are resolved (the bucket's policy still may).",
		}},
	{EventSource: s3Source, EventName: "PutBucketPublicAccessBlock", Category: CategoryStorage, Effect: EffectVaries,
		Description: "Sets a bucket's public access block; any of the four settings false weakens the guard against public policies and ACLs (opens), all four true closes.",
		parse:       parsePutPublicAccessBlock,
		Words: Words{
			Headline: []string{"Block Public Access weakened on {target}: {grants}", "Block Public Access weakened on {target}"},
			Advice:   blockWeakenedAdvice,
		},
		Closing: Words{
			Headline: []string{"Block Public Access fully on for {target}"},
			Advice:   blockRestoredAdvice,
		}},
	{EventSource: s3Source, EventName: "DeleteBucketPolicy", Category: CategoryStorage, Effect: EffectCloses,
		Description: "Deletes a bucket policy, closing whatever public access it granted.",
		parse:       parseDeletion("bucketName", TypeBucket),
		Words: Words{
			Headline: []string{"policy of {target} deleted"},
			Advice:   "Nothing to do if intended: open alerts about a public policy are resolved; the bucket's ACL and Block Public Access settings still decide whether it is public.",
		}},
	{EventSource: s3Source, EventName: "DeleteBucket", Category: CategoryStorage, Effect: EffectCloses,
		Description: "Deletes a bucket, closing whatever public access it had.",
		parse:       parseDeletion("bucketName", TypeBucket),
		Words: Words{
			Headline: []string{"{target} deleted"},
			Advice:   "A deleted bucket's name can be claimed by any other account: check that nothing (DNS records, CloudFront origins, applications) still points at it.",
		}},
}

// s3PublicAccessBlockCatalog are the account-level block and the deletes.
// CloudTrail does not use the API's operation names for them: the s3control
// PutPublicAccessBlock and DeletePublicAccessBlock are logged as
// PutAccountPublicAccessBlock and DeleteAccountPublicAccessBlock (eventSource
// s3.amazonaws.com; the account is in requestParameters.host,
// "<account>.s3-control.<region>.amazonaws.com"), and the bucket-level
// DeletePublicAccessBlock as DeleteBucketPublicAccessBlock. Event names from
// the Amazon S3 user guide, "Amazon S3 CloudTrail events"
// (https://docs.aws.amazon.com/AmazonS3/latest/userguide/cloudtrail-logging-s3-info.html).
var s3PublicAccessBlockCatalog = []Entry{
	{EventSource: s3Source, EventName: "DeleteBucketPublicAccessBlock", Category: CategoryStorage, Effect: EffectOpens,
		Description: "Deletes a bucket's public access block: the guard against public policies and ACLs is gone (reported as public access).",
		parse:       parseDeletePublicAccessBlock,
		Words: Words{
			Headline: []string{"Block Public Access removed from {target}"},
			Advice:   blockWeakenedAdvice,
		}},
	{EventSource: s3Source, EventName: "PutAccountPublicAccessBlock", Category: CategoryStorage, Effect: EffectVaries,
		Description: "Sets the account's public access block; any of the four settings false weakens the guard for every bucket (opens), all four true closes.",
		parse:       parsePutPublicAccessBlock,
		Words: Words{
			Headline: []string{"Block Public Access weakened for account {target}: {grants}", "Block Public Access weakened for account {target}"},
			Advice:   "Turn all four account-level Block Public Access settings back on unless public buckets are intended: with them off, any bucket's policy or ACL can make its data public.",
		},
		Closing: Words{
			Headline: []string{"Block Public Access fully on for account {target}"},
			Advice:   blockRestoredAdvice,
		}},
	{EventSource: s3Source, EventName: "DeleteAccountPublicAccessBlock", Category: CategoryStorage, Effect: EffectOpens,
		Description: "Deletes the account's public access block: the guard for every bucket is gone (reported as public access).",
		parse:       parseDeletePublicAccessBlock,
		Words: Words{
			Headline: []string{"Block Public Access removed for account {target}"},
			Advice:   "Turn the account-level Block Public Access settings back on unless public buckets are intended: without them, any bucket's policy or ACL can make its data public.",
		}},
}
