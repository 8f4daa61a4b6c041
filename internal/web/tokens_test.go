package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/haven-care/haven"
)

// secretOf returns the token shown once on the page.
func secretOf(t *testing.T, body string) string {
	t.Helper()
	m := regexp.MustCompile(`id="secret" [^>]*value="(haven_[^"]+)"`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no token secret on the page:\n%s", body)
	}
	return html.UnescapeString(m[1])
}

// bearer sends a FHIR request with a token.
func bearer(t *testing.T, method, u, tok string, body []byte) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, u, bytes.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+tok)
	if body != nil {
		req.Header.Set("Content-Type", "application/fhir+json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, b
}

// rapidResponse answers the rapid four-item screen for Patient/id.
func rapidResponse(id string) []byte {
	ans := func(linkID, typ string, v any) map[string]any {
		return map[string]any{"linkId": linkID, "answer": []any{map[string]any{typ: v}}}
	}
	b, _ := json.Marshal(map[string]any{
		"resourceType": "QuestionnaireResponse", "status": "completed",
		"questionnaire": "https://haven.example/fhir/Questionnaire/haven-rapid-four",
		"subject":       map[string]string{"reference": "Patient/" + id},
		"item": []any{
			map[string]any{"linkId": "r-safety", "item": []any{
				ans("r-safety-alone", "valueBoolean", true),
				ans("r-safety-language", "valueCoding", map[string]string{"system": "https://haven.example/fhir/CodeSystem/language-support", "code": "none-needed"}),
				ans("r-safety-private", "valueBoolean", true), ans("r-safety-explained", "valueBoolean", true)}},
			map[string]any{"linkId": "r-questions", "item": []any{
				ans("r-leave", "valueBoolean", false), ans("r-papers", "valueBoolean", false),
				ans("r-threat", "valueBoolean", false), ans("r-sex", "valueBoolean", false)}},
		},
	})
	return b
}

// TestTokenFromPageReadsAndWritesFHIR is issue 17's "done when": a token
// issued from /account/tokens reads /fhir/R4/Questionnaire and creates a
// QuestionnaireResponse.
func TestTokenFromPageReadsAndWritesFHIR(t *testing.T) {
	e := newEnv(t, false)
	adv := e.userID(t, "advocate")
	s, _, err := e.db.CreateSurvivor(asUser(adv, haven.RoleAdvocate), haven.NewSurvivor{Name: "Synthetic Token"})
	if err != nil {
		t.Fatal(err)
	}
	c := client(t)
	signIn(t, e, c, "advocate", "")
	resp, body := get(t, c, e.srv.URL+"/account/tokens")
	if resp.StatusCode != 200 || !strings.Contains(body, `action="/account/tokens"`) || strings.Contains(body, "/account/service-accounts") {
		t.Fatalf("GET /account/tokens: %d, want the form and no service accounts for an advocate:\n%s", resp.StatusCode, body)
	}
	resp, body = post(t, c, e.srv.URL+"/account/tokens", url.Values{"name": {"EHR bridge"}, "scope": {"fhir:read", "fhir:write"}, "days": {"30"}})
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("POST /account/tokens: %d %q", resp.StatusCode, resp.Header.Get("Cache-Control"))
	}
	secret := secretOf(t, body)

	code, b := bearer(t, "GET", e.srv.URL+"/fhir/R4/Questionnaire", secret, nil)
	if code != 200 || !bytes.Contains(b, []byte(`"searchset"`)) || !bytes.Contains(b, []byte("haven-rapid-four")) {
		t.Fatalf("GET Questionnaire with the page's token: %d %s", code, b)
	}
	code, b = bearer(t, "POST", e.srv.URL+"/fhir/R4/QuestionnaireResponse", secret, rapidResponse(s.ID))
	if code != 201 || !bytes.Contains(b, []byte(`"QuestionnaireResponse"`)) {
		t.Fatalf("POST QuestionnaireResponse with the page's token: %d %s", code, b)
	}

	// The secret is shown once: the list shows the token, never the secret.
	_, body = get(t, c, e.srv.URL+"/account/tokens")
	if strings.Contains(body, secret) || !strings.Contains(body, "EHR bridge") {
		t.Errorf("the token list shows the secret or not the token")
	}
	id := regexp.MustCompile(`/account/tokens/([0-9a-f-]+)/revoke`).FindStringSubmatch(body)
	if id == nil {
		t.Fatal("no revoke form")
	}
	if resp, _ := post(t, c, e.srv.URL+"/account/tokens/"+id[1]+"/revoke", nil); resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("revoke: %d", resp.StatusCode)
	}
	if code, _ := bearer(t, "GET", e.srv.URL+"/fhir/R4/Questionnaire", secret, nil); code != 401 {
		t.Errorf("a revoked token reads: %d, want 401", code)
	}
	// Another user cannot revoke it (nor see it).
	c2 := client(t)
	signIn(t, e, c2, "nurse", "")
	if resp, _ := post(t, c2, e.srv.URL+"/account/tokens/"+id[1]+"/revoke", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another user's revoke: %d, want 404", resp.StatusCode)
	}

	// Bad input: refused beside the form, nothing issued.
	for _, form := range []url.Values{
		{"name": {""}, "scope": {"fhir:read"}, "days": {"30"}},
		{"name": {"x"}, "days": {"30"}},
		{"name": {"x"}, "scope": {"root"}, "days": {"30"}},
		{"name": {"x"}, "scope": {"fhir:read"}, "days": {"4000"}},
	} {
		resp, body := post(t, c, e.srv.URL+"/account/tokens", form)
		if resp.StatusCode != 400 || !strings.Contains(body, `id="tokens-error"`) || strings.Contains(body, `id="secret"`) {
			t.Errorf("POST %v: %d, want 400 with the error and no secret", form, resp.StatusCode)
		}
	}
	if list, _ := e.db.APITokens(asUser(adv, haven.RoleAdvocate)); len(list) != 1 {
		t.Errorf("%d tokens, want the one issued", len(list))
	}
}

func TestServiceAccountTokensFromPage(t *testing.T) {
	e := newEnv(t, false)
	c := client(t)
	signIn(t, e, c, "admin", e.code(t))
	resp, body := post(t, c, e.srv.URL+"/account/service-accounts", url.Values{"username": {"ehr.bridge"}, "role": {"clinician"}, "display_name": {"EHR"}})
	if resp.StatusCode != http.StatusSeeOther {
		t.Fatalf("create service account: %d\n%s", resp.StatusCode, body)
	}
	if resp, body := post(t, c, e.srv.URL+"/account/service-accounts", url.Values{"username": {"root.svc"}, "role": {"admin"}}); resp.StatusCode != 400 ||
		!strings.Contains(body, "administrator") {
		t.Errorf("an admin service account: %d", resp.StatusCode)
	}
	resp, body = post(t, c, e.srv.URL+"/account/service-accounts/ehr.bridge/tokens", url.Values{"name": {"FHIR"}, "scope": {"fhir:read"}, "days": {"7"}})
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("issue for the service account: %d\n%s", resp.StatusCode, body)
	}
	secret := secretOf(t, body)
	if _, u, err := e.db.AuthenticateAPIToken(context.Background(), secret); err != nil || u.Username != "ehr.bridge" {
		t.Errorf("the token acts as %v (%v), want ehr.bridge", u, err)
	}
	// Not for a person's account.
	if resp, _ := post(t, c, e.srv.URL+"/account/service-accounts/nurse/tokens", url.Values{"name": {"x"}, "scope": {"fhir:read"}, "days": {"7"}}); resp.StatusCode != 400 {
		t.Errorf("issue for nurse: %d, want 400 (no such service account)", resp.StatusCode)
	}
	// Not by anyone but an administrator.
	c2 := client(t)
	signIn(t, e, c2, "advocate", "")
	if resp, _ := post(t, c2, e.srv.URL+"/account/service-accounts/ehr.bridge/tokens", url.Values{"name": {"x"}, "scope": {"fhir:read"}, "days": {"7"}}); resp.StatusCode != 403 {
		t.Errorf("an advocate issues for a service account: %d, want 403", resp.StatusCode)
	}
	if resp, _ := post(t, c2, e.srv.URL+"/account/service-accounts", url.Values{"username": {"mine"}, "role": {"clinician"}}); resp.StatusCode != 403 {
		t.Errorf("an advocate creates a service account: %d, want 403", resp.StatusCode)
	}
	_, body = get(t, c, e.srv.URL+"/account/tokens")
	m := regexp.MustCompile(`/account/service-accounts/ehr.bridge/tokens/([0-9a-f-]+)/revoke`).FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no revoke form for the service account's token:\n%s", body)
	}
	if resp, _ := post(t, c, e.srv.URL+m[0], nil); resp.StatusCode != http.StatusSeeOther {
		t.Errorf("revoke: %d", resp.StatusCode)
	}
	if _, _, err := e.db.AuthenticateAPIToken(context.Background(), secret); err == nil {
		t.Error("the revoked service token still authenticates")
	}
}
