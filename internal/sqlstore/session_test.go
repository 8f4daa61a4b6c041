package sqlstore_test

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

const testPassword = "a long pass phrase"

// mustUser creates a user and returns it.
func mustUser(t testing.TB, db *sqlstoretest.Store, name string, role haven.Role) *haven.User {
	t.Helper()
	u, err := db.CreateUser(userAdd(context.Background()), haven.NewUser{Username: name, Role: role, Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	return u
}

func signIn(db *sqlstoretest.Store, name, pw, code string) (string, *haven.Session, error) {
	return db.SignIn(context.Background(), haven.Credentials{Username: name, Password: pw, TOTPCode: code, RemoteKey: "client-" + name})
}

func TestSessionTimeouts(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		clock := &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		db.DB.Clock = clock
		mustUser(t, db, "nurse", haven.RoleClinician)

		token, _, err := signIn(db, "nurse", testPassword, "")
		if err != nil {
			t.Fatal(err)
		}
		clock.t = clock.t.Add(29 * time.Minute)
		if _, _, err := db.Authenticate(ctx, token); err != nil {
			t.Fatalf("Authenticate after 29 idle minutes=%v, want ok", err)
		}
		clock.t = clock.t.Add(31 * time.Minute)
		if _, _, err := db.Authenticate(ctx, token); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("Authenticate after 31 idle minutes err=%v, want Unauthenticated", err)
		}

		token, _, _ = signIn(db, "nurse", testPassword, "")
		for i := 0; i < 12*60/20; i++ { // used every 20 minutes: never idle
			clock.t = clock.t.Add(20 * time.Minute)
			_, _, err = db.Authenticate(ctx, token)
		}
		if haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("Authenticate after 12 hours of use err=%v, want Unauthenticated (absolute timeout)", err)
		}
	})
}

func TestSignInEveryFailureLooksTheSame(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		u := mustUser(t, db, "advocate", haven.RoleAdvocate)
		_, _, unknown := signIn(db, "nobody", testPassword, "")
		_, _, wrong := signIn(db, "advocate", "not the password", "")
		db.SetUserDisabled(adminCtx(t, db, "root.admin"), u.ID, true)
		_, _, disabled := signIn(db, "advocate", testPassword, "")
		for name, err := range map[string]error{"unknown": unknown, "wrong": wrong, "disabled": disabled} {
			if haven.ErrorKind(err) != haven.Unauthenticated || haven.ErrorMessage(err) != haven.ErrorMessage(unknown) {
				t.Errorf("%s: err=%v, want the same Unauthenticated error as an unknown user", name, err)
			}
		}
	})
}

func TestSignInNewTokenEachTimeAndSignOut(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		mustUser(t, db, "nurse", haven.RoleClinician)
		a, _, _ := signIn(db, "nurse", testPassword, "")
		b, _, _ := signIn(db, "nurse", testPassword, "")
		if a == b || len(a) < 22 {
			t.Fatalf("tokens %q and %q: want distinct tokens of at least 128 bits", a, b)
		}
		if err := db.SignOut(ctx, a); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.Authenticate(ctx, a); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("signed-out token err=%v, want Unauthenticated", err)
		}
		_, u, err := db.Authenticate(ctx, b)
		if err != nil || u.Username != "nurse" {
			t.Errorf("other session=%v,%v, want still live", u, err)
		}
		var stored int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM sessions WHERE token_hash = $1`, []byte(b)).Scan(&stored)
		if stored != 0 {
			t.Error("a raw token is stored; want only its hash")
		}
	})
}

func TestOwnSessionsListAndEnd(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		u := mustUser(t, db, "nurse", haven.RoleClinician)
		other := mustUser(t, db, "other", haven.RoleClinician)
		_, s1, _ := signIn(db, "nurse", testPassword, "")
		tok2, _, _ := signIn(db, "nurse", testPassword, "")
		_, os1, _ := signIn(db, "other", testPassword, "")
		ctx := haven.WithActor(context.Background(), haven.Actor{UserID: u.ID, Role: u.Role})
		list, err := db.Sessions(ctx)
		if err != nil || len(list) != 2 {
			t.Fatalf("Sessions=%d,%v, want 2", len(list), err)
		}
		if err := db.EndSession(ctx, os1.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("ending another user's session err=%v, want NotFound", err)
		}
		if err := db.EndSession(ctx, s1.ID); err != nil {
			t.Fatal(err)
		}
		if list, _ := db.Sessions(ctx); len(list) != 1 {
			t.Errorf("after EndSession, %d sessions, want 1", len(list))
		}
		if _, _, err := db.Authenticate(context.Background(), tok2); err != nil {
			t.Errorf("the session not ended: %v", err)
		}
		_ = other
	})
}

func TestDisableAndRoleChangeEndSessions(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		u := mustUser(t, db, "nurse", haven.RoleClinician)
		admin := adminCtx(t, db, "root.admin")
		tok, _, _ := signIn(db, "nurse", testPassword, "")
		if err := db.SetUserRole(admin, u.ID, haven.RoleSupervisor, ""); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.Authenticate(ctx, tok); err == nil {
			t.Error("session survived a role change")
		}
		tok, _, _ = signIn(db, "nurse", testPassword, "")
		if err := db.SetUserDisabled(admin, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.Authenticate(ctx, tok); err == nil {
			t.Error("session survived disabling the user")
		}
	})
}

func TestSignInThrottle(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		clock := &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		db.DB.Clock = clock
		mustUser(t, db, "nurse", haven.RoleClinician)
		for i := 0; i < 6; i++ {
			signIn(db, "nurse", "wrong password", "")
		}
		if _, _, err := signIn(db, "nurse", testPassword, ""); haven.ErrorKind(err) != haven.Unavailable {
			t.Errorf("right password while locked err=%v, want Unavailable", err)
		}
		if _, _, err := signIn(db, "NoSuchUser", "x", ""); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("another username err=%v, want Unauthenticated (throttle is per key)", err)
		}
		clock.t = clock.t.Add(2 * time.Second)
		if _, _, err := signIn(db, "nurse", testPassword, ""); err != nil {
			t.Errorf("after the lockout err=%v, want ok", err)
		}
	})
}

func TestTOTPEnrolSignInAndReplay(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		clock := &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		db.DB.Clock = clock
		u := mustUser(t, db, "nurse", haven.RoleClinician)
		_, s, _ := signIn(db, "nurse", testPassword, "")
		ctx := haven.WithActor(context.Background(), haven.Actor{UserID: u.ID, Role: u.Role, SessionID: s.ID})
		link, err := db.BeginTOTP(ctx, "Haven", haven.Reauth{Password: testPassword})
		if err != nil {
			t.Fatal(err)
		}
		parsed, _ := url.Parse(link)
		secret := parsed.Query().Get("secret")
		var stored []byte
		db.SQL().QueryRow(`SELECT totp_pending_secret FROM users WHERE id = $1`, u.ID).Scan(&stored)
		if len(stored) == 0 || strings.Contains(string(stored), secret) {
			t.Fatal("TOTP secret stored in the clear")
		}
		code, _ := totp.GenerateCode(secret, clock.t)
		recovery, err := db.ConfirmTOTP(ctx, code)
		if err != nil || len(recovery) != 10 {
			t.Fatalf("ConfirmTOTP=%d codes,%v", len(recovery), err)
		}
		if _, _, err := signIn(db, "nurse", testPassword, ""); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("sign-in without code err=%v, want Unauthenticated", err)
		}
		clock.t = clock.t.Add(30 * time.Second)
		code, _ = totp.GenerateCode(secret, clock.t)
		if _, _, err := signIn(db, "nurse", testPassword, code); err != nil {
			t.Fatalf("sign-in with code err=%v", err)
		}
		if _, _, err := signIn(db, "nurse", testPassword, code); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("replayed code err=%v, want Unauthenticated", err)
		}
		if _, _, err := signIn(db, "nurse", testPassword, recovery[0]); err != nil {
			t.Errorf("recovery code err=%v", err)
		}
		if _, _, err := signIn(db, "nurse", testPassword, recovery[0]); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("reused recovery code err=%v, want Unauthenticated", err)
		}
	})
}

// TestDisableAndRoleChangeRevokeAPITokens: an account that is disabled or
// changes role keeps no working API token, and each revocation is audited
// with the change that caused it.
func TestDisableAndRoleChangeRevokeAPITokens(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		admin := adminCtx(t, db, "admin")
		for _, tc := range []struct {
			name   string
			change func(id string) error
			reason string
		}{
			{"role change", func(id string) error { return db.SetUserRole(admin, id, haven.RoleSupervisor, "") }, "user.role_change"},
			{"disable", func(id string) error { return db.SetUserDisabled(admin, id, true) }, "user.disable"},
		} {
			u := mustUser(t, db, "integrator-"+strings.ReplaceAll(tc.name, " ", "-"), haven.RoleAdvocate)
			uctx := haven.WithActor(ctx, haven.Actor{UserID: u.ID, Role: u.Role})
			secret, tok, err := db.CreateAPIToken(uctx, "bridge", []haven.Scope{haven.ScopeAPIRead}, time.Hour)
			if err != nil {
				t.Fatal(err)
			}
			before, _ := db.AuditSize(ctx)
			if err := tc.change(u.ID); err != nil {
				t.Fatal(err)
			}
			if _, _, err := db.AuthenticateAPIToken(ctx, secret); haven.ErrorKind(err) != haven.Unauthenticated {
				t.Errorf("%s: token err=%v, want Unauthenticated", tc.name, err)
			}
			if tc.name == "disable" {
				if err := db.SetUserDisabled(admin, u.ID, false); err != nil {
					t.Fatal(err)
				}
				if _, _, err := db.AuthenticateAPIToken(ctx, secret); haven.ErrorKind(err) != haven.Unauthenticated {
					t.Errorf("re-enabled: token err=%v, want Unauthenticated (revoked, not only blocked)", err)
				}
			}
			after, _ := db.AuditSize(ctx)
			entries, err := db.AuditEntries(ctx, before, after)
			if err != nil {
				t.Fatal(err)
			}
			found := false
			for _, e := range entries {
				if e.Action == "api_token.revoke" && e.ObjectID == tok.ID && e.Reason == tc.reason {
					found = true
				}
			}
			if !found {
				t.Errorf("%s: no api_token.revoke entry for the token with reason %q", tc.name, tc.reason)
			}
		}
	})
}
