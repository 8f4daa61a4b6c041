package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"

	"golang.org/x/term"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/hsds"
	"github.com/haven-care/haven/internal/sqlstore"
)

func init() {
	commands["import"] = command{"import data (import hsds PATH)", runImport}
	commands["export"] = command{"export data (export hsds DIR)", runExport}
}

const (
	importUsage = "import hsds PATH [--accept-warnings] [--progress] [--data DIR] [--db DSN]\n\n" +
		"PATH is a tabular data package (a folder with datapackage.json and CSV files), a folder\n" +
		"in Haven's JSON form (services.json, organizations.json, ...) or one HSDS JSON file.\n" +
		"Nothing is stored unless the whole data set is valid."
	importExample = "haven import hsds ./directory-feed --accept-warnings"
	exportUsage   = "export hsds DIR [--format json|csv] [--include-confidential] [--data DIR] [--db DSN]"
	exportExample = "haven export hsds ./directory-export --format csv"
)

func runImport(m *Main, ctx context.Context, args []string) error {
	return subcommand(m, ctx, "import", args, "hsds", importUsage, importExample, runImportHSDS)
}

func runExport(m *Main, ctx context.Context, args []string) error {
	return subcommand(m, ctx, "export", args, "hsds", exportUsage, exportExample, runExportHSDS)
}

// subcommand runs run for "haven NAME SUB ...", and prints the usage for
// "haven NAME -h".
func subcommand(m *Main, ctx context.Context, name string, args []string, sub, usage, example string,
	run func(*Main, context.Context, []string) error) error {
	if len(args) > 0 && args[0] == sub {
		return run(m, ctx, args[1:])
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintf(m.Stdout, "Usage: haven %s\n\nExample:\n  %s\n", usage, example)
		return nil
	}
	return usageError{fmt.Sprintf("%s: expected \"haven %s %s\" (see haven %s %s -h)", name, name, sub, name, sub)}
}

// parseWithArgs parses flags that may come before or after the positional
// arguments, which it returns, then settles the flags as parseFlags does.
func parseWithArgs(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		usage := fs.Usage
		fs.Usage = func() {}
		err := fs.Parse(args)
		fs.Usage = usage
		if errors.Is(err, flag.ErrHelp) {
			fs.Usage()
			return nil, err
		} else if err != nil {
			return nil, usageError{fmt.Sprintf("%s: %v (see haven %s -h)", fs.Name(), err, fs.Name())}
		}
		if fs.NArg() == 0 {
			return pos, settle(fs)
		}
		pos, args = append(pos, fs.Arg(0)), fs.Args()[1:]
	}
}

// oneArg parses fs and returns its one positional argument, named what.
func oneArg(fs *flag.FlagSet, args []string, what string) (string, error) {
	pos, err := parseWithArgs(fs, args)
	if err != nil {
		return "", err
	}
	if len(pos) != 1 {
		return "", usageError{fmt.Sprintf("%s: expected one %s (see haven %s -h)", fs.Name(), what, fs.Name())}
	}
	return pos[0], nil
}

func runImportHSDS(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "import hsds", importUsage, importExample)
	var sf storeFlags
	sf.register(fs)
	var opts hsds.Options
	var progress bool
	fs.BoolVar(&opts.AcceptWarnings, "accept-warnings", false, "import a data set whose only problems are warnings")
	fs.BoolVar(&progress, "progress", false, "show a progress bar even when stderr is not a terminal")
	fs.StringVar(&opts.Kind, "kind", "", "the kind of every object of a JSON file (service, service_at_location, location, organization, taxonomy_term, taxonomy); default: recognised by its keys")
	path, err := oneArg(fs, args, "PATH")
	if err != nil {
		return err
	}
	if opts.Kind != "" && !hsds.KnownKind(opts.Kind) {
		return usageError{fmt.Sprintf("import hsds: --kind %q is not one of service, service_at_location, location, organization, taxonomy_term, taxonomy", opts.Kind)}
	}
	d, err := m.readHSDS(path, opts)
	if err != nil {
		return err
	}
	db, err := m.openStore(ctx, &sf, true)
	if err != nil {
		return err
	}
	bar := m.progressBar("importing", progress)
	n, err := sqlstore.NewDirectoryService(db).ImportDirectory(haven.WithSystem(ctx, access.JobImportHSDS), d, bar.update)
	bar.done()
	if err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "imported %d organizations, %d services, %d locations (%d records); directory version %d\n",
		n.Organizations, n.Services, n.Locations, n.Records, n.Version)
	return nil
}

// readHSDS reads PATH in whichever HSDS form it holds and prints the
// report of problems on stderr, one a line (file, row, field, message).
func (m *Main) readHSDS(path string, opts hsds.Options) (*haven.Directory, error) {
	d, rep, err := readHSDSPath(path, opts)
	if rep != nil && len(rep.Problems) > 0 {
		fmt.Fprint(m.Stderr, rep.String())
		if !strings.HasSuffix(rep.String(), "\n") {
			fmt.Fprintln(m.Stderr)
		}
	}
	if err != nil && rep != nil && rep.Count(hsds.Error) == 0 && rep.Count(hsds.Warning) > 0 {
		return nil, haven.Errorf(haven.Invalid, "%s: %d warnings and no errors; nothing was imported (accept them with --accept-warnings)",
			path, rep.Count(hsds.Warning))
	}
	if err != nil && rep != nil && len(rep.Problems) > 0 {
		return nil, haven.Errorf(haven.Invalid, "%s: refused with %d errors and %d warnings (listed above); nothing was imported",
			path, rep.Count(hsds.Error), rep.Count(hsds.Warning))
	}
	return d, err
}

func readHSDSPath(path string, opts hsds.Options) (*haven.Directory, *hsds.Report, error) {
	info, err := os.Stat(path)
	if err != nil {
		return nil, nil, haven.Errorf(haven.Invalid, "cannot read %s: %v", path, errors.Unwrap(err))
	}
	if !info.IsDir() {
		f, err := os.Open(path)
		if err != nil {
			return nil, nil, haven.Errorf(haven.Invalid, "cannot read %s: %v", path, errors.Unwrap(err))
		}
		defer f.Close()
		return hsds.ReadJSON(f, filepath.Base(path), opts)
	}
	fsys := os.DirFS(path)
	if _, err := fs.Stat(fsys, "datapackage.json"); err == nil {
		return hsds.ReadPackage(fsys, opts)
	}
	if _, err := fs.Stat(fsys, "services.json"); err == nil {
		return hsds.ReadJSONDir(fsys, opts)
	}
	if _, err := fs.Stat(fsys, "organizations.json"); err == nil {
		return hsds.ReadJSONDir(fsys, opts)
	}
	return nil, nil, haven.Errorf(haven.Invalid, "%s holds neither datapackage.json nor services.json", path)
}

func runExportHSDS(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "export hsds", exportUsage, exportExample)
	var sf storeFlags
	sf.register(fs)
	var format string
	var confidential bool
	fs.StringVar(&format, "format", "json", "json (HSDS JSON, services nested) or csv (the tabular data package)")
	fs.BoolVar(&confidential, "include-confidential", false, "include confidential locations (shelters); keep the files safe")
	dir, err := oneArg(fs, args, "DIR")
	if err != nil {
		return err
	}
	write := map[string]func(func(string) (io.WriteCloser, error), *haven.Directory) error{"json": hsds.WriteJSON, "csv": hsds.WritePackage}[format]
	if write == nil {
		return usageError{fmt.Sprintf("export hsds: --format must be json or csv, not %q", format)}
	}
	db, err := m.openStore(ctx, &sf, false)
	if err != nil {
		return err
	}
	d, err := sqlstore.NewDirectoryService(db).ExportDirectory(haven.WithSystem(ctx, access.JobExportHSDS), confidential)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return haven.Errorf(haven.Invalid, "cannot create %s: %v", dir, errors.Unwrap(err))
	}
	if err := write(fileCreator(dir), d); err != nil {
		return fmt.Errorf("write HSDS: %w", err)
	}
	fmt.Fprintf(m.Stdout, "exported %d organizations, %d services, %d locations to %s (%s)\n",
		len(d.Organizations), len(d.Services), len(d.Locations), dir, format)
	return nil
}

// fileCreator creates files in dir, readable by the owner only.
func fileCreator(dir string) func(string) (io.WriteCloser, error) {
	return func(name string) (io.WriteCloser, error) {
		return os.OpenFile(filepath.Join(dir, filepath.Base(name)), os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	}
}

// progressBar draws the progress of a long import on stderr, when it is a
// terminal or when asked.
type progressBar struct {
	w     io.Writer // nil: draw nothing
	label string
	drawn int // percent last drawn
}

func (m *Main) progressBar(label string, force bool) *progressBar {
	f, ok := m.Stderr.(*os.File)
	if force || ok && term.IsTerminal(int(f.Fd())) {
		return &progressBar{w: m.Stderr, label: label, drawn: -1}
	}
	return &progressBar{}
}

func (p *progressBar) update(done, total int) {
	if p.w == nil || total == 0 {
		return
	}
	pct := done * 100 / total
	if pct == p.drawn {
		return
	}
	p.drawn = pct
	const width = 30
	fill := pct * width / 100
	fmt.Fprintf(p.w, "\r%s [%s%s] %3d%% %d/%d records", p.label, strings.Repeat("#", fill), strings.Repeat(" ", width-fill), pct, done, total)
}

func (p *progressBar) done() {
	if p.w != nil && p.drawn >= 0 {
		fmt.Fprintln(p.w)
	}
}
