package sqlstore_test

import (
	"context"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// signInFrom signs in as name from the client source.
func signInFrom(db *sqlstore.DB, name, pw, code, source string) (string, *haven.Session, error) {
	return db.SignIn(context.Background(), haven.Credentials{Username: name, Password: pw, TOTPCode: code, RemoteKey: source})
}

// burst runs n sign-ins at once, each from the credentials cred(i) gives,
// and returns their errors.
func burst(n int, db *sqlstore.DB, cred func(i int) haven.Credentials) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	start := make(chan struct{})
	for i := range n {
		wg.Go(func() {
			<-start
			_, _, errs[i] = db.SignIn(context.Background(), cred(i))
		})
	}
	close(start)
	wg.Wait()
	return errs
}

// enrolTOTPAt turns on TOTP for u with the store clock at at, and returns
// the secret.
func enrolTOTPAt(t *testing.T, db *sqlstore.DB, clock *fixedClock, u *haven.User, at time.Time) string {
	t.Helper()
	saved := clock.t
	clock.t = at
	defer func() { clock.t = saved }()
	_, s, err := signInFrom(db, u.Username, testPassword, "", "enrol")
	if err != nil {
		t.Fatal(err)
	}
	ctx := haven.WithActor(context.Background(), haven.Actor{UserID: u.ID, Role: u.Role, SessionID: s.ID})
	link, err := db.BeginTOTP(ctx, "Haven")
	if err != nil {
		t.Fatal(err)
	}
	parsed, _ := url.Parse(link)
	secret := parsed.Query().Get("secret")
	code, _ := totp.GenerateCode(secret, at)
	if _, err := db.ConfirmTOTP(ctx, code); err != nil {
		t.Fatal(err)
	}
	return secret
}

// TestSignInOneCodeOneSession: one valid code sent in twenty sign-ins at
// once starts exactly one session; the others are replays.
func TestSignInOneCodeOneSession(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstore.DB) {
		now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
		clock := &fixedClock{now}
		db.Clock = clock
		u := mustUser(t, db, "nurse", haven.RoleClinician)
		secret := enrolTOTPAt(t, db, clock, u, now.Add(-time.Hour))
		db.SQL().Exec(`DELETE FROM sessions`)
		code, _ := totp.GenerateCode(secret, now)
		db.AlignPasswordChecksForTest(20)
		errs := burst(20, db, func(i int) haven.Credentials {
			return haven.Credentials{Username: "nurse", Password: testPassword, TOTPCode: code, RemoteKey: fmt.Sprintf("198.51.100.%d", i)}
		})
		ok := 0
		for _, err := range errs {
			if err == nil {
				ok++
			}
		}
		var sessions int
		if err := db.SQL().QueryRow(`SELECT COUNT(*) FROM sessions WHERE user_id = $1`, u.ID).Scan(&sessions); err != nil {
			t.Fatal(err)
		}
		if ok != 1 || sessions != 1 {
			t.Errorf("20 sign-ins with one code: %d succeeded, %d sessions; want exactly 1", ok, sessions)
		}
	})
}
