package sqlstore_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// TestAuditTrailScale measures the readable audit trail over a large log
// on PostgreSQL: HAVEN_AUDIT_SCALE entries (docs/performance.md uses
// 10,000,000) are generated with one INSERT ... SELECT generate_series,
// not through the API; one survivor's record is the object of one entry
// in 10,000. It reports the median and worst of 20 runs of each query a
// page makes. Skipped unless HAVEN_AUDIT_SCALE is set;
// HAVEN_AUDIT_SCALE_ENGINE=sqlite measures SQLite instead (a recursive
// query generates the entries there, all at one time):
//
//	HAVEN_AUDIT_SCALE=10000000 HAVEN_TEST_POSTGRES_REQUIRED=1 \
//	  go test ./internal/sqlstore -run TestAuditTrailScale -v -timeout 60m
func TestAuditTrailScale(t *testing.T) {
	n, _ := strconv.ParseInt(os.Getenv("HAVEN_AUDIT_SCALE"), 10, 64)
	if n <= 0 {
		t.Skip("set HAVEN_AUDIT_SCALE to the number of entries to generate")
	}
	engine := os.Getenv("HAVEN_AUDIT_SCALE_ENGINE")
	if engine == "" {
		engine = "postgres"
	}
	db := sqlstoretest.MustOpen(t, engine)
	ctx := context.Background()
	w := newAuditWorld(t, db)
	head, err := db.AuditSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	insert := generatePostgres
	if engine == "sqlite" {
		insert = generateSQLite
	}
	_, err = db.SQL().ExecContext(ctx, insert, head, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), w.survivor.ID, w.adv.ID, n)
	if err != nil {
		t.Fatal(err)
	}
	if engine == "postgres" { // on SQLite the head is a view of the entries
		if _, err := db.SQL().ExecContext(ctx, `UPDATE audit_head SET size = $1 WHERE id = 1`, head+n); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := db.SQL().ExecContext(ctx, `ANALYZE audit_entries`); err != nil {
		t.Fatal(err)
	}
	t.Logf("generated %d entries in %v", n, time.Since(start).Round(time.Second))
	measure := func(name string, f func() (int, error)) {
		var times []time.Duration
		rows := 0
		for range 20 {
			s := time.Now()
			got, err := f()
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			times = append(times, time.Since(s))
			rows = got
		}
		slices.Sort(times)
		t.Logf("%-48s rows=%5d median=%v max=%v", name, rows, times[len(times)/2].Round(time.Microsecond), times[len(times)-1].Round(time.Microsecond))
		if times[len(times)/2] > time.Second {
			t.Errorf("%s: median %v, goal under 1 s", name, times[len(times)/2])
		}
	}
	admin, sup := actorCtx(w.admin), actorCtx(w.sup)
	measure("admin: one survivor by case number, page 1", func() (int, error) {
		p, err := db.SearchAudit(admin, haven.AuditQuery{CaseNumber: w.survivor.CaseNumber})
		return len(p.Rows), err
	})
	measure("supervisor: one survivor by case number, page 1", func() (int, error) {
		p, err := db.SearchAudit(sup, haven.AuditQuery{CaseNumber: w.survivor.CaseNumber})
		return len(p.Rows), err
	})
	measure("lead: access report (all entries, up to 10,000)", func() (int, error) {
		rows, err := db.AccessReport(actorCtx(w.adv), w.survivor.ID)
		return len(rows), err
	})
	measure("admin: one actor, page 1", func() (int, error) {
		p, err := db.SearchAudit(admin, haven.AuditQuery{ActorID: "user-17"})
		return len(p.Rows), err
	})
	measure("admin: one day, denied only, page 1", func() (int, error) {
		p, err := db.SearchAudit(admin, haven.AuditQuery{Outcome: haven.OutcomeDenied,
			From: time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 6, 2, 0, 0, 0, 0, time.UTC)})
		return len(p.Rows), err
	})
	measure("admin: newest page, no filter", func() (int, error) {
		p, err := db.SearchAudit(admin, haven.AuditQuery{})
		return len(p.Rows), err
	})
	measure("supervisor: newest page, no filter", func() (int, error) {
		p, err := db.SearchAudit(sup, haven.AuditQuery{})
		return len(p.Rows), err
	})
}

// BenchmarkAuditAppendTrailIndexes measures what migration 0022's three
// search indexes cost an audit append: the same appends (random object
// ids, as real entries have) on a store with them and on one without.
//
//	HAVEN_TEST_POSTGRES_REQUIRED=1 go test ./internal/sqlstore -run '^$' \
//	  -bench AuditAppendTrailIndexes -benchtime 3000x -count 3
func BenchmarkAuditAppendTrailIndexes(b *testing.B) {
	for _, engine := range []string{"postgres"} { // SQLite has none (migration 0022)
		for _, indexed := range []bool{true, false} {
			name := engine + "/with-indexes"
			if !indexed {
				name = engine + "/without"
			}
			b.Run(name, func(b *testing.B) {
				ctx := context.Background()
				db := sqlstoretest.MustOpen(b, engine)
				if !indexed {
					for _, ix := range []string{"audit_entries_object", "audit_entries_actor", "audit_entries_at"} {
						if _, err := db.SQL().ExecContext(ctx, `DROP INDEX `+ix); err != nil {
							b.Fatal(err)
						}
					}
				}
				b.ResetTimer()
				for i := range b.N {
					ev := haven.AuditEvent{Action: "survivor.read", ObjectType: "survivor", ObjectID: "rec-" + strconv.Itoa(i*7919%100000)}
					if err := db.AppendAuditForTest(ctx, ev); err != nil {
						b.Fatal(err)
					}
				}
			})
		}
	}
}

// generatePostgres and generateSQLite append $5 entries from index $1: 2,000
// staff, 200,000 other records, one entry in 10,000 about survivor $3
// (read by user $4), one in 50 denied; from time $2, one every 3 seconds
// on PostgreSQL.
const (
	generatePostgres = `INSERT INTO audit_entries (idx, at, actor_id, action, object_type, object_id, outcome, reason)
		SELECT $1 + g, $2::timestamptz + g * interval '3 seconds',
			CASE WHEN g % 10000 = 0 THEN $4 ELSE 'user-' || (g % 2000) END,
			CASE g % 4 WHEN 0 THEN 'survivor.read' WHEN 1 THEN 'screening.list' WHEN 2 THEN 'care_plan.read' ELSE 'survivor.update' END,
			'survivor',
			CASE WHEN g % 10000 = 0 THEN $3 ELSE 'rec-' || (g * 7919 % 200000) END,
			CASE WHEN g % 50 = 0 THEN 'denied' ELSE 'success' END, ''
		FROM generate_series(0::bigint, $5::bigint - 1) AS g`
	generateSQLite = `WITH RECURSIVE s(g) AS (SELECT 0 UNION ALL SELECT g + 1 FROM s WHERE g + 1 < $5)
		INSERT INTO audit_entries (idx, at, actor_id, action, object_type, object_id, outcome, reason)
		SELECT $1 + g, $2,
			CASE WHEN g % 10000 = 0 THEN $4 ELSE 'user-' || (g % 2000) END,
			CASE g % 4 WHEN 0 THEN 'survivor.read' WHEN 1 THEN 'screening.list' WHEN 2 THEN 'care_plan.read' ELSE 'survivor.update' END,
			'survivor',
			CASE WHEN g % 10000 = 0 THEN $3 ELSE 'rec-' || (g * 7919 % 200000) END,
			CASE WHEN g % 50 = 0 THEN 'denied' ELSE 'success' END, ''
		FROM s`
)
