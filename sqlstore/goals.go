package sqlstore

import (
	"context"

	"mesh"
	"mesh/observation"
)

// PutGoal creates a learning goal or updates its text and status.
func (db *DB) PutGoal(ctx context.Context, g *observation.Goal) (bool, error) {
	created := false
	err := db.inTx(ctx, func(tx *Tx) error {
		if err := g.Validate(); err != nil {
			return err
		}
		var obs any
		if g.ObservationID != "" {
			obs = g.ObservationID
		}
		res, err := tx.exec(`INSERT INTO learning_goals (id, health_worker_id, observation_id, goal, status, created_by, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			g.ID, g.HealthWorkerID, obs, g.Goal, g.Status, nullID(mesh.ActorFrom(ctx).UserID), tx.now, tx.now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			created, g.CreatedAt, g.UpdatedAt = true, tx.now, tx.now
			// The goal's text stays out of the audit trail: agreed next steps are private
			// to the worker's mentors and in-charge (observation.md §5).
			return tx.audit("learning_goal", g.ID, "create", map[string]any{"health_worker_id": g.HealthWorkerID, "status": g.Status})
		}
		var worker int64
		if err := tx.queryRow(`SELECT health_worker_id FROM learning_goals WHERE id = ?`, g.ID).Scan(&worker); err != nil {
			return driverError(err)
		}
		if worker != g.HealthWorkerID {
			return mesh.Errorf(mesh.ECONFLICT, "goal %s belongs to another health worker", g.ID)
		}
		g.UpdatedAt = tx.now
		if _, err := tx.exec(`UPDATE learning_goals SET goal = ?, status = ?, updated_at = ? WHERE id = ?`, g.Goal, g.Status, tx.now, g.ID); err != nil {
			return err
		}
		return tx.audit("learning_goal", g.ID, "update", map[string]any{"status": g.Status})
	})
	return created, err
}

// FindGoals returns a worker's learning goals, open ones first, newest first.
func (db *DB) FindGoals(ctx context.Context, healthWorkerID int64) ([]*observation.Goal, error) {
	rows, err := db.readQuery(ctx, `SELECT id, health_worker_id, COALESCE(observation_id, ''), goal, status, created_at, updated_at
		FROM learning_goals WHERE health_worker_id = ? ORDER BY CASE status WHEN 'open' THEN 0 ELSE 1 END, created_at DESC, id`, healthWorkerID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*observation.Goal
	for rows.Next() {
		var g observation.Goal
		if err := rows.Scan(&g.ID, &g.HealthWorkerID, &g.ObservationID, &g.Goal, &g.Status, &g.CreatedAt, &g.UpdatedAt); err != nil {
			return nil, driverError(err)
		}
		out = append(out, &g)
	}
	return out, driverError(rows.Err())
}
