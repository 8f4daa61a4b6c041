package fhir

// This file holds what every FHIR resource Haven serves shares: routes
// that answer 405 for interactions Haven does not support, content
// negotiation (_format and Accept), the request Content-Type of a create,
// search parameters (unknown ones ignored, or refused under
// Prefer: handling=strict), Bundle paging with links, the public base URL
// of absolute references, and meta.versionId, meta.lastUpdated and ETag.

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"mime"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/server"
)

// Paging: a search returns defaultCount entries a page unless _count asks
// for fewer or more, up to maxCount.
const (
	defaultCount = 50
	maxCount     = 100
)

// resultParams are the parameters every search takes besides its own:
// _count and _offset page, _format negotiates.
var resultParams = []string{"_count", "_offset", "_format"}

// level is where an interaction applies: the type (search, create) or an
// instance (read, vread).
type level int

const (
	typeLevel level = iota
	instanceLevel
)

// allow records a route's method for the 405 answers and the Allow header.
func (h *Handler) allow(typ string, l level, method string) {
	if h.methods == nil {
		h.methods = map[string]map[level][]string{}
	}
	if h.methods[typ] == nil {
		h.methods[typ] = map[level][]string{}
	}
	if !slices.Contains(h.methods[typ][l], method) {
		h.methods[typ][l] = append(h.methods[typ][l], method)
	}
}

// handle mounts fn for method on typ (type level) or typ/{id} (instance
// level, with typ/{id}/_history/{vid} for vread) behind a bearer token
// with scope and content negotiation.
func (h *Handler) handle(s *server.Server, method, typ string, l level, scope haven.Scope, fn func(http.ResponseWriter, *http.Request) error) {
	h.allow(typ, l, method)
	path := "/fhir/R4/" + typ
	if l == instanceLevel {
		path += "/{id}"
		s.Handle(method+" "+path+"/_history/{vid}", negotiate(s.RequireToken(scope, fn)))
	}
	s.Handle(method+" "+path, negotiate(s.RequireToken(scope, fn)))
}

// unsupported answers every other request under /fhir/R4/: 405 with the
// methods Haven allows there for a resource type it serves, 404 for one
// it does not. Both are OperationOutcomes.
func (h *Handler) unsupported(w http.ResponseWriter, r *http.Request) {
	rest := strings.Trim(strings.TrimPrefix(r.URL.Path, "/fhir/R4"), "/")
	segs := strings.Split(rest, "/")
	typ := segs[0]
	levels, known := h.methods[typ]
	if !known {
		status, what := http.StatusNotFound, "Haven does not serve "+typ+" resources"
		if typ == "" {
			what = "Haven supports no whole-system interaction (batch, transaction, history or search)"
			if r.Method != http.MethodGet {
				status = http.StatusMethodNotAllowed
			}
		}
		writeOutcome(w, status, "not-supported", what+"; see "+h.base(r)+"/metadata.")
		return
	}
	l := typeLevel
	if len(segs) > 1 {
		l = instanceLevel
	}
	methods := levels[l]
	w.Header().Set("Allow", strings.Join(methods, ", "))
	interaction := r.Method + " " + typ
	if l == instanceLevel {
		interaction += "/" + strings.Join(append([]string{"{id}"}, segs[2:]...), "/")
	}
	allowed := "nothing"
	if len(methods) > 0 {
		allowed = strings.Join(methods, " and ")
	}
	writeOutcome(w, http.StatusMethodNotAllowed, "not-supported",
		fmt.Sprintf("Haven does not support %s; it allows %s here (see %s/metadata).", interaction, allowed, h.base(r)))
}

// writeOutcome writes an OperationOutcome of one error issue with status.
func writeOutcome(w http.ResponseWriter, status int, code, diagnostics string) {
	writeResource(w, status, map[string]any{"resourceType": "OperationOutcome",
		"issue": []Issue{{Severity: "error", Code: code, Diagnostics: diagnostics}}})
}

// jsonTypes are the media types Haven reads and writes FHIR resources as;
// _format also takes "json".
var jsonTypes = []string{ContentType, "application/json", "application/json+fhir"}

// negotiate refuses with 406 a request whose _format or Accept asks for
// anything but JSON: Haven serves FHIR as JSON only.
func negotiate(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		for _, f := range r.URL.Query()["_format"] {
			mt, _, _ := strings.Cut(f, ";")
			mt = strings.ToLower(strings.TrimSpace(mt))
			if mt != "json" && !slices.Contains(jsonTypes, mt) {
				writeOutcome(w, http.StatusNotAcceptable, "not-supported",
					fmt.Sprintf("Haven serves FHIR as JSON only (_format=json or %s); _format=%s is not supported.", ContentType, f))
				return
			}
		}
		if a := r.Header.Get("Accept"); a != "" && !acceptsJSON(a) {
			writeOutcome(w, http.StatusNotAcceptable, "not-supported",
				"Haven serves FHIR as JSON only ("+ContentType+"); the Accept header asks for "+a+".")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// acceptsJSON reports whether an Accept header admits a JSON FHIR body.
func acceptsJSON(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, params, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		if q, err := strconv.ParseFloat(params["q"], 64); err == nil && q == 0 {
			continue
		}
		if mt == "*/*" || mt == "application/*" || slices.Contains(jsonTypes, mt) {
			return true
		}
	}
	return false
}

// checkContentType refuses with 415 a create whose body is not declared
// as FHIR JSON.
func checkContentType(w http.ResponseWriter, r *http.Request) bool {
	ct := r.Header.Get("Content-Type")
	mt, _, err := mime.ParseMediaType(ct)
	if err == nil && slices.Contains(jsonTypes, strings.ToLower(mt)) {
		return true
	}
	writeOutcome(w, http.StatusUnsupportedMediaType, "not-supported",
		fmt.Sprintf("Send the resource as %s (or application/json); Content-Type %q is not supported.", ContentType, ct))
	return false
}

// base is the FHIR base URL for fullUrl, Location and links: the
// configured public URL, or else the request's own scheme and host.
func (h *Handler) base(r *http.Request) string {
	if h.PublicURL != "" {
		return strings.TrimRight(h.PublicURL, "/") + "/fhir/R4"
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/fhir/R4"
}

// strict reports whether the client asked for Prefer: handling=strict.
func strict(r *http.Request) bool {
	for _, v := range r.Header.Values("Prefer") {
		for _, p := range strings.FieldsFunc(v, func(c rune) bool { return c == ',' || c == ';' }) {
			if strings.EqualFold(strings.ReplaceAll(p, " ", ""), "handling=strict") {
				return true
			}
		}
	}
	return false
}

// searchParams returns the search's own parameters the query uses (for
// the self link), checking them against known. A parameter Haven does
// not support (or a modifier or chain on one) is ignored, as FHIR's
// lenient handling has it, unless the client asked for strict handling:
// then the search is refused, naming it.
func searchParams(r *http.Request, typ string, known ...string) (url.Values, error) {
	used := url.Values{}
	var unknown []string
	for name, vals := range r.URL.Query() {
		switch {
		case slices.Contains(resultParams, name):
		case slices.Contains(known, name):
			used[name] = vals
		default:
			unknown = append(unknown, name)
		}
	}
	if len(unknown) > 0 && strict(r) {
		sort.Strings(unknown)
		return nil, haven.Errorf(haven.Invalid, "Haven does not support the %s search parameter(s) %s; it supports %s (and _count, _offset, _format).",
			typ, strings.Join(unknown, ", "), strings.Join(known, ", "))
	}
	return used, nil
}

// page is the part of a search's results one Bundle holds.
type page struct{ offset, count int }

// pageOf reads _count and _offset.
func pageOf(r *http.Request) (page, error) {
	q := r.URL.Query()
	p := page{count: defaultCount}
	if v := q.Get("_count"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p, haven.Errorf(haven.Invalid, "_count must be a whole number, 0 or more.")
		}
		p.count = min(n, maxCount)
	}
	if v := q.Get("_offset"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			return p, haven.Errorf(haven.Invalid, "_offset must be a whole number, 0 or more.")
		}
		p.offset = n
	}
	return p, nil
}

// slice returns the bounds of the page within n results.
func (p page) slice(n int) (lo, hi int) {
	lo = min(p.offset, n)
	return lo, min(lo+p.count, n)
}

// bundleLink is one link of a Bundle.
type bundleLink struct {
	Relation string `json:"relation"`
	URL      string `json:"url"`
}

// writeSearch writes a searchset Bundle: total matches, the page's
// entries and the self, next and previous links (each with the
// parameters used, _count and _offset).
func (h *Handler) writeSearch(w http.ResponseWriter, r *http.Request, typ string, used url.Values, p page, total int, entries []bundleEntry) error {
	link := func(rel string, offset int) bundleLink {
		q := url.Values{}
		for k, v := range used {
			q[k] = v
		}
		q.Set("_count", strconv.Itoa(p.count))
		q.Set("_offset", strconv.Itoa(offset))
		return bundleLink{rel, h.base(r) + "/" + typ + "?" + q.Encode()}
	}
	links := []bundleLink{link("self", p.offset)}
	if p.count > 0 && p.offset+p.count < total {
		links = append(links, link("next", p.offset+p.count))
	}
	if p.offset > 0 {
		links = append(links, link("previous", max(0, p.offset-max(p.count, 1))))
	}
	if entries == nil {
		entries = []bundleEntry{}
	}
	b := map[string]any{"resourceType": "Bundle", "type": "searchset", "total": total, "link": links}
	if len(entries) > 0 {
		b["entry"] = entries
	}
	return writeResource(w, http.StatusOK, b)
}

// entry is one match of a search, stamped as a read would be.
func (h *Handler) entry(r *http.Request, typ, id string, v any, lastUpdated time.Time) (bundleEntry, error) {
	raw, _, err := stamp(v, lastUpdated)
	if err != nil {
		return bundleEntry{}, err
	}
	return bundleEntry{FullURL: h.base(r) + "/" + typ + "/" + id, Resource: raw, Search: map[string]string{"mode": "match"}}, nil
}

// instant formats t as a FHIR instant, in UTC to the second.
func instantOf(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05Z") }

// stamp sets meta.versionId (a digest of the resource as Haven holds it,
// so that it changes exactly when the resource does) and, when Haven
// knows it, meta.lastUpdated; the rest of meta and the order of the
// resource's elements are kept.
func stamp(v any, lastUpdated time.Time) ([]byte, string, error) {
	raw, ok := v.([]byte)
	if !ok {
		var err error
		if raw, err = json.Marshal(v); err != nil {
			return nil, "", err
		}
	}
	sum := sha256.Sum256(raw)
	vid := hex.EncodeToString(sum[:8])
	keys, vals, err := objectFields(raw)
	if err != nil {
		return nil, "", err
	}
	meta := map[string]json.RawMessage{}
	at := slices.Index(keys, "meta")
	if at >= 0 {
		if err := json.Unmarshal(vals[at], &meta); err != nil {
			return nil, "", fmt.Errorf("meta: %w", err)
		}
	} else {
		at = slices.Index(keys, "id") + 1
		if at == 0 {
			at = slices.Index(keys, "resourceType") + 1
		}
		keys, vals = slices.Insert(keys, at, "meta"), slices.Insert(vals, at, json.RawMessage(nil))
	}
	meta["versionId"], _ = json.Marshal(vid)
	if !lastUpdated.IsZero() {
		meta["lastUpdated"], _ = json.Marshal(instantOf(lastUpdated))
	}
	if vals[at], err = json.Marshal(meta); err != nil {
		return nil, "", err
	}
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		b.Write(vals[i])
	}
	b.WriteByte('}')
	return b.Bytes(), vid, nil
}

// objectFields splits a JSON object into its keys and values, in order.
func objectFields(raw []byte) ([]string, []json.RawMessage, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return nil, nil, fmt.Errorf("not a JSON object")
	}
	var keys []string
	var vals []json.RawMessage
	for dec.More() {
		t, err := dec.Token()
		if err != nil {
			return nil, nil, err
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, nil, err
		}
		keys, vals = append(keys, t.(string)), append(vals, v)
	}
	return keys, vals, nil
}

// writeRead answers a read (or, with a vid in the path, a vread) of one
// resource: stamped, with its ETag and Last-Modified; 304 when the client
// already holds this version (If-None-Match). Haven keeps only the
// current version, so a vread of any other answers 404.
func writeRead(w http.ResponseWriter, r *http.Request, status int, v any, lastUpdated time.Time) error {
	raw, vid, err := stamp(v, lastUpdated)
	if err != nil {
		return err
	}
	if want := r.PathValue("vid"); want != "" && want != vid {
		return haven.Errorf(haven.NotFound, "Haven keeps only the current version of a resource; version %s is not it.", want)
	}
	etag := `W/"` + vid + `"`
	w.Header().Set("ETag", etag)
	if !lastUpdated.IsZero() {
		w.Header().Set("Last-Modified", lastUpdated.UTC().Format(http.TimeFormat))
	}
	if status == http.StatusOK && r.Header.Get("If-None-Match") != "" && strings.Contains(r.Header.Get("If-None-Match"), `"`+vid+`"`) {
		w.WriteHeader(http.StatusNotModified)
		return nil
	}
	return writeResource(w, status, raw)
}
