package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

// TestReferralAPI: a forged referral without a covering consent is
// refused; with one, the partner's token reads the inbox and the packet
// (only the consented categories), moves it, and loses it all on
// revocation.
func TestReferralAPI(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		ctx := context.Background()
		d := &haven.Directory{Organizations: []haven.Organization{{ID: "org-1", Name: "Northside Housing Alliance"}},
			Services: []haven.Service{{ID: "svc-1", OrganizationID: "org-1", Name: "Rooms", Status: "active"}}}
		if _, err := db.ImportDirectory(haven.WithSystem(ctx, access.JobImportHSDS), d, nil); err != nil {
			t.Fatal(err)
		}
		e := newAPIEnv(t, db)
		partner, err := db.CreateUser(haven.WithSystem(ctx, access.JobUserAdd), haven.NewUser{Username: "partner", Role: haven.RolePartner,
			Password: "a long pass phrase", OrganizationID: "org-1"})
		if err != nil {
			t.Fatal(err)
		}
		ptok := mustToken(t, db, partner, haven.ScopeAPIRead, haven.ScopeAPIWrite)
		status, loc, _ := e.call(t, "POST", "/api/v1/survivors", e.write, survivorJSON, "Created")
		if status != http.StatusCreated {
			t.Fatalf("create survivor: %d", status)
		}
		// Forged: a made-up consent, then a real one stretched past its categories.
		for _, body := range []string{`{"service_id": "svc-1", "consent_id": "forged", "categories": ["identity"]}`,
			`{"service_id": "svc-1", "consent_id": "forged"}`} {
			if status, _, _ := e.call(t, "POST", loc+"/referrals", e.write, body, ""); status != http.StatusBadRequest {
				t.Errorf("forged referral %s: %d, want 400", body, status)
			}
		}
		_, _, c := e.call(t, "POST", loc+"/consents", e.write, `{"recipient_kind": "organization", "recipient": "org-1",
			"purpose": "referral", "categories": ["identity"], "method": "verbal", "language": "ht"}`, "Consent")
		cid := c["id"].(string)
		if status, _, _ := e.call(t, "POST", loc+"/referrals", e.write,
			`{"service_id": "svc-1", "consent_id": "`+cid+`", "categories": ["identity", "sensitive"]}`, ""); status != http.StatusBadRequest {
			t.Errorf("categories beyond the consent: %d, want 400", status)
		}
		body := `{"service_id": "svc-1", "consent_id": "` + cid + `", "categories": ["identity"], "note": "call after noon"}`
		status, _, preview := e.call(t, "POST", loc+"/referrals/preview", e.write, body, "Packet")
		if status != 200 || preview["identity"] == nil || preview["contact"] != nil {
			t.Fatalf("preview: %d %v", status, preview)
		}
		status, rloc, r := e.call(t, "POST", loc+"/referrals", e.write, body, "Referral")
		if status != http.StatusCreated || r["status"] != "requested" {
			t.Fatalf("create: %d %v", status, r)
		}
		// The partner's view: no survivor id; the packet as previewed.
		pcall := func(method, path, body, schema string) (int, map[string]any) {
			s, _, m := e.call(t, method, path, ptok, body, schema)
			return s, m
		}
		if s, inbox := pcall("GET", "/api/v1/inbox", "", "ReferralList"); s != 200 || len(inbox["referrals"].([]any)) != 1 {
			t.Fatalf("inbox: %d %v", s, inbox)
		}
		if s, got := pcall("GET", rloc, "", "Referral"); s != 200 || got["survivor_id"] != nil {
			t.Errorf("partner read: %d survivor_id=%v", s, got["survivor_id"])
		}
		if s, pkt := pcall("GET", rloc+"/packet", "", "Packet"); s != 200 || pkt["identity"] == nil || pkt["sensitive"] != nil ||
			!strings.Contains(pkt["note"].(string), "call after noon") {
			t.Errorf("packet: %d %v", s, pkt)
		}
		if s, _ := pcall("POST", rloc+"/status", `{"status": "completed"}`, ""); s != http.StatusConflict {
			t.Errorf("requested → completed: %d, want 409", s)
		}
		if s, _ := pcall("POST", rloc+"/status", `{"status": "rejected"}`, ""); s != http.StatusBadRequest {
			t.Errorf("reject without reason: %d, want 400", s)
		}
		if s, got := pcall("POST", rloc+"/status", `{"status": "accepted"}`, "Referral"); s != 200 || got["status"] != "accepted" {
			t.Errorf("accept: %d %v", s, got)
		}
		// The advocate's token may not use the inbox; a stranger sees nothing.
		if status, _, _ := e.call(t, "GET", "/api/v1/inbox", e.write, "", ""); status != http.StatusForbidden {
			t.Errorf("advocate's inbox: %d, want 403", status)
		}
		if status, _, _ := e.call(t, "GET", rloc, e.stranger, "", ""); status != http.StatusNotFound {
			t.Errorf("stranger reads the referral: %d", status)
		}
		// Revocation: the partner's very next request finds nothing.
		if status, _, _ := e.call(t, "POST", loc+"/consents/"+cid+"/revoke", e.write, "", "Consent"); status != 200 {
			t.Fatalf("revoke: %d", status)
		}
		for _, p := range []string{rloc, rloc + "/packet"} {
			if s, _ := pcall("GET", p, "", ""); s != http.StatusNotFound {
				t.Errorf("GET %s after revocation: %d, want 404", p, s)
			}
		}
		if s, inbox := pcall("GET", "/api/v1/inbox", "", "ReferralList"); s != 200 || len(inbox["referrals"].([]any)) != 0 {
			t.Errorf("inbox after revocation: %v", inbox)
		}
	})
}
