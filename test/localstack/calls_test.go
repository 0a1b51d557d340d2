package localstack

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func signed(method, target, body, service string) *http.Request {
	r := httptest.NewRequest(method, target, strings.NewReader(body))
	r.Header.Set("Authorization", "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/"+service+"/aws4_request, SignedHeaders=host, Signature=x")
	if body != "" {
		r.Header.Set("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")
	}
	return r
}

// TestCallOf: each request is named by its client and operation, and its
// body stays readable for moto.
func TestCallOf(t *testing.T) {
	sqs := signed(http.MethodPost, "/", `{}`, "sqs")
	sqs.Header.Set("Content-Type", "application/x-amz-json-1.0")
	sqs.Header.Set("X-Amz-Target", "AmazonSQS.ReceiveMessage")
	tests := []struct {
		name string
		r    *http.Request
		want string
	}{
		{"query protocol", signed(http.MethodPost, "/", "Action=DescribeInstances&Version=2016-11-15", "ec2"), "ec2:DescribeInstances"},
		{"classic load balancers", signed(http.MethodPost, "/", "Action=DescribeLoadBalancers&Version=2012-06-01", "elasticloadbalancing"), "elasticloadbalancing:DescribeLoadBalancers"},
		{"v2 load balancers", signed(http.MethodPost, "/", "Action=DescribeListeners&Version=2015-12-01", "elasticloadbalancing"), "elasticloadbalancingv2:DescribeListeners"},
		{"JSON protocol", sqs, "sqs:ReceiveMessage"},
		{"bucket subresource", signed(http.MethodGet, "/trailwatch-demo-public?policyStatus=", "", "s3"), "s3:GetBucketPolicyStatus"},
		{"account public access block", signed(http.MethodGet, "/v20180820/configuration/publicAccessBlock", "", "s3"), "s3control:GetPublicAccessBlock"},
		{"function policy", signed(http.MethodGet, "/2015-03-31/functions/fn/policy", "", "lambda"), "lambda:GetPolicy"},
		{"function URL", signed(http.MethodGet, "/2021-10-31/functions/fn/url", "", "lambda"), "lambda:GetFunctionUrlConfig"},
		{"function tags", signed(http.MethodGet, "/2017-03-31/tags/arn%3Aaws%3Alambda%3Aus-east-1%3A123456789012%3Afunction%3Afn", "", "lambda"), "lambda:ListTags"},
		{"another REST call", signed(http.MethodPut, "/bucket/key", "", "s3"), "s3:PUT /bucket/key"},
		{"unsigned", httptest.NewRequest(http.MethodGet, "/", nil), ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var before string
			if tc.r.Body != nil {
				b, _ := io.ReadAll(tc.r.Body)
				before = string(b)
				tc.r.Body = io.NopCloser(strings.NewReader(before))
			}
			if got := callOf(tc.r); got != tc.want {
				t.Errorf("callOf = %q, want %q", got, tc.want)
			}
			if tc.r.Body != nil {
				after, _ := io.ReadAll(tc.r.Body)
				if string(after) != before {
					t.Errorf("body %q after, want %q", after, before)
				}
			}
		})
	}
}

// TestCallCounter: calls are counted per caller (the SDK's app id) until
// reset.
func TestCallCounter(t *testing.T) {
	var c callCounter
	enrich := signed(http.MethodPost, "/", "Action=DescribeSubnets", "ec2")
	enrich.Header.Set("User-Agent", "aws-sdk-go-v2/1.47.7 ua/2.1 os/linux lang/go#1.26 md/GOOS#linux api/ec2#1.344.1 app/trailwatch-enrich m/E")
	c.record(enrich)
	c.record(signed(http.MethodPost, "/", "Action=DescribeSubnets", "ec2"))
	if diff := cmp.Diff(map[string]int{"ec2:DescribeSubnets": 1}, c.of("trailwatch-enrich")); diff != "" {
		t.Errorf("enrich's calls (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[string]int{"ec2:DescribeSubnets": 1}, c.of("")); diff != "" {
		t.Errorf("others' calls (-want +got):\n%s", diff)
	}
	c.reset()
	if got := c.of("trailwatch-enrich"); len(got) != 0 {
		t.Errorf("after reset %v", got)
	}
}
