package hsds

import (
	"fmt"
	"strings"

	"github.com/haven-care/haven"
)

// Severity says whether a problem refuses the import (Error) or may be
// accepted with Options.AcceptWarnings (Warning).
type Severity string

// Severities.
const (
	Error   Severity = "error"
	Warning Severity = "warning"
)

// Problem is one defect of an HSDS data set, located precisely.
type Problem struct {
	Severity Severity
	File     string // "services.csv", "services.json"
	Row      int    // 1-based data row (CSV: line after the header; JSON: array element); 0 for the whole file
	Field    string // column or JSON path; "" for the whole row
	Message  string
}

// String formats p as "file:row: field: message (severity)".
func (p Problem) String() string {
	var b strings.Builder
	b.WriteString(p.File)
	if p.Row > 0 {
		fmt.Fprintf(&b, ":%d", p.Row)
	}
	if p.Field != "" {
		b.WriteString(": " + p.Field)
	}
	fmt.Fprintf(&b, ": %s (%s)", p.Message, p.Severity)
	return b.String()
}

// Report lists every problem found in a data set.
type Report struct {
	Problems []Problem
}

func (r *Report) add(sev Severity, file string, row int, field, format string, args ...any) {
	r.Problems = append(r.Problems, Problem{Severity: sev, File: file, Row: row, Field: field, Message: fmt.Sprintf(format, args...)})
}

// Count returns the number of problems of severity sev.
func (r *Report) Count(sev Severity) int {
	n := 0
	for _, p := range r.Problems {
		if p.Severity == sev {
			n++
		}
	}
	return n
}

// String lists the problems, one a line.
func (r *Report) String() string {
	var b strings.Builder
	for _, p := range r.Problems {
		b.WriteString(p.String() + "\n")
	}
	return b.String()
}

// Options tune an import.
type Options struct {
	// AcceptWarnings imports a data set whose only problems are warnings
	// (see the warning kinds in docs/directory.md).
	AcceptWarnings bool
	// MaxFieldBytes bounds every value; 0 means DefaultMaxFieldBytes.
	MaxFieldBytes int
	// Kind, when not "", is the kind of every top-level object of a JSON
	// document (service, service_at_location, location, organization,
	// taxonomy_term or taxonomy), instead of recognising each by its keys:
	// for objects with only the fields an organization and a taxonomy
	// share.
	Kind string
}

// DefaultMaxFieldBytes is the largest value accepted in any field.
const DefaultMaxFieldBytes = 16 << 10

func (o Options) maxField() int {
	if o.MaxFieldBytes > 0 {
		return o.MaxFieldBytes
	}
	return DefaultMaxFieldBytes
}

// verdict returns an Invalid error when r refuses the import under o.
func (r *Report) verdict(o Options) error {
	errs, warns := r.Count(Error), r.Count(Warning)
	if errs == 0 && (warns == 0 || o.AcceptWarnings) {
		return nil
	}
	msg := fmt.Sprintf("The HSDS data has %d errors and %d warnings; nothing was imported.", errs, warns)
	if errs == 0 {
		msg = fmt.Sprintf("The HSDS data has %d warnings; nothing was imported. Review them and accept them explicitly to import.", warns)
	}
	return &haven.Error{Kind: haven.Invalid, Message: msg, Err: fmt.Errorf("hsds:\n%s", r.String())}
}
