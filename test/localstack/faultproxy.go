package localstack

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// serveAWS passes an AWS call to moto, applying the fault plan: a call
// fault answers an error or answers late, a crash fault breaks the calling
// process before or after the call, a hide records what the call created
// and filters what a Describe call answers.
func (g *gateway) serveAWS(w http.ResponseWriter, r *http.Request) {
	call, caller := g.calls.record(r)
	if call == "events:PutEvents" && g.putEvents != nil {
		g.servePutEvents(w, r)
		return
	}
	fn, procID := callerProcess(caller)
	hide := time.Duration(0)
	if service, _, ok := strings.Cut(call, ":"); ok {
		hide = g.faults.hiding(service)
	}
	var v callVerdict
	if fn != "" && g.functions[fn] != nil && call != "" {
		v = g.faults.forCall(call, fn)
	}
	if v.crash != nil && v.crash.point == atBefore {
		g.log.Info().Str("function", fn).Str("call", call).Bool("timeout", v.crash.Timeout).Msg("fault_crash_before_call")
		g.breakProcess(r.Context(), procID, v.crash.Timeout)
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	if v.err != nil {
		if !sleep(r.Context(), v.latency) {
			return
		}
		service, _, _ := strings.Cut(call, ":")
		g.log.Info().Str("function", fn).Str("call", call).Str("error", v.err.Error).Msg("fault_error")
		writeAWSError(w, r, service, v.err)
		return
	}
	_, isDescribe := strings.CutPrefix(opOf(call), "Describe")
	filter := isDescribe && fn != "" && g.faults.hasHidden()
	record := hide > 0 && creates(call)
	if v.crash == nil && v.latency == 0 && !record && !filter {
		g.proxy.ServeHTTP(w, r)
		return
	}
	form := queryForm(r)
	if filter {
		if nf := g.faults.notFound(call, form, time.Now()); nf != nil {
			service, _, _ := strings.Cut(call, ":")
			g.log.Info().Str("function", fn).Str("call", call).Str("error", nf.Error).Msg("fault_hidden_not_found")
			if !sleep(r.Context(), v.latency) {
				return
			}
			writeAWSError(w, r, service, nf)
			return
		}
	}
	// The call takes effect even when its caller gives up waiting.
	rec := newRecorder()
	g.proxy.ServeHTTP(rec, r.WithContext(context.WithoutCancel(r.Context())))
	body := rec.body.Bytes()
	if record && rec.status < 300 {
		g.faults.record(call, form, body, time.Now().Add(hide))
	}
	if filter && rec.status < 300 {
		body = g.faults.filter(body, time.Now())
	}
	if v.crash != nil {
		g.log.Info().Str("function", fn).Str("call", call).Bool("timeout", v.crash.Timeout).Msg("fault_crash_after_call")
		g.breakProcess(r.Context(), procID, v.crash.Timeout)
		w.WriteHeader(http.StatusBadGateway)
		return
	}
	if !sleep(r.Context(), v.latency) {
		return
	}
	for k, vs := range rec.header {
		w.Header()[k] = vs
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(rec.status)
	_, _ = w.Write(body)
}

// servePutEvents passes a PutEvents to moto, then lets g.putEvents deliver
// what moto's matching misses (rules.go), before answering: as on moto,
// the events are in their targets once PutEvents returns.
func (g *gateway) servePutEvents(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxPayload))
	if err != nil {
		http.Error(w, err.Error(), http.StatusRequestEntityTooLarge)
		return
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	rec := newRecorder()
	g.proxy.ServeHTTP(rec, r)
	if rec.status == http.StatusOK {
		if err := g.putEvents(r.Context(), body, rec.body.Bytes()); err != nil {
			g.log.Error().Err(err).Msg("array_match_delivery_failed")
		}
	}
	for k, vs := range rec.header {
		w.Header()[k] = vs
	}
	w.WriteHeader(rec.status)
	_, _ = w.Write(rec.body.Bytes())
}

// breakProcess kills the process with the id, or, for a timeout, waits
// until the invocation's timeout has killed it (or ctx ends).
func (g *gateway) breakProcess(ctx context.Context, id string, hang bool) {
	p, ok := g.process(id)
	if !ok {
		return
	}
	if !hang {
		p.kill()
	}
	select {
	case <-p.exited:
	case <-ctx.Done():
	}
}

// sleep waits d; false when ctx ended first.
func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

func opOf(call string) string {
	_, op, _ := strings.Cut(call, ":")
	return op
}

// callerProcess splits a caller's app id, "<function>#<process id>", as
// the gateway's processes send it.
func callerProcess(appID string) (function, process string) {
	function, process, _ = strings.Cut(appID, "#")
	return function, process
}

// recorder is a ResponseWriter that keeps the answer.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newRecorder() *recorder { return &recorder{header: http.Header{}, status: http.StatusOK} }

func (r *recorder) Header() http.Header         { return r.header }
func (r *recorder) WriteHeader(status int)      { r.status = status }
func (r *recorder) Write(p []byte) (int, error) { return r.body.Write(p) }

// hasHidden reports whether anything is hidden (or was: entries expire
// lazily).
func (f *faults) hasHidden() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.hidden.ids) > 0 || len(f.hidden.ips) > 0 || len(f.hidden.rules) > 0
}

// InjectFaults puts plan in force, besides the faults already in force
// (see FaultPlan). The error wraps ErrInvalidFaultPlan when the plan names
// a function the stack does not run, a hide of a service it cannot hide
// from, or a malformed field.
func (s *Stack) InjectFaults(plan FaultPlan) error {
	if err := plan.validate(s.gw.functions); err != nil {
		return err
	}
	s.gw.faults.add(plan)
	s.log.Info().Int("calls", len(plan.Calls)).Int("hides", len(plan.Hides)).Int("crashes", len(plan.Crashes)).Msg("faults_injected")
	return nil
}

// ClearFaults ends every fault; resources hidden show again.
func (s *Stack) ClearFaults() {
	s.gw.faults.clear()
	s.log.Info().Msg("faults_cleared")
}

// FaultsFired returns how many calls and invocations the faults have
// broken (failed, slowed, crashed; Describe answers a hide cut) since the
// stack started or the last ClearFaults.
func (s *Stack) FaultsFired() int { return s.gw.faults.firedCount() }

// faultsPath is the HTTP endpoint of the fault plan: POST a FaultPlan
// (JSON) to add it, DELETE to clear, GET for {"fired": n}.
const faultsPath = "/_trailwatch/faults"

func (s *Stack) serveFaults(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodPost:
		var plan FaultPlan
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20))
		dec.DisallowUnknownFields()
		err := dec.Decode(&plan)
		if err == nil {
			err = s.InjectFaults(plan)
		} else {
			err = fmt.Errorf("%w: %w", ErrInvalidFaultPlan, err)
		}
		if err != nil {
			status := http.StatusBadRequest
			if !errors.Is(err, ErrInvalidFaultPlan) {
				status = http.StatusInternalServerError
			}
			http.Error(w, err.Error(), status)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case http.MethodDelete:
		s.ClearFaults()
		w.WriteHeader(http.StatusNoContent)
	case http.MethodGet:
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(map[string]int{"fired": s.FaultsFired()})
	default:
		w.Header().Set("Allow", "GET, POST, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}
