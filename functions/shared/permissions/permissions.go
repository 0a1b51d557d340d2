// Package permissions is the one list of the AWS API calls each trailwatch
// function makes, as "service:Operation", and of the IAM actions they need.
// Each function's tests check that the SDK interfaces its adapters depend
// on call exactly these (Operations); the terraform tests under test/
// check that each function's IAM role allows exactly the actions they need
// (Actions), besides logging, tracing and KMS. Change the code, this list
// and the policy together.
package permissions

import "slices"

// API calls by function name. A call is authorized by the IAM action of its
// name, unless authorizedBy says otherwise.
var actions = map[string][]string{
	"parse": {},
	"enrich": {"ec2:DescribeAddresses", "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
		"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeLoadBalancers", "sts:AssumeRole"},
	"dedupe": {"dynamodb:BatchGetItem", "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:TransactWriteItems", "dynamodb:UpdateItem"},
	"notify": {"sns:Publish"},
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

// Operations returns the API operation names of a function's calls to one
// service (its calls with prefix "service:"), sorted.
func Operations(function, service string) []string {
	var out []string
	for _, a := range actions[function] {
		if name, ok := cutPrefix(a, service+":"); ok {
			out = append(out, name)
		}
	}
	return out
}

func cutPrefix(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && s[:len(prefix)] == prefix {
		return s[len(prefix):], true
	}
	return "", false
}
