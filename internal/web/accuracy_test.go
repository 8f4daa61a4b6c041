package web_test

import (
	"net/http"

	"strings"
	"testing"

	"github.com/haven-care/haven"
)

func TestAccuracyPage(t *testing.T) {
	e := newEnv(t, false)
	mustUser(t, e.db, "analyst", "", haven.RoleAnalyst)
	c := client(t)
	signIn(t, e, c, "analyst", "")
	tests := []struct {
		query  string
		status int
		want   []string
	}{
		{"", http.StatusOK, []string{"Screening accuracy", `name="tp"`}},
		{"?tp=76&fn=14&fp=306&tn=414", http.StatusOK, []string{"84.44%", "75.28–91.23%", "57.50%", "1.99", "1.76–2.25", "76/90"}},
		{"?tp=76&fn=x&fp=306&tn=-1", http.StatusBadRequest, []string{`id="fn-error"`, `id="tn-error"`, "Enter a whole number"}},
		{"?tp=0&fn=0&fp=0&tn=0", http.StatusBadRequest, []string{"no defined figures"}},
	}
	for _, tt := range tests {
		resp, body := get(t, c, e.srv.URL+"/screening-accuracy"+tt.query)
		if resp.StatusCode != tt.status {
			t.Errorf("GET %s: status=%d, want %d", tt.query, resp.StatusCode, tt.status)
		}
		for _, w := range tt.want {
			if !strings.Contains(body, w) {
				t.Errorf("GET %s: body lacks %q", tt.query, w)
			}
		}
	}
}

// TestAccuracyIsAnAnalystsReport: the statistics calculator belongs with
// the reports of analysts and supervisors, not in the menu of the staff
// who screen patients.
func TestAccuracyIsAnAnalystsReport(t *testing.T) {
	e := newEnv(t, false)
	mustUser(t, e.db, "analyst", "", haven.RoleAnalyst)
	for _, tt := range []struct {
		user   string
		status int
	}{{"advocate", http.StatusForbidden}, {"nurse", http.StatusForbidden}, {"analyst", http.StatusOK}} {
		c := client(t)
		signIn(t, e, c, tt.user, "")
		_, home := get(t, c, e.srv.URL+"/")
		if linked := strings.Contains(home, `href="/screening-accuracy"`); linked != (tt.status == http.StatusOK) {
			t.Errorf("%s: menu links the accuracy page: %v", tt.user, linked)
		}
		if resp, _ := get(t, c, e.srv.URL+"/screening-accuracy"); resp.StatusCode != tt.status {
			t.Errorf("%s: GET /screening-accuracy status=%d, want %d", tt.user, resp.StatusCode, tt.status)
		}
	}
}
