// Package permissions is the one list of the AWS API calls each trailwatch
// function makes, as IAM actions. Each function's tests check that the SDK
// interfaces its adapters depend on call exactly these; the terraform tests
// under test/ check that each function's IAM role allows exactly these
// (besides logging, tracing and KMS). Change the code, this list and the
// policy together.
package permissions

import "slices"

// Actions by function name.
var actions = map[string][]string{
	"parse": {},
	"enrich": {"ec2:DescribeAddresses", "ec2:DescribeInstances", "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups",
		"elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeLoadBalancers", "sts:AssumeRole"},
	"dedupe": {"dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:UpdateItem"},
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

// Actions returns the IAM actions of a function's API calls, sorted; nil for
// an unknown function.
func Actions(function string) []string {
	a, ok := actions[function]
	if !ok {
		return nil
	}
	return slices.Clone(a)
}

// Operations returns the API operation names of a function's calls to one
// service (the IAM actions with prefix "service:"), sorted.
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
