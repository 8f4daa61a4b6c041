package sqlstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

// TranslationReviews lists every recorded review of a survivor-facing
// text. Any signed-in user may read them: every page that prints those
// texts says whether they are reviewed. They hold no survivor data.
func (db *TranslationService) TranslationReviews(ctx context.Context) ([]haven.TranslationReview, error) {
	if _, ok := haven.ActorFrom(ctx); !ok {
		return nil, errNoSession
	}
	rows, err := db.db.QueryContext(ctx, `SELECT language, msg_key, source_hash, text_hash, reviewer, reviewed_by, reviewed_at
		FROM translation_reviews ORDER BY language, msg_key`)
	if err != nil {
		return nil, fmt.Errorf("list translation reviews: %w", err)
	}
	defer rows.Close()
	var out []haven.TranslationReview
	for rows.Next() {
		var r haven.TranslationReview
		if err := rows.Scan(&r.Language, &r.Key, &r.SourceHash, &r.TextHash, &r.Reviewer, &r.ReviewedBy, &r.ReviewedAt); err != nil {
			return nil, err
		}
		r.ReviewedAt = r.ReviewedAt.UTC()
		out = append(out, r)
	}
	return out, rows.Err()
}

// ReviewTranslation records that r.Reviewer reviewed one text, bound to
// the hashes of its source and its translation; administrators only
// (access.Settings). The audit entry names the text by language and key,
// never the reviewer.
func (db *TranslationService) ReviewTranslation(ctx context.Context, r haven.TranslationReview) error {
	if err := db.authorizeResource(ctx, access.Update, access.Settings, "translation.review"); err != nil {
		return err
	}
	r.Reviewer = strings.TrimSpace(r.Reviewer)
	switch {
	case r.Reviewer == "" || len(r.Reviewer) > 200:
		return haven.FieldError("reviewer", "Name the person who reviewed the text (up to 200 characters).")
	case !validCode(r.Language, 2, 8) || !validCode(r.Key, 1, 100):
		return haven.FieldError("key", "Choose a text from the list.")
	case len(r.SourceHash) != 64 || len(r.TextHash) != 64:
		return haven.FieldError("key", "The text changed; reload the page and review it again.")
	}
	actor, _ := haven.ActorFrom(ctx)
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO translation_reviews (language, msg_key, source_hash, text_hash, reviewer, reviewed_by, reviewed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (language, msg_key) DO UPDATE SET source_hash = excluded.source_hash,
			text_hash = excluded.text_hash, reviewer = excluded.reviewer, reviewed_by = excluded.reviewed_by, reviewed_at = excluded.reviewed_at`,
			r.Language, r.Key, r.SourceHash, r.TextHash, r.Reviewer, actor.UserID, tx.now)
		if err != nil {
			return fmt.Errorf("save translation review: %w", err)
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "translation.review", ObjectType: "translation", ObjectID: r.Language + ":" + r.Key})
	})
}

// validCode reports whether s is a language code or message key: n to m
// lowercase letters, digits, dot, dash or underscore.
func validCode(s string, n, m int) bool {
	if len(s) < n || len(s) > m {
		return false
	}
	for _, c := range s {
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}
