package web_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"slices"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
	"github.com/haven-care/haven/internal/web"
)

// The size of the record BenchmarkHubRender reads: issue 12 measures the
// hub for 50 screenings, 200 tasks and 50 encounters.
const (
	benchScreenings = 50
	benchEncounters = 50
	benchContacts   = 50
	benchTasks      = 200
)

// seedHub fills a record for the benchmark: half of the screenings go
// through (suggesting codes), half are stopped by the safety checklist;
// every other encounter follows a screening with a code accepted.
func seedHub(b *testing.B, db *sqlstoretest.Store) hubCase {
	b.Helper()
	hc := newHubCase(b, db)
	nurse := haven.WithActor(context.Background(), haven.Actor{UserID: hc.nurse.ID, Role: hc.nurse.Role})
	var screened []string
	for i := range benchScreenings - 2 { // newHubCase made two
		sc, err := db.CreateScreening(nurse, haven.NewScreening{SurvivorID: hc.survivor.ID, Response: rapidScreening(hc.survivor.ID, i%2 == 1)})
		if err != nil {
			b.Fatal(err)
		}
		if sc.Result.Screened {
			screened = append(screened, sc.ID)
		}
	}
	day := time.Now().UTC().AddDate(0, 0, -benchEncounters)
	for i := range benchEncounters {
		ne := haven.NewEncounter{SurvivorID: hc.survivor.ID, OccurredOn: day.AddDate(0, 0, i).Format(time.DateOnly),
			Note: fmt.Sprintf("Synthetic encounter note %d: seen in clinic, follow-up planned, no new concerns raised today.", i)}
		if i%2 == 0 {
			ne.ScreeningID, ne.Codes = screened[i/2%len(screened)], []string{"T76.61XD"}
		}
		if _, err := db.AddEncounter(nurse, ne); err != nil {
			b.Fatal(err)
		}
	}
	for i := range benchContacts {
		c := haven.NewContact{Channel: haven.ChannelSMS, Outcome: haven.ContactOutcomes[i%3], Note: fmt.Sprintf("Synthetic contact %d.", i)}
		if err := db.RecordContact(nurse, hc.survivor.ID, c); err != nil {
			b.Fatal(err)
		}
	}
	seedHubTasks(b, db, hc)
	return hc
}

// seedHubTasks gives hc's record 200 tasks for its clinician: due from
// 20 days ago to 80 days ahead, one in four done.
func seedHubTasks(b *testing.B, db *sqlstoretest.Store, hc hubCase) {
	b.Helper()
	nurse := haven.WithActor(context.Background(), haven.Actor{UserID: hc.nurse.ID, Role: hc.nurse.Role})
	start := time.Now().UTC().AddDate(0, 0, -20)
	for i := range benchTasks {
		t, err := db.AddTask(nurse, hc.survivor.ID, haven.NewTask{Text: fmt.Sprintf("Synthetic follow-up %d: call back about the appointment.", i),
			AssigneeID: hc.nurse.ID, DueOn: start.AddDate(0, 0, i/2).Format(haven.DateLayout)})
		if err != nil {
			b.Fatal(err)
		}
		if i%4 == 0 {
			done := haven.TaskDone
			if _, err := db.UpdateTask(nurse, hc.survivor.ID, t.ID, haven.TaskChange{Status: &done}); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// BenchmarkHubRender serves the record page (GET /survivors/{id}), the
// case's hub, through the full middleware chain to a clinician on the
// care team, on each engine, and reports the 99th percentile time.
func BenchmarkHubRender(b *testing.B) {
	for _, engine := range sqlstoretest.Engines {
		b.Run(engine, func(b *testing.B) {
			e := newEnvOn(b, engine, false, func(c *web.Config) {
				c.Screenings = c.Encounters.(*sqlstoretest.Store)
				if os.Getenv("HAVEN_BENCH_AUDIT_EACH") == "1" {
					c.ReadAudits = nil // each read commits its own entry, as before batching
				}
			})
			hc := seedHub(b, e.db)
			tok, _, err := e.db.SignIn(context.Background(), haven.Credentials{Username: "team.nurse", Password: testPassword})
			if err != nil {
				b.Fatal(err)
			}
			h := e.srv.Config.Handler
			path := "/survivors/" + hc.survivor.ID
			times := make([]time.Duration, 0, b.N)
			var size int
			for b.Loop() {
				rec := httptest.NewRecorder()
				start := time.Now()
				h.ServeHTTP(rec, request(path, tok))
				times = append(times, time.Since(start))
				if rec.Code != 200 {
					b.Fatalf("GET %s: %d", path, rec.Code)
				}
				size = rec.Body.Len()
			}
			slices.Sort(times)
			b.ReportMetric(float64(times[len(times)*99/100].Microseconds())/1000, "p99-ms")
			b.ReportMetric(float64(times[len(times)/2].Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(size), "html-bytes")
		})
	}
}
