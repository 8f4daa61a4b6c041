package sqlstore_test

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// sessionCtx signs name in with pw and returns a context acting in that
// session.
func sessionCtx(t *testing.T, db *sqlstoretest.Store, name, pw string) (context.Context, string) {
	t.Helper()
	token, s, u := mustSignIn(t, db, name, pw)
	return haven.WithActor(context.Background(), haven.Actor{UserID: u.ID, Role: u.Role, SessionID: s.ID}), token
}

func mustSignIn(t *testing.T, db *sqlstoretest.Store, name, pw string) (string, *haven.Session, *haven.User) {
	t.Helper()
	token, s, err := signIn(db, name, pw, "")
	if err != nil {
		t.Fatalf("sign in %s: %v", name, err)
	}
	_, u, err := db.Authenticate(context.Background(), token)
	if err != nil {
		t.Fatal(err)
	}
	return token, s, u
}

func state(t *testing.T, db *sqlstoretest.Store, ctx context.Context) haven.SignInState {
	t.Helper()
	st, err := db.SignInState(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

func TestAddUserBySetPasswordLink(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		clock := &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		db.DB.Clock = clock
		admin := adminCtx(t, db, "root.admin")
		ctx := context.Background()
		u, first, err := db.AddUser(admin, haven.NewAccount{Username: "nurse.link", DisplayName: "Nurse Link", Role: haven.RoleClinician, Start: haven.StartLink})
		if err != nil {
			t.Fatal(err)
		}
		if first.Token == "" || first.Temporary != "" || !first.ExpiresAt.Equal(clock.t.Add(haven.SetPasswordLinkLifetime)) {
			t.Fatalf("first=%+v", first)
		}
		// No password works before the link is used.
		if _, _, err := signIn(db, "nurse.link", testPassword, ""); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("sign-in before the link: err=%v", err)
		}
		if name, err := db.CheckPasswordLink(ctx, first.Token); err != nil || name != "nurse.link" {
			t.Errorf("CheckPasswordLink=%q,%v", name, err)
		}
		if err := db.SetPasswordByLink(ctx, first.Token, "short"); haven.ErrorFields(err)["password"] == "" {
			t.Errorf("weak password err=%v, want a password field error", err)
		}
		if err := db.SetPasswordByLink(ctx, "not-a-token", testPassword); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("unknown link err=%v, want NotFound", err)
		}
		if err := db.SetPasswordByLink(ctx, first.Token, testPassword); err != nil {
			t.Fatalf("set password: %v", err)
		}
		if err := db.SetPasswordByLink(ctx, first.Token, "another long phrase"); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("second use err=%v, want NotFound (single use)", err)
		}
		sctx, _ := sessionCtx(t, db, "nurse.link", testPassword)
		if st := state(t, db, sctx); st != haven.SignInReady {
			t.Errorf("state=%q after the link, want ready", st)
		}
		// A link lapses.
		_, late, err := db.AddUser(admin, haven.NewAccount{Username: "late.link", Role: haven.RoleAdvocate, Start: haven.StartLink})
		if err != nil {
			t.Fatal(err)
		}
		clock.t = clock.t.Add(haven.SetPasswordLinkLifetime + time.Second)
		if _, err := db.CheckPasswordLink(ctx, late.Token); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("lapsed link err=%v, want NotFound", err)
		}
		if err := db.SetPasswordByLink(ctx, late.Token, testPassword); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("lapsed link set err=%v, want NotFound", err)
		}
		// Only the hash of the token is stored.
		var n int
		db.SQL().QueryRow(`SELECT COUNT(*) FROM password_links WHERE token_hash = $1`, []byte(late.Token)).Scan(&n)
		if n != 0 {
			t.Error("the link token is stored in the clear")
		}
		list, err := db.Users(admin)
		if err != nil {
			t.Fatal(err)
		}
		var names []string
		for _, a := range list {
			names = append(names, a.Username)
		}
		if !slices.Equal(names, []string{"late.link", "nurse.link", "root.admin"}) || u.ID == "" {
			t.Errorf("Users=%v", names)
		}
	})
}

func TestTemporaryPasswordMustBeChanged(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		admin := adminCtx(t, db, "root.admin")
		_, first, err := db.AddUser(admin, haven.NewAccount{Username: "adv.temp", Role: haven.RoleAdvocate, Start: haven.StartTemporary})
		if err != nil {
			t.Fatal(err)
		}
		if first.Temporary == "" || first.Token != "" {
			t.Fatalf("first=%+v", first)
		}
		list, _ := db.Users(admin)
		for _, a := range list {
			if a.Username == "adv.temp" && !a.MustChangePassword {
				t.Error("Users does not show the temporary password waiting for change")
			}
		}
		other, _ := sessionCtx(t, db, "adv.temp", first.Temporary)
		sctx, _ := sessionCtx(t, db, "adv.temp", first.Temporary)
		if st := state(t, db, sctx); st != haven.SignInChangePassword {
			t.Fatalf("state=%q, want change_password", st)
		}
		for _, c := range []struct{ cur, next, field string }{
			{"wrong current", "a new long passphrase", "current_password"},
			{first.Temporary, "short", "new_password"},
			{first.Temporary, first.Temporary, "new_password"},
		} {
			if _, err := db.ChangePassword(sctx, c.cur, c.next, "test"); haven.ErrorFields(err)[c.field] == "" {
				t.Errorf("ChangePassword(%q,%q) err=%v, want an error on %s", c.cur, c.next, err, c.field)
			}
		}
		ended, err := db.ChangePassword(sctx, first.Temporary, "a new long passphrase", "test")
		if err != nil || ended != 1 {
			t.Fatalf("ChangePassword ended=%d err=%v, want the one other session", ended, err)
		}
		if st := state(t, db, sctx); st != haven.SignInReady {
			t.Errorf("state=%q after the change", st)
		}
		this, _ := haven.ActorFrom(sctx)
		if list, _ := db.Sessions(other); len(list) != 1 || list[0].ID != this.SessionID {
			t.Errorf("sessions after the change: %+v, want only this one", list)
		}
		if _, _, err := signIn(db, "adv.temp", first.Temporary, ""); err == nil {
			t.Error("the temporary password still works")
		}
		mustSignIn(t, db, "adv.temp", "a new long passphrase")
	})
}

// TestDisableEndsSessionsAndTokensAtOnce: the very next request of a
// disabled user's session or token fails; enabling lets them sign in
// again, but their tokens stay revoked.
func TestDisableEndsSessionsAndTokensAtOnce(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		admin := adminCtx(t, db, "root.admin")
		u := mustUser(t, db, "leaving", haven.RoleAdvocate)
		sctx, token := sessionCtx(t, db, "leaving", testPassword)
		secret, _, err := db.CreateAPIToken(sctx, "bridge", []haven.Scope{haven.ScopeAPIRead}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.AuthenticateAPIToken(context.Background(), secret); err != nil {
			t.Fatal(err)
		}
		if err := db.SetUserDisabled(admin, u.ID, true); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.Authenticate(context.Background(), token); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("session after disable: err=%v", err)
		}
		if _, _, err := db.AuthenticateAPIToken(context.Background(), secret); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("token after disable: err=%v", err)
		}
		if _, _, err := signIn(db, "leaving", testPassword, ""); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("sign-in while disabled: err=%v", err)
		}
		list, _ := db.Users(admin)
		for _, a := range list {
			if a.ID == u.ID && !a.Disabled {
				t.Error("Users does not show the account disabled")
			}
		}
		if err := db.SetUserDisabled(admin, u.ID, false); err != nil {
			t.Fatal(err)
		}
		mustSignIn(t, db, "leaving", testPassword)
		if _, _, err := db.AuthenticateAPIToken(context.Background(), secret); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("token after enable: err=%v, want it still revoked", err)
		}
		if err := db.SetUserDisabled(admin, "no-such-user", true); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("unknown user err=%v", err)
		}
		self, _ := haven.ActorFrom(admin)
		if err := db.SetUserDisabled(admin, self.UserID, true); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("disabling oneself err=%v, want Forbidden", err)
		}
	})
}

// TestAdminCannotGainSurvivorAccessByRole: an administrator cannot change
// their own role, and so still cannot read a survivor's record; changing
// someone else's role gives the administrator nothing.
func TestAdminCannotGainSurvivorAccessByRole(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
		mustUser(t, db, "root.admin", haven.RoleAdmin)
		other := mustUser(t, db, "second.admin", haven.RoleAdmin)
		created, _, err := db.CreateSurvivor(actorCtx(adv), canarySurvivor())
		if err != nil {
			t.Fatal(err)
		}
		admin, token := sessionCtx(t, db, "root.admin", testPassword)
		self, _ := haven.ActorFrom(admin)
		for _, role := range []haven.Role{haven.RoleClinician, haven.RoleAdvocate, haven.RoleSupervisor, haven.RoleAdmin} {
			if err := db.SetUserRole(admin, self.UserID, role, ""); haven.ErrorKind(err) != haven.Forbidden {
				t.Errorf("own role to %s: err=%v, want Forbidden", role, err)
			}
		}
		_, u, err := db.Authenticate(context.Background(), token)
		if err != nil || u.Role != haven.RoleAdmin {
			t.Fatalf("after trying: user=%+v err=%v", u, err)
		}
		actx := haven.WithActor(context.Background(), haven.Actor{UserID: u.ID, Role: u.Role})
		if _, err := db.Survivor(actx, created.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("admin reads the record: err=%v, want NotFound", err)
		}
		// Another administrator's role may change; it ends their access
		// and gives the one who changed it nothing.
		if err := db.SetUserRole(admin, other.ID, haven.RoleClinician, ""); err != nil {
			t.Fatal(err)
		}
		if _, err := db.Survivor(actx, created.ID); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("admin reads the record after changing another's role: err=%v", err)
		}
		if err := db.SetUserRole(admin, other.ID, haven.Role("root"), ""); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("unknown role err=%v", err)
		}
		if err := db.SetUserRole(admin, "no-such-user", haven.RoleAnalyst, ""); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("unknown user err=%v", err)
		}
		if !slices.Contains(auditActions(t, db), "user.role_change/denied") {
			t.Error("the refused self-change is not audited")
		}
	})
}

// enrolNow begins and confirms two-step sign-in in the session of ctx
// and returns the secret.
func enrolNow(t *testing.T, db *sqlstoretest.Store, clock *fixedClock, ctx context.Context, pw string) string {
	t.Helper()
	link, err := db.BeginTOTP(ctx, "Haven", haven.Reauth{Password: pw, RemoteKey: "test"})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(link)
	secret := u.Query().Get("secret")
	clock.t = clock.t.Add(30 * time.Second)
	code, _ := totp.GenerateCode(secret, clock.t)
	if _, err := db.ConfirmTOTP(ctx, code); err != nil {
		t.Fatal(err)
	}
	return secret
}

// TestTwoStepPolicyCannotBeSkipped: with two-step required of clinicians,
// every way of signing in (password, set-password link, temporary
// password) leaves a clinician without it in the enrol state, and their
// API tokens do not work until they enrol. Resetting two-step puts them
// back there.
func TestTwoStepPolicyCannotBeSkipped(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		clock := &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		db.DB.Clock = clock
		admin := adminCtx(t, db, "root.admin")
		mustUser(t, db, "nurse.pw", haven.RoleClinician)
		mustUser(t, db, "advocate", haven.RoleAdvocate)
		pre, _ := sessionCtx(t, db, "nurse.pw", testPassword)
		secret, _, err := db.CreateAPIToken(pre, "bridge", []haven.Scope{haven.ScopeAPIRead}, time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		clin := actorCtx(mustUser(t, db, "nurse.other", haven.RoleClinician))
		if err := db.SetTwoStepPolicy(clin, []haven.Role{}); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("clinician sets the policy: err=%v", err)
		}
		if err := db.SetTwoStepPolicy(admin, []haven.Role{"root"}); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("unknown role err=%v", err)
		}
		if err := db.SetTwoStepPolicy(admin, []haven.Role{haven.RoleClinician, haven.RoleClinician}); err != nil {
			t.Fatal(err)
		}
		if p, err := db.TwoStepPolicy(clin); err != nil || !slices.Equal(p.Roles, []haven.Role{haven.RoleClinician}) {
			t.Errorf("policy=%+v,%v", p, err)
		}
		if _, err := db.TwoStepPolicy(context.Background()); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("policy without an actor: err=%v", err)
		}
		// Password sign-in.
		pwCtx, _ := sessionCtx(t, db, "nurse.pw", testPassword)
		if st := state(t, db, pwCtx); st != haven.SignInEnrolTwoStep {
			t.Errorf("password sign-in: state=%q, want enrol", st)
		}
		if _, _, err := db.AuthenticateAPIToken(context.Background(), secret); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("token before enrolling: err=%v", err)
		}
		// Other roles are not held.
		if st := state(t, db, func() context.Context { c, _ := sessionCtx(t, db, "advocate", testPassword); return c }()); st != haven.SignInReady {
			t.Errorf("advocate state=%q", st)
		}
		// Set-password link.
		_, link, _ := db.AddUser(admin, haven.NewAccount{Username: "nurse.link", Role: haven.RoleClinician, Start: haven.StartLink})
		if err := db.SetPasswordByLink(context.Background(), link.Token, testPassword); err != nil {
			t.Fatal(err)
		}
		linkCtx, _ := sessionCtx(t, db, "nurse.link", testPassword)
		if st := state(t, db, linkCtx); st != haven.SignInEnrolTwoStep {
			t.Errorf("link: state=%q, want enrol", st)
		}
		// Temporary password: change it first, then enrol.
		_, tmp, _ := db.AddUser(admin, haven.NewAccount{Username: "nurse.temp", Role: haven.RoleClinician, Start: haven.StartTemporary})
		tmpCtx, _ := sessionCtx(t, db, "nurse.temp", tmp.Temporary)
		if st := state(t, db, tmpCtx); st != haven.SignInChangePassword {
			t.Errorf("temporary: state=%q, want change_password", st)
		}
		if _, err := db.ChangePassword(tmpCtx, tmp.Temporary, testPassword, "test"); err != nil {
			t.Fatal(err)
		}
		if st := state(t, db, tmpCtx); st != haven.SignInEnrolTwoStep {
			t.Errorf("temporary, changed: state=%q, want enrol", st)
		}
		// Enrolling clears it; the token works again.
		enrolNow(t, db, clock, pwCtx, testPassword)
		if st := state(t, db, pwCtx); st != haven.SignInReady {
			t.Errorf("enrolled: state=%q", st)
		}
		if _, _, err := db.AuthenticateAPIToken(context.Background(), secret); err != nil {
			t.Errorf("token after enrolling: %v", err)
		}
		// Reset: sessions and tokens end, and sign-in needs no code but
		// lands in the enrol state again.
		nurse, _ := haven.ActorFrom(pwCtx)
		if err := db.ResetTwoStep(clin, nurse.UserID); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("clinician resets: err=%v", err)
		}
		if err := db.ResetTwoStep(admin, nurse.UserID); err != nil {
			t.Fatal(err)
		}
		if list, _ := db.Sessions(pwCtx); len(list) != 0 {
			t.Error("sessions survive the reset")
		}
		if _, _, err := db.AuthenticateAPIToken(context.Background(), secret); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("token after reset: err=%v", err)
		}
		again, _ := sessionCtx(t, db, "nurse.pw", testPassword)
		if st := state(t, db, again); st != haven.SignInEnrolTwoStep {
			t.Errorf("after reset: state=%q, want enrol", st)
		}
		if err := db.ResetTwoStep(admin, "no-such-user"); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("reset unknown user: err=%v", err)
		}
		// Turning the policy off frees them.
		if err := db.SetTwoStepPolicy(admin, nil); err != nil {
			t.Fatal(err)
		}
		if st := state(t, db, again); st != haven.SignInReady {
			t.Errorf("policy off: state=%q", st)
		}
	})
}

// TestUserAdminOnlyAdministrators: every other role is refused, and
// nothing changes.
func TestUserAdminOnlyAdministrators(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		target := mustUser(t, db, "target", haven.RoleAdvocate)
		for _, role := range []haven.Role{haven.RoleClinician, haven.RoleAdvocate, haven.RoleSupervisor, haven.RolePartner, haven.RoleEditor, haven.RoleAnalyst} {
			nu := haven.NewUser{Username: "who." + string(role), Role: role, Password: testPassword}
			if role == haven.RolePartner {
				nu.OrganizationID = "org-1"
			}
			u, err := db.CreateUser(userAdd(context.Background()), nu)
			if err != nil {
				t.Fatal(err)
			}
			ctx := actorCtx(u)
			calls := map[string]error{
				"Users": func() error { _, err := db.Users(ctx); return err }(),
				"AddUser": func() error {
					_, _, err := db.AddUser(ctx, haven.NewAccount{Username: "x." + string(role), Role: haven.RoleAdmin, Start: haven.StartLink})
					return err
				}(),
				"SetUserDisabled":  db.SetUserDisabled(ctx, target.ID, true),
				"SetUserRole":      db.SetUserRole(ctx, target.ID, haven.RoleAdmin, ""),
				"SetUserRole/self": db.SetUserRole(ctx, u.ID, haven.RoleAdmin, ""),
				"ResetTwoStep":     db.ResetTwoStep(ctx, target.ID),
				"ResetPassword":    func() error { _, err := db.ResetPassword(ctx, target.ID, haven.StartLink); return err }(),
				"SetTwoStepPolicy": db.SetTwoStepPolicy(ctx, nil),
				"ReviewTranslation": db.ReviewTranslation(ctx, haven.TranslationReview{Language: "es", Key: "consent.title", Reviewer: "R",
					SourceHash: haven.TextHash("a"), TextHash: haven.TextHash("b")}),
			}
			for name, err := range calls {
				if haven.ErrorKind(err) != haven.Forbidden {
					t.Errorf("%s by %s: err=%v, want Forbidden", name, role, err)
				}
			}
		}
		got, err := db.FindUserByID(context.Background(), target.ID)
		if err != nil || got.Role != haven.RoleAdvocate || got.Disabled {
			t.Errorf("target changed: %+v %v", got, err)
		}
		if n, _ := db.CountUsers(context.Background()); n != 7 {
			t.Errorf("%d users, want 7", n)
		}
		// The command line's job may administer but not add.
		job := haven.WithSystem(context.Background(), access.JobUserAdmin)
		if err := db.SetUserRole(job, target.ID, haven.RoleSupervisor, ""); err != nil {
			t.Errorf("user-admin job: %v", err)
		}
	})
}

// TestUserAdminAudit: every action leaves an entry naming ids only: no
// username, display name, password, link token or reviewer's name.
func TestUserAdminAudit(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		admin := adminCtx(t, db, "root.admin")
		u, link, err := db.AddUser(admin, haven.NewAccount{Username: "canary.user", DisplayName: "CANARYDISPLAY", Role: haven.RoleClinician, Start: haven.StartLink})
		if err != nil {
			t.Fatal(err)
		}
		_, tmp, _ := db.AddUser(admin, haven.NewAccount{Username: "canary.temp", Role: haven.RoleAdvocate, Start: haven.StartTemporary})
		steps := []struct {
			action string
			run    func() error
		}{
			{"user.list", func() error { _, err := db.Users(admin); return err }},
			{"user.password_set", func() error { return db.SetPasswordByLink(context.Background(), link.Token, "CANARYPASSWORD long") }},
			{"user.password_change", func() error {
				ctx, _ := sessionCtx(t, db, "canary.temp", tmp.Temporary)
				_, err := db.ChangePassword(ctx, tmp.Temporary, "CANARYNEWPASSWORD long", "test")
				return err
			}},
			{"user.disable", func() error { return db.SetUserDisabled(admin, u.ID, true) }},
			{"user.enable", func() error { return db.SetUserDisabled(admin, u.ID, false) }},
			{"user.role_change", func() error { return db.SetUserRole(admin, u.ID, haven.RoleAdvocate, "") }},
			{"user.totp_reset", func() error { return db.ResetTwoStep(admin, u.ID) }},
			{"user.password_reset", func() error { _, err := db.ResetPassword(admin, u.ID, haven.StartTemporary); return err }},
			{"settings.two_step", func() error { return db.SetTwoStepPolicy(admin, []haven.Role{haven.RoleClinician}) }},
			{"translation.review", func() error {
				return db.ReviewTranslation(admin, haven.TranslationReview{Language: "es", Key: "consent.title", Reviewer: "CANARYREVIEWER",
					SourceHash: haven.TextHash("a"), TextHash: haven.TextHash("b")})
			}},
		}
		for _, st := range steps {
			if err := st.run(); err != nil {
				t.Fatalf("%s: %v", st.action, err)
			}
			if !slices.Contains(auditActions(t, db), st.action) {
				t.Errorf("no %s entry", st.action)
			}
		}
		rows, err := db.SQL().Query(`SELECT actor_id, action, object_type, object_id, reason FROM audit_entries`)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		for rows.Next() {
			var f [5]string
			rows.Scan(&f[0], &f[1], &f[2], &f[3], &f[4])
			all := strings.Join(f[:], " ")
			for _, canary := range []string{"canary", "CANARY", link.Token, tmp.Temporary} {
				if strings.Contains(all, canary) {
					t.Errorf("audit entry %q holds %q", all, canary)
				}
			}
		}
	})
}

func TestTranslationReviews(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		admin := adminCtx(t, db, "root.admin")
		good := haven.TranslationReview{Language: "es", Key: "consent.title", Reviewer: "Ana Translator",
			SourceHash: haven.TextHash("About sharing"), TextHash: haven.TextHash("Sobre compartir")}
		for name, r := range map[string]haven.TranslationReview{
			"no reviewer": {Language: "es", Key: "consent.title", SourceHash: good.SourceHash, TextHash: good.TextHash},
			"bad key":     {Language: "es", Key: "Consent Title!", Reviewer: "A", SourceHash: good.SourceHash, TextHash: good.TextHash},
			"bad hash":    {Language: "es", Key: "consent.title", Reviewer: "A", SourceHash: "x", TextHash: good.TextHash},
			"bad lang":    {Language: "", Key: "consent.title", Reviewer: "A", SourceHash: good.SourceHash, TextHash: good.TextHash},
		} {
			if err := db.ReviewTranslation(admin, r); haven.ErrorKind(err) != haven.Invalid {
				t.Errorf("%s: err=%v, want Invalid", name, err)
			}
		}
		if list, _ := db.TranslationReviews(admin); len(list) != 0 {
			t.Fatalf("bad input stored %d reviews", len(list))
		}
		if err := db.ReviewTranslation(admin, good); err != nil {
			t.Fatal(err)
		}
		again := good
		again.Reviewer = "Second Reviewer"
		if err := db.ReviewTranslation(admin, again); err != nil {
			t.Fatal(err)
		}
		list, err := db.TranslationReviews(actorCtx(mustUser(t, db, "nurse", haven.RoleClinician)))
		if err != nil || len(list) != 1 || list[0].Reviewer != "Second Reviewer" || list[0].SourceHash != good.SourceHash {
			t.Errorf("reviews=%+v,%v", list, err)
		}
		if _, err := db.TranslationReviews(context.Background()); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("without an actor: err=%v", err)
		}
	})
}

// TestResetPassword: a forgotten password is replaced by a new link or
// temporary password; the old one stops working and sessions end.
func TestResetPassword(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		db.DB.Clock = &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		admin := adminCtx(t, db, "root.admin")
		u := mustUser(t, db, "forgetful", haven.RoleAdvocate)
		_, token := sessionCtx(t, db, "forgetful", testPassword)
		if _, err := db.ResetPassword(admin, u.ID, "email"); haven.ErrorKind(err) != haven.Invalid {
			t.Errorf("bad start: err=%v", err)
		}
		if _, _, err := db.Authenticate(context.Background(), token); err != nil {
			t.Fatalf("bad input ended the session: %v", err)
		}
		first, err := db.ResetPassword(admin, u.ID, haven.StartLink)
		if err != nil || first.Token == "" {
			t.Fatalf("reset: %+v %v", first, err)
		}
		if _, _, err := db.Authenticate(context.Background(), token); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("session after reset: err=%v", err)
		}
		if _, _, err := signIn(db, "forgetful", testPassword, ""); err == nil {
			t.Error("the old password still works")
		}
		if err := db.SetPasswordByLink(context.Background(), first.Token, "a brand new passphrase"); err != nil {
			t.Fatal(err)
		}
		mustSignIn(t, db, "forgetful", "a brand new passphrase")
		tmp, err := db.ResetPassword(admin, u.ID, haven.StartTemporary)
		if err != nil {
			t.Fatal(err)
		}
		ctx, _ := sessionCtx(t, db, "forgetful", tmp.Temporary)
		if st := state(t, db, ctx); st != haven.SignInChangePassword {
			t.Errorf("state=%q, want change_password", st)
		}
		self, _ := haven.ActorFrom(admin)
		if _, err := db.ResetPassword(admin, self.UserID, haven.StartLink); haven.ErrorKind(err) != haven.Forbidden {
			t.Errorf("own reset: err=%v, want Forbidden", err)
		}
		if _, err := db.ResetPassword(admin, "no-such-user", haven.StartLink); haven.ErrorKind(err) != haven.NotFound {
			t.Errorf("unknown user: err=%v", err)
		}
	})
}

// TestSetPasswordLinkWorksOnceUnderRace: requests racing with one link
// set one password.
func TestSetPasswordLinkWorksOnceUnderRace(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		admin := adminCtx(t, db, "root.admin")
		_, first, err := db.AddUser(admin, haven.NewAccount{Username: "racer", Role: haven.RoleAdvocate, Start: haven.StartLink})
		if err != nil {
			t.Fatal(err)
		}
		const n = 6
		errs := make(chan error, n)
		for i := range n {
			go func() {
				errs <- db.SetPasswordByLink(context.Background(), first.Token, "racing pass phrase "+strings.Repeat("x", i))
			}()
		}
		ok := 0
		for range n {
			err := <-errs
			switch {
			case err == nil:
				ok++
			case haven.ErrorKind(err) != haven.NotFound:
				t.Errorf("unexpected error: %v", err)
			}
		}
		if ok != 1 {
			t.Errorf("%d requests set the password, want 1", ok)
		}
	})
}
