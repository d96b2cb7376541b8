package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"mesh"
	"mesh/qi"
)

const projectSelect = `SELECT p.id, p.facility_id, p.title, p.team, p.problem, p.aim, p.change_ideas, p.status, p.started_on, p.ended_on,
	p.baseline_points, p.content_hash, p.version, p.created_at, p.updated_at, o.path
	FROM qi_projects p JOIN orgunits o ON o.id = p.facility_id`

func scanProject(r rowScanner) (*qi.Project, string, error) {
	var p qi.Project
	var team, aim, ideas, hash string
	err := r.Scan(&p.ID, &p.FacilityID, &p.Title, &team, &p.Problem, &aim, &ideas, &p.Status, &p.StartedOn, &p.EndedOn,
		&p.BaselinePoints, &hash, &p.Version, &p.CreatedAt, &p.UpdatedAt, &p.FacilityPath)
	if err != nil {
		return nil, "", driverError(err)
	}
	for _, x := range []struct {
		s string
		v any
	}{{team, &p.Team}, {aim, &p.Aim}, {ideas, &p.ChangeIdeas}} {
		if err := json.Unmarshal([]byte(x.s), x.v); err != nil {
			return nil, "", fmt.Errorf("stored QI project %s: %w", p.ID, err)
		}
	}
	p.Cycles = []*qi.PDSACycle{}
	return &p, hash, nil
}

// PutProject stores a QI project idempotently (see qi.Store). A project stays at the
// facility it was created for: its cycles already count there.
func (db *DB) PutProject(ctx context.Context, p *qi.Project, expectedVersion *int) (bool, error) {
	created := false
	err := db.inTx(ctx, func(tx *Tx) error {
		p.Normalize()
		if err := p.Validate(); err != nil {
			return err
		}
		f, err := tx.facilityField(p.FacilityID, "facility_id")
		if err != nil {
			return err
		}
		p.FacilityPath = f.Path
		hash := p.ContentHash()
		team, _ := json.Marshal(p.Team)
		aim, _ := json.Marshal(p.Aim)
		ideas, _ := json.Marshal(p.ChangeIdeas)
		res, err := tx.exec(`INSERT INTO qi_projects (id, facility_id, title, team, problem, aim, indicator, change_ideas, status, started_on, ended_on,
			baseline_points, content_hash, version, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?)
			ON CONFLICT (id) DO NOTHING`,
			p.ID, p.FacilityID, p.Title, string(team), p.Problem, string(aim), p.Aim.IndicatorID, string(ideas), p.Status, p.StartedOn, p.EndedOn,
			p.BaselinePoints, hash, nullID(mesh.ActorFrom(ctx).UserID), tx.now, tx.now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			created, p.Version, p.CreatedAt, p.UpdatedAt, p.Cycles = true, 1, tx.now, tx.now, []*qi.PDSACycle{}
			return tx.audit("qi_project", p.ID, "create", asMap(p))
		}
		old, oldHash, err := scanProject(tx.queryRow(projectSelect+` WHERE p.id = ?`+tx.lockSuffix("p"), p.ID))
		if err != nil {
			return err
		}
		if err := tx.loadCycles(old); err != nil {
			return err
		}
		if oldHash == hash {
			*p = *old
			p.Unchanged = true
			return nil
		}
		if expectedVersion == nil || *expectedVersion != old.Version {
			return conflict("QI project", p.ID, old.Version)
		}
		if p.FacilityID != old.FacilityID {
			return mesh.Invalid(mesh.FieldError{Code: "IMMUTABLE", Field: "facility_id", Message: "a QI project cannot move to another facility"})
		}
		for _, c := range old.Cycles {
			if _, ok := p.Idea(c.ChangeIdeaID); c.ChangeIdeaID != "" && !ok {
				return mesh.Invalid(mesh.FieldError{Code: "IN_USE", Field: "change_ideas", Message: "change idea " + c.ChangeIdeaID + " is tested by a PDSA cycle and cannot be removed"})
			}
		}
		p.Cycles = old.Cycles
		p.Version, p.CreatedAt, p.UpdatedAt = old.Version+1, old.CreatedAt, tx.now
		if _, err := tx.exec(`UPDATE qi_projects SET title = ?, team = ?, problem = ?, aim = ?, indicator = ?, change_ideas = ?, status = ?, started_on = ?,
			ended_on = ?, baseline_points = ?, content_hash = ?, version = ?, updated_at = ? WHERE id = ?`,
			p.Title, string(team), p.Problem, string(aim), p.Aim.IndicatorID, string(ideas), p.Status, p.StartedOn, p.EndedOn, p.BaselinePoints,
			hash, p.Version, tx.now, p.ID); err != nil {
			return err
		}
		return tx.audit("qi_project", p.ID, "update", auditDiff(old, p))
	})
	return created, err
}

const cycleColumns = `id, project_id, change_idea_id, plan, do_text, study, act, started_on, ended_on, result, content_hash, version, created_at, updated_at`

func scanCycle(r rowScanner) (*qi.PDSACycle, string, error) {
	var c qi.PDSACycle
	var hash string
	err := r.Scan(&c.ID, &c.ProjectID, &c.ChangeIdeaID, &c.Plan, &c.Do, &c.Study, &c.Act, &c.StartedOn, &c.EndedOn, &c.Result,
		&hash, &c.Version, &c.CreatedAt, &c.UpdatedAt)
	return &c, hash, driverError(err)
}

func (tx *Tx) loadCycles(p *qi.Project) error {
	rows, err := tx.query(`SELECT `+cycleColumns+` FROM pdsa_cycles WHERE project_id = ? ORDER BY started_on, id`, p.ID)
	if err != nil {
		return err
	}
	defer rows.Close()
	p.Cycles = []*qi.PDSACycle{}
	for rows.Next() {
		c, _, err := scanCycle(rows)
		if err != nil {
			return err
		}
		p.Cycles = append(p.Cycles, c)
	}
	return driverError(rows.Err())
}

// PutCycle stores a PDSA cycle idempotently; a completed cycle counts in
// qi.pdsa_cycles in the month it ended, moved in the same transaction when it changes.
func (db *DB) PutCycle(ctx context.Context, c *qi.PDSACycle, expectedVersion *int) (bool, error) {
	created := false
	err := db.inTx(ctx, func(tx *Tx) error {
		c.Normalize()
		p, _, err := scanProject(tx.queryRow(projectSelect+` WHERE p.id = ?`, c.ProjectID))
		if mesh.ErrorCode(err) == mesh.ENOTFOUND {
			return mesh.Errorf(mesh.ENOTFOUND, "QI project %s not found", c.ProjectID)
		} else if err != nil {
			return err
		}
		if err := c.Validate(p); err != nil {
			return err
		}
		hash := c.ContentHash()
		res, err := tx.exec(`INSERT INTO pdsa_cycles (id, project_id, change_idea_id, plan, do_text, study, act, started_on, ended_on, result,
			content_hash, version, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			c.ID, c.ProjectID, c.ChangeIdeaID, c.Plan, c.Do, c.Study, c.Act, c.StartedOn, c.EndedOn, c.Result, hash,
			nullID(mesh.ActorFrom(ctx).UserID), tx.now, tx.now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			created, c.Version, c.CreatedAt, c.UpdatedAt = true, 1, tx.now, tx.now
			if month, cs := c.Contributions(); cs != nil {
				if err := tx.addCounts(p.FacilityID, month, cs, 1); err != nil {
					return err
				}
			}
			return tx.audit("pdsa_cycle", c.ID, "create", asMap(c))
		}
		old, oldHash, err := scanCycle(tx.queryRow(`SELECT `+cycleColumns+` FROM pdsa_cycles WHERE id = ?`, c.ID))
		if err != nil {
			return err
		}
		if old.ProjectID != c.ProjectID {
			return mesh.Errorf(mesh.ECONFLICT, "PDSA cycle %s belongs to another project", c.ID)
		}
		if oldHash == hash {
			*c = *old
			c.Unchanged = true
			return nil
		}
		if expectedVersion == nil || *expectedVersion != old.Version {
			return conflict("PDSA cycle", c.ID, old.Version)
		}
		if month, cs := old.Contributions(); cs != nil {
			if err := tx.addCounts(p.FacilityID, month, cs, -1); err != nil {
				return err
			}
		}
		c.Version, c.CreatedAt, c.UpdatedAt = old.Version+1, old.CreatedAt, tx.now
		if _, err := tx.exec(`UPDATE pdsa_cycles SET change_idea_id = ?, plan = ?, do_text = ?, study = ?, act = ?, started_on = ?, ended_on = ?,
			result = ?, content_hash = ?, version = ?, updated_at = ? WHERE id = ?`,
			c.ChangeIdeaID, c.Plan, c.Do, c.Study, c.Act, c.StartedOn, c.EndedOn, c.Result, hash, c.Version, tx.now, c.ID); err != nil {
			return err
		}
		if month, cs := c.Contributions(); cs != nil {
			if err := tx.addCounts(p.FacilityID, month, cs, 1); err != nil {
				return err
			}
		}
		return tx.audit("pdsa_cycle", c.ID, "update", auditDiff(old, c))
	})
	return created, err
}

// FindProjectByID returns a project with its cycles.
func (db *DB) FindProjectByID(ctx context.Context, id string) (*qi.Project, error) {
	list, _, err := db.findProjects(ctx, qi.Filter{}, &id)
	if err != nil {
		return nil, err
	}
	if len(list) == 0 {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "QI project %s not found", id)
	}
	return list[0], nil
}

// FindProjects returns projects matching f with their cycles, newest start first.
func (db *DB) FindProjects(ctx context.Context, f qi.Filter) ([]*qi.Project, int, error) {
	return db.findProjects(ctx, f, nil)
}

func (db *DB) findProjects(ctx context.Context, f qi.Filter, id *string) ([]*qi.Project, int, error) {
	var w where
	if id != nil {
		w.add("p.id = ?", *id)
	}
	if f.FacilityID != nil {
		w.add("p.facility_id = ?", *f.FacilityID)
	}
	if f.Status != "" {
		w.add("p.status = ?", f.Status)
	}
	w.under("o.path", f.Under)
	var total int
	if err := db.readRow(ctx, `SELECT count(*) FROM qi_projects p JOIN orgunits o ON o.id = p.facility_id`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, driverError(err)
	}
	rows, err := db.readQuery(ctx, projectSelect+w.String()+` ORDER BY p.started_on DESC, p.id`+limitOffset(f.Limit, f.Offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	var out []*qi.Project
	byID := map[string]*qi.Project{}
	for rows.Next() {
		p, _, err := scanProject(rows)
		if err != nil {
			rows.Close()
			return nil, 0, err
		}
		out = append(out, p)
		byID[p.ID] = p
	}
	rows.Close()
	if err := driverError(rows.Err()); err != nil || len(out) == 0 {
		return out, total, err
	}
	// One query for every listed project's cycles.
	marks := make([]string, len(out))
	args := make([]any, len(out))
	for i, p := range out {
		marks[i], args[i] = "?", p.ID
	}
	crows, err := db.readQuery(ctx, `SELECT `+cycleColumns+` FROM pdsa_cycles WHERE project_id IN (`+strings.Join(marks, ", ")+`) ORDER BY started_on, id`, args...)
	if err != nil {
		return nil, 0, err
	}
	defer crows.Close()
	for crows.Next() {
		c, _, err := scanCycle(crows)
		if err != nil {
			return nil, 0, err
		}
		byID[c.ProjectID].Cycles = append(byID[c.ProjectID].Cycles, c)
	}
	return out, total, driverError(crows.Err())
}
