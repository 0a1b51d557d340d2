// Command echo is a Lambda function for the localstack tests. It answers
// with its input and facts about its process, or misbehaves on request.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
)

// request is what the tests ask for; an empty one is simply echoed.
type request struct {
	Fail    string `json:"fail"`    // return an *EchoError with this message
	Exit    int    `json:"exit"`    // exit with this status, before answering
	Block   bool   `json:"block"`   // never answer
	Barrier string `json:"barrier"` // GET this URL before answering
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
	lc, _ := lambdacontext.FromContext(ctx)
	return Response{
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

func main() { lambda.Start(handle) }
