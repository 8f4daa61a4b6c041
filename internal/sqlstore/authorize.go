package sqlstore

import (
	"context"

	"github.com/haven-care/haven"
	"github.com/haven-care/haven/internal/access"
)

// resourceRequest is the access request for act on res, a resource that
// is not a survivor's record, by the actor in ctx or, with no one signed
// in, the system job in ctx (access.SystemGrants). With neither, Decide
// finds the request invalid and denies it; who reports whether either
// was there.
func (db *store) resourceRequest(ctx context.Context, act access.Action, res access.Resource) (req access.Request, who bool) {
	req = access.Request{Action: act, Resource: res, Relationship: access.None, Class: haven.Coded, Now: db.now()}
	if actor, ok := haven.ActorFrom(ctx); ok {
		req.Role, who = actor.Role, true
	}
	if job, ok := haven.SystemFrom(ctx); ok {
		req.System, who = job, true
	}
	return req, who
}

// authorizeResource asks the access decision whether the actor or system
// job in ctx may take act on res (the directory, users, instruments). A
// denial is audited, as event, in its own transaction and returned as
// Unauthenticated without an actor or job, Forbidden otherwise.
func (db *store) authorizeResource(ctx context.Context, act access.Action, res access.Resource, event string) error {
	req, who := db.resourceRequest(ctx, act, res)
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
	case !who:
		return errNoSession
	}
	return haven.Errorf(haven.Forbidden, "Your role may not do this.")
}

// allowed reports, without auditing, whether the actor or system job in
// ctx may take act on res: for what a method leaves out rather than
// refuses.
func (db *store) allowed(ctx context.Context, act access.Action, res access.Resource) bool {
	req, _ := db.resourceRequest(ctx, act, res)
	return access.Decide(req).Allow
}
