package sqlstore_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/password"
	"github.com/haven-care/haven/internal/sqlstore"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// benchSurvivor is a typical record: about 2 KB across its fields.
func benchSurvivor() haven.NewSurvivor {
	ns := canarySurvivor()
	ns.Notes = strings.Repeat("synthetic narrative note ", 60)
	return ns
}

// BenchmarkCreateSurvivor is a full survivor write: access check, a new
// data key in the key store, eleven sealed fields, blind index, care team
// and the audit entry.
func BenchmarkCreateSurvivor(b *testing.B) {
	for _, engine := range sqlstoretest.Engines {
		b.Run(engine, func(b *testing.B) {
			db := sqlstoretest.MustOpen(b, engine)
			u, _ := db.CreateUser(context.Background(), haven.NewUser{Username: "bench", Role: haven.RoleAdvocate, Password: "a long pass phrase"})
			ctx := actorCtx(u)
			ns := benchSurvivor()
			i := 0
			for b.Loop() {
				i++
				ns.Name = fmt.Sprintf("Synthetic Bench %d", i) // distinct people: no duplicate warnings
				if _, _, err := db.CreateSurvivor(ctx, ns); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkPlainSurvivorWrite is the baseline: the same row with its
// fields in plaintext, in one transaction, with no key, no encryption and
// no audit entry. CreateSurvivor's cost over this is what security adds.
func BenchmarkPlainSurvivorWrite(b *testing.B) {
	for _, engine := range sqlstoretest.Engines {
		b.Run(engine, func(b *testing.B) {
			db := sqlstoretest.MustOpen(b, engine)
			u, _ := db.CreateUser(context.Background(), haven.NewUser{Username: "bench", Role: haven.RoleAdvocate, Password: "a long pass phrase"})
			ns := benchSurvivor()
			i := 0
			for b.Loop() {
				i++
				if err := plainWrite(db, u.ID, fmt.Sprintf("plain-%d", i), ns); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func plainWrite(db *sqlstore.DB, userID, id string, ns haven.NewSurvivor) error {
	tx, err := db.SQL().Begin()
	if err != nil {
		return err
	}
	defer tx.Rollback()
	now := time.Now().UTC()
	cols := []any{[]byte(ns.Name), []byte(strings.Join(ns.Aliases, ",")), []byte(ns.DateOfBirth), []byte(strings.Join(ns.Phones, ",")),
		[]byte(strings.Join(ns.Emails, ",")), []byte(strings.Join(ns.Addresses, ",")), []byte(ns.ImmigrationStatus), []byte(ns.Notes),
		[]byte(ns.CulturalConsiderations), []byte(ns.FaithConsiderations), []byte(ns.SafeContact.CodeWord + ns.SafeContact.SafeTimes)}
	args := append([]any{id, "CASE-" + id, now, now}, cols...)
	_, err = tx.Exec(`INSERT INTO survivors (id, case_number, created_at, updated_at, name_enc, aliases_enc, date_of_birth_enc, phones_enc,
		emails_enc, addresses_enc, immigration_status_enc, notes_enc, cultural_considerations_enc, faith_considerations_enc, safe_contact_enc)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, args...)
	if err != nil {
		return err
	}
	if _, err := tx.Exec(`INSERT INTO care_team (survivor_id, user_id, added_at) VALUES ($1, $2, $3)`, id, userID, now); err != nil {
		return err
	}
	return tx.Commit()
}

// BenchmarkReadSurvivor: access check, key unwrap, eleven fields opened,
// and the read recorded in the audit log.
func BenchmarkReadSurvivor(b *testing.B) {
	for _, engine := range sqlstoretest.Engines {
		b.Run(engine, func(b *testing.B) {
			db := sqlstoretest.MustOpen(b, engine)
			u, _ := db.CreateUser(context.Background(), haven.NewUser{Username: "bench", Role: haven.RoleAdvocate, Password: "a long pass phrase"})
			s, _, _ := db.CreateSurvivor(actorCtx(u), benchSurvivor())
			for b.Loop() {
				if _, err := db.Survivor(actorCtx(u), s.ID); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkSignIn at the production argon2id parameters.
func BenchmarkSignIn(b *testing.B) {
	saved := sqlstore.PasswordParams
	sqlstore.PasswordParams = password.Default
	defer func() { sqlstore.PasswordParams = saved }()
	for _, engine := range sqlstoretest.Engines {
		b.Run(engine, func(b *testing.B) {
			db := sqlstoretest.MustOpen(b, engine)
			db.CreateUser(context.Background(), haven.NewUser{Username: "bench", Role: haven.RoleAdvocate, Password: "a long pass phrase"})
			for b.Loop() {
				if _, _, err := db.SignIn(context.Background(), haven.Credentials{Username: "bench", Password: "a long pass phrase"}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
