package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/vault"
)

// SurvivorEncryptedColumns lists the encrypted columns of survivors, for
// the registry test.
func SurvivorEncryptedColumns() []string {
	out := make([]string, len(survivorSecrets))
	for i, f := range survivorSecrets {
		out[i] = f.column
	}
	return out
}

const survivorCoded = `id, case_number, age_band, minor, languages, preferred_provider_gender, contact_channels,
	do_not_contact, voicemail_safe, created_at, updated_at`

// encColumns are the ciphertext columns of survivors, in survivorSecrets
// order.
var encColumns = func() []string {
	cols := make([]string, len(survivorSecrets))
	for i, f := range survivorSecrets {
		cols[i] = f.column + "_enc"
	}
	return cols
}()

// selectSurvivorSQL reads one row: the coded columns, then encColumns.
var selectSurvivorSQL = `SELECT ` + survivorCoded + `, ` + strings.Join(encColumns, ", ") + ` FROM survivors WHERE id = $1`

// newCaseNumber returns a random pseudonymous case number such as
// HV-7KQ3-M9XD: 40 random bits, no vowels-free guarantee needed since it
// encodes nothing about the person.
func newCaseNumber() string {
	b := make([]byte, 5)
	rand.Read(b)
	s := base32.StdEncoding.EncodeToString(b)
	return "HV-" + s[:4] + "-" + s[4:8]
}

// relationship returns the actor's relationship to a survivor's record and,
// for break-glass, when the grant ends.
func (db *store) relationship(ctx context.Context, q querier, actor haven.Actor, survivorID string) (access.Relationship, time.Time, error) {
	var n int
	err := q.QueryRowContext(ctx, `SELECT COUNT(*) FROM care_team WHERE survivor_id = $1 AND user_id = $2`, survivorID, actor.UserID).Scan(&n)
	if err != nil {
		return access.None, time.Time{}, fmt.Errorf("read care team: %w", err)
	}
	if n > 0 {
		return access.CareTeam, time.Time{}, nil
	}
	expires, ok, err := liveGrant(ctx, q, actor.UserID, survivorID, db.now())
	if err != nil || !ok {
		return access.None, time.Time{}, err
	}
	return access.BreakGlass, expires, nil
}

type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

var errSurvivorNotFound = haven.Errorf(haven.NotFound, "Record not found.")

// authorize asks the access decision and, on a denial, records it in the
// audit log in its own transaction (the denied change never happens) and
// returns NotFound, so that the record's existence does not leak.
func (db *store) authorize(ctx context.Context, actor haven.Actor, act access.Action, res access.Resource, id string) error {
	_, _, err := db.authorizeAs(ctx, actor, act, res, id)
	return err
}

// authorizeAs is authorize, returning the relationship it allowed and, for
// break-glass, when the grant ends.
func (db *store) authorizeAs(ctx context.Context, actor haven.Actor, act access.Action, res access.Resource, id string) (access.Relationship, time.Time, error) {
	rel := access.None // a new record: no relationship yet
	var expires time.Time
	if id != "" {
		var err error
		if rel, expires, err = db.relationship(ctx, db.db, actor, id); err != nil {
			return rel, expires, err
		}
	}
	d := access.Decide(access.Request{Role: actor.Role, Action: act, Resource: res, Relationship: rel,
		Class: haven.Identifying, GrantExpires: expires, Now: db.now()})
	if d.Allow {
		return rel, expires, nil
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		return tx.audit(ctx, haven.AuditEvent{Action: string(res) + "." + string(act), ObjectType: string(res), ObjectID: id,
			Outcome: haven.OutcomeDenied, Reason: d.Reason})
	})
	if err != nil {
		return rel, expires, err
	}
	if id == "" {
		return rel, expires, haven.Errorf(haven.Forbidden, "Your role may not do this.")
	}
	return rel, expires, errSurvivorNotFound
}

// readEvent is the audit entry of a read of a survivor's data that the
// access decision allowed under rel: a read under emergency access says so
// in its reason, whatever it reads (the record, a screening, a list), so
// that the review sees every read the grant allowed.
func readEvent(rel access.Relationship, action, objectType, objectID string) haven.AuditEvent {
	ev := haven.AuditEvent{Action: action, ObjectType: objectType, ObjectID: objectID}
	if rel == access.BreakGlass {
		ev.Reason = "emergency access"
	}
	return ev
}

func actorOf(ctx context.Context) (haven.Actor, error) {
	a, ok := haven.ActorFrom(ctx)
	if !ok {
		return a, errNoSession
	}
	return a, nil
}

// CreateSurvivor creates a record under a fresh data key; the actor joins
// its care team.
func (db *SurvivorService) CreateSurvivor(ctx context.Context, ns haven.NewSurvivor) (*haven.Survivor, []haven.PossibleDuplicate, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, nil, err
	}
	if err := db.authorize(ctx, actor, access.Create, access.Survivor, ""); err != nil {
		return nil, nil, err
	}
	s, err := ns.Normalize(db.now())
	if err != nil {
		return nil, nil, err
	}
	id, dk, err := db.newDataKey(ctx)
	if err != nil {
		return nil, nil, err
	}
	defer clear(dk)
	s.ID, s.CaseNumber = id, newCaseNumber()
	var dups []haven.PossibleDuplicate
	err = db.inTx(ctx, func(tx *Tx) error {
		s.CreatedAt, s.UpdatedAt = tx.now, tx.now
		index, err := tx.writeSurvivor(ctx, &s, dk, true)
		if err != nil {
			return err
		}
		created := haven.AuditEvent{Action: "survivor.create", ObjectType: "survivor", ObjectID: s.ID}
		if _, err := tx.execAudited(ctx, created, `INSERT INTO care_team (survivor_id, user_id, added_at) VALUES ($1, $2, $3)`,
			s.ID, actor.UserID, tx.now); err != nil {
			return fmt.Errorf("add to care team: %w", err)
		}
		dups, err = tx.possibleDuplicates(ctx, &s, index, actor)
		return err
	})
	if err != nil {
		return nil, nil, err
	}
	return &s, dups, nil
}

// writeSurvivor seals the secret fields of s under dk and inserts or
// updates the row; it returns the row's name and birth-date blind index.
func (tx *Tx) writeSurvivor(ctx context.Context, s *haven.Survivor, dk []byte, insert bool) ([]byte, error) {
	sealer, err := vault.NewSealer(dk)
	if err != nil {
		return nil, err
	}
	sealed := make([]any, len(survivorSecrets))
	for i, f := range survivorSecrets {
		plain, err := f.encode(&s.NewSurvivor)
		if err != nil {
			return nil, err
		}
		sealed[i] = sealer.Seal(plain, vault.AAD("survivors", f.column, s.ID))
		clear(plain)
	}
	indexer, err := tx.db.blindIndexer(ctx, "survivor name+dob")
	if err != nil {
		return nil, err
	}
	index := indexer.Index(s.Name, s.DateOfBirth)
	coded := []any{s.ID, s.CaseNumber, index, s.AgeBand, s.Minor, languagesAtRest(s.Languages), s.PreferredProviderGender,
		joinChannels(s.SafeContact.Channels), s.SafeContact.DoNotContact, s.SafeContact.VoicemailSafe, s.CreatedAt, s.UpdatedAt}
	args := append(coded, sealed...)
	if insert {
		_, err = tx.ExecContext(ctx, insertSurvivorSQL, args...)
	} else {
		_, err = tx.ExecContext(ctx, updateSurvivorSQL, args...)
	}
	if err != nil {
		return nil, fmt.Errorf("write survivor: %w", err)
	}
	return index, nil
}

// insertSurvivorSQL and updateSurvivorSQL write a row from writeSurvivor's
// arguments: the coded columns, then the sealed ones in survivorSecrets
// order.
var insertSurvivorSQL, updateSurvivorSQL = func() (string, string) {
	coded := []string{"id", "case_number", "name_dob_index", "age_band", "minor", "languages", "preferred_provider_gender",
		"contact_channels", "do_not_contact", "voicemail_safe", "created_at", "updated_at"}
	cols := append(coded, encColumns...)
	var set []string
	for i, c := range cols[2:] { // id and case number never change
		set = append(set, fmt.Sprintf("%s = $%d", c, i+3))
	}
	return `INSERT INTO survivors (` + strings.Join(cols, ", ") + `) VALUES (` + placeholders(len(cols)) + `)`,
		`UPDATE survivors SET ` + strings.Join(set, ", ") + ` WHERE id = $1 AND case_number = $2`
}()

func placeholders(n int) string {
	p := make([]string, n)
	for i := range p {
		p[i] = fmt.Sprintf("$%d", i+1)
	}
	return strings.Join(p, ", ")
}

func joinChannels(chs []haven.ContactChannel) string {
	s := make([]string, len(chs))
	for i, c := range chs {
		s[i] = string(c)
	}
	return strings.Join(s, " ")
}

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
	var todo []row
	for rows.Next() {
		var r row
		if err := rows.Scan(&r.id, &r.langs); err != nil {
			rows.Close()
			return 0, err
		}
		todo = append(todo, r)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	for _, r := range todo {
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
	return len(todo), nil
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
