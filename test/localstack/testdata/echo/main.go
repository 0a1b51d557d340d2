// Command echo is a Lambda function for the localstack tests. It answers
// with its input and facts about its process, or misbehaves on request.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/ec2"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/smithy-go"
)

// request is what the tests ask for; an empty one is simply echoed.
type request struct {
	Fail    string `json:"fail"`    // return an *EchoError with this message
	Exit    int    `json:"exit"`    // exit with this status, before answering
	Block   bool   `json:"block"`   // never answer
	Barrier string `json:"barrier"` // GET this URL before answering
	// Call makes one AWS call through the stack before answering, without
	// retries: "sqs:ListQueues" or "ec2:DescribeSecurityGroups" (of
	// Group); the answer's Called says what came back.
	Call  string `json:"call"`
	Group string `json:"group"`
}

// Response is the echo.
type Response struct {
	Echo         json.RawMessage `json:"echo"`
	PID          int             `json:"pid"`
	RequestID    string          `json:"requestId"`
	InvokedARN   string          `json:"invokedArn"`
	FunctionName string          `json:"functionName"`
	Endpoint     string          `json:"endpoint"`
	Region       string          `json:"region"`
	Extra        string          `json:"extra"`
	// Called is "ok", or the error code, of the call asked for; for
	// DescribeSecurityGroups, "ok" followed by the groups' ingress
	// permissions ("ok sg-1:2").
	Called string `json:"called,omitempty"`
}

// EchoError is the error the tests ask for with "fail".
type EchoError struct{ Message string }

func (e *EchoError) Error() string { return e.Message }

func handle(ctx context.Context, in json.RawMessage) (Response, error) {
	var req request
	_ = json.Unmarshal(in, &req) // not every payload is an object
	switch {
	case req.Fail != "":
		return Response{}, &EchoError{Message: req.Fail}
	case req.Exit != 0:
		os.Exit(req.Exit)
	case req.Block:
		select {}
	case req.Barrier != "":
		r, err := http.NewRequestWithContext(ctx, http.MethodGet, req.Barrier, nil)
		if err != nil {
			return Response{}, err
		}
		resp, err := http.DefaultClient.Do(r)
		if err != nil {
			return Response{}, fmt.Errorf("barrier: %w", err)
		}
		resp.Body.Close()
	}
	called := ""
	if req.Call != "" {
		called = call(ctx, req.Call, req.Group)
	}
	lc, _ := lambdacontext.FromContext(ctx)
	return Response{
		Called:       called,
		Echo:         in,
		PID:          os.Getpid(),
		RequestID:    lc.AwsRequestID,
		InvokedARN:   lc.InvokedFunctionArn,
		FunctionName: lambdacontext.FunctionName,
		Endpoint:     os.Getenv("AWS_ENDPOINT_URL"),
		Region:       os.Getenv("AWS_REGION"),
		Extra:        os.Getenv("ECHO_EXTRA"),
	}, nil
}

// call makes the AWS call named, as the functions do: the endpoint and the
// app id from the environment, no retries.
func call(ctx context.Context, name, group string) string {
	cfg := aws.Config{
		Region:       os.Getenv("AWS_REGION"),
		Credentials:  credentials.NewStaticCredentialsProvider("test", "test", ""),
		BaseEndpoint: aws.String(os.Getenv("AWS_ENDPOINT_URL")),
		AppID:        os.Getenv("AWS_SDK_UA_APP_ID"),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
	var err error
	result := "ok"
	switch name {
	case "sqs:ListQueues":
		_, err = sqs.NewFromConfig(cfg).ListQueues(ctx, &sqs.ListQueuesInput{})
	case "ec2:DescribeSecurityGroups":
		var out *ec2.DescribeSecurityGroupsOutput
		out, err = ec2.NewFromConfig(cfg).DescribeSecurityGroups(ctx, &ec2.DescribeSecurityGroupsInput{GroupIds: []string{group}})
		if err == nil {
			for _, g := range out.SecurityGroups {
				result += fmt.Sprintf(" %s:%d", aws.ToString(g.GroupId), len(g.IpPermissions))
			}
		}
	default:
		return "unknown call " + name
	}
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	if err != nil {
		return err.Error()
	}
	return result
}

func main() { lambda.Start(handle) }
