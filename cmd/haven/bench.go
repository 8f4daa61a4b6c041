package main

import (
	"bytes"
	"context"
	"database/sql"
	"io"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/directory/pgbaseline"
)

func init() {
	commands["bench"] = command{"benchmark the matching index against PostgreSQL (bench directory), drive a mixed load (bench load) or time the gap report (bench gap)", runBench}
}

const (
	benchUsage = "bench directory --services N --postgres URL [--queries Q] [--seed S] [--schema NAME]\n\n" +
		"Loads the same synthetic directory into the in-memory index and into PostgreSQL (schema NAME,\n" +
		"dropped and re-created), runs one fixed query set through both, checks that the filtered\n" +
		"results agree and prints one line of figures."
	benchExample = "haven bench directory --services 1000000 --postgres postgres://postgres@127.0.0.1:5432/test"
)

func runBench(m *Main, ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "load" {
		return runBenchLoad(m, ctx, args[1:])
	}
	if len(args) > 0 && args[0] == "gap" {
		return runBenchGap(m, ctx, args[1:])
	}
	return subcommand(m, ctx, "bench", args, "directory", benchUsage, benchExample, runBenchDirectory)
}

func runBenchDirectory(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "bench directory", benchUsage, benchExample)
	cfg := pgbaseline.Config{Out: &lineSplitter{summary: m.Stdout, other: m.Stderr}}
	var url string
	fs.IntVar(&cfg.Services, "services", 100_000, "number of services")
	fs.IntVar(&cfg.Queries, "queries", 1000, "number of queries")
	fs.Uint64Var(&cfg.Seed, "seed", 1, "seed of the generator and the query set")
	fs.StringVar(&cfg.Schema, "schema", "directory_bench", "PostgreSQL schema the bench drops and re-creates")
	fs.StringVar(&url, "postgres", "", "PostgreSQL URL of the baseline (postgres://...)")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if !strings.HasPrefix(url, "postgres://") && !strings.HasPrefix(url, "postgresql://") {
		return usageError{"bench directory: --postgres must be a postgres:// URL"}
	}
	if cfg.Services < 1 || cfg.Queries < 1 {
		return usageError{"bench directory: --services and --queries must be positive"}
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		return haven.Errorf(haven.Invalid, "--postgres: %v", err)
	}
	m.onClose(db.Close)
	if err := db.PingContext(ctx); err != nil {
		return haven.Errorf(haven.Unavailable, "cannot reach the PostgreSQL baseline given by --postgres")
	}
	cfg.DB = db
	res, err := pgbaseline.RunBench(ctx, cfg)
	if err != nil {
		return err
	}
	if !res.Agree {
		return haven.Errorf(haven.Internal, "index and PostgreSQL disagree on %d queries", res.Disagreements)
	}
	return nil
}

// lineSplitter sends the bench's summary line to summary (stdout) and its
// progress lines to other (stderr), so that stdout holds the one line.
type lineSplitter struct {
	summary, other io.Writer
	buf            []byte
}

func (w *lineSplitter) Write(p []byte) (int, error) {
	w.buf = append(w.buf, p...)
	for {
		i := bytes.IndexByte(w.buf, '\n')
		if i < 0 {
			return len(p), nil
		}
		line := w.buf[:i+1]
		dst := w.other
		if bytes.HasPrefix(line, []byte("directory-bench ")) {
			dst = w.summary
		}
		if _, err := dst.Write(line); err != nil {
			return 0, err
		}
		w.buf = w.buf[i+1:]
	}
}
