package sqlstore_test

import (
	"context"
	"slices"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/demo"
	"github.com/haven-care/haven/internal/directory"
	"github.com/haven-care/haven/internal/gap"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// loadCaseload fills db with a synthetic caseload of n survivors led by
// an advocate, and returns the analyst's context and a gap service that
// matches supply against the demo directory around Austin.
func loadCaseload(t *testing.T, db *sqlstoretest.Store, n int) (context.Context, *sqlstore.GapService, *haven.User) {
	t.Helper()
	lead := mustUser(t, db, "case.lead", haven.RoleAdvocate)
	analyst := mustUser(t, db, "the.analyst", haven.RoleAnalyst)
	if err := db.LoadCaseload(haven.WithSystem(context.Background(), access.JobDemo), demo.Caseload(n, 1), lead.ID, nil); err != nil {
		t.Fatalf("LoadCaseload: %v", err)
	}
	var sites []directory.Site
	if err := directory.GenerateAround(demo.Clinic.City, demo.DirectoryServices, 1, func(s directory.Site) { sites = append(sites, s) }); err != nil {
		t.Fatal(err)
	}
	return actorCtx(analyst), sqlstore.NewGapService(db.DB, directory.New(sites)), lead
}

// cell returns the published count of row/category, failing when it is
// suppressed or absent.
func cell(t *testing.T, tab *haven.GapTable, row, category string) int {
	t.Helper()
	j := slices.Index(tab.Categories, category)
	for _, r := range tab.Rows {
		if r.Value == row && j >= 0 {
			n, ok := r.Cells[j].Count()
			if !ok {
				t.Fatalf("%s by %s: %s/%s is suppressed", tab.Population, tab.By, row, category)
			}
			return n
		}
	}
	t.Fatalf("%s by %s: no cell %s/%s in %v", tab.Population, tab.By, row, category, tab.Categories)
	return 0
}

func share(t *testing.T, tab *haven.GapTable, row, category string) float64 {
	t.Helper()
	for _, r := range tab.Rows {
		if r.Value == row {
			n, ok := r.Total.Count()
			if !ok || n == 0 {
				t.Fatalf("%s by %s: %s's total is suppressed", tab.Population, tab.By, row)
			}
			return float64(cell(t, tab, row, category)) / float64(n)
		}
	}
	t.Fatalf("no row %s", row)
	return 0
}

// TestGapReportsFindTheBuiltInGaps loads the synthetic caseload and has
// the analyst's tables find each gap it was built with.
func TestGapReportsFindTheBuiltInGaps(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx, gs, _ := loadCaseload(t, db, 1200)
		table := func(pop, by string) *haven.GapTable {
			tab, err := gs.GapTable(ctx, pop, by)
			if err != nil {
				t.Fatalf("GapTable(%s, %s): %v", pop, by, err)
			}
			if tab.Withheld {
				t.Fatalf("GapTable(%s, %s) withheld", pop, by)
			}
			return tab
		}
		// Mam speakers' needs are met far less often, and their referrals
		// fail for a language mismatch.
		needs := table(haven.PopulationNeeds, gap.DimLanguage)
		if mam, es := share(t, needs, demo.GapLanguage, "met"), share(t, needs, "es", "met"); mam > es/2 {
			t.Errorf("needs met: mam %.2f, es %.2f; want mam's under half", mam, es)
		}
		refs := table(haven.PopulationReferrals, gap.DimLanguage)
		if n := cell(t, refs, demo.GapLanguage, string(haven.ReasonLanguageMismatch)); n < 50 {
			t.Errorf("mam referrals failed for language: %d, want the most of them", n)
		}
		// Representation: Mam speakers are under-represented among the served.
		shares := gap.Representation(*table(haven.PopulationSurvivors, gap.DimLanguage), nil)
		i := slices.IndexFunc(shares, func(s gap.Share) bool { return s.Group == demo.GapLanguage })
		if i < 0 || shares[i].ServedGap != "under" {
			t.Errorf("representation of mam: %+v, want flagged under", shares)
		}
		// El Paso waits longer for a first service.
		byArea := table(haven.PopulationReferrals, gap.DimArea)
		soon, late := cell(t, byArea, demo.GapArea, gap.CompletedSoon), cell(t, byArea, demo.GapArea, gap.CompletedLate)
		if share := float64(late) / float64(soon+late); share < 0.3 {
			t.Errorf("El Paso's completed referrals served after 30 days: %.2f, want over 0.3", share)
		}
		austinSoon := cell(t, byArea, "Austin", gap.CompletedSoon)
		j := slices.Index(byArea.Categories, gap.CompletedLate)
		for _, r := range byArea.Rows {
			if n, ok := r.Cells[j].Count(); ok && r.Value == "Austin" && float64(n) > 0.1*float64(austinSoon+n) {
				t.Errorf("Austin's completed referrals served after 30 days: %d of %d", n, austinSoon+n)
			}
		}
		// Men's shelter and housing referrals are refused as ineligible.
		byGender := table(haven.PopulationReferrals, gap.DimGender)
		if m, f := share(t, byGender, "male", string(haven.ReasonIneligible)), share(t, byGender, "female", string(haven.ReasonIneligible)); m < 2*f {
			t.Errorf("ineligible share: male %.2f, female %.2f", m, f)
		}
		// Supply: no service offers Mam, and nothing is near El Paso.
		supply := table(haven.PopulationSupply, gap.DimLanguage)
		if cell(t, supply, demo.GapLanguage, gap.NoLanguage) == 0 {
			t.Errorf("supply by language: no Mam need found without a service in Mam: %+v", supply.Rows)
		}
		supplyArea := table(haven.PopulationSupply, gap.DimArea)
		if n := cell(t, supplyArea, demo.GapArea, gap.NoService); n == 0 {
			t.Errorf("supply by area: El Paso's needs all found a service: %+v", supplyArea.Rows)
		}
		if n := cell(t, supplyArea, demo.GapArea, gap.Within10); n != 0 {
			t.Errorf("supply by area: %d El Paso needs matched within 10 km of a directory around Austin", n)
		}
		// Screening programme: accuracy from the confirmed outcomes.
		overall, _ := gap.Accuracy(*table(haven.PopulationOutcomes, gap.DimInstrument))
		if overall == nil || overall.Sensitivity.Estimate < 0.5 || overall.Specificity.Estimate < 0.5 {
			t.Errorf("screening accuracy %+v, want both above 0.5", overall)
		}
		levels := table(haven.PopulationScreenings, gap.DimInstrument)
		if total, _ := levels.Total.Count(); total != 1200 {
			t.Errorf("screenings counted %d, want 1200", total)
		}
	})
}

// TestGapTablesPublishOnlyAggregates asks every table of every population
// and checks that no published count is under 11, that every table of a
// population agrees on the grand total, and that only analytics readers
// may ask.
func TestGapTablesPublishOnlyAggregates(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx, gs, lead := loadCaseload(t, db, 300)
		for _, pop := range haven.GapPopulations {
			total := -1
			for _, by := range gap.Dims[pop] {
				tab, err := gs.GapTable(ctx, pop, by)
				if err != nil {
					t.Fatalf("GapTable(%s, %s): %v", pop, by, err)
				}
				if tab.Withheld {
					continue
				}
				for _, r := range tab.Rows {
					for _, c := range append(slices.Clone(r.Cells), r.Total) {
						if n, ok := c.Count(); ok && n > 0 && n < haven.GapThreshold {
							t.Errorf("%s by %s: row %s publishes %d", pop, by, r.Value, n)
						}
					}
				}
				n, _ := tab.Total.Count()
				if total >= 0 && n != total {
					t.Errorf("%s by %s: grand total %d, another table says %d", pop, by, n, total)
				}
				total = n
			}
		}
		if _, err := gs.GapTable(actorCtx(lead), haven.PopulationNeeds, gap.DimDomain); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("an advocate's GapTable: err=%v, want Forbidden", err)
		}
		for _, bad := range [][2]string{{"people", "domain"}, {haven.PopulationNeeds, "name"}, {haven.PopulationSurvivors, "domain"}} {
			if _, err := gs.GapTable(ctx, bad[0], bad[1]); haven.ErrorKind(err) != haven.Invalid {
				t.Errorf("GapTable(%q, %q): err=%v, want Invalid", bad[0], bad[1], err)
			}
		}
	})
}

// TestAnalystReachesNoRecord has the analyst ask the store for every
// kind of record of the synthetic caseload: every answer is a refusal.
func TestAnalystReachesNoRecord(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx, _, lead := loadCaseload(t, db, 20)
		list, err := db.Survivors(actorCtx(lead))
		if err != nil || len(list) == 0 {
			t.Fatalf("the lead's survivors: %v, %v", list, err)
		}
		id := list[0].ID
		if got, err := db.Survivors(ctx); err == nil && len(got) > 0 {
			t.Errorf("the analyst lists %d survivors", len(got))
		}
		calls := map[string]func() error{
			"Survivor":    func() error { _, err := db.Survivor(ctx, id); return err },
			"Screenings":  func() error { _, err := db.Screenings(ctx, id); return err },
			"CarePlan":    func() error { _, err := db.CarePlan(ctx, id); return err },
			"Referrals":   func() error { _, err := db.Referrals(ctx, id); return err },
			"Consents":    func() error { _, err := db.Consents(ctx, id); return err },
			"Tasks":       func() error { _, err := db.Tasks(ctx, id); return err },
			"Encounters":  func() error { _, err := db.Encounters(ctx, id); return err },
			"Contacts":    func() error { _, err := db.Contacts(ctx, id); return err },
			"CareTeam":    func() error { _, err := db.CareTeam(ctx, id); return err },
			"Outcome":     func() error { return db.RecordScreeningOutcome(ctx, "none", haven.OutcomeConfirmed) },
			"Inbox":       func() error { _, err := db.Inbox(ctx); return err },
			"Caseload":    func() error { _, err := db.Caseload(ctx, "2026-06-30"); return err },
			"SearchAudit": func() error { _, err := db.SearchAudit(ctx, haven.AuditQuery{}); return err },
		}
		for name, call := range calls {
			if err := call(); err == nil {
				t.Errorf("the analyst's %s succeeded", name)
			}
		}
	})
}
