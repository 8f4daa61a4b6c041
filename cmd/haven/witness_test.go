package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/auditlog"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// witnessStore migrates a data directory on engine and returns it, the
// --db value and the store, closed when the test ends.
func witnessStore(t *testing.T, engine string) (dir, dsn string, db *sqlstoretest.Store) {
	t.Helper()
	ctx := context.Background()
	dir, dsn = dataDir(t), sqlstoretest.DSN(t, engine)
	if code, _, stderr := run(t, ctx, "", "migrate", "--data", dir, "--db", dsn); code != 0 {
		t.Fatalf("migrate: %s", stderr)
	}
	raw, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	db = sqlstoretest.NewStore(raw)
	t.Cleanup(func() { db.Close() })
	return dir, dsn, db
}

// addUsers creates users first to first+n-1, one audit entry each.
func addUsers(t *testing.T, db *sqlstoretest.Store, first, n int) {
	t.Helper()
	for i := first; i < first+n; i++ {
		nu := haven.NewUser{Username: fmt.Sprintf("worker.%d", i), Role: haven.RoleAdmin, Password: "a long pass phrase"}
		if _, err := db.CreateUser(haven.WithSystem(context.Background(), access.JobUserAdd), nu); err != nil {
			t.Fatal(err)
		}
	}
}

// cutAuditTail deletes the entries from size on with their hashes, and
// sets the tree size and head to match, as an attacker with write access
// to the database would.
func cutAuditTail(t *testing.T, db *sqlstoretest.Store, size int64) {
	t.Helper()
	tamper := []string{fmt.Sprintf(`DELETE FROM audit_entries WHERE idx >= %d`, size),
		fmt.Sprintf(`DELETE FROM audit_hashes WHERE idx >= %d`, tlog.StoredHashCount(size)), fmt.Sprintf(`UPDATE audit_tree SET size = %d`, size)}
	if db.Engine() == "postgres" { // on SQLite the head is a view of the entries
		tamper = append(tamper, fmt.Sprintf(`UPDATE audit_head SET size = %d`, size))
	}
	for _, q := range tamper {
		if _, err := db.SQL().Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

// signAndWitness signs a checkpoint of the grown log and sends it.
func signAndWitness(t *testing.T, c *checkpointer) {
	t.Helper()
	if err := c.signIfGrown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := c.witnessLatest(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestWitnessCatchesRemovedEntries: entries cut from the end after a
// witnessed checkpoint are caught by verify --witness, also when the
// attacker empties the database's own checkpoint table, which plain verify
// then cannot see.
func TestWitnessCatchesRemovedEntries(t *testing.T) {
	for _, engine := range sqlstoretest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dir, dsn, db := witnessStore(t, engine)
			signer, _, err := auditlog.LoadOrCreateSigner(dir)
			if err != nil {
				t.Fatal(err)
			}
			wfile := filepath.Join(t.TempDir(), "witness.jsonl")
			c := &checkpointer{audit: db.AuditService, signer: signer, witness: auditlog.FileWitness(wfile), logger: slog.New(slog.DiscardHandler), witnessed: -1}
			addUsers(t, db, 0, 3)
			signAndWitness(t, c)
			addUsers(t, db, 3, 3)
			signAndWitness(t, c)
			verify := func(args ...string) (int, string, string) {
				return run(t, ctx, "", append([]string{"audit", "verify", "--data", dir, "--db", dsn}, args...)...)
			}
			if code, out, stderr := verify("--witness", wfile); code != 0 || !strings.Contains(out, "consistent with the signed checkpoint of 6 entries") ||
				!strings.Contains(out, "the largest of 2 checkpoints held by the witness") {
				t.Fatalf("verify --witness of an intact log: code=%d out=%q stderr=%q", code, out, stderr)
			}

			cutAuditTail(t, db, 4)
			if code, _, stderr := verify("--witness", wfile); code != 1 || !strings.Contains(stderr, "first bad entry 4: ") || !strings.Contains(stderr, "log truncated") {
				t.Errorf("tail cut after a witnessed checkpoint: code=%d stderr=%q, want entry 4 named missing", code, stderr)
			}
			if _, err := db.SQL().Exec(`DELETE FROM audit_checkpoints`); err != nil {
				t.Fatal(err)
			}
			if code, out, _ := verify(); code != 0 {
				t.Errorf("plain verify after the checkpoints were deleted too: code=%d out=%q; the test assumed it cannot tell", code, out)
			}
			if code, _, stderr := verify("--witness", wfile); code != 1 || !strings.Contains(stderr, "first bad entry 4: ") {
				t.Errorf("tail and checkpoint table cut: code=%d stderr=%q, want entry 4 named missing", code, stderr)
			}
			// The instance signs the shorter log (the table is empty) but
			// does not hand the witness a checkpoint smaller than it holds.
			if err := c.signIfGrown(ctx); err != nil {
				t.Fatal(err)
			}
			if err := c.witnessLatest(ctx); err == nil || !strings.Contains(err.Error(), "fewer than the 6 already witnessed") {
				t.Errorf("witnessing a checkpoint of the cut log: %v", err)
			}
			// A forged line in the witness is refused, not skipped.
			b, _ := os.ReadFile(wfile)
			forged := strings.Replace(string(b), `\n6\n`, `\n4\n`, 1)
			os.WriteFile(wfile, []byte(forged), 0o600)
			if code, _, stderr := verify("--witness", wfile); code != 1 || !strings.Contains(stderr, "witnessed checkpoint 2 of 2") {
				t.Errorf("forged witness line: code=%d stderr=%q", code, stderr)
			}
		})
	}
}

// witnessServer is an HTTP witness: it keeps what is POSTed and answers a
// GET with it as JSON lines; while down, it answers 503.
type witnessServer struct {
	mu    sync.Mutex
	lines []string
	down  bool
}

func (s *witnessServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.down {
		http.Error(w, "down", http.StatusServiceUnavailable)
		return
	}
	switch r.Method {
	case http.MethodPost:
		b, _ := io.ReadAll(r.Body)
		var rec auditlog.WitnessRecord
		if r.Header.Get("Content-Type") != "application/json" || json.Unmarshal(b, &rec) != nil {
			http.Error(w, "bad record", http.StatusBadRequest)
			return
		}
		s.lines = append(s.lines, strings.TrimSpace(string(b)))
		w.WriteHeader(http.StatusCreated)
	case http.MethodGet:
		io.WriteString(w, strings.Join(s.lines, "\n")+"\n")
	}
}

func (s *witnessServer) setDown(down bool) {
	s.mu.Lock()
	s.down = down
	s.mu.Unlock()
}

func (s *witnessServer) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.lines)
}

// TestHTTPWitness: the loop POSTs each checkpoint to an HTTP witness; while
// the witness is down the failure is logged once, counted and retried, and
// the instance keeps signing; verify --witness URL reads it back and
// catches a cut tail.
func TestHTTPWitness(t *testing.T) {
	ctx := context.Background()
	dir, dsn, db := witnessStore(t, "sqlite")
	signer, _, err := auditlog.LoadOrCreateSigner(dir)
	if err != nil {
		t.Fatal(err)
	}
	ws := &witnessServer{down: true}
	srv := httptest.NewServer(ws)
	defer srv.Close()
	w, err := auditlog.NewWitness(srv.URL + "/witness")
	if err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	reg := prometheus.NewRegistry()
	c := &checkpointer{audit: db.AuditService, signer: signer, witness: w, logger: slog.New(slog.NewTextHandler(&logs, nil)),
		metrics: newCheckpointMetrics(reg), witnessed: -1}
	addUsers(t, db, 0, 3)
	runLoop(t, func(ctx context.Context) { c.run(ctx, 20*time.Millisecond, 5*time.Millisecond) })
	waitFor(t, func() bool { return metricValue(t, reg, "haven_audit_witness_failures_total") >= 5 })
	addUsers(t, db, 3, 2) // the log keeps growing and being signed while the witness is down
	waitFor(t, func() bool {
		msg, err := db.LatestCheckpoint(ctx)
		cp, perr := auditlog.ParseCheckpoint(msg)
		return err == nil && perr == nil && cp.Size == 5
	})
	if n := metricValue(t, reg, "haven_audit_checkpoints_signed_total"); n < 2 {
		t.Errorf("%v checkpoints counted as signed, want at least 2", n)
	}
	if n := strings.Count(logs.String(), "audit witness failed"); n != 1 || !strings.Contains(logs.String(), "503 Service Unavailable") {
		t.Errorf("witness down: %d failures logged, want 1 naming the 503:\n%s", n, logs.String())
	}
	ws.setDown(false)
	waitFor(t, func() bool {
		return metricValue(t, reg, "haven_audit_witnessed_entries") == 5 && strings.Contains(logs.String(), "audit witness recovered")
	})
	if n := ws.count(); n != 1 {
		t.Errorf("the witness got %d checkpoints, want the latest one only", n)
	}
	code, out, stderr := run(t, ctx, "", "audit", "verify", "--data", dir, "--db", dsn, "--witness", srv.URL+"/witness")
	if code != 0 || !strings.Contains(out, "consistent with the signed checkpoint of 5 entries") {
		t.Errorf("verify --witness URL: code=%d out=%q stderr=%q", code, out, stderr)
	}
	cutAuditTail(t, db, 2)
	db.SQL().Exec(`DELETE FROM audit_checkpoints`)
	code, _, stderr = run(t, ctx, "", "audit", "verify", "--data", dir, "--db", dsn, "--witness", srv.URL+"/witness")
	if code != 1 || !strings.Contains(stderr, "first bad entry 2: ") {
		t.Errorf("verify --witness URL after a cut: code=%d stderr=%q", code, stderr)
	}
}

// TestServeWithUnreachableWitness: serve starts and answers with a witness
// that refuses connections; the metric counts the failures.
func TestServeWithUnreachableWitness(t *testing.T) {
	metrics := freePort(t)
	url, stop := startServe(t, "--data", dataDir(t), "--audit-checkpoint-every", "1s", "--metrics-addr", metrics,
		"--audit-witness", "http://"+freePort(t)+"/witness")
	defer stop()
	waitFor(t, func() bool {
		resp, err := http.Get("http://" + metrics + "/metrics")
		if err != nil {
			return false
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		return strings.Contains(string(b), "haven_audit_witness_failures_total 1")
	})
	resp, err := http.Get(url + "/readyz")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("readyz with the witness down: %v %v", resp, err)
	}
	resp.Body.Close()
}

func TestWitnessFlagsRefused(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--audit-witness", "ftp://example.org/x"},
		{"serve", "--audit-witness", "/tmp/w.jsonl", "--audit-checkpoint-every", "0"},
		{"audit", "verify", "--witness", "/tmp/w.jsonl", "--checkpoint", "/tmp/cp.txt"},
	} {
		if code, _, stderr := run(t, context.Background(), "", args...); code == 0 || strings.Count(stderr, "\n") != 1 {
			t.Errorf("%v: code=%d stderr=%q, want a one-line refusal", args, code, stderr)
		}
	}
}

// metricValue returns the value of the counter or gauge name in reg.
func metricValue(t *testing.T, reg *prometheus.Registry, name string) float64 {
	t.Helper()
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if mf.GetName() != name {
			continue
		}
		m := mf.GetMetric()[0]
		if m.GetCounter() != nil {
			return m.GetCounter().GetValue()
		}
		return m.GetGauge().GetValue()
	}
	t.Fatalf("no metric %s", name)
	return 0
}
