package web_test

import (
	"context"
	"fmt"
	"html"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/directory/live"
	"github.com/haven-care/haven/internal/places"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/web"
)

// withDirectory serves the env's store again, with a synthetic directory
// loaded and the search page mounted on a live index.
func withDirectory(t *testing.T, e *env) (*env, haven.Location) {
	t.Helper()
	e2, shelter, _ := withCountedDirectory(t, e)
	return e2, shelter
}

// countingRecords counts the calls made to the store's directory reads
// (each one 14 to 21 SELECTs).
type countingRecords struct {
	directory.Records
	calls atomic.Int64
}

func (c *countingRecords) DirectoryRecords(ctx context.Context, ids []string) (*haven.Directory, error) {
	c.calls.Add(1)
	return c.Records.DirectoryRecords(ctx, ids)
}

// withCountedDirectory is withDirectory, with the page's directory reads
// counted.
func withCountedDirectory(t *testing.T, e *env) (*env, haven.Location, *countingRecords) {
	t.Helper()
	d := directory.GenerateDirectory(300, 7)
	var confidential haven.Location
	for _, l := range d.Locations {
		if l.Confidential && l.Latitude != nil {
			confidential = l
			break
		}
	}
	if confidential.Name == "" {
		t.Fatal("the synthetic directory has no confidential location to test with")
	}
	e2, records := serveDirectory(t, e, d, nil)
	return e2, confidential, records
}

// serveDirectory serves the env's store again with d imported, the search
// page mounted on a live index and clinics as the saved clinic locations.
func serveDirectory(t *testing.T, e *env, d *haven.Directory, clinics places.Locations) (*env, *countingRecords) {
	t.Helper()
	ctx := context.Background()
	if _, err := e.db.ImportDirectory(haven.WithSystem(ctx, access.JobImportHSDS), d, nil); err != nil {
		t.Fatal(err)
	}
	idx, err := live.Build(haven.WithSystem(ctx, access.JobDirectoryIndex), e.db)
	if err != nil {
		t.Fatal(err)
	}
	records := &countingRecords{Records: e.db}
	h, err := web.New(web.Config{Auth: e.db, Directory: idx, DirectoryRecords: records, ServiceWriter: e.db, Version: "test",
		ClinicLocations: clinics})
	if err != nil {
		t.Fatal(err)
	}
	s := server.New(slog.New(slog.DiscardHandler), e.db)
	h.Mount(s)
	e2 := *e
	e2.srv = httptest.NewServer(s.Handler())
	t.Cleanup(e2.srv.Close)
	return &e2, records
}

func TestDirectorySearchPage(t *testing.T) {
	e, shelter := withDirectory(t, newEnv(t, false))
	mustUser(t, e.db, "analyst", "", haven.RoleAnalyst)
	c := client(t)
	signIn(t, e, c, "advocate", "")
	resp, body := get(t, c, e.srv.URL+"/directory")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `name="need"`) {
		t.Fatalf("form: status=%d", resp.StatusCode)
	}
	resp, body = get(t, c, e.srv.URL+"/directory?need=x&age=old")
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="age-error"`) {
		t.Errorf("bad age: status=%d, want 400 with the error beside age", resp.StatusCode)
	}
	resp, body = get(t, c, e.srv.URL+"/directory?need=shelter&need=housing&include_remote=true")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, `class="results"`) || !strings.Contains(body, "services match every choice") {
		t.Fatalf("search: status=%d, want ranked results", resp.StatusCode)
	}
	// Every need, a kilometre around the shelter: an advocate finds it, an
	// analyst never sees it.
	q := url.Values{"lat": {fmt.Sprint(*shelter.Latitude)}, "lon": {fmt.Sprint(*shelter.Longitude)}, "radius_km": {"1"}}
	for _, n := range haven.Needs {
		q.Add("need", n.Code)
	}
	_, advocateSaw := get(t, c, e.srv.URL+"/directory?"+q.Encode())
	if !strings.Contains(advocateSaw, html.EscapeString(shelter.Name)) {
		t.Errorf("an advocate does not find the shelter %q", shelter.Name)
	}
	a := client(t)
	signIn(t, e, a, "analyst", "")
	_, analystSaw := get(t, a, e.srv.URL+"/directory?"+q.Encode())
	if strings.Contains(analystSaw, html.EscapeString(shelter.Name)) {
		t.Errorf("an analyst sees the shelter %q", shelter.Name)
	}
}

// TestDirectorySearchPageSummaries checks that a results page shows each
// result's organization, address, phone, hours and languages from the
// index, without reading the store's directory, and that a role that may
// not see shelters finds neither a shelter's address nor its phone in it.
func TestDirectorySearchPageSummaries(t *testing.T) {
	e, shelter, records := withCountedDirectory(t, newEnv(t, false))
	mustUser(t, e.db, "analyst", "", haven.RoleAnalyst)
	d := directory.GenerateDirectory(300, 7)
	var address, phone string
	for _, a := range d.Addresses {
		if a.LocationID == shelter.ID {
			address = a.Address1
		}
	}
	for _, p := range d.Phones {
		if p.LocationID == shelter.ID {
			phone = p.Number
		}
	}
	if address == "" || phone == "" {
		t.Fatalf("the shelter has address %q and phone %q, want both", address, phone)
	}
	q := url.Values{"lat": {fmt.Sprint(*shelter.Latitude)}, "lon": {fmt.Sprint(*shelter.Longitude)}, "radius_km": {"1"}}
	for _, n := range haven.Needs {
		q.Add("need", n.Code)
	}
	c := client(t)
	signIn(t, e, c, "advocate", "")
	before := records.calls.Load()
	var page string
	n, tables := countSelects(func() { _, page = get(t, c, e.srv.URL+"/directory?"+q.Encode()) })
	t.Logf("search page: %d SELECTs, %d directory tables read", n, tables)
	if n > 2 || tables != 0 {
		t.Errorf("the search page ran %d SELECTs reading %d directory tables, want at most 2 (the session and its user) and none", n, tables)
	}
	for _, want := range []string{html.EscapeString(shelter.Name), address, html.EscapeString(phone), "Synthetic Organization",
		"<dt>Hours</dt>", "<dt>Languages</dt>"} {
		if !strings.Contains(page, want) {
			t.Errorf("an advocate's results page lacks %q", want)
		}
	}
	if n := records.calls.Load() - before; n != 0 {
		t.Errorf("the search page read the store's directory %d times, want 0", n)
	}
	a := client(t)
	signIn(t, e, a, "analyst", "")
	_, page = get(t, a, e.srv.URL+"/directory?"+q.Encode())
	for _, leak := range []string{shelter.Name, address, phone} {
		if strings.Contains(page, html.EscapeString(leak)) {
			t.Errorf("an analyst's results page shows the shelter's %q", leak)
		}
	}
}

func TestDirectoryEditing(t *testing.T) {
	e, _ := withDirectory(t, newEnv(t, false))
	mustUser(t, e.db, "editor", "", haven.RoleEditor)
	d := directory.GenerateDirectory(300, 7)
	id := d.Services[0].ID
	nurse := client(t)
	signIn(t, e, nurse, "nurse", "")
	if resp, _ := get(t, nurse, e.srv.URL+"/directory/services/"+id+"/edit"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("clinician opens the edit form: status=%d, want 403", resp.StatusCode)
	}
	if resp, _ := post(t, nurse, e.srv.URL+"/directory/services/"+id, url.Values{"name": {"x"}, "status": {"active"}}); resp.StatusCode != http.StatusForbidden {
		t.Errorf("clinician saves: status=%d, want 403", resp.StatusCode)
	}
	ed := client(t)
	signIn(t, e, ed, "editor", "")
	resp, body := get(t, ed, e.srv.URL+"/directory/services/"+id+"/edit")
	if resp.StatusCode != http.StatusOK || !strings.Contains(body, html.EscapeString(d.Services[0].Name)) {
		t.Fatalf("edit form: status=%d", resp.StatusCode)
	}
	resp, body = post(t, ed, e.srv.URL+"/directory/services/"+id, url.Values{"name": {""}, "status": {"open"}, "minimum_age": {"30"}, "maximum_age": {"18"}})
	if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, `id="name-error"`) || !strings.Contains(body, `id="status-error"`) ||
		!strings.Contains(body, `id="maximum_age-error"`) {
		t.Errorf("bad edit: status=%d, want 400 with errors beside name, status and maximum age", resp.StatusCode)
	}
	resp, _ = post(t, ed, e.srv.URL+"/directory/services/"+id, url.Values{"name": {"Synthetic Renamed Service"}, "status": {"active"},
		"minimum_age": {"18"}, "trauma_informed": {"true"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("save: status=%d, want 303", resp.StatusCode)
	}
	got, err := e.db.DirectoryRecords(haven.WithSystem(context.Background(), access.JobDirectoryIndex), []string{id})
	if err != nil || len(got.Services) != 1 || got.Services[0].Name != "Synthetic Renamed Service" || !got.Services[0].Match.TraumaInformed ||
		got.Services[0].MinimumAge == nil || *got.Services[0].MinimumAge != 18 {
		t.Errorf("stored service after edit: %+v, %v", got.Services, err)
	}
}

// BenchmarkDirectorySearchPage serves the signed-in search page (near a
// city, two needs, a language) over a real SQLite store holding a
// synthetic directory of HAVEN_BENCH_SERVICES services (default 20,000),
// reporting the 99th percentile time and the store's directory reads per
// page. For the figures over HTTP see scripts/bench-directory-page.
func BenchmarkDirectorySearchPage(b *testing.B) {
	n := 20_000
	if s := os.Getenv("HAVEN_BENCH_SERVICES"); s != "" {
		n, _ = strconv.Atoi(s)
	}
	e := newEnv(b, false)
	ctx := context.Background()
	if _, err := e.db.ImportDirectory(ctx, directory.GenerateDirectory(n, 1), nil); err != nil {
		b.Fatal(err)
	}
	idx, err := live.Build(ctx, e.db)
	if err != nil {
		b.Fatal(err)
	}
	records := &countingRecords{Records: e.db}
	h, err := web.New(web.Config{Auth: e.db, Directory: idx, DirectoryRecords: records, Version: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	s := server.New(slog.New(slog.DiscardHandler), e.db)
	h.Mount(s)
	handler := s.Handler()
	tok := tokens(b, e)["advocate"]
	path := "/directory?need=shelter&need=housing&lat=41.88&lon=-87.63&radius_km=25&language=es"
	times := make([]time.Duration, 0, b.N)
	var size int
	for b.Loop() {
		rec := httptest.NewRecorder()
		start := time.Now()
		handler.ServeHTTP(rec, request(path, tok))
		times = append(times, time.Since(start))
		if rec.Code != http.StatusOK {
			b.Fatalf("status=%d", rec.Code)
		}
		size = rec.Body.Len()
	}
	slices.Sort(times)
	b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(size), "html-bytes")
	b.ReportMetric(float64(records.calls.Load())/float64(len(times)), "directory-reads/page")
}

// TestDirectoryMustSpeak: besides languages the staff preferably speak
// (ranked first), the form can require them, so that "services match every
// choice" holds no service that does not speak the survivor's language.
func TestDirectoryMustSpeak(t *testing.T) {
	e, _ := withDirectory(t, newEnv(t, false))
	c := client(t)
	signIn(t, e, c, "advocate", "")
	_, form := get(t, c, e.srv.URL+"/directory")
	if !strings.Contains(form, `name="language_required"`) {
		t.Fatal("the search form offers no way to require the languages")
	}
	matched := func(body string) int {
		var n int
		if i := strings.Index(body, `role="status">`); i >= 0 {
			fmt.Sscan(body[i+len(`role="status">`):], &n)
		}
		return n
	}
	q := "/directory?need=food&need=housing&need=legal&include_remote=true&language=vi"
	_, preferred := get(t, c, e.srv.URL+q)
	resp, required := get(t, c, e.srv.URL+q+"&language_required=true")
	if resp.StatusCode != http.StatusOK || !strings.Contains(required, `name="language_required" value="true" checked`) {
		t.Errorf("required languages: status=%d, want the choice kept checked", resp.StatusCode)
	}
	if p, r := matched(preferred), matched(required); r == 0 || r >= p {
		t.Errorf("matched %d preferring vi and %d requiring it; want fewer, but some, when required", p, r)
	}
}

// TestDirectorySearchesThatCannotWorkSayWhy: a form sent with no need
// ticked, one coordinate, a language name, or an empty directory each says
// what to do instead of answering with nothing.
func TestDirectorySearchesThatCannotWorkSayWhy(t *testing.T) {
	e, _ := withDirectory(t, newEnv(t, false))
	c := client(t)
	signIn(t, e, c, "advocate", "")
	for _, tt := range []struct{ query, want string }{
		{"lat=&lon=&radius_km=&language=", `id="need-error"`},
		{"need=food&lat=41.88&lon=", `id="lon-error"`},
		{"need=food&language=Spanish", `id="language-error"`},
	} {
		resp, body := get(t, c, e.srv.URL+"/directory?"+tt.query)
		if resp.StatusCode != http.StatusBadRequest || !strings.Contains(body, tt.want) {
			t.Errorf("%s: status=%d, want 400 with %s", tt.query, resp.StatusCode, tt.want)
		}
	}
	empty := newEnv(t, false) // its index holds no service
	ce := client(t)
	signIn(t, empty, ce, "advocate", "")
	if _, body := get(t, ce, empty.srv.URL+"/directory?need=food"); !strings.Contains(body, "The directory holds no services yet") {
		t.Error("a search of an empty directory does not say the directory is empty")
	}
}
