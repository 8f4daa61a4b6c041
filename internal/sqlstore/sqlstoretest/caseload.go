package sqlstoretest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/haven-care/haven"
)

// SeedCaseload opens cases survivors' records as user (a care role), each
// with tasksPer tasks assigned to user, due from 10 days ago to 30 days
// ahead, and contactsPer contacts made over the last 30 days, so that a
// worklist has every part to show: overdue and due-soon tasks, and cases
// with and without recent contact (one case in five never contacted),
// each opened 60 days ago.
// It is for benchmarks of the start page; the data is synthetic.
func SeedCaseload(tb testing.TB, db *Store, user *haven.User, cases, tasksPer, contactsPer int) {
	tb.Helper()
	ctx := haven.WithActor(context.Background(), haven.Actor{UserID: user.ID, Role: user.Role})
	now := time.Now().UTC()
	for i := range cases {
		s, _, err := db.CreateSurvivor(ctx, haven.NewSurvivor{Name: fmt.Sprintf("Synthetic Caseload %d", i),
			SafeContact: haven.SafeContactPlan{Channels: []haven.ContactChannel{haven.ChannelSMS}}})
		if err != nil {
			tb.Fatal(err)
		}
		// Opened 60 days ago, before every contact.
		if _, err := db.SQL().Exec(`UPDATE survivors SET created_at = $1 WHERE id = $2`, now.AddDate(0, 0, -60), s.ID); err != nil {
			tb.Fatal(err)
		}
		for j := range tasksPer {
			due := now.AddDate(0, 0, (i*7+j*13)%41-10).Format(haven.DateLayout)
			if _, err := db.AddTask(ctx, s.ID, haven.NewTask{Text: fmt.Sprintf("Follow up on the referral, step %d", j),
				AssigneeID: user.ID, DueOn: due}); err != nil {
				tb.Fatal(err)
			}
		}
		if i%5 == 0 {
			continue
		}
		for j := range contactsPer {
			at := now.Add(-time.Duration((i*11+j*17)%30*24) * time.Hour)
			if _, err := db.SQL().Exec(`INSERT INTO contacts (id, survivor_id, user_id, channel, made_at) VALUES ($1, $2, $3, $4, $5)`,
				fmt.Sprintf("%s-c%d", s.ID, j), s.ID, user.ID, "sms", at); err != nil {
				tb.Fatal(err)
			}
		}
	}
}
