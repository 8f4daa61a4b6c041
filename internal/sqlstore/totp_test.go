package sqlstore_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// twoStepUser is a signed-in user of a fresh store, with the store's clock.
type twoStepUser struct {
	db    *sqlstoretest.Store
	clock *fixedClock
	u     *haven.User
	ctx   context.Context
}

func newTwoStepUser(t *testing.T, db *sqlstoretest.Store) *twoStepUser {
	t.Helper()
	clock := &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
	db.DB.Clock = clock
	u := mustUser(t, db, "nurse", haven.RoleClinician)
	_, s, err := signIn(db, "nurse", testPassword, "")
	if err != nil {
		t.Fatal(err)
	}
	return &twoStepUser{db, clock, u, haven.WithActor(context.Background(), haven.Actor{UserID: u.ID, Role: u.Role, SessionID: s.ID})}
}

// begin starts enrolment and returns the new secret.
func (x *twoStepUser) begin(t *testing.T, re haven.Reauth) (string, error) {
	t.Helper()
	link, err := x.db.BeginTOTP(x.ctx, "Haven", re)
	if err != nil {
		return "", err
	}
	u, _ := url.Parse(link)
	return u.Query().Get("secret"), nil
}

// code moves the clock to the next time step and returns secret's code.
func (x *twoStepUser) code(secret string) string {
	x.clock.t = x.clock.t.Add(30 * time.Second)
	c, _ := totp.GenerateCode(secret, x.clock.t)
	return c
}

// enrol turns two-step sign-in on and returns the secret.
func (x *twoStepUser) enrol(t *testing.T) string {
	t.Helper()
	secret, err := x.begin(t, haven.Reauth{Password: testPassword})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := x.db.ConfirmTOTP(x.ctx, x.code(secret)); err != nil {
		t.Fatal(err)
	}
	return secret
}

// TestTOTPChangeNeedsReauth: a session alone can neither begin nor,
// through begin, switch off two-step sign-in; the password, and a current
// code when two-step is on, are checked by the store.
func TestTOTPChangeNeedsReauth(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		x := newTwoStepUser(t, db)
		if _, err := x.begin(t, haven.Reauth{}); haven.ErrorKind(err) != haven.Invalid || haven.ErrorFields(err)["password"] == "" {
			t.Errorf("begin with no password: err=%v, want Invalid on password", err)
		}
		if _, err := x.begin(t, haven.Reauth{Password: "wrong password"}); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("begin with a wrong password: err=%v, want Invalid", err)
		}
		old := x.enrol(t)
		for _, re := range []haven.Reauth{{Password: testPassword}, {Password: testPassword, TOTPCode: "000000"}, {Password: "wrong", TOTPCode: x.code(old)}} {
			if _, err := x.begin(t, re); haven.ErrorKind(err) != haven.Invalid {
				t.Errorf("begin with two-step on, password ok=%v code=%q: err=%v, want Invalid", re.Password == testPassword, re.TOTPCode, err)
			}
		}
		if _, _, err := signIn(db, "nurse", testPassword, ""); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("sign-in without a code after refused begins: err=%v, want Unauthenticated (two-step still on)", err)
		}
		if _, err := x.begin(t, haven.Reauth{Password: testPassword, TOTPCode: x.code(old)}); err != nil {
			t.Errorf("begin with the password and a current code: %v", err)
		}
	})
}

// TestTOTPPendingSecretLeavesActiveInForce: until confirm succeeds, sign-in
// takes the old authenticator's codes and not the new one's; confirm
// swaps them, and only in the session that began, before the enrolment
// lapses.
func TestTOTPPendingSecretLeavesActiveInForce(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		x := newTwoStepUser(t, db)
		old := x.enrol(t)
		next, err := x.begin(t, haven.Reauth{Password: testPassword, TOTPCode: x.code(old)})
		if err != nil {
			t.Fatal(err)
		}
		if u, _ := db.FindUserByID(x.ctx, x.u.ID); !u.TOTPEnabled {
			t.Error("begin turned two-step sign-in off")
		}
		if _, _, err := signIn(db, "nurse", testPassword, ""); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("sign-in without a code while enrolling: err=%v, want Unauthenticated", err)
		}
		if _, _, err := signIn(db, "nurse", testPassword, x.code(next)); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("sign-in with the unconfirmed secret: err=%v, want Unauthenticated", err)
		}
		_, s, err := signIn(db, "nurse", testPassword, x.code(old))
		if err != nil {
			t.Fatalf("sign-in with the active secret while enrolling: %v", err)
		}
		other := haven.WithActor(context.Background(), haven.Actor{UserID: x.u.ID, Role: x.u.Role, SessionID: s.ID})
		if _, err := db.ConfirmTOTP(other, x.code(next)); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("confirm from another session: err=%v, want Invalid", err)
		}
		if _, err := db.ConfirmTOTP(x.ctx, "000000"); haven.ErrorKind(err) != haven.Invalid || haven.ErrorFields(err)["code"] == "" {
			t.Errorf("confirm with a wrong code: err=%v, want Invalid on code", err)
		}
		if _, err := db.ConfirmTOTP(x.ctx, x.code(next)); err != nil {
			t.Fatalf("confirm: %v", err)
		}
		if _, _, err := signIn(db, "nurse", testPassword, x.code(old)); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("sign-in with the replaced secret: err=%v, want Unauthenticated", err)
		}
		if _, _, err := signIn(db, "nurse", testPassword, x.code(next)); err != nil {
			t.Errorf("sign-in with the confirmed secret: %v", err)
		}
		if _, err := db.ConfirmTOTP(x.ctx, x.code(next)); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("second confirm: err=%v, want Invalid (nothing pending)", err)
		}
		late, err := x.begin(t, haven.Reauth{Password: testPassword, TOTPCode: x.code(next)})
		if err != nil {
			t.Fatal(err)
		}
		x.clock.t = x.clock.t.Add(haven.TOTPEnrolmentTimeout)
		if _, err := db.ConfirmTOTP(x.ctx, x.code(late)); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("confirm after the enrolment lapsed: err=%v, want Invalid", err)
		}
	})
}

// TestTOTPReauthThrottled: wrong passwords at begin count against the
// sign-in throttle like sign-in attempts (reserved before the check, so the
// attempt past the limit is refused unchecked), and each checked one is
// audited.
func TestTOTPReauthThrottled(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		x := newTwoStepUser(t, db)
		before, _ := db.AuditSize(x.ctx)
		for range 6 {
			x.begin(t, haven.Reauth{Password: "wrong password", RemoteKey: "client-x"})
		}
		if _, err := x.begin(t, haven.Reauth{Password: testPassword, RemoteKey: "client-x"}); haven.ErrorKind(err) != haven.Unavailable {
			t.Errorf("right password while locked: err=%v, want Unavailable", err)
		}
		if _, _, err := db.SignIn(context.Background(), haven.Credentials{Username: "nurse", Password: testPassword, RemoteKey: "client-x"}); haven.ErrorKind(err) != haven.Unavailable {
			t.Errorf("sign-in while locked by failed re-authentication: err=%v, want Unavailable", err)
		}
		after, _ := db.AuditSize(x.ctx)
		entries, _ := db.AuditEntries(x.ctx, before, after)
		failures := 0
		for _, e := range entries {
			if e.Action == "user.reauth" && e.Outcome == haven.OutcomeFailure {
				failures++
			}
		}
		if failures != 5 {
			t.Errorf("%d user.reauth failures audited, want 5 (the sixth is refused before any check)", failures)
		}
	})
}
