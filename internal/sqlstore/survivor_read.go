package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/vault"
)

// Survivor reads a record the actor may see, and records the read. Read
// through emergency access, the record says until when (EmergencyUntil)
// and the audit entry says how.
func (db *SurvivorService) Survivor(ctx context.Context, id string) (*haven.Survivor, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rel, expires, err := db.authorizeAs(ctx, actor, access.Read, access.Survivor, id)
	if err != nil {
		return nil, err
	}
	read := readEvent(rel, "survivor.read", "survivor", id)
	var s *haven.Survivor
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if s, err = tx.readSurvivor(ctx, id); err != nil {
			return err
		}
		return tx.auditRead(ctx, read)
	})
	if err == nil && rel == access.BreakGlass {
		s.EmergencyUntil = expires
	}
	return s, err
}

// readSurvivor loads and decrypts one record.
func (tx *Tx) readSurvivor(ctx context.Context, id string) (*haven.Survivor, error) {
	var s haven.Survivor
	var langs, channels string // channels: a queryable copy of SafeContact.Channels
	sealed := make([][]byte, len(survivorSecrets))
	dest := []any{&s.ID, &s.CaseNumber, &s.AgeBand, &s.Minor, &langs, &s.PreferredProviderGender, &channels,
		&s.SafeContact.DoNotContact, &s.SafeContact.VoicemailSafe, &s.CreatedAt, &s.UpdatedAt,
		&s.Groups.Gender, &s.Groups.RegionOfOrigin, &s.Groups.TraffickingType, &s.Groups.Area}
	for i := range sealed {
		dest = append(dest, &sealed[i])
	}
	err := tx.QueryRowContext(ctx, selectSurvivorSQL, id).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, errSurvivorNotFound
	} else if err != nil {
		return nil, fmt.Errorf("read survivor: %w", err)
	}
	s.CreatedAt, s.UpdatedAt = s.CreatedAt.UTC(), s.UpdatedAt.UTC()
	if s.Languages, err = languagesFromRest(langs); err != nil {
		return nil, err
	}
	dk, err := tx.db.dataKey(ctx, id)
	if err != nil {
		return nil, err
	}
	defer clear(dk)
	sealer, err := vault.NewSealer(dk)
	if err != nil {
		return nil, err
	}
	for i, f := range survivorSecrets {
		plain, err := sealer.Open(sealed[i], vault.AAD("survivors", f.column, id))
		if err != nil {
			return nil, fmt.Errorf("decrypt survivors.%s of %s: %w", f.column, id, err)
		}
		if err := f.decode(plain, &s.NewSurvivor); err != nil {
			return nil, fmt.Errorf("decode survivors.%s: %w", f.column, err)
		}
		clear(plain)
	}
	return &s, nil
}

// UpdateSurvivor replaces a record's fields under its existing data key.
func (db *SurvivorService) UpdateSurvivor(ctx context.Context, id string, ns haven.NewSurvivor) (*haven.Survivor, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Update, access.Survivor, id); err != nil {
		return nil, err
	}
	s, err := ns.Normalize(db.now())
	if err != nil {
		return nil, err
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		old, err := tx.readSurvivor(ctx, id)
		if err != nil {
			return err
		}
		s.ID, s.CaseNumber, s.CreatedAt, s.UpdatedAt = old.ID, old.CaseNumber, old.CreatedAt, tx.now
		dk, err := tx.db.dataKey(ctx, id)
		if err != nil {
			return err
		}
		defer clear(dk)
		if _, err := tx.writeSurvivor(ctx, &s, dk, false); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "survivor.update", ObjectType: "survivor", ObjectID: id})
	})
	if err != nil {
		return nil, err
	}
	return &s, nil
}

// DeleteSurvivor deletes a record and destroys its data key.
func (db *SurvivorService) DeleteSurvivor(ctx context.Context, id string) error {
	actor, err := actorOf(ctx)
	if err != nil {
		return err
	}
	if err := db.authorize(ctx, actor, access.Delete, access.Survivor, id); err != nil {
		return err
	}
	// The key goes first: if what follows fails, the record is already
	// unreadable, which is what the survivor asked for.
	if err := db.destroyDataKey(ctx, id); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM survivors WHERE id = $1`, id)
		if err != nil {
			return fmt.Errorf("delete survivor: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errSurvivorNotFound
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "survivor.delete", ObjectType: "survivor", ObjectID: id, Reason: "crypto_shred"})
	})
}

// Survivors lists the records the actor may see, newest first: those on
// their care teams; for a supervisor, those whose care teams hold a member
// of a team they supervise (Supervised); and those they hold a live
// emergency-access grant for (EmergencyUntil). It returns coded fields
// only, and records the listing.
func (db *SurvivorService) Survivors(ctx context.Context) ([]haven.SurvivorSummary, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	var out []haven.SurvivorSummary
	err = db.inTx(ctx, func(tx *Tx) error {
		if out, err = tx.survivorsOf(ctx, actor); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "survivor.list", ObjectType: "survivor"})
	})
	return out, err
}

// survivorsListSQL lists the records of user $1's care teams (how 0) and,
// when $2 (the user is a supervisor), those of the care teams that hold a
// member of a team the user supervises (how 1); a record can come twice.
const survivorsListSQL = `SELECT s.id, s.case_number, s.age_band, s.minor, s.updated_at, v.how FROM survivors s JOIN (
	SELECT c.survivor_id, 0 AS how FROM care_team c WHERE c.user_id = $1
	UNION
	SELECT c.survivor_id, 1 AS how FROM team_members sv
		JOIN team_members m ON m.team_id = sv.team_id
		JOIN care_team c ON c.user_id = m.user_id
		WHERE $2 AND sv.user_id = $1 AND sv.supervisor) v ON v.survivor_id = s.id`

// survivorsOf reads the actor's list: survivorsListSQL, then the live
// grants, one entry per record (the closest tie wins).
func (tx *Tx) survivorsOf(ctx context.Context, actor haven.Actor) ([]haven.SurvivorSummary, error) {
	byID := map[string]*haven.SurvivorSummary{}
	rows, err := tx.QueryContext(ctx, survivorsListSQL, actor.UserID, actor.Role == haven.RoleSupervisor)
	if err != nil {
		return nil, fmt.Errorf("list survivors: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s haven.SurvivorSummary
		var how int
		if err := rows.Scan(&s.ID, &s.CaseNumber, &s.AgeBand, &s.Minor, &s.UpdatedAt, &how); err != nil {
			return nil, err
		}
		s.Supervised = how == 1
		if prev, ok := byID[s.ID]; !ok || prev.Supervised && !s.Supervised {
			byID[s.ID] = &s
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()
	if err := tx.grantedSurvivors(ctx, actor.UserID, byID); err != nil {
		return nil, err
	}
	out := make([]haven.SurvivorSummary, 0, len(byID))
	for _, s := range byID {
		s.UpdatedAt = s.UpdatedAt.UTC()
		out = append(out, *s)
	}
	slices.SortFunc(out, func(a, b haven.SurvivorSummary) int {
		if c := b.UpdatedAt.Compare(a.UpdatedAt); c != 0 {
			return c
		}
		return strings.Compare(b.ID, a.ID)
	})
	return out, nil
}

// grantedSurvivors adds to byID the records the user holds a live
// emergency-access grant for and has no other tie to.
func (tx *Tx) grantedSurvivors(ctx context.Context, userID string, byID map[string]*haven.SurvivorSummary) error {
	rows, err := tx.QueryContext(ctx, `SELECT s.id, s.case_number, s.age_band, s.minor, s.updated_at, g.expires_at
		FROM break_glass g JOIN survivors s ON s.id = g.survivor_id WHERE g.user_id = $1 AND g.expires_at > $2`, userID, tx.now)
	if err != nil {
		return fmt.Errorf("list emergency access: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var s haven.SurvivorSummary
		if err := rows.Scan(&s.ID, &s.CaseNumber, &s.AgeBand, &s.Minor, &s.UpdatedAt, &s.EmergencyUntil); err != nil {
			return err
		}
		s.EmergencyUntil = s.EmergencyUntil.UTC()
		if prev, ok := byID[s.ID]; !ok || !prev.EmergencyUntil.IsZero() && prev.EmergencyUntil.Before(s.EmergencyUntil) {
			byID[s.ID] = &s
		}
	}
	return rows.Err()
}
