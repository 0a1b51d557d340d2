package localstack

import (
	"context"
	"errors"
	stdlog "log"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"

	"github.com/rs/zerolog"
)

// newProxy returns the reverse proxy that passes every request the gateway
// does not serve itself to moto, unchanged but for the Host header.
func newProxy(moto *url.URL, log zerolog.Logger) *httputil.ReverseProxy {
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.Proxy = nil
	return &httputil.ReverseProxy{
		Rewrite: func(pr *httputil.ProxyRequest) {
			pr.SetURL(moto)
			// Moto builds URLs it returns (SQS queue URLs, ...) from the
			// Host header: keep them pointing at the gateway.
			pr.Out.Host = pr.In.Host
		},
		Transport:     transport,
		FlushInterval: -1,
		ErrorLog:      stdlog.New(logWriter{log, "proxy_error"}, "", 0),
		ErrorHandler: func(w http.ResponseWriter, r *http.Request, err error) {
			// A client that hung up (a cancelled long poll) is no failure.
			if !errors.Is(err, context.Canceled) {
				log.Warn().Err(err).Str("method", r.Method).Str("path", r.URL.Path).Msg("proxy_failed")
			}
			w.WriteHeader(http.StatusBadGateway)
		},
	}
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
