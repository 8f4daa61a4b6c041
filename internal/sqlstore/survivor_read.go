package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

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
	err = db.inTx(ctx, func(tx *Tx) error {
		if s, err = tx.readSurvivor(ctx, id); err != nil {
			return err
		}
		return tx.audit(ctx, read)
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
		&s.SafeContact.DoNotContact, &s.SafeContact.VoicemailSafe, &s.CreatedAt, &s.UpdatedAt}
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

// Survivors lists the records on the actor's care teams, newest first. It
// returns coded fields only, and records the listing.
func (db *SurvivorService) Survivors(ctx context.Context) ([]haven.SurvivorSummary, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	var out []haven.SurvivorSummary
	err = db.inTx(ctx, func(tx *Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT s.id, s.case_number, s.age_band, s.minor, s.updated_at FROM survivors s
			JOIN care_team c ON c.survivor_id = s.id WHERE c.user_id = $1 ORDER BY s.updated_at DESC, s.id DESC`, actor.UserID)
		if err != nil {
			return fmt.Errorf("list survivors: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var s haven.SurvivorSummary
			if err := rows.Scan(&s.ID, &s.CaseNumber, &s.AgeBand, &s.Minor, &s.UpdatedAt); err != nil {
				return err
			}
			s.UpdatedAt = s.UpdatedAt.UTC()
			out = append(out, s)
		}
		if err := rows.Err(); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "survivor.list", ObjectType: "survivor"})
	})
	return out, err
}

// AddToCareTeam adds a user to a survivor's care team; only a member of the
// team may add someone.
func (db *SurvivorService) AddToCareTeam(ctx context.Context, survivorID, userID string) error {
	actor, err := actorOf(ctx)
	if err != nil {
		return err
	}
	if err := db.authorize(ctx, actor, access.Update, access.Survivor, survivorID); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO care_team (survivor_id, user_id, added_at) VALUES ($1, $2, $3)
			ON CONFLICT (survivor_id, user_id) DO NOTHING`, survivorID, userID, tx.now)
		if err != nil {
			return fmt.Errorf("add to care team: %w", err)
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "care_team.add", ObjectType: "survivor", ObjectID: survivorID, Reason: "user:" + userID})
	})
}
