package localstack

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const (
	// runtimePrefix starts the path of every Runtime API call; the next
	// segment names the process. No AWS API path starts with it (S3 bucket
	// names cannot start with "_").
	runtimePrefix = "/_trailwatch/runtime/"

	// Trailers aws-lambda-go sets when reading a streamed response failed.
	trailerErrorType = "Lambda-Runtime-Function-Error-Type"
	trailerErrorBody = "Lambda-Runtime-Function-Error-Body"
)

// runtimeMux serves the Lambda Runtime API (2018-06-01) of every process,
// under runtimePrefix/<process id>/.
func (g *gateway) runtimeMux() *http.ServeMux {
	api := runtimePrefix + "{proc}/2018-06-01/runtime/"
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+api+"invocation/next", g.serveNext)
	mux.HandleFunc("POST "+api+"invocation/{id}/response", g.serveResponse)
	mux.HandleFunc("POST "+api+"invocation/{id}/error", g.serveError)
	mux.HandleFunc("POST "+api+"init/error", g.serveInitError)
	return mux
}

// runtimeAPI returns AWS_LAMBDA_RUNTIME_API for the process id.
func (g *gateway) runtimeAPI(id string) string {
	return g.addr + strings.TrimSuffix(runtimePrefix, "/") + "/" + id
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
	if c := g.faults.atStart(p.fn.name); c != nil {
		g.log.Info().Str("function", p.fn.name).Bool("timeout", c.Timeout).Msg("fault_crash_at_start")
		g.breakProcess(r.Context(), p.id, c.Timeout)
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
	p, body, ok := g.runtimeCall(w, r)
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
	p, body, ok := g.runtimeCall(w, r)
	if !ok {
		return
	}
	doc := errorDocument(body, r.Header.Get(trailerErrorType))
	g.complete(w, p, r.PathValue("id"), result{payload: doc, failed: true})
}

func (g *gateway) serveInitError(w http.ResponseWriter, r *http.Request) {
	p, body, ok := g.runtimeCall(w, r)
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
	p, ok := g.process(id)
	if !ok {
		writeRuntimeError(w, http.StatusNotFound, "UnknownProcess", "no process "+id)
	}
	return p, ok
}

// runtimeCall returns the process a Runtime API call that posts a body
// comes from, and the body; or it answers the error and returns false.
func (g *gateway) runtimeCall(w http.ResponseWriter, r *http.Request) (*process, []byte, bool) {
	p, ok := g.caller(w, r)
	if !ok {
		return nil, nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPayload))
	if err != nil {
		writeRuntimeError(w, http.StatusRequestEntityTooLarge, "RequestTooLarge", err.Error())
		return nil, nil, false
	}
	return p, body, true
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

// newTraceID returns an X-Ray trace header value, not sampled.
func newTraceID() string {
	var b [20]byte
	_, _ = rand.Read(b[:])
	h := hex.EncodeToString(b[:])
	return fmt.Sprintf("Root=1-%08x-%s;Parent=%s;Sampled=0", time.Now().Unix(), h[:24], h[24:40])
}
