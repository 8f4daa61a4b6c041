package sqlstore_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// benchEntries is how many dated entries (encounters) the record of the
// package benchmark holds.
const benchEntries = 500

// BenchmarkDisclosurePackage approves a request for disclosure of a record
// with 500 encounters, under a subpoena naming every field: the approval
// reads the record and its entries, builds the package, renders its PDF
// (with the embedded font, subset) and JSON, seals both, hashes them and
// writes the accounting entry, the notification task and the audit
// entry. Logging the request is outside the timer. It reports the p99 and
// the PDF's size.
func BenchmarkDisclosurePackage(b *testing.B) {
	for _, engine := range sqlstoretest.Engines {
		b.Run(engine, func(b *testing.B) {
			db := sqlstoretest.MustOpen(b, engine)
			f := newCaseFixture(b, db)
			db.DB.Clock = haven.SystemClock{}
			note := strings.Repeat("Synthetic encounter note for the package benchmark. ", 6)
			for i := range benchEntries {
				day := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, i%600).Format(haven.DateLayout)
				if _, err := db.AddEncounter(actorCtx(f.nurse), haven.NewEncounter{SurvivorID: f.survivorID, OccurredOn: day,
					Note: fmt.Sprintf("%d: %s", i, note)}); err != nil {
					b.Fatal(err)
				}
			}
			var all []string
			for _, fl := range haven.DisclosableFields() {
				all = append(all, fl.FieldKey())
			}
			nd := haven.NewDisclosure{Requester: "Det. Bench", Agency: "County Sheriff", Basis: haven.BasisSubpoena,
				Documents: "Subpoena", Deadline: time.Now().AddDate(0, 1, 0).Format(haven.DateLayout), Fields: all}
			adv, sup := actorCtx(f.adv), actorCtx(f.sup)
			times := make([]time.Duration, 0, b.N)
			var size int
			for b.Loop() {
				b.StopTimer()
				d, err := db.RequestDisclosure(adv, f.survivorID, nd)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				start := time.Now()
				if _, err := db.DecideDisclosure(sup, d.ID, true, "bench"); err != nil {
					b.Fatal(err)
				}
				times = append(times, time.Since(start))
				b.StopTimer()
				pdf, err := db.DisclosurePackage(adv, d.ID, "pdf")
				if err != nil {
					b.Fatal(err)
				}
				size = len(pdf)
				b.StartTimer()
			}
			b.ReportMetric(p99(times), "p99-ms")
			b.ReportMetric(float64(size)/1024, "pdf-KiB")
		})
	}
}
