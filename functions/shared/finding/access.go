package finding

import (
	"cmp"
	"encoding/json"
	"fmt"
	"strings"
)

// PublicAccessBlock is an S3 public access block, a bucket's or an
// account's.
type PublicAccessBlock struct {
	BlockPublicAcls, IgnorePublicAcls, BlockPublicPolicy, RestrictPublicBuckets bool
}

// BucketAccess is what S3 says about who may read or write a bucket.
type BucketAccess struct {
	Bucket string
	// Account owns the bucket.
	Account string
	// PolicyPublic is GetBucketPolicyStatus's IsPublic: S3's own judgement
	// of the bucket policy (false without a policy).
	PolicyPublic bool
	// PublicGrants are the ACL's grants to AllUsers or AuthenticatedUsers,
	// as "AllUsers READ".
	PublicGrants []string
	// Block and AccountBlock are the bucket's and the account's public
	// access blocks; nil when there is none.
	Block, AccountBlock *PublicAccessBlock
}

// Verdict says whether anyone may use the bucket now, as S3 enforces it:
// a public policy counts unless RestrictPublicBuckets is on (bucket or
// account), a public ACL grant unless IgnorePublicAcls is. Block* settings
// only refuse new public policies and ACLs; what is public now is what the
// restricting settings let through.
func (b BucketAccess) Verdict() (bool, []string) {
	restrict, ignore := b.restricts()
	var lines []string
	public := false
	switch {
	case !b.PolicyPublic:
		lines = append(lines, fmt.Sprintf("%s's policy is not public (GetBucketPolicyStatus)", b.Bucket))
	case restrict != "":
		lines = append(lines, fmt.Sprintf("%s's policy is public, but %s has RestrictPublicBuckets on: only AWS services and the owner's account may use it", b.Bucket, restrict))
	default:
		lines = append(lines, fmt.Sprintf("%s's policy is public (GetBucketPolicyStatus) and no public access block restricts it", b.Bucket))
		public = true
	}
	switch {
	case len(b.PublicGrants) == 0:
		lines = append(lines, fmt.Sprintf("%s's ACL grants nothing to AllUsers or AuthenticatedUsers", b.Bucket))
	case ignore != "":
		lines = append(lines, fmt.Sprintf("%s's ACL grants %s, but %s has IgnorePublicAcls on: S3 ignores them", b.Bucket, strings.Join(b.PublicGrants, ", "), ignore))
	default:
		lines = append(lines, fmt.Sprintf("%s's ACL grants %s and no public access block ignores it", b.Bucket, strings.Join(b.PublicGrants, ", ")))
		public = true
	}
	lines = append(lines, blockLine("bucket "+b.Bucket, b.Block), blockLine("account "+b.Account, b.AccountBlock))
	return public, lines
}

// restricts names the block (bucket or account) that has
// RestrictPublicBuckets and the one that has IgnorePublicAcls on; "" when
// none has.
func (b BucketAccess) restricts() (restrict, ignore string) {
	for _, x := range []struct {
		name  string
		block *PublicAccessBlock
	}{{"bucket " + b.Bucket, b.Block}, {"account " + b.Account, b.AccountBlock}} {
		if x.block == nil {
			continue
		}
		if x.block.RestrictPublicBuckets && restrict == "" {
			restrict = "the public access block of " + x.name
		}
		if x.block.IgnorePublicAcls && ignore == "" {
			ignore = "the public access block of " + x.name
		}
	}
	return restrict, ignore
}

func blockLine(of string, b *PublicAccessBlock) string {
	if b == nil {
		return "no public access block on " + of
	}
	return fmt.Sprintf("public access block of %s: BlockPublicAcls=%t IgnorePublicAcls=%t BlockPublicPolicy=%t RestrictPublicBuckets=%t",
		of, b.BlockPublicAcls, b.IgnorePublicAcls, b.BlockPublicPolicy, b.RestrictPublicBuckets)
}

// FunctionAccess is what Lambda says about who may invoke a function.
type FunctionAccess struct {
	Function string
	// Policy is the function's resource policy document (GetPolicy), ""
	// when it has none.
	Policy string
	// URLAuthType is the function URL's auth type ("NONE", "AWS_IAM"), ""
	// when it has no URL; URL is its address.
	URLAuthType string
	URL         string
}

// Verdict says whether anyone may invoke the function now: through its
// URL when the URL's auth type is NONE and a policy statement lets
// everyone (Principal "*", no restricting condition) call
// lambda:InvokeFunctionUrl; through the Invoke API when a statement lets
// everyone call lambda:InvokeFunction. A policy that is not valid JSON is
// a *MalformedEventError.
func (a FunctionAccess) Verdict() (bool, []string, error) {
	var doc struct {
		Statement json.RawMessage `json:"Statement"`
	}
	var statements []policyStatement
	if a.Policy != "" {
		if err := json.Unmarshal([]byte(a.Policy), &doc); err != nil {
			return false, nil, &MalformedEventError{Reason: "function policy", Err: err}
		}
		var err error
		if statements, err = objectOrList[policyStatement](doc.Statement); err != nil {
			return false, nil, &MalformedEventError{Reason: "function policy Statement", Err: err}
		}
	}
	var urlStatement, invokeStatement string
	for i, st := range statements {
		if !st.public() {
			continue
		}
		sid := st.Sid
		if sid == "" {
			sid = fmt.Sprintf("#%d", i+1)
		}
		for _, action := range stringOrList(st.Action) {
			switch strings.ToLower(action) {
			case "lambda:invokefunctionurl":
				urlStatement = cmp.Or(urlStatement, sid)
			case "lambda:invokefunction":
				invokeStatement = cmp.Or(invokeStatement, sid)
			case "lambda:*", "*", "lambda:invoke*":
				urlStatement, invokeStatement = cmp.Or(urlStatement, sid), cmp.Or(invokeStatement, sid)
			}
		}
	}
	var lines []string
	public := false
	switch {
	case a.URLAuthType == "":
		lines = append(lines, a.Function+" has no function URL")
	case a.URLAuthType != "NONE":
		lines = append(lines, fmt.Sprintf("%s's function URL requires %s auth", a.Function, a.URLAuthType))
	case urlStatement == "":
		lines = append(lines, fmt.Sprintf("%s's function URL %s has auth NONE, but no policy statement lets everyone call lambda:InvokeFunctionUrl", a.Function, a.URL))
	default:
		lines = append(lines, fmt.Sprintf("%s's function URL %s has auth NONE and policy statement %s lets everyone call it", a.Function, a.URL, urlStatement))
		public = true
	}
	if invokeStatement != "" {
		lines = append(lines, fmt.Sprintf("%s's policy statement %s lets everyone call lambda:InvokeFunction", a.Function, invokeStatement))
		public = true
	} else if a.Policy == "" {
		lines = append(lines, a.Function+" has no resource policy")
	} else {
		lines = append(lines, fmt.Sprintf("no statement of %s's policy lets everyone call lambda:InvokeFunction", a.Function))
	}
	return public, lines, nil
}

// Trusted are the accounts (12 digits) and AWS Organizations ids (o-...,
// ou-...) a share may go to without being an exfiltration path.
type Trusted []string

// trusts reports whether grantee (an account id, or an organization or
// organizational unit ARN) is trusted.
func (t Trusted) trusts(grantee string) bool {
	for _, id := range t {
		if id == grantee || strings.HasSuffix(grantee, "/"+id) {
			return true
		}
	}
	return false
}

// Share is one grantee an image or snapshot is shared with.
type Share struct {
	// Grantee is "all" (everyone), an account id, or an organization or
	// organizational unit ARN.
	Grantee string `json:"grantee"`
	// Trusted is true for a grantee the deployment declares trusted.
	Trusted bool `json:"trusted"`
}

// Shares classifies the grantees of a share as it stands: "all" is the
// world, never trusted; an account or organization in trusted is trusted;
// any other is not. The lines explain each.
func (t Trusted) Shares(resource string, grantees []string) ([]Share, []string) {
	var shares []Share
	var lines []string
	for _, g := range grantees {
		s := Share{Grantee: g, Trusted: g != "all" && t.trusts(g)}
		shares = append(shares, s)
		switch {
		case g == "all":
			lines = append(lines, resource+" is public: shared with all")
		case s.Trusted:
			lines = append(lines, fmt.Sprintf("%s is shared with %s, a trusted account", resource, g))
		default:
			lines = append(lines, fmt.Sprintf("%s is shared with %s, not a trusted account", resource, g))
		}
	}
	if len(grantees) == 0 {
		lines = append(lines, resource+" is shared with no one now")
	}
	return shares, lines
}

// SetShares records on r the share as it stands: Shares, Reachable (shared
// with anyone) and the explanation.
func (r *Resource) SetShares(t Trusted, grantees []string) {
	shares, lines := t.Shares(r.ID, grantees)
	shared := len(shares) > 0
	r.Shares, r.Reachable, r.Reachability = shares, &shared, lines
}

// SetVerdict records a live verdict that is not a network path (a bucket,
// a function) on r.
func (r *Resource) SetVerdict(reachable bool, lines []string) {
	r.Reachable, r.Reachability = &reachable, lines
}
