// Package permissions is the one list of the AWS API calls each trailwatch
// function makes, as "service:Operation", and of the IAM actions they need.
// Each function's tests check that the SDK interfaces its adapters depend
// on call exactly these (Operations); the terraform tests under test/
// check that each function's IAM role allows exactly the actions they need
// (Actions), besides logging, tracing and KMS. Change the code, this list
// and the policy together.
package permissions

import "slices"

// API calls by function name, each named as the IAM action that authorizes
// it, unless operations gives its SDK operation another name or
// authorizedBy says the call has no action of its own.
var actions = map[string][]string{
	"parse": {},
	"enrich": {"ec2:DescribeAddresses", "ec2:DescribeImageAttribute", "ec2:DescribeInstances", "ec2:DescribeNetworkAcls",
		"ec2:DescribeNetworkInterfaces", "ec2:DescribeRouteTables", "ec2:DescribeSecurityGroups", "ec2:DescribeSnapshotAttribute",
		"ec2:DescribeSubnets", "ec2:GetManagedPrefixListEntries",
		"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeTags",
		"lambda:GetFunctionUrlConfig", "lambda:GetPolicy", "lambda:ListTags",
		"rds:DescribeDBClusterSnapshotAttributes", "rds:DescribeDBClusters", "rds:DescribeDBInstances",
		"rds:DescribeDBSnapshotAttributes", "rds:DescribeDBSubnetGroups",
		"redshift:DescribeClusterSubnetGroups", "redshift:DescribeClusters",
		"s3:GetAccountPublicAccessBlock", "s3:GetBucketAcl", "s3:GetBucketPolicyStatus", "s3:GetBucketPublicAccessBlock", "s3:GetBucketTagging",
		"sts:AssumeRole"},
	"dedupe": {"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:TransactWriteItems", "dynamodb:UpdateItem"},
	"notify": {"sns:Publish"},
	// backtest is the parse program as the backtest's function
	// (terraform/modules/backtest): it reads log files and writes and
	// reads its results.
	"backtest": {"s3:GetObject", "s3:ListBucket", "s3:PutObject"},
}

// operations names the SDK client and operation of an action whose IAM
// name is not "<client>:<operation>": S3 authorizes GetPublicAccessBlock
// as s3:GetBucketPublicAccessBlock, the account-level one (an S3 Control
// operation) as s3:GetAccountPublicAccessBlock, and ListObjectsV2 as
// s3:ListBucket.
var operations = map[string][2]string{
	"s3:GetBucketPublicAccessBlock":  {"s3", "GetPublicAccessBlock"},
	"s3:GetAccountPublicAccessBlock": {"s3control", "GetPublicAccessBlock"},
	"s3:ListBucket":                  {"s3", "ListObjectsV2"},
}

// Functions returns the function names, sorted.
func Functions() []string {
	var out []string
	for fn := range actions {
		out = append(out, fn)
	}
	slices.Sort(out)
	return out
}

// authorizedBy are the calls that have no IAM action of their own: IAM
// authorizes each action of a DynamoDB transaction as the PutItem,
// UpdateItem or DeleteItem it is
// (https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/transaction-apis-iam.html);
// dedupe's transactions hold those three kinds.
var authorizedBy = map[string][]string{
	"dynamodb:TransactWriteItems": {"dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
}

// Actions returns the IAM actions a function's API calls need, sorted; nil
// for an unknown function.
func Actions(function string) []string {
	calls, ok := actions[function]
	if !ok {
		return nil
	}
	out := []string{}
	for _, c := range calls {
		if a, ok := authorizedBy[c]; ok {
			out = append(out, a...)
		} else {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Operations returns the API operation names of a function's calls
// through one SDK client ("ec2", "s3", "s3control", ...), sorted: the calls
// with prefix "client:", and those operations names for it.
func Operations(function, client string) []string {
	var out []string
	for _, a := range actions[function] {
		if op, ok := operations[a]; ok {
			if op[0] == client {
				out = append(out, op[1])
			}
			continue
		}
		if name, ok := cutPrefix(a, client+":"); ok {
			out = append(out, name)
		}
	}
	slices.Sort(out)
	return out
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return "", false
}
