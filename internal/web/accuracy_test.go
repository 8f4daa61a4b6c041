package web_test

import (
	"net/http"
	"strings"
	"testing"
)

func TestAccuracyPage(t *testing.T) {
	e := newEnv(t, false)
	c := client(t)
	signIn(t, e, c, "advocate", "")
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
