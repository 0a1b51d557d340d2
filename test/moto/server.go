package moto

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
)

// Options say how Start runs moto.
type Options struct {
	// Python is the interpreter; empty means FindPython's choice.
	Python string
	// Env is added to the caller's environment (KEY=VALUE), after
	// NO_PROXY=localhost,127.0.0.1 and PYTHONUNBUFFERED=1.
	Env []string
	// Config, when not empty, is the JSON document Start posts to
	// /moto-api/config before it returns (for example
	// {"stepfunctions": {"execute_state_machine": true}}).
	Config string
	// Output receives moto's standard output and error; nil discards.
	Output io.Writer
}

// Server is a running moto server.
type Server struct {
	// URL is http://127.0.0.1:<port>.
	URL string

	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd.Wait returned
	tail   *tail
	once   sync.Once
}

// errExited is returned by waitReady when moto exited before answering.
var errExited = errors.New("moto exited before it was ready")

// Start starts moto on a free port of 127.0.0.1 and returns once it answers
// (and took opts.Config). A port taken between picking and binding it makes
// moto exit; then Start tries again, up to three times. ctx bounds the
// start only. The error wraps ErrNotFound when FindPython's does; otherwise
// it carries moto's last output. On error nothing is left running.
func Start(ctx context.Context, opts Options) (*Server, error) {
	python, err := FindPython(ctx, opts.Python)
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		s, err := launch(python, opts)
		if err != nil {
			return nil, err
		}
		err = s.waitReady(ctx, opts.Config)
		if err == nil {
			return s, nil
		}
		s.Stop()
		if !errors.Is(err, errExited) || attempt == 3 {
			return nil, fmt.Errorf("start moto on %s with %s: %w; its last output:\n%s", s.URL, python, err, s.tail)
		}
	}
}

// server is the Python program Start runs: moto's server, after working
// around getmoto/moto#10077 (fixed upstream by #10093, after 5.2.1). Moto's
// Step Functions interpreter snapshots a state machine with copy.deepcopy
// before each execution; the state machine refers to its backend, and so to
// every execution so far, whose live worker threads and locks deepcopy
// cannot copy. From the second execution in the process on, StartExecution
// then fails with a 500 ("cannot pickle '_thread.RLock' object"). The
// workaround makes the snapshot share the backend and start with no
// executions, which is what the upstream fix does. If moto's code has moved,
// it warns on stderr and runs moto unpatched.
//
// It also reads workflow variables in JSONPath states: moto parses a
// reference such as "$finding" or "$finding.severity" (in Parameters, a
// Choice's Variable) but evaluates it as a JSONata expression, whose
// evaluator it ships disabled (a JVM bridge), so every reference fails with
// States.Runtime. In JSONPath, AWS resolves such a reference as the
// variable's value followed by the path
// (https://docs.aws.amazon.com/step-functions/latest/dg/workflow-variables.html);
// the patch does that, and fails a missing variable or member with the error
// moto's JSONPath reports for a missing path. JSONata states stay as moto has
// them (trailwatch has none). A moved moto warns and runs unpatched.
const server = `
import sys
try:
    import copy as _copy_mod
    from moto.stepfunctions.parser.asl.component.common.string import string_expression as _se
    from moto.stepfunctions.parser.asl.component.common.query_language import QueryLanguageMode as _QLM
    _moto_sample = _se.StringVariableSample._eval_body

    def _sample(self, env):
        if self.query_language_mode != _QLM.JSONPath:
            return _moto_sample(self, env)
        name, _, rest = self.expression[1:].partition(".")
        try:
            value = env.variable_store.get(name)
        except Exception:
            raise RuntimeError("The JSONPath '%s' could not be found: no variable %s" % (self.expression, name))
        for member in rest.split(".") if rest else []:
            if not isinstance(value, dict) or member not in value:
                raise RuntimeError("The JSONPath '%s' could not be found in the variables" % self.expression)
            value = value[member]
        env.stack.append(_copy_mod.deepcopy(value))

    _se.StringVariableSample._eval_body = _sample
except Exception as e:
    print("trailwatch: moto's JSONPath variables left unpatched:", repr(e), file=sys.stderr)
try:
    import types
    from moto.stepfunctions import models as _sfn
    from moto.stepfunctions.parser import models as _parser

    _copy = _parser.copy

    def _snapshot(x, memo=None):
        memo = {} if memo is None else memo
        if isinstance(x, _sfn.StateMachineInstance):
            for sm in [x, *getattr(x, "versions", {}).values()]:
                memo.setdefault(id(sm.executions), [])
            backend = getattr(x, "backend", None)
            if backend is not None:
                memo.setdefault(id(backend), backend)
        return _copy.deepcopy(x, memo)

    _parser.copy = types.SimpleNamespace(deepcopy=_snapshot)
except Exception as e:
    print("trailwatch: moto left unpatched (getmoto/moto#10077):", repr(e), file=sys.stderr)

from moto.server import main
main(sys.argv[1:])
`

func launch(python string, opts Options) (*Server, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s := &Server{
		URL:    "http://127.0.0.1:" + strconv.Itoa(port),
		exited: make(chan struct{}),
		tail:   &tail{max: 4096},
	}
	s.cmd = exec.Command(python, "-c", server, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	s.cmd.Env = append(os.Environ(), "NO_PROXY=localhost,127.0.0.1", "no_proxy=localhost,127.0.0.1", "PYTHONUNBUFFERED=1")
	s.cmd.Env = append(s.cmd.Env, opts.Env...)
	out := io.Writer(s.tail)
	if opts.Output != nil {
		out = io.MultiWriter(opts.Output, s.tail)
	}
	s.cmd.Stdout = out
	s.cmd.Stderr = out
	s.cmd.SysProcAttr = sysProcAttr()
	s.cmd.WaitDelay = time.Second
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto with %s: %w", python, err)
	}
	go func() {
		_ = s.cmd.Wait()
		close(s.exited)
	}()
	return s, nil
}

// waitReady asks moto until it answers (posting config when there is one),
// moto exits, or ctx is done.
func (s *Server) waitReady(ctx context.Context, config string) error {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}
	defer client.CloseIdleConnections()
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var lastErr error
	for {
		lastErr = s.ask(ctx, client, config)
		if lastErr == nil {
			return nil
		}
		select {
		case <-s.exited:
			return fmt.Errorf("%w: %v", errExited, s.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("wait for moto: %w (last attempt: %v)", ctx.Err(), lastErr)
		case <-tick.C:
		}
	}
}

// ask posts config to /moto-api/config, or, without one, gets /moto-api/,
// and returns an error unless moto answered 2xx. Moto's answer to the
// config does not show every setting, so a 2xx is all there is to check.
func (s *Server) ask(ctx context.Context, client *http.Client, config string) error {
	method, path, body := http.MethodGet, "/moto-api/", io.Reader(nil)
	if config != "" {
		method, path, body = http.MethodPost, "/moto-api/config", strings.NewReader(config)
	}
	req, err := http.NewRequestWithContext(ctx, method, s.URL+path, body)
	if err != nil {
		return err
	}
	if config != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 1024))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("%s %s: %s: %s", method, path, resp.Status, bytes.TrimSpace(msg))
	}
	return nil
}

// Tail returns the last 4 KB moto wrote.
func (s *Server) Tail() string { return s.tail.String() }

// Stop kills moto's process group and returns once moto has exited. It is
// idempotent.
func (s *Server) Stop() {
	s.once.Do(func() {
		select {
		case <-s.exited:
		default:
			_ = syscall.Kill(-s.cmd.Process.Pid, syscall.SIGKILL)
		}
		<-s.exited
	})
}

// freePort returns a port of 127.0.0.1 that was free a moment ago.
func freePort() (int, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("pick a free port: %w", err)
	}
	port := ln.Addr().(*net.TCPAddr).Port
	return port, ln.Close()
}

// tail keeps the last max bytes written to it.
type tail struct {
	mu  sync.Mutex
	max int
	buf []byte
}

func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if over := len(t.buf) - t.max; over > 0 {
		t.buf = append(t.buf[:0], t.buf[over:]...)
	}
	return len(p), nil
}

func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return string(t.buf)
}
