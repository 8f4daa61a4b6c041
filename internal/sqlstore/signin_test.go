package sqlstore_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// signInFrom signs in as name from the client source.
func signInFrom(db *sqlstoretest.Store, name, pw, code, source string) (string, *haven.Session, error) {
	return db.SignIn(context.Background(), haven.Credentials{Username: name, Password: pw, TOTPCode: code, RemoteKey: source})
}

// burst runs n sign-ins at once, each from the credentials cred(i) gives,
// and returns their errors.
func burst(n int, db *sqlstoretest.Store, cred func(i int) haven.Credentials) []error {
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

// wantRefusals checks that every error of a burst is a refusal: a wrong
// password or code, or the throttle; never a database failure, such as a
// writer that timed out waiting for the lock.
func wantRefusals(t *testing.T, errs []error) {
	t.Helper()
	for _, err := range errs {
		if k := haven.ErrorKind(err); k != haven.Unauthenticated && k != haven.Unavailable {
			t.Fatalf("err=%v, want Unauthenticated or Unavailable", err)
		}
	}
}

// enrolTOTPAt turns on TOTP for u with the store clock at at, and returns
// the secret.
func enrolTOTPAt(t *testing.T, db *sqlstoretest.Store, clock *fixedClock, u *haven.User, at time.Time) string {
	t.Helper()
	saved := clock.t
	clock.t = at
	defer func() { clock.t = saved }()
	_, s, err := signInFrom(db, u.Username, testPassword, "", "enrol")
	if err != nil {
		t.Fatal(err)
	}
	ctx := haven.WithActor(context.Background(), haven.Actor{UserID: u.ID, Role: u.Role, SessionID: s.ID})
	link, err := db.BeginTOTP(ctx, "Haven", haven.Reauth{Password: testPassword, RemoteKey: "enrol"})
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

// TestSignInBurstChecksAtMostTheLimit: a burst of wrong passwords sent at
// once is checked no more times than the limit, because each attempt
// reserves its place before the check; the right password afterwards is
// refused while the lock lasts.
func TestSignInBurstChecksAtMostTheLimit(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		mustUser(t, db, "nurse", haven.RoleClinician)
		checks := db.CountPasswordChecksForTest()
		errs := burst(59, db, func(int) haven.Credentials {
			return haven.Credentials{Username: "nurse", Password: "wrong password", RemoteKey: "203.0.113.7"}
		})
		if got := checks.Load(); got > 5 {
			t.Errorf("59 wrong passwords at once: %d password checks, want at most 5", got)
		}
		wantRefusals(t, errs)
		before := checks.Load()
		if _, _, err := signInFrom(db, "nurse", testPassword, "", "203.0.113.7"); haven.ErrorKind(err) != haven.Unavailable {
			t.Errorf("right password while locked err=%v, want Unavailable", err)
		}
		if checks.Load() != before {
			t.Error("a locked-out attempt had its password checked; want it refused before hashing")
		}
	})
}

// TestSignInBurstOfCodes: with the right password, a burst of guessed
// one-time codes is checked no more times than the limit, and a right code
// afterwards is refused while locked.
func TestSignInBurstOfCodes(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
		clock := &fixedClock{now}
		db.DB.Clock = clock
		u := mustUser(t, db, "nurse", haven.RoleClinician)
		secret := enrolTOTPAt(t, db, clock, u, now.Add(-time.Hour))
		checks := db.CountPasswordChecksForTest()
		errs := burst(40, db, func(i int) haven.Credentials {
			return haven.Credentials{Username: "nurse", Password: testPassword, TOTPCode: fmt.Sprintf("%06d", i), RemoteKey: "203.0.113.7"}
		})
		wantRefusals(t, errs)
		if got := checks.Load(); got > 5 {
			t.Errorf("40 guessed codes at once: %d checks, want at most 5", got)
		}
		code, _ := totp.GenerateCode(secret, now)
		if _, _, err := signInFrom(db, "nurse", testPassword, code, "203.0.113.7"); haven.ErrorKind(err) != haven.Unavailable {
			t.Errorf("right code while locked err=%v, want Unavailable", err)
		}
	})
}

// TestSignInOneCodeOneSession: one valid code sent in twenty sign-ins at
// once starts exactly one session; the others are replays.
func TestSignInOneCodeOneSession(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		now := time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)
		clock := &fixedClock{now}
		db.DB.Clock = clock
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

// TestSignInFloodFromOneSourceRefusedBeforeHashing: a source that tries
// many usernames at once has at most its limit of passwords hashed; the
// rest are refused before any argon2id work.
func TestSignInFloodFromOneSourceRefusedBeforeHashing(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		checks := db.CountPasswordChecksForTest()
		burst(60, db, func(i int) haven.Credentials {
			return haven.Credentials{Username: fmt.Sprintf("user%d", i), Password: "wrong password", RemoteKey: "203.0.113.9"}
		})
		if got := checks.Load(); got > 20 {
			t.Errorf("60 usernames at once from one source: %d password checks, want at most 20", got)
		}
	})
}

// TestSignInStrangersDoNotLockOutTheUser: junk sign-ins for a username
// from another source lock out that source, not the user.
func TestSignInStrangersDoNotLockOutTheUser(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		mustUser(t, db, "nurse", haven.RoleClinician)
		for range 7 {
			signInFrom(db, "nurse", "junk", "", "203.0.113.66")
		}
		if _, _, err := signInFrom(db, "nurse", testPassword, "", "203.0.113.66"); haven.ErrorKind(err) != haven.Unavailable {
			t.Errorf("the stranger's own source err=%v, want Unavailable", err)
		}
		if _, _, err := signInFrom(db, "nurse", testPassword, "", "192.0.2.10"); err != nil {
			t.Errorf("the user from their own source err=%v, want ok", err)
		}
	})
}

// TestThrottleKeysAreSecret: the throttle table's keys are HMACs under a
// secret of the store's keyring, not a constant in the binary: the same
// username and source give unrelated keys on two stores, and none is the
// HMAC under the old constant key.
func TestThrottleKeysAreSecret(t *testing.T) {
	keyHashes := func(t *testing.T, db *sqlstoretest.Store) map[string]bool {
		t.Helper()
		signInFrom(db, "nurse", "wrong password", "", "203.0.113.7")
		rows, err := db.SQL().Query(`SELECT key_hash FROM signin_throttle`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		got := map[string]bool{}
		for rows.Next() {
			var k []byte
			rows.Scan(&k)
			got[string(k)] = true
		}
		if len(got) == 0 {
			t.Fatal("no throttle rows after a failed sign-in")
		}
		return got
	}
	for _, engine := range sqlstoretest.Engines {
		t.Run(engine, func(t *testing.T) {
			a := keyHashes(t, sqlstoretest.MustOpen(t, engine))
			b := keyHashes(t, sqlstoretest.MustOpen(t, engine))
			for k := range a {
				if b[k] {
					t.Errorf("two stores with different keys share the throttle key %x", k)
				}
			}
			for _, v := range []string{"user\x00nurse", "client\x00203.0.113.7"} {
				m := hmac.New(sha256.New, []byte("haven-login-throttle"))
				m.Write([]byte(v))
				if a[string(m.Sum(nil))] {
					t.Errorf("throttle key of %q is an HMAC under the constant key", v)
				}
			}
		})
	}
}

// TestSignInProvenDeviceNotLockedOutByStrangers: strangers on many sources
// lock the account for new browsers, but not for a browser the user has
// signed in from (its device token), which keeps a limit of its own.
func TestSignInProvenDeviceNotLockedOutByStrangers(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		clock := &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		db.DB.Clock = clock
		mustUser(t, db, "nurse", haven.RoleClinician)
		mustUser(t, db, "other", haven.RoleClinician)
		_, s, err := signInFrom(db, "nurse", testPassword, "", "192.0.2.10")
		if err != nil || s.DeviceToken == "" {
			t.Fatalf("first sign-in: token %q, err %v; want a device token", s.DeviceToken, err)
		}
		device := s.DeviceToken
		_, so, _ := signInFrom(db, "other", testPassword, "", "192.0.2.11")
		for i := range 30 {
			signInFrom(db, "nurse", "junk", "", fmt.Sprintf("203.0.113.%d", i))
		}
		withDevice := func(token, pw, source string) error {
			_, _, err := db.SignIn(context.Background(), haven.Credentials{Username: "nurse", Password: pw, RemoteKey: source, Device: token})
			return err
		}
		if err := withDevice("", testPassword, "192.0.2.99"); haven.ErrorKind(err) != haven.Unavailable {
			t.Errorf("a new browser after 30 strangers' failures err=%v, want Unavailable (account locked)", err)
		}
		for name, token := range map[string]string{"forged": "AAAAAAAAAAAAAAAAAAAAAA.1777622400.AAAA", "another user's": so.DeviceToken, "altered": device + "x"} {
			if err := withDevice(token, testPassword, "192.0.2.10"); haven.ErrorKind(err) != haven.Unavailable {
				t.Errorf("%s device token err=%v, want Unavailable (not a proven device)", name, err)
			}
		}
		if err := withDevice(device, testPassword, "203.0.113.1"); err != nil {
			t.Errorf("the user's own browser err=%v, want ok despite the lock", err)
		}
		for range 6 {
			withDevice(device, "junk", "192.0.2.10")
		}
		if err := withDevice(device, testPassword, "192.0.2.10"); haven.ErrorKind(err) != haven.Unavailable {
			t.Errorf("right password after 6 failures on the device err=%v, want Unavailable (per-device limit)", err)
		}
		clock.t = clock.t.Add(haven.DeviceTokenLifetime + time.Hour)
		for i := range 30 {
			signInFrom(db, "nurse", "junk", "", fmt.Sprintf("198.51.100.%d", i))
		}
		if err := withDevice(device, testPassword, "192.0.2.10"); haven.ErrorKind(err) != haven.Unavailable {
			t.Errorf("expired device token with the account locked err=%v, want Unavailable", err)
		}
	})
}

// TestSignInMixedBurstOnlyRefusals: right and wrong passwords at once,
// from a few sources, end in sessions and refusals only: never a database
// error such as a deadlock between an attempt being counted and a
// successful one being released.
func TestSignInMixedBurstOnlyRefusals(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		mustUser(t, db, "nurse", haven.RoleClinician)
		db.AlignPasswordChecksForTest(30)
		errs := burst(30, db, func(i int) haven.Credentials {
			pw := testPassword
			if i%2 == 1 {
				pw = "wrong password"
			}
			return haven.Credentials{Username: "nurse", Password: pw, RemoteKey: fmt.Sprintf("203.0.113.%d", i%3)}
		})
		for _, err := range errs {
			if k := haven.ErrorKind(err); err != nil && k != haven.Unauthenticated && k != haven.Unavailable {
				t.Fatalf("err=%v, want success, Unauthenticated or Unavailable", err)
			}
		}
	})
}
