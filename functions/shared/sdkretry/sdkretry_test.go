package sdkretry

import (
	"bytes"
	"context"
	"errors"
	"net"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
	"github.com/rs/zerolog"
)

// TestRetryables: both retryers retry throttling; only Adaptive retries a
// connection broken after the request was sent.
func TestRetryables(t *testing.T) {
	throttled := &smithy.GenericAPIError{Code: "Throttling", Message: "Rate exceeded"}
	reset := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	for _, tc := range []struct {
		name    string
		retryer aws.Retryer
		err     error
		want    bool
	}{
		{"adaptive, throttled", Adaptive(), throttled, true},
		{"answered only, throttled", AnsweredOnly(), throttled, true},
		{"adaptive, connection reset", Adaptive(), reset, true},
		{"answered only, connection reset", AnsweredOnly(), reset, false},
		{"answered only, canceled", AnsweredOnly(), context.Canceled, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := tc.retryer.IsErrorRetryable(tc.err); got != tc.want {
				t.Errorf("IsErrorRetryable(%v) = %v, want %v", tc.err, got, tc.want)
			}
		})
	}
	if _, ok := Adaptive().(*counting).RetryerV2.(*retry.AdaptiveMode); !ok {
		t.Error("Adaptive is not the SDK's adaptive mode")
	}
}

// TestRetriesCounted: a granted retry counts in Retries by operation.
func TestRetriesCounted(t *testing.T) {
	var logs bytes.Buffer
	ctx := zerolog.New(&logs).WithContext(context.Background())
	ctx = awsmiddleware.SetOperationName(ctx, "DescribeSecurityGroups")
	r := Adaptive().(aws.RetryerV2)
	if _, err := r.GetRetryToken(ctx, &smithy.GenericAPIError{Code: "RequestLimitExceeded"}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(logs.String(), `"Operation":"DescribeSecurityGroups","Retries":1`) {
		t.Errorf("no Retries{Operation=DescribeSecurityGroups}: %s", logs.String())
	}
}
