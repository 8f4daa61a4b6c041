package main

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestErrorsRenderInEachSurfacesFormat checks, on the server as serve
// wires it, that each surface draws its own errors: the JSON error body
// under /api/ and /hsds/, an OperationOutcome under /fhir/ and an HTML
// page everywhere else, with the status of the error's kind.
func TestErrorsRenderInEachSurfacesFormat(t *testing.T) {
	url, stop := startServe(t, "--data", dataDir(t))
	defer stop()
	tests := []struct {
		path        string
		status      int
		contentType string
		body        string
	}{
		{"/api/v1/me", 401, "application/json", `"kind": "unauthenticated"`},
		{"/api/v1/no-such", 404, "application/json", `"kind": "not_found"`},
		{"/fhir/R4/Questionnaire", 401, "application/fhir+json", `"code": "login"`},
		{"/fhir/R4/no-such", 404, "application/fhir+json", `"resourceType": "OperationOutcome"`},
		{"/hsds/services?per_page=0", 400, "application/json", `"kind": "invalid"`},
		{"/hsds/no-such", 404, "application/json", `"kind": "not_found"`},
		{"/no-such-page", 404, "text/html; charset=utf-8", "<html"},
	}
	for _, tt := range tests {
		resp, err := http.Get(url + tt.path)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != tt.contentType || !strings.Contains(string(b), tt.body) {
			t.Errorf("GET %s: %d %s %.200s, want %d %s containing %s", tt.path, resp.StatusCode, resp.Header.Get("Content-Type"), b,
				tt.status, tt.contentType, tt.body)
		}
	}
}

// TestServePublicURL: --public-url is where FHIR's absolute references
// point, whatever Host a request came with; a malformed one is refused.
func TestServePublicURL(t *testing.T) {
	url, stop := startServe(t, "--data", dataDir(t), "--public-url", "https://haven.example.org")
	defer stop()
	resp, err := http.Get(url + "/fhir/R4/metadata")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `"url": "https://haven.example.org/fhir/R4"`) {
		t.Errorf("metadata does not name the public URL: %s", b)
	}
	for _, bad := range []string{"haven.example.org", "ftp://haven.example.org", "https://", "https://h.example/?q=1"} {
		code, _, errOut := run(t, context.Background(), "", "serve", "--data", dataDir(t), "--public-url", bad)
		if code != 1 || !strings.Contains(errOut, "--public-url") {
			t.Errorf("serve --public-url %s: code=%d err=%q", bad, code, errOut)
		}
	}
}
