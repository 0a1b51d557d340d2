// Package coldstart measures how long each function's bootstrap takes from
// process start to its first poll of the Lambda Runtime API
// (GET /2018-06-01/runtime/invocation/next): the init Lambda bills and
// every cold start waits for. It runs the host binaries with the
// environment terraform gives them, against a Runtime API that only
// timestamps that first request.
package coldstart

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"slices"
	"time"

	"github.com/trailwatch/trailwatch/test/pipeline"
)

// Measure starts the bootstrap at path runs times with env (NAME=value)
// and returns each time from the process start to its first poll.
func Measure(ctx context.Context, path string, env []string, runs int) ([]time.Duration, error) {
	var out []time.Duration
	for range runs {
		d, err := once(ctx, path, env)
		if err != nil {
			return nil, err
		}
		out = append(out, d)
	}
	return out, nil
}

func once(ctx context.Context, path string, env []string) (time.Duration, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	polled := make(chan time.Time, 1)
	srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/2018-06-01/runtime/invocation/next" {
			select {
			case polled <- time.Now():
			default:
			}
		}
		<-r.Context().Done() // never answer: the process is killed
	})}
	go srv.Serve(ln)
	defer srv.Close()
	cmd := exec.CommandContext(ctx, path)
	cmd.Env = append(slices.Clone(env), "AWS_LAMBDA_RUNTIME_API="+ln.Addr().String())
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return 0, err
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	defer func() { _ = cmd.Process.Kill(); <-exited }()
	select {
	case t := <-polled:
		return t.Sub(start), nil
	case err := <-exited:
		return 0, fmt.Errorf("%s exited before polling the Runtime API: %v", path, err)
	case <-time.After(10 * time.Second):
		return 0, fmt.Errorf("%s did not poll the Runtime API within 10s", path)
	}
}

// Environment is each step's environment as terraform sets it (names,
// dedupe durations), with the variables every Lambda has.
func Environment() (map[string][]string, error) {
	byStep, err := pipeline.Default.Environment(nil)
	if err != nil {
		return nil, err
	}
	out := map[string][]string{}
	for step, vars := range byStep {
		env := []string{
			"PATH=" + os.Getenv("PATH"), "AWS_REGION=us-east-1", "AWS_DEFAULT_REGION=us-east-1",
			"AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_SESSION_TOKEN=test",
			"AWS_LAMBDA_FUNCTION_NAME=" + step, "AWS_LAMBDA_FUNCTION_MEMORY_SIZE=128", "AWS_LAMBDA_FUNCTION_VERSION=$LATEST",
		}
		for k, v := range vars {
			env = append(env, k+"="+v)
		}
		out[step] = env
	}
	return out, nil
}

// Stats are the median, 90th percentile and maximum of ds.
func Stats(ds []time.Duration) (median, p90, max time.Duration) {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2], s[(len(s)*9)/10], s[len(s)-1]
}
