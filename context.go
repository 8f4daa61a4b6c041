package haven

import (
	"context"
	"time"
)

// Actor is who is acting: a signed-in user or a machine client. It is
// carried in the request context and recorded (by opaque ID) in the audit log.
type Actor struct {
	UserID string
	Role   Role
	// SessionID is the opaque ID of the session or API token in use.
	SessionID string
}

type actorKey struct{}

// WithActor returns a context carrying actor.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor in ctx and whether there is one.
func ActorFrom(ctx context.Context) (Actor, bool) {
	a, ok := ctx.Value(actorKey{}).(Actor)
	return a, ok && a.UserID != ""
}

// SystemJob names work Haven does for itself on the command line, with no
// person signed in: loading demo data, importing the directory, adding
// the first administrator. The access package lists the jobs there are and
// what each may do; a context with neither an actor nor a listed job is
// denied everything.
type SystemJob string

type systemKey struct{}

// WithSystem returns a context in which job acts. Only cmd/haven sets it,
// for the jobs its subcommands run; a request handler never does.
func WithSystem(ctx context.Context, job SystemJob) context.Context {
	return context.WithValue(ctx, systemKey{}, job)
}

// SystemFrom returns the system job in ctx and whether there is one.
func SystemFrom(ctx context.Context) (SystemJob, bool) {
	j, ok := ctx.Value(systemKey{}).(SystemJob)
	return j, ok && j != ""
}

// Clock tells the time. Stores and services take one so that tests can
// control time; production uses SystemClock.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }
