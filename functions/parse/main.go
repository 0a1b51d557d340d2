// Command parse is trailwatch's first step: it turns a CloudTrail event
// (EventBridge envelope or bare record) into a finding.
//
// It reads no configuration besides LOG_LEVEL (deployment.json lists no
// environment for it) and needs no AWS client. With one argument it parses
// that event file and prints the finding.
//
// With the handler "backtest" (Lambda's _HANDLER, which
// terraform/modules/backtest configures), it is the backtest's function
// instead (Backtest): it reads CloudTrail log files from S3 and writes
// their findings back, with the SDK's default configuration.
package main

import (
	"context"
	"fmt"
	"os"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/trailwatch/trailwatch/functions/shared/lambdarun"
	"github.com/trailwatch/trailwatch/functions/shared/sdkretry"
)

// handlerEnv is the variable Lambda sets to the function's handler.
const handlerEnv = "_HANDLER"

func main() {
	logger := lambdarun.Logger(os.Stderr, "parse")
	if os.Getenv(handlerEnv) != BacktestHandler {
		lambdarun.Start(NewHandler(logger).Handle)
		return
	}
	awsCfg, err := config.LoadDefaultConfig(context.Background(), config.WithRetryer(sdkretry.Adaptive))
	if err != nil {
		lambdarun.Abort(logger, fmt.Errorf("load AWS config: %w", err))
	}
	backtest := NewBacktest(NewS3(s3.NewFromConfig(awsCfg)), logger.With().Str("mode", BacktestHandler).Logger())
	lambdarun.Start(backtest.Handle)
}
