package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

// displayNameSQL is a user's display name, or their username without one.
const displayNameSQL = `CASE WHEN u.display_name = '' THEN u.username ELSE u.display_name END`

// CareTeam lists a record's care team, the lead first, then by when each
// joined; a read of survivor data, audited (under emergency access too).
func (db *CareTeamService) CareTeam(ctx context.Context, survivorID string) ([]haven.CareTeamMember, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.Read, access.Membership, survivorID)
	if err != nil {
		return nil, err
	}
	var out []haven.CareTeamMember
	err = db.inReadTx(ctx, func(tx *Tx) error {
		if out, err = tx.careTeam(ctx, survivorID); err != nil {
			return err
		}
		return tx.auditRead(ctx, readEvent(rel, "care_team.read", "survivor", survivorID))
	})
	return out, err
}

func (tx *Tx) careTeam(ctx context.Context, survivorID string) ([]haven.CareTeamMember, error) {
	rows, err := tx.QueryContext(ctx, `SELECT c.user_id, `+displayNameSQL+`, u.role, c.lead, c.added_at
		FROM care_team c JOIN users u ON u.id = c.user_id WHERE c.survivor_id = $1
		ORDER BY c.lead DESC, c.added_at, c.user_id`, survivorID)
	if err != nil {
		return nil, fmt.Errorf("read care team: %w", err)
	}
	defer rows.Close()
	var out []haven.CareTeamMember
	for rows.Next() {
		var m haven.CareTeamMember
		if err := rows.Scan(&m.UserID, &m.DisplayName, &m.Role, &m.Lead, &m.AddedAt); err != nil {
			return nil, err
		}
		m.AddedAt = m.AddedAt.UTC()
		out = append(out, m)
	}
	return out, rows.Err()
}

// CareTeamCandidates lists the active care-role users not on the team,
// by display name, for those who may change it; audited as a read.
func (db *CareTeamService) CareTeamCandidates(ctx context.Context, survivorID string) ([]haven.StaffMember, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if err := db.authorize(ctx, actor, access.Update, access.Membership, survivorID); err != nil {
		return nil, err
	}
	var out []haven.StaffMember
	err = db.inTx(ctx, func(tx *Tx) error {
		if out, err = tx.careStaff(ctx, survivorID); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "care_team.candidates", ObjectType: "survivor", ObjectID: survivorID})
	})
	return out, err
}

// careStaff lists the active care-role users, leaving out the care team
// of survivorID when it is not "".
func (tx *Tx) careStaff(ctx context.Context, survivorID string) ([]haven.StaffMember, error) {
	rows, err := tx.QueryContext(ctx, `SELECT u.id, `+displayNameSQL+`, u.role FROM users u
		WHERE NOT u.disabled AND u.role IN ($1, $2, $3)
		AND NOT EXISTS (SELECT 1 FROM care_team c WHERE c.survivor_id = $4 AND c.user_id = u.id)
		ORDER BY lower(`+displayNameSQL+`), u.id`, haven.RoleClinician, haven.RoleAdvocate, haven.RoleSupervisor, survivorID)
	if err != nil {
		return nil, fmt.Errorf("list care staff: %w", err)
	}
	defer rows.Close()
	var out []haven.StaffMember
	for rows.Next() {
		var m haven.StaffMember
		if err := rows.Scan(&m.UserID, &m.DisplayName, &m.Role); err != nil {
			return nil, err
		}
		out = append(out, m)
	}
	return out, rows.Err()
}

// careStaffMember reads a user who is to join a team: it must exist, be
// active and have a care role.
func (tx *Tx) careStaffMember(ctx context.Context, field, userID string) (haven.Role, error) {
	var role haven.Role
	var disabled bool
	err := tx.QueryRowContext(ctx, `SELECT role, disabled FROM users WHERE id = $1`, userID).Scan(&role, &disabled)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return "", haven.FieldError(field, "Choose a user from the list.")
	case err != nil:
		return "", fmt.Errorf("read user: %w", err)
	case disabled:
		return "", haven.FieldError(field, "This account is disabled.")
	case !role.CareRole():
		return "", haven.FieldError(field, "Only clinicians, advocates and supervisors join care teams.")
	}
	return role, nil
}

// memberState is a user's place on a care team: not on it, a member, the lead.
type memberState int

const (
	notMember memberState = iota
	plainMember
	leadMember
)

// memberOf reads userID's place on survivorID's care team, and counts the team.
func (tx *Tx) memberOf(ctx context.Context, survivorID, userID string) (memberState, int, error) {
	var state, size int
	err := tx.QueryRowContext(ctx, `SELECT
		COALESCE((SELECT CASE WHEN lead THEN 2 ELSE 1 END FROM care_team WHERE survivor_id = $1 AND user_id = $2), 0),
		(SELECT COUNT(*) FROM care_team WHERE survivor_id = $1)`, survivorID, userID).Scan(&state, &size)
	if err != nil {
		return notMember, 0, fmt.Errorf("read care team: %w", err)
	}
	return memberState(state), size, nil
}

// changeTeam decides a change of survivorID's care team for the actor in
// ctx and runs fn in one transaction; it returns the actor's relationship.
func (db *CareTeamService) changeTeam(ctx context.Context, survivorID string, fn func(tx *Tx, actor haven.Actor, rel access.Relationship) error) error {
	actor, err := actorOf(ctx)
	if err != nil {
		return err
	}
	rel, _, err := db.authorizeAs(ctx, actor, access.Update, access.Membership, survivorID)
	if haven.ErrorKind(err) == haven.NotFound && rel != access.None {
		// Someone who sees the record learns nothing from being told why.
		return haven.Errorf(haven.Forbidden, "Only the care team's lead or a supervisor changes the team.")
	} else if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error { return fn(tx, actor, rel) })
}

func teamEvent(action, survivorID, userID string) haven.AuditEvent {
	return haven.AuditEvent{Action: action, ObjectType: "survivor", ObjectID: survivorID, Reason: "user:" + userID}
}

// AddCareTeamMember adds an active care-role user to a care team.
func (db *CareTeamService) AddCareTeamMember(ctx context.Context, survivorID, userID string) error {
	return db.changeTeam(ctx, survivorID, func(tx *Tx, _ haven.Actor, _ access.Relationship) error {
		if _, err := tx.careStaffMember(ctx, "user_id", userID); err != nil {
			return err
		}
		return tx.addMember(ctx, survivorID, userID)
	})
}

// addMember inserts a member (not the lead), audited.
func (tx *Tx) addMember(ctx context.Context, survivorID, userID string) error {
	_, err := tx.execAudited(ctx, teamEvent("care_team.add", survivorID, userID),
		`INSERT INTO care_team (survivor_id, user_id, added_at, lead) VALUES ($1, $2, $3, FALSE)`, survivorID, userID, tx.now)
	if tx.db.dialect.uniqueViolation(err) {
		return haven.Errorf(haven.Conflict, "This user is already on the care team.")
	} else if err != nil {
		return fmt.Errorf("add to care team: %w", err)
	}
	return nil
}

// RemoveCareTeamMember removes a member who is not the lead.
func (db *CareTeamService) RemoveCareTeamMember(ctx context.Context, survivorID, userID string) error {
	return db.changeTeam(ctx, survivorID, func(tx *Tx, _ haven.Actor, _ access.Relationship) error {
		state, size, err := tx.memberOf(ctx, survivorID, userID)
		switch {
		case err != nil:
			return err
		case state == notMember:
			return haven.FieldError("user_id", "This user is not on the care team.")
		case state == leadMember:
			return haven.Errorf(haven.Conflict, "The lead stays on the care team until another member is named lead.")
		case size <= 1:
			return haven.Errorf(haven.Conflict, "A care team keeps at least one member.")
		}
		return tx.removeMember(ctx, survivorID, userID)
	})
}

func (tx *Tx) removeMember(ctx context.Context, survivorID, userID string) error {
	if _, err := tx.ExecContext(ctx, `DELETE FROM care_team WHERE survivor_id = $1 AND user_id = $2`, survivorID, userID); err != nil {
		return fmt.Errorf("remove from care team: %w", err)
	}
	return tx.audit(ctx, teamEvent("care_team.remove", survivorID, userID))
}

// SetCareTeamLead names a member with a care role the lead.
func (db *CareTeamService) SetCareTeamLead(ctx context.Context, survivorID, userID string) error {
	return db.changeTeam(ctx, survivorID, func(tx *Tx, _ haven.Actor, _ access.Relationship) error {
		state, _, err := tx.memberOf(ctx, survivorID, userID)
		if err != nil {
			return err
		}
		if state == notMember {
			return haven.FieldError("user_id", "Only a member of the care team can lead it.")
		}
		if _, err := tx.careStaffMember(ctx, "user_id", userID); err != nil {
			return err
		}
		return tx.setLead(ctx, survivorID, userID)
	})
}

// setLead makes userID, a member, the only lead, audited.
func (tx *Tx) setLead(ctx context.Context, survivorID, userID string) error {
	// The old lead steps down first: one lead per team is a unique index.
	if _, err := tx.ExecContext(ctx, `UPDATE care_team SET lead = FALSE WHERE survivor_id = $1 AND lead AND user_id <> $2`,
		survivorID, userID); err != nil {
		return fmt.Errorf("set lead: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `UPDATE care_team SET lead = TRUE WHERE survivor_id = $1 AND user_id = $2`,
		survivorID, userID); err != nil {
		return fmt.Errorf("set lead: %w", err)
	}
	return tx.audit(ctx, teamEvent("care_team.lead", survivorID, userID))
}

// HandOver passes the case from the actor, its lead, to another care-role
// user, who joins if needed and leads; the actor stays or leaves.
func (db *CareTeamService) HandOver(ctx context.Context, survivorID, toUserID string, stay bool) error {
	return db.changeTeam(ctx, survivorID, func(tx *Tx, actor haven.Actor, rel access.Relationship) error {
		switch {
		case rel != access.CareLead:
			return haven.Errorf(haven.Forbidden, "Only the care team's lead hands the case over; a supervisor names a new lead instead.")
		case toUserID == actor.UserID:
			return haven.FieldError("user_id", "Choose someone else to hand the case to.")
		}
		if _, err := tx.careStaffMember(ctx, "user_id", toUserID); err != nil {
			return err
		}
		state, _, err := tx.memberOf(ctx, survivorID, toUserID)
		if err != nil {
			return err
		}
		if state == notMember {
			if err := tx.addMember(ctx, survivorID, toUserID); err != nil {
				return err
			}
		}
		if err := tx.setLead(ctx, survivorID, toUserID); err != nil {
			return err
		}
		if !stay {
			if err := tx.removeMember(ctx, survivorID, actor.UserID); err != nil {
				return err
			}
		}
		return tx.audit(ctx, teamEvent("care_team.handover", survivorID, toUserID))
	})
}

// Caseload lists a supervisor's caseload in one query: the cases of the
// care teams that hold a member of a team they supervise, and their own.
func (db *CareTeamService) Caseload(ctx context.Context, today string) ([]haven.CaseloadRow, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return nil, err
	}
	if _, err := time.Parse(time.DateOnly, today); err != nil {
		return nil, haven.FieldError("today", "Give the date as YYYY-MM-DD.")
	}
	if err := db.authorizeCaseload(ctx, actor); err != nil {
		return nil, err
	}
	var out []haven.CaseloadRow
	err = db.inTx(ctx, func(tx *Tx) error {
		if out, err = tx.caseload(ctx, actor.UserID, today); err != nil {
			return err
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "survivor.caseload", ObjectType: "survivor"})
	})
	return out, err
}

// authorizeCaseload asks whether the actor may list records as a team's
// supervisor; a denial is audited and Forbidden.
func (db *CareTeamService) authorizeCaseload(ctx context.Context, actor haven.Actor) error {
	d := access.Decide(access.Request{Role: actor.Role, Action: access.List, Resource: access.Survivor,
		Relationship: access.TeamSupervisor, Class: haven.Coded, Now: db.now()})
	if d.Allow {
		return nil
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		return tx.audit(ctx, haven.AuditEvent{Action: "survivor.caseload", ObjectType: "survivor",
			Outcome: haven.OutcomeDenied, Reason: d.Reason})
	})
	if err != nil {
		return err
	}
	return haven.Errorf(haven.Forbidden, "Only supervisors have a caseload.")
}

// caseloadSQL is user $1's caseload as of day $2. Each count and the last
// contact is a subquery on its table's (survivor_id, …) index; the last
// contact is the newest row rather than MAX(made_at), so that SQLite
// still reads it back as a time.
const caseloadSQL = `WITH mine AS (
	SELECT c.survivor_id FROM care_team c WHERE c.user_id = $1
	UNION
	SELECT c.survivor_id FROM team_members sv
		JOIN team_members m ON m.team_id = sv.team_id
		JOIN care_team c ON c.user_id = m.user_id
		WHERE sv.user_id = $1 AND sv.supervisor)
SELECT s.id, s.case_number, s.age_band, s.minor,
	(SELECT COUNT(*) FROM needs n WHERE n.survivor_id = s.id AND n.status IN ('identified', 'planned', 'in_progress')),
	(SELECT COUNT(*) FROM tasks t WHERE t.survivor_id = s.id AND t.status = 'open' AND t.due_on < $2),
	(SELECT k.made_at FROM contacts k WHERE k.survivor_id = s.id ORDER BY k.made_at DESC LIMIT 1),
	COALESCE((SELECT ` + displayNameSQL + ` FROM care_team l JOIN users u ON u.id = l.user_id
		WHERE l.survivor_id = s.id AND l.lead), '')
FROM survivors s JOIN mine ON mine.survivor_id = s.id
ORDER BY s.case_number`

func (tx *Tx) caseload(ctx context.Context, userID, today string) ([]haven.CaseloadRow, error) {
	rows, err := tx.QueryContext(ctx, caseloadSQL, userID, today)
	if err != nil {
		return nil, fmt.Errorf("read caseload: %w", err)
	}
	defer rows.Close()
	var out []haven.CaseloadRow
	for rows.Next() {
		var r haven.CaseloadRow
		var last sql.NullTime
		if err := rows.Scan(&r.SurvivorID, &r.CaseNumber, &r.AgeBand, &r.Minor, &r.OpenNeeds, &r.OverdueTasks, &last, &r.Lead); err != nil {
			return nil, fmt.Errorf("read caseload: %w", err)
		}
		if last.Valid {
			r.LastContact = last.Time.UTC()
		}
		out = append(out, r)
	}
	return out, rows.Err()
}
