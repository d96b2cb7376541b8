package observation

import (
	"context"
	"strings"
	"time"

	"mesh"
)

// Goal statuses: a goal agreed at a visit is open until reviewed at a later one.
var GoalStatuses = []string{"open", "achieved", "dropped"}

// Goal is a learning goal agreed between a mentor and a health worker (observation.md
// §4), shown again at the next visit for review. Like notes, it is private to the
// worker, their mentors and their in-charge.
type Goal struct {
	ID             string    `json:"id"`
	HealthWorkerID int64     `json:"health_worker_id"`
	ObservationID  string    `json:"observation_id,omitempty"`
	Goal           string    `json:"goal"`
	Status         string    `json:"status"`
	CreatedAt      time.Time `json:"created_at"`
	UpdatedAt      time.Time `json:"updated_at"`
}

// Validate returns every problem with g, each naming the field and the rule.
func (g *Goal) Validate() error {
	g.Goal = strings.TrimSpace(g.Goal)
	if g.Status == "" {
		g.Status = "open"
	}
	var errs []mesh.FieldError
	if g.Goal == "" {
		errs = append(errs, mesh.FieldError{Code: "MISSING_REQUIRED", Field: "goal", Message: "goal is required"})
	} else if len(g.Goal) > 1000 {
		errs = append(errs, mesh.FieldError{Code: "OUT_OF_RANGE", Field: "goal", Message: "goal must be at most 1000 characters"})
	}
	ok := false
	for _, s := range GoalStatuses {
		ok = ok || s == g.Status
	}
	if !ok {
		errs = append(errs, mesh.FieldError{Code: "UNKNOWN_ENUM_VALUE", Field: "status", Message: "status must be open, achieved or dropped"})
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}

// GoalStore keeps learning goals.
type GoalStore interface {
	// PutGoal creates a goal under its client id, or changes its text and status.
	PutGoal(ctx context.Context, g *Goal) (created bool, err error)
	FindGoals(ctx context.Context, healthWorkerID int64) ([]*Goal, error)
}
