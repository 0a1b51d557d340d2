package localstack

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"syscall"
	"time"

	"github.com/rs/zerolog"
)

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

// spawn starts a process of f with its own Runtime API address.
func (f *function) spawn() (*process, error) {
	p := &process{fn: f, work: make(chan *invocation, 1), exited: make(chan struct{})}
	err := f.gw.register(p, func(id string) error {
		p.id = id
		p.out = newLineWriter(f.gw.logs, f.name+"["+id+"]: ")
		p.cmd = exec.Command(f.path)
		p.cmd.Dir = filepath.Dir(f.path)
		// The app id tells the gateway which process makes a call: the
		// caller Stack.Calls counts and fault plans crash.
		p.cmd.Env = append(slices.Clip(f.env), "AWS_LAMBDA_RUNTIME_API="+f.gw.runtimeAPI(id), "AWS_SDK_UA_APP_ID="+f.name+"#"+id)
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
