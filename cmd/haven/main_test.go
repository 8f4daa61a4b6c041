package main

import (
	"bytes"
	"context"
	"encoding/base64"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/cookiejar"
	neturl "net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven/internal/demo"
	"github.com/haven-care/haven/internal/password"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
	"github.com/haven-care/haven/internal/vault"
)

func init() { sqlstore.PasswordParams = password.Params{MemoryKiB: 64, Time: 1, Threads: 1} }

// run runs the haven command in-process and returns its exit code and output.
func run(t *testing.T, ctx context.Context, stdin string, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	m := &Main{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut}
	err := m.Run(ctx, args)
	m.Close()
	code := exitCode(&errOut, err)
	return code, out.String(), errOut.String()
}

// dataDir is a fresh, not-yet-created data directory.
func dataDir(t *testing.T) string { return filepath.Join(t.TempDir(), "data") }

func freePort(t *testing.T) string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestBadConfigurationExitsWithOneLine(t *testing.T) {
	dir := dataDir(t)
	os.Mkdir(dir, 0o700)
	badConfig := filepath.Join(dir, "bad.json")
	os.WriteFile(badConfig, []byte(`{"adr": "x"}`), 0o600)
	openDir := filepath.Join(dir, "open")
	os.Mkdir(openDir, 0o755)
	tests := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"serve", "--bogus"}, "flag provided but not defined: -bogus"},
		{"unknown command", []string{"serf"}, "unknown command"},
		{"bad addr", []string{"serve", "--addr", "nope", "--data", dir}, "--addr must be host:port"},
		{"bad metrics addr", []string{"serve", "--metrics-addr", "9090", "--data", dir}, "--metrics-addr must be host:port"},
		{"metrics on the main addr", []string{"serve", "--addr", "127.0.0.1:8080", "--metrics-addr", "127.0.0.1:8080", "--data", dir}, "--metrics-addr must differ from --addr"},
		{"unreachable database", []string{"serve", "--data", dir, "--db", "postgres://x@127.0.0.1:1/x?connect_timeout=2"}, "cannot reach the postgres database"},
		{"bad dsn", []string{"migrate", "--data", dir, "--db", "mysql://x"}, "--db must be sqlite:PATH or a postgres:// URL"},
		{"unreadable config", []string{"serve", "--config", filepath.Join(dir, "missing.json")}, "cannot read config file"},
		{"unknown config key", []string{"serve", "--config", badConfig}, `unknown key "adr"`},
		{"open data dir", []string{"migrate", "--data", openDir}, "readable by others"},
		{"bad log format", []string{"serve", "--data", dir, "--log-format", "xml"}, "--log-format must be text or json"},
		{"checkpoint too often", []string{"serve", "--data", dir, "--audit-checkpoint-every", "10ms"}, "--audit-checkpoint-every must be 0 (never) or at least 1s"},
		{"bad time zone", []string{"serve", "--data", dir, "--time-zone", "Mars/Olympus_Mons"}, `--time-zone must be an IANA time zone such as America/Chicago, or Local, not "Mars/Olympus_Mons"`},
		{"due soon of no days", []string{"serve", "--data", dir, "--due-soon-days", "0"}, `--due-soon-days must be 1 to 365, not 0`},
		{"stale after no days", []string{"serve", "--data", dir, "--stale-contact-days", "0"}, `--stale-contact-days must be 1 to 3650, not 0`},
		{"unknown clinic ZIP code", []string{"serve", "--data", dir, "--clinic-locations", "Main=00000"}, `--clinic-locations: clinic location "Main": ZIP code 00000 is not in Haven's place table`},
		{"bad trusted proxy", []string{"serve", "--data", dir, "--trusted-proxies", "10.0.0.0/8,proxy.local"}, `--trusted-proxies: "proxy.local" is neither an address nor a CIDR prefix`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, _, stderr := run(t, context.Background(), "", tt.args...)
			if code == 0 {
				t.Errorf("exit code 0, want non-zero")
			}
			if strings.Count(stderr, "\n") != 1 || !strings.Contains(stderr, tt.want) {
				t.Errorf("stderr=%q, want one line containing %q", stderr, tt.want)
			}
		})
	}
}

func TestNewerSchemaRefusedAndUnchanged(t *testing.T) {
	dir := dataDir(t)
	if code, _, stderr := run(t, context.Background(), "", "migrate", "--data", dir); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	raw, err := sqlstore.Open(context.Background(), "sqlite:"+filepath.Join(dir, "haven.db"))
	if err != nil {
		t.Fatal(err)
	}
	db := sqlstoretest.NewStore(raw)
	cur, _, _ := db.SchemaStatus(context.Background())
	db.SQL().Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES ($1, 'future.sql', 'x')`, cur+1)
	db.Close()
	code, _, stderr := run(t, context.Background(), "", "serve", "--data", dir, "--addr", freePort(t))
	if code == 0 || !strings.Contains(stderr, "newer than this binary") {
		t.Errorf("serve on newer schema: code=%d stderr=%q", code, stderr)
	}
}

func TestFlagsOverEnvironmentOverConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfg := filepath.Join(dir, "haven.json")
	os.WriteFile(cfg, []byte(`{"addr": "127.0.0.1:1111", "log-format": "json", "data": "from-file"}`), 0o600)
	t.Setenv("HAVEN_CONFIG", cfg)
	t.Setenv("HAVEN_ADDR", "127.0.0.1:2222")
	t.Setenv("HAVEN_LOG_FORMAT", "text")
	fs := newFlagSet(&Main{Stdout: &bytes.Buffer{}}, "serve", "", "")
	var f serveFlags
	f.register(fs)
	if err := parseFlags(fs, []string{"--log-format", "json"}); err != nil {
		t.Fatal(err)
	}
	if f.addr != "127.0.0.1:2222" || f.log.format != "json" || f.store.data != "from-file" || f.grace != 30*time.Second {
		t.Errorf("addr=%s format=%s data=%s grace=%v, want env addr, flag format, file data, default grace",
			f.addr, f.log.format, f.store.data, f.grace)
	}
}

func TestTrustedProxiesFromEnvironmentAndConfigFile(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "haven.json")
	os.WriteFile(cfg, []byte(`{"trusted-proxies": "10.0.0.0/8, 192.0.2.1"}`), 0o600)
	for _, tt := range []struct {
		name, env string
		want      []string
	}{
		{"config file", "", []string{"10.0.0.0/8", "192.0.2.1/32"}},
		{"environment over file", "2001:db8::/32", []string{"2001:db8::/32"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv("HAVEN_CONFIG", cfg)
			if tt.env != "" {
				t.Setenv("HAVEN_TRUSTED_PROXIES", tt.env)
			}
			fs := newFlagSet(&Main{Stdout: &bytes.Buffer{}}, "serve", "", "")
			var f serveFlags
			f.register(fs)
			if err := parseFlags(fs, nil); err != nil {
				t.Fatal(err)
			}
			if err := f.validate(); err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, p := range f.proxies {
				got = append(got, p.String())
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("proxies=%v, want %v", got, tt.want)
			}
		})
	}
}

func TestEveryFlagIsAConfigKey(t *testing.T) {
	for name := range commands {
		if name == "help" || name == "user" {
			continue
		}
		fs := newFlagSet(&Main{Stdout: &bytes.Buffer{}}, name, "", "")
		switch name {
		case "serve":
			new(serveFlags).register(fs)
		case "migrate":
			new(storeFlags).register(fs)
		}
		fs.VisitAll(func(f *flag.Flag) {
			if f.Name != "config" && f.Name != "shutdown-grace" && !slices.Contains(allFlagNames, f.Name) {
				t.Errorf("%s --%s is not in allFlagNames", name, f.Name)
			}
		})
	}
}

func TestHelpHasExamples(t *testing.T) {
	for name := range commands {
		code, out, _ := run(t, context.Background(), "", name, "-h")
		if code != 0 || !strings.Contains(out, "Example") && name != "help" {
			t.Errorf("haven %s -h: code=%d, output lacks an example:\n%s", name, code, out)
		}
	}
}

func TestUserAddReadsPasswordFromStdin(t *testing.T) {
	dir := dataDir(t)
	code, out, stderr := run(t, context.Background(), "a long pass phrase\n", "user", "add", "--data", dir, "--username", "ada", "--role", "admin")
	if code != 0 || !strings.Contains(out, "created admin ada") {
		t.Fatalf("user add: code=%d out=%q err=%q", code, out, stderr)
	}
	code, _, stderr = run(t, context.Background(), "short\n", "user", "add", "--data", dir, "--username", "bob", "--role", "admin")
	if code == 0 || !strings.Contains(stderr, "password: Use at least 8 characters") || strings.Contains(stderr, "--password") {
		t.Errorf("weak password: code=%d stderr=%q", code, stderr)
	}
	code, _, stderr = run(t, context.Background(), "a long pass phrase\n", "user", "add", "--data", dir, "--username", "bob", "--role", "king")
	if code == 0 || !strings.Contains(stderr, "--role") {
		t.Errorf("bad role: code=%d stderr=%q", code, stderr)
	}
}

// startServe runs haven serve in the background and waits for /readyz.
func startServe(t *testing.T, args ...string) (url string, stop func() string) {
	t.Helper()
	addr := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	var out, errOut bytes.Buffer
	done := make(chan error, 1)
	go func() {
		m := &Main{Stdin: strings.NewReader(""), Stdout: &out, Stderr: &errOut}
		err := m.Run(ctx, append([]string{"serve", "--addr", addr, "--log-level", "error"}, args...))
		m.Close()
		done <- err
	}()
	url = "http://" + addr
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get(url + "/readyz")
		if err == nil && resp.StatusCode == 200 {
			resp.Body.Close()
			break
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("serve exited: %v\n%s", err, errOut.String())
		default:
		}
		if time.Now().After(deadline) {
			cancel()
			t.Fatalf("serve not ready in time: %s", errOut.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return url, func() string {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("serve returned %v", err)
		}
		return out.String()
	}
}

// TestServeMetricsApart: /metrics is served on --metrics-addr (here from
// HAVEN_METRICS_ADDR) and the main listener answers 404 for it.
func TestServeMetricsApart(t *testing.T) {
	metrics := freePort(t)
	t.Setenv("HAVEN_METRICS_ADDR", metrics)
	url, stop := startServe(t, "--data", dataDir(t))
	defer stop()
	for _, tt := range []struct {
		url    string
		status int
	}{{url + "/metrics", 404}, {"http://" + metrics + "/metrics", 200}} {
		resp, err := http.Get(tt.url)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || tt.status == 200 && !strings.Contains(string(b), "haven_http_requests_total") {
			t.Errorf("GET %s: Status=%d, want %d", tt.url, resp.StatusCode, tt.status)
		}
	}
}

// TestServeTLSProxy: an https Origin with no Sec-Fetch-Site is refused on
// plain HTTP, and accepted once --tls-proxy says a TLS proxy fronts serve.
func TestServeTLSProxy(t *testing.T) {
	for _, tt := range []struct {
		args   []string
		status int
	}{{nil, http.StatusForbidden}, {[]string{"--tls-proxy"}, http.StatusSeeOther}} {
		url, stop := startServe(t, append([]string{"--data", dataDir(t)}, tt.args...)...)
		req, _ := http.NewRequest("POST", url+"/language", strings.NewReader("lang=es&next=/"))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.Header.Set("Origin", strings.Replace(url, "http://", "https://", 1))
		resp, err := http.DefaultTransport.RoundTrip(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("serve %v: POST with an https Origin: Status=%d, want %d", tt.args, resp.StatusCode, tt.status)
		}
		stop()
	}
}

// TestServeDemoOnSQLite: a newcomer's serve --demo prints how to sign in,
// and a search near the demo clinic's ZIP code, or with no place typed
// (the demo clinic's saved location), finds services.
func TestServeDemoOnSQLite(t *testing.T) {
	url, stop := startServe(t, "--demo", "--data", dataDir(t))
	jar, _ := cookiejar.New(nil)
	c := &http.Client{Jar: jar}
	resp, err := c.PostForm(url+"/signin", neturl.Values{"username": {"demo.advocate"}, "password": {demo.Password}})
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	for _, near := range []string{demo.Clinic.ZIP, ""} {
		resp, err := c.Get(url + "/directory?need=food&need=housing&near=" + near)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || !bytes.Contains(body, []byte(`<ol class="results">`)) || !bytes.Contains(body, []byte("Searched near:")) {
			t.Errorf("near=%q: status=%d, want services near the demo clinic", near, resp.StatusCode)
		}
	}
	out := stop()
	if !strings.Contains(out, "demo.advocate") || !strings.Contains(out, "haven-demo-2026") {
		t.Errorf("serve --demo did not print the demo sign-in:\n%s", out)
	}
}

func TestTwoInstancesShareOnePostgres(t *testing.T) {
	dsn := sqlstoretest.DSN(t, "postgres")
	t.Setenv("HAVEN_MASTER_KEY", base64.StdEncoding.EncodeToString(vault.NewDataKey())) // shared by both instances
	urls := make([]string, 2)
	stops := make([]func() string, 2)
	for i := range urls {
		urls[i], stops[i] = startServe(t, "--db", dsn, "--data", dataDir(t), "--demo")
	}
	for _, u := range urls {
		resp, err := http.Get(u + "/readyz")
		if err != nil || resp.StatusCode != 200 {
			t.Errorf("%s/readyz: %v %v", u, resp, err)
		} else {
			resp.Body.Close()
		}
	}
	for _, stop := range stops {
		stop()
	}
	db, _ := sqlstore.Open(context.Background(), dsn)
	defer db.Close()
	if n, _ := sqlstore.NewAccountService(db).CountUsers(context.Background()); n != 7 {
		t.Errorf("CountUsers=%d, want 7 demo users loaded once", n)
	}
	_ = fmt.Sprint
}

func TestMissingMasterKeyForExistingDataIsRefused(t *testing.T) {
	dir := dataDir(t)
	if code, _, stderr := run(t, context.Background(), "", "migrate", "--data", dir); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	os.Remove(filepath.Join(dir, "master.key"))
	code, _, stderr := run(t, context.Background(), "", "serve", "--data", dir, "--addr", freePort(t))
	if code == 0 || !strings.Contains(stderr, "master key") {
		t.Errorf("serve without the key of existing data: code=%d stderr=%q", code, stderr)
	}
	if _, err := os.Stat(filepath.Join(dir, "master.key")); err == nil {
		t.Error("a new master key was created for existing data")
	}
}
