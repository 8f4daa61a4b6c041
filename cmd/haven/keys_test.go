package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
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

// TestRunningInstancePicksUpRotatedKey: an instance's store, open while
// haven keys rotate runs, loads the new master key on SIGHUP (here its
// stand-in channel) and on the poll, and wraps new survivors' keys under
// it; the retired key wraps nothing after the rotation.
func TestRunningInstancePicksUpRotatedKey(t *testing.T) {
	ctx := context.Background()
	dir := dataDir(t)
	m := &Main{Stdin: strings.NewReader(""), Stdout: io.Discard, Stderr: io.Discard}
	defer m.Close()
	sf := storeFlags{data: dir}
	db, err := m.openStore(ctx, &sf, true)
	if err != nil {
		t.Fatal(err)
	}
	store := sqlstoretest.NewStore(db)
	oldID := db.Keys.ActiveKeyID()
	actx := haven.WithSystem(ctx, access.JobUserAdd)
	u, err := store.CreateUser(actx, haven.NewUser{Username: "advocate.one", Role: haven.RoleAdvocate, Password: "a long pass phrase"})
	if err != nil {
		t.Fatal(err)
	}
	uctx := haven.WithActor(ctx, haven.Actor{UserID: u.ID, Role: u.Role})
	if _, _, err := store.CreateSurvivor(uctx, haven.NewSurvivor{Name: "Synthetic Before"}); err != nil {
		t.Fatal(err)
	}
	var logs syncBuffer
	hup := make(chan os.Signal, 1)
	runLoop(t, func(ctx context.Context) {
		keyReloadLoop(ctx, db, slog.New(slog.NewTextHandler(&logs, nil)), time.Hour, hup)
	})
	code, out, stderr := run(t, ctx, "", "keys", "rotate", "--data", dir)
	if code != 0 {
		t.Fatalf("keys rotate: %s", stderr)
	}
	hup <- syscall.SIGHUP
	waitFor(t, func() bool { return strings.Contains(logs.String(), "master key reloaded") })
	newID := db.Keys.ActiveKeyID()
	if newID == oldID || !strings.Contains(out, newID) {
		t.Fatalf("after SIGHUP the instance wraps under %s; rotate said %q", newID, out)
	}
	for range 20 {
		if _, _, err := store.CreateSurvivor(uctx, haven.NewSurvivor{Name: "Synthetic After"}); err != nil {
			t.Fatal(err)
		}
	}
	var stale int
	db.KeyStoreSQL().QueryRow(`SELECT COUNT(*) FROM survivor_keys WHERE key_id <> $1`, newID).Scan(&stale)
	if stale != 0 {
		t.Errorf("%d keys wrapped under another key than the rotated one", stale)
	}
}
