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
// records why, and queues the grant for supervisors' review. A live grant
// of the actor's on the record is returned unchanged, never extended; a
// grant after another within haven.BreakGlassWindow needs a fuller reason
// and is flagged as a repeat; too many in the window, or a "not
// justified" finding on the record, refuse it (the refusal is audited).
func (db *BreakGlassService) BreakGlass(ctx context.Context, survivorID, reason string) (*haven.BreakGlassGrant, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := haven.ValidateBreakGlassReason(reason, 0); err != nil {
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
	var refused error
	err = db.inTx(ctx, func(tx *Tx) error {
		if live, err := tx.liveGrantOf(ctx, actor.UserID, survivorID); err != nil || live != nil {
			if live != nil {
				g = live
				return tx.audit(ctx, haven.AuditEvent{Action: "survivor.break_glass", ObjectType: "survivor", ObjectID: survivorID,
					Reason: "live:" + live.ID})
			}
			return err
		}
		recent, barred, err := tx.grantHistory(ctx, actor.UserID, survivorID)
		if err != nil {
			return err
		}
		if refused = breakGlassRefusal(recent, barred, reason); refused != nil {
			if haven.ErrorKind(refused) != haven.Forbidden {
				return nil
			}
			return tx.audit(ctx, haven.AuditEvent{Action: "survivor.break_glass", ObjectType: "survivor", ObjectID: survivorID,
				Outcome: haven.OutcomeDenied, Reason: refusalReason(barred)})
		}
		g.Repeat = recent > 0
		g.CreatedAt, g.ExpiresAt = tx.now, tx.now.Add(haven.BreakGlassDuration)
		if _, err := tx.ExecContext(ctx, `INSERT INTO break_glass (id, user_id, survivor_id, reason_enc, created_at, expires_at, repeated)
			VALUES ($1, $2, $3, $4, $5, $6, $7)`, g.ID, g.UserID, g.SurvivorID, sealed, g.CreatedAt, g.ExpiresAt, g.Repeat); err != nil {
			return fmt.Errorf("grant break-glass: %w", err)
		}
		// The audit entry is the supervisors' alert: the review queue reads
		// the grants, and the audit log keeps the event for good.
		kind := "grant:"
		if g.Repeat {
			kind = "repeat:"
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "survivor.break_glass", ObjectType: "survivor", ObjectID: survivorID, Reason: kind + g.ID})
	})
	if err != nil {
		return nil, err
	}
	if refused != nil {
		return nil, refused
	}
	return g, nil
}

// liveGrantOf returns the user's live grant on a survivor, or nil.
func (tx *Tx) liveGrantOf(ctx context.Context, userID, survivorID string) (*haven.BreakGlassGrant, error) {
	g := haven.BreakGlassGrant{UserID: userID, SurvivorID: survivorID}
	err := tx.QueryRowContext(ctx, `SELECT id, created_at, expires_at, repeated FROM break_glass
		WHERE user_id = $1 AND survivor_id = $2 AND expires_at > $3 ORDER BY expires_at DESC LIMIT 1`,
		userID, survivorID, tx.now).Scan(&g.ID, &g.CreatedAt, &g.ExpiresAt, &g.Repeat)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read break-glass grants: %w", err)
	}
	g.CreatedAt, g.ExpiresAt = g.CreatedAt.UTC(), g.ExpiresAt.UTC()
	return &g, nil
}

// grantHistory counts the user's grants on a survivor within
// haven.BreakGlassWindow, and reports whether a "not justified" finding
// on one of them is younger than haven.BreakGlassBarAfterFinding.
func (tx *Tx) grantHistory(ctx context.Context, userID, survivorID string) (recent int, barred bool, err error) {
	var bars int
	err = tx.QueryRowContext(ctx, `SELECT
		COALESCE(SUM(CASE WHEN created_at > $3 THEN 1 ELSE 0 END), 0),
		COALESCE(SUM(CASE WHEN review = $4 AND reviewed_at > $5 THEN 1 ELSE 0 END), 0)
		FROM break_glass WHERE user_id = $1 AND survivor_id = $2`, userID, survivorID,
		tx.now.Add(-haven.BreakGlassWindow), haven.ReviewNotJustified, tx.now.Add(-haven.BreakGlassBarAfterFinding)).Scan(&recent, &bars)
	if err != nil {
		return 0, false, fmt.Errorf("read break-glass history: %w", err)
	}
	return recent, bars > 0, nil
}

// breakGlassRefusal is why a new grant is refused, or nil: a recent "not
// justified" finding or too many grants (Forbidden), or a reason too thin
// for a repeat (Invalid).
func breakGlassRefusal(recent int, barred bool, reason string) error {
	switch {
	case barred:
		return haven.Errorf(haven.Forbidden, "A supervisor found your earlier emergency access to this record not justified. Ask the care team or a supervisor.")
	case recent >= haven.BreakGlassMaxInWindow:
		return haven.Errorf(haven.Forbidden, "You have opened this record in an emergency %d times in 24 hours. Ask the care team or a supervisor.", recent)
	}
	return haven.ValidateBreakGlassReason(reason, recent)
}

// refusalReason is the coded audit reason of a refused grant.
func refusalReason(barred bool) string {
	if barred {
		return "not_justified_finding"
	}
	return "too_many_grants"
}

// BreakGlassQueue lists unreviewed grants, repeats first and then oldest
// first, with their reasons, for supervisors.
func (db *BreakGlassService) BreakGlassQueue(ctx context.Context) ([]haven.BreakGlassGrant, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if !access.Allowed(actor.Role, access.List, access.EmergencyAccess) {
		return nil, haven.Errorf(haven.Forbidden, "Only supervisors review emergency access.")
	}
	return db.pendingGrants(ctx, true)
}

// pendingGrants lists unreviewed grants, repeats first and then oldest
// first, with their reasons opened when reasons is set: the review queue
// and the supervisors' worklist (which shows case numbers only) read the
// same queue.
func (db *store) pendingGrants(ctx context.Context, reasons bool) ([]haven.BreakGlassGrant, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT g.id, g.user_id, g.survivor_id, COALESCE(s.case_number, ''), g.reason_enc, g.created_at, g.expires_at, g.repeated
		FROM break_glass g LEFT JOIN survivors s ON s.id = g.survivor_id
		WHERE g.reviewed_by = '' ORDER BY g.repeated DESC, g.created_at, g.id`)
	if err != nil {
		return nil, fmt.Errorf("list break-glass grants: %w", err)
	}
	defer rows.Close()
	var out []haven.BreakGlassGrant
	for rows.Next() {
		var g haven.BreakGlassGrant
		var sealed []byte
		if err := rows.Scan(&g.ID, &g.UserID, &g.SurvivorID, &g.CaseNumber, &sealed, &g.CreatedAt, &g.ExpiresAt, &g.Repeat); err != nil {
			return nil, err
		}
		g.CreatedAt, g.ExpiresAt = g.CreatedAt.UTC(), g.ExpiresAt.UTC()
		if reasons {
			g.Reason = db.openReason(ctx, g.SurvivorID, g.ID, sealed)
		}
		out = append(out, g)
	}
	return out, rows.Err()
}

// BreakGlassPending counts grants awaiting review, for supervisors.
func (db *BreakGlassService) BreakGlassPending(ctx context.Context) (int, error) {
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
func (db *store) openReason(ctx context.Context, survivorID, grantID string, sealed []byte) string {
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
// reviews their own. "Not justified" ends the grant at once.
func (db *BreakGlassService) ReviewBreakGlass(ctx context.Context, grantID, finding string) error {
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
		if finding == haven.ReviewNotJustified {
			// The finding ends the grant, and any other live one of the
			// same user on the record, at once: the next read is refused.
			if _, err := tx.ExecContext(ctx, `UPDATE break_glass SET expires_at = $1
				WHERE expires_at > $1 AND user_id = $2 AND survivor_id = (SELECT survivor_id FROM break_glass WHERE id = $3)`,
				tx.now, owner, grantID); err != nil {
				return fmt.Errorf("end break-glass grant: %w", err)
			}
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "break_glass.review", ObjectType: "break_glass", ObjectID: grantID, Reason: finding})
	})
}
