package hsds

import (
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"math"
	"strconv"
	"strings"

	"github.com/haven-care/haven"
)

// ReadPackage reads a tabular data package: datapackage.json naming CSV
// resources, in fsys. Tables Haven does not support (contacts, funding,
// programs, ...) are skipped with a warning. It returns the directory and
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
		rep.add(Warning, name, 0, "", "table not supported by Haven; its rows are not imported")
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
	}
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
		if err := writeTable(w, t, d); err != nil {
			return err
		}
		resources = append(resources, map[string]any{"name": t.entity(), "path": t.file(), "format": "csv",
			"mediatype": "text/csv", "profile": "tabular-data-resource"})
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

func writeTable(w func(string) (io.WriteCloser, error), t table, d *haven.Directory) error {
	f, err := w(t.file())
	if err != nil {
		return err
	}
	cw := csv.NewWriter(f)
	cw.Write(t.columns())
	for i := range t.len(d) {
		fields := t.row(d, i)
		rec := make([]string, len(fields))
		for j, fl := range fields {
			rec[j] = fieldText(fl)
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
