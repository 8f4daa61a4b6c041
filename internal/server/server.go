// Package server is Haven's HTTP server: the stdlib ServeMux, the
// middleware every request passes through, the one place where error kinds
// become HTTP statuses, and the operational endpoints (/healthz and /readyz
// on the main listener; /metrics only on a listener of its own). Feature
// surfaces (web pages, JSON API, FHIR, HSDS) mount their routes on it and
// register how their errors are rendered.
package server

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/haven-care/haven"
)

// Readiness is what /readyz asks: is the store reachable with a current schema.
type Readiness interface {
	Ready(ctx context.Context) error
}

// Server serves Haven over HTTP.
type Server struct {
	Logger *slog.Logger
	// Ready backs /readyz.
	Ready Readiness
	// Demo adds the demo banner to pages and the X-Haven-Demo header.
	Demo bool
	// APITokens authenticates bearer tokens for the JSON API and FHIR.
	APITokens haven.APITokenService
	// TLSProxy says that browsers reach this listener through a
	// TLS-terminating proxy, so that this server's origin is https://
	// although requests arrive over plain HTTP. Set it only when the
	// listener is reachable through that proxy alone.
	TLSProxy bool

	mux         *http.ServeMux
	errorRoutes []errorRoute // see RenderErrors
	registry    *prometheus.Registry
	metrics     *httpMetrics
	http        *http.Server
	ln          net.Listener
	// metricsLn, when bound, serves /metrics and nothing else.
	metricsLn net.Listener
}

// New returns a server with the operational routes mounted.
func New(logger *slog.Logger, ready Readiness) *Server {
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	s := &Server{Logger: logger, Ready: ready, mux: http.NewServeMux(), registry: reg, metrics: newHTTPMetrics(reg)}
	s.mux.HandleFunc("GET /healthz", s.healthz)
	s.mux.HandleFunc("GET /readyz", s.readyz)
	return s
}

// Handle mounts h on pattern (a ServeMux pattern such as "GET /survivors/{id}").
func (s *Server) Handle(pattern string, h http.Handler) { s.mux.Handle(pattern, h) }

// HandleFunc mounts an error-returning handler on pattern; a returned error
// is rendered by Error.
func (s *Server) HandleFunc(pattern string, h func(http.ResponseWriter, *http.Request) error) {
	s.mux.Handle(pattern, s.Wrap(h))
}

// Registry is the Prometheus registry served at /metrics on the metrics
// listener, for features that export their own metrics.
func (s *Server) Registry() *prometheus.Registry { return s.registry }

// Handler returns the full handler: the mux wrapped in the middleware chain,
// outermost first.
func (s *Server) Handler() http.Handler {
	var h http.Handler = s.mux
	h = s.crossOrigin(h)
	h = securityHeaders(h)
	h = s.recoverPanics(h)
	h = s.accessLog(h)
	h = requestID(h)
	return h
}

// Listen binds addr. It is separate from Serve so that the caller knows the
// port is taken before it reports the server as started.
func (s *Server) Listen(addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.ln = ln
	return ln.Addr(), nil
}

// ListenMetrics binds addr for /metrics. The metrics name every route
// with its request count (emergency-access posts among them), so they are
// not served on the main listener: bind this to a loopback or internal
// address that only the monitoring system reaches. Without it there are
// no metrics over HTTP.
func (s *Server) ListenMetrics(addr string) (net.Addr, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s.metricsLn = ln
	return ln.Addr(), nil
}

// MetricsHandler serves the registry in the Prometheus text format.
func (s *Server) MetricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{Registry: s.registry}))
	return mux
}

// Serve serves on the bound listeners until ctx is done, then shuts down
// gracefully, letting in-flight requests finish within grace.
func (s *Server) Serve(ctx context.Context, grace time.Duration) error {
	s.http = s.httpServer(s.Handler())
	servers := []*http.Server{s.http}
	listeners := []net.Listener{s.ln}
	if s.metricsLn != nil {
		servers = append(servers, s.httpServer(s.MetricsHandler()))
		listeners = append(listeners, s.metricsLn)
	}
	errc := make(chan error, len(servers))
	for i, srv := range servers {
		go func() { errc <- srv.Serve(listeners[i]) }()
	}
	var err error
	received := 0
	select {
	case err = <-errc: // a listener failed: stop the others too
		received++
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	for _, srv := range servers {
		if serr := srv.Shutdown(shutdownCtx); err == nil {
			err = serr
		}
	}
	for ; received < len(servers); received++ {
		if serr := <-errc; err == nil && !errors.Is(serr, http.ErrServerClosed) {
			err = serr
		}
	}
	return err
}

func (s *Server) httpServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      120 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(s.Logger.Handler(), slog.LevelWarn),
	}
}

func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Write([]byte("ok\n"))
}

func (s *Server) readyz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	ctx, cancel := context.WithTimeout(r.Context(), 3*time.Second)
	defer cancel()
	if err := s.Ready.Ready(ctx); err != nil {
		s.Logger.Warn("not ready", "err", err)
		w.WriteHeader(http.StatusServiceUnavailable)
		w.Write([]byte("not ready\n"))
		return
	}
	w.Write([]byte("ready\n"))
}
