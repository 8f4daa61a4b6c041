package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// childArgsEnv, when set, makes the test binary run haven with these
// arguments (one a line) instead of the tests: the crash test's serve is
// this binary in a process of its own, so that it can be killed.
const childArgsEnv = "HAVEN_TEST_CHILD_ARGS"

func TestMain(m *testing.M) {
	if args := os.Getenv(childArgsEnv); args != "" {
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
		hm := NewMain()
		err := hm.Run(ctx, strings.Split(args, "\n"))
		hm.Close()
		stop()
		os.Exit(exitCode(hm.Stderr, err))
	}
	os.Exit(m.Run())
}

// crashKills is how many times the crash test kills serve on each engine.
const crashKills = 20

// TestCrashUnderConcurrentWrites kills serve with SIGKILL while clients
// create and read records through the JSON API, crashKills times on each
// engine, starting it again each time with no manual step. Afterwards
// every record whose creation a client saw acknowledged reads back, haven
// audit verify passes and, on SQLite, both database files pass PRAGMA
// integrity_check.
func TestCrashUnderConcurrentWrites(t *testing.T) {
	if testing.Short() {
		t.Skip("kills serve 40 times")
	}
	for _, engine := range sqlstoretest.Engines {
		t.Run(engine, func(t *testing.T) {
			dir := dataDir(t)
			args := []string{"--data", dir}
			if engine == "postgres" {
				args = append(args, "--db", sqlstoretest.DSN(t, engine))
			}
			token := crashToken(t, args)
			var acked []string
			for i := range crashKills {
				srv := startChild(t, args)
				ids := writeUntilKilled(t, srv, token, time.Duration(100+rand.IntN(300))*time.Millisecond)
				acked = append(acked, ids...)
				t.Logf("kill %d: %d creations acknowledged", i+1, len(ids))
			}
			if len(acked) == 0 {
				t.Fatal("no creation was acknowledged: the test proved nothing")
			}
			srv := startChild(t, args)
			for _, id := range acked {
				if code, got := apiCall(srv.url, token, "GET", "/api/v1/survivors/"+id, ""); code != http.StatusOK || !strings.Contains(got, id) {
					t.Errorf("acknowledged record %s after the crashes: status %d %s", id, code, got)
				}
			}
			srv.stop(t)
			if code, out, errOut := run(t, context.Background(), "", append([]string{"audit", "verify"}, args...)...); code != 0 {
				t.Errorf("audit verify after the crashes: code=%d out=%q err=%q", code, out, errOut)
			}
			if engine == "sqlite" {
				for _, f := range []string{"haven.db", "keys.db"} {
					checkIntegrity(t, filepath.Join(dir, f))
				}
			}
		})
	}
}

// crashToken makes a service account that may create records and returns
// an API token of it.
func crashToken(t *testing.T, store []string) string {
	t.Helper()
	ctx := context.Background()
	add := append([]string{"user", "add", "--username", "crash.client", "--role", "advocate", "--service-account"}, store...)
	if code, _, errOut := run(t, ctx, "", add...); code != 0 {
		t.Fatalf("user add: %s", errOut)
	}
	create := append([]string{"token", "create", "--username", "crash.client", "--name", "crash", "--scopes", "api:read,api:write"}, store...)
	code, secret, errOut := run(t, ctx, "", create...)
	if code != 0 {
		t.Fatalf("token create: %s", errOut)
	}
	return strings.TrimSpace(secret)
}

// child is serve running in a process of its own.
type child struct {
	cmd    *exec.Cmd
	url    string
	stderr *bytes.Buffer
	exited chan error // its exit, once
}

// startChild starts serve on the store args name and waits until it is
// ready; a start that needs anything done first fails the test.
func startChild(t *testing.T, store []string) *child {
	t.Helper()
	addr := freePort(t)
	args := append([]string{"serve", "--addr", addr, "--log-level", "error"}, store...)
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), childArgsEnv+"="+strings.Join(args, "\n"))
	c := &child{cmd: cmd, url: "http://" + addr, stderr: &bytes.Buffer{}, exited: make(chan error, 1)}
	cmd.Stderr = c.stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { c.exited <- cmd.Wait() }()
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get(c.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-c.exited:
			t.Fatalf("serve exited before it was ready: %v\n%s", err, c.stderr)
		default:
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			<-c.exited
			t.Fatalf("serve not ready in 60 s:\n%s", c.stderr)
		}
		time.Sleep(20 * time.Millisecond)
	}
	return c
}

// stop ends serve with SIGTERM, as an operator would, and waits for it
// to exit cleanly.
func (c *child) stop(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	if err := <-c.exited; err != nil {
		t.Errorf("serve after SIGTERM: %v\n%s", err, c.stderr)
	}
}

// writeUntilKilled has eight clients create records (and read back the
// ones created) until after, then kills serve with SIGKILL and returns the
// IDs of the creations that were acknowledged.
func writeUntilKilled(t *testing.T, c *child, token string, after time.Duration) []string {
	t.Helper()
	var mu sync.Mutex
	var ids []string
	var wg sync.WaitGroup
	killed := make(chan struct{})
	for w := range 8 {
		wg.Go(func() {
			for n := 0; ; n++ {
				select {
				case <-killed:
					return
				default:
				}
				body := fmt.Sprintf(`{"name": "Synthetic Crash %d-%d", "date_of_birth": "1990-01-01", "languages": [], "safe_contact": {"channels": []}}`, w, n)
				code, got := apiCall(c.url, token, "POST", "/api/v1/survivors", body)
				id := createdID(got)
				if code != http.StatusCreated || id == "" {
					continue // refused by a dying server, or never answered: not acknowledged
				}
				mu.Lock()
				ids = append(ids, id)
				mu.Unlock()
				apiCall(c.url, token, "GET", "/api/v1/survivors/"+id, "")
			}
		})
	}
	time.Sleep(after)
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-c.exited
	close(killed)
	wg.Wait()
	return ids
}

// createdID is the ID of the record a creation's response body names, or
// "".
func createdID(body string) string {
	var created struct {
		Survivor struct{ ID string } `json:"survivor"`
	}
	json.Unmarshal([]byte(body), &created)
	return created.Survivor.ID
}

// crashClient gives up quickly on a killed server.
var crashClient = &http.Client{Timeout: 10 * time.Second}

// apiCall makes one JSON API call and returns its status and body; 0 when
// the server did not answer.
func apiCall(base, token, method, path, body string) (int, string) {
	req, err := http.NewRequest(method, base+path, strings.NewReader(body))
	if err != nil {
		return 0, err.Error()
	}
	req.Header.Set("Authorization", "Bearer "+token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := crashClient.Do(req)
	if err != nil {
		return 0, err.Error()
	}
	defer resp.Body.Close()
	var b bytes.Buffer
	b.ReadFrom(resp.Body)
	return resp.StatusCode, b.String()
}

// checkIntegrity runs SQLite's integrity check on the database at path.
func checkIntegrity(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var got string
	if err := db.QueryRow(`PRAGMA integrity_check`).Scan(&got); err != nil || got != "ok" {
		t.Errorf("integrity_check of %s = %q, %v; want ok", filepath.Base(path), got, err)
	}
}
