package hsds

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/haven-care/haven"
)

// ReadPackage reads a tabular data package: datapackage.json naming CSV
// resources, in fsys. Every table of HSDS 3.0 is read; a column HSDS does
// not define (a custom column) is kept as the record's extra data, and a
// table HSDS does not define is skipped with a warning. It returns the directory and
// the report; the error is Invalid when the report refuses the import.
func ReadPackage(fsys fs.FS, o Options) (*haven.Directory, *Report, error) {
	rep := &Report{}
	files, err := packageFiles(fsys)
	if err != nil {
		rep.add(Error, "datapackage.json", 0, "", "%v", err)
		return nil, rep, rep.verdict(o)
	}
	d := &haven.Directory{}
	for _, t := range tables {
		if !files[t.file()] {
			continue
		}
		delete(files, t.file())
		f, err := fsys.Open(t.file())
		if err != nil {
			rep.add(Error, t.file(), 0, "", "cannot open: %v", err)
			continue
		}
		readCSV(f, t, d, rep, o)
		f.Close()
	}
	for name := range files {
		rep.add(Warning, name, 0, "", "not a table of HSDS 3.0; its rows are not imported")
	}
	return finish(d, rep, o)
}

func finish(d *haven.Directory, rep *Report, o Options) (*haven.Directory, *Report, error) {
	if rep.Count(Error) == 0 {
		validate(d, rep)
		decodeExtensions(d)
	}
	if err := rep.verdict(o); err != nil {
		return nil, rep, err
	}
	return d, rep, nil
}

// packageFiles returns the paths of the package's resources.
func packageFiles(fsys fs.FS) (map[string]bool, error) {
	b, err := fs.ReadFile(fsys, "datapackage.json")
	if err != nil {
		return nil, fmt.Errorf("missing datapackage.json: %w", err)
	}
	var dp struct {
		Resources []struct {
			Path string `json:"path"`
		} `json:"resources"`
	}
	if err := json.Unmarshal(b, &dp); err != nil {
		return nil, fmt.Errorf("not valid JSON: %v", err)
	}
	files := map[string]bool{}
	for _, r := range dp.Resources {
		if r.Path == "" || strings.Contains(r.Path, "..") || strings.HasPrefix(r.Path, "/") {
			return nil, fmt.Errorf("resource path %q is not a file in the package", r.Path)
		}
		files[r.Path] = true
	}
	return files, nil
}

// readCSV appends the rows of one table to d, reporting each problem.
func readCSV(r io.Reader, t table, d *haven.Directory, rep *Report, o Options) {
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		rep.add(Error, t.file(), 0, "", "cannot read the header: %v", csvErr(err))
		return
	}
	cols := map[string]int{}
	for i, h := range header {
		cols[strings.TrimPrefix(h, "\ufeff")] = i
	}
	custom := customColumns(t, cols)
	for _, name := range t.columns() {
		if name == "id" {
			if _, ok := cols[name]; !ok {
				rep.add(Error, t.file(), 0, name, "required column is missing")
				return
			}
		}
	}
	for row := 1; ; row++ {
		rec, err := cr.Read()
		if err == io.EOF {
			return
		}
		if err != nil {
			rep.add(Error, t.file(), row, "", "%v", csvErr(err))
			return
		}
		fields := t.add(d)
		for _, f := range fields {
			i, ok := cols[f.name]
			v := ""
			if ok {
				v = rec[i]
			}
			setField(f, v, t.file(), row, rep, o)
		}
		for _, c := range custom {
			if v := rec[cols[c]]; len(v) > o.maxField() {
				rep.add(Error, t.file(), row, c, "value is %d bytes, more than the limit of %d", len(v), o.maxField())
			} else {
				setExtra(t.extra(d, t.len(d)-1), c, jsonString(v))
			}
		}
	}
}

// customColumns returns the columns of cols that t does not define, in
// name order: custom columns, kept as extra data.
func customColumns(t table, cols map[string]int) []string {
	known := map[string]bool{}
	for _, c := range t.columns() {
		known[c] = true
	}
	var out []string
	for c := range cols {
		if !known[c] && c != "" {
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out
}

func setExtra(e *haven.Extra, name string, v json.RawMessage) {
	if *e == nil {
		*e = haven.Extra{}
	}
	(*e)[name] = v
}

func jsonString(s string) json.RawMessage {
	b, _ := json.Marshal(s)
	return b
}

// extraText is an extra value as a CSV cell: a string as itself, any
// other JSON value as its JSON text.
func extraText(v json.RawMessage) string {
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	return string(v)
}

func csvErr(err error) error {
	var pe *csv.ParseError
	if errors.As(err, &pe) {
		return fmt.Errorf("line %d, column %d: %v", pe.Line, pe.Column, pe.Err)
	}
	return err
}

// setField stores the text v into f, reporting what is wrong with it.
func setField(f field, v, file string, row int, rep *Report, o Options) {
	if len(v) > o.maxField() {
		rep.add(Error, file, row, f.name, "value is %d bytes, more than the limit of %d", len(v), o.maxField())
		return
	}
	if v == "" {
		if f.required {
			rep.add(Error, file, row, f.name, "required field is empty")
		}
		return
	}
	if f.num != nil {
		x, err := strconv.ParseFloat(v, 64)
		if err != nil || math.IsInf(x, 0) || math.IsNaN(x) {
			rep.add(Error, file, row, f.name, "%q is not a number", truncate(v))
			return
		}
		*f.num = &x
		return
	}
	if f.uuid && !isUUID(v) {
		rep.add(Error, file, row, f.name, "%q is not a UUID", truncate(v))
		return
	}
	*f.str = v
}

func truncate(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'):
			return false
		}
	}
	return true
}

// WritePackage writes d as a tabular data package: datapackage.json and
// one CSV file per supported table (with Haven's extensions as attributes).
func WritePackage(w func(name string) (io.WriteCloser, error), d *haven.Directory) error {
	d = encodeExtensions(d)
	var resources []map[string]any
	for _, t := range tables {
		custom := extraColumns(t, d)
		if err := writeTable(w, t, d, custom); err != nil {
			return err
		}
		resources = append(resources, map[string]any{"name": t.entity(), "path": t.file(), "format": "csv",
			"mediatype": "text/csv", "encoding": "utf-8", "profile": "tabular-data-resource", "schema": tableSchema(t, custom)})
	}
	f, err := w("datapackage.json")
	if err != nil {
		return err
	}
	enc := json.NewEncoder(f)
	enc.SetIndent("", "  ")
	if err := enc.Encode(map[string]any{"name": "haven-directory", "profile": "tabular-data-package", "resources": resources}); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// extraColumns lists the names of the extra data of t's records in d,
// in name order: the custom columns its CSV file adds.
func extraColumns(t table, d *haven.Directory) []string {
	known := map[string]bool{}
	for _, c := range t.columns() {
		known[c] = true
	}
	set := map[string]bool{}
	for i := range t.len(d) {
		for k := range *t.extra(d, i) {
			if !known[k] {
				set[k] = true
			}
		}
	}
	out := make([]string, 0, len(set))
	for k := range set {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// tableSchema is the Frictionless table schema of t's CSV file: its HSDS
// columns (numbers as numbers; dates and times stay strings, as Haven
// keeps them as given), then the custom columns, as strings.
func tableSchema(t table, custom []string) map[string]any {
	var fields []map[string]any
	for _, f := range t.add(&haven.Directory{}) {
		typ := "string"
		if f.num != nil {
			typ = "number"
		}
		fd := map[string]any{"name": f.name, "type": typ}
		if f.required {
			fd["constraints"] = map[string]any{"required": true}
		}
		fields = append(fields, fd)
	}
	for _, c := range custom {
		fields = append(fields, map[string]any{"name": c, "type": "string"})
	}
	return map[string]any{"fields": fields, "primaryKey": []string{"id"}}
}

func writeTable(w func(string) (io.WriteCloser, error), t table, d *haven.Directory, custom []string) error {
	f, err := w(t.file())
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	cw.Write(append(t.columns(), custom...))
	for i := range t.len(d) {
		fields := t.row(d, i)
		rec := make([]string, len(fields), len(fields)+len(custom))
		for j, fl := range fields {
			rec[j] = fieldText(fl)
		}
		extra := *t.extra(d, i)
		for _, c := range custom {
			cell := ""
			if v, ok := extra[c]; ok {
				cell = extraText(v)
			}
			rec = append(rec, cell)
		}
		cw.Write(rec)
	}
	cw.Flush()
	if err := cw.Error(); err != nil {
		f.Close()
		return fmt.Errorf("write %s: %w", t.file(), err)
	}
	return f.Close()
}

func fieldText(f field) string {
	if f.num != nil {
		if *f.num == nil {
			return ""
		}
		return strconv.FormatFloat(**f.num, 'f', -1, 64)
	}
	return *f.str
}
