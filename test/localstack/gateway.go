package localstack

import (
	"context"
	"io"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/rs/zerolog"
)

type gatewayConfig struct {
	addr      string              // host:port the gateway listens on
	functions map[string]Function // by name, Bootstrap an absolute path
	env       map[string]string   // environment shared by every function process
	timeout   time.Duration
	moto      *url.URL
	logs      io.Writer
	log       zerolog.Logger
}

// gateway is the stack's one HTTP endpoint. It serves Lambda's Invoke API
// (invokeapi.go) by running the functions' bootstrap binaries
// (function.go, process.go), the Lambda Runtime API those binaries call
// (runtimeapi.go), and proxies every other request to moto unchanged
// (proxy.go), counting them (calls.go) and applying the fault plan
// (faults.go, faultproxy.go, hide.go, awserror.go). It keeps the running processes by id (registry.go).
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

	calls  callCounter // the AWS calls passed to moto (calls.go)
	faults *faults     // the fault plan in force (faults.go)
	// control serves the stack's own endpoints under controlPrefix
	// (faults, canary); set by Start.
	control http.Handler
	// putEvents delivers what moto's rule matching misses after a
	// PutEvents (rules.go); set by Start.
	putEvents func(ctx context.Context, request, answer []byte) error
}

// controlPrefix starts the paths of the stack's own endpoints.
const controlPrefix = "/_trailwatch/"

func newGateway(cfg gatewayConfig) *gateway {
	g := &gateway{
		addr:      cfg.addr,
		log:       cfg.log,
		logs:      cfg.logs,
		functions: make(map[string]*function, len(cfg.functions)),
		processes: make(map[string]*process),
		faults:    newFaults(),
	}
	for name, fn := range cfg.functions {
		g.functions[name] = newFunction(g, name, fn, cfg.env, cfg.timeout)
	}
	g.runtime = g.runtimeMux()
	g.proxy = newProxy(cfg.moto, cfg.log)
	return g
}

// ServeHTTP routes Runtime API calls, then Lambda Invoke calls, then
// everything else to moto.
func (g *gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, runtimePrefix) {
		g.runtime.ServeHTTP(w, r)
		return
	}
	if strings.HasPrefix(r.URL.Path, controlPrefix) && g.control != nil {
		g.control.ServeHTTP(w, r)
		return
	}
	if name, ok := invokedFunction(r); ok {
		g.serveInvoke(w, r, name)
		return
	}
	g.serveAWS(w, r)
}
