package main

import (
	"bytes"
	"context"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore"
)

func TestKeysRotate(t *testing.T) {
	ctx := context.Background()
	dir := dataDir(t)
	sf := storeFlags{data: dir}
	m := &Main{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	db, err := m.openStore(ctx, &sf, true)
	if err != nil {
		t.Fatal(err)
	}
	accounts := sqlstore.NewAccountService(db)
	u, _ := accounts.CreateUser(haven.WithSystem(ctx, access.JobUserAdd), haven.NewUser{Username: "advocate", Role: haven.RoleAdvocate, Password: "a long pass phrase"})
	actx := haven.WithActor(ctx, haven.Actor{UserID: u.ID, Role: u.Role})
	s, _, err := sqlstore.NewSurvivorService(db).CreateSurvivor(actx, haven.NewSurvivor{Name: "Synthetic Rotation"})
	if err != nil {
		t.Fatal(err)
	}
	// A two-step enrolment in progress: its pending seed is resealed too.
	_, sess, err := accounts.SignIn(ctx, haven.Credentials{Username: "advocate", Password: "a long pass phrase"})
	if err != nil {
		t.Fatal(err)
	}
	sctx := haven.WithActor(ctx, haven.Actor{UserID: u.ID, Role: u.Role, SessionID: sess.ID})
	link, err := accounts.BeginTOTP(sctx, "Haven", haven.Reauth{Password: "a long pass phrase"})
	if err != nil {
		t.Fatal(err)
	}
	m.Close()
	before, _ := os.ReadFile(filepath.Join(dir, "master.key"))

	code, out, stderr := run(t, ctx, "", "keys", "rotate", "--data", dir)
	if code != 0 || !strings.Contains(out, "rotated 3 keys") {
		t.Fatalf("keys rotate: code=%d out=%q err=%q", code, out, stderr)
	}
	after, _ := os.ReadFile(filepath.Join(dir, "master.key"))
	if bytes.Equal(before, after) {
		t.Error("master.key unchanged after rotation")
	}
	retired, _ := filepath.Glob(filepath.Join(dir, "master.key.retired-*"))
	if len(retired) != 1 {
		t.Errorf("retired keys=%v, want one", retired)
	}
	m = &Main{Stdout: &bytes.Buffer{}, Stderr: &bytes.Buffer{}}
	defer m.Close()
	db, err = m.openStore(ctx, &sf, false)
	if err != nil {
		t.Fatal(err)
	}
	got, err := sqlstore.NewSurvivorService(db).Survivor(actx, s.ID)
	if err != nil || got.Name != "Synthetic Rotation" {
		t.Errorf("after rotation: %v", err)
	}
	parsed, _ := url.Parse(link)
	totpCode, _ := totp.GenerateCode(parsed.Query().Get("secret"), time.Now())
	if _, err := sqlstore.NewAccountService(db).ConfirmTOTP(sctx, totpCode); err != nil {
		t.Errorf("confirming the enrolment begun before rotation: %v", err)
	}
}
