package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/demo"
	"github.com/haven-care/haven/internal/gap"
	"github.com/haven-care/haven/internal/sqlstore"
)

const (
	benchGapUsage = "bench gap [--survivors N] [--referrals M] [--runs R] [--skip-load] [--data DIR] [--db DSN]\n\n" +
		"Loads a synthetic caseload of N survivors with M referrals in bulk (demo cases, its referrals\n" +
		"repeated until there are M), then times the gap report's main tables as an analyst, R times each,\n" +
		"and prints the median. Use an empty database: the store keeps what it loads."
	benchGapExample = "haven bench gap --survivors 100000 --referrals 1000000 --db postgres://postgres@127.0.0.1:5432/test"
)

// benchGapTables are the report's main tables: its default page, and the
// referrals and representation most asked for.
var benchGapTables = [][2]string{{haven.PopulationNeeds, gap.DimDomain}, {haven.PopulationReferrals, gap.DimLanguage},
	{haven.PopulationSurvivors, gap.DimGender}, {haven.PopulationScreenings, gap.DimInstrument}}

func runBenchGap(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "bench gap", benchGapUsage, benchGapExample)
	var sf storeFlags
	sf.register(fs)
	var n, refs, runs int
	var skip bool
	fs.IntVar(&n, "survivors", 100_000, "synthetic survivors to load")
	fs.IntVar(&refs, "referrals", 1_000_000, "referrals to load (at least the caseload's own)")
	fs.IntVar(&runs, "runs", 3, "times each table is asked")
	fs.BoolVar(&skip, "skip-load", false, "time the tables of what the store already holds")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if n < 1 || runs < 1 {
		return usageError{"bench gap: --survivors and --runs must be positive"}
	}
	db, err := m.openStore(ctx, &sf, true)
	if err != nil {
		return err
	}
	gs := sqlstore.NewGapService(db, nil)
	if !skip {
		if err := benchGapLoad(m, ctx, db, gs, n, refs); err != nil {
			return err
		}
	}
	analyst, err := sqlstore.NewAccountService(db).CreateUser(haven.WithSystem(ctx, access.JobDemo), haven.NewUser{
		Username: "bench.analyst." + strings.ToLower(rand.Text()[:6]), Role: haven.RoleAnalyst, Password: rand.Text() + rand.Text()})
	if err != nil {
		return err
	}
	as := haven.WithActor(ctx, haven.Actor{UserID: analyst.ID, Role: analyst.Role})
	for _, tb := range benchGapTables {
		var times []time.Duration
		for range runs {
			start := time.Now()
			if _, err := gs.GapTable(as, tb[0], tb[1]); err != nil {
				return err
			}
			times = append(times, time.Since(start))
		}
		slices.Sort(times)
		fmt.Fprintf(m.Stdout, "gap-bench engine=%s table=%s/%s median=%s min=%s runs=%d\n", db.Engine(), tb[0], tb[1],
			times[len(times)/2].Round(time.Millisecond), times[0].Round(time.Millisecond), runs)
	}
	return nil
}

func benchGapLoad(m *Main, ctx context.Context, db *sqlstore.DB, gs *sqlstore.GapService, n, refs int) error {
	job := haven.WithSystem(ctx, access.JobDemo)
	lead, err := sqlstore.NewAccountService(db).CreateUser(job, haven.NewUser{
		Username: "bench.lead." + strings.ToLower(rand.Text()[:6]), Role: haven.RoleAdvocate, Password: rand.Text() + rand.Text()})
	if err != nil {
		return err
	}
	start := time.Now()
	cases := demo.Caseload(n, 1)
	demo.ScaleReferrals(cases, refs)
	bar := m.progressBar("loading", false)
	err = gs.LoadCaseload(job, cases, lead.ID, func(done, total int) { bar.update(done, total) })
	bar.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "gap-bench engine=%s loaded survivors=%d referrals>=%d in %s\n", db.Engine(), n, refs,
		time.Since(start).Round(time.Second))
	return nil
}
