package localstack

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
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// motoModules are the Python modules moto's server and its Step Functions
// interpreter import.
var motoModules = []string{"moto", "werkzeug", "flask", "flask_cors", "antlr4", "jsonpath_ng"}

// findPython returns the interpreter to run moto with: configured (the
// argument, else $TRAILWATCH_PYTHON; a relative path is taken from the
// working directory, else from <repo>), which must have moto; else the first
// of <repo>/.venv/bin/python and python3 that has it. Only in the last case
// does the error wrap ErrMotoNotFound.
func findPython(ctx context.Context, configured string) (string, error) {
	if configured == "" {
		configured = os.Getenv("TRAILWATCH_PYTHON")
	}
	if configured != "" {
		configured = resolvePython(configured)
		if err := checkPython(ctx, configured); err != nil {
			return "", fmt.Errorf("configured python: %w", err)
		}
		return configured, nil
	}
	var candidates []string
	if root, ok := repoRoot(); ok {
		venv := filepath.Join(root, ".venv", "bin", "python")
		if _, err := os.Stat(venv); err == nil {
			candidates = append(candidates, venv)
		}
	}
	candidates = append(candidates, "python3")
	var errs []error
	for _, c := range candidates {
		err := checkPython(ctx, c)
		if err == nil {
			return c, nil
		}
		errs = append(errs, err)
	}
	return "", fmt.Errorf("%w (run `make moto`, or set TRAILWATCH_PYTHON): %w",
		ErrMotoNotFound, errors.Join(errs...))
}

// resolvePython returns python, or, when it is a relative path (such as the
// Makefile's .venv/bin/python) missing from the working directory (go test
// runs in the package's), that path under <repo>.
func resolvePython(python string) string {
	if !strings.Contains(python, "/") || filepath.IsAbs(python) {
		return python
	}
	if _, err := os.Stat(python); err == nil {
		return python
	}
	if root, ok := repoRoot(); ok {
		if p := filepath.Join(root, python); fileExists(p) {
			return p
		}
	}
	return python
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// checkPython returns an error unless python runs and finds every module of
// motoModules. It imports nothing, so it is quick.
func checkPython(ctx context.Context, python string) error {
	script := "import importlib.util as u, sys\n" +
		"missing = [m for m in sys.argv[1:] if u.find_spec(m) is None]\n" +
		"print(' '.join(missing))\n" +
		"sys.exit(3 if missing else 0)\n"
	cmd := exec.CommandContext(ctx, python, append([]string{"-c", script}, motoModules...)...)
	out, err := cmd.Output()
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit) && exit.ExitCode() == 3:
		return fmt.Errorf("%s lacks the python modules %s", python, strings.TrimSpace(string(out)))
	case err != nil:
		return fmt.Errorf("run %s: %w", python, err)
	}
	return nil
}

// repoRoot returns the nearest directory at or above the working directory
// that holds go.work.
func repoRoot() (string, bool) {
	dir, err := os.Getwd()
	if err != nil {
		return "", false
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.work")); err == nil {
			return dir, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// motoServer is the Python program Start runs: moto's server, after working
// around getmoto/moto#10077 (fixed upstream by #10093, after 5.2.1). Moto's
// Step Functions interpreter snapshots a state machine with copy.deepcopy
// before each execution; the state machine refers to its backend, and so to
// every execution so far, whose live worker threads and locks deepcopy
// cannot copy. From the second execution in the process on, StartExecution
// then fails with a 500 ("cannot pickle '_thread.RLock' object"). The
// workaround makes the snapshot share the backend and start with no
// executions, which is what the upstream fix does. If moto's code has moved,
// it warns on stderr and runs moto unpatched.
const motoServer = `
import sys
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

// motoProcess is a running moto server.
type motoProcess struct {
	url    string
	cmd    *exec.Cmd
	exited chan struct{} // closed once cmd.Wait returned
	out    *lineWriter
	tail   *tailWriter
}

// errMotoExited is returned by waitReady when moto exited before answering.
var errMotoExited = errors.New("moto exited before it was ready")

// motoConfig makes moto execute state machines, calling Lambda tasks at
// http://localhost:$MOTO_PORT.
const motoConfig = `{"stepfunctions": {"execute_state_machine": true}}`

// startMoto starts moto on a free port of 127.0.0.1, with MOTO_PORT set to
// gatewayPort so that moto's Step Functions interpreter calls Lambda through
// the gateway, and returns once moto executes state machines. A port taken
// between picking and binding it makes moto exit; then it tries again, up
// to three times.
func startMoto(ctx context.Context, python string, gatewayPort int, logs io.Writer) (*motoProcess, error) {
	for attempt := 1; ; attempt++ {
		m, err := launchMoto(python, gatewayPort, logs)
		if err != nil {
			return nil, err
		}
		err = m.waitReady(ctx)
		if err == nil {
			return m, nil
		}
		m.stop()
		if !errors.Is(err, errMotoExited) || attempt == 3 {
			return nil, fmt.Errorf("start moto on %s: %w; its last output:\n%s", m.url, err, m.tail.String())
		}
	}
}

func launchMoto(python string, gatewayPort int, logs io.Writer) (*motoProcess, error) {
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	m := &motoProcess{
		url:    "http://127.0.0.1:" + strconv.Itoa(port),
		exited: make(chan struct{}),
		out:    newLineWriter(logs, "moto: "),
		tail:   &tailWriter{max: 4096},
	}
	m.cmd = exec.Command(python, "-c", motoServer, "-H", "127.0.0.1", "-p", strconv.Itoa(port))
	m.cmd.Env = append(os.Environ(),
		"MOTO_PORT="+strconv.Itoa(gatewayPort),
		// Moto's Lambda client calls http://localhost:<gateway>; no proxy
		// may intercept it.
		"NO_PROXY=localhost,127.0.0.1",
		"no_proxy=localhost,127.0.0.1",
		"PYTHONUNBUFFERED=1",
	)
	w := io.MultiWriter(m.out, m.tail)
	m.cmd.Stdout = w
	m.cmd.Stderr = w
	m.cmd.SysProcAttr = sysProcAttr()
	m.cmd.WaitDelay = time.Second
	if err := m.cmd.Start(); err != nil {
		return nil, fmt.Errorf("start moto with %s: %w", python, err)
	}
	go func() {
		_ = m.cmd.Wait()
		m.out.Flush()
		close(m.exited)
	}()
	return m, nil
}

// waitReady posts motoConfig to moto until moto accepts it, moto exits, or
// ctx is done.
func (m *motoProcess) waitReady(ctx context.Context) error {
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{Proxy: nil}}
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	var lastErr error
	for {
		ok, err := m.configure(ctx, client)
		if ok {
			return nil
		}
		lastErr = err
		select {
		case <-m.exited:
			return fmt.Errorf("%w: %v", errMotoExited, m.cmd.ProcessState)
		case <-ctx.Done():
			return fmt.Errorf("wait for moto: %w (last attempt: %v)", ctx.Err(), lastErr)
		case <-tick.C:
		}
	}
}

// configure posts motoConfig and reports whether moto took it. Moto's answer
// does not show the stepfunctions setting, so a 2xx is all there is to check.
func (m *motoProcess) configure(ctx context.Context, client *http.Client) (bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.url+"/moto-api/config", strings.NewReader(motoConfig))
	if err != nil {
		return false, err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode/100 != 2 {
		return false, fmt.Errorf("POST /moto-api/config: %s: %s", resp.Status, bytes.TrimSpace(body))
	}
	return true, nil
}

// stop kills moto's process group and waits until moto has exited.
func (m *motoProcess) stop() {
	select {
	case <-m.exited:
		return
	default:
	}
	_ = syscall.Kill(-m.cmd.Process.Pid, syscall.SIGKILL)
	<-m.exited
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
