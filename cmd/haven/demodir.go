package main

import (
	"context"
	"fmt"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/sqlstore"
)

func init() {
	commands["demo"] = command{"load synthetic demo data (demo directory --services N, demo cases --survivors N)", runDemo}
}

const (
	demoDirUsage = "demo directory [--services N] [--seed S] [--progress] [--data DIR] [--db DSN]\n\n" +
		"Loads a deterministic synthetic national directory (HSDS records; the same N and seed give\n" +
		"the same directory). Re-running updates the same records by id."
	demoDirExample = "haven demo directory --services 10000"
)

func runDemo(m *Main, ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "cases" {
		return runDemoCases(m, ctx, args[1:])
	}
	return subcommand(m, ctx, "demo", args, "directory", demoDirUsage, demoDirExample, runDemoDirectory)
}

func runDemoDirectory(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "demo directory", demoDirUsage, demoDirExample)
	var sf storeFlags
	sf.register(fs)
	var n int
	var seed uint64
	var progress bool
	fs.IntVar(&n, "services", 1000, "number of services")
	fs.Uint64Var(&seed, "seed", 1, "seed of the generator")
	fs.BoolVar(&progress, "progress", false, "show a progress bar even when stderr is not a terminal")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if n < 1 || n > 10_000_000 {
		return usageError{"demo directory: --services must be from 1 to 10000000"}
	}
	db, err := m.openStore(ctx, &sf, true)
	if err != nil {
		return err
	}
	d := directory.GenerateDirectory(n, seed)
	bar := m.progressBar("loading", progress)
	res, err := sqlstore.NewDirectoryService(db).ImportDirectory(haven.WithSystem(ctx, access.JobDemo), d, bar.update)
	bar.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "loaded a synthetic directory: %d organizations, %d services, %d locations (%d records); directory version %d\n",
		res.Organizations, res.Services, res.Locations, res.Records, res.Version)
	return nil
}
