package localstack

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
)

const (
	invokePrefix = "/2015-03-31/functions/"
	invokeSuffix = "/invocations"

	// maxPayload bounds request and response payloads, as Lambda does.
	maxPayload = 6 << 20
)

// invokedFunction returns the function an Invoke call names (POST
// /2015-03-31/functions/{name or ARN}/invocations), and false for any other
// request.
func invokedFunction(r *http.Request) (string, bool) {
	if r.Method != http.MethodPost {
		return "", false
	}
	rest, ok1 := strings.CutPrefix(r.URL.Path, invokePrefix)
	name, ok2 := strings.CutSuffix(rest, invokeSuffix)
	if !ok1 || !ok2 || name == "" || strings.Contains(name, "/") {
		return "", false
	}
	return functionName(name), true
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
