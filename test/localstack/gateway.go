package localstack

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

const (
	// runtimePrefix starts the path of every Runtime API call; the next
	// segment names the process. No AWS API path starts with it (S3 bucket
	// names cannot start with "_").
	runtimePrefix = "/_trailwatch/runtime/"

	invokePrefix = "/2015-03-31/functions/"
	invokeSuffix = "/invocations"

	// maxPayload bounds request and response payloads, as Lambda does.
	maxPayload = 6 << 20

	// Trailers aws-lambda-go sets when reading a streamed response failed.
	trailerErrorType = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody = "Lambda-Runtime-Function-Error-Body"
)

var errGatewayClosed = errors.New("the gateway is closed")

type gatewayConfig struct {
	addr      string            // host:port the gateway listens on
	functions map[string]string // name -> bootstrap path
	env       map[string]string // environment shared by every function process
	timeout   time.Duration
	moto      *url.URL
	logs      io.Writer
	log       zerolog.Logger
}

// gateway serves the Lambda Invoke API by running the functions' bootstrap
// binaries, the Lambda Runtime API those binaries call, and proxies every
// other request to moto unchanged.
type gateway struct {
	addr      string
	log       zerolog.Logger
	logs      io.Writer
	functions map[string]*function
	runtime   *http.ServeMux
	proxy     *httputil.ReverseProxy

	mu        sync.Mutex
	closed    bool
	lastID    int
	processes map[string]*process // by id
	async     sync.WaitGroup      // Event invocations in flight
}

func newGateway(cfg gatewayConfig) *gateway {
	g := &gateway{
		addr:      cfg.addr,
		log:       cfg.log,
		logs:      cfg.logs,
		functions: make(map[string]*function, len(cfg.functions)),
		processes: make(map[string]*process),
	}
	for name, path := range cfg.functions {
		g.functions[name] = newFunction(g, name, path, cfg.env, cfg.timeout)
	}

	api := runtimePrefix + "{proc}/2018-06-01/runtime/"
	g.runtime = http.NewServeMux()
	g.runtime.HandleFunc("GET "+api+"invocation/next", g.serveNext)
	g.runtime.HandleFunc("POST "+api+"invocation/{id}/response", g.serveResponse)
	g.runtime.HandleFunc("POST "+api+"invocation/{id}/error", g.serveError)
	g.runtime.HandleFunc("POST "+api+"init/error", g.serveInitError)

	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil
	g.proxy = &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(cfg.moto)
			// Moto builds URLs it returns (SQS queue URLs, ...) from the
			// Host header: keep them pointing at the gateway.
			pr.Out.Host = pr.In.Host
		},
		Transport:     transport,
		FlushInterval: -1,
		ErrorLog:      stdlog.New(logWriter{cfg.log, "proxy_error"}, "", 0),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			// A client that hung up (a cancelled long poll) is no failure.
			if !errors.Is(err, context.Canceled) {
				g.log.Warn().Err(err).Str("method", r.Method).Str("path", r.URL.Path).Msg("proxy_failed")
			}
			w.WriteHeader(http.StatusBadGateway)
		},
	}
	return g
}

// logWriter turns each line net/http logs into a warning with msg.
type logWriter struct {
	log zerolog.Logger
	msg string
}

func (l logWriter) Write(p []byte) (int, error) {
	l.log.Warn().Str("error", strings.TrimSpace(string(p))).Msg(l.msg)
	return len(p), nil
}

// ServeHTTP routes Runtime API calls, then Lambda Invoke calls, then
// everything else to moto.
func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, runtimePrefix) {
		g.runtime.ServeHTTP(w, r)
		return
	}
	if r.Method == http.MethodPost {
		rest, ok1 := strings.CutPrefix(r.URL.Path, invokePrefix)
		name, ok2 := strings.CutSuffix(rest, invokeSuffix)
		if ok1 && ok2 && name != "" && !strings.Contains(name, "/") {
			g.serveInvoke(w, r, functionName(name))
			return
		}
	}
	g.proxy.ServeHTTP(w, r)
}

// functionName returns the function name in any form Invoke accepts: name,
// name:qualifier, account:function:name[:qualifier], or the full ARN.
func functionName(s string) string {
	if _, after, ok := strings.Cut(s, ":function:"); ok {
		s = after
	}
	name, _, _ := strings.Cut(s, ":")
	return name
}

// serveInvoke serves Lambda's Invoke for the invocation types
// RequestResponse (the default), Event and DryRun. A function error is
// answered 200 with X-Amz-Function-Error: Unhandled and the error document
// as the body, as Lambda does.
func (g *gateway) serveInvoke(w http.ResponseWriter, r *http.Request, name string) {
	f, ok := g.functions[name]
	if !ok {
		writeLambdaError(w, http.StatusNotFound, "ResourceNotFoundException", "Function not found: "+FunctionARN(name))
		return
	}
	payload, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPayload))
	if err != nil {
		writeLambdaError(w, http.StatusRequestEntityTooLarge, "RequestTooLargeException", err.Error())
		return
	}
	switch typ := r.Header.Get("X-Amz-Invocation-Type"); typ {
	case "", "RequestResponse":
		if g.isClosed() {
			writeLambdaError(w, http.StatusServiceUnavailable, "ServiceException", errGatewayClosed.Error())
			return
		}
		res := g.invoke(f, payload)
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("X-Amz-Executed-Version", "$LATEST")
		if res.failed {
			h.Set("X-Amz-Function-Error", "Unhandled")
		}
		w.WriteHeader(http.StatusOK)
		_, _ = w.Write(res.payload)
	case "Event":
		if !g.goAsync(func() { g.invoke(f, payload) }) {
			writeLambdaError(w, http.StatusServiceUnavailable, "ServiceException", errGatewayClosed.Error())
			return
		}
		w.WriteHeader(http.StatusAccepted)
	case "DryRun":
		w.WriteHeader(http.StatusNoContent)
	default:
		writeLambdaError(w, http.StatusBadRequest, "InvalidParameterValueException", "unsupported invocation type "+typ)
	}
}

func (g *gateway) invoke(f *function, payload []byte) result {
	res := f.invoke(payload)
	ev := g.log.Debug()
	if res.failed {
		ev = g.log.Warn().RawJSON("error", res.payload)
	}
	ev.Str("function", f.name).Bool("failed", res.failed).Msg("invocation_done")
	return res
}

// writeLambdaError answers as Lambda's REST-JSON protocol does.
func writeLambdaError(w http.ResponseWriter, status int, errorType, message string) {
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("X-Amzn-ErrorType", errorType)
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"Type": "User", "message": message})
}

// serveNext blocks until an invocation is assigned to the calling process,
// then hands it over.
func (g *gateway) serveNext(w http.ResponseWriter, r *http.Request) {
	p, ok := g.caller(w, r)
	if !ok {
		return
	}
	inv, ok := p.take(r.Context().Done())
	if !ok {
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json")
	h.Set("Lambda-Runtime-Aws-Request-Id", inv.requestID)
	h.Set("Lambda-Runtime-Deadline-Ms", strconv.FormatInt(inv.deadline.UnixMilli(), 10))
	h.Set("Lambda-Runtime-Invoked-Function-Arn", p.fn.arn)
	h.Set("Lambda-Runtime-Trace-Id", newTraceID())
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(inv.payload)
}

func (g *gateway) serveResponse(w http.ResponseWriter, r *http.Request) {
	p, ok := g.caller(w, r)
	if !ok {
		return
	}
	body, ok := readRuntimeBody(w, r)
	if !ok {
		return
	}
	res := result{payload: body}
	if typ := r.Trailer.Get(trailerErrorType); typ != "" {
		// Reading the streamed response failed in the function.
		doc, _ := base64.StdEncoding.DecodeString(r.Trailer.Get(trailerErrorBody))
		res = result{payload: errorDocument(doc, typ), failed: true}
	}
	g.complete(w, p, r.PathValue("id"), res)
}

func (g *gateway) serveError(w http.ResponseWriter, r *http.Request) {
	p, ok := g.caller(w, r)
	if !ok {
		return
	}
	body, ok := readRuntimeBody(w, r)
	if !ok {
		return
	}
	doc := errorDocument(body, r.Header.Get(trailerErrorType))
	g.complete(w, p, r.PathValue("id"), result{payload: doc, failed: true})
}

func (g *gateway) serveInitError(w http.ResponseWriter, r *http.Request) {
	p, ok := g.caller(w, r)
	if !ok {
		return
	}
	body, ok := readRuntimeBody(w, r)
	if !ok {
		return
	}
	p.setInitError(errorDocument(body, r.Header.Get(trailerErrorType)))
	writeRuntimeStatus(w)
}

func (g *gateway) complete(w http.ResponseWriter, p *process, id string, res result) {
	if !p.answer(id, res) {
		writeRuntimeError(w, http.StatusBadRequest, "InvalidRequestID", "no invocation "+id+" in progress")
		return
	}
	writeRuntimeStatus(w)
}

// caller returns the process a Runtime API call comes from, or answers 404.
func (g *gateway) caller(w http.ResponseWriter, r *http.Request) (*process, bool) {
	id := r.PathValue("proc")
	g.mu.Lock()
	p, ok := g.processes[id]
	g.mu.Unlock()
	if !ok {
		writeRuntimeError(w, http.StatusNotFound, "UnknownProcess", "no process "+id)
	}
	return p, ok
}

func readRuntimeBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPayload))
	if err != nil {
		writeRuntimeError(w, http.StatusRequestEntityTooLarge, "RequestTooLarge", err.Error())
		return nil, false
	}
	return body, true
}

func writeRuntimeStatus(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusAccepted)
	_, _ = io.WriteString(w, `{"status":"OK"}`)
}

func writeRuntimeError(w http.ResponseWriter, status int, errorType, message string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"errorType": errorType, "errorMessage": message})
}

// runtimeAPI returns AWS_LAMBDA_RUNTIME_API for the process id.
func (g *gateway) runtimeAPI(id string) string {
	return g.addr + strings.TrimSuffix(runtimePrefix, "/") + "/" + id
}

// register gives p an id and starts it with start, unless the gateway is
// closed; then p is reachable through the Runtime API.
func (g *gateway) register(p *process, start func(id string) error) error {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return errGatewayClosed
	}
	g.lastID++
	id := strconv.Itoa(g.lastID)
	if err := start(id); err != nil {
		return err
	}
	g.processes[id] = p
	return nil
}

func (g *gateway) unregister(p *process) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.processes, p.id)
}

func (g *gateway) isClosed() bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.closed
}

// goAsync runs fn in a goroutine that wait waits for, unless the gateway is
// closed.
func (g *gateway) goAsync(fn func()) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	if g.closed {
		return false
	}
	g.async.Add(1)
	go func() {
		defer g.async.Done()
		fn()
	}()
	return true
}

// close stops new processes and kills every running one, and returns when
// all have exited.
func (g *gateway) close() {
	g.mu.Lock()
	g.closed = true
	procs := make([]*process, 0, len(g.processes))
	for _, p := range g.processes {
		procs = append(procs, p)
	}
	g.mu.Unlock()
	for _, p := range procs {
		p.kill()
	}
	for _, p := range procs {
		<-p.exited
	}
}

// wait returns when every Event invocation has ended.
func (g *gateway) wait() { g.async.Wait() }

// newUUID returns a random (version 4) UUID, as Lambda's request IDs are.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	h := hex.EncodeToString(b[:])
	return h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// newTraceID returns an X-Ray trace header value, not sampled.
func newTraceID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), h[:24], h[24:40])
}
