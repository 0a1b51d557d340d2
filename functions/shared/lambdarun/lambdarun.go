// Package lambdarun is the wiring every trailwatch function shares: the base
// logger, per-invocation log fields, how a start-up failure is reported,
// and the choice between running as a Lambda and handling one event file
// locally.
//
// Every function's main has one shape: build the logger (Logger), read the
// configuration with its one function configFromEnv(os.Getenv) (parse has
// none to read), build the SDK clients once, build the handler with
// NewHandler(adapters..., logger[, config]) and Start it; a start-up error
// goes to Abort.
package lambdarun

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"sync/atomic"

	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/functions/shared/deployment"
)

// Logger returns the base JSON logger of a function, writing to w, with the
// service and function names on every line. The level comes from LOG_LEVEL
// (trace, debug, info, warn, error); an unknown or empty value means info.
func Logger(w io.Writer, function string) zerolog.Logger {
	level, err := zerolog.ParseLevel(strings.ToLower(os.Getenv(deployment.EnvLogLevel)))
	if err != nil || level == zerolog.NoLevel {
		level = zerolog.InfoLevel
	}
	return zerolog.New(w).Level(level).With().Timestamp().
		Str("service", "trailwatch").Str("function", function).Logger()
}

// exit ends the process; tests replace it.
var exit = os.Exit

// Abort reports err, which keeps the function from starting (its
// configuration is invalid, its SDK clients cannot be built), as one log
// line at fatal level with the static message "startup_failed", and exits
// with status 1. Call it from main only.
func Abort(log zerolog.Logger, err error) {
	log.WithLevel(zerolog.FatalLevel).Err(err).Msg("startup_failed")
	exit(1)
}

// coldStart is true until the first invocation of the process.
var coldStart atomic.Bool

func init() { coldStart.Store(true) }

// traceEnv is the variable the Lambda runtime sets to the invocation's
// X-Ray trace header (aws-lambda-go sets it per invocation).
const traceEnv = "_X_AMZN_TRACE_ID"

// WithInvocation returns ctx carrying a child of base with the
// invocation's fields, named as Lambda Powertools names them:
// function_request_id (from the Lambda context, when there is one),
// cold_start (true on the process's first invocation), xray_trace_id (the
// Root of the trace header, when there is one); and execution_id (when not
// empty). Code below reads it with zerolog.Ctx(ctx).
func WithInvocation(ctx context.Context, base zerolog.Logger, executionID string) context.Context {
	lc := base.With()
	if l, ok := lambdacontext.FromContext(ctx); ok {
		lc = lc.Str("function_request_id", l.AwsRequestID)
	}
	lc = lc.Bool("cold_start", coldStart.Swap(false))
	if id := traceRoot(os.Getenv(traceEnv)); id != "" {
		lc = lc.Str("xray_trace_id", id)
	}
	if executionID != "" {
		lc = lc.Str("execution_id", executionID)
	}
	logger := lc.Logger()
	return logger.WithContext(ctx)
}

// traceRoot is the Root of an X-Ray trace header
// ("Root=1-5759e988-bd862e3fe1be46a994272793;Parent=…;Sampled=1"), or
// the header itself when it has no Root field.
func traceRoot(header string) string {
	for _, part := range strings.Split(header, ";") {
		if root, ok := strings.CutPrefix(strings.TrimSpace(part), "Root="); ok {
			return root
		}
	}
	return strings.TrimSpace(header)
}

// Handler is a typed Lambda handler.
type Handler[In, Out any] func(context.Context, In) (Out, error)

// Start runs h. With exactly one command-line argument, it reads that file as
// the event, calls h once, prints the result as JSON to stdout and exits 0;
// on error it prints {"errorType", "errorMessage"} (the shape Lambda reports)
// to stdout and exits 1. Otherwise it starts the Lambda runtime loop.
func Start[In, Out any](h Handler[In, Out]) {
	if len(os.Args) == 2 {
		os.Exit(RunFile(context.Background(), h, os.Args[1], os.Stdout))
	}
	lambda.Start(h)
}

// RunFile handles the event in the file at path with h, writes the result (or
// the error, in Lambda's shape) as indented JSON to out, and returns the exit
// status: 0 on success, 1 when h failed, 2 when the file could not be read
// or decoded.
func RunFile[In, Out any](ctx context.Context, h Handler[In, Out], path string, out io.Writer) int {
	data, err := os.ReadFile(path)
	if err != nil {
		writeJSON(out, ErrorResponse{ErrorType: "ReadError", ErrorMessage: err.Error()})
		return 2
	}
	var in In
	if err := json.Unmarshal(data, &in); err != nil {
		writeJSON(out, ErrorResponse{ErrorType: "DecodeError", ErrorMessage: fmt.Sprintf("decode %s: %v", path, err)})
		return 2
	}
	ctx = lambdacontext.NewContext(ctx, &lambdacontext.LambdaContext{AwsRequestID: "local"})
	res, err := h(ctx, in)
	if err != nil {
		writeJSON(out, ErrorResponse{ErrorType: ErrorType(err), ErrorMessage: err.Error()})
		return 1
	}
	writeJSON(out, res)
	return 0
}

// ErrorResponse is the error shape the Lambda runtime reports.
type ErrorResponse struct {
	ErrorType    string `json:"errorType"`
	ErrorMessage string `json:"errorMessage"`
}

// ErrorType is the name aws-lambda-go reports for err: the type name of the
// outermost error, without the pointer.
func ErrorType(err error) string {
	t := reflect.TypeOf(err)
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t.Name()
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	_ = enc.Encode(v)
}
