package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"net/http"
	"strings"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
	"github.com/haven-care/haven/internal/training"
)

// SubmitQuiz scores the actor's answers to a module's quiz and records
// the attempt, passed or failed. Errors: Invalid, NotFound.
func (db *TrainingService) SubmitQuiz(ctx context.Context, moduleID string, answers map[string]int) (*haven.TrainingCompletion, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Update, access.Training, ""); err != nil {
		return nil, err
	}
	m, ok := training.Module(moduleID)
	if !ok {
		return nil, haven.Errorf(haven.NotFound, "No such training module.")
	}
	for id, a := range answers {
		if a < 0 || a > 20 || len(id) > 20 {
			return nil, haven.Errorf(haven.Invalid, "An answer is not one of the options.")
		}
	}
	res := m.Score(answers)
	c := &haven.TrainingCompletion{ID: newID(), UserID: actor.UserID, ModuleID: m.ID, Correct: res.Correct, Total: res.Total,
		Passed: res.Passed, CompletedAt: db.now()}
	if res.Passed {
		c.CEHours = m.CEHours
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		outcome := "passed"
		if !c.Passed {
			outcome = "failed"
		}
		_, err := tx.execAudited(ctx, haven.AuditEvent{Action: "training.quiz", ObjectType: "training_completion", ObjectID: c.ID, Reason: outcome},
			`INSERT INTO training_completions (id, user_id, module_id, correct, total, passed, ce_hours, completed_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`, c.ID, c.UserID, c.ModuleID, c.Correct, c.Total, c.Passed, c.CEHours, c.CompletedAt)
		return err
	})
	if err != nil {
		return nil, err
	}
	return c, nil
}

const completionCols = `id, user_id, module_id, correct, total, passed, ce_hours, completed_at`

func scanCompletions(rows *sql.Rows, err error) ([]haven.TrainingCompletion, error) {
	if err != nil {
		return nil, fmt.Errorf("read training: %w", err)
	}
	defer rows.Close()
	var out []haven.TrainingCompletion
	for rows.Next() {
		var c haven.TrainingCompletion
		if err := rows.Scan(&c.ID, &c.UserID, &c.ModuleID, &c.Correct, &c.Total, &c.Passed, &c.CEHours, &c.CompletedAt); err != nil {
			return nil, fmt.Errorf("read training: %w", err)
		}
		c.CompletedAt = c.CompletedAt.UTC()
		out = append(out, c)
	}
	return out, rows.Err()
}

// TrainingCompletions lists the actor's own quiz attempts, newest first.
func (db *TrainingService) TrainingCompletions(ctx context.Context) ([]haven.TrainingCompletion, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.List, access.Training, ""); err != nil {
		return nil, err
	}
	return db.completions(ctx, actor.UserID)
}

func (db *store) completions(ctx context.Context, userID string) ([]haven.TrainingCompletion, error) {
	return scanCompletions(db.db.QueryContext(ctx, `SELECT `+completionCols+` FROM training_completions
		WHERE user_id = $1 ORDER BY completed_at DESC, id DESC`, userID))
}

// TrainingCompletion returns one of the actor's own attempts (another
// user's is NotFound). Errors: NotFound.
func (db *TrainingService) TrainingCompletion(ctx context.Context, id string) (*haven.TrainingCompletion, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Read, access.Training, ""); err != nil {
		return nil, err
	}
	cs, err := scanCompletions(db.db.QueryContext(ctx, `SELECT `+completionCols+` FROM training_completions
		WHERE id = $1 AND user_id = $2`, id, actor.UserID))
	if err != nil {
		return nil, err
	}
	if len(cs) == 0 {
		return nil, haven.Errorf(haven.NotFound, "No such training record.")
	}
	return &cs[0], nil
}

// certificateTypes are the certificate files accepted, by the type their
// first bytes show (never the type the browser claims).
var certificateTypes = map[string]bool{"application/pdf": true, "image/png": true, "image/jpeg": true}

// AddExternalTraining records a training taken elsewhere, with an optional
// certificate file (PDF, PNG or JPEG, at most haven.CertificateMaxBytes).
// Errors: Invalid.
func (db *TrainingService) AddExternalTraining(ctx context.Context, t haven.ExternalTraining, file []byte) (*haven.ExternalTraining, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Update, access.Training, ""); err != nil {
		return nil, err
	}
	t.Provider, t.Title = strings.TrimSpace(t.Provider), strings.TrimSpace(t.Title)
	switch {
	case t.Provider == "" || len(t.Provider) > 200:
		return nil, haven.FieldError("provider", "Name the provider (at most 200 characters).")
	case t.Title == "" || len(t.Title) > 200:
		return nil, haven.FieldError("title", "Name the course (at most 200 characters).")
	case !(t.Hours > 0 && t.Hours <= 100) || math.IsNaN(t.Hours):
		return nil, haven.FieldError("hours", "Give the hours, more than 0 and at most 100.")
	}
	on, err := time.Parse(time.DateOnly, t.CompletedOn)
	if err != nil || on.After(db.now()) || on.Year() < 1990 {
		return nil, haven.FieldError("completed_on", "Give the date you completed it (YYYY-MM-DD), not in the future.")
	}
	t.CertificateType = ""
	if len(file) > 0 {
		if len(file) > haven.CertificateMaxBytes {
			return nil, haven.FieldError("certificate", "The file is larger than 2 MB.")
		}
		ct := http.DetectContentType(file)
		if !certificateTypes[ct] {
			return nil, haven.FieldError("certificate", "Upload a PDF, PNG or JPEG file.")
		}
		t.CertificateType = ct
	} else {
		file = nil
	}
	t.ID, t.UserID, t.CreatedAt = newID(), actor.UserID, db.now()
	if file != nil {
		// Sealed under the master key, bound to its row, as TOTP seeds are.
		if file, err = db.sealSecret(ctx, file, certificateAAD(t.ID)); err != nil {
			return nil, fmt.Errorf("seal certificate: %w", err)
		}
	}
	err = db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.execAudited(ctx, haven.AuditEvent{Action: "training.external_add", ObjectType: "external_training", ObjectID: t.ID},
			`INSERT INTO external_trainings (id, user_id, provider, title, hours, completed_on, approved, certificate, certificate_type, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
			t.ID, t.UserID, t.Provider, t.Title, t.Hours, t.CompletedOn, t.Approved, file, t.CertificateType, t.CreatedAt)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &t, nil
}

// ExternalTrainings lists the actor's own external trainings, newest
// first.
func (db *TrainingService) ExternalTrainings(ctx context.Context) ([]haven.ExternalTraining, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.List, access.Training, ""); err != nil {
		return nil, err
	}
	return db.externals(ctx, actor.UserID)
}

func (db *store) externals(ctx context.Context, userID string) ([]haven.ExternalTraining, error) {
	rows, err := db.db.QueryContext(ctx, `SELECT id, user_id, provider, title, hours, completed_on, approved, certificate_type, created_at
		FROM external_trainings WHERE user_id = $1 ORDER BY completed_on DESC, id DESC`, userID)
	if err != nil {
		return nil, fmt.Errorf("read external trainings: %w", err)
	}
	defer rows.Close()
	var out []haven.ExternalTraining
	for rows.Next() {
		var t haven.ExternalTraining
		if err := rows.Scan(&t.ID, &t.UserID, &t.Provider, &t.Title, &t.Hours, &t.CompletedOn, &t.Approved, &t.CertificateType, &t.CreatedAt); err != nil {
			return nil, fmt.Errorf("read external trainings: %w", err)
		}
		t.CreatedAt = t.CreatedAt.UTC()
		out = append(out, t)
	}
	return out, rows.Err()
}

// ExternalCertificate returns the certificate file of one of the actor's
// own external trainings and its type; anyone else's, or none, is
// NotFound. The download is audited. Errors: NotFound.
func (db *TrainingService) ExternalCertificate(ctx context.Context, id string) ([]byte, string, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, "", err
	}
	if err := db.authorize(ctx, actor, access.Read, access.Training, ""); err != nil {
		return nil, "", err
	}
	var file []byte
	var ct string
	err = db.db.QueryRowContext(ctx, `SELECT certificate, certificate_type FROM external_trainings
		WHERE id = $1 AND user_id = $2 AND certificate IS NOT NULL`, id, actor.UserID).Scan(&file, &ct)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, "", haven.Errorf(haven.NotFound, "No such certificate.")
	} else if err != nil {
		return nil, "", fmt.Errorf("read certificate: %w", err)
	}
	plain, err := db.openSecret(file, certificateAAD(id))
	if err != nil {
		return nil, "", fmt.Errorf("open certificate: %w", err)
	}
	err = db.auditAlone(ctx, haven.AuditEvent{Action: "training.certificate_read", ObjectType: "external_training", ObjectID: id})
	return plain, ct, err
}

// certificateAAD binds a sealed certificate file to its row.
func certificateAAD(id string) []byte { return []byte("external_trainings.certificate:" + id) }

// resealCertificates reseals every external training's certificate file
// under the active master key, one row at a time (files run to 2 MiB).
func (tx *Tx) resealCertificates(ctx context.Context) (int, error) {
	rows, err := tx.QueryContext(ctx, `SELECT id FROM external_trainings WHERE certificate IS NOT NULL`)
	if err != nil {
		return 0, err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return 0, err
		}
		ids = append(ids, id)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return 0, err
	}
	keys := tx.db.keyring()
	for _, id := range ids {
		var sealed []byte
		if err := tx.QueryRowContext(ctx, `SELECT certificate FROM external_trainings WHERE id = $1`, id).Scan(&sealed); err != nil {
			return 0, err
		}
		plain, err := keys.OpenSecret(sealed, certificateAAD(id))
		if err != nil {
			return 0, fmt.Errorf("open the certificate of external training %s: %w", id, err)
		}
		resealed, err := keys.SealSecret(plain, certificateAAD(id))
		clear(plain)
		if err != nil {
			return 0, err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE external_trainings SET certificate = $1 WHERE id = $2`, resealed, id); err != nil {
			return 0, err
		}
	}
	return len(ids), nil
}

// authorizeUser lets the actor act on their own training (act on
// Training) or, as an administrator, on another user's (act on Users).
func (db *store) authorizeUser(ctx context.Context, actor haven.Actor, act access.Action, userID string) error {
	if userID == actor.UserID {
		return db.authorize(ctx, actor, act, access.Training, "")
	}
	if err := db.authorize(ctx, actor, act, access.Users, ""); err != nil {
		return err
	}
	var n int
	if err := db.db.QueryRowContext(ctx, `SELECT count(*) FROM users WHERE id = $1`, userID).Scan(&n); err != nil {
		return fmt.Errorf("read user: %w", err)
	}
	if n == 0 {
		return haven.Errorf(haven.NotFound, "No such user.")
	}
	return nil
}

// Licence returns userID's licence: the actor's own, or anyone's for an
// administrator; nil when none is recorded. Errors: Forbidden, NotFound.
func (db *TrainingService) Licence(ctx context.Context, userID string) (*haven.Licence, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorizeUser(ctx, actor, access.Read, userID); err != nil {
		return nil, err
	}
	return db.licence(ctx, userID)
}

func (db *store) licence(ctx context.Context, userID string) (*haven.Licence, error) {
	l := haven.Licence{UserID: userID}
	err := db.db.QueryRowContext(ctx, `SELECT jurisdiction, licence_type, renewal_on, updated_at FROM licences WHERE user_id = $1`, userID).
		Scan(&l.Jurisdiction, &l.LicenceType, &l.RenewalOn, &l.UpdatedAt)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	} else if err != nil {
		return nil, fmt.Errorf("read licence: %w", err)
	}
	l.UpdatedAt = l.UpdatedAt.UTC()
	return &l, nil
}

// SetLicence records l.UserID's licence: the actor's own, or anyone's for
// an administrator. An empty jurisdiction removes it. Errors: Invalid,
// Forbidden, NotFound.
func (db *TrainingService) SetLicence(ctx context.Context, l haven.Licence) error {
	actor, err := actorOf(ctx)
	if err != nil {
		return err
	}
	if l.UserID == "" {
		l.UserID = actor.UserID
	}
	if err := db.authorizeUser(ctx, actor, access.Update, l.UserID); err != nil {
		return err
	}
	l.Jurisdiction = strings.ToUpper(strings.TrimSpace(l.Jurisdiction))
	if l.Jurisdiction == "" {
		return db.inTx(ctx, func(tx *Tx) error {
			_, err := tx.execAudited(ctx, haven.AuditEvent{Action: "training.licence_remove", ObjectType: "user", ObjectID: l.UserID},
				`DELETE FROM licences WHERE user_id = $1`, l.UserID)
			return err
		})
	}
	switch {
	case len(l.Jurisdiction) != 2 || l.Jurisdiction[0] < 'A' || l.Jurisdiction[0] > 'Z' || l.Jurisdiction[1] < 'A' || l.Jurisdiction[1] > 'Z':
		return haven.FieldError("jurisdiction", "Give the two-letter state code, such as FL.")
	case !training.Rules().ValidLicenceType(l.LicenceType):
		return haven.FieldError("licence_type", "Choose one of the listed licence types.")
	}
	if _, err := time.Parse(time.DateOnly, l.RenewalOn); err != nil {
		return haven.FieldError("renewal_on", "Give the next renewal date as YYYY-MM-DD.")
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if _, err := tx.ExecContext(ctx, `DELETE FROM licences WHERE user_id = $1`, l.UserID); err != nil {
			return err
		}
		_, err := tx.execAudited(ctx, haven.AuditEvent{Action: "training.licence_set", ObjectType: "user", ObjectID: l.UserID},
			`INSERT INTO licences (user_id, jurisdiction, licence_type, renewal_on, updated_at) VALUES ($1, $2, $3, $4, $5)`,
			l.UserID, l.Jurisdiction, l.LicenceType, l.RenewalOn, tx.now)
		return err
	})
}

// compliance computes userID's compliance today.
func (db *store) compliance(ctx context.Context, userID string, modulesApproved bool) (haven.Compliance, error) {
	cs, err := db.compliances(ctx, []string{userID}, `SELECT id FROM users WHERE id = $1`, modulesApproved, userID)
	if err != nil {
		return haven.Compliance{}, err
	}
	return cs[0], nil
}

// compliances computes today's compliance of each of users, whom scope (a
// query of user IDs taking args) selects: three reads, whatever the
// number of users.
func (db *store) compliances(ctx context.Context, users []string, scope string, modulesApproved bool, args ...any) ([]haven.Compliance, error) {
	licences := map[string]*haven.Licence{}
	err := db.each(ctx, `SELECT user_id, jurisdiction, licence_type, renewal_on, updated_at FROM licences
		WHERE user_id IN (`+scope+`)`, args, func(rows *sql.Rows) error {
		l := haven.Licence{}
		if err := rows.Scan(&l.UserID, &l.Jurisdiction, &l.LicenceType, &l.RenewalOn, &l.UpdatedAt); err != nil {
			return err
		}
		l.UpdatedAt = l.UpdatedAt.UTC()
		licences[l.UserID] = &l
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read licences: %w", err)
	}
	credits := map[string][]training.Credit{}
	err = db.each(ctx, `SELECT user_id, ce_hours, completed_at FROM training_completions
		WHERE passed AND user_id IN (`+scope+`)`, args, func(rows *sql.Rows) error {
		var id string
		var hours float64
		var at time.Time
		if err := rows.Scan(&id, &hours, &at); err != nil {
			return err
		}
		credits[id] = append(credits[id], training.Credit{Hours: hours, On: at.UTC().Format(time.DateOnly), Approved: modulesApproved})
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read training: %w", err)
	}
	err = db.each(ctx, `SELECT user_id, hours, completed_on, approved FROM external_trainings
		WHERE user_id IN (`+scope+`)`, args, func(rows *sql.Rows) error {
		var id string
		var c training.Credit
		if err := rows.Scan(&id, &c.Hours, &c.On, &c.Approved); err != nil {
			return err
		}
		credits[id] = append(credits[id], c)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read external trainings: %w", err)
	}
	today := db.now().Format(time.DateOnly)
	out := make([]haven.Compliance, len(users))
	for i, id := range users {
		l := licences[id]
		var cs []training.Credit
		if l != nil {
			cs = credits[id]
		}
		out[i] = training.Rules().Evaluate(l, cs, today)
		out[i].UserID = id
	}
	return out, nil
}

// each runs query with args and calls fn on each row.
func (db *store) each(ctx context.Context, query string, args []any, fn func(*sql.Rows) error) error {
	rows, err := db.db.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := fn(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// MyCompliance is the actor's own compliance with their jurisdiction's
// rule: what the reminders on their pages (and the start page's
// worklist) show.
func (db *TrainingService) MyCompliance(ctx context.Context) (haven.Compliance, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return haven.Compliance{}, err
	}
	if err := db.authorize(ctx, actor, access.Read, access.Training, ""); err != nil {
		return haven.Compliance{}, err
	}
	p, err := db.trainingPolicy(ctx)
	if err != nil {
		return haven.Compliance{}, err
	}
	return db.compliance(ctx, actor.UserID, p.ModulesApproved)
}

// staffSQL lists the staff whose compliance the actor sees: every enabled
// user for an administrator ($2), the members of the teams a supervisor
// supervises (themselves included) otherwise.
const staffSQL = `SELECT u.id, COALESCE(NULLIF(u.display_name, ''), u.username) FROM users u
	WHERE u.id IN (` + staffScope + `) ORDER BY 2, u.id`

// staffScope is staffSQL's users, their IDs only.
const staffScope = `SELECT u.id FROM users u
	WHERE NOT u.disabled AND ($2 OR u.id IN (SELECT m.user_id FROM team_members sv JOIN team_members m ON m.team_id = sv.team_id
		WHERE sv.user_id = $1 AND sv.supervisor))`

// StaffCompliance lists the compliance of the staff of the teams a
// supervisor supervises, or of every enabled user for an administrator.
// The list is audited. Errors: Forbidden.
func (db *TrainingService) StaffCompliance(ctx context.Context) ([]haven.Compliance, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.List, access.Training, ""); err != nil {
		return nil, err
	}
	if actor.Role != haven.RoleSupervisor && actor.Role != haven.RoleAdmin {
		err := db.auditAlone(ctx, haven.AuditEvent{Action: "training.compliance", ObjectType: "training", Outcome: haven.OutcomeDenied,
			Reason: access.ReasonNoRule})
		if err != nil {
			return nil, err
		}
		return nil, haven.Errorf(haven.Forbidden, "Only supervisors and administrators see their staff's training.")
	}
	p, err := db.trainingPolicy(ctx)
	if err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, staffSQL, actor.UserID, actor.Role == haven.RoleAdmin)
	if err != nil {
		return nil, fmt.Errorf("read staff: %w", err)
	}
	type staff struct{ id, name string }
	var people []staff
	for rows.Next() {
		var s staff
		if err := rows.Scan(&s.id, &s.name); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read staff: %w", err)
		}
		people = append(people, s)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, err
	}
	ids := make([]string, len(people))
	for i, s := range people {
		ids[i] = s.id
	}
	out, err := db.compliances(ctx, ids, staffScope, p.ModulesApproved, actor.UserID, actor.Role == haven.RoleAdmin)
	if err != nil {
		return nil, err
	}
	for i, s := range people {
		out[i].UserName = s.name
	}
	err = db.auditAlone(ctx, haven.AuditEvent{Action: "training.compliance", ObjectType: "training", Reason: fmt.Sprintf("staff=%d", len(out))})
	return out, err
}

func (db *store) trainingPolicy(ctx context.Context) (haven.TrainingPolicy, error) {
	var p haven.TrainingPolicy
	err := db.db.QueryRowContext(ctx, `SELECT screening_requires_training, modules_approved FROM training_policy WHERE id = 1`).
		Scan(&p.ScreeningRequiresTraining, &p.ModulesApproved)
	if err != nil {
		return p, fmt.Errorf("read training policy: %w", err)
	}
	return p, nil
}

// TrainingPolicy returns the training settings, which every signed-in
// user may read.
func (db *TrainingService) TrainingPolicy(ctx context.Context) (haven.TrainingPolicy, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return haven.TrainingPolicy{}, err
	}
	if err := db.authorize(ctx, actor, access.Read, access.Training, ""); err != nil {
		return haven.TrainingPolicy{}, err
	}
	return db.trainingPolicy(ctx)
}

// SetTrainingPolicy changes the training settings (administrators:
// update settings). Errors: Forbidden.
func (db *TrainingService) SetTrainingPolicy(ctx context.Context, p haven.TrainingPolicy) error {
	actor, err := actorOf(ctx)
	if err != nil {
		return err
	}
	if err := db.authorize(ctx, actor, access.Update, access.Settings, ""); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		_, err := tx.execAudited(ctx, haven.AuditEvent{Action: "training.policy", ObjectType: "settings", ObjectID: "training",
			Reason: fmt.Sprintf("screening=%t,modules_approved=%t", p.ScreeningRequiresTraining, p.ModulesApproved)},
			`UPDATE training_policy SET screening_requires_training = $1, modules_approved = $2 WHERE id = 1`,
			p.ScreeningRequiresTraining, p.ModulesApproved)
		return err
	})
}

// ScreeningTrainingMissing returns the modules marked required for
// screening that the actor has not passed within
// haven.TrainingValidMonths, when the policy requires training before
// screening; nil otherwise.
func (db *TrainingService) ScreeningTrainingMissing(ctx context.Context) ([]string, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Read, access.Training, ""); err != nil {
		return nil, err
	}
	p, err := db.trainingPolicy(ctx)
	if err != nil || !p.ScreeningRequiresTraining {
		return nil, err
	}
	cs, err := db.completions(ctx, actor.UserID)
	if err != nil {
		return nil, err
	}
	since := db.now().AddDate(0, -haven.TrainingValidMonths, 0)
	var missing []string
	for _, m := range training.Modules() {
		if !m.RequiredForScreening {
			continue
		}
		current := false
		for _, c := range cs {
			current = current || c.ModuleID == m.ID && c.Passed && !c.CompletedAt.Before(since)
		}
		if !current {
			missing = append(missing, m.ID)
		}
	}
	return missing, nil
}
