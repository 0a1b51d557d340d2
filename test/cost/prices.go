// Package cost measures what one CloudTrail event costs trailwatch on AWS:
// it runs the sample events through the pipeline on the local stack (the
// demo's), measures each execution's history as Step Functions would log
// it at each log level (bytes as CloudWatch Logs ingests them), each
// function's invocations and durations, and the DynamoDB and SNS calls the
// functions make, then prices them per million executions from AWS's
// public list prices (prices.go). test/cmd/cost runs it; its table is the
// README's cost section (README.go).
package cost

// Price is one AWS list price: USD per Unit, as published on URL.
type Price struct {
	USD  float64
	Unit string
	URL  string
}

// Prices are the list prices the estimate uses.
type Prices struct {
	// Region and Read say where and when the prices were read.
	Region string
	Read   string

	ExpressRequest  Price // per request
	ExpressGBSecond Price // Express duration, billed in 64 MB chunks and 100 ms steps
	LambdaRequest   Price
	LambdaGBSecond  Price // arm64
	DynamoDBWrite   Price // on-demand write request unit
	DynamoDBRead    Price // on-demand read request unit
	SNSRequest      Price // each 64 KB of a publish
	SNSEmail        Price // per email notification
	LogsIngestedGB  Price // CloudWatch Logs ingestion (vended and custom logs, first tier)
	XRayTrace       Price // per trace recorded
}

// ListPrices are AWS's on-demand list prices in us-east-1, read on
// 2026-12-01 from the pages each names (first tier, free tiers left out).
var ListPrices = Prices{
	Region: "us-east-1",
	Read:   "2026-12-01",
	ExpressRequest: Price{1.00 / 1e6, "request",
		"https://aws.amazon.com/step-functions/pricing/"},
	ExpressGBSecond: Price{0.00001667, "GB-second",
		"https://aws.amazon.com/step-functions/pricing/"},
	LambdaRequest: Price{0.20 / 1e6, "request",
		"https://aws.amazon.com/lambda/pricing/"},
	LambdaGBSecond: Price{0.0000133334, "GB-second (arm64)",
		"https://aws.amazon.com/lambda/pricing/"},
	DynamoDBWrite: Price{0.625 / 1e6, "write request unit",
		"https://aws.amazon.com/dynamodb/pricing/on-demand/"},
	DynamoDBRead: Price{0.125 / 1e6, "read request unit",
		"https://aws.amazon.com/dynamodb/pricing/on-demand/"},
	SNSRequest: Price{0.50 / 1e6, "request (64 KB)",
		"https://aws.amazon.com/sns/pricing/"},
	SNSEmail: Price{2.00 / 1e5, "email notification",
		"https://aws.amazon.com/sns/pricing/"},
	LogsIngestedGB: Price{0.50, "GB ingested",
		"https://aws.amazon.com/cloudwatch/pricing/"},
	XRayTrace: Price{5.00 / 1e6, "trace recorded",
		"https://aws.amazon.com/xray/pricing/"},
}
