package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

// duplicatesSQL finds the other records with a name and birth-date index
// ($1), other than $2, and whether user $3 is on each one's care team.
const duplicatesSQL = `SELECT s.id, s.case_number, EXISTS (SELECT 1 FROM care_team c WHERE c.survivor_id = s.id AND c.user_id = $3)
	FROM survivors s WHERE s.name_dob_index = $1 AND s.id <> $2`

// possibleDuplicates finds other records with the same blind index. It
// returns those on whose care team the actor is; each of the others goes
// to the supervisors' duplicate review queue and is not returned at all,
// so that the creator learns nothing of records they may not see (not
// even that there are some).
func (tx *Tx) possibleDuplicates(ctx context.Context, s *haven.Survivor, index []byte, actor haven.Actor) ([]haven.PossibleDuplicate, error) {
	if s.Name == "" || s.DateOfBirth == "" {
		return nil, nil
	}
	rows, err := tx.QueryContext(ctx, duplicatesSQL, index, s.ID, actor.UserID)
	if err != nil {
		return nil, fmt.Errorf("find duplicates: %w", err)
	}
	var out []haven.PossibleDuplicate
	var hidden []string
	for rows.Next() {
		var d haven.PossibleDuplicate
		var visible bool
		if err := rows.Scan(&d.ID, &d.CaseNumber, &visible); err != nil {
			rows.Close()
			return nil, err
		}
		if visible {
			out = append(out, d)
		} else {
			hidden = append(hidden, d.ID)
		}
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	for _, other := range hidden {
		id := newID()
		ev := haven.AuditEvent{Action: "duplicate_review.create", ObjectType: "duplicate_review", ObjectID: id}
		if _, err := tx.execAudited(ctx, ev, `INSERT INTO duplicate_reviews (id, survivor_id, other_id, created_by, created_at)
			VALUES ($1, $2, $3, $4, $5)`, id, s.ID, other, actor.UserID, tx.now); err != nil {
			return nil, fmt.Errorf("queue duplicate review: %w", err)
		}
	}
	return out, nil
}

// DuplicateReviews lists the unresolved possible duplicates, oldest
// first, with the case numbers of both records, for supervisors.
func (db *SurvivorService) DuplicateReviews(ctx context.Context) ([]haven.DuplicateReview, error) {
	if err := db.authorizeResource(ctx, access.List, access.DuplicateReview, "duplicate_review.list"); err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT d.id, d.survivor_id, COALESCE(a.case_number, ''), d.other_id, COALESCE(b.case_number, ''), d.created_at
		FROM duplicate_reviews d LEFT JOIN survivors a ON a.id = d.survivor_id LEFT JOIN survivors b ON b.id = d.other_id
		WHERE d.resolved_by = '' ORDER BY d.created_at, d.id`)
	if err != nil {
		return nil, fmt.Errorf("list duplicate reviews: %w", err)
	}
	defer rows.Close()
	var out []haven.DuplicateReview
	for rows.Next() {
		var d haven.DuplicateReview
		if err := rows.Scan(&d.ID, &d.SurvivorID, &d.SurvivorCase, &d.OtherID, &d.OtherCase, &d.CreatedAt); err != nil {
			return nil, err
		}
		d.CreatedAt = d.CreatedAt.UTC()
		out = append(out, d)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return out, db.inTx(ctx, func(tx *Tx) error {
		return tx.audit(ctx, haven.AuditEvent{Action: "duplicate_review.list", ObjectType: "duplicate_review"})
	})
}

// DuplicateReviewsPending counts the unresolved possible duplicates, for
// the alert on supervisors' pages.
func (db *SurvivorService) DuplicateReviewsPending(ctx context.Context) (int, error) {
	if err := db.authorizeResource(ctx, access.Read, access.DuplicateReview, "duplicate_review.count"); err != nil {
		return 0, err
	}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM duplicate_reviews WHERE resolved_by = ''`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count duplicate reviews: %w", err)
	}
	return n, nil
}

// ResolveDuplicateReview records a supervisor's finding on a possible
// duplicate; the change and its audit entry are one transaction.
func (db *SurvivorService) ResolveDuplicateReview(ctx context.Context, id, finding string) error {
	actor, err := actorOf(ctx)
	if err != nil {
		return err
	}
	if err := db.authorizeResource(ctx, access.Update, access.DuplicateReview, "duplicate_review.resolve"); err != nil {
		return err
	}
	if finding != haven.DuplicateSamePerson && finding != haven.DuplicateDistinct {
		return haven.FieldError("finding", "Choose same person or different people.")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		var resolver string
		err := tx.QueryRowContext(ctx, `SELECT resolved_by FROM duplicate_reviews WHERE id = $1`, id).Scan(&resolver)
		if errors.Is(err, sql.ErrNoRows) {
			return haven.Errorf(haven.NotFound, "Review not found.")
		} else if err != nil {
			return fmt.Errorf("read duplicate review: %w", err)
		} else if resolver != "" {
			return haven.Errorf(haven.Conflict, "This possible duplicate has been resolved.")
		}
		ev := haven.AuditEvent{Action: "duplicate_review.resolve", ObjectType: "duplicate_review", ObjectID: id, Reason: finding}
		_, err = tx.execAudited(ctx, ev, `UPDATE duplicate_reviews SET resolved_by = $1, resolved_at = $2, resolution = $3 WHERE id = $4`,
			actor.UserID, tx.now, finding, id)
		return err
	})
}
