package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/vault"
)

// liveGrant returns when the actor's live break-glass grant on a survivor
// ends, if there is one.
func liveGrant(ctx context.Context, q querier, userID, survivorID string, now time.Time) (time.Time, bool, error) {
	var expires time.Time
	err := q.QueryRowContext(ctx, `SELECT expires_at FROM break_glass WHERE user_id = $1 AND survivor_id = $2 AND expires_at > $3
		ORDER BY expires_at DESC LIMIT 1`, userID, survivorID, now).Scan(&expires)
	if errors.Is(err, sql.ErrNoRows) {
		return time.Time{}, false, nil
	} else if err != nil {
		return time.Time{}, false, fmt.Errorf("read break-glass grants: %w", err)
	}
	return expires.UTC(), true, nil
}

// BreakGlass grants the actor read-only access to a survivor for an hour,
// records why, and queues the grant for supervisors' review.
func (db *DB) BreakGlass(ctx context.Context, survivorID, reason string) (*haven.BreakGlassGrant, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := haven.ValidateBreakGlassReason(reason); err != nil {
		return nil, err
	}
	now := db.now()
	d := access.Decide(access.Request{Role: actor.Role, Action: access.Read, Resource: access.Survivor,
		Relationship: access.BreakGlass, Class: haven.Identifying, GrantExpires: now.Add(haven.BreakGlassDuration), Now: now})
	if !d.Allow {
		return nil, haven.Errorf(haven.Forbidden, "Your role cannot use emergency access.")
	}
	g := &haven.BreakGlassGrant{ID: newID(), UserID: actor.UserID, SurvivorID: survivorID, Reason: strings.TrimSpace(reason)}
	dk, err := db.dataKey(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	defer clear(dk)
	sealed, err := vault.Seal(dk, []byte(g.Reason), vault.AAD("break_glass", "reason", g.ID))
	if err != nil {
		return nil, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		g.CreatedAt, g.ExpiresAt = tx.now, tx.now.Add(haven.BreakGlassDuration)
		if _, err := tx.ExecContext(ctx, `INSERT INTO break_glass (id, user_id, survivor_id, reason_enc, created_at, expires_at)
			VALUES ($1, $2, $3, $4, $5, $6)`, g.ID, g.UserID, g.SurvivorID, sealed, g.CreatedAt, g.ExpiresAt); err != nil {
			return fmt.Errorf("grant break-glass: %w", err)
		}
		// The audit entry is the supervisors' alert: the review queue reads
		// the grants, and the audit log keeps the event for good.
		return tx.audit(ctx, haven.AuditEvent{Action: "survivor.break_glass", ObjectType: "survivor", ObjectID: survivorID, Reason: "grant:" + g.ID})
	})
	if err != nil {
		return nil, err
	}
	return g, nil
}

// BreakGlassQueue lists unreviewed grants, oldest first, with their
// reasons, for supervisors.
func (db *DB) BreakGlassQueue(ctx context.Context) ([]haven.BreakGlassGrant, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if !access.Allowed(actor.Role, access.List, access.EmergencyAccess) {
		return nil, haven.Errorf(haven.Forbidden, "Only supervisors review emergency access.")
	}
	rows, err := db.db.QueryContext(ctx, `SELECT g.id, g.user_id, g.survivor_id, COALESCE(s.case_number, ''), g.reason_enc, g.created_at, g.expires_at
		FROM break_glass g LEFT JOIN survivors s ON s.id = g.survivor_id
		WHERE g.reviewed_by = '' ORDER BY g.created_at, g.id`)
	if err != nil {
		return nil, fmt.Errorf("list break-glass grants: %w", err)
	}
	defer rows.Close()
	var out []haven.BreakGlassGrant
	for rows.Next() {
		var g haven.BreakGlassGrant
		var sealed []byte
		if err := rows.Scan(&g.ID, &g.UserID, &g.SurvivorID, &g.CaseNumber, &sealed, &g.CreatedAt, &g.ExpiresAt); err != nil {
			return nil, err
		}
		g.CreatedAt, g.ExpiresAt = g.CreatedAt.UTC(), g.ExpiresAt.UTC()
		g.Reason = db.openReason(ctx, g.SurvivorID, g.ID, sealed)
		out = append(out, g)
	}
	return out, rows.Err()
}

// BreakGlassPending counts grants awaiting review, for supervisors.
func (db *DB) BreakGlassPending(ctx context.Context) (int, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return 0, err
	}
	if !access.Allowed(actor.Role, access.List, access.EmergencyAccess) {
		return 0, haven.Errorf(haven.Forbidden, "Only supervisors review emergency access.")
	}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM break_glass WHERE reviewed_by = ''`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count break-glass grants: %w", err)
	}
	return n, nil
}

// openReason decrypts a grant's reason; a shredded survivor's reads as a
// notice, so the review queue still shows that access happened.
func (db *DB) openReason(ctx context.Context, survivorID, grantID string, sealed []byte) string {
	dk, err := db.dataKey(ctx, survivorID)
	if err != nil {
		return "(record deleted)"
	}
	defer clear(dk)
	p, err := vault.Open(dk, sealed, vault.AAD("break_glass", "reason", grantID))
	if err != nil {
		return "(unreadable)"
	}
	return string(p)
}

// ReviewBreakGlass records a supervisor's finding on a grant; nobody
// reviews their own.
func (db *DB) ReviewBreakGlass(ctx context.Context, grantID, finding string) error {
	actor, err := actorOf(ctx)
	if err != nil {
		return err
	}
	if !access.Allowed(actor.Role, access.Update, access.EmergencyAccess) {
		return haven.Errorf(haven.Forbidden, "Only supervisors review emergency access.")
	}
	if finding != haven.ReviewJustified && finding != haven.ReviewNotJustified {
		return haven.FieldError("finding", "Choose justified or not justified.")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		var owner, reviewer string
		err := tx.QueryRowContext(ctx, `SELECT user_id, reviewed_by FROM break_glass WHERE id = $1`, grantID).Scan(&owner, &reviewer)
		if errors.Is(err, sql.ErrNoRows) {
			return haven.Errorf(haven.NotFound, "Grant not found.")
		} else if err != nil {
			return err
		}
		switch {
		case owner == actor.UserID:
			return haven.Errorf(haven.Forbidden, "A second person must review your own emergency access.")
		case reviewer != "":
			return haven.Errorf(haven.Conflict, "This grant has been reviewed.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE break_glass SET reviewed_by = $1, reviewed_at = $2, review = $3 WHERE id = $4`,
			actor.UserID, tx.now, finding, grantID); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "break_glass.review", ObjectType: "break_glass", ObjectID: grantID, Reason: finding})
	})
}
