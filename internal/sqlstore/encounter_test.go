package sqlstore_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// encounterCase is a record on the care team of an advocate and a
// clinician, with a screening that suggests T76.61XA (labor) and one the
// safety checklist stopped.
type encounterCase struct {
	adv, nurse      *haven.User
	survivor        *haven.Survivor
	screened, other string
}

func newEncounterCase(t *testing.T, db *sqlstoretest.Store) encounterCase {
	t.Helper()
	db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
	c := encounterCase{adv: mustUser(t, db, "advocate", haven.RoleAdvocate), nurse: mustUser(t, db, "nurse", haven.RoleClinician)}
	var err error
	if c.survivor, _, err = db.CreateSurvivor(actorCtx(c.adv), haven.NewSurvivor{Name: "Synthetic Encounter"}); err != nil {
		t.Fatal(err)
	}
	if err := db.AddCareTeamMember(actorCtx(c.adv), c.survivor.ID, c.nurse.ID); err != nil {
		t.Fatal(err)
	}
	sc, err := db.CreateScreening(actorCtx(c.nurse), haven.NewScreening{SurvivorID: c.survivor.ID, Response: rapidResponse(c.survivor.ID, "r-papers")})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(sc.Result.Codes, func(c haven.ScreeningCode) bool { return c.Code == "T76.61XA" }) {
		t.Fatalf("screening suggests %v, want T76.61XA", sc.Result.Codes)
	}
	c.screened = sc.ID
	other, _, err := db.CreateSurvivor(actorCtx(c.nurse), haven.NewSurvivor{Name: "Synthetic Other"})
	if err != nil {
		t.Fatal(err)
	}
	osc, err := db.CreateScreening(actorCtx(c.nurse), haven.NewScreening{SurvivorID: other.ID, Response: rapidResponse(other.ID, "r-sex")})
	if err != nil {
		t.Fatal(err)
	}
	c.other = osc.ID
	return c
}

func TestEncounterRoundTrip(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		c := newEncounterCase(t, db)
		first, err := db.AddEncounter(actorCtx(c.adv), haven.NewEncounter{SurvivorID: c.survivor.ID, OccurredOn: "2026-04-20",
			Note: "Synthetic first visit."})
		if err != nil {
			t.Fatal(err)
		}
		coded, err := db.AddEncounter(actorCtx(c.nurse), haven.NewEncounter{SurvivorID: c.survivor.ID, OccurredOn: "2026-05-01",
			ScreeningID: c.screened, Note: "Synthetic follow-up.", Codes: []string{"t76.61xd"}})
		if err != nil {
			t.Fatalf("%v %v", err, haven.ErrorFields(err))
		}
		got, err := db.Encounters(actorCtx(c.adv), c.survivor.ID)
		if err != nil {
			t.Fatal(err)
		}
		want := []haven.Encounter{
			{ID: coded.ID, SurvivorID: c.survivor.ID, AuthorID: c.nurse.ID, AuthorName: "nurse", OccurredOn: "2026-05-01",
				ScreeningID: c.screened, Note: "Synthetic follow-up.", CreatedAt: coded.CreatedAt,
				Codes: []haven.EncounterCode{{Code: "T76.61XD", Display: "Adult forced labor exploitation, suspected, subsequent encounter"}}},
			{ID: first.ID, SurvivorID: c.survivor.ID, AuthorID: c.adv.ID, AuthorName: "advocate", OccurredOn: "2026-04-20",
				Note: "Synthetic first visit.", CreatedAt: first.CreatedAt},
		}
		if diff := cmp.Diff(want, got); diff != "" {
			t.Errorf("Encounters (-want +got):\n%s", diff)
		}
		if diff := cmp.Diff(want[0].Codes, coded.Codes); diff != "" {
			t.Errorf("AddEncounter codes (-want +got):\n%s", diff)
		}
		acts := auditActions(t, db)
		if n := len(acts); n < 3 || !slices.Equal(acts[n-3:], []string{"encounter.create", "encounter.create", "encounter.list"}) {
			t.Errorf("audit log ends %q, want two encounter.create and encounter.list", acts)
		}
		assertAuditHasNoText(t, db, "Synthetic")
	})
}

// assertAuditHasNoText fails if any audit entry holds text.
func assertAuditHasNoText(t *testing.T, db *sqlstoretest.Store, text string) {
	t.Helper()
	size, _ := db.AuditSize(context.Background())
	entries, err := db.AuditEntries(context.Background(), 0, size)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Reason+e.ObjectID+e.ObjectType, text) {
			t.Errorf("audit entry %s holds %q: %+v", e.Action, text, e)
		}
	}
}

func TestEncounterRefusesBadInput(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		c := newEncounterCase(t, db)
		ok := haven.NewEncounter{SurvivorID: c.survivor.ID, OccurredOn: "2026-05-01", ScreeningID: c.screened, Note: "Synthetic."}
		tests := []struct {
			name   string
			change func(*haven.NewEncounter)
			actor  *haven.User
			kind   haven.Kind
			field  string
		}{
			{"code not suggested", func(ne *haven.NewEncounter) { ne.Codes = []string{"T76.51XA"} }, c.nurse, haven.Invalid, "codes"},
			{"confirmed not suggested", func(ne *haven.NewEncounter) { ne.Codes = []string{"T74.61XA"} }, c.nurse, haven.Invalid, "codes"},
			{"no 7th character", func(ne *haven.NewEncounter) { ne.Codes = []string{"T76.61X"} }, c.nurse, haven.Invalid, "codes"},
			{"bad 7th character", func(ne *haven.NewEncounter) { ne.Codes = []string{"T76.61XQ"} }, c.nurse, haven.Invalid, "codes"},
			{"code twice", func(ne *haven.NewEncounter) { ne.Codes = []string{"T76.61XA", "T76.61XD"} }, c.nurse, haven.Invalid, "codes"},
			{"codes without screening", func(ne *haven.NewEncounter) { ne.ScreeningID, ne.Codes = "", []string{"T76.61XA"} }, c.nurse, haven.Invalid, "codes"},
			{"another survivor's screening", func(ne *haven.NewEncounter) { ne.ScreeningID, ne.Codes = c.other, []string{"T76.51XA"} }, c.nurse, haven.Invalid, "screening_id"},
			{"no such screening", func(ne *haven.NewEncounter) { ne.ScreeningID = "no-such" }, c.nurse, haven.Invalid, "screening_id"},
			{"advocate adds codes", func(ne *haven.NewEncounter) { ne.Codes = []string{"T76.61XA"} }, c.adv, haven.Forbidden, ""},
			{"future date", func(ne *haven.NewEncounter) { ne.OccurredOn = "2026-05-03" }, c.nurse, haven.Invalid, "occurred_on"},
			{"absurd date", func(ne *haven.NewEncounter) { ne.OccurredOn = "1926-05-01" }, c.nurse, haven.Invalid, "occurred_on"},
			{"not a date", func(ne *haven.NewEncounter) { ne.OccurredOn = "01/05/2026" }, c.nurse, haven.Invalid, "occurred_on"},
			{"empty note", func(ne *haven.NewEncounter) { ne.Note = "  " }, c.nurse, haven.Invalid, "note"},
			{"over-long note", func(ne *haven.NewEncounter) { ne.Note = strings.Repeat("x", haven.MaxEncounterNote+1) }, c.nurse, haven.Invalid, "note"},
		}
		for _, tt := range tests {
			ne := ok
			ne.Codes = nil
			tt.change(&ne)
			_, err := db.AddEncounter(actorCtx(tt.actor), ne)
			if haven.ErrorKind(err) != tt.kind || tt.field != "" && haven.ErrorFields(err)[tt.field] == "" {
				t.Errorf("%s: err=%v fields=%v, want %s on %q", tt.name, err, haven.ErrorFields(err), tt.kind, tt.field)
			}
		}
		// Tomorrow in UTC is still today east of it: allowed.
		ne := ok
		ne.OccurredOn = "2026-05-01"
		if _, err := db.AddEncounter(actorCtx(c.nurse), ne); err != nil {
			t.Errorf("today: %v", err)
		}
		if list, _ := db.Encounters(actorCtx(c.nurse), c.survivor.ID); len(list) != 1 {
			t.Errorf("%d encounters stored, want only the valid one", len(list))
		}
	})
}

func TestEncounterAccess(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		c := newEncounterCase(t, db)
		if _, err := db.AddEncounter(actorCtx(c.nurse), haven.NewEncounter{SurvivorID: c.survivor.ID, OccurredOn: "2026-05-01",
			Note: "CANARYENCOUNTERACCESS"}); err != nil {
			t.Fatal(err)
		}
		outsider := mustUser(t, db, "outsider", haven.RoleClinician)
		analyst := mustUser(t, db, "analyst", haven.RoleAnalyst)
		admin := mustUser(t, db, "admin", haven.RoleAdmin)
		partner := haven.WithActor(context.Background(), haven.Actor{UserID: "partner-user", Role: haven.RolePartner})
		add := haven.NewEncounter{SurvivorID: c.survivor.ID, OccurredOn: "2026-05-01", Note: "Synthetic intrusion."}
		for name, ctx := range map[string]context.Context{"outsider clinician": actorCtx(outsider), "analyst": actorCtx(analyst),
			"admin not on team": actorCtx(admin), "partner": partner} {
			if list, err := db.Encounters(ctx, c.survivor.ID); haven.ErrorKind(err) != haven.NotFound || list != nil {
				t.Errorf("%s reads: %v, %d encounters; want NotFound and nothing", name, err, len(list))
			}
			if _, err := db.AddEncounter(ctx, add); haven.ErrorKind(err) != haven.NotFound {
				t.Errorf("%s adds: %v, want NotFound", name, err)
			}
			if list, err := db.Contacts(ctx, c.survivor.ID); haven.ErrorKind(err) != haven.NotFound || list != nil {
				t.Errorf("%s reads contacts: %v; want NotFound", name, err)
			}
		}
		if _, err := db.Encounters(context.Background(), c.survivor.ID); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("no actor: %v, want Unauthenticated", err)
		}
		// Emergency access reads, audited as such, and writes nothing.
		if _, err := db.BreakGlass(actorCtx(outsider), c.survivor.ID, "Emergency department needs the history now"); err != nil {
			t.Fatal(err)
		}
		list, err := db.Encounters(actorCtx(outsider), c.survivor.ID)
		if err != nil || len(list) != 1 || list[0].Note != "CANARYENCOUNTERACCESS" {
			t.Errorf("break-glass read: %v, %+v; want the encounter", err, list)
		}
		if got := lastEntry(t, db); got != "encounter.list emergency access success" {
			t.Errorf("break-glass read audited as %q", got)
		}
		if _, err := db.AddEncounter(actorCtx(outsider), add); err == nil {
			t.Error("break-glass add succeeded, want it refused")
		}
		if got := lastEntry(t, db); got != "encounter.create break_glass_read_only denied" {
			t.Errorf("break-glass add audited as %q", got)
		}
		if list, _ := db.Encounters(actorCtx(c.nurse), c.survivor.ID); len(list) != 1 {
			t.Errorf("%d encounters after refused adds, want 1", len(list))
		}
	})
}

// lastEntry is "action reason outcome" of the newest audit entry.
func lastEntry(t *testing.T, db *sqlstoretest.Store) string {
	t.Helper()
	size, _ := db.AuditSize(context.Background())
	entries, err := db.AuditEntries(context.Background(), size-1, size)
	if err != nil || len(entries) != 1 {
		t.Fatalf("last audit entry: %v", err)
	}
	e := entries[0]
	return e.Action + " " + e.Reason + " " + e.Outcome
}

// TestEncountersAreAppendOnly: the store has no way to change or remove
// an encounter, and the only row an encounter writes is its own.
func TestEncountersAreAppendOnly(t *testing.T) {
	for _, typ := range storeTypes {
		for i := range typ.NumMethod() {
			name := typ.Method(i).Name
			if strings.Contains(name, "Encounter") && !slices.Contains([]string{"AddEncounter", "Encounters"}, name) {
				t.Errorf("(%s).%s: encounters are signed notes, append-only", typ, name)
			}
		}
	}
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		c := newEncounterCase(t, db)
		ne := haven.NewEncounter{SurvivorID: c.survivor.ID, OccurredOn: "2026-05-01", Note: "Synthetic signed."}
		a, err := db.AddEncounter(actorCtx(c.nurse), ne)
		if err != nil {
			t.Fatal(err)
		}
		ne.Note = "Synthetic correction."
		b, err := db.AddEncounter(actorCtx(c.nurse), ne)
		if err != nil {
			t.Fatal(err)
		}
		list, _ := db.Encounters(actorCtx(c.nurse), c.survivor.ID)
		if len(list) != 2 || list[0].ID != b.ID || list[1].ID != a.ID || list[1].Note != "Synthetic signed." {
			t.Errorf("after a correction: %+v, want both, the correction first and the first note unchanged", list)
		}
	})
}
