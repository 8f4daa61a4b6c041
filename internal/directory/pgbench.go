package directory

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// BenchConfig configures RunBench.
type BenchConfig struct {
	Services int
	Queries  int     // default 1000
	Seed     uint64  // default 1
	DB       *sql.DB // PostgreSQL through pgx/v5/stdlib
	Schema   string  // schema the bench (re)creates; default "directory_bench"
	Out      io.Writer
}

// BenchResult holds the figures RunBench prints.
type BenchResult struct {
	Services, Queries        int
	BuildSeconds, HeapMB     float64
	IndexP50, IndexP99       time.Duration
	PostgresP50, PostgresP99 time.Duration
	Agree                    bool
	Matched                  int // sites matched over the query set (agreement pass)
	Disagreements            int
}

// RunBench loads the same synthetic directory into the index and into
// PostgreSQL (GiST on earthdistance's ll_to_earth, GIN on need and
// language arrays), runs one fixed query set through both, checks that the
// filtered result sets agree, and prints the one-line summary.
func RunBench(ctx context.Context, cfg BenchConfig) (BenchResult, error) {
	if cfg.Queries <= 0 {
		cfg.Queries = 1000
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Schema == "" {
		cfg.Schema = "directory_bench"
	}
	res := BenchResult{Services: cfg.Services, Queries: cfg.Queries}
	x := benchBuild(cfg, &res)
	fmt.Fprintf(cfg.Out, "index built: %d sites in %.1fs, heap %.0f MB\n", x.Len(), res.BuildSeconds, res.HeapMB)
	if err := pgLoad(ctx, cfg); err != nil {
		return res, err
	}
	qs := QuerySet(cfg.Queries, cfg.Seed+1)
	res.IndexP50, res.IndexP99 = timeQueries(len(qs), func(i int) error { _, err := x.Query(qs[i]); return err })
	var err error
	res.PostgresP50, res.PostgresP99 = timeQueries(len(qs), func(i int) error {
		if err == nil {
			_, err = pgQuery(ctx, cfg.DB, cfg.Schema, &qs[i], 20)
		}
		return err
	})
	if err != nil {
		return res, err
	}
	if res.Disagreements, res.Matched, err = agreement(ctx, cfg.DB, cfg.Schema, x, qs); err != nil {
		return res, err
	}
	res.Agree = res.Disagreements == 0
	fmt.Fprintf(cfg.Out, "directory-bench services=%d queries=%d index_p50_ms=%.3f index_p99_ms=%.3f postgres_p50_ms=%.3f postgres_p99_ms=%.3f p99_ratio=%.1f agree=%t\n",
		res.Services, res.Queries, ms(res.IndexP50), ms(res.IndexP99), ms(res.PostgresP50), ms(res.PostgresP99),
		ms(res.PostgresP99)/math.Max(ms(res.IndexP99), 1e-6), res.Agree)
	return res, nil
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

func benchBuild(cfg BenchConfig, res *BenchResult) *Index {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	x := NewEmpty()
	Generate(cfg.Services, cfg.Seed, x.Add)
	x.Optimize()
	res.BuildSeconds = time.Since(start).Seconds()
	runtime.GC()
	runtime.ReadMemStats(&after)
	res.HeapMB = float64(after.HeapAlloc-before.HeapAlloc) / (1 << 20)
	return x
}

// timeQueries runs every query once to warm up, then once timed, and
// returns the median and 99th percentile.
func timeQueries(n int, run func(int) error) (p50, p99 time.Duration) {
	for i := range min(n, 50) {
		_ = run(i)
	}
	d := make([]time.Duration, n)
	for i := range n {
		start := time.Now()
		_ = run(i)
		d[i] = time.Since(start)
	}
	slices.Sort(d)
	return d[n/2], d[min(n-1, n*99/100)]
}

// agreement compares, query by query, the full filtered sets of both.
func agreement(ctx context.Context, db *sql.DB, schema string, x *Index, qs []Query) (bad, matched int, err error) {
	for i := range qs {
		q := qs[i]
		q.Limit, q.NearMisses = -1, -1
		a, err := x.Query(q)
		if err != nil {
			return 0, 0, err
		}
		matched += len(a.Results)
		var got []string
		for _, r := range a.Results {
			got = append(got, r.ServiceID+"/"+r.LocationID)
		}
		want, err := pgQuery(ctx, db, schema, &qs[i], -1)
		if err != nil {
			return 0, 0, err
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			bad++
		}
	}
	return bad, matched, nil
}

const pgSchema = `
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;
DROP SCHEMA IF EXISTS directory_bench CASCADE;
CREATE SCHEMA directory_bench;
CREATE TABLE directory_bench.site (
	id int PRIMARY KEY, service_id text NOT NULL, location_id text NOT NULL,
	lat float8, lon float8, x float8, y float8, z float8,
	terms text[] NOT NULL, langs text[] NOT NULL, flags int NOT NULL,
	genders int NOT NULL, imm int NOT NULL, barriers int NOT NULL, insurance int NOT NULL, docs int NOT NULL,
	min_age int NOT NULL, max_age int NOT NULL)`

const pgIndexes = `
CREATE INDEX site_earth ON directory_bench.site USING gist (ll_to_earth(lat, lon)) WHERE lat IS NOT NULL;
CREATE INDEX site_terms ON directory_bench.site USING gin (terms);
CREATE INDEX site_langs ON directory_bench.site USING gin (langs);
ANALYZE directory_bench.site`

func pgLoad(ctx context.Context, cfg BenchConfig) error {
	if _, err := cfg.DB.ExecContext(ctx, inSchema(pgSchema, cfg.Schema)); err != nil {
		return fmt.Errorf("create bench schema: %w", err)
	}
	start := time.Now()
	conn, err := cfg.DB.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	err = conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		cols := []string{"id", "service_id", "location_id", "lat", "lon", "x", "y", "z", "terms", "langs", "flags",
			"genders", "imm", "barriers", "insurance", "docs", "min_age", "max_age"}
		_, err := pc.CopyFrom(ctx, pgx.Identifier{cfg.Schema, "site"}, cols, newSiteRows(cfg))
		return err
	})
	if err != nil {
		return fmt.Errorf("copy sites: %w", err)
	}
	if _, err := cfg.DB.ExecContext(ctx, inSchema(pgIndexes, cfg.Schema)); err != nil {
		return fmt.Errorf("create bench indexes: %w", err)
	}
	fmt.Fprintf(cfg.Out, "postgres loaded and indexed in %.1fs\n", time.Since(start).Seconds())
	return nil
}

// siteRows streams generated sites, in their compact form, to COPY.
type siteRows struct {
	ch  chan []any
	row []any
}

func newSiteRows(cfg BenchConfig) *siteRows {
	ch := make(chan []any, 1024)
	go func() {
		x := NewEmpty() // a scratch index that compacts one site at a time
		i := 0
		Generate(cfg.Services, cfg.Seed, func(s Site) {
			ch <- siteRow(x, i, &s)
			i++
			x.recs, x.ids, x.ext = x.recs[:0], x.ids[:0], x.ext[:0]
		})
		close(ch)
	}()
	return &siteRows{ch: ch}
}

func siteRow(x *Index, i int, s *Site) []any {
	r := x.compact(s)
	var lat, lon, px, py, pz any
	if r.flags&fGeo != 0 {
		lat, lon = float64(r.lat), float64(r.lon)
		px, py, pz = float64(r.x), float64(r.y), float64(r.z)
	}
	langs := lower(s.Languages)
	return []any{i, s.ServiceID, s.LocationID, lat, lon, px, py, pz, normalizeTerms(s.Terms), langs, int(r.flags),
		int(r.genders), int(r.imm), int(r.barriers), int(r.insurance), int(r.docs), int(r.minAge), int(r.maxAge)}
}

func (s *siteRows) Next() bool {
	s.row = <-s.ch
	return s.row != nil
}

func (s *siteRows) Values() ([]any, error) { return s.row, nil }
func (s *siteRows) Err() error             { return nil }

// pgQuery runs q's hard constraints in SQL; limit > 0 orders by distance
// and keeps the nearest, as a directory query would.
func pgQuery(ctx context.Context, db *sql.DB, schema string, q *Query, limit int) ([]string, error) {
	where, args := pgWhere(q)
	sqlText := "SELECT service_id || '/' || location_id FROM " + pgx.Identifier{schema, "site"}.Sanitize() + " WHERE " + where
	if limit > 0 {
		sqlText += fmt.Sprintf(" ORDER BY (x-$5)*(x-$5)+(y-$6)*(y-$6)+(z-$7)*(z-$7) LIMIT %d", limit)
	}
	rows, err := db.QueryContext(ctx, sqlText, args...)
	if err != nil {
		return nil, fmt.Errorf("bench query: %w", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var k string
		if err := rows.Scan(&k); err != nil {
			return nil, err
		}
		out = append(out, k)
	}
	return out, rows.Err()
}

// inSchema puts the bench's statements in the named schema.
func inSchema(sqlText, schema string) string {
	return strings.ReplaceAll(sqlText, "directory_bench", pgx.Identifier{schema}.Sanitize())
}
