package main

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/smithy-go/middleware"
	"github.com/google/go-cmp/cmp"
)

// reply is what a recorded client answers one operation with: a file of
// testdata/responses (see its README for each file's source) and the HTTP
// status, 200 when zero.
type reply struct {
	file   string
	status int
}

// recorded is an SDK HTTP client that answers each operation with its
// recorded response, so that the SDK's own deserializers decode the real
// shape and the adapter maps it. It fails the test on an operation it has
// no reply for, and counts the calls of each operation.
type recorded struct {
	t       *testing.T
	replies map[string]reply

	mu    sync.Mutex
	calls map[string]int
}

// newRecorded returns a recorded client answering replies (by operation
// name).
func newRecorded(t *testing.T, replies map[string]reply) *recorded {
	return &recorded{t: t, replies: replies, calls: map[string]int{}}
}

// Do answers req with the reply of the operation the SDK is making.
func (r *recorded) Do(req *http.Request) (*http.Response, error) {
	op := middleware.GetOperationName(req.Context())
	r.mu.Lock()
	r.calls[op]++
	r.mu.Unlock()
	rep, ok := r.replies[op]
	if !ok {
		r.t.Errorf("unexpected call %s %s", op, req.URL)
		return response(req, http.StatusBadRequest, "text/xml", []byte("<Error><Code>Unexpected</Code></Error>")), nil
	}
	body, err := os.ReadFile(filepath.Join("testdata", "responses", rep.file))
	if err != nil {
		r.t.Fatal(err)
	}
	contentType := "text/xml"
	if strings.HasSuffix(rep.file, ".json") {
		contentType = "application/json"
	}
	status := rep.status
	if status == 0 {
		status = http.StatusOK
	}
	return response(req, status, contentType, body), nil
}

func response(req *http.Request, status int, contentType string, body []byte) *http.Response {
	return &http.Response{
		StatusCode:    status,
		Status:        http.StatusText(status),
		Header:        http.Header{"Content-Type": {contentType}},
		Body:          readCloser{bytes.NewReader(body)},
		ContentLength: int64(len(body)),
		Request:       req,
	}
}

type readCloser struct{ *bytes.Reader }

func (readCloser) Close() error { return nil }

// config returns an SDK configuration whose clients reach r: static
// credentials, no retries.
func (r *recorded) config() aws.Config {
	return aws.Config{
		Region:      "us-east-1",
		Credentials: credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		HTTPClient:  r,
		Retryer:     func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// callsOf returns how many times op was called.
func (r *recorded) callsOf(op string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.calls[op]
}

// background is the context of the recorded tests.
var background = context.Background()

// recordedCase is one adapter call answered by recorded responses, and
// what the adapter must map them to.
type recordedCase struct {
	name string
	call func() (any, error)
	want any
}

// runRecorded runs each case as a subtest.
func runRecorded(t *testing.T, cases []recordedCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.call()
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, got, cmp.AllowUnexported(shares{})); diff != "" {
				t.Errorf("(-want +got):\n%s", diff)
			}
		})
	}
}

// sharesOf returns a shares lookup's answer as one value.
func sharesOf(grantees []string, found bool, err error) (any, error) {
	return shares{grantees, found}, err
}
