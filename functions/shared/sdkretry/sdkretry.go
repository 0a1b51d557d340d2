// Package sdkretry is the AWS SDK retry policy of every trailwatch
// function: the SDK's adaptive mode (client-side rate limiting that backs
// off when AWS throttles, on top of the standard exponential backoff with
// jitter), each retry counted in the Retries metric by operation.
//
// Use it in main, once: config.LoadDefaultConfig(ctx,
// config.WithRetryer(sdkretry.Adaptive)).
package sdkretry

import (
	"context"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsmiddleware "github.com/aws/aws-sdk-go-v2/aws/middleware"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/trailwatch/trailwatch/functions/shared/metrics"
)

// Adaptive returns the adaptive retryer, counting retries.
func Adaptive() aws.Retryer {
	return &counting{RetryerV2: retry.NewAdaptiveMode()}
}

// AnsweredOnly returns the adaptive retryer that retries only errors AWS
// answered with (throttling, server errors, the SDK's retryable codes),
// never a call whose answer was lost (a timeout, a connection broken after
// the request was sent): for a call that must not be made twice when it
// may have succeeded, such as SNS Publish.
func AnsweredOnly() aws.Retryer {
	return &counting{RetryerV2: retry.NewAdaptiveMode(func(o *retry.AdaptiveModeOptions) {
		o.StandardOptions = append(o.StandardOptions, func(so *retry.StandardOptions) {
			so.Retryables = Answered
		})
	})}
}

// Answered are the retryable errors of AnsweredOnly.
var Answered = []retry.IsErrorRetryable{
	retry.NoRetryCanceledError{},
	retry.RetryableHTTPStatusCode{Codes: retry.DefaultRetryableHTTPStatusCodes},
	retry.RetryableErrorCode{Codes: retry.DefaultRetryableErrorCodes},
	retry.RetryableErrorCode{Codes: retry.DefaultThrottleErrorCodes},
}

// counting counts each retry the retryer grants in the Retries metric,
// by the operation's name.
type counting struct {
	aws.RetryerV2
}

// GetRetryToken asks the retryer for a retry and counts it when granted.
func (c *counting) GetRetryToken(ctx context.Context, opErr error) (func(error) error, error) {
	release, err := c.RetryerV2.GetRetryToken(ctx, opErr)
	if err == nil {
		metrics.Count(ctx, metrics.Retries, metrics.Dimension{Name: "Operation", Value: awsmiddleware.GetOperationName(ctx)})
	}
	return release, err
}
