package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

// Teams lists every team of staff with its members, by name; for
// administrators (who manage users). It holds no survivor data.
func (db *TeamService) Teams(ctx context.Context) ([]haven.Team, error) {
	if err := db.authorizeResource(ctx, access.List, access.Users, "team.list"); err != nil {
		return nil, err
	}
	rows, err := db.db.QueryContext(ctx, `SELECT t.id, t.name, t.created_at, COALESCE(m.user_id, ''),
		COALESCE(`+displayNameSQL+`, ''), COALESCE(u.role, ''), COALESCE(m.supervisor, FALSE)
		FROM teams t LEFT JOIN team_members m ON m.team_id = t.id LEFT JOIN users u ON u.id = m.user_id
		ORDER BY lower(t.name), t.id, lower(COALESCE(`+displayNameSQL+`, '')), m.user_id`)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	defer rows.Close()
	var out []haven.Team
	for rows.Next() {
		var t haven.Team
		var m haven.TeamMember
		if err := rows.Scan(&t.ID, &t.Name, &t.CreatedAt, &m.UserID, &m.DisplayName, &m.Role, &m.Supervisor); err != nil {
			return nil, fmt.Errorf("list teams: %w", err)
		}
		if len(out) == 0 || out[len(out)-1].ID != t.ID {
			t.CreatedAt = t.CreatedAt.UTC()
			out = append(out, t)
		}
		if m.UserID != "" {
			last := &out[len(out)-1]
			last.Members = append(last.Members, m)
		}
	}
	return out, rows.Err()
}

// CareStaff lists the active users with a care role, by display name, for
// the administrator who puts them in teams.
func (db *TeamService) CareStaff(ctx context.Context) ([]haven.StaffMember, error) {
	if err := db.authorizeResource(ctx, access.List, access.Users, "team.staff"); err != nil {
		return nil, err
	}
	var out []haven.StaffMember
	err := db.inTx(ctx, func(tx *Tx) (err error) {
		out, err = tx.careStaff(ctx, "")
		return err
	})
	return out, err
}

// CreateTeam creates an empty team, audited.
func (db *TeamService) CreateTeam(ctx context.Context, name string) (*haven.Team, error) {
	if err := db.authorizeResource(ctx, access.Update, access.Users, "team.create"); err != nil {
		return nil, err
	}
	name, err := haven.NormalizeTeamName(name)
	if err != nil {
		return nil, err
	}
	t := &haven.Team{ID: newID(), Name: name}
	err = db.inTx(ctx, func(tx *Tx) error {
		t.CreatedAt = tx.now
		_, err := tx.execAudited(ctx, haven.AuditEvent{Action: "team.create", ObjectType: "team", ObjectID: t.ID},
			`INSERT INTO teams (id, name, created_at) VALUES ($1, $2, $3)`, t.ID, t.Name, t.CreatedAt)
		return teamNameErr(tx, err)
	})
	if err != nil {
		return nil, err
	}
	return t, nil
}

func teamNameErr(tx *Tx, err error) error {
	if tx.db.dialect.uniqueViolation(err) {
		return haven.FieldError("name", "Another team has this name.")
	} else if err != nil {
		return fmt.Errorf("write team: %w", err)
	}
	return nil
}

// RenameTeam renames a team, audited.
func (db *TeamService) RenameTeam(ctx context.Context, teamID, name string) error {
	if err := db.authorizeResource(ctx, access.Update, access.Users, "team.rename"); err != nil {
		return err
	}
	name, err := haven.NormalizeTeamName(name)
	if err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE teams SET name = $2 WHERE id = $1`, teamID, name)
		if err := teamNameErr(tx, err); err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errTeamNotFound
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "team.rename", ObjectType: "team", ObjectID: teamID})
	})
}

var errTeamNotFound = haven.Errorf(haven.NotFound, "Team not found.")

// teamExists returns NotFound unless the team exists.
func (tx *Tx) teamExists(ctx context.Context, teamID string) error {
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM teams WHERE id = $1`, teamID).Scan(&n); err != nil {
		return fmt.Errorf("read team: %w", err)
	}
	if n == 0 {
		return errTeamNotFound
	}
	return nil
}

// AddTeamMember adds an active care-role user to a team, as one of its
// supervisors if supervisor (only the supervisor role may be), audited.
func (db *TeamService) AddTeamMember(ctx context.Context, teamID, userID string, supervisor bool) error {
	if err := db.authorizeResource(ctx, access.Update, access.Users, "team.member_add"); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		if err := tx.teamExists(ctx, teamID); err != nil {
			return err
		}
		role, err := tx.careStaffMember(ctx, "user_id", userID)
		if err != nil {
			return err
		}
		if supervisor && role != haven.RoleSupervisor {
			return haven.FieldError("supervisor", "Only a user with the supervisor role supervises a team.")
		}
		ev := haven.AuditEvent{Action: "team.member_add", ObjectType: "team", ObjectID: teamID, Reason: memberReason(userID, supervisor)}
		_, err = tx.execAudited(ctx, ev, `INSERT INTO team_members (team_id, user_id, supervisor, added_at) VALUES ($1, $2, $3, $4)`,
			teamID, userID, supervisor, tx.now)
		if tx.db.dialect.uniqueViolation(err) {
			return haven.Errorf(haven.Conflict, "This user is already on the team.")
		} else if err != nil {
			return fmt.Errorf("add team member: %w", err)
		}
		return nil
	})
}

// memberReason is the coded audit reason of a team member's change.
func memberReason(userID string, supervisor bool) string {
	if supervisor {
		return "user:" + userID + " supervisor"
	}
	return "user:" + userID
}

// SetTeamSupervisor marks a member as a supervisor of the team or not,
// audited.
func (db *TeamService) SetTeamSupervisor(ctx context.Context, teamID, userID string, supervisor bool) error {
	if err := db.authorizeResource(ctx, access.Update, access.Users, "team.supervisor"); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		var role haven.Role
		err := tx.QueryRowContext(ctx, `SELECT u.role FROM team_members m JOIN users u ON u.id = m.user_id
			WHERE m.team_id = $1 AND m.user_id = $2`, teamID, userID).Scan(&role)
		if errors.Is(err, sql.ErrNoRows) {
			return haven.Errorf(haven.NotFound, "This user is not on the team.")
		} else if err != nil {
			return fmt.Errorf("read team member: %w", err)
		}
		if supervisor && role != haven.RoleSupervisor {
			return haven.FieldError("supervisor", "Only a user with the supervisor role supervises a team.")
		}
		if _, err := tx.ExecContext(ctx, `UPDATE team_members SET supervisor = $3 WHERE team_id = $1 AND user_id = $2`,
			teamID, userID, supervisor); err != nil {
			return fmt.Errorf("set team supervisor: %w", err)
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "team.supervisor", ObjectType: "team", ObjectID: teamID, Reason: memberReason(userID, supervisor)})
	})
}

// RemoveTeamMember removes a member from a team, audited.
func (db *TeamService) RemoveTeamMember(ctx context.Context, teamID, userID string) error {
	if err := db.authorizeResource(ctx, access.Update, access.Users, "team.member_remove"); err != nil {
		return err
	}
	return db.inTx(ctx, func(tx *Tx) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = $1 AND user_id = $2`, teamID, userID)
		if err != nil {
			return fmt.Errorf("remove team member: %w", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return haven.Errorf(haven.NotFound, "This user is not on the team.")
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "team.member_remove", ObjectType: "team", ObjectID: teamID, Reason: "user:" + userID})
	})
}
