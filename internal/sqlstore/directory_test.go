package sqlstore_test

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	gocmp "github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// sortByID orders records by their ID, as the store returns them.
func sortByID[T any](items []T, id func(T) string) {
	slices.SortFunc(items, func(a, b T) int { return cmp.Compare(id(a), id(b)) })
}

// sortedDirectory returns a copy of d with every table in ID order.
func sortedDirectory(d *haven.Directory) *haven.Directory {
	c := *d
	c.Organizations = slices.Clone(d.Organizations)
	sortByID(c.Organizations, func(o haven.Organization) string { return o.ID })
	c.Services = slices.Clone(d.Services)
	sortByID(c.Services, func(s haven.Service) string { return s.ID })
	c.Locations = slices.Clone(d.Locations)
	sortByID(c.Locations, func(l haven.Location) string { return l.ID })
	c.ServiceAtLocations = slices.Clone(d.ServiceAtLocations)
	sortByID(c.ServiceAtLocations, func(s haven.ServiceAtLocation) string { return s.ID })
	c.Addresses = slices.Clone(d.Addresses)
	sortByID(c.Addresses, func(a haven.Address) string { return a.ID })
	c.Phones = slices.Clone(d.Phones)
	sortByID(c.Phones, func(p haven.Phone) string { return p.ID })
	c.Schedules = slices.Clone(d.Schedules)
	sortByID(c.Schedules, func(s haven.Schedule) string { return s.ID })
	c.Languages = slices.Clone(d.Languages)
	sortByID(c.Languages, func(l haven.Language) string { return l.ID })
	c.ServiceAreas = slices.Clone(d.ServiceAreas)
	sortByID(c.ServiceAreas, func(a haven.ServiceArea) string { return a.ID })
	c.CostOptions = slices.Clone(d.CostOptions)
	sortByID(c.CostOptions, func(o haven.CostOption) string { return o.ID })
	c.RequiredDocuments = slices.Clone(d.RequiredDocuments)
	sortByID(c.RequiredDocuments, func(r haven.RequiredDocument) string { return r.ID })
	c.Taxonomies = slices.Clone(d.Taxonomies)
	sortByID(c.Taxonomies, func(t haven.Taxonomy) string { return t.ID })
	c.TaxonomyTerms = slices.Clone(d.TaxonomyTerms)
	sortByID(c.TaxonomyTerms, func(t haven.TaxonomyTerm) string { return t.ID })
	c.Attributes = slices.Clone(d.Attributes)
	sortByID(c.Attributes, func(a haven.Attribute) string { return a.ID })
	c.Contacts = slices.Clone(d.Contacts)
	sortByID(c.Contacts, func(x haven.DirectoryContact) string { return x.ID })
	c.Funding = slices.Clone(d.Funding)
	sortByID(c.Funding, func(x haven.Funding) string { return x.ID })
	c.Programs = slices.Clone(d.Programs)
	sortByID(c.Programs, func(x haven.Program) string { return x.ID })
	c.Accessibility = slices.Clone(d.Accessibility)
	sortByID(c.Accessibility, func(x haven.Accessibility) string { return x.ID })
	c.OrgIdentifiers = slices.Clone(d.OrgIdentifiers)
	sortByID(c.OrgIdentifiers, func(x haven.OrganizationIdentifier) string { return x.ID })
	c.Metadata = slices.Clone(d.Metadata)
	sortByID(c.Metadata, func(x haven.Metadata) string { return x.ID })
	c.MetaTables = slices.Clone(d.MetaTables)
	sortByID(c.MetaTables, func(x haven.MetaTableDescription) string { return x.ID })
	return &c
}

// confidentialDirectory is a small synthetic directory whose first
// location is a shelter, with records of every HSDS table: a contact (with
// a phone of its own) and an accessibility record at the shelter, metadata
// about it, and the same kinds of record about an ordinary organization
// and service, some carrying extra data.
func confidentialDirectory(t *testing.T) (*haven.Directory, haven.Location) {
	t.Helper()
	d := directory.GenerateDirectory(20, 7)
	d.Locations[0].Confidential = true
	shelter, org, svc := d.Locations[0], d.Organizations[1].ID, d.Services[5]
	id := func(n int) string { return fmt.Sprintf("00000000-0000-4000-8000-0000000001%02d", n) }
	extra := haven.Extra{"custom_code": json.RawMessage(`"K-7"`), "x_rating": json.RawMessage(`{"stars":4}`)}
	d.Contacts = []haven.DirectoryContact{{ID: id(1), LocationID: shelter.ID, Name: "Intake desk"},
		{ID: id(2), OrganizationID: org, Name: "Front office", Email: "office@example.org", Extra: extra}}
	d.Phones = append(d.Phones, haven.Phone{ID: id(3), ContactID: id(1), Number: "555-0100"},
		haven.Phone{ID: id(4), ContactID: id(2), Number: "555-0101"})
	d.Accessibility = []haven.Accessibility{{ID: id(5), LocationID: shelter.ID, Description: "Ramp at the back door"}}
	d.Metadata = []haven.Metadata{{ID: id(6), ResourceID: shelter.ID, ResourceType: "location", LastActionDate: "2026-01-01",
		LastActionType: "update", FieldName: "name", PreviousValue: "A", ReplacementValue: "B", UpdatedBy: "Editor"},
		{ID: id(7), ResourceID: svc.ID, ResourceType: "service", LastActionDate: "2026-01-02", LastActionType: "create",
			FieldName: "name", PreviousValue: "-", ReplacementValue: svc.Name, UpdatedBy: "Editor"}}
	d.Programs = []haven.Program{{ID: id(8), OrganizationID: org, Name: "Outreach", Description: "Synthetic program.", Extra: extra}}
	d.Funding = []haven.Funding{{ID: id(9), OrganizationID: org, Source: "County grant"}}
	d.OrgIdentifiers = []haven.OrganizationIdentifier{{ID: id(10), OrganizationID: org, IdentifierType: "EIN", Identifier: "00-0000000"}}
	d.MetaTables = []haven.MetaTableDescription{{ID: id(11), Name: "services", Language: "en", CharacterSet: "UTF-8"}}
	d.Services[5].ProgramID = id(8)
	d.Services[5].Extra = extra
	return d, d.Locations[0]
}

func TestDirectoryRoundTripAndReimport(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		d, _ := confidentialDirectory(t)
		n0, _ := strconv.Atoi(recordsOf(d))
		var last int
		n, err := db.ImportDirectory(importing(ctx), d, func(done, total int) {
			if done <= last || total != n0 {
				t.Errorf("progress %d of %d after %d, want increasing to %d", done, total, last, n0)
			}
			last = done
		})
		if err != nil {
			t.Fatal(err)
		}
		if n.Services != 20 || n.Version != 1 || n.Records != n0 || last != n0 {
			t.Errorf("import: %+v, progress ended at %d, want %d records", n, last, n0)
		}
		got, err := db.ExportDirectory(exporting(ctx), true)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(sortedDirectory(d), got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("export differs from import (-want +got):\n%s", diff)
		}
		d.Services[3].Name = "Renamed clinic"
		if _, err := db.ImportDirectory(importing(ctx), d, nil); err != nil {
			t.Fatal(err)
		}
		got, _ = db.ExportDirectory(exporting(ctx), true)
		if diff := gocmp.Diff(sortedDirectory(d), got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("re-import did not update by id (-want +got):\n%s", diff)
		}
	})
}

func TestDirectoryImportAllOrNothing(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		before := directory.GenerateDirectory(5, 1)
		if _, err := db.ImportDirectory(importing(context.Background()), before, nil); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		bigger := directory.GenerateDirectory(30, 2)
		_, err := db.ImportDirectory(importing(ctx), bigger, func(done, total int) {
			if done > len(bigger.Organizations)+len(bigger.Services) {
				cancel() // fails the rest of the transaction half-way
			}
		})
		if err == nil {
			t.Fatal("import with a failure half-way succeeded")
		}
		got, err := db.ExportDirectory(exporting(context.Background()), true)
		if err != nil {
			t.Fatal(err)
		}
		if diff := gocmp.Diff(sortedDirectory(before), got, cmpopts.EquateEmpty()); diff != "" {
			t.Errorf("store changed by a failed import (-want +got):\n%s", diff)
		}
		if v, _ := db.DirectoryVersion(context.Background()); v != 1 {
			t.Errorf("version=%d, want 1", v)
		}
	})
}

func TestDirectoryAccessAndAudit(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		editor := mustUser(t, db, "dir.editor", haven.RoleEditor)
		advocate := mustUser(t, db, "dir.advocate", haven.RoleAdvocate)
		analyst := mustUser(t, db, "dir.analyst", haven.RoleAnalyst)
		d, _ := confidentialDirectory(t)
		if _, err := db.ImportDirectory(actorCtx(advocate), d, nil); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("advocate import: %v, want Forbidden", err)
		}
		if _, err := db.ImportDirectory(actorCtx(editor), d, nil); err != nil {
			t.Fatalf("editor import: %v", err)
		}
		if err := db.DeleteDirectoryService(actorCtx(analyst), d.Services[0].ID); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("analyst delete: %v, want Forbidden", err)
		}
		if _, err := db.ExportDirectory(actorCtx(editor), true); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("editor export with shelters: %v, want Forbidden", err)
		}
		if _, err := db.ExportDirectory(actorCtx(analyst), false); err != nil {
			t.Errorf("analyst export: %v", err)
		}
		public := 0
		for _, l := range d.Locations {
			if !l.Confidential {
				public++
			}
		}
		size, _ := db.AuditSize(context.Background())
		entries, err := db.AuditEntries(context.Background(), 0, size)
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range entries {
			if strings.HasPrefix(e.Action, "directory.") {
				got = append(got, e.Action+" "+e.Outcome+" "+e.Reason)
			}
		}
		want := []string{
			"directory.update denied no_rule",
			"directory.import success organizations=4 services=20 locations=" + strconv.Itoa(len(d.Locations)) + " records=" + recordsOf(d) + " version=1",
			"directory.delete denied no_rule",
			"directory.export denied no_rule", // nobody exports shelters
			"directory.export success organizations=4 services=20 locations=" + strconv.Itoa(public) + " records=",
		}
		if len(got) != len(want) {
			t.Fatalf("audit=%q, want %q", got, want)
		}
		for i := range want {
			if !strings.HasPrefix(got[i], want[i]) {
				t.Errorf("audit[%d]=%q, want prefix %q", i, got[i], want[i])
			}
		}
	})
}

func recordsOf(d *haven.Directory) string {
	n := len(d.Organizations) + len(d.Services) + len(d.Locations) + len(d.ServiceAtLocations) + len(d.Addresses) +
		len(d.Phones) + len(d.Schedules) + len(d.Languages) + len(d.ServiceAreas) + len(d.CostOptions) +
		len(d.RequiredDocuments) + len(d.Taxonomies) + len(d.TaxonomyTerms) + len(d.Attributes) + len(d.Contacts) +
		len(d.Funding) + len(d.Programs) + len(d.Accessibility) + len(d.OrgIdentifiers) + len(d.Metadata) + len(d.MetaTables)
	return strconv.Itoa(n)
}

func TestDirectoryConfidentialHiddenFromPublicReads(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		d, shelter := confidentialDirectory(t)
		if _, err := db.ImportDirectory(importing(ctx), d, nil); err != nil {
			t.Fatal(err)
		}
		var svc string
		for _, s := range d.ServiceAtLocations {
			if s.LocationID == shelter.ID {
				svc = s.ServiceID
			}
		}
		pub, total, err := db.DirectoryServices(ctx, haven.ServiceFilter{ID: svc, Limit: 1})
		if err != nil || total != 1 || len(pub.Services) != 1 {
			t.Fatalf("DirectoryServices: total=%d services=%d err=%v", total, len(pub.Services), err)
		}
		if leaks(pub, shelter.ID) {
			t.Errorf("public service page names the shelter: %+v", pub)
		}
		orgs, _, err := db.DirectoryOrganizations(ctx, haven.OrganizationFilter{ID: shelter.OrganizationID, Limit: 1})
		if err != nil || len(orgs.Organizations) != 1 || leaks(orgs, shelter.ID) {
			t.Errorf("DirectoryOrganizations: %d organizations, leaks=%v, err=%v", len(orgs.Organizations), leaks(orgs, shelter.ID), err)
		}
		exp, _ := db.ExportDirectory(exporting(ctx), false)
		if leaks(exp, shelter.ID) {
			t.Errorf("export without confidential names the shelter")
		}
		if len(exp.Contacts) != 1 || !slices.ContainsFunc(exp.Phones, func(p haven.Phone) bool { return p.Number == "555-0101" }) ||
			len(exp.Metadata) != 1 || len(exp.Programs) != 1 {
			t.Errorf("export without confidential: contacts=%d metadata=%d programs=%d, want the organization's contact with its phone, the service's metadata and program",
				len(exp.Contacts), len(exp.Metadata), len(exp.Programs))
		}
		rec, err := db.DirectoryRecords(haven.WithSystem(ctx, access.JobDirectoryIndex), []string{svc})
		if err != nil || !slices.ContainsFunc(rec.Locations, func(l haven.Location) bool { return l.ID == shelter.ID }) {
			t.Errorf("DirectoryRecords lacks the shelter the index needs: %v", err)
		}
		conf, err := db.ConfidentialDirectoryRecords(haven.WithSystem(ctx, access.JobDirectoryIndex))
		if err != nil || !leaks(conf, shelter.ID) {
			t.Errorf("ConfidentialDirectoryRecords lacks the shelter: %v", err)
		}
		if err == nil {
			hidden := map[string]bool{}
			for _, l := range d.Locations {
				hidden[l.ID] = l.Confidential
			}
			var want, got []string
			for _, s := range d.ServiceAtLocations {
				if hidden[s.LocationID] && !slices.Contains(want, s.ServiceID) {
					want = append(want, s.ServiceID)
				}
			}
			for _, s := range conf.Services {
				got = append(got, s.ID)
			}
			slices.Sort(want)
			slices.Sort(got)
			if !slices.Contains(want, svc) || !slices.Equal(got, want) {
				t.Errorf("ConfidentialDirectoryRecords services=%v, want %v", got, want)
			}
		}
		for _, role := range haven.Roles {
			nu := haven.NewUser{Username: "records." + string(role), Role: role, Password: testPassword}
			if role == haven.RolePartner {
				nu.OrganizationID = shelter.OrganizationID
			}
			u, err := db.CreateUser(userAdd(ctx), nu)
			if err != nil {
				t.Fatal(err)
			}
			rec, err := db.DirectoryRecords(actorCtx(u), []string{svc})
			if err != nil {
				t.Fatalf("%s: DirectoryRecords: %v", role, err)
			}
			if got, want := leaks(rec, shelter.ID), access.CanSeeConfidential(role); got != want {
				t.Errorf("%s: DirectoryRecords names the shelter=%v, want %v", role, got, want)
			}
			conf, err := db.ConfidentialDirectoryRecords(actorCtx(u))
			if allowed := access.CanSeeConfidential(role); (err == nil) != allowed || (err != nil && haven.ErrorKind(err) != haven.Forbidden) {
				t.Errorf("%s: ConfidentialDirectoryRecords err=%v, want allowed=%v", role, err, allowed)
			} else if allowed && !leaks(conf, shelter.ID) {
				t.Errorf("%s: ConfidentialDirectoryRecords lacks the shelter", role)
			}
		}
	})
}

func TestSealShelters(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := haven.WithSystem(context.Background(), access.JobDirectoryIndex)
		sealed, err := db.SealShelters(ctx, []byte("CANARYSHELTER at 1 Hidden Lane"))
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(sealed, []byte("CANARYSHELTER")) {
			t.Fatal("sealed shelters hold the plaintext")
		}
		got, err := db.OpenShelters(ctx, sealed)
		if err != nil || string(got) != "CANARYSHELTER at 1 Hidden Lane" {
			t.Fatalf("OpenShelters=%q, %v", got, err)
		}
		altered := bytes.Clone(sealed)
		altered[len(altered)-1] ^= 1
		if _, err := db.OpenShelters(ctx, altered); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("OpenShelters of an altered section: %v, want Invalid", err)
		}
		u, err := db.CreateUser(userAdd(context.Background()), haven.NewUser{Username: "seal.analyst", Role: haven.RoleAnalyst, Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := db.OpenShelters(actorCtx(u), sealed); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("an analyst opens the shelters: %v, want Forbidden", err)
		}
	})
}

// leaks reports whether d names the location id anywhere.
func leaks(d *haven.Directory, id string) bool {
	return slices.ContainsFunc(d.Locations, func(l haven.Location) bool { return l.ID == id }) ||
		slices.ContainsFunc(d.ServiceAtLocations, func(s haven.ServiceAtLocation) bool { return s.LocationID == id }) ||
		slices.ContainsFunc(d.Addresses, func(a haven.Address) bool { return a.LocationID == id }) ||
		slices.ContainsFunc(d.Phones, func(p haven.Phone) bool { return p.LocationID == id }) ||
		slices.ContainsFunc(d.Schedules, func(s haven.Schedule) bool { return s.LocationID == id }) ||
		slices.ContainsFunc(d.Languages, func(l haven.Language) bool { return l.LocationID == id }) ||
		slices.ContainsFunc(d.Contacts, func(c haven.DirectoryContact) bool { return c.LocationID == id }) ||
		slices.ContainsFunc(d.Accessibility, func(a haven.Accessibility) bool { return a.LocationID == id }) ||
		slices.ContainsFunc(d.Metadata, func(m haven.Metadata) bool { return m.ResourceID == id }) ||
		slices.ContainsFunc(d.Phones, func(p haven.Phone) bool { return p.Number == "555-0100" }) // the shelter contact's
}

func TestDirectoryServicesFilters(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		d := directory.GenerateDirectory(30, 3)
		d.Services[0].Name, d.Services[0].LastModified = "Zebra Legal Aid", "2031-01-02T03:04:05-05:00"
		if _, err := db.ImportDirectory(importing(ctx), d, nil); err != nil {
			t.Fatal(err)
		}
		legal, _ := haven.NeedByCode("legal")
		wantLegal := 0
		for _, a := range d.Attributes {
			if a.TaxonomyTermID == legal.TermID && a.LinkEntity == "service" {
				wantLegal++
			}
		}
		org := d.Services[1].OrganizationID
		wantOrg := 0
		for _, s := range d.Services {
			if s.OrganizationID == org {
				wantOrg++
			}
		}
		tests := []struct {
			name string
			f    haven.ServiceFilter
			want int
		}{
			{"all", haven.ServiceFilter{}, 30},
			{"search", haven.ServiceFilter{Search: "zEBRA"}, 1},
			{"search wildcard is literal", haven.ServiceFilter{Search: "%"}, 0},
			{"search words in any order", haven.ServiceFilter{Search: "legal ZEBRA"}, 1},
			{"search needs every word", haven.ServiceFilter{Search: "zebra pantry"}, 0},
			{"taxonomy", haven.ServiceFilter{TaxonomyID: haven.NeedsTaxonomy.ID}, 30},
			{"no such taxonomy", haven.ServiceFilter{TaxonomyID: "no-such"}, 0},
			{"organization", haven.ServiceFilter{OrganizationID: org}, wantOrg},
			{"taxonomy term", haven.ServiceFilter{TaxonomyTermID: legal.TermID}, wantLegal},
			{"modified after", haven.ServiceFilter{ModifiedAfter: time.Date(2031, 1, 2, 8, 4, 4, 0, time.UTC)}, 1},
			{"modified at the instant (on or after)", haven.ServiceFilter{ModifiedAfter: time.Date(2031, 1, 2, 8, 4, 5, 0, time.UTC)}, 1},
			{"modified after, later", haven.ServiceFilter{ModifiedAfter: time.Date(2031, 1, 2, 8, 4, 5, 1, time.UTC)}, 0},
		}
		for _, tt := range tests {
			tt.f.Limit = 7
			got, total, err := db.DirectoryServices(ctx, tt.f)
			if err != nil {
				t.Fatal(err)
			}
			if total != tt.want || len(got.Services) != min(tt.want, 7) {
				t.Errorf("%s: total=%d page=%d, want %d and %d", tt.name, total, len(got.Services), tt.want, min(tt.want, 7))
			}
			byName := func(a, b haven.Service) int { return cmp.Or(cmp.Compare(a.Name, b.Name), cmp.Compare(a.ID, b.ID)) }
			if !slices.IsSortedFunc(got.Services, byName) {
				t.Errorf("%s: page not in name order", tt.name)
			}
		}
	})
}

func TestDirectoryChanges(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		ectx := actorCtx(mustUser(t, db, "dir.editor", haven.RoleEditor))
		d := directory.GenerateDirectory(4, 5)
		if _, err := db.ImportDirectory(importing(ctx), d, nil); err != nil {
			t.Fatal(err)
		}
		v, ids, all, err := db.DirectoryChanges(ctx, 0)
		want := []string{d.Services[0].ID, d.Services[1].ID, d.Services[2].ID, d.Services[3].ID}
		slices.Sort(want)
		if err != nil || v != 1 || all || !slices.Equal(ids, want) {
			t.Errorf("changes after import: v=%d ids=%v all=%v err=%v, want 1 %v", v, ids, all, err, want)
		}
		loc := d.Locations[2]
		loc.Name = "Moved"
		if _, err := db.ImportDirectory(importing(ctx), &haven.Directory{Locations: []haven.Location{loc}}, nil); err != nil {
			t.Fatal(err)
		}
		if err := db.DeleteDirectoryService(ectx, d.Services[0].ID); err != nil {
			t.Fatal(err)
		}
		var atLoc []string
		for _, s := range d.ServiceAtLocations {
			if s.LocationID == loc.ID {
				atLoc = append(atLoc, s.ServiceID)
			}
		}
		want = append(atLoc, d.Services[0].ID)
		slices.Sort(want)
		v, ids, _, _ = db.DirectoryChanges(ctx, 1)
		if v != 3 || !slices.Equal(ids, slices.Compact(want)) {
			t.Errorf("changes since 1: v=%d ids=%v, want 3 %v", v, ids, want)
		}
		if v, ids, _, _ := db.DirectoryChanges(ctx, 3); v != 3 || ids != nil {
			t.Errorf("changes since 3: v=%d ids=%v, want none", v, ids)
		}
		if err := db.DeleteDirectoryService(ectx, d.Services[0].ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("delete twice: %v, want NotFound", err)
		}
	})
}

// TestDirectoryServicesOverlongSearchIsInvalid: a search of many kilobytes
// is refused as Invalid (400), not passed to the database (on SQLite, a
// LIKE pattern over 50,000 bytes fails, which surfaced as a 500).
func TestDirectoryServicesOverlongSearchIsInvalid(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		if _, err := db.ImportDirectory(haven.WithSystem(ctx, access.JobImportHSDS), directory.GenerateDirectory(3, 1), nil); err != nil {
			t.Fatal(err)
		}
		_, _, err := db.DirectoryServices(ctx, haven.ServiceFilter{Search: strings.Repeat("shelter ", 60<<10/8), Limit: 10})
		if haven.ErrorKind(err) != haven.Invalid || haven.ErrorFields(err)["search"] == "" {
			t.Errorf("60 KB search err=%v, want Invalid on the search field", err)
		}
		if _, _, err := db.DirectoryServices(ctx, haven.ServiceFilter{Search: strings.Repeat("x", haven.MaxSearchLength), Limit: 10}); err != nil {
			t.Errorf("search of %d characters err=%v, want ok", haven.MaxSearchLength, err)
		}
	})
}

// TestDirectoryEditIsModified: a save from Haven's editor stamps
// last_modified, so an HSDS consumer asking for changes since just before
// it sees the edit, within the same second too.
func TestDirectoryEditIsModified(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		d := directory.GenerateDirectory(3, 5)
		for i := range d.Services {
			d.Services[i].LastModified = "2020-01-01T00:00:00Z"
		}
		if _, err := db.ImportDirectory(importing(ctx), d, nil); err != nil {
			t.Fatal(err)
		}
		since := time.Now().UTC()
		edited := d.Services[1]
		edited.Name = "Edited in Haven"
		if err := db.SaveService(importing(ctx), edited); err != nil {
			t.Fatal(err)
		}
		got, total, err := db.DirectoryServices(ctx, haven.ServiceFilter{ModifiedAfter: since, Limit: 10})
		if err != nil || total != 1 || got.Services[0].ID != edited.ID {
			t.Fatalf("modified after the edit began: total=%d err=%v, want the edited service", total, err)
		}
		stamp, err := time.Parse(time.RFC3339Nano, got.Services[0].LastModified)
		if err != nil || stamp.Before(since) {
			t.Fatalf("last_modified=%q, want a time at or after %v", got.Services[0].LastModified, since)
		}
		for _, tt := range []struct {
			at   time.Time
			want int
		}{{stamp, 1}, {stamp.Add(time.Nanosecond), 0}, {time.Date(2020, 1, 1, 0, 0, 0, 0, time.UTC), 3}} {
			if _, n, _ := db.DirectoryServices(ctx, haven.ServiceFilter{ModifiedAfter: tt.at, Limit: 10}); n != tt.want {
				t.Errorf("modified_after %v: %d services, want %d", tt.at, n, tt.want)
			}
		}
	})
}
