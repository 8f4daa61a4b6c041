package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// TestNoRequestFailsForLockContention runs many goroutines at once, each
// reading one survivor's record (every read writes an audit entry), reading
// a whole page's sections under deferred read audits, adding tasks and
// creating records, as a crowd of staff would. Not one call may fail, and
// every read must be in the audit log, which must still verify.
func TestNoRequestFailsForLockContention(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		adv := mustUser(t, db, "advocate", haven.RoleAdvocate)
		ctx := actorCtx(adv)
		s, _, err := db.CreateSurvivor(ctx, canarySurvivor())
		if err != nil {
			t.Fatal(err)
		}
		before, err := db.AuditSize(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		const workers, rounds = 48, 12
		var mu sync.Mutex
		var errs []error
		fail := func(err error) {
			mu.Lock()
			errs = append(errs, err)
			mu.Unlock()
		}
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for r := range rounds {
					if err := contendOnce(ctx, db, s.ID, adv.ID, w, r); err != nil {
						fail(fmt.Errorf("worker %d round %d: %w", w, r, err))
					}
				}
			})
		}
		wg.Wait()
		for _, err := range errs {
			t.Error(err)
		}
		after, err := db.AuditSize(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		entries, err := db.AuditEntries(context.Background(), before, after)
		if err != nil {
			t.Fatal(err)
		}
		reads := 0
		for _, e := range entries {
			if e.Action == "survivor.read" && e.ObjectID == s.ID {
				reads++
			}
		}
		// Rounds 0, 1 and 2 of every four read the record once each.
		if want := workers * (rounds / 4) * 3; reads != want {
			t.Errorf("survivor.read entries=%d, want %d (one per read)", reads, want)
		}
		if _, err := db.IntegrateAudit(context.Background()); err != nil {
			t.Fatal(err)
		}
		if rep := verify(t, db, nil, nil); rep.FirstBad != -1 || rep.Checked != after {
			t.Errorf("VerifyAudit = %+v, want every one of %d entries good", rep, after)
		}
	})
}

// contendOnce makes one call of the mix: a read, a page of deferred reads,
// a read of the care plan and tasks, or a change.
func contendOnce(ctx context.Context, db *sqlstoretest.Store, survivorID, userID string, w, r int) error {
	switch r % 4 {
	case 0:
		_, err := db.Survivor(ctx, survivorID)
		return err
	case 1:
		return readRecordPage(ctx, db, survivorID)
	case 2:
		if _, err := db.Survivor(ctx, survivorID); err != nil {
			return err
		}
		_, err := db.Consents(ctx, survivorID)
		return err
	}
	if w%2 == 0 {
		_, err := db.AddTask(ctx, survivorID, haven.NewTask{Text: fmt.Sprintf("call back %d.%d", w, r), AssigneeID: userID, DueOn: "2030-01-01"})
		return err
	}
	_, _, err := db.CreateSurvivor(ctx, haven.NewSurvivor{Name: fmt.Sprintf("Synthetic %d.%d", w, r), DateOfBirth: "1990-01-01"})
	return err
}

// BenchmarkRecordPageParallel reads a record page's nine sections under
// deferred read audits from 50 goroutines (on 2 cores), each page one
// group-committed flush: the contention of the web record page.
//
//	HAVEN_TEST_POSTGRES_REQUIRED=1 go test ./internal/sqlstore -run '^$' -bench RecordPageParallel -benchtime 2000x
func BenchmarkRecordPageParallel(b *testing.B) {
	for _, engine := range sqlstoretest.Engines {
		b.Run(engine, func(b *testing.B) {
			db := sqlstoretest.MustOpen(b, engine)
			u, err := db.CreateUser(userAdd(context.Background()), haven.NewUser{Username: "adv", Role: haven.RoleAdvocate, Password: testPassword})
			if err != nil {
				b.Fatal(err)
			}
			ctx := actorCtx(u)
			s, _, err := db.CreateSurvivor(ctx, canarySurvivor())
			if err != nil {
				b.Fatal(err)
			}
			b.SetParallelism(25)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					if err := readRecordPage(ctx, db, s.ID); err != nil {
						b.Error(err)
					}
				}
			})
		})
	}
}

// readRecordPage reads what the web record page reads, deferring the
// audit entries to one flush.
func readRecordPage(ctx context.Context, db *sqlstoretest.Store, id string) error {
	page := db.DeferReadAudits(ctx)
	reads := []func() error{
		func() error { _, err := db.Survivor(page, id); return err },
		func() error { _, err := db.Tasks(page, id); return err },
		func() error { _, err := db.CarePlan(page, id); return err },
		func() error { _, err := db.Consents(page, id); return err },
		func() error { _, err := db.Referrals(page, id); return err },
		func() error { _, err := db.Screenings(page, id); return err },
		func() error { _, err := db.CareTeam(page, id); return err },
		func() error { _, err := db.Contacts(page, id); return err },
		func() error { _, err := db.Encounters(page, id); return err },
	}
	for _, read := range reads {
		if err := read(); err != nil {
			return err
		}
	}
	return db.FlushReadAudits(page)
}
