package main

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/haven-care/haven/internal/screening"
)

func init() {
	commands["screening"] = command{"screening tools (screening accuracy)", runScreening}
}

func runScreening(m *Main, ctx context.Context, args []string) error {
	if len(args) > 0 && args[0] == "accuracy" {
		return runScreeningAccuracy(m, args[1:])
	}
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		fmt.Fprintln(m.Stdout, "Usage: haven screening accuracy --tp N --fn N --fp N --tn N [--json]\n\nExample:\n  haven screening accuracy --tp 76 --fn 14 --fp 306 --tn 414")
		return nil
	}
	return usageError{"screening: expected \"haven screening accuracy\" (see haven screening accuracy -h)"}
}

// runScreeningAccuracy prints sensitivity, specificity, PPV and NPV with
// exact (Clopper-Pearson) 95% intervals and likelihood ratios with
// log-method intervals, from screenings and later-confirmed outcomes.
func runScreeningAccuracy(m *Main, args []string) error {
	fs := newFlagSet(m, "screening accuracy", "screening accuracy --tp N --fn N --fp N --tn N [--json]\n\n"+
		"tp: screened positive, confirmed; fn: screened negative, confirmed; fp: screened positive, not\n"+
		"confirmed; tn: screened negative, not confirmed.",
		"haven screening accuracy --tp 76 --fn 14 --fp 306 --tn 414")
	var tp, fn, fp, tn int
	var asJSON bool
	fs.IntVar(&tp, "tp", -1, "true positives")
	fs.IntVar(&fn, "fn", -1, "false negatives")
	fs.IntVar(&fp, "fp", -1, "false positives")
	fs.IntVar(&tn, "tn", -1, "true negatives")
	fs.BoolVar(&asJSON, "json", false, "print JSON")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	for name, v := range map[string]int{"tp": tp, "fn": fn, "fp": fp, "tn": tn} {
		if v < 0 {
			return usageError{fmt.Sprintf("screening accuracy: --%s is required and must be 0 or more", name)}
		}
	}
	r, err := screening.Accuracy(tp, fn, fp, tn)
	if err != nil {
		return err
	}
	if asJSON {
		enc := json.NewEncoder(m.Stdout)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Fprint(m.Stdout, r.Text())
	return nil
}
