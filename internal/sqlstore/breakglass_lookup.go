package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/haven-care/haven"
)

// SurvivorIDByCaseNumber finds a record by its pseudonymous case number,
// the starting point of emergency access for a worker who is not on the
// care team. Only clinicians, advocates and supervisors may look up, and
// every lookup, found or not, is audited.
func (db *BreakGlassService) SurvivorIDByCaseNumber(ctx context.Context, caseNumber string) (string, error) {
	actor, err := actorOf(ctx)
	if err != nil {
		return "", err
	}
	switch actor.Role {
	case haven.RoleClinician, haven.RoleAdvocate, haven.RoleSupervisor:
	default:
		return "", haven.Errorf(haven.Forbidden, "Your role cannot use emergency access.")
	}
	caseNumber = strings.ToUpper(strings.TrimSpace(caseNumber))
	var id string
	err = db.inTx(ctx, func(tx *Tx) error {
		err := tx.QueryRowContext(ctx, `SELECT id FROM survivors WHERE case_number = $1`, caseNumber).Scan(&id)
		outcome := haven.OutcomeSuccess
		if errors.Is(err, sql.ErrNoRows) {
			outcome = haven.OutcomeFailure
		} else if err != nil {
			return fmt.Errorf("look up case number: %w", err)
		}
		return tx.audit(ctx, haven.AuditEvent{Action: "survivor.lookup", ObjectType: "survivor", ObjectID: id, Outcome: outcome})
	})
	if err != nil {
		return "", err
	}
	if id == "" {
		return "", haven.FieldError("case_number", "No record has this case number.")
	}
	return id, nil
}
