package localstack

import (
	"bytes"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
)

// callCounter counts the AWS API calls the gateway passes to moto, by
// caller and call, so that tests can hold a function to the calls it
// makes. Only tests read it.
type callCounter struct {
	mu     sync.Mutex
	counts map[string]map[string]int // caller -> "client:Operation" -> calls
}

// maxCountedBody bounds the query-protocol body read to find its Action.
const maxCountedBody = 1 << 20

// record counts r and leaves its body as it was. It returns the call
// ("" for an unsigned request) and the caller's app id: a function's
// process sends "<function>#<process id>", counted as the function's.
func (c *callCounter) record(r *http.Request) (call, app string) {
	call = callOf(r)
	app = appID(r.Header.Get("User-Agent"))
	if call == "" {
		return call, app
	}
	caller, _, _ := strings.Cut(app, "#")
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.counts == nil {
		c.counts = map[string]map[string]int{}
	}
	if c.counts[caller] == nil {
		c.counts[caller] = map[string]int{}
	}
	c.counts[caller][call]++
	return call, app
}

func (c *callCounter) of(caller string) map[string]int {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := map[string]int{}
	for k, v := range c.counts[caller] {
		out[k] = v
	}
	return out
}

func (c *callCounter) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.counts = nil
}

// Calls returns the AWS API calls caller made through the gateway since
// the stack started or ResetCalls, by "client:Operation"
// ("ec2:DescribeInstances", "elasticloadbalancingv2:DescribeListeners",
// "s3control:GetPublicAccessBlock", ...). A function's caller is its name:
// its processes run with AWS_SDK_UA_APP_ID set to it and their process
// id ("<name>#<id>"), which the SDK puts in every User-Agent; "" is every other caller. Lambda's Invoke, which the
// gateway serves itself, is not counted.
func (s *Stack) Calls(caller string) map[string]int { return s.gw.calls.of(caller) }

// ResetCalls forgets the calls counted so far.
func (s *Stack) ResetCalls() { s.gw.calls.reset() }

// appID returns the app id the SDK puts in a User-Agent ("app/NAME"), or "".
func appID(userAgent string) string {
	for _, f := range strings.Fields(userAgent) {
		if id, ok := strings.CutPrefix(f, "app/"); ok {
			return id
		}
	}
	return ""
}

// credentialScope finds the service of a SigV4 Authorization header:
// Credential=KEY/DATE/REGION/SERVICE/aws4_request.
var credentialScope = regexp.MustCompile(`Credential=[^/]+/[^/]+/[^/]+/([^/]+)/aws4_request`)

// lambdaPaths name the Lambda REST operations by their paths.
var lambdaPaths = []struct {
	method string
	path   *regexp.Regexp
	op     string
}{
	{http.MethodGet, regexp.MustCompile(`^/2015-03-31/functions/[^/]+/policy/?$`), "GetPolicy"},
	{http.MethodGet, regexp.MustCompile(`^/2021-10-31/functions/[^/]+/url/?$`), "GetFunctionUrlConfig"},
	{http.MethodGet, regexp.MustCompile(`^/2017-03-31/tags/.+$`), "ListTags"},
}

// s3Subresources name the S3 bucket GETs by their subresource.
var s3Subresources = map[string]string{
	"policyStatus": "GetBucketPolicyStatus", "publicAccessBlock": "GetPublicAccessBlock",
	"acl": "GetBucketAcl", "tagging": "GetBucketTagging", "policy": "GetBucketPolicy",
}

// callOf names the AWS call r makes, "client:Operation": the service from
// the SigV4 credential scope (S3 Control by its /v20180820/ paths, Elastic
// Load Balancing v2 by its API version), the operation from X-Amz-Target
// (JSON protocols), the Action parameter (query protocols), or, for the
// REST calls enrich makes, the path; any other REST call is named by its
// method and path. "" for an unsigned request.
func callOf(r *http.Request) string {
	m := credentialScope.FindStringSubmatch(r.Header.Get("Authorization"))
	if m == nil {
		return ""
	}
	service := m[1]
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		return service + ":" + target[strings.LastIndex(target, ".")+1:]
	}
	if form := queryForm(r); form.Get("Action") != "" {
		if service == "elasticloadbalancing" && form.Get("Version") == "2015-12-01" {
			service = "elasticloadbalancingv2"
		}
		return service + ":" + form.Get("Action")
	}
	path := r.URL.Path
	switch {
	case service == "s3" && strings.HasPrefix(path, "/v20180820/"):
		if r.Method == http.MethodGet && path == "/v20180820/configuration/publicAccessBlock" {
			return "s3control:GetPublicAccessBlock"
		}
		return "s3control:" + r.Method + " " + path
	case service == "s3" && r.Method == http.MethodGet:
		for sub, op := range s3Subresources {
			if r.URL.Query().Has(sub) {
				return "s3:" + op
			}
		}
	case service == "lambda":
		for _, p := range lambdaPaths {
			if r.Method == p.method && p.path.MatchString(path) {
				return "lambda:" + p.op
			}
		}
	}
	return service + ":" + r.Method + " " + path
}

// queryForm returns the form of a query-protocol request (the URL's query
// and a form-encoded body), leaving the body readable.
func queryForm(r *http.Request) url.Values {
	form := r.URL.Query()
	ct, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if r.Method != http.MethodPost || ct != "application/x-www-form-urlencoded" || r.Body == nil {
		return form
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, maxCountedBody+1))
	r.Body = io.NopCloser(io.MultiReader(bytes.NewReader(body), r.Body))
	if err != nil || len(body) > maxCountedBody {
		return form
	}
	if values, err := url.ParseQuery(string(body)); err == nil {
		for k, v := range values {
			form[k] = v
		}
	}
	return form
}
