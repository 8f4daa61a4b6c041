package directory

import (
	"context"
	"database/sql"
	"os"
	"strconv"
	"strings"
	"testing"

	_ "github.com/jackc/pgx/v5/stdlib"
)

func openBenchDB(t *testing.T, schema string) *sql.DB {
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
	t.Cleanup(func() { db.Exec("DROP SCHEMA " + schema + " CASCADE"); db.Close() })
	return db
}

func TestRunBenchAgrees(t *testing.T) {
	db := openBenchDB(t, "directory_bench_test")
	var out strings.Builder
	res, err := RunBench(context.Background(), BenchConfig{Services: 20_000, Queries: 100, DB: db, Schema: "directory_bench_test", Out: &out})
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

// TestBenchDirectory runs the full bench when HAVEN_BENCH_DIRECTORY_SERVICES
// names a size (the figures in docs/directory.md), printing its summary.
func TestBenchDirectory(t *testing.T) {
	n, _ := strconv.Atoi(os.Getenv("HAVEN_BENCH_DIRECTORY_SERVICES"))
	if n == 0 {
		t.Skip("set HAVEN_BENCH_DIRECTORY_SERVICES to run")
	}
	if _, err := RunBench(context.Background(), BenchConfig{Services: n, DB: openBenchDB(t, "directory_bench"), Out: os.Stdout}); err != nil {
		t.Fatal(err)
	}
}
