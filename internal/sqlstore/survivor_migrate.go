package sqlstore

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/vault"
)

// sealLegacyDialects seals the dialects that rows written before
// migration 0012_sealed_dialects hold in the clear languages column: for
// each row without language_dialects_enc it seals the dialects under the
// survivor's data key and rewrites languages without them. It runs in the
// migration's transaction and reports how many rows it changed. A row
// whose key is gone (shredded) loses its dialects.
func (db *store) sealLegacyDialects(ctx context.Context, tx *sql.Tx) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id, languages FROM survivors WHERE language_dialects_enc IS NULL`)
	if err != nil {
		return 0, fmt.Errorf("find clear dialects: %w", err)
	}
	type row struct{ id, langs string }
	var pending []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.langs); err != nil {
			rows.Close()
			return 0, err
		}
		pending = append(pending, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, r := range pending {
		s := haven.Survivor{ID: r.id}
		var err error
		if s.Languages, err = languagesFromRest(r.langs); err != nil {
			return 0, fmt.Errorf("decode languages of %s: %w", r.id, err)
		}
		sealed, err := db.sealDialects(ctx, &s)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE survivors SET languages = $1, language_dialects_enc = $2 WHERE id = $3`,
			languagesAtRest(s.Languages), sealed, r.id); err != nil {
			return 0, fmt.Errorf("seal dialects of %s: %w", r.id, err)
		}
	}
	return len(pending), nil
}

// sealDialects seals the dialects of s under its data key; a shredded
// record's seal to an empty value, which no read opens.
func (db *store) sealDialects(ctx context.Context, s *haven.Survivor) ([]byte, error) {
	dk, err := db.dataKey(ctx, s.ID)
	if haven.ErrorKind(err) == haven.NotFound {
		return []byte{}, nil
	} else if err != nil {
		return nil, err
	}
	defer clear(dk)
	plain, err := atRest["language_dialects"].encode(&s.NewSurvivor)
	if err != nil {
		return nil, err
	}
	defer clear(plain)
	return vault.Seal(dk, plain, vault.AAD("survivors", "language_dialects", s.ID))
}
