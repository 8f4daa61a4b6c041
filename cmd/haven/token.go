package main

import (
	"context"
	"fmt"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/sqlstore"
)

func init() {
	commands["token"] = command{"issue, list and revoke API tokens (token create|list|revoke)", runToken}
}

const tokenUsage = "token create --username NAME --name LABEL --scopes SCOPES [--expires DURATION]\n" +
	"       haven token list --username NAME\n" +
	"       haven token revoke --username NAME TOKEN_ID\n\n" +
	"API tokens authenticate machine clients to /api/v1 and /fhir/R4 as the named account, with its role,\n" +
	"narrowed by the token's scopes (" + "api:read, api:write, fhir:read, fhir:write" + "). The secret is printed\n" +
	"once, on standard output, and never stored: keep it in the client's secret store. Tokens always expire\n" +
	"(at most 365 days). Administrators can also issue tokens for service accounts on the /account/tokens page."

func runToken(m *Main, ctx context.Context, args []string) error {
	if len(args) == 0 {
		return usageError{"token: expected create, list or revoke (see haven token -h)"}
	}
	switch args[0] {
	case "create":
		return runTokenCreate(m, ctx, args[1:])
	case "list":
		return runTokenList(m, ctx, args[1:])
	case "revoke":
		return runTokenRevoke(m, ctx, args[1:])
	case "-h", "--help", "-help":
		fmt.Fprintf(m.Stdout, "Usage: haven %s\n\nExample:\n  haven token create --username ehr.bridge --name \"EHR FHIR bridge\" --scopes fhir:read,fhir:write --expires 90d\n", tokenUsage)
		return nil
	}
	return usageError{fmt.Sprintf("token: unknown subcommand %q (expected create, list or revoke)", args[0])}
}

// tokenStore opens the store for the api-tokens job.
func (m *Main) tokenStore(ctx context.Context, sf *storeFlags) (*sqlstore.APITokenAdminService, context.Context, error) {
	db, err := m.openStore(ctx, sf, true)
	if err != nil {
		return nil, nil, err
	}
	return sqlstore.NewAPITokenAdminService(db), haven.WithSystem(ctx, access.JobAPITokens), nil
}

func runTokenCreate(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "token create", tokenUsage,
		"haven token create --username ehr.bridge --name \"EHR FHIR bridge\" --scopes fhir:read,fhir:write --expires 90d")
	var sf storeFlags
	var username, name, scopes, expires string
	sf.register(fs)
	fs.StringVar(&username, "username", "", "the account the token acts as")
	fs.StringVar(&name, "name", "", "what the token is for, shown in lists (1-100 characters)")
	fs.StringVar(&scopes, "scopes", "", "comma-separated scopes: api:read, api:write, fhir:read, fhir:write")
	fs.StringVar(&expires, "expires", "90d", "lifetime: a Go duration (12h) or days (90d), at most 365d")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if username == "" {
		return usageError{"token create: --username is required"}
	}
	lifetime, err := parseLifetime(expires)
	if err != nil {
		return err
	}
	svc, jctx, err := m.tokenStore(ctx, &sf)
	if err != nil {
		return err
	}
	secret, t, err := svc.IssueAPIToken(jctx, username, name, parseScopes(scopes), lifetime)
	if err != nil {
		return fieldErrorLine(err)
	}
	fmt.Fprintf(m.Stderr, "created token %s for %s (scopes %s, expires %s); the secret is shown once:\n",
		t.ID, username, joinScopes(t.Scopes), t.ExpiresAt.Format(time.RFC3339))
	fmt.Fprintln(m.Stdout, secret)
	return nil
}

func runTokenList(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "token list", tokenUsage, "haven token list --username ehr.bridge")
	var sf storeFlags
	var username string
	sf.register(fs)
	fs.StringVar(&username, "username", "", "the account whose tokens to list")
	if err := parseFlags(fs, args); err != nil {
		return err
	}
	if username == "" {
		return usageError{"token list: --username is required"}
	}
	svc, jctx, err := m.tokenStore(ctx, &sf)
	if err != nil {
		return err
	}
	list, err := svc.AccountAPITokens(jctx, username)
	if err != nil {
		return fieldErrorLine(err)
	}
	tw := tabwriter.NewWriter(m.Stdout, 0, 4, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tNAME\tSCOPES\tCREATED\tEXPIRES\tSTATE")
	now := time.Now()
	for _, t := range list {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", t.ID, t.Name, joinScopes(t.Scopes),
			t.CreatedAt.Format(time.DateOnly), t.ExpiresAt.Format(time.DateOnly), t.State(now))
	}
	return tw.Flush()
}

func runTokenRevoke(m *Main, ctx context.Context, args []string) error {
	fs := newFlagSet(m, "token revoke", tokenUsage, "haven token revoke --username ehr.bridge 0193c1d2-…")
	var sf storeFlags
	var username string
	sf.register(fs)
	fs.StringVar(&username, "username", "", "the account the token belongs to")
	id, err := oneArg(fs, args, "TOKEN_ID")
	if err != nil {
		return err
	}
	if username == "" {
		return usageError{"token revoke: --username is required"}
	}
	svc, jctx, err := m.tokenStore(ctx, &sf)
	if err != nil {
		return err
	}
	if err := svc.RevokeAccountAPIToken(jctx, username, id); err != nil {
		return err
	}
	fmt.Fprintf(m.Stdout, "revoked token %s\n", id)
	return nil
}

// parseLifetime reads a Go duration or a number of days ("90d").
func parseLifetime(s string) (time.Duration, error) {
	if days, ok := strings.CutSuffix(s, "d"); ok {
		var n int
		if _, err := fmt.Sscanf(days, "%d", &n); err == nil && fmt.Sprint(n) == days {
			return time.Duration(n) * 24 * time.Hour, nil
		}
	}
	d, err := time.ParseDuration(s)
	if err != nil {
		return 0, haven.Errorf(haven.Invalid, "--expires: %q is neither a duration (12h) nor days (90d)", s)
	}
	return d, nil
}

// parseScopes splits a comma- or space-separated list of scopes.
func parseScopes(s string) []haven.Scope {
	var out []haven.Scope
	for _, f := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		out = append(out, haven.Scope(f))
	}
	return out
}

func joinScopes(s []haven.Scope) string {
	out := make([]string, len(s))
	for i, x := range s {
		out[i] = string(x)
	}
	return strings.Join(out, ",")
}
