package mesh

import "context"

// Actor is who is doing something: the logged-in user, or the system for jobs and
// the CLI. Stores read it from the context to write the audit trail.
type Actor struct {
	UserID   int64
	Username string
	Role     string
}

// System is the actor for CLI commands and background jobs.
var System = Actor{Username: "system", Role: "system"}

type actorKey struct{}

// WithActor returns a context carrying a.
func WithActor(ctx context.Context, a Actor) context.Context {
	return context.WithValue(ctx, actorKey{}, a)
}

// ActorFrom returns the actor of ctx, or System when none was set.
func ActorFrom(ctx context.Context) Actor {
	if a, ok := ctx.Value(actorKey{}).(Actor); ok {
		return a
	}
	return System
}
