package main

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// LambdaAPI is the part of the Lambda client the adapter uses.
type LambdaAPI interface {
	GetPolicy(ctx context.Context, in *lambda.GetPolicyInput, opts ...func(*lambda.Options)) (*lambda.GetPolicyOutput, error)
	GetFunctionUrlConfig(ctx context.Context, in *lambda.GetFunctionUrlConfigInput, opts ...func(*lambda.Options)) (*lambda.GetFunctionUrlConfigOutput, error)
	ListTags(ctx context.Context, in *lambda.ListTagsInput, opts ...func(*lambda.Options)) (*lambda.ListTagsOutput, error)
}

// Lambda implements FunctionLookups: the function's resource policy, its
// URL's configuration and its tags, three calls run concurrently.
type Lambda struct {
	Client LambdaAPI
}

var _ FunctionLookups = (*Lambda)(nil)

// Function looks up who may invoke function. A function that does not
// exist (ResourceNotFoundException from ListTags, which every function
// answers) is not found; one without a policy or URL has none.
func (l *Lambda) Function(ctx context.Context, account, region, function string) (finding.FunctionAccess, map[string]string, bool, error) {
	a := finding.FunctionAccess{Function: function}
	var tags map[string]string
	found := true
	err := parallel(ctx,
		func(ctx context.Context) error {
			out, err := l.Client.GetPolicy(ctx, &lambda.GetPolicyInput{FunctionName: aws.String(function)})
			if isCode(err, "ResourceNotFoundException") {
				return nil
			}
			if err != nil {
				return err
			}
			a.Policy = aws.ToString(out.Policy)
			return nil
		},
		func(ctx context.Context) error {
			out, err := l.Client.GetFunctionUrlConfig(ctx, &lambda.GetFunctionUrlConfigInput{FunctionName: aws.String(function)})
			if isCode(err, "ResourceNotFoundException") {
				return nil
			}
			if err != nil {
				return err
			}
			a.URLAuthType, a.URL = string(out.AuthType), aws.ToString(out.FunctionUrl)
			return nil
		},
		func(ctx context.Context) error {
			out, err := l.Client.ListTags(ctx, &lambda.ListTagsInput{Resource: aws.String(functionARN(account, region, function))})
			if isCode(err, "ResourceNotFoundException") {
				found = false
				return nil
			}
			if err != nil {
				return err
			}
			if len(out.Tags) > 0 {
				tags = out.Tags
			}
			return nil
		},
	)
	if err != nil {
		return finding.FunctionAccess{}, nil, false, err
	}
	if !found {
		return finding.FunctionAccess{}, nil, false, nil
	}
	return a, tags, true, nil
}

// functionARN returns function as an unqualified ARN: given as an ARN
// (qualified or not), or as a name in account and region.
func functionARN(account, region, function string) string {
	if strings.HasPrefix(function, "arn:") {
		parts := strings.Split(function, ":")
		if len(parts) > 7 {
			parts = parts[:7]
		}
		return strings.Join(parts, ":")
	}
	return "arn:" + partitionOf(region) + ":lambda:" + region + ":" + account + ":function:" + function
}

// partitionOf returns the partition of a region.
func partitionOf(region string) string {
	switch {
	case strings.HasPrefix(region, "cn-"):
		return "aws-cn"
	case strings.HasPrefix(region, "us-gov-"):
		return "aws-us-gov"
	case strings.HasPrefix(region, "us-iso-"):
		return "aws-iso"
	case strings.HasPrefix(region, "us-isob-"):
		return "aws-iso-b"
	}
	return "aws"
}
