package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"golang.org/x/mod/sumdb/note"
	"golang.org/x/mod/sumdb/tlog"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/auditlog"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// createUsers makes n users, each writing one audit entry.
func createUsers(t *testing.T, db *sqlstoretest.Store, first, n int) {
	t.Helper()
	for i := first; i < first+n; i++ {
		nu := haven.NewUser{Username: fmt.Sprintf("worker.%d", i), Role: haven.RoleAdmin, Password: "a long pass phrase"}
		if _, err := db.CreateUser(userAdd(context.Background()), nu); err != nil {
			t.Fatal(err)
		}
	}
}

// verify runs VerifyAudit and fails the test on an error.
func verify(t *testing.T, db *sqlstoretest.Store, v note.Verifier, cp []byte) haven.AuditReport {
	t.Helper()
	rep, err := db.VerifyAudit(context.Background(), v, cp)
	if err != nil {
		t.Fatalf("VerifyAudit: %v", err)
	}
	return rep
}

func TestAuditEntriesAreContiguousAndVerify(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		at := time.Date(2026, 4, 2, 10, 30, 0, 123456789, time.FixedZone("x", 7200))
		db.DB.Clock = &fixedClock{at}
		createUsers(t, db, 0, 3)
		entries, err := db.AuditEntries(ctx, 0, 10)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			got = append(got, fmt.Sprintf("%d %s %s %s %s", e.Index, e.Time.Format(time.RFC3339Nano), e.Action, e.ObjectType, e.Outcome))
		}
		want := []string{
			"0 2026-04-02T08:30:00.123456Z user.create user success",
			"1 2026-04-02T08:30:00.123456Z user.create user success",
			"2 2026-04-02T08:30:00.123456Z user.create user success",
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("entries (-want +got):\n%s", diff)
		}
		rep := verify(t, db, nil, nil)
		root, _ := db.AuditRoot(ctx, 3)
		if !rep.OK() || rep.Checked != 3 || rep.Root != root.String() {
			t.Errorf("report %+v, want OK with 3 entries and root %s", rep, root)
		}
		if _, err := db.AuditEntries(ctx, 2, 1); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("AuditEntries(2, 1) error %v, want Invalid", err)
		}
	})
}

func TestAuditVerifyNamesFirstBadEntry(t *testing.T) {
	hashAt := func(level int, n int64) int64 { return tlog.StoredHashIndex(level, n) }
	tests := []struct {
		name  string
		sql   []string
		args  [][]any
		want  int64
		wantN int64
	}{
		{"untouched", nil, nil, -1, 8},
		{"edited field", []string{`UPDATE audit_entries SET object_id = 'someone-else' WHERE idx = 3`}, nil, 3, 3},
		{"edited time", []string{`UPDATE audit_entries SET at = $1 WHERE idx = 2`},
			[][]any{{time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC)}}, 2, 2},
		{"deleted entry", []string{`DELETE FROM audit_entries WHERE idx = 4`}, nil, 4, 4},
		{"deleted last entry", []string{`DELETE FROM audit_entries WHERE idx = 7`}, nil, 7, 7},
		{"swapped entries", []string{
			`UPDATE audit_entries SET idx = 100 WHERE idx = 2`,
			`UPDATE audit_entries SET idx = 2 WHERE idx = 5`,
			`UPDATE audit_entries SET idx = 5 WHERE idx = 100`}, nil, 2, 2},
		{"edited leaf hash", []string{`UPDATE audit_hashes SET hash = $1 WHERE idx = $2`},
			[][]any{{make([]byte, 32), hashAt(0, 6)}}, 6, 6},
		{"edited interior hash", []string{`UPDATE audit_hashes SET hash = $1 WHERE idx = $2`},
			[][]any{{make([]byte, 32), hashAt(1, 1)}}, 3, 3},
		// Appended after the stored tree, a forged entry looks like one not
		// yet hashed: PostgreSQL's head row tells it apart (unless the
		// forger also advances it); on SQLite the head is the entries'
		// highest index, so only a checkpoint taken later would cover it,
		// forged as it is. Forging hashes as well was always possible.
		{"forged entry appended", []string{`INSERT INTO audit_entries (idx, at, actor_id, action, object_type, object_id, outcome, reason)
			VALUES (8, $1, 'forger', 'user.delete', 'user', 'x', 'success', '')`}, [][]any{{time.Now()}}, 8, 9},
		{"forged entry inserted", []string{
			`UPDATE audit_entries SET idx = idx + 100 WHERE idx >= 1`,
			`UPDATE audit_entries SET idx = idx - 99 WHERE idx >= 100`,
			`INSERT INTO audit_entries (idx, at, actor_id, action, object_type, object_id, outcome, reason)
			VALUES (1, $1, 'forger', 'user.delete', 'user', 'x', 'success', '')`}, [][]any{nil, nil, {time.Now()}}, 1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
				createUsers(t, db, 0, 8)
				integrate(t, db, 8) // as serve's background loop does
				for i, q := range tt.sql {
					var args []any
					if i < len(tt.args) {
						args = tt.args[i]
					}
					if _, err := db.SQL().Exec(q, args...); err != nil {
						t.Fatalf("tamper %q: %v", q, err)
					}
				}
				rep := verify(t, db, nil, nil)
				want := tt.want
				if tt.name == "forged entry appended" && db.Engine() == "sqlite" {
					want = -1
				}
				if rep.FirstBad != want || rep.Checked != tt.wantN {
					t.Errorf("first bad=%d checked=%d (%s), want %d and %d", rep.FirstBad, rep.Checked, rep.Message, want, tt.wantN)
				}
			})
		})
	}
}

// integrate hashes the log into the stored tree and checks its size.
func integrate(t *testing.T, db *sqlstoretest.Store, want int64) {
	t.Helper()
	if n, err := db.IntegrateAudit(context.Background()); err != nil || n != want {
		t.Fatalf("IntegrateAudit = %d, %v; want %d", n, err, want)
	}
}

// TestAuditPendingEntries covers entries appended but not yet hashed into
// the stored tree: verify hashes them itself, reports gaps and misplaced
// entries among them, and a later checkpoint covers them once integrated.
func TestAuditPendingEntries(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		signer, verifier, err := auditlog.LoadOrCreateSigner(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		createUsers(t, db, 0, 5)
		integrate(t, db, 5)
		createUsers(t, db, 5, 4) // pending: entries 5 to 8
		rep := verify(t, db, verifier, nil)
		integrate(t, db, 9)
		again := verify(t, db, verifier, nil)
		if !rep.OK() || rep.Checked != 9 || rep.Root != again.Root || !again.OK() {
			t.Errorf("pending entries: %+v, then integrated: %+v; want both OK with the same root", rep, again)
		}
		if _, err := db.SignCheckpoint(ctx, signer); err != nil {
			t.Fatal(err)
		}
		createUsers(t, db, 9, 3) // pending again: 9 to 11
		if _, err := db.SQL().Exec(`DELETE FROM audit_entries WHERE idx = 10`); err != nil {
			t.Fatal(err)
		}
		if rep := verify(t, db, verifier, nil); rep.FirstBad != 10 {
			t.Errorf("pending entry deleted: %+v, want first bad 10", rep)
		}
		if _, err := db.IntegrateAudit(ctx); err == nil {
			t.Errorf("IntegrateAudit hashed past a missing entry")
		}
		if n, _ := db.IntegrateAudit(ctx); n != 10 {
			t.Errorf("tree size after refusing the gap: %d, want 10 (the entries before it)", n)
		}
	})
}

func TestAuditCheckpoints(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		signer, verifier, err := auditlog.LoadOrCreateSigner(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		_, otherKey, _ := auditlog.LoadOrCreateSigner(t.TempDir())
		createUsers(t, db, 0, 4)
		old, err := db.SignCheckpoint(ctx, signer)
		if err != nil {
			t.Fatal(err)
		}
		createUsers(t, db, 4, 3)
		latest, err := db.SignCheckpoint(ctx, signer)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := db.LatestCheckpoint(ctx); string(got) != string(latest) {
			t.Errorf("LatestCheckpoint=%q, want %q", got, latest)
		}
		if rep := verify(t, db, verifier, old); !rep.OK() || rep.CheckpointSize != 4 || rep.Checked != 7 {
			t.Errorf("old checkpoint: %+v, want OK, checkpoint 4, 7 entries", rep)
		}
		if rep := verify(t, db, verifier, nil); !rep.OK() || rep.CheckpointSize != 7 {
			t.Errorf("latest stored checkpoint: %+v, want OK, checkpoint 7", rep)
		}
		forged := []byte(string(latest[:len(signer.Name())+1]) + "8" + string(latest[len(signer.Name())+2:]))
		for name, tc := range map[string]struct {
			v  note.Verifier
			cp []byte
		}{"forged size": {verifier, forged}, "other key": {otherKey, latest}, "no key": {nil, latest}} {
			if _, err := db.VerifyAudit(ctx, tc.v, tc.cp); err == nil {
				t.Errorf("%s: VerifyAudit accepted the checkpoint", name)
			}
		}
		// Cut the last two entries with their hashes, tree size and head:
		// only a later checkpoint reveals it.
		tamper := []string{`DELETE FROM audit_entries WHERE idx >= 5`,
			fmt.Sprintf(`DELETE FROM audit_hashes WHERE idx >= %d`, tlog.StoredHashCount(5)), `UPDATE audit_tree SET size = 5`}
		if db.Engine() == "postgres" { // on SQLite the head is a view of the entries
			tamper = append(tamper, `UPDATE audit_head SET size = 5`)
		}
		for _, q := range tamper {
			if _, err := db.SQL().Exec(q); err != nil {
				t.Fatal(err)
			}
		}
		if rep := verify(t, db, verifier, latest); rep.FirstBad != 5 {
			t.Errorf("truncated log with later checkpoint: %+v, want first bad 5", rep)
		}
		if rep := verify(t, db, verifier, old); !rep.OK() {
			t.Errorf("truncated log with earlier checkpoint: %+v, want OK (undetectable)", rep)
		}
		if _, err := db.SignCheckpoint(ctx, signer); err == nil {
			t.Errorf("SignCheckpoint signed a log shorter than the latest checkpoint")
		}
	})
}

func TestAuditProofs(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		createUsers(t, db, 0, 7)
		root7, _ := db.AuditRoot(ctx, 7)
		root4, _ := db.AuditRoot(ctx, 4)
		entries, _ := db.AuditEntries(ctx, 0, 7)
		for _, e := range entries {
			p, err := db.InclusionProof(ctx, e.Index, 7)
			if err != nil {
				t.Fatal(err)
			}
			if err := auditlog.CheckInclusion(p, 7, root7, e); err != nil {
				t.Errorf("entry %d: %v", e.Index, err)
			}
			e.Reason = "changed"
			if err := auditlog.CheckInclusion(p, 7, root7, e); err == nil {
				t.Errorf("entry %d: changed entry proved included", e.Index)
			}
		}
		p, err := db.ConsistencyProof(ctx, 4, 7)
		if err != nil {
			t.Fatal(err)
		}
		if err := tlog.CheckTree(p, 7, root7, 4, root4); err != nil {
			t.Errorf("consistency 4→7: %v", err)
		}
		for name, err := range map[string]error{
			"inclusion beyond size": func() error { _, err := db.InclusionProof(ctx, 7, 7); return err }(),
			"size beyond log":       func() error { _, err := db.ConsistencyProof(ctx, 4, 8); return err }(),
			"old after new":         func() error { _, err := db.ConsistencyProof(ctx, 5, 4); return err }(),
		} {
			if haven.ErrorKind(err) != haven.Invalid {
				t.Errorf("%s: error %v, want Invalid", name, err)
			}
		}
	})
}

// TestAuditConcurrentAppendsFromTwoInstances appends from goroutines on two
// handles on the same database, as two Haven instances would.
func TestAuditConcurrentAppendsFromTwoInstances(t *testing.T) {
	for _, engine := range sqlstoretest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dbs := openInstances(t, engine, 2)
			const workers, each = 4, 25
			var wg sync.WaitGroup
			errs := make(chan error, 2*workers*each)
			for w := range 2 * workers {
				wg.Go(func() {
					for i := range each {
						ev := haven.AuditEvent{Action: "survivor.read", ObjectType: "survivor", ObjectID: fmt.Sprintf("w%d-%d", w, i)}
						errs <- dbs[w%2].AppendAuditForTest(ctx, ev)
					}
				})
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				if err != nil {
					t.Fatal(err)
				}
			}
			if rep := verify(t, dbs[1], nil, nil); !rep.OK() || rep.Checked != 2*workers*each {
				t.Errorf("report %+v, want OK with %d entries", rep, 2*workers*each)
			}
		})
	}
}

// BenchmarkAuditAppend measures appends, each in its own transaction, with
// a checkpoint signed every 1000 entries.
func BenchmarkAuditAppend(b *testing.B) {
	for _, engine := range sqlstoretest.Engines {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			db := sqlstoretest.MustOpen(b, engine)
			signer, _, err := auditlog.LoadOrCreateSigner(b.TempDir())
			if err != nil {
				b.Fatal(err)
			}
			ev := haven.AuditEvent{Action: "survivor.read", ObjectType: "survivor", ObjectID: "0190a0b4-7c1e-7000-8000-000000000001"}
			b.ResetTimer()
			for i := range b.N {
				if err := db.AppendAuditForTest(ctx, ev); err != nil {
					b.Fatal(err)
				}
				if (i+1)%1000 == 0 {
					if _, err := db.SignCheckpoint(ctx, signer); err != nil {
						b.Fatal(err)
					}
				}
			}
		})
	}
}

// TestAuditRewrittenHistoryNeedsACheckpoint rewrites entry 1 and recomputes
// every stored hash, as an attacker with database access could: the log is
// then self-consistent, and only a checkpoint signed before catches it.
func TestAuditRewrittenHistoryNeedsACheckpoint(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		signer, verifier, err := auditlog.LoadOrCreateSigner(t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		createUsers(t, db, 0, 3)
		cp, err := db.SignCheckpoint(ctx, signer)
		if err != nil {
			t.Fatal(err)
		}
		createUsers(t, db, 3, 2)
		integrate(t, db, 5)
		entries, _ := db.AuditEntries(ctx, 0, 5)
		entries[1].ActorID = "someone-else"
		db.SQL().Exec(`UPDATE audit_entries SET actor_id = 'someone-else' WHERE idx = 1`)
		db.SQL().Exec(`DELETE FROM audit_hashes`)
		db.SQL().Exec(`DELETE FROM audit_checkpoints`)
		var hashes []tlog.Hash
		reader := tlog.HashReaderFunc(func(idx []int64) ([]tlog.Hash, error) {
			out := make([]tlog.Hash, len(idx))
			for i, x := range idx {
				out[i] = hashes[x]
			}
			return out, nil
		})
		for _, e := range entries {
			h, _ := auditlog.StoredHashes(e, reader)
			hashes = append(hashes, h...)
		}
		for i, h := range hashes {
			db.SQL().Exec(`INSERT INTO audit_hashes (idx, hash) VALUES ($1, $2)`, i, h[:])
		}
		if rep := verify(t, db, verifier, nil); !rep.OK() {
			t.Errorf("self-consistent rewrite without a checkpoint: %+v, want OK (undetectable)", rep)
		}
		if rep := verify(t, db, verifier, cp); rep.FirstBad != 0 || rep.CheckpointSize != 3 {
			t.Errorf("rewrite with an earlier checkpoint: %+v, want first bad 0", rep)
		}
	})
}

// TestAuditVerifyWhileAppending verifies the log again and again while two
// instances keep appending: every run must see one consistent log, never
// new entries' hashes without their entries, and so never report tampering.
func TestAuditVerifyWhileAppending(t *testing.T) {
	for _, engine := range sqlstoretest.Engines {
		t.Run(engine, func(t *testing.T) {
			ctx := context.Background()
			dbs := openInstances(t, engine, 2)
			signer, verifier, err := auditlog.LoadOrCreateSigner(t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			done := make(chan struct{})
			errs := make(chan error, 2)
			for i, db := range dbs {
				go func() {
					defer func() { errs <- nil }()
					for n := 0; ; n++ {
						select {
						case <-done:
							return
						default:
						}
						ev := haven.AuditEvent{Action: "survivor.read", ObjectType: "survivor", ObjectID: fmt.Sprintf("i%d-%d", i, n)}
						if err := db.AppendAuditForTest(ctx, ev); err != nil {
							errs <- err
							return
						}
					}
				}()
			}
			for run := range 12 {
				if _, err := dbs[run%2].SignCheckpoint(ctx, signer); err != nil {
					t.Errorf("run %d: SignCheckpoint: %v", run, err)
				}
				if rep := verify(t, dbs[(run+1)%2], verifier, nil); !rep.OK() {
					t.Errorf("run %d: %+v, want OK", run, rep)
				}
			}
			close(done)
			for range dbs {
				if err := <-errs; err != nil {
					t.Error(err)
				}
			}
		})
	}
}

// openInstances opens n handles on one fresh database, as n Haven instances.
func openInstances(t *testing.T, engine string, n int) []*sqlstoretest.Store {
	t.Helper()
	ctx := context.Background()
	dsn := sqlstoretest.DSN(t, engine)
	var dbs []*sqlstoretest.Store
	for range n {
		db, err := sqlstore.Open(ctx, dsn)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		dbs = append(dbs, sqlstoretest.NewStore(db))
	}
	return dbs
}

// TestAuditHashesWhatIsStored appends an entry whose time has nanoseconds,
// which neither engine keeps: the hash must cover the stored time.
func TestAuditHashesWhatIsStored(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		at := time.Date(2026, 5, 6, 7, 8, 9, 123456789, time.FixedZone("x", -3600))
		e := haven.AuditEntry{Time: at, ActorID: "a", AuditEvent: haven.AuditEvent{Action: "user.create", Outcome: haven.OutcomeSuccess}}
		if err := db.AppendAuditEntryForTest(ctx, e); err != nil {
			t.Fatal(err)
		}
		entries, err := db.AuditEntries(ctx, 0, 1)
		if err != nil || len(entries) != 1 {
			t.Fatalf("AuditEntries=%v, %v, want one entry", entries, err)
		}
		if want := at.UTC().Truncate(time.Microsecond); !entries[0].Time.Equal(want) {
			t.Errorf("stored time %v, want %v", entries[0].Time, want)
		}
		if rep := verify(t, db, nil, nil); !rep.OK() {
			t.Errorf("report %+v, want OK", rep)
		}
	})
}

// BenchmarkAuditAppendParallel appends from GOMAXPROCS×4 goroutines at
// once: the head lock serialises them, so this is the log's ceiling.
func BenchmarkAuditAppendParallel(b *testing.B) {
	for _, engine := range sqlstoretest.Engines {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			db := sqlstoretest.MustOpen(b, engine)
			ev := haven.AuditEvent{Action: "survivor.read", ObjectType: "survivor", ObjectID: "0190a0b4-7c1e-7000-8000-000000000001"}
			b.SetParallelism(4)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := db.AppendAuditForTest(ctx, ev); err != nil {
						b.Error(err)
						return
					}
				}
			})
		})
	}
}

// BenchmarkVerifyAudit verifies a log of 10,000 entries; ns/op divided by
// 10,000 is the cost of verifying one entry.
// BenchmarkIntegrateAudit hashes 10,000 appended entries into the stored
// tree, as serve's background loop does in batches.
func BenchmarkIntegrateAudit(b *testing.B) {
	for _, engine := range sqlstoretest.Engines {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			db := sqlstoretest.MustOpen(b, engine)
			const n = 10000
			for b.Loop() {
				b.StopTimer()
				if err := db.AppendAuditBatchForTest(ctx, n); err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				if _, err := db.IntegrateAudit(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/entry")
		})
	}
}

func BenchmarkVerifyAudit(b *testing.B) {
	for _, engine := range sqlstoretest.Engines {
		b.Run(engine, func(b *testing.B) {
			ctx := context.Background()
			db := sqlstoretest.MustOpen(b, engine)
			const n = 10000
			if err := db.AppendAuditBatchForTest(ctx, n); err != nil {
				b.Fatal(err)
			}
			if _, err := db.IntegrateAudit(ctx); err != nil { // as serve keeps it
				b.Fatal(err)
			}
			for b.Loop() {
				rep, err := db.VerifyAudit(ctx, nil, nil)
				if err != nil || !rep.OK() || rep.Checked != n {
					b.Fatalf("VerifyAudit=%+v, %v, want OK with %d entries", rep, err, n)
				}
			}
		})
	}
}

// TestAuditCheckpointsOfTwoKeys: instances that each sign with their own
// key store checkpoints side by side; verify without a checkpoint checks
// the latest of the given key's, whichever key signed last.
func TestAuditCheckpointsOfTwoKeys(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		a, va, _ := auditlog.LoadOrCreateSigner(t.TempDir())
		b, vb, _ := auditlog.LoadOrCreateSigner(t.TempDir())
		createUsers(t, db, 0, 2)
		if _, err := db.SignCheckpoint(ctx, a); err != nil {
			t.Fatal(err)
		}
		createUsers(t, db, 2, 2)
		if _, err := db.SignCheckpoint(ctx, b); err != nil {
			t.Fatal(err)
		}
		if rep := verify(t, db, va, nil); !rep.OK() || rep.CheckpointSize != 2 {
			t.Errorf("key A: %+v, want OK against A's checkpoint of 2", rep)
		}
		if rep := verify(t, db, vb, nil); !rep.OK() || rep.CheckpointSize != 4 {
			t.Errorf("key B: %+v, want OK against B's checkpoint of 4", rep)
		}
	})
}
