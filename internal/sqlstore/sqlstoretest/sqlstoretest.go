// Package sqlstoretest is the store test harness: the same test bodies run
// on SQLite (a file in t.TempDir) and on PostgreSQL (a fresh schema per test
// on the server named by HAVEN_TEST_POSTGRES_DSN).
package sqlstoretest

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib"

	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/vault"
)

// DefaultPostgresDSN is used when HAVEN_TEST_POSTGRES_DSN is unset: the
// local server that the CI script starts.
const DefaultPostgresDSN = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// Engines lists the engines every store test runs on.
var Engines = []string{"sqlite", "postgres"}

// Run runs body once per engine, as subtests named after the engine, each
// with a freshly migrated store.
func Run(t *testing.T, body func(t *testing.T, db *Store)) {
	t.Helper()
	for _, engine := range Engines {
		t.Run(engine, func(t *testing.T) {
			body(t, MustOpen(t, engine))
		})
	}
}

// MustOpen returns a migrated store on engine, with a fresh random master
// key, that is closed (and, on
// PostgreSQL, dropped) when the test ends. A PostgreSQL test is skipped when
// no server answers, unless HAVEN_TEST_POSTGRES_REQUIRED=1.
func MustOpen(tb testing.TB, engine string) *Store {
	tb.Helper()
	dsn := DSN(tb, engine)
	db, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		tb.Fatalf("open %s: %v", engine, err)
	}
	tb.Cleanup(func() { db.Close() })
	keys, err := vault.NewKeyring(vault.NewDataKey())
	if err != nil {
		tb.Fatal(err)
	}
	db.Keys, db.Secrets = keys, keys
	if err := db.OpenKeyStore(context.Background(), KeysDSN(tb, engine, dsn)); err != nil {
		tb.Fatalf("open key store: %v", err)
	}
	if _, err := db.Migrate(context.Background()); err != nil {
		tb.Fatalf("migrate %s: %v", engine, err)
	}
	return NewStore(db)
}

// Store is a store with every domain service over it, so that a test body
// reaches any of them as db.Method. The store's own fields (Clock, Keys,
// Secrets) are reached through db.DB. Only tests use it: the program hands
// each surface the one service it needs.
type Store struct {
	*sqlstore.DB
	*sqlstore.AccountService
	*sqlstore.UserAdminService
	*sqlstore.TranslationService
	*sqlstore.SurvivorService
	*sqlstore.CareTeamService
	*sqlstore.TeamService
	*sqlstore.ScreeningService
	*sqlstore.EncounterService
	*sqlstore.CarePlanService
	*sqlstore.DirectoryService
	*sqlstore.BreakGlassService
	*sqlstore.AuditService
	*sqlstore.TaskService
	*sqlstore.ConsentService
	*sqlstore.ReferralService
	*sqlstore.APITokenAdminService
	*sqlstore.AuditTrailService
	*sqlstore.TrainingService
	*sqlstore.DisclosureService
	*sqlstore.SafeguardService
	*sqlstore.GapService
}

// NewStore returns db with every domain service over it.
func NewStore(db *sqlstore.DB) *Store {
	return &Store{DB: db,
		AccountService:       sqlstore.NewAccountService(db),
		SurvivorService:      sqlstore.NewSurvivorService(db),
		CareTeamService:      sqlstore.NewCareTeamService(db),
		TeamService:          sqlstore.NewTeamService(db),
		ScreeningService:     sqlstore.NewScreeningService(db),
		EncounterService:     sqlstore.NewEncounterService(db),
		CarePlanService:      sqlstore.NewCarePlanService(db),
		DirectoryService:     sqlstore.NewDirectoryService(db),
		BreakGlassService:    sqlstore.NewBreakGlassService(db),
		AuditService:         sqlstore.NewAuditService(db),
		TaskService:          sqlstore.NewTaskService(db),
		ConsentService:       sqlstore.NewConsentService(db),
		ReferralService:      sqlstore.NewReferralService(db),
		DisclosureService:    sqlstore.NewDisclosureService(db),
		SafeguardService:     sqlstore.NewSafeguardService(db),
		UserAdminService:     sqlstore.NewUserAdminService(db),
		TranslationService:   sqlstore.NewTranslationService(db),
		APITokenAdminService: sqlstore.NewAPITokenAdminService(db),
		AuditTrailService:    sqlstore.NewAuditTrailService(db),
		TrainingService:      sqlstore.NewTrainingService(db),
		GapService:           sqlstore.NewGapService(db, nil),
	}
}

// DSN returns a DSN for a new, empty database on engine: a file in a
// temporary directory, or a fresh PostgreSQL schema dropped at cleanup.
func DSN(tb testing.TB, engine string) string {
	tb.Helper()
	switch engine {
	case "sqlite":
		return "sqlite:" + filepath.Join(tb.TempDir(), "haven.db")
	case "postgres":
		return freshSchema(tb)
	}
	tb.Fatalf("unknown engine %q", engine)
	return ""
}

var schemaSeq atomic.Int64

// PostgresDSN is the server the PostgreSQL tests use:
// HAVEN_TEST_POSTGRES_DSN, or DefaultPostgresDSN when it is unset.
func PostgresDSN() string {
	if dsn := os.Getenv("HAVEN_TEST_POSTGRES_DSN"); dsn != "" {
		return dsn
	}
	return DefaultPostgresDSN
}

func freshSchema(tb testing.TB) string {
	tb.Helper()
	base := PostgresDSN()
	admin, err := sql.Open("pgx", base)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err = admin.PingContext(ctx)
		cancel()
	}
	if err != nil {
		if os.Getenv("HAVEN_TEST_POSTGRES_REQUIRED") == "1" {
			tb.Fatalf("PostgreSQL required but unreachable at HAVEN_TEST_POSTGRES_DSN: %v", err)
		}
		tb.Skipf("PostgreSQL not reachable (set HAVEN_TEST_POSTGRES_DSN): %v", err)
	}
	schema := fmt.Sprintf("haven_test_%d_%d", os.Getpid(), schemaSeq.Add(1))
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		tb.Fatalf("create schema: %v", err)
	}
	tb.Cleanup(func() {
		admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	return withSearchPath(base, schema)
}

func withSearchPath(dsn, schema string) string {
	u, err := url.Parse(dsn)
	if err != nil || !strings.HasPrefix(u.Scheme, "postgres") {
		return dsn
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// KeysDSN returns the key store for a test database: a second SQLite file
// beside it, or a second fresh PostgreSQL schema.
func KeysDSN(tb testing.TB, engine, dsn string) string {
	tb.Helper()
	if engine == "sqlite" {
		return strings.TrimSuffix(dsn, ".db") + "-keys.db"
	}
	return freshSchema(tb)
}
