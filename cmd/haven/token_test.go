package main

import (
	"context"
	"strings"
	"testing"
)

func TestTokenCommands(t *testing.T) {
	ctx := context.Background()
	dir := dataDir(t)
	if code, out, errOut := run(t, ctx, "", "user", "add", "--data", dir, "--username", "ehr.bridge", "--role", "clinician", "--service-account"); code != 0 ||
		!strings.Contains(out, "created service account clinician ehr.bridge") {
		t.Fatalf("user add --service-account: code=%d out=%q err=%q", code, out, errOut)
	}
	code, secret, errOut := run(t, ctx, "", "token", "create", "--data", dir, "--username", "ehr.bridge", "--name", "EHR bridge",
		"--scopes", "fhir:read,fhir:write", "--expires", "30d")
	secret = strings.TrimSpace(secret)
	if code != 0 || !strings.HasPrefix(secret, "haven_") || strings.Count(secret, "\n") != 0 || !strings.Contains(errOut, "shown once") {
		t.Fatalf("token create: code=%d out=%q err=%q", code, secret, errOut)
	}
	id := strings.Fields(strings.TrimPrefix(errOut, "created token "))[0]
	code, out, _ := run(t, ctx, "", "token", "list", "--data", dir, "--username", "ehr.bridge")
	if code != 0 || !strings.Contains(out, id) || !strings.Contains(out, "fhir:read,fhir:write") || !strings.Contains(out, "active") ||
		strings.Contains(out, secret) {
		t.Errorf("token list: code=%d out=%q", code, out)
	}
	if code, out, _ := run(t, ctx, "", "token", "revoke", "--data", dir, "--username", "ehr.bridge", id); code != 0 || !strings.Contains(out, "revoked") {
		t.Errorf("token revoke: code=%d out=%q", code, out)
	}
	if _, out, _ := run(t, ctx, "", "token", "list", "--data", dir, "--username", "ehr.bridge"); !strings.Contains(out, "revoked") {
		t.Errorf("token list after revoke: %q", out)
	}

	bad := []struct {
		args []string
		code int
		err  string
	}{
		{[]string{"token", "create", "--data", dir, "--username", "ehr.bridge", "--name", "x", "--scopes", "root"}, 1, "--scopes"},
		{[]string{"token", "create", "--data", dir, "--username", "ehr.bridge", "--name", "x", "--scopes", "fhir:read", "--expires", "400d"}, 1, "--expires: A token lives"},
		{[]string{"token", "create", "--data", dir, "--username", "ehr.bridge", "--name", "x", "--scopes", "fhir:read", "--expires", "soon"}, 1, "--expires"},
		{[]string{"token", "create", "--data", dir, "--username", "nobody", "--name", "x", "--scopes", "fhir:read"}, 1, "--username"},
		{[]string{"token", "create", "--data", dir, "--name", "x"}, 2, "--username is required"},
		{[]string{"token", "revoke", "--data", dir, "--username", "ehr.bridge", id}, 1, "not found"},
		{[]string{"token", "frob"}, 2, "unknown subcommand"},
		{[]string{"user", "add", "--data", dir, "--username", "root.svc", "--role", "admin", "--service-account"}, 1, "administrator"},
	}
	for _, tt := range bad {
		code, _, errOut := run(t, ctx, "", tt.args...)
		if code != tt.code || !strings.Contains(errOut, tt.err) {
			t.Errorf("haven %s: code=%d err=%q, want %d with %q", strings.Join(tt.args, " "), code, errOut, tt.code, tt.err)
		}
	}
}
