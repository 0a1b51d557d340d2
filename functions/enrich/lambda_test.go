package main

import (
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/lambda"
	"github.com/google/go-cmp/cmp"
	"github.com/trailwatch/trailwatch/functions/shared/finding"
)

// TestFunctionRecordedResponses: the adapter maps what Lambda answers for a
// function's policy, URL and tags.
func TestFunctionRecordedResponses(t *testing.T) {
	r := newRecorded(t, map[string]reply{
		"GetPolicy":            {file: "lambda-get-policy.json"},
		"GetFunctionUrlConfig": {file: "lambda-get-function-url-config-constructed.json"},
		"ListTags":             {file: "lambda-list-tags.json"},
	})
	access, tags, found, err := (&Lambda{Client: lambda.NewFromConfig(r.config())}).Function(background, "123456789012", "us-west-2", "my-function")
	if err != nil || !found {
		t.Fatalf("found %v, error %v", found, err)
	}
	want := finding.FunctionAccess{Function: "my-function", URLAuthType: "NONE", URL: "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-west-2.on.aws/",
		Policy: `{"Version":"2012-10-17","Id":"default","Statement":[{"Sid":"iot-events","Effect":"Allow","Principal":{"Service":"iotevents.amazonaws.com"},"Action":"lambda:InvokeFunction","Resource":"arn:aws:lambda:us-west-2:123456789012:function:my-function"}]}`}
	if diff := cmp.Diff(want, access); diff != "" {
		t.Errorf("access (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]string{"Category": "Web Tools", "Department": "Sales"}, tags); diff != "" {
		t.Errorf("tags (-want +got):\n%s", diff)
	}
	// The policy lets a service, not everyone, invoke it: the URL's NONE
	// auth alone does not make it public.
	public, _, err := access.Verdict()
	if err != nil || public {
		t.Errorf("verdict public %v, error %v; want not public", public, err)
	}
}
