package sqlstore_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// benchReferrals is how many referrals the store holds for the referral
// benchmarks, spread over benchReferralOrgs organizations.
const (
	benchReferrals    = 100_000
	benchReferralOrgs = 100
)

// seedReferrals fills the store with benchReferrals referrals of 1,000
// survivors to benchReferralOrgs organizations (each survivor consenting
// to every organization), with SQL in bulk: the benchmarks measure reading
// and sending among them, not seeding. It returns the advocate on every
// care team, a partner of org-0, a survivor and its consent to org-0.
func seedReferrals(b *testing.B, db *sqlstoretest.Store) (adv, partner *haven.User, survivorID, consentID string) {
	b.Helper()
	ctx := context.Background()
	d := &haven.Directory{}
	for i := range benchReferralOrgs {
		d.Organizations = append(d.Organizations, haven.Organization{ID: fmt.Sprintf("org-%d", i), Name: fmt.Sprintf("Organization %d", i)})
		d.Services = append(d.Services, haven.Service{ID: fmt.Sprintf("svc-%d", i), OrganizationID: fmt.Sprintf("org-%d", i),
			Name: fmt.Sprintf("Service %d", i), Status: "active"})
	}
	if _, err := db.ImportDirectory(haven.WithSystem(ctx, access.JobImportHSDS), d, nil); err != nil {
		b.Fatal(err)
	}
	adv = mustBenchUser(b, db, "bench.adv", haven.RoleAdvocate, "")
	partner = mustBenchUser(b, db, "bench.partner", haven.RolePartner, "org-0")
	actx := actorCtx(adv)
	var survivors, consents []string
	for i := range 1000 {
		s, _, err := db.CreateSurvivor(actx, haven.NewSurvivor{Name: fmt.Sprintf("Synthetic Bench %d", i)})
		if err != nil {
			b.Fatal(err)
		}
		c, err := db.RecordConsent(actx, s.ID, haven.NewConsent{RecipientKind: haven.RecipientCategory, Recipient: "housing",
			Purpose: haven.PurposeReferral, Method: haven.ConsentVerbal, Language: "en", Days: 365})
		if err != nil {
			b.Fatal(err)
		}
		survivors, consents = append(survivors, s.ID), append(consents, c.ID)
	}
	// Bulk rows: referral i goes to org i%orgs for survivor i%1000.
	tx, err := db.SQL().Begin()
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now().UTC()
	for i := range benchReferrals {
		org := i % benchReferralOrgs
		if _, err := tx.Exec(`INSERT INTO referrals (id, survivor_id, service_id, organization_id, consent_id, purpose, categories, status,
			sender_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, 'referral', 'basic', 'requested', $6, $7, $7)`,
			fmt.Sprintf("ref-%07d", i), survivors[i%1000], fmt.Sprintf("svc-%d", org), fmt.Sprintf("org-%d", org), consents[i%1000],
			adv.ID, now.Add(-time.Duration(benchReferrals-i)*time.Minute)); err != nil {
			b.Fatal(err)
		}
	}
	if err := tx.Commit(); err != nil {
		b.Fatal(err)
	}
	if db.Engine() == "postgres" {
		db.SQL().Exec(`ANALYZE`)
	}
	// A consent naming org-0 for the survivor the send benchmark refers.
	c, err := db.RecordConsent(actx, survivors[0], haven.NewConsent{RecipientKind: haven.RecipientOrganization, Recipient: "org-0",
		Purpose: haven.PurposeReferral, Categories: []haven.DataCategory{haven.CategoryIdentity}, Method: haven.ConsentWritten, Language: "en"})
	if err != nil {
		b.Fatal(err)
	}
	return adv, partner, survivors[0], c.ID
}

func mustBenchUser(b *testing.B, db *sqlstoretest.Store, name string, role haven.Role, org string) *haven.User {
	b.Helper()
	u, err := db.CreateUser(userAdd(context.Background()), haven.NewUser{Username: name, Role: role, Password: "a long pass phrase",
		OrganizationID: org})
	if err != nil {
		b.Fatal(err)
	}
	return u
}

func p99(times []time.Duration) float64 {
	slices.Sort(times)
	return float64(times[len(times)*99/100].Microseconds()) / 1000
}

// BenchmarkCreateReferral sends a referral under a covering consent with
// 100,000 referrals in the store: the consent, service and need checks,
// the insert, its history and its audit entry. It reports the p99.
func BenchmarkCreateReferral(b *testing.B) {
	for _, engine := range sqlstoretest.Engines {
		b.Run(engine, func(b *testing.B) {
			db := sqlstoretest.MustOpen(b, engine)
			adv, _, sid, cid := seedReferrals(b, db)
			ctx := actorCtx(adv)
			nr := haven.NewReferral{ServiceID: "svc-0", ConsentID: cid, Categories: []haven.DataCategory{haven.CategoryIdentity}}
			times := make([]time.Duration, 0, b.N)
			for b.Loop() {
				start := time.Now()
				if _, err := db.CreateReferral(ctx, sid, nr); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
			}
			b.ReportMetric(p99(times), "p99-ms")
		})
	}
}

// BenchmarkInbox is a partner's inbox with 100,000 referrals in the store,
// 1,000 of them to the partner's organization: the 200 newest whose
// consent is in force. It reports the p99.
func BenchmarkInbox(b *testing.B) {
	for _, engine := range sqlstoretest.Engines {
		b.Run(engine, func(b *testing.B) {
			db := sqlstoretest.MustOpen(b, engine)
			_, partner, _, _ := seedReferrals(b, db)
			ctx := actorCtx(partner)
			times := make([]time.Duration, 0, b.N)
			var rows int
			for b.Loop() {
				start := time.Now()
				list, err := db.Inbox(ctx)
				if err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
				rows = len(list)
			}
			b.ReportMetric(p99(times), "p99-ms")
			b.ReportMetric(float64(rows), "rows")
		})
	}
}
