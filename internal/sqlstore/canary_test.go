package sqlstore_test

import (
	"bytes"
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// canaries are the distinctive strings of canarySurvivor, one per
// identifying or sensitive field.
var canaries = []string{"CANARYNAME", "CANARYALIAS", "1999-04-03", "CANARYPHONE", "canaryemail", "CANARYADDRESS",
	"CANARYIMMIGRATION", "CANARYNOTES", "CANARYCULTURE", "CANARYFAITH", "CANARYTIMES", "CANARYVOICEMAIL", "CANARYCODEWORD",
	"CANARYDIALECT", "CANARYCONSENTNOTE", "CANARYREFERRALNOTE", "CANARYSTATUSNOTE", "CANARYGOAL", "CANARYPRIORITY", "CANARYNEEDNOTE"}

// seedCanaryCase writes canary values into every free-text field of a
// survivor's case beyond the record itself.
func seedCanaryCase(t *testing.T, db *sqlstoretest.Store, ctx context.Context, survivorID string) {
	t.Helper()
	org := consentOrg(t, db)
	if _, err := db.RecordConsent(ctx, survivorID, haven.NewConsent{RecipientKind: haven.RecipientOrganization, Recipient: org,
		Purpose: haven.PurposeReferral, Method: haven.ConsentVerbal, Language: "es", Note: "CANARYCONSENTNOTE"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Consents(ctx, survivorID); err != nil {
		t.Fatal(err)
	}
	// A referral by hand (the organization has no Haven users), with a
	// message and a note on a change of status.
	d := &haven.Directory{Services: []haven.Service{{ID: "svc-canary", OrganizationID: org, Name: "Canary service", Status: "active"}}}
	if _, err := db.ImportDirectory(haven.WithSystem(context.Background(), access.JobImportHSDS), d, nil); err != nil {
		t.Fatal(err)
	}
	c, err := db.RecordConsent(ctx, survivorID, haven.NewConsent{RecipientKind: haven.RecipientOrganization, Recipient: org,
		Purpose: haven.PurposeReferral, Method: haven.ConsentVerbal, Language: "es"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := db.CreateReferral(ctx, survivorID, haven.NewReferral{ServiceID: "svc-canary", ConsentID: c.ID, Note: "CANARYREFERRALNOTE"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.MoveReferral(ctx, r.ID, haven.StatusChange{Status: haven.ReferralAccepted, Note: "CANARYSTATUSNOTE"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Referrals(ctx, survivorID); err != nil {
		t.Fatal(err)
	}
}

func findCanaries(where string, b []byte) []string {
	var found []string
	for _, c := range canaries {
		if bytes.Contains(b, []byte(c)) || bytes.Contains(bytes.ToLower(b), bytes.ToLower([]byte(c))) {
			found = append(found, where+": "+c)
		}
	}
	return found
}

// TestCanaryNotOnDiskSQLite writes canary values into every identifying
// and sensitive field and looks for them in the database file, its WAL,
// the key store and a backup copy.
func TestCanaryNotOnDiskSQLite(t *testing.T) {
	dir := t.TempDir()
	dsn := "sqlite:" + filepath.Join(dir, "haven.db")
	db := openWithKeys(t, dsn, "sqlite:"+filepath.Join(dir, "keys.db"))
	adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
	s, _, err := db.CreateSurvivor(actorCtx(adv), canarySurvivor())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateSurvivor(actorCtx(adv), s.ID, canarySurvivor()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Survivor(actorCtx(adv), s.ID); err != nil {
		t.Fatal(err)
	}
	seedCanaryCase(t, db, actorCtx(adv), s.ID)
	addCanaryNeed(t, db, adv, s.ID)
	backup := filepath.Join(dir, "backup.db")
	if _, err := db.SQL().Exec(`VACUUM INTO '` + backup + `'`); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	var found []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		found = append(found, findCanaries(filepath.Base(f), b)...)
	}
	if !slicesHasWAL(files) {
		t.Errorf("no WAL file among %v: the test would not look at one", files)
	}
	for _, f := range found {
		t.Errorf("canary in plaintext: %s", f)
	}
}

// addCanaryNeed puts canaries in a need's goal, priority and history
// note, edits them (a second sealing of each) and reads the plan.
func addCanaryNeed(t *testing.T, db *sqlstoretest.Store, adv *haven.User, survivorID string) {
	t.Helper()
	ctx := actorCtx(adv)
	n, err := db.AddNeed(ctx, haven.NewNeed{SurvivorID: survivorID, Domain: "housing", Goal: "CANARYGOAL", Priority: "CANARYPRIORITY"})
	if err != nil {
		t.Fatal(err)
	}
	goal, declined := "CANARYGOAL again", haven.NeedDeclined
	if _, err := db.UpdateNeed(ctx, n.ID, haven.NeedUpdate{Goal: &goal, Status: &declined, Note: "CANARYNEEDNOTE"}); err != nil {
		t.Fatal(err)
	}
	if _, err := db.CarePlan(ctx, survivorID); err != nil {
		t.Fatal(err)
	}
}

func slicesHasWAL(files []string) bool {
	for _, f := range files {
		if strings.HasSuffix(f, "-wal") {
			return true
		}
	}
	return false
}

func openWithKeys(t *testing.T, dsn, keysDSN string) *sqlstoretest.Store {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	other := sqlstoretest.MustOpen(t, "sqlite") // borrow a keyring of the harness
	db.Keys, db.Secrets = other.DB.Keys, other.DB.Secrets
	if err := db.OpenKeyStore(context.Background(), keysDSN); err != nil {
		t.Fatal(err)
	}
	return sqlstoretest.NewStore(db)
}

type queryer interface {
	Query(string, ...any) (*sql.Rows, error)
}

// TestCanaryNotInPostgresRows reads every stored row of every table back
// as text and looks for the canaries.
func TestCanaryNotInPostgresRows(t *testing.T) {
	db := sqlstoretest.MustOpen(t, "postgres")
	adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
	s, _, err := db.CreateSurvivor(actorCtx(adv), canarySurvivor())
	if err != nil {
		t.Fatal(err)
	}
	db.Survivor(actorCtx(adv), s.ID)
	seedCanaryCase(t, db, actorCtx(adv), s.ID)
	addCanaryNeed(t, db, adv, s.ID)
	var found []string
	for name, handle := range map[string]queryer{"data": db.SQL(), "keys": db.KeyStoreSQL()} {
		rows, err := handle.Query(`SELECT table_name FROM information_schema.tables WHERE table_schema = current_schema()`)
		if err != nil {
			t.Fatal(err)
		}
		var tables []string
		for rows.Next() {
			var tn string
			rows.Scan(&tn)
			tables = append(tables, tn)
		}
		rows.Close()
		if len(tables) == 0 {
			t.Fatalf("%s: no tables found", name)
		}
		for _, tn := range tables {
			r, err := handle.Query(`SELECT t::text FROM ` + tn + ` t`)
			if err != nil {
				t.Fatal(err)
			}
			for r.Next() {
				var row string
				r.Scan(&row)
				found = append(found, findCanaries(name+"."+tn, []byte(row))...)
			}
			r.Close()
		}
	}
	for _, f := range found {
		t.Errorf("canary in plaintext: %s", f)
	}
}

// TestCryptoShredding copies a survivor's rows aside (a backup), deletes
// the survivor, restores the copy, and finds it cannot be read.
func TestCryptoShredding(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		sup := mustUser(t, db, "supervisor", haven.RoleSupervisor)
		s, _, err := db.CreateSurvivor(actorCtx(sup), canarySurvivor())
		if err != nil {
			t.Fatal(err)
		}
		for _, q := range []string{`CREATE TABLE backup_survivors AS SELECT * FROM survivors`,
			`CREATE TABLE backup_care_team AS SELECT * FROM care_team`} {
			if _, err := db.SQL().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		if err := db.DeleteSurvivor(actorCtx(sup), s.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Survivor(actorCtx(sup), s.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Fatalf("deleted survivor err=%v, want NotFound", err)
		}
		for _, q := range []string{`INSERT INTO survivors SELECT * FROM backup_survivors`, `INSERT INTO care_team SELECT * FROM backup_care_team`} {
			if _, err := db.SQL().ExecContext(ctx, q); err != nil {
				t.Fatal(err)
			}
		}
		got, err := db.Survivor(actorCtx(sup), s.ID)
		if err == nil {
			t.Fatalf("restored copy decrypted: %+v", got)
		}
		if list, _ := db.Survivors(actorCtx(sup)); len(list) != 1 {
			t.Errorf("the restored row is there (%d listed), yet unreadable: as intended", len(list))
		}
	})
}

// TestMigrateSealsClearDialects: a record written before dialects were
// sealed holds its dialect in the clear languages column; migrating seals
// it under the survivor's key, keeps it readable, and (SQLite) leaves it
// in no file of the database, not even a free page or the WAL.
func TestMigrateSealsClearDialects(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
		s, _, err := db.CreateSurvivor(actorCtx(adv), canarySurvivor())
		if err != nil {
			t.Fatal(err)
		}
		const legacy = `[{"code":"es","dialect":"CANARYDIALECT legacy","interpreter":true},{"code":"mam"}]`
		if _, err := db.SQL().Exec(`UPDATE survivors SET languages = $1, language_dialects_enc = NULL WHERE id = $2`, legacy, s.ID); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Migrate(ctx); err != nil {
			t.Fatal(err)
		}
		var langs string
		var sealed []byte
		if err := db.SQL().QueryRow(`SELECT languages, language_dialects_enc FROM survivors WHERE id = $1`, s.ID).Scan(&langs, &sealed); err != nil {
			t.Fatal(err)
		}
		if strings.Contains(langs, "CANARYDIALECT") || len(sealed) == 0 || len(findCanaries("sealed", sealed)) > 0 {
			t.Errorf("after migrating: languages=%s, sealed %d bytes; want the dialect sealed", langs, len(sealed))
		}
		got, err := db.Survivor(actorCtx(adv), s.ID)
		want := []haven.LanguagePreference{{Code: "es", Dialect: "CANARYDIALECT legacy", Interpreter: true}, {Code: "mam"}}
		if err != nil || len(got.Languages) != 2 || got.Languages[0] != want[0] || got.Languages[1] != want[1] {
			t.Errorf("read after migrating: %+v, %v; want %+v", got, err, want)
		}
	})
}

func TestMigrateSealsClearDialectsOnDisk(t *testing.T) {
	dir := t.TempDir()
	db := openWithKeys(t, "sqlite:"+filepath.Join(dir, "haven.db"), "sqlite:"+filepath.Join(dir, "keys.db"))
	adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
	s, _, err := db.CreateSurvivor(actorCtx(adv), canarySurvivor())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.SQL().Exec(`UPDATE survivors SET languages = '[{"code":"es","dialect":"CANARYDIALECT legacy"}]', language_dialects_enc = NULL WHERE id = $1`, s.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob(filepath.Join(dir, "*"))
	for _, f := range files {
		b, _ := os.ReadFile(f)
		for _, c := range findCanaries(filepath.Base(f), b) {
			t.Errorf("canary in plaintext after migrating: %s", c)
		}
	}
}
