package web_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"slices"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
	"github.com/haven-care/haven/internal/web"
)

// mainPages are the pages measured for size and render time, with the
// account that views them.
var mainPages = []struct{ path, user string }{
	{"/signin", ""}, {"/quick-exit", ""}, {"/", "advocate"}, {"/sessions", "advocate"},
	{"/survivor-texts?lang=ar", "advocate"}, {"/admin/translations", "admin"},
}

// pageBudget is the most one page may transfer, HTML, CSS and JavaScript
// together (uncompressed: the server does not compress).
const pageBudget = 60 << 10

// tokens signs in "advocate" and "admin" directly at the store.
func tokens(tb testing.TB, e *env) map[string]string {
	tb.Helper()
	out := map[string]string{}
	for _, u := range []string{"advocate", "admin"} {
		code := ""
		if u == "admin" {
			code = e.code(tb)
		}
		tok, _, err := e.db.SignIn(context.Background(), haven.Credentials{Username: u, Password: testPassword, TOTPCode: code})
		if err != nil {
			tb.Fatal(err)
		}
		out[u] = tok
	}
	return out
}

func request(path, token string) *http.Request {
	r := httptest.NewRequest("GET", path, nil)
	if token != "" {
		r.AddCookie(&http.Cookie{Name: web.SessionCookie, Value: token})
	}
	return r
}

var assetRef = regexp.MustCompile(`(?:href|src)="(/static/[^"]+)"`)

func TestPageTransferSize(t *testing.T) {
	e := newEnv(t, true)
	toks := tokens(t, e)
	h := e.srv.Config.Handler
	for _, p := range mainPages {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, request(p.path, toks[p.user]))
		if rec.Code != http.StatusOK {
			t.Fatalf("GET %s status=%d", p.path, rec.Code)
		}
		total := rec.Body.Len()
		for _, m := range assetRef.FindAllStringSubmatch(rec.Body.String(), -1) {
			a := httptest.NewRecorder()
			h.ServeHTTP(a, request(m[1], ""))
			b, _ := io.ReadAll(a.Body)
			total += len(b)
		}
		t.Logf("%-26s HTML %5d B, with CSS and JS %5d B", p.path, rec.Body.Len(), total)
		if total > pageBudget {
			t.Errorf("GET %s transfers %d bytes, want at most %d", p.path, total, pageBudget)
		}
	}
}

// BenchmarkRender serves each main page through the full middleware chain
// over a real SQLite store and reports the 99th percentile time.
func BenchmarkRender(b *testing.B) {
	e := newEnv(b, false)
	toks := tokens(b, e)
	h := e.srv.Config.Handler
	for _, p := range mainPages {
		b.Run(p.path, func(b *testing.B) {
			times := make([]time.Duration, 0, b.N)
			var size int
			for b.Loop() {
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, request(p.path, toks[p.user]))
				times = append(times, time.Since(start))
				size = rec.Body.Len()
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(size), "html-bytes")
		})
	}
}

// BenchmarkStartPage serves the start page through the full middleware
// chain to an advocate on 500 cases, each with three tasks and two
// contacts (sqlstoretest.SeedCaseload), on both engines, and reports the
// 99th percentile time.
func BenchmarkStartPage(b *testing.B) {
	for _, engine := range sqlstoretest.Engines {
		b.Run(engine, func(b *testing.B) {
			e := newEnvOn(b, engine, false, nil)
			u := mustUser(b, e.db, "caseload", "Casey Caseload", haven.RoleAdvocate)
			sqlstoretest.SeedCaseload(b, e.db, u, 500, 3, 2)
			tok, _, err := e.db.SignIn(context.Background(), haven.Credentials{Username: "caseload", Password: testPassword})
			if err != nil {
				b.Fatal(err)
			}
			h := e.srv.Config.Handler
			times := make([]time.Duration, 0, b.N)
			var size int
			for b.Loop() {
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, request("/", tok))
				times = append(times, time.Since(start))
				if rec.Code != http.StatusOK {
					b.Fatalf("GET / status=%d", rec.Code)
				}
				size = rec.Body.Len()
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(size), "html-bytes")
		})
	}
}
