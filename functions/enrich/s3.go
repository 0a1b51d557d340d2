package main

import (
	"context"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/aws-sdk-go-v2/service/s3control"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// S3API is the part of the S3 client the adapter uses.
type S3API interface {
	GetBucketPolicyStatus(ctx context.Context, in *s3.GetBucketPolicyStatusInput, opts ...func(*s3.Options)) (*s3.GetBucketPolicyStatusOutput, error)
	GetPublicAccessBlock(ctx context.Context, in *s3.GetPublicAccessBlockInput, opts ...func(*s3.Options)) (*s3.GetPublicAccessBlockOutput, error)
	GetBucketAcl(ctx context.Context, in *s3.GetBucketAclInput, opts ...func(*s3.Options)) (*s3.GetBucketAclOutput, error)
	GetBucketTagging(ctx context.Context, in *s3.GetBucketTaggingInput, opts ...func(*s3.Options)) (*s3.GetBucketTaggingOutput, error)
}

// S3ControlAPI is the part of the S3 Control client the adapter uses: the
// account's public access block.
type S3ControlAPI interface {
	GetPublicAccessBlock(ctx context.Context, in *s3control.GetPublicAccessBlockInput, opts ...func(*s3control.Options)) (*s3control.GetPublicAccessBlockOutput, error)
}

// S3 implements BucketLookups with S3 and S3 Control: the bucket's policy
// status, public access block, ACL and tags, and the account's public
// access block, five calls run concurrently. Each call passes the owner
// account as ExpectedBucketOwner, so a bucket of another account is never
// read.
type S3 struct {
	Client  S3API
	Control S3ControlAPI
}

var _ BucketLookups = (*S3)(nil)

// Bucket looks up what S3 says about who may use bucket.
func (s *S3) Bucket(ctx context.Context, account, bucket string) (finding.BucketAccess, map[string]string, bool, error) {
	b := finding.BucketAccess{Bucket: bucket, Account: account}
	var tags map[string]string
	var gone atomic.Bool
	owner := aws.String(account)
	if account == "" {
		owner = nil
	}
	missing := func(err error) bool {
		if isCode(err, "NoSuchBucket") {
			gone.Store(true)
			return true
		}
		return false
	}
	err := parallel(ctx,
		func(ctx context.Context) error {
			out, err := s.Client.GetBucketPolicyStatus(ctx, &s3.GetBucketPolicyStatusInput{Bucket: aws.String(bucket), ExpectedBucketOwner: owner})
			if missing(err) || isCode(err, "NoSuchBucketPolicy") {
				return nil
			}
			if err != nil {
				return err
			}
			b.PolicyPublic = out.PolicyStatus != nil && aws.ToBool(out.PolicyStatus.IsPublic)
			return nil
		},
		func(ctx context.Context) error {
			out, err := s.Client.GetPublicAccessBlock(ctx, &s3.GetPublicAccessBlockInput{Bucket: aws.String(bucket), ExpectedBucketOwner: owner})
			if missing(err) || isCode(err, "NoSuchPublicAccessBlockConfiguration") {
				return nil
			}
			if err != nil {
				return err
			}
			if c := out.PublicAccessBlockConfiguration; c != nil {
				b.Block = &finding.PublicAccessBlock{BlockPublicAcls: aws.ToBool(c.BlockPublicAcls), IgnorePublicAcls: aws.ToBool(c.IgnorePublicAcls),
					BlockPublicPolicy: aws.ToBool(c.BlockPublicPolicy), RestrictPublicBuckets: aws.ToBool(c.RestrictPublicBuckets)}
			}
			return nil
		},
		func(ctx context.Context) error {
			out, err := s.Client.GetBucketAcl(ctx, &s3.GetBucketAclInput{Bucket: aws.String(bucket), ExpectedBucketOwner: owner})
			if missing(err) {
				return nil
			}
			if err != nil {
				return err
			}
			b.PublicGrants = publicGrants(out.Grants)
			return nil
		},
		func(ctx context.Context) error {
			out, err := s.Client.GetBucketTagging(ctx, &s3.GetBucketTaggingInput{Bucket: aws.String(bucket), ExpectedBucketOwner: owner})
			if missing(err) || isCode(err, "NoSuchTagSet") {
				return nil
			}
			if err != nil {
				return err
			}
			for _, t := range out.TagSet {
				if tags == nil {
					tags = map[string]string{}
				}
				tags[aws.ToString(t.Key)] = aws.ToString(t.Value)
			}
			return nil
		},
		func(ctx context.Context) error {
			if account == "" {
				return nil
			}
			out, err := s.Control.GetPublicAccessBlock(ctx, &s3control.GetPublicAccessBlockInput{AccountId: aws.String(account)})
			if isCode(err, "NoSuchPublicAccessBlockConfiguration") {
				return nil
			}
			if err != nil {
				return err
			}
			if c := out.PublicAccessBlockConfiguration; c != nil {
				b.AccountBlock = &finding.PublicAccessBlock{BlockPublicAcls: aws.ToBool(c.BlockPublicAcls), IgnorePublicAcls: aws.ToBool(c.IgnorePublicAcls),
					BlockPublicPolicy: aws.ToBool(c.BlockPublicPolicy), RestrictPublicBuckets: aws.ToBool(c.RestrictPublicBuckets)}
			}
			return nil
		},
	)
	if err != nil {
		return finding.BucketAccess{}, nil, false, err
	}
	return b, tags, !gone.Load(), nil
}

// publicGrants are the ACL's grants to the AllUsers and AuthenticatedUsers
// groups, as "AllUsers READ".
func publicGrants(grants []s3types.Grant) []string {
	var out []string
	for _, g := range grants {
		if g.Grantee == nil {
			continue
		}
		uri := aws.ToString(g.Grantee.URI)
		for _, group := range []string{"AllUsers", "AuthenticatedUsers"} {
			if strings.HasSuffix(uri, "/"+group) {
				out = append(out, group+" "+string(g.Permission))
			}
		}
	}
	return out
}
