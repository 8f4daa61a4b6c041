package hsds

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"strconv"

	"github.com/haven-care/haven"
)

// MaxJSONBytes bounds a JSON document read by ReadJSON.
const MaxJSONBytes = 256 << 20

// ReadJSON reads HSDS JSON: an object, an array of them, or an HSDS API
// page ({"contents": [...]}), with related records nested as in the HSDS
// 3.0 schemas. Each top-level object may be a service, service at
// location, location, organization, taxonomy term or taxonomy; the reader
// recognises which by the keys only that kind has, or takes o.Kind (an
// object that holds none is read as an organization, with a warning).
// Keys HSDS does not define are kept as the record's extra data. name
// labels the report.
func ReadJSON(r io.Reader, name string, o Options) (*haven.Directory, *Report, error) {
	j := newJSONReader(name, o)
	j.document(r, func(v any, path string) { j.topLevel(v, path) })
	return finish(j.d, j.rep, o)
}

// ReadJSONDir reads the JSON form that WriteJSON writes: services.json,
// organizations.json, taxonomies.json and taxonomy_terms.json (each an
// array; any may be absent).
func ReadJSONDir(fsys fs.FS, o Options) (*haven.Directory, *Report, error) {
	j := newJSONReader("", o)
	for _, f := range []struct {
		name string
		each func(any, string)
	}{{"organizations.json", j.organization}, {"services.json", j.serviceTop}, {"taxonomies.json", func(v any, p string) { j.taxonomy(v, p) }},
		{"taxonomy_terms.json", func(v any, p string) { j.term(v, p) }}, {"locations.json", func(v any, p string) { j.location(v, p, "") }}} {
		r, err := fsys.Open(f.name)
		if err != nil {
			continue
		}
		j.file = f.name
		j.document(r, func(v any, path string) { f.each(v, path) })
		r.Close()
	}
	return finish(j.d, j.rep, o)
}

type jsonReader struct {
	d    *haven.Directory
	rep  *Report
	o    Options
	file string
	row  int
	seen map[string]map[string]int // table file → id → index
}

func newJSONReader(name string, o Options) *jsonReader {
	return &jsonReader{d: &haven.Directory{}, rep: &Report{}, o: o, file: name, seen: map[string]map[string]int{}}
}

// document decodes one JSON document and calls each for its records.
func (j *jsonReader) document(r io.Reader, each func(any, string)) {
	b, err := io.ReadAll(io.LimitReader(r, MaxJSONBytes+1))
	if err == nil && len(b) > MaxJSONBytes {
		err = fmt.Errorf("larger than %d bytes", MaxJSONBytes)
	}
	var v any
	if err == nil {
		dec := json.NewDecoder(bytes.NewReader(b))
		dec.UseNumber()
		if err = dec.Decode(&v); err == nil && dec.More() {
			err = fmt.Errorf("more than one JSON value")
		}
	}
	if err != nil {
		j.rep.add(Error, j.file, 0, "", "not valid JSON: %v", jsonErr(err, b))
		return
	}
	if m, ok := v.(map[string]any); ok {
		if c, ok := m["contents"]; ok {
			v = c
		}
	}
	items, ok := v.([]any)
	if !ok {
		items = []any{v}
	}
	for i, it := range items {
		j.row = i + 1
		each(it, fmt.Sprintf("[%d]", i))
	}
}

func jsonErr(err error, b []byte) error {
	if se, ok := err.(*json.SyntaxError); ok {
		line := bytes.Count(b[:min(int(se.Offset), len(b))], []byte("\n")) + 1
		return fmt.Errorf("line %d: %v", line, se)
	}
	return err
}

func (j *jsonReader) object(v any, path string) (map[string]any, bool) {
	m, ok := v.(map[string]any)
	if !ok {
		j.rep.add(Error, j.file, j.row, path, "must be an object")
	}
	return m, ok
}

func (j *jsonReader) array(m map[string]any, key, path string, each func(any, string)) {
	v, ok := m[key]
	if !ok || v == nil {
		return
	}
	items, ok := v.([]any)
	if !ok {
		j.rep.add(Error, j.file, j.row, path+"."+key, "must be an array")
		return
	}
	for i, it := range items {
		each(it, fmt.Sprintf("%s.%s[%d]", path, key, i))
	}
}

// record stores the fields of m into a new record of t, then applies
// owner (which fills links from the enclosing object). A record met again
// under another owner (HSDS JSON repeats shared phones) is merged into the
// first. It returns the record's ID.
func (j *jsonReader) record(t table, m map[string]any, path string, owner func([]field)) string {
	fields := t.add(j.d)
	for _, f := range fields {
		j.setJSON(f, m[f.name], path+"."+f.name)
	}
	j.extras(t, m, path)
	owner(fields)
	for _, f := range fields {
		if f.required && f.str != nil && *f.str == "" {
			j.rep.add(Error, j.file, j.row, path+"."+f.name, "required field is empty")
		}
	}
	id := *fields[0].str
	seen := j.seen[t.file()]
	if seen == nil {
		seen = map[string]int{}
		j.seen[t.file()] = seen
	}
	last := t.len(j.d) - 1
	if first, ok := seen[id]; ok && id != "" {
		merge(t.row(j.d, first), fields)
		t.truncate(j.d, last)
		return id
	}
	seen[id] = last
	return id
}

func merge(into, from []field) {
	// (extra data of a record met again is the first's: see record)
	for k := range into {
		switch {
		case into[k].num != nil && *into[k].num == nil:
			*into[k].num = *from[k].num
		case into[k].str != nil && *into[k].str == "":
			*into[k].str = *from[k].str
		}
	}
}

// setJSON stores a JSON value into f, with the CSV rules for its text.
func (j *jsonReader) setJSON(f field, v any, path string) {
	switch x := v.(type) {
	case nil:
		return
	case string:
		if f.num != nil {
			j.rep.add(Error, j.file, j.row, path, "must be a number")
			return
		}
		setField(f, x, j.file, j.row, j.rep, j.o)
	case json.Number:
		if f.num == nil {
			j.rep.add(Error, j.file, j.row, path, "must be a string")
			return
		}
		setField(f, x.String(), j.file, j.row, j.rep, j.o)
	case bool:
		setField(f, strconv.FormatBool(x), j.file, j.row, j.rep, j.o)
	default:
		j.rep.add(Error, j.file, j.row, path, "must be a single value")
	}
	if n := len(j.rep.Problems); n > 0 && j.rep.Problems[n-1].Row == j.row && j.rep.Problems[n-1].Field == f.name {
		j.rep.Problems[n-1].Field = path
	}
}

// link returns an owner function that sets the named fields to id when
// the record does not name them itself.
func link(pairs ...string) func([]field) {
	return func(fields []field) {
		for i := 0; i+1 < len(pairs); i += 2 {
			for _, f := range fields {
				if f.name == pairs[i] && *f.str == "" {
					*f.str = pairs[i+1]
				}
			}
		}
	}
}
