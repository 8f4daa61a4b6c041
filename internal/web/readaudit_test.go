package web_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/web"
)

// failingFlush defers reads like the store but cannot write them.
type failingFlush struct{ haven.ReadAuditBatcher }

func (failingFlush) FlushReadAudits(context.Context) error {
	return errors.New("audit log unavailable")
}

// TestRecordPageReadsAreAuditedBeforeShown: the record page's reads are
// audited (one entry per section read, written together), and when their
// entries cannot be written the page shows nothing it read.
func TestRecordPageReadsAreAuditedBeforeShown(t *testing.T) {
	e := newEnv(t, false)
	c := client(t)
	signIn(t, e, c, "advocate", "")
	record := createSurvivor(t, e, c, survivorForm())
	ctx := context.Background()
	before, _ := e.db.AuditSize(ctx)
	resp, body := get(t, c, e.srv.URL+record)
	if resp.StatusCode != 200 || !strings.Contains(body, "Synthetic Person Zq") {
		t.Fatalf("record page: %d", resp.StatusCode)
	}
	after, _ := e.db.AuditSize(ctx)
	entries, err := e.db.AuditEntries(ctx, before, after)
	if err != nil {
		t.Fatal(err)
	}
	reads := map[string]bool{}
	for _, en := range entries {
		reads[en.Action] = true
	}
	for _, a := range []string{"survivor.read", "care_plan.read", "task.list", "encounter.list", "consent.list", "referral.list"} {
		if !reads[a] {
			t.Errorf("no %s entry for the record page; got %v", a, reads)
		}
	}

	f := newEnvWith(t, false, func(cfg *web.Config) { cfg.ReadAudits = failingFlush{cfg.ReadAudits} })
	c2 := client(t)
	signIn(t, f, c2, "advocate", "")
	record2 := createSurvivor(t, f, c2, survivorForm())
	resp, body = get(t, c2, f.srv.URL+record2)
	if resp.StatusCode != http.StatusInternalServerError || strings.Contains(body, "Synthetic Person Zq") || strings.Contains(body, "blue kite") {
		t.Errorf("with the audit log unavailable the record page answered %d and showed the record", resp.StatusCode)
	}
}
