package web_test

import (
	"context"
	"crypto/aes"
	"crypto/cipher"
	"crypto/rand"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/directory/live"
	"github.com/haven-care/haven/internal/fhir"
	"github.com/haven-care/haven/internal/server"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
	"github.com/haven-care/haven/internal/web"
)

const testPassword = "a long pass phrase for tests"

// env is a real Haven web server on 127.0.0.1 over a real SQLite store,
// plus a local "neutral" site that quick exit lands on.
type env struct {
	db      *sqlstoretest.Store
	srv     *httptest.Server
	neutral *httptest.Server
	handler *web.Handler
	// secret is the TOTP secret of the "admin" account.
	secret   string
	lastStep int64
}

// newEnv starts the server with three accounts: "admin" (with TOTP),
// "advocate" and "nurse" (without).
func newEnv(tb testing.TB, demo bool) *env {
	tb.Helper()
	return newEnvWith(tb, demo, nil)
}

// newEnvWith is newEnv with the web configuration changed by configure.
func newEnvWith(tb testing.TB, demo bool, configure func(*web.Config)) *env {
	tb.Helper()
	return newEnvOn(tb, "sqlite", demo, configure)
}

// newEnvOn is newEnvWith over a store on engine ("sqlite" or "postgres").
func newEnvOn(tb testing.TB, engine string, demo bool, configure func(*web.Config)) *env {
	tb.Helper()
	e := &env{db: sqlstoretest.MustOpen(tb, engine)}
	e.db.DB.Secrets = newGCMBox()
	e.neutral = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		io.WriteString(w, `<!doctype html><html lang="en"><title>Weather</title><main><h1>Weather forecast</h1></main></html>`)
	}))
	tb.Cleanup(e.neutral.Close)
	idx, err := live.Build(haven.WithSystem(context.Background(), access.JobDirectoryIndex), e.db)
	if err != nil {
		tb.Fatal(err)
	}
	cfg := web.Config{Auth: e.db, MFA: e.db, BreakGlass: e.db, Users: e.db, UserAdmin: e.db, Passwords: e.db, Translations: e.db, Directory: idx, DirectoryRecords: e.db, Survivors: e.db, Duplicates: e.db, CareTeams: e.db, Teams: e.db, CarePlans: e.db, Consents: e.db, AuditTrail: e.db, Training: e.db, Tokens: e.db, TokenAdmin: e.db, Referrals: e.db, Disclosures: e.db, Safeguards: e.db, Encounters: e.db, Tasks: e.db, ReadAudits: e.db, Gap: sqlstore.NewGapService(e.db.DB, idx), Demo: demo, Version: "test", NeutralURL: e.neutral.URL + "/forecast"}
	if configure != nil {
		configure(&cfg)
	}
	h, err := web.New(cfg)
	if err != nil {
		tb.Fatal(err)
	}
	e.handler = h
	s := server.New(slog.New(slog.DiscardHandler), e.db)
	s.APITokens = e.db
	(&fhir.Handler{Screenings: e.db, CarePlans: e.db, Consents: e.db, Version: "test"}).Mount(s)
	h.Mount(s)
	e.srv = httptest.NewServer(s.Handler())
	tb.Cleanup(e.srv.Close)
	mustUser(tb, e.db, "advocate", "Ana Advocate", haven.RoleAdvocate)
	mustUser(tb, e.db, "nurse", "", haven.RoleClinician)
	e.secret = enrolTOTP(tb, e.db, mustUser(tb, e.db, "admin", "Ada Admin", haven.RoleAdmin))
	return e
}

func mustUser(tb testing.TB, db *sqlstoretest.Store, name, display string, role haven.Role) *haven.User {
	tb.Helper()
	u, err := db.CreateUser(haven.WithSystem(context.Background(), access.JobUserAdd), haven.NewUser{Username: name, DisplayName: display, Role: role, Password: testPassword})
	if err != nil {
		tb.Fatal(err)
	}
	return u
}

// enrolTOTP turns on TOTP for u the way a user would (begin with the
// password, confirm with a code), a minute in the past so that a code of the current time step
// is not refused as a replay, and returns the secret.
func enrolTOTP(tb testing.TB, db *sqlstoretest.Store, u *haven.User) string {
	tb.Helper()
	past := time.Now().Add(-time.Minute)
	db.DB.Clock = fixedClock{past}
	defer func() { db.DB.Clock = haven.SystemClock{} }()
	_, s, err := db.SignIn(context.Background(), haven.Credentials{Username: u.Username, Password: testPassword})
	if err != nil {
		tb.Fatal(err)
	}
	ctx := haven.WithActor(context.Background(), haven.Actor{UserID: u.ID, Role: u.Role, SessionID: s.ID})
	link, err := db.BeginTOTP(ctx, "Haven", haven.Reauth{Password: testPassword})
	if err != nil {
		tb.Fatal(err)
	}
	parsed, _ := url.Parse(link)
	secret := parsed.Query().Get("secret")
	code, _ := totp.GenerateCode(secret, past)
	if _, err := db.ConfirmTOTP(ctx, code); err != nil {
		tb.Fatal(err)
	}
	return secret
}

// code returns a fresh TOTP code for "admin", waiting for the next 30-second
// step when this one was already used (the store refuses replays).
func (e *env) code(tb testing.TB) string {
	tb.Helper()
	for time.Now().Unix()/30 == e.lastStep {
		time.Sleep(time.Until(time.Unix((e.lastStep+1)*30, 0)))
	}
	now := time.Now()
	e.lastStep = now.Unix() / 30
	code, err := totp.GenerateCode(e.secret, now)
	if err != nil {
		tb.Fatal(err)
	}
	return code
}

type fixedClock struct{ t time.Time }

func (c fixedClock) Now() time.Time { return c.t.UTC() }

// gcmBox is a real AES-256-GCM SecretBox for the TOTP seeds.
type gcmBox struct{ aead cipher.AEAD }

func newGCMBox() *gcmBox {
	key := make([]byte, 32)
	rand.Read(key)
	b, _ := aes.NewCipher(key)
	aead, _ := cipher.NewGCM(b)
	return &gcmBox{aead}
}

func (g *gcmBox) SealSecret(p, aad []byte) ([]byte, error) {
	nonce := make([]byte, g.aead.NonceSize())
	rand.Read(nonce)
	return g.aead.Seal(nonce, nonce, p, aad), nil
}

func (g *gcmBox) OpenSecret(c, aad []byte) ([]byte, error) {
	n := g.aead.NonceSize()
	return g.aead.Open(nil, c[:n], c[n:], aad)
}
