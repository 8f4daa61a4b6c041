package pgbaseline

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"
)

// openBenchDB opens the test PostgreSQL server and returns a schema name
// of this run's own, dropped when the test ends, so that runs sharing the
// server neither collide nor leave the schema behind.
func openBenchDB(t *testing.T) (*sql.DB, string) {
	t.Helper()
	dsn := os.Getenv("HAVEN_TEST_POSTGRES_DSN")
	if dsn == "" {
		dsn = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	db, err := sql.Open("pgx", dsn)
	if err == nil {
		err = db.Ping()
	}
	if err != nil {
		if os.Getenv("HAVEN_TEST_POSTGRES_REQUIRED") == "1" {
			t.Fatalf("PostgreSQL required: %v", err)
		}
		t.Skipf("PostgreSQL not reachable: %v", err)
	}
	schema := fmt.Sprintf("directory_bench_test_%d_%d", os.Getpid(), time.Now().UnixNano())
	t.Cleanup(func() {
		if _, err := db.Exec(`DROP SCHEMA IF EXISTS ` + schema + ` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", schema, err)
		}
		db.Close()
	})
	return db, schema
}

func TestRunBenchAgrees(t *testing.T) {
	db, schema := openBenchDB(t)
	var out strings.Builder
	res, err := RunBench(context.Background(), Config{Services: 20_000, Queries: 100, DB: db, Schema: schema, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	if !res.Agree {
		t.Errorf("Agree=false (%d of %d queries differ)\n%s", res.Disagreements, res.Queries, out.String())
	}
	if res.Matched < res.Queries {
		t.Errorf("Matched=%d over %d queries, want at least one per query on average", res.Matched, res.Queries)
	}
	if !strings.Contains(out.String(), "directory-bench services=20000 queries=100 ") {
		t.Errorf("summary line missing:\n%s", out.String())
	}
}

// TestPostGISPlanAgrees runs the PostGIS plan on a small directory when
// the server has the extension (CI installs it; .ci/run) and requires its
// result sets to equal the index's, and it to be reported.
func TestPostGISPlanAgrees(t *testing.T) {
	db, schema := openBenchDB(t)
	var available bool
	if err := db.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'postgis')`).Scan(&available); err != nil {
		t.Fatal(err)
	}
	if !available {
		t.Skip("PostGIS is not installed on the server (Debian: postgresql-15-postgis-3)")
	}
	var out strings.Builder
	res, err := RunBench(context.Background(), Config{Services: 5_000, Queries: 100, DB: db, Schema: schema, Out: &out})
	if err != nil {
		t.Fatal(err)
	}
	var ran bool
	for _, p := range res.Plans {
		if p.Plan == PlanPostGIS {
			ran = true
			if p.Disagreements != 0 {
				t.Errorf("PostGIS plan disagrees with the index on %d of %d queries", p.Disagreements, res.Queries)
			}
		}
	}
	if !ran {
		t.Errorf("PostGIS is installed but its plan did not run:\n%s", out.String())
	}
	if !strings.Contains(out.String(), " postgres_plan="+string(res.Plan)+"\n") || res.Plan == "" {
		t.Errorf("summary line lacks postgres_plan=%s:\n%s", res.Plan, out.String())
	}
}

// TestBenchDirectory runs the full bench when HAVEN_BENCH_DIRECTORY_SERVICES
// names a size (the figures in docs/directory.md), printing its summary.
func TestBenchDirectory(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("HAVEN_BENCH_DIRECTORY_SERVICES"))
	if n == 0 {
		t.Skip("set HAVEN_BENCH_DIRECTORY_SERVICES to run")
	}
	db, schema := openBenchDB(t)
	if _, err := RunBench(context.Background(), Config{Services: n, DB: db, Schema: schema, Out: os.Stdout}); err != nil {
		t.Fatal(err)
	}
}
