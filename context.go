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

// Clock tells the time. Stores and services take one so that tests can
// control time; production uses SystemClock.
type Clock interface {
	Now() time.Time
}

// SystemClock is the real clock, in UTC.
type SystemClock struct{}

// Now returns the current time in UTC.
func (SystemClock) Now() time.Time { return time.Now().UTC() }
