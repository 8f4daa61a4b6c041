// Package pgbaseline measures the directory matching index against a
// PostgreSQL baseline: the same synthetic directory loaded into both, one
// fixed query set run through both, timed, and their filtered result sets
// compared. It lives apart from package directory so that the matching
// engine depends on no database driver.
package pgbaseline

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"math"
	"runtime"
	"slices"
	"time"

	"github.com/haven-care/haven/internal/directory"
)

// Config configures RunBench.
type Config struct {
	Services int
	Queries  int     // default 1000
	Seed     uint64  // default 1
	DB       *sql.DB // PostgreSQL through pgx/v5/stdlib
	Schema   string  // schema the bench drops and re-creates; default "directory_bench"
	Out      io.Writer
}

// Result holds the figures RunBench prints.
type Result struct {
	Services, Queries        int
	BuildSeconds, HeapMB     float64
	IndexP50, IndexP99       time.Duration
	PostgresP50, PostgresP99 time.Duration
	Agree                    bool
	Matched                  int // sites matched over the query set (agreement pass)
	Disagreements            int // over every plan
	// Plan is the fastest plan at p99, whose figures PostgresP50 and
	// PostgresP99 are; Plans holds every plan run.
	Plan  Plan
	Plans []PlanResult
}

// PlanResult holds one PostgreSQL plan's figures.
type PlanResult struct {
	Plan          Plan
	P50, P99      time.Duration
	Disagreements int
}

// RunBench loads the same synthetic directory into the index and into
// PostgreSQL (GiST on earthdistance's ll_to_earth and, when PostGIS is
// installed, on a geography column; GIN on need and language arrays), runs
// one fixed query set through the index and every plan, checks that the
// filtered result sets agree, and prints the one-line summary with the
// figures of the fastest plan at p99 (postgres_plan). The schema
// it creates stays for inspection; the caller drops it.
func RunBench(ctx context.Context, cfg Config) (Result, error) {
	if cfg.Queries <= 0 {
		cfg.Queries = 1000
	}
	if cfg.Seed == 0 {
		cfg.Seed = 1
	}
	if cfg.Schema == "" {
		cfg.Schema = "directory_bench"
	}
	res := Result{Services: cfg.Services, Queries: cfg.Queries}
	x := build(cfg, &res)
	fmt.Fprintf(cfg.Out, "index built: %d sites in %.1fs, heap %.0f MB\n", x.Len(), res.BuildSeconds, res.HeapMB)
	plans, err := load(ctx, cfg)
	if err != nil {
		return res, err
	}
	qs := directory.QuerySet(cfg.Queries, cfg.Seed+1)
	res.IndexP50, res.IndexP99 = timeQueries(len(qs), func(i int) error { _, err := x.Query(qs[i]); return err })
	for _, plan := range plans {
		p, matched, err := runPlan(ctx, cfg, plan, x, qs)
		if err != nil {
			return res, err
		}
		fmt.Fprintf(cfg.Out, "postgres plan %s: p50_ms=%.3f p99_ms=%.3f disagreements=%d\n", plan, ms(p.P50), ms(p.P99), p.Disagreements)
		res.Plans = append(res.Plans, p)
		res.Matched, res.Disagreements = matched, res.Disagreements+p.Disagreements
		if res.Plan == "" || p.P99 < res.PostgresP99 {
			res.Plan, res.PostgresP50, res.PostgresP99 = plan, p.P50, p.P99
		}
	}
	res.Agree = res.Disagreements == 0
	fmt.Fprintf(cfg.Out, "directory-bench services=%d queries=%d index_p50_ms=%.3f index_p99_ms=%.3f postgres_p50_ms=%.3f postgres_p99_ms=%.3f p99_ratio=%.1f agree=%t postgres_plan=%s\n",
		res.Services, res.Queries, ms(res.IndexP50), ms(res.IndexP99), ms(res.PostgresP50), ms(res.PostgresP99),
		ms(res.PostgresP99)/math.Max(ms(res.IndexP99), 1e-6), res.Agree, res.Plan)
	return res, nil
}

// runPlan times the query set through one plan and compares its full
// filtered result sets with the index's.
func runPlan(ctx context.Context, cfg Config, plan Plan, x *directory.Index, qs []directory.Query) (PlanResult, int, error) {
	p := PlanResult{Plan: plan}
	var err error
	p.P50, p.P99 = timeQueries(len(qs), func(i int) error {
		if err == nil {
			_, err = query(ctx, cfg.DB, cfg.Schema, plan, &qs[i], 20)
		}
		return err
	})
	if err != nil {
		return p, 0, err
	}
	var matched int
	p.Disagreements, matched, err = agreement(ctx, cfg.DB, cfg.Schema, plan, x, qs)
	return p, matched, err
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// build generates the directory into a fresh index, recording its build
// time and heap.
func build(cfg Config, res *Result) *directory.Index {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	start := time.Now()
	x := directory.NewEmpty()
	directory.Generate(cfg.Services, cfg.Seed, x.Add)
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
func agreement(ctx context.Context, db *sql.DB, schema string, plan Plan, x *directory.Index, qs []directory.Query) (bad, matched int, err error) {
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
		want, err := query(ctx, db, schema, plan, &qs[i], -1)
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
