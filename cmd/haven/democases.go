package main

import (
	"context"
	"crypto/rand"
	"fmt"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/demo"
	"github.com/haven-care/haven/internal/sqlstore"
)

const (
	demoCasesUsage = "demo cases [--survivors N] [--seed S] [--progress] [--data DIR] [--db DSN]\n\n" +
		"Loads a deterministic synthetic caseload for the gap report: N invented survivors with screenings,\n" +
		"needs and referrals with outcomes (about 2.4 needs and 4 referrals each), with gaps built in: Mam\n" +
		"speakers, whom no service of the demo directory serves in their language; El Paso, far from the demo\n" +
		"directory around Austin; men refused by shelters. The same N and seed give the same caseload. An\n" +
		"advocate account of no known password is created to lead the cases' care teams."
	demoCasesExample = "haven demo cases --survivors 10000"
)

func runDemoCases(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "demo cases", demoCasesUsage, demoCasesExample)
	var sf storeFlags
	sf.register(fs)
	var n int
	var seed uint64
	var progress bool
	fs.IntVar(&n, "survivors", 1000, "number of synthetic survivors")
	fs.Uint64Var(&seed, "seed", 1, "seed of the generator")
	fs.BoolVar(&progress, "progress", false, "show a progress bar even when stderr is not a terminal")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if n < 1 || n > 10_000_000 {
		return usageError{"demo cases: --survivors must be from 1 to 10000000"}
	}
	db, err := m.openStore(ctx, &sf, true)
	if err != nil {
		return err
	}
	job := haven.WithSystem(ctx, access.JobDemo)
	lead, err := sqlstore.NewAccountService(db).CreateUser(job, haven.NewUser{
		Username: "caseload.lead." + strings.ToLower(rand.Text()[:6]), DisplayName: "Synthetic caseload lead",
		Role: haven.RoleAdvocate, Password: rand.Text() + rand.Text()})
	if err != nil {
		return err
	}
	start := time.Now()
	cases := demo.Caseload(n, seed)
	bar := m.progressBar("loading", progress)
	err = sqlstore.NewGapService(db, nil).LoadCaseload(job, cases, lead.ID, func(done, total int) { bar.update(done, total) })
	bar.done()
	if err != nil {
		return err
	}
	needs, referrals := 0, 0
	for _, c := range cases {
		needs += len(c.Needs)
		for _, nd := range c.Needs {
			referrals += len(nd.Referrals)
		}
	}
	fmt.Fprintf(m.Stdout, "loaded a synthetic caseload: %d survivors, %d needs, %d referrals, %d screenings, led by %s, in %s\n",
		n, needs, referrals, n, lead.Username, time.Since(start).Round(time.Millisecond))
	return nil
}
