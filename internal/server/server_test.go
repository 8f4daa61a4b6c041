package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
)

type readyFunc func(context.Context) error

func (f readyFunc) Ready(ctx context.Context) error { return f(ctx) }

func newTestServer(t *testing.T, ready error) (*Server, *strings.Builder) {
	t.Helper()
	var logs strings.Builder
	s := New(slog.New(slog.NewTextHandler(&logs, nil)), readyFunc(func(context.Context) error { return ready }))
	return s, &logs
}

func TestOperationalEndpoints(t *testing.T) {
	tests := []struct {
		name   string
		ready  error
		path   string
		status int
		body   string
	}{
		{"healthz", nil, "/healthz", 200, "ok"},
		{"ready", nil, "/readyz", 200, "ready"},
		{"not ready", errors.New("db down"), "/readyz", 503, "not ready"},
		{"metrics are not on the main listener", nil, "/metrics", 404, ""},
		{"unknown", nil, "/nope", 404, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, _ := newTestServer(t, tt.ready)
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
			if rec.Code != tt.status {
				t.Errorf("Status=%d, want %d", rec.Code, tt.status)
			}
			if !strings.Contains(rec.Body.String(), tt.body) {
				t.Errorf("body=%q, want it to contain %q", rec.Body.String(), tt.body)
			}
		})
	}
}

func TestSecurityHeadersOnEveryResponse(t *testing.T) {
	s, _ := newTestServer(t, nil)
	s.HandleFunc("GET /boom", func(http.ResponseWriter, *http.Request) error { panic("boom") })
	for _, path := range []string{"/healthz", "/nope", "/boom"} {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", path, nil))
		for _, h := range []string{"Content-Security-Policy", "X-Content-Type-Options", "X-Frame-Options", "Referrer-Policy", "X-Request-ID"} {
			if rec.Header().Get(h) == "" {
				t.Errorf("%s: missing %s", path, h)
			}
		}
	}
}

func TestCrossSitePostRefused(t *testing.T) {
	s, _ := newTestServer(t, nil)
	s.HandleFunc("POST /change", func(w http.ResponseWriter, r *http.Request) error { return nil })
	req := httptest.NewRequest("POST", "/change", nil)
	req.Header.Set("Sec-Fetch-Site", "cross-site")
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusForbidden {
		t.Errorf("cross-site POST Status=%d, want 403", rec.Code)
	}
	req = httptest.NewRequest("POST", "/change", nil)
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	rec = httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		t.Errorf("same-origin POST Status=%d, want 200", rec.Code)
	}
}

// TestOriginSchemeMustMatch: for a browser that sends no Sec-Fetch-Site,
// the Origin must be this server's origin, scheme included: an https
// Origin is refused on plain HTTP unless a TLS-terminating proxy is
// declared, and then an http Origin is refused.
func TestOriginSchemeMustMatch(t *testing.T) {
	tests := []struct {
		tlsProxy bool
		origin   string
		fetch    string
		status   int
	}{
		{false, "http://example.com", "", 200},
		{false, "https://example.com", "", 403},
		{false, "https://example.com", "same-origin", 200}, // the browser compared the full origin itself
		{false, "http://evil.example", "", 403},
		{true, "https://example.com", "", 200},
		{true, "http://example.com", "", 403},
		{false, "", "", 200}, // not a browser
	}
	for _, tt := range tests {
		s, _ := newTestServer(t, nil)
		s.TLSProxy = tt.tlsProxy
		s.HandleFunc("POST /change", func(w http.ResponseWriter, r *http.Request) error { return nil })
		req := httptest.NewRequest("POST", "/change", nil) // Host: example.com, plain HTTP
		if tt.origin != "" {
			req.Header.Set("Origin", tt.origin)
		}
		if tt.fetch != "" {
			req.Header.Set("Sec-Fetch-Site", tt.fetch)
		}
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, req)
		if rec.Code != tt.status {
			t.Errorf("TLSProxy=%v Origin=%q Sec-Fetch-Site=%q: Status=%d, want %d", tt.tlsProxy, tt.origin, tt.fetch, rec.Code, tt.status)
		}
	}
}

func TestErrorKindsMapToStatus(t *testing.T) {
	tests := []struct {
		kind   haven.Kind
		status int
	}{
		{haven.Invalid, 400}, {haven.Unauthenticated, 401}, {haven.Forbidden, 403}, {haven.NotFound, 404},
		{haven.Conflict, 409}, {haven.Unavailable, 503}, {haven.Internal, 500},
	}
	for _, tt := range tests {
		for _, prefix := range []string{"/api/v1/x", "/fhir/R4/x", "/page"} {
			s, logs := newTestServer(t, nil)
			s.HandleFunc("GET "+prefix, func(http.ResponseWriter, *http.Request) error {
				return &haven.Error{Kind: tt.kind, Message: "Shown.", Err: errors.New("hidden-cause")}
			})
			rec := httptest.NewRecorder()
			s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", prefix, nil))
			if rec.Code != tt.status {
				t.Errorf("%s %s: Status=%d, want %d", prefix, tt.kind, rec.Code, tt.status)
			}
			if strings.Contains(rec.Body.String(), "hidden-cause") {
				t.Errorf("%s %s: body leaks the cause: %s", prefix, tt.kind, rec.Body.String())
			}
			if tt.kind == haven.Internal && !strings.Contains(logs.String(), "hidden-cause") {
				t.Errorf("internal error cause not logged")
			}
		}
	}
}

func TestAccessLogHasNoPathOrQuery(t *testing.T) {
	s, logs := newTestServer(t, nil)
	s.HandleFunc("GET /survivors/{id}", func(w http.ResponseWriter, r *http.Request) error { return nil })
	s.Handler().ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/survivors/CANARY-ID?name=CANARY-NAME", nil))
	if strings.Contains(logs.String(), "CANARY") {
		t.Errorf("access log holds the path or query: %s", logs.String())
	}
	if !strings.Contains(logs.String(), "route=\"GET /survivors/{id}\"") {
		t.Errorf("access log lacks the route pattern: %s", logs.String())
	}
}

func TestGracefulShutdownFinishesInFlight(t *testing.T) {
	s, _ := newTestServer(t, nil)
	started := make(chan struct{})
	s.HandleFunc("GET /slow", func(w http.ResponseWriter, r *http.Request) error {
		close(started)
		time.Sleep(300 * time.Millisecond)
		w.Write([]byte("done"))
		return nil
	})
	addr, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- s.Serve(ctx, 5*time.Second) }()
	got := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + addr.String() + "/slow")
		if err != nil {
			got <- err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-started
	cancel()
	if body := <-got; body != "done" {
		t.Errorf("in-flight body=%q, want done", body)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve=%v", err)
	}
}

// TestErrorsRenderedBySurface checks that an error is drawn by the renderer
// registered for the longest prefix of its path, and as plain text where
// no surface registered one.
func TestErrorsRenderedBySurface(t *testing.T) {
	s, _ := newTestServer(t, nil)
	named := func(name string) ErrorRenderer {
		return func(w http.ResponseWriter, r *http.Request, status int, err error) {
			w.WriteHeader(status)
			w.Write([]byte(name + ": " + haven.ErrorMessage(err)))
		}
	}
	s.RenderErrors("/api/", named("replaced"))
	s.RenderErrors("/api/", RenderJSONError)
	s.RenderErrors("/api/v1/special/", named("special"))
	s.RenderErrors("/fhir/", named("fhir"))
	fail := func(http.ResponseWriter, *http.Request) error { return haven.Errorf(haven.Conflict, "Shown.") }
	for _, p := range []string{"/api/v1/x", "/api/v1/special/x", "/fhir/R4/x", "/fhirish", "/page"} {
		s.HandleFunc("GET "+p, fail)
	}
	tests := []struct{ path, contentType, body string }{
		{"/api/v1/x", "application/json", `"kind": "conflict"`},
		{"/api/v1/special/x", "", "special: Shown."},
		{"/fhir/R4/x", "", "fhir: Shown."},
		{"/fhirish", "text/plain; charset=utf-8", "Shown.\n"},
		{"/page", "text/plain; charset=utf-8", "Shown.\n"},
	}
	for _, tt := range tests {
		rec := httptest.NewRecorder()
		s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", tt.path, nil))
		if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), tt.body) {
			t.Errorf("%s: %d %q, want 409 containing %q", tt.path, rec.Code, rec.Body.String(), tt.body)
		}
		if tt.contentType != "" && rec.Header().Get("Content-Type") != tt.contentType {
			t.Errorf("%s: Content-Type=%q, want %q", tt.path, rec.Header().Get("Content-Type"), tt.contentType)
		}
	}
	var b ErrorBody
	rec := httptest.NewRecorder()
	s.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/api/v1/x", nil))
	if err := json.Unmarshal(rec.Body.Bytes(), &b); err != nil || b.Error.Message != "Shown." || b.Error.RequestID == "" {
		t.Errorf("JSON error body %s (%v), want message Shown. and a request ID", rec.Body.String(), err)
	}
}

// TestMetricsOnTheirOwnListener: /metrics (per-route counts, such as
// emergency-access posts) is served only on the metrics address, which
// serves nothing else; the main listener answers 404 for it.
func TestMetricsOnTheirOwnListener(t *testing.T) {
	s, _ := newTestServer(t, nil)
	main, err := s.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	metrics, err := s.ListenMetrics("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- s.Serve(ctx, time.Second) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve=%v", err)
		}
	}()
	for _, tt := range []struct {
		addr   net.Addr
		path   string
		status int
		body   string
	}{
		{main, "/healthz", 200, "ok"},
		{main, "/metrics", 404, ""},
		{metrics, "/metrics", 200, "haven_http_requests_total"},
		{metrics, "/healthz", 404, ""},
	} {
		resp, err := http.Get("http://" + tt.addr.String() + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || !strings.Contains(string(b), tt.body) {
			t.Errorf("GET %s on %s: Status=%d, want %d with %q", tt.path, tt.addr, resp.StatusCode, tt.status, tt.body)
		}
	}
}
