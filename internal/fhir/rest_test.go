package fhir_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/fhir"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// req sends a request with extra headers and returns status, headers and body.
func (e *env) req(t *testing.T, method, path, tok string, body []byte, headers ...string) (int, http.Header, []byte) {
	t.Helper()
	r, _ := http.NewRequest(method, e.url+path, bytes.NewReader(body))
	if tok != "" {
		r.Header.Set("Authorization", "Bearer "+tok)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(r)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, resp.Header, b
}

type bundle struct {
	ResourceType string
	Total        int
	Link         []struct{ Relation, URL string }
	Entry        []struct {
		FullURL  string
		Resource map[string]any
	}
}

func decodeBundle(t *testing.T, b []byte) bundle {
	t.Helper()
	var out bundle
	if err := json.Unmarshal(b, &out); err != nil || out.ResourceType != "Bundle" {
		t.Fatalf("not a Bundle (%v): %s", err, b)
	}
	return out
}

func (b bundle) link(rel string) string {
	for _, l := range b.Link {
		if l.Relation == rel {
			return l.URL
		}
	}
	return ""
}

// local turns a link on the public base into a path on the test server.
func local(t *testing.T, link string) string {
	t.Helper()
	rest, ok := strings.CutPrefix(link, "https://haven.example.org")
	if !ok {
		t.Fatalf("link %q is not on the public base URL", link)
	}
	return rest
}

// screen posts n screenings for the env's survivor.
func (e *env) screen(t *testing.T, n int) []string {
	t.Helper()
	var ids []string
	for range n {
		code, _, body := e.do(t, "POST", "/fhir/R4/QuestionnaireResponse", e.readWrite, rapid("Patient/"+e.survivorID, false))
		if code != 201 {
			t.Fatalf("screening: %d %s", code, body)
		}
		ids = append(ids, decode(t, body)["id"].(string))
	}
	return ids
}

func TestSearchPagingAndLinks(t *testing.T) {
	e := newEnv(t, sqlstoretest.MustOpen(t, "sqlite"))
	e.screen(t, 3)
	code, _, body := e.do(t, "GET", "/fhir/R4/QuestionnaireResponse?patient=Patient/"+e.survivorID+"&_count=2", e.readOnly, nil)
	if code != 200 {
		t.Fatalf("search: %d %s", code, body)
	}
	b := decodeBundle(t, body)
	if b.Total != 3 || len(b.Entry) != 2 || b.link("self") == "" || b.link("next") == "" || b.link("previous") != "" {
		t.Fatalf("first page: total %d, %d entries, links %+v", b.Total, len(b.Entry), b.Link)
	}
	for _, en := range b.Entry {
		if !strings.HasPrefix(en.FullURL, "https://haven.example.org/fhir/R4/QuestionnaireResponse/") {
			t.Errorf("fullUrl %q is not on the public base", en.FullURL)
		}
	}
	_, _, body = e.do(t, "GET", local(t, b.link("next")), e.readOnly, nil)
	next := decodeBundle(t, body)
	if next.Total != 3 || len(next.Entry) != 1 || next.link("next") != "" || next.link("previous") == "" {
		t.Errorf("second page: total %d, %d entries, links %+v", next.Total, len(next.Entry), next.Link)
	}
	seen := map[string]bool{}
	for _, en := range append(b.Entry, next.Entry...) {
		seen[en.FullURL] = true
	}
	if len(seen) != 3 {
		t.Errorf("the pages hold %d distinct responses, want 3", len(seen))
	}
	// _count=0 is the total alone; a bad _count is refused.
	_, _, body = e.do(t, "GET", "/fhir/R4/Questionnaire?_count=0", e.readOnly, nil)
	if z := decodeBundle(t, body); z.Total != 3 || len(z.Entry) != 0 {
		t.Errorf("_count=0: total %d, %d entries", z.Total, len(z.Entry))
	}
	for _, bad := range []string{"_count=-1", "_count=two", "_offset=-5"} {
		if code, _, body := e.do(t, "GET", "/fhir/R4/Questionnaire?"+bad, e.readOnly, nil); code != 400 || !bytes.Contains(body, []byte("OperationOutcome")) {
			t.Errorf("%s: %d %s", bad, code, body)
		}
	}
	// Every search pages: Questionnaire, Goal, Condition, Consent.
	_, _, body = e.do(t, "GET", "/fhir/R4/Questionnaire?_count=1&_offset=1", e.readOnly, nil)
	if q := decodeBundle(t, body); len(q.Entry) != 1 || q.link("next") == "" || q.link("previous") == "" {
		t.Errorf("Questionnaire page 2: %d entries, links %+v", len(q.Entry), q.Link)
	}
	for _, typ := range []string{"Goal", "Condition", "Consent"} {
		_, _, body := e.do(t, "GET", "/fhir/R4/"+typ+"?patient=Patient/"+e.survivorID+"&_count=5", e.readOnly, nil)
		if b := decodeBundle(t, body); b.link("self") == "" {
			t.Errorf("%s search has no self link: %s", typ, body)
		}
	}
}

func TestUnknownParametersLenientOrStrict(t *testing.T) {
	e := newEnv(t, sqlstoretest.MustOpen(t, "sqlite"))
	code, _, body := e.do(t, "GET", "/fhir/R4/Questionnaire?status=active&colour=blue", e.readOnly, nil)
	b := decodeBundle(t, body)
	if code != 200 || b.Total != 3 || strings.Contains(b.link("self"), "colour") || !strings.Contains(b.link("self"), "status=active") {
		t.Errorf("lenient: %d total %d self %q", code, b.Total, b.link("self"))
	}
	for _, path := range []string{"/fhir/R4/Questionnaire?colour=blue", "/fhir/R4/Questionnaire?status:not=active",
		"/fhir/R4/QuestionnaireResponse?patient=Patient/" + e.survivorID + "&_sort=authored",
		"/fhir/R4/Goal?patient=Patient/" + e.survivorID + "&lifecycle-status=active"} {
		code, _, body := e.req(t, "GET", path, e.readOnly, nil, "Prefer", "return=representation, handling=strict")
		if code != 400 || !bytes.Contains(body, []byte(`"OperationOutcome"`)) || !bytes.Contains(body, []byte("does not support")) {
			t.Errorf("strict %s: %d %s", path, code, body)
		}
	}
}

func TestUnsupportedInteractionsAnswer405(t *testing.T) {
	e := newEnv(t, sqlstoretest.MustOpen(t, "sqlite"))
	tests := []struct {
		method, path string
		code         int
		allow        string
	}{
		{"DELETE", "/fhir/R4/Questionnaire/haven-rapid-four", 405, "GET"},
		{"PUT", "/fhir/R4/Questionnaire/haven-rapid-four", 405, "GET"},
		{"POST", "/fhir/R4/Questionnaire", 405, "GET"},
		{"PUT", "/fhir/R4/QuestionnaireResponse/x", 405, "GET"},
		{"DELETE", "/fhir/R4/Goal", 405, "GET"},
		{"GET", "/fhir/R4/Questionnaire/haven-rapid-four/_history", 405, "GET"},
		{"POST", "/fhir/R4/Patient", 405, ""},
		{"POST", "/fhir/R4/metadata", 405, "GET"},
		{"POST", "/fhir/R4/", 405, ""},
		{"GET", "/fhir/R4/Observation", 404, ""},
		{"GET", "/fhir/R4/Observation/1", 404, ""},
	}
	for _, tt := range tests {
		code, h, body := e.req(t, tt.method, tt.path, e.readWrite, []byte(`{}`), "Content-Type", "application/fhir+json")
		oo := decode(t, body)
		if code != tt.code || h.Get("Allow") != tt.allow || oo["resourceType"] != "OperationOutcome" || !bytes.Contains(body, []byte("not-supported")) {
			t.Errorf("%s %s: %d Allow=%q %s, want %d Allow=%q", tt.method, tt.path, code, h.Get("Allow"), body, tt.code, tt.allow)
		}
	}
}

func TestFormatAndContentType(t *testing.T) {
	e := newEnv(t, sqlstoretest.MustOpen(t, "sqlite"))
	for _, tt := range []struct {
		path, accept string
		code         int
	}{
		{"/fhir/R4/metadata?_format=xml", "", 406},
		{"/fhir/R4/Questionnaire?_format=application/fhir%2Bxml", "", 406},
		{"/fhir/R4/Questionnaire/haven-rapid-four?_format=ttl", "", 406},
		{"/fhir/R4/Questionnaire", "application/fhir+xml", 406},
		{"/fhir/R4/Questionnaire?_format=json", "", 200},
		{"/fhir/R4/Questionnaire?_format=application/fhir%2Bjson", "application/fhir+json;q=0.9, */*;q=0.1", 200},
		{"/fhir/R4/metadata", "text/html,application/xhtml+xml,*/*;q=0.8", 200},
	} {
		code, h, body := e.req(t, "GET", tt.path, e.readOnly, nil, "Accept", tt.accept)
		if code != tt.code || h.Get("Content-Type") != "application/fhir+json" || code == 406 && !bytes.Contains(body, []byte("JSON only")) {
			t.Errorf("GET %s (Accept %q): %d %s", tt.path, tt.accept, code, body)
		}
	}
	post := rapid("Patient/"+e.survivorID, false)
	for _, ct := range []string{"", "text/plain", "application/xml", "application/fhir+xml"} {
		if code, _, body := e.req(t, "POST", "/fhir/R4/QuestionnaireResponse", e.readWrite, post, "Content-Type", ct); code != 415 ||
			!bytes.Contains(body, []byte("OperationOutcome")) {
			t.Errorf("POST as %q: %d %s", ct, code, body)
		}
	}
	for _, ct := range []string{"application/fhir+json", "application/json", "application/fhir+json; charset=utf-8"} {
		if code, _, body := e.req(t, "POST", "/fhir/R4/QuestionnaireResponse", e.readWrite, post, "Content-Type", ct); code != 201 {
			t.Errorf("POST as %q: %d %s", ct, code, body)
		}
	}
	if n, _ := e.db.Screenings(e.adv, e.survivorID); len(n) != 3 {
		t.Errorf("%d screenings, want the 3 accepted", len(n))
	}
}

func TestVersionsAndETags(t *testing.T) {
	e := newEnv(t, sqlstoretest.MustOpen(t, "sqlite"))
	code, h, created := e.do(t, "POST", "/fhir/R4/QuestionnaireResponse", e.readWrite, rapid("Patient/"+e.survivorID, false))
	if code != 201 {
		t.Fatalf("create: %d %s", code, created)
	}
	meta := decode(t, created)["meta"].(map[string]any)
	vid, _ := meta["versionId"].(string)
	loc := h.Get("Location")
	if vid == "" || meta["lastUpdated"] == nil || h.Get("ETag") != `W/"`+vid+`"` || !strings.HasSuffix(loc, "/_history/"+vid) ||
		!strings.HasPrefix(loc, "https://haven.example.org/fhir/R4/QuestionnaireResponse/") {
		t.Fatalf("create: meta %v ETag %q Location %q", meta, h.Get("ETag"), loc)
	}
	vread := local(t, loc)
	read := strings.TrimSuffix(vread, "/_history/"+vid)
	for _, p := range []string{read, vread} {
		code, h, body := e.do(t, "GET", p, e.readOnly, nil)
		if code != 200 || h.Get("ETag") != `W/"`+vid+`"` || h.Get("Last-Modified") == "" || !bytes.Equal(body, created) {
			t.Errorf("GET %s: %d ETag %q", p, code, h.Get("ETag"))
		}
	}
	if code, _, _ := e.req(t, "GET", read, e.readOnly, nil, "If-None-Match", `W/"`+vid+`"`); code != 304 {
		t.Errorf("If-None-Match the current version: %d, want 304", code)
	}
	if code, _, body := e.do(t, "GET", read+"/_history/0000", e.readOnly, nil); code != 404 || !bytes.Contains(body, []byte("current version")) {
		t.Errorf("vread of another version: %d %s", code, body)
	}
	// Every resource carries a versionId; a Questionnaire imported also
	// its lastUpdated.
	in, _, err := e.db.ImportInstrument(haven.WithSystem(context.Background(), access.JobImportInstruments),
		[]byte(`{"resourceType":"Questionnaire","status":"active","item":[{"linkId":"a","type":"boolean","text":"A?"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	_, _, body := e.do(t, "GET", "/fhir/R4/Questionnaire/"+in.ID, e.readOnly, nil)
	q := decode(t, body)
	if m, _ := q["meta"].(map[string]any); m["versionId"] == nil || m["lastUpdated"] == nil || q["url"] != nil {
		t.Errorf("imported Questionnaire without url: %s", body)
	}
}

func TestQuestionnaireResponseSearch(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		e := newEnv(t, db)
		e.screen(t, 2)
		p := "patient=Patient/" + e.survivorID
		today := time.Now().UTC().Format("2006-01-02")
		tests := []struct {
			query string
			tok   string
			total int
		}{
			{p, e.readOnly, 2},
			{"subject=Patient/" + e.survivorID, e.readOnly, 2},
			{p + "&questionnaire=https://haven.example/fhir/Questionnaire/haven-rapid-four", e.readOnly, 2},
			{p + "&questionnaire=Questionnaire/haven-rapid-four", e.readOnly, 2},
			{p + "&questionnaire=https://haven.example/fhir/Questionnaire/haven-youth-short", e.readOnly, 0},
			{p + "&authored=" + today, e.readOnly, 2},
			{p + "&authored=ge" + today[:7], e.readOnly, 2},
			{p + "&authored=lt2000-01-01", e.readOnly, 0},
			{p + "&authored=gt2000&authored=lt2999", e.readOnly, 2},
			{p + "&authored=ne" + today, e.readOnly, 0},
			{p, e.other, 0},
			{"patient=Patient/no-such-survivor", e.readOnly, 0},
		}
		for _, tt := range tests {
			code, _, body := e.do(t, "GET", "/fhir/R4/QuestionnaireResponse?"+tt.query, tt.tok, nil)
			if code != 200 {
				t.Errorf("?%s: %d %s", tt.query, code, body)
				continue
			}
			b := decodeBundle(t, body)
			if b.Total != tt.total || len(b.Entry) != tt.total {
				t.Errorf("?%s: total %d, %d entries, want %d", tt.query, b.Total, len(b.Entry), tt.total)
			}
			for _, en := range b.Entry {
				if en.Resource["resourceType"] != "QuestionnaireResponse" {
					t.Errorf("?%s: entry %v", tt.query, en.Resource["resourceType"])
				}
			}
		}
		for _, bad := range []string{"", "questionnaire=Questionnaire/haven-rapid-four", p + "&authored=yesterday", p + "&authored=sa2026"} {
			if code, _, body := e.do(t, "GET", "/fhir/R4/QuestionnaireResponse?"+bad, e.readOnly, nil); code != 400 {
				t.Errorf("?%s: %d %s, want 400", bad, code, body)
			}
		}
	})
}

func TestCreateNamesTheFieldItRefuses(t *testing.T) {
	e := newEnv(t, sqlstoretest.MustOpen(t, "sqlite"))
	with := func(mut func(m map[string]any)) []byte {
		var m map[string]any
		json.Unmarshal(rapid("Patient/"+e.survivorID, false), &m)
		mut(m)
		b, _ := json.Marshal(m)
		return b
	}
	tests := []struct {
		name string
		body []byte
		code int
		expr string
	}{
		{"unknown questionnaire", with(func(m map[string]any) { m["questionnaire"] = "https://example.org/Questionnaire/none" }), 400, "QuestionnaireResponse.questionnaire"},
		{"unknown subject", rapid("Patient/no-such-survivor", false), 404, "QuestionnaireResponse.subject"},
		{"status outside the code set", with(func(m map[string]any) { m["status"] = "finished" }), 400, "QuestionnaireResponse.status"},
		{"authored not a dateTime", with(func(m map[string]any) { m["authored"] = "yesterday" }), 400, "QuestionnaireResponse.authored"},
		{"subject not a Patient", rapid("Group/1", false), 400, "QuestionnaireResponse.subject"},
	}
	for _, tt := range tests {
		code, _, body := e.do(t, "POST", "/fhir/R4/QuestionnaireResponse", e.readWrite, tt.body)
		var oo struct {
			Issue []struct{ Expression []string }
		}
		json.Unmarshal(body, &oo)
		var exprs []string
		for _, is := range oo.Issue {
			exprs = append(exprs, is.Expression...)
		}
		if code != tt.code || !strings.Contains(strings.Join(exprs, " "), tt.expr) {
			t.Errorf("%s: %d expressions %q, want %d with %s: %s", tt.name, code, exprs, tt.code, tt.expr, body)
		}
	}
	if n, _ := e.db.Screenings(e.adv, e.survivorID); len(n) != 0 {
		t.Errorf("%d screenings stored from refused posts", len(n))
	}
}

func TestPatientIsPseudonymous(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		e := newEnv(t, db)
		s, err := db.Survivor(e.adv, e.survivorID)
		if err != nil {
			t.Fatal(err)
		}
		code, h, body := e.do(t, "GET", "/fhir/R4/Patient/"+e.survivorID, e.readOnly, nil)
		if code != 200 || h.Get("ETag") == "" {
			t.Fatalf("Patient read: %d %s", code, body)
		}
		p := decode(t, body)
		ids, _ := p["identifier"].([]any)
		if len(ids) != 1 || ids[0].(map[string]any)["value"] != s.CaseNumber {
			t.Errorf("identifier %v, want the case number %s", ids, s.CaseNumber)
		}
		for _, k := range []string{"name", "birthDate", "gender", "address", "telecom", "photo", "contact", "communication"} {
			if _, ok := p[k]; ok {
				t.Errorf("Patient carries %s", k)
			}
		}
		if bytes.Contains(body, []byte("Synthetic")) {
			t.Errorf("the survivor's name leaks: %s", body)
		}
		// Not on the care team: as if there were no such Patient.
		for _, id := range []string{e.survivorID, "no-such-survivor"} {
			if code, _, body := e.do(t, "GET", "/fhir/R4/Patient/"+id, e.other, nil); code != 404 || bytes.Contains(body, []byte(s.CaseNumber)) {
				t.Errorf("stranger reads Patient/%s: %d %s", id, code, body)
			}
		}
		// The read is audited.
		size, _ := db.AuditSize(context.Background())
		entries, _ := db.AuditEntries(context.Background(), 0, size)
		reads := 0
		for _, en := range entries {
			if en.ObjectID == e.survivorID && strings.Contains(en.Action, "read") {
				reads++
			}
		}
		if reads == 0 {
			t.Error("the Patient read left no audit entry")
		}
	})
}

// TestHostWithoutPublicURL: without a public URL, absolute references
// use the request's scheme and Host.
func TestHostWithoutPublicURL(t *testing.T) {
	db := sqlstoretest.MustOpen(t, "sqlite")
	e := newEnv(t, db)
	srv := server.New(slog.New(slog.DiscardHandler), db)
	srv.APITokens = db
	(&fhir.Handler{Screenings: db, Version: "test"}).Mount(srv)
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	e.url = ts.URL
	_, _, body := e.do(t, "GET", "/fhir/R4/Questionnaire?_count=1", e.readOnly, nil)
	if self := decodeBundle(t, body).link("self"); !strings.HasPrefix(self, ts.URL+"/fhir/R4/Questionnaire?") {
		t.Errorf("self is %q, want it on %s", self, ts.URL)
	}
}
