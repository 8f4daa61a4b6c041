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
// page makes. Skipped unless HAVEN_AUDIT_SCALE is set:
//
//	HAVEN_AUDIT_SCALE=10000000 HAVEN_TEST_POSTGRES_REQUIRED=1 \
//	  go test ./internal/sqlstore -run TestAuditTrailScale -v -timeout 60m
func TestAuditTrailScale(t *testing.T) {
	n, _ := strconv.ParseInt(os.Getenv("HAVEN_AUDIT_SCALE"), 10, 64)
	if n <= 0 {
		t.Skip("set HAVEN_AUDIT_SCALE to the number of entries to generate")
	}
	db := sqlstoretest.MustOpen(t, "postgres")
	ctx := context.Background()
	w := newAuditWorld(t, db)
	head, err := db.AuditSize(ctx)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	// Entries from head on: 2,000 staff, 200,000 other records, one in
	// 10,000 about w.survivor (read by the advocate), one in 50 denied.
	_, err = db.SQL().ExecContext(ctx, `INSERT INTO audit_entries (idx, at, actor_id, action, object_type, object_id, outcome, reason)
		SELECT $1 + g, $2::timestamptz + g * interval '3 seconds',
			CASE WHEN g % 10000 = 0 THEN $4 ELSE 'user-' || (g % 2000) END,
			CASE g % 4 WHEN 0 THEN 'survivor.read' WHEN 1 THEN 'screening.list' WHEN 2 THEN 'care_plan.read' ELSE 'survivor.update' END,
			'survivor',
			CASE WHEN g % 10000 = 0 THEN $3 ELSE 'rec-' || (g * 7919 % 200000) END,
			CASE WHEN g % 50 = 0 THEN 'denied' ELSE 'success' END, ''
		FROM generate_series(0::bigint, $5::bigint - 1) AS g`, head, time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), w.survivor.ID, w.adv.ID, n)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().ExecContext(ctx, `UPDATE audit_head SET size = $1 WHERE id = 1`, head+n); err != nil {
		t.Fatal(err)
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
