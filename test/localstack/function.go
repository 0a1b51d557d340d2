package localstack

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"sync/atomic"
	"time"
)

// Error types the gateway reports itself, as Lambda names them.
const (
	errorTypeExit       = "Runtime.ExitError"
	errorTypeTimeout    = "Sandbox.Timedout"
	errorTypeEntrypoint = "Runtime.InvalidEntrypoint"
	errorTypeUnknown    = "Runtime.Unknown"
)

// functionEnv returns the environment every function process shares: the
// defaults Start documents, then extra.
func functionEnv(endpoint string, extra map[string]string) map[string]string {
	path := os.Getenv("PATH")
	if path == "" {
		path = "/usr/local/bin:/usr/bin:/bin"
	}
	env := map[string]string{
		"PATH":                            path,
		"TZ":                              ":UTC",
		"AWS_ENDPOINT_URL":                endpoint,
		"AWS_REGION":                      Region,
		"AWS_DEFAULT_REGION":              Region,
		"AWS_ACCESS_KEY_ID":               accessKeyID,
		"AWS_SECRET_ACCESS_KEY":           secretAccessKey,
		"AWS_EC2_METADATA_DISABLED":       "true",
		"AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "128",
		"AWS_LAMBDA_FUNCTION_VERSION":     "$LATEST",
		"_HANDLER":                        "bootstrap",
	}
	for k, v := range extra {
		env[k] = v
	}
	return env
}

// function is one configured function and its pool of processes.
type function struct {
	name    string
	arn     string
	path    string
	env     []string // KEY=VALUE, without AWS_LAMBDA_RUNTIME_API
	timeout time.Duration
	gw      *gateway

	mu   sync.Mutex
	idle []*process // started, not assigned an invocation
}

// newFunction configures the function name: its processes get the
// AWS_LAMBDA_* variables of the function, then shared, then fn.Env.
func newFunction(gw *gateway, name string, fn Function, shared map[string]string, timeout time.Duration) *function {
	env := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":   name,
		"AWS_LAMBDA_LOG_GROUP_NAME":  "/aws/lambda/" + name,
		"AWS_LAMBDA_LOG_STREAM_NAME": "local",
		"LAMBDA_TASK_ROOT":           filepath.Dir(fn.Bootstrap),
	}
	for _, layer := range []map[string]string{shared, fn.Env} {
		for k, v := range layer {
			env[k] = v
		}
	}
	pairs := make([]string, 0, len(env))
	for k, v := range env {
		pairs = append(pairs, k+"="+v)
	}
	sort.Strings(pairs)
	return &function{name: name, arn: FunctionARN(name), path: fn.Bootstrap, env: pairs, timeout: timeout, gw: gw}
}

// invocation is one call of a function.
type invocation struct {
	requestID string
	payload   []byte
	deadline  time.Time
	started   atomic.Bool // handed to the runtime by /next
	done      chan result // capacity 1
}

// result is the outcome of an invocation: the response payload, or, when
// failed, the error document ({"errorType", "errorMessage", ...}).
type result struct {
	payload []byte
	failed  bool
}

func failure(errorType, message string) result {
	body, _ := json.Marshal(struct {
		ErrorType    string `json:"errorType"`
		ErrorMessage string `json:"errorMessage"`
	}{errorType, message})
	return result{payload: body, failed: true}
}

// errorDocument returns body when it is a JSON object with an errorType,
// else a document of type errorType (or Runtime.Unknown) carrying body as
// its message.
func errorDocument(body []byte, errorType string) []byte {
	var doc struct {
		ErrorType string `json:"errorType"`
	}
	if json.Unmarshal(body, &doc) == nil && doc.ErrorType != "" {
		return body
	}
	if errorType == "" {
		errorType = errorTypeUnknown
	}
	return failure(errorType, string(body)).payload
}

// invoke runs payload on an idle process, or a new one when every process
// is busy, and returns the outcome. It never fails: a process that cannot
// start, dies, or overruns the timeout (and is killed) yields a failed
// result with the errorType Lambda would report.
func (f *function) invoke(payload []byte) result {
	inv := &invocation{
		requestID: newUUID(),
		payload:   payload,
		deadline:  time.Now().Add(f.timeout),
		done:      make(chan result, 1),
	}
	timer := time.NewTimer(f.timeout)
	defer timer.Stop()
	for {
		p, fresh, err := f.acquire()
		if err != nil {
			return failure(errorTypeEntrypoint, fmt.Sprintf("RequestId: %s Error: %v", inv.requestID, err))
		}
		p.work <- inv
		select {
		case res := <-inv.done:
			f.release(p)
			return res
		case <-p.exited:
			select {
			case res := <-inv.done:
				return res
			default:
			}
			if !fresh && !inv.started.Load() {
				// It exited while idle, before taking this invocation: a
				// new process gets it.
				continue
			}
			return p.exitResult(inv)
		case <-timer.C:
			p.kill()
			select {
			case res := <-inv.done:
				return res
			default:
			}
			return failure(errorTypeTimeout, fmt.Sprintf("RequestId: %s Error: Task timed out after %.2f seconds",
				inv.requestID, f.timeout.Seconds()))
		}
	}
}

// acquire returns an idle process, or starts one (fresh is then true).
func (f *function) acquire() (p *process, fresh bool, err error) {
	f.mu.Lock()
	if n := len(f.idle); n > 0 {
		p = f.idle[n-1]
		f.idle = f.idle[:n-1]
		f.mu.Unlock()
		return p, false, nil
	}
	f.mu.Unlock()
	p, err = f.spawn()
	return p, true, err
}

// release returns p to the idle pool, unless it has exited.
func (f *function) release(p *process) {
	f.mu.Lock()
	defer f.mu.Unlock()
	select {
	case <-p.exited:
	default:
		f.idle = append(f.idle, p)
	}
}

func (f *function) forget(p *process) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i, q := range f.idle {
		if q == p {
			f.idle = append(f.idle[:i], f.idle[i+1:]...)
			return
		}
	}
}

// newUUID returns a random (version 4) UUID, as Lambda's request IDs are.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}
