// Package localstack runs trailwatch's AWS dependencies on this machine, for
// tests and local development: moto serves the AWS APIs (SQS, EventBridge,
// Step Functions, EC2, DynamoDB, SNS, ...) behind a gateway that also plays
// Lambda, running the functions' real bootstrap binaries, so that a state
// machine executed by moto calls the real functions.
//
// The gateway, at Stack.Endpoint, serves:
//   - Lambda's Invoke (POST /2015-03-31/functions/{name or ARN}/invocations,
//     invocation types RequestResponse, Event and DryRun), from moto's
//     lambda:invoke tasks, the SDK or Stack.Invoke. Each function has a pool
//     of processes: an idle one takes the invocation, or another one starts
//     when all are busy. A failure is answered as Lambda does: 200 with
//     X-Amz-Function-Error: Unhandled and {"errorType", "errorMessage"},
//     errorType being the handler's Go error type name, or
//     Runtime.ExitError (the process died), Sandbox.Timedout (the process
//     overran Config.Timeout and was killed) or Runtime.InvalidEntrypoint
//     (it could not start).
//   - the Lambda Runtime API those processes call, under a path of their
//     own (AWS_LAMBDA_RUNTIME_API=127.0.0.1:<port>/_trailwatch/runtime/<id>).
//   - the stack's own endpoints: /_trailwatch/faults (the fault plan, see
//     FaultPlan) and /_trailwatch/canary (see StartCanary).
//   - everything else, proxied to moto and counted by caller and call
//     (Stack.Calls), unchanged unless a fault plan says otherwise
//     (InjectFaults).
//
// Moto is started by package test/moto, the starter the functions' moto
// tests share. EventBridge in moto delivers to SQS targets but not to Step
// Functions, and moto does not run EventBridge Pipes: Stack.StartPipe
// plays the pipe from an intake queue to the state machine (pipe.go),
// Stack.StartForwarder a rule's Step Functions target. Stack.Redrive
// stands in for SQS's StartMessageMoveTask, Stack.StartCanary for the
// heartbeat schedule (canary.go), and Stack.InjectFaults breaks calls and
// invocations on purpose (faults.go).
//
// Everything listens on 127.0.0.1 only. It runs on Unix-like systems only
// (processes are managed as process groups).
package localstack

import (
	"context"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/rs/zerolog"
	"github.com/trailwatch/trailwatch/test/moto"
)

const (
	// Region is the region of every resource in the stack.
	Region = "us-east-1"
	// AccountID is moto's default account, the account of every resource.
	AccountID = "123456789012"

	// DefaultTimeout is the invocation timeout when Config.Timeout is 0.
	DefaultTimeout = 30 * time.Second

	accessKeyID     = "test"
	secretAccessKey = "test"

	startupTimeout  = 60 * time.Second
	shutdownTimeout = 5 * time.Second
)

// Config says what Start runs.
type Config struct {
	// Python is the interpreter that has moto (with its server and
	// stepfunctions extras); a relative path is taken from the working
	// directory, else from <repo>. Default: $TRAILWATCH_PYTHON; else
	// <repo>/.venv/bin/python when it has moto, <repo> being the nearest
	// directory above the working directory holding go.work; else python3.
	Python string
	// Functions are the functions the gateway runs, by name (e.g.
	// "trailwatch-parse").
	Functions map[string]Function
	// Env is extra environment for every function process (LOG_LEVEL, ...).
	// It may override the defaults (see Start), except
	// AWS_LAMBDA_RUNTIME_API.
	Env map[string]string
	// Logs receives moto's and the functions' output, line by line with a
	// prefix naming the process, and the stack's own log. Nil discards.
	Logs io.Writer
	// Timeout is the invocation timeout; 0 means DefaultTimeout.
	Timeout time.Duration
	// Port is the gateway's port on 127.0.0.1; 0 picks a free one.
	Port int
}

// Function is one function the gateway runs.
type Function struct {
	// Bootstrap is the path of its bootstrap binary.
	Bootstrap string
	// Env is the function's own environment (TABLE_NAME, TOPIC_ARN, ...),
	// as Lambda's per-function environment variables; it comes after
	// Config.Env and may override it.
	Env map[string]string
}

// Stack is a running local AWS: moto behind the gateway. Its methods are safe
// for concurrent use.
type Stack struct {
	endpoint string
	log      zerolog.Logger

	srv     *http.Server
	gw      *gateway
	moto    *moto.Server
	motoOut *lineWriter

	// ctx is cancelled by Close; it stops the forwarders.
	ctx    context.Context
	cancel context.CancelFunc

	mu         sync.Mutex
	closed     bool
	forwarders sync.WaitGroup // forwarders, pipes and the canary

	canary canary // canary.go

	closeOnce sync.Once
	closeErr  error
}

// Start starts a stack and returns when moto answers and executes state
// machines. ctx bounds the startup only; the stack runs until Close.
//
// The gateway listens on 127.0.0.1:cfg.Port and moto on a free port of
// 127.0.0.1. Function processes do not inherit the caller's environment;
// they get PATH, TZ=:UTC, AWS_ENDPOINT_URL (the gateway), AWS_REGION and
// AWS_DEFAULT_REGION (us-east-1), dummy AWS_ACCESS_KEY_ID and
// AWS_SECRET_ACCESS_KEY, AWS_EC2_METADATA_DISABLED=true, the AWS_LAMBDA_*
// variables, _HANDLER and LAMBDA_TASK_ROOT, AWS_SDK_UA_APP_ID (the
// function's name, by which Calls tells its calls apart), then cfg.Env,
// then the function's own Env.
//
// The error wraps ErrMotoNotFound when no interpreter was configured and
// none with moto was found. On any error, Start has stopped everything it
// started.
func Start(ctx context.Context, cfg Config) (*Stack, error) {
	ctx, cancelStartup := context.WithTimeout(ctx, startupTimeout)
	defer cancelStartup()

	if cfg.Timeout == 0 {
		cfg.Timeout = DefaultTimeout
	}
	functions := make(map[string]Function, len(cfg.Functions))
	for name, fn := range cfg.Functions {
		abs, err := executable(fn.Bootstrap)
		if err != nil {
			return nil, fmt.Errorf("function %s: %w", name, err)
		}
		functions[name] = Function{Bootstrap: abs, Env: fn.Env}
	}

	logs := cfg.Logs
	if logs == nil {
		logs = io.Discard
	}
	logs = &syncWriter{w: logs}
	log := zerolog.New(zerolog.ConsoleWriter{Out: logs, NoColor: true, TimeFormat: "15:04:05"}).
		With().Timestamp().Str("component", "localstack").Logger()

	ln, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(cfg.Port)))
	if err != nil {
		return nil, fmt.Errorf("listen for the gateway: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	endpoint := "http://" + ln.Addr().String()

	s := &Stack{endpoint: endpoint, log: log}
	s.ctx, s.cancel = context.WithCancel(context.Background())

	s.motoOut = newLineWriter(logs, "moto: ")
	s.moto, err = startMoto(ctx, cfg.Python, port, s.motoOut)
	if err != nil {
		_ = ln.Close()
		s.cancel()
		return nil, err
	}
	motoURL, err := url.Parse(s.moto.URL)
	if err != nil {
		_ = ln.Close()
		s.cancel()
		s.moto.Stop()
		return nil, fmt.Errorf("parse moto url: %w", err)
	}

	s.gw = newGateway(gatewayConfig{
		addr:      ln.Addr().String(),
		functions: functions,
		env:       functionEnv(endpoint, cfg.Env),
		timeout:   cfg.Timeout,
		moto:      motoURL,
		logs:      logs,
		log:       log,
	})
	control := http.NewServeMux()
	control.HandleFunc(faultsPath, s.serveFaults)
	control.HandleFunc(canaryPath, s.serveCanary)
	s.gw.control = control
	s.gw.putEvents = s.deliverArrayMatches
	s.srv = &http.Server{
		Handler:           s.gw,
		ReadHeaderTimeout: 10 * time.Second,
		ErrorLog:          stdlog.New(logWriter{log, "http_server_error"}, "", 0),
	}
	go func() {
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error().Err(err).Msg("gateway_stopped")
		}
	}()

	log.Info().Str("endpoint", endpoint).Str("moto", s.moto.URL).Msg("stack_started")
	return s, nil
}

// Endpoint returns the gateway's URL, http://127.0.0.1:<port>: the endpoint
// for every AWS service of the stack.
func (s *Stack) Endpoint() string { return s.endpoint }

// AWSConfig returns an SDK configuration for the stack: see ClientConfig.
func (s *Stack) AWSConfig() aws.Config { return ClientConfig(s.endpoint) }

// ClientConfig returns an SDK configuration for the stack at endpoint (its
// Endpoint, from another process): endpoint as the base endpoint of every
// service, static dummy credentials, region us-east-1. It reads nothing
// from the environment or shared config files.
func ClientConfig(endpoint string) aws.Config {
	return aws.Config{
		Region:       Region,
		Credentials:  credentials.NewStaticCredentialsProvider(accessKeyID, secretAccessKey, ""),
		BaseEndpoint: aws.String(endpoint),
	}
}

// FunctionARN returns the ARN of the function called name, as state machine
// definitions name it.
func (s *Stack) FunctionARN(name string) string { return FunctionARN(name) }

// FunctionARN returns the ARN of the function called name in the stack's
// region and account.
func FunctionARN(name string) string {
	return "arn:aws:lambda:" + Region + ":" + AccountID + ":function:" + name
}

// Close stops the forwarders, the pipes and the canary, kills every function process and moto (each
// with its process group), and stops the gateway. It waits until all of them
// have stopped. It is idempotent: later calls return the first call's
// result.
func (s *Stack) Close() error {
	s.closeOnce.Do(func() {
		s.mu.Lock()
		s.closed = true
		s.mu.Unlock()
		s.cancel()
		s.forwarders.Wait()

		s.gw.close()
		s.moto.Stop()
		s.motoOut.Flush()

		ctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
		defer cancel()
		if err := s.srv.Shutdown(ctx); err != nil {
			s.closeErr = errors.Join(fmt.Errorf("shut the gateway down: %w", err), s.srv.Close())
		}
		s.gw.wait()
		s.log.Info().Msg("stack_stopped")
	})
	return s.closeErr
}

// executable returns the absolute path of the regular file at path, or an
// error when it is missing or not executable.
func executable(path string) (string, error) {
	abs, err := filepath.Abs(path)
	if err != nil {
		return "", fmt.Errorf("resolve %s: %w", path, err)
	}
	fi, err := os.Stat(abs)
	if err != nil {
		return "", fmt.Errorf("stat bootstrap: %w", err)
	}
	if !fi.Mode().IsRegular() || fi.Mode().Perm()&0o111 == 0 {
		return "", fmt.Errorf("bootstrap %s is not an executable file", abs)
	}
	return abs, nil
}
