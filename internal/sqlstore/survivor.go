package sqlstore

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/base32"
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
	do_not_contact, voicemail_safe, created_at, updated_at, gender, region_of_origin, trafficking_type, area`

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

// relationship returns the actor's relationship to a survivor's record
// and, for break-glass, when the grant ends: the care team's lead, another
// member, a supervisor of a team that holds a member of the care team
// (only for the supervisor role), then a live emergency-access grant. It
// runs on every request, so it asks one indexed query, and a second only
// for those with no tie: a member removed a moment ago is refused at once.
func (db *store) relationship(ctx context.Context, q querier, actor haven.Actor, survivorID string) (access.Relationship, time.Time, error) {
	var member, supervises int
	err := q.QueryRowContext(ctx, relationshipSQL, survivorID, actor.UserID, actor.Role == haven.RoleSupervisor).Scan(&member, &supervises)
	if err != nil {
		return access.None, time.Time{}, fmt.Errorf("read care team: %w", err)
	}
	switch {
	case member == 2:
		return access.CareLead, time.Time{}, nil
	case member == 1:
		return access.CareTeam, time.Time{}, nil
	case supervises > 0:
		return access.TeamSupervisor, time.Time{}, nil
	}
	expires, ok, err := liveGrant(ctx, q, actor.UserID, survivorID, db.now())
	if err != nil || !ok {
		return access.None, time.Time{}, err
	}
	return access.BreakGlass, expires, nil
}

// relationshipSQL answers, for survivor $1 and user $2, 2 for the lead, 1
// for another member, 0 otherwise; and whether the user supervises a team
// holding a member of the care team (asked only when $3, the user is a
// supervisor). Each branch walks a primary key or an index:
// care_team (survivor_id, user_id), team_members_user, team_members
// (team_id, user_id).
const relationshipSQL = `SELECT
	COALESCE((SELECT CASE WHEN c.lead THEN 2 ELSE 1 END FROM care_team c WHERE c.survivor_id = $1 AND c.user_id = $2), 0),
	CASE WHEN $3 AND EXISTS (SELECT 1 FROM team_members sv
		JOIN team_members m ON m.team_id = sv.team_id
		JOIN care_team c ON c.survivor_id = $1 AND c.user_id = m.user_id
		WHERE sv.user_id = $2 AND sv.supervisor) THEN 1 ELSE 0 END`

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
// its care team as its lead.
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
		if _, err := tx.execAudited(ctx, created, `INSERT INTO care_team (survivor_id, user_id, added_at, lead) VALUES ($1, $2, $3, $4)`,
			s.ID, actor.UserID, tx.now, true); err != nil {
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
		joinChannels(s.SafeContact.Channels), s.SafeContact.DoNotContact, s.SafeContact.VoicemailSafe, s.CreatedAt, s.UpdatedAt,
		s.Groups.Gender, s.Groups.RegionOfOrigin, s.Groups.TraffickingType, s.Groups.Area}
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
		"contact_channels", "do_not_contact", "voicemail_safe", "created_at", "updated_at", "gender", "region_of_origin",
		"trafficking_type", "area"}
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
