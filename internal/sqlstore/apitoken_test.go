package sqlstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/sqlstore/sqlstoretest"
)

func TestAPITokenLifecycle(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		clock := &fixedClock{time.Date(2026, 5, 1, 8, 0, 0, 0, time.UTC)}
		db.DB.Clock = clock
		u := mustUser(t, db, "integrator", haven.RoleAdvocate)
		ctx := haven.WithActor(context.Background(), haven.Actor{UserID: u.ID, Role: u.Role})
		secret, tok, err := db.CreateAPIToken(ctx, "EHR bridge", []haven.Scope{haven.ScopeFHIRRead}, 24*time.Hour)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.HasPrefix(secret, "haven_") {
			t.Errorf("secret=%q, want the haven_ prefix", secret)
		}
		got, gu, err := db.AuthenticateAPIToken(context.Background(), secret)
		if err != nil || gu.ID != u.ID || !got.Has(haven.ScopeFHIRRead) || got.Has(haven.ScopeAPIWrite) {
			t.Fatalf("AuthenticateAPIToken=%+v,%v,%v", got, gu, err)
		}
		if _, _, err := db.AuthenticateAPIToken(context.Background(), secret+"x"); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("wrong secret err=%v, want Unauthenticated", err)
		}
		if err := db.RevokeAPIToken(ctx, tok.ID); err != nil {
			t.Fatal(err)
		}
		if _, _, err := db.AuthenticateAPIToken(context.Background(), secret); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("revoked token err=%v, want Unauthenticated", err)
		}
		secret, _, _ = db.CreateAPIToken(ctx, "short", []haven.Scope{haven.ScopeAPIRead}, time.Hour)
		clock.t = clock.t.Add(time.Hour)
		if _, _, err := db.AuthenticateAPIToken(context.Background(), secret); haven.ErrorKind(err) != haven.Unauthenticated {
			t.Errorf("expired token err=%v, want Unauthenticated", err)
		}
		if list, _ := db.APITokens(ctx); len(list) != 2 || list[1].RevokedAt == nil {
			t.Errorf("APITokens=%+v, want 2 with the first revoked", list)
		}
	})
}

func TestAPITokenValidation(t *testing.T) {
	sqlstoretest.Run(t, func(t *testing.T, db *sqlstoretest.Store) {
		u := mustUser(t, db, "integrator", haven.RoleAdvocate)
		ctx := haven.WithActor(context.Background(), haven.Actor{UserID: u.ID, Role: u.Role})
		tests := []struct {
			name     string
			scopes   []haven.Scope
			lifetime time.Duration
			field    string
		}{
			{"", []haven.Scope{haven.ScopeAPIRead}, time.Hour, "name"},
			{"x", nil, time.Hour, "scopes"},
			{"x", []haven.Scope{"root"}, time.Hour, "scopes"},
			{"x", []haven.Scope{haven.ScopeAPIRead}, 2 * haven.MaxAPITokenLifetime, "lifetime"},
		}
		for _, tt := range tests {
			_, _, err := db.CreateAPIToken(ctx, tt.name, tt.scopes, tt.lifetime)
			if haven.ErrorFields(err)[tt.field] == "" {
				t.Errorf("CreateAPIToken(%q,%v,%v) err=%v, want a %s field error", tt.name, tt.scopes, tt.lifetime, err, tt.field)
			}
		}
		if list, _ := db.APITokens(ctx); len(list) != 0 {
			t.Errorf("%d tokens after refused creations, want 0", len(list))
		}
	})
}
