package localstack

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/rs/zerolog"
)

// Error types the gateway reports itself, as Lambda names them.
const (
	errorTypeExit       = "Runtime.ExitError"
	errorTypeTimeout    = "Sandbox.Timedout"
	errorTypeEntrypoint = "Runtime.InvalidEntrypoint"
	errorTypeUnknown    = "Runtime.Unknown"
)

// functionEnv returns the environment every function process shares, as
// KEY=VALUE pairs: the defaults Start documents, then extra.
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
	env     []string // without AWS_LAMBDA_RUNTIME_API
	timeout time.Duration
	gw      *gateway

	mu   sync.Mutex
	idle []*process // started, not assigned an invocation
}

func newFunction(gw *gateway, name, path string, shared map[string]string, timeout time.Duration) *function {
	env := map[string]string{
		"AWS_LAMBDA_FUNCTION_NAME":   name,
		"AWS_LAMBDA_LOG_GROUP_NAME":  "/aws/lambda/" + name,
		"AWS_LAMBDA_LOG_STREAM_NAME": "local",
		"LAMBDA_TASK_ROOT":           filepath.Dir(path),
	}
	for k, v := range shared { // shared holds cfg.Env, which may override
		env[k] = v
	}
	pairs := make([]string, 0, len(env))
	for k, v := range env {
		pairs = append(pairs, k+"="+v)
	}
	sort.Strings(pairs)
	return &function{name: name, arn: FunctionARN(name), path: path, env: pairs, timeout: timeout, gw: gw}
}

// process is one running bootstrap binary of a function.
type process struct {
	fn     *function
	id     string // routes its Runtime API calls; unique within the gateway
	cmd    *exec.Cmd
	out    *lineWriter
	work   chan *invocation // capacity 1: the invocation assigned to it
	exited chan struct{}    // closed once it has exited

	mu        sync.Mutex
	current   *invocation // handed out by /next, not answered yet
	initError []byte      // body of its /init/error, if it posted one
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

// spawn starts a process of f with its own Runtime API address.
func (f *function) spawn() (*process, error) {
	p := &process{fn: f, work: make(chan *invocation, 1), exited: make(chan struct{})}
	err := f.gw.register(p, func(id string) error {
		p.id = id
		p.out = newLineWriter(f.gw.logs, f.name+"["+id+"]: ")
		p.cmd = exec.Command(f.path)
		p.cmd.Dir = filepath.Dir(f.path)
		p.cmd.Env = append(slices.Clip(f.env), "AWS_LAMBDA_RUNTIME_API="+f.gw.runtimeAPI(id))
		p.cmd.Stdout = p.out
		p.cmd.Stderr = p.out
		p.cmd.SysProcAttr = sysProcAttr()
		p.cmd.WaitDelay = time.Second
		if err := p.cmd.Start(); err != nil {
			return fmt.Errorf("start %s: %w", f.path, err)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	f.gw.log.Debug().Str("function", f.name).Str("process", p.id).Int("pid", p.cmd.Process.Pid).Msg("process_started")
	go p.wait()
	return p, nil
}

// wait reaps p and takes it out of the pool and the gateway. exited is
// closed before p leaves the idle list, so release, which checks exited
// under the same lock, never parks a dead process there for good.
func (p *process) wait() {
	err := p.cmd.Wait()
	p.out.Flush()
	lvl := zerolog.DebugLevel
	if err != nil && !p.killed() {
		lvl = zerolog.WarnLevel
	}
	p.fn.gw.log.WithLevel(lvl).Str("function", p.fn.name).Str("process", p.id).
		Str("state", p.cmd.ProcessState.String()).Msg("process_exited")
	close(p.exited)
	p.fn.forget(p)
	p.fn.gw.unregister(p)
}

func (p *process) killed() bool {
	ws, ok := p.cmd.ProcessState.Sys().(syscall.WaitStatus)
	return ok && ws.Signaled() && ws.Signal() == syscall.SIGKILL
}

// kill kills p's process group; p.exited is closed soon after.
func (p *process) kill() {
	select {
	case <-p.exited:
	default:
		_ = syscall.Kill(-p.cmd.Process.Pid, syscall.SIGKILL)
	}
}

// exitResult is the outcome of inv when p exited before answering it: p's
// init error if it posted one, else Runtime.ExitError.
func (p *process) exitResult(inv *invocation) result {
	p.mu.Lock()
	initError := p.initError
	p.mu.Unlock()
	if initError != nil {
		return result{payload: initError, failed: true}
	}
	return failure(errorTypeExit, fmt.Sprintf("RequestId: %s Error: Runtime exited with error: %s",
		inv.requestID, p.cmd.ProcessState))
}

// take hands the next invocation to the runtime of p: it blocks until one is
// assigned, p exits, or stop is closed.
func (p *process) take(stop <-chan struct{}) (*invocation, bool) {
	select {
	case inv := <-p.work:
		p.mu.Lock()
		p.current = inv
		p.mu.Unlock()
		inv.started.Store(true)
		return inv, true
	case <-p.exited:
	case <-stop:
	}
	return nil, false
}

// answer completes the current invocation when its request ID is id, and
// reports whether it was.
func (p *process) answer(id string, res result) bool {
	p.mu.Lock()
	inv := p.current
	if inv == nil || inv.requestID != id {
		p.mu.Unlock()
		return false
	}
	p.current = nil
	p.mu.Unlock()
	inv.done <- res
	return true
}

func (p *process) setInitError(body []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.initError = body
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
