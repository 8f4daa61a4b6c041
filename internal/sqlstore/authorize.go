package sqlstore

import (
	"context"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

// authorizeResource asks the access decision whether the actor in ctx
// may take act on res, a resource that is not a survivor's record (the
// directory, users, instruments). With no one signed in, it asks for the
// system job in ctx instead (access.SystemGrants); with neither, the
// answer is no. A denial is audited, as event, in its own transaction and
// returned as Unauthenticated without an actor or job, Forbidden
// otherwise.
func (db *DB) authorizeResource(ctx context.Context, act access.Action, res access.Resource, event string) error {
	req := access.Request{Action: act, Resource: res, Relationship: access.None, Class: haven.Coded, Now: db.now()}
	actor, signedIn := haven.ActorFrom(ctx)
	job, system := haven.SystemFrom(ctx)
	if signedIn {
		req.Role = actor.Role
	}
	if system {
		req.System = job
	}
	d := access.Decide(req)
	if d.Allow {
		return nil
	}
	err := db.inTx(ctx, func(tx *Tx) error {
		return tx.audit(ctx, haven.AuditEvent{Action: event, ObjectType: string(res),
			Outcome: haven.OutcomeDenied, Reason: d.Reason})
	})
	switch {
	case err != nil:
		return err
	case !signedIn && !system:
		return errNoSession
	}
	return haven.Errorf(haven.Forbidden, "Your role may not do this.")
}
