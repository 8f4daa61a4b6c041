package main

import (
	"context"
	"fmt"
	"os"
	"strings"
	"text/tabwriter"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore"
)

func init() {
	commands["instruments"] = command{"screening instruments (instruments import, instruments list)", runInstruments}
}

func runInstruments(m *Main, ctx context.Context, args []string) error {
	switch {
	case len(args) > 0 && args[0] == "import":
		return runInstrumentsImport(m, ctx, args[1:])
	case len(args) > 0 && args[0] == "list":
		return runInstrumentsList(m, ctx, args[1:])
	case len(args) > 0 && (args[0] == "-h" || args[0] == "--help"):
		fmt.Fprintln(m.Stdout, "Usage: haven instruments import FILE | haven instruments list\n\nExample:\n  haven instruments import hunger-vital-sign.json")
		return nil
	}
	return usageError{"instruments: expected \"haven instruments import FILE\" or \"haven instruments list\" (see haven instruments -h)"}
}

// runInstrumentsImport stores a FHIR R4 Questionnaire (JSON) the clinic is
// licensed to use. An invalid one is refused with every item and reason;
// the same url and version again update the stored one.
func runInstrumentsImport(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "instruments import", "instruments import [--data DIR] [--db DSN] FILE\n\n"+
		"FILE is a FHIR R4 Questionnaire in JSON. It is kept as given, so it exports without loss.",
		"haven instruments import hunger-vital-sign.json")
	var sf storeFlags
	sf.register(fs)
	file, rest := splitFileArg(args)
	if err := parseFlags(fs, rest); err != nil {
		return err
	}
	if file == "" {
		return usageError{"instruments import: name one Questionnaire JSON file (see haven instruments import -h)"}
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return haven.Errorf(haven.Invalid, "cannot read %s: %v", file, err)
	}
	db, err := m.openStore(ctx, &sf, true)
	if err != nil {
		return err
	}
	in, created, err := sqlstore.NewScreeningService(db).ImportInstrument(haven.WithSystem(ctx, access.JobImportInstruments), data)
	if err != nil {
		return err
	}
	verb := "updated"
	if created {
		verb = "imported"
	}
	fmt.Fprintf(m.Stdout, "%s %s (id %s, %s version %q)\n", verb, in.Title, in.ID, in.URL, in.Version)
	return nil
}

// splitFileArg takes the FILE operand out of args: the last argument when
// it is not a flag and does not follow a flag that takes a value (every
// flag of this command but -h takes one).
func splitFileArg(args []string) (string, []string) {
	n := len(args)
	if n == 0 || strings.HasPrefix(args[n-1], "-") {
		return "", args
	}
	if n >= 2 && strings.HasPrefix(args[n-2], "-") && !strings.Contains(args[n-2], "=") {
		return "", args
	}
	return args[n-1], args[:n-1]
}

// runInstrumentsList prints the shipped and imported instruments.
func runInstrumentsList(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "instruments list", "instruments list [--data DIR] [--db DSN]", "haven instruments list")
	var sf storeFlags
	sf.register(fs)
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	db, err := m.openStore(ctx, &sf, true)
	if err != nil {
		return err
	}
	all, err := sqlstore.NewScreeningService(db).Instruments(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tSOURCE\tVERSION\tSTATUS\tTITLE")
	for _, in := range all {
		source := "imported"
		if in.Shipped {
			source = "shipped"
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", in.ID, source, in.Version, in.Status, in.Title)
	}
	return tw.Flush()
}
