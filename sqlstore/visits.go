package sqlstore

import (
	"context"
	"encoding/json"

	"mesh"
	"mesh/audit"
	"mesh/visit"
)

const visitSelect = `SELECT v.id, v.facility_id, v.mentor_id, v.date, v.kind, v.status, v.activities, v.teaching_topic,
	v.teaching_attendees, v.notes, v.content_hash, v.version, v.created_at, v.updated_at, o.path
	FROM visits v JOIN orgunits o ON o.id = v.facility_id`

func scanVisit(r rowScanner) (*visit.Visit, string, error) {
	var v visit.Visit
	var activities, hash string
	err := r.Scan(&v.ID, &v.FacilityID, &v.MentorID, &v.Date, &v.Kind, &v.Status, &activities, &v.TeachingTopic,
		&v.TeachingAttendees, &v.Notes, &hash, &v.Version, &v.CreatedAt, &v.UpdatedAt, &v.FacilityPath)
	if err != nil {
		return nil, "", driverError(err)
	}
	if err := json.Unmarshal([]byte(activities), &v.Activities); err != nil {
		return nil, "", err
	}
	return &v, hash, nil
}

// forUpdate locks the selected row on PostgreSQL; SQLite's single writer already
// serializes write transactions.
func (tx *Tx) forUpdate() string {
	if tx.db.Dialect == Postgres {
		return " FOR UPDATE OF v"
	}
	return ""
}

// PutVisit stores a client-identified visit idempotently (see visit.Store).
func (db *DB) PutVisit(ctx context.Context, v *visit.Visit, expectedVersion *int) (bool, error) {
	created := false
	err := db.inTx(ctx, func(tx *Tx) error {
		v.Normalize()
		if err := v.Validate(); err != nil {
			return err
		}
		f, err := tx.orgUnit(v.FacilityID)
		if err := lookupFailed(err); err != nil {
			return err
		}
		if err != nil || f.Type != "facility" {
			return mesh.Invalid(mesh.FieldError{Code: "NOT_FOUND", Field: "facility_id", Message: "facility_id must name a facility"})
		}
		if err := tx.checkMentor(v.MentorID); err != nil {
			return err
		}
		v.FacilityPath = f.Path
		hash := v.ContentHash()
		acts, _ := json.Marshal(v.Activities)
		res, err := tx.exec(`INSERT INTO visits (id, facility_id, mentor_id, date, kind, status, activities, teaching_topic, teaching_attendees, notes, content_hash, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?) ON CONFLICT (id) DO NOTHING`,
			v.ID, v.FacilityID, v.MentorID, v.Date, v.Kind, v.Status, string(acts), v.TeachingTopic, v.TeachingAttendees, v.Notes, hash, tx.now, tx.now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			created, v.Version, v.CreatedAt, v.UpdatedAt = true, 1, tx.now, tx.now
			if err := tx.countVisit(nil, v); err != nil {
				return err
			}
			if err := tx.recordChange("visit", v.ID, v.FacilityPath); err != nil {
				return err
			}
			return tx.audit("visit", v.ID, "create", asMap(v))
		}
		return tx.updateVisit(v, hash, string(acts), expectedVersion)
	})
	return created, err
}

// updateVisit handles a PUT of an existing id: the same content is a no-op, a
// different one needs the current version.
func (tx *Tx) updateVisit(v *visit.Visit, hash, acts string, expectedVersion *int) error {
	stored, storedHash, err := scanVisit(tx.queryRow(visitSelect+` WHERE v.id = ?`+tx.forUpdate(), v.ID))
	if err != nil {
		return err
	}
	if storedHash == hash {
		*v = *stored
		v.Unchanged = true
		return nil
	}
	if expectedVersion == nil || *expectedVersion != stored.Version {
		return mesh.Errorf(mesh.ECONFLICT, "a different visit is stored under id %s (version %d): send the current version to change it", v.ID, stored.Version)
	}
	before := asMap(stored)
	v.Version, v.CreatedAt, v.UpdatedAt = stored.Version+1, stored.CreatedAt, tx.now
	if _, err := tx.exec(`UPDATE visits SET facility_id = ?, mentor_id = ?, date = ?, kind = ?, status = ?, activities = ?, teaching_topic = ?,
		teaching_attendees = ?, notes = ?, content_hash = ?, version = ?, updated_at = ? WHERE id = ?`,
		v.FacilityID, v.MentorID, v.Date, v.Kind, v.Status, acts, v.TeachingTopic, v.TeachingAttendees, v.Notes, hash, v.Version, v.UpdatedAt, v.ID); err != nil {
		return err
	}
	if err := tx.countVisit(stored, v); err != nil {
		return err
	}
	if err := tx.recordChange("visit", v.ID, v.FacilityPath); err != nil {
		return err
	}
	return tx.audit("visit", v.ID, "update", audit.Diff(before, asMap(v)))
}

// checkMentor checks that id names an active user (a mentor or a supervisor may visit).
func (tx *Tx) checkMentor(id int64) error {
	var role string
	err := tx.queryRow(`SELECT role FROM users WHERE id = ?`, id).Scan(&role)
	if err := lookupFailed(err); err != nil {
		return err
	}
	if err != nil || (role != "mentor" && role != "supervisor" && role != "manager" && role != "admin") {
		return mesh.Invalid(mesh.FieldError{Code: "NOT_FOUND", Field: "mentor_id", Message: "mentor_id must name a mentor or supervisor"})
	}
	return nil
}

// FindVisitByID returns one visit.
func (db *DB) FindVisitByID(ctx context.Context, id string) (*visit.Visit, error) {
	v, _, err := scanVisit(db.readRow(ctx, visitSelect+` WHERE v.id = ?`, id))
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "visit %s not found", id)
	}
	return v, err
}

// FindVisits returns visits matching f, newest first.
func (db *DB) FindVisits(ctx context.Context, f visit.Filter) ([]*visit.Visit, int, error) {
	var w where
	if f.ID != nil {
		w.add("v.id = ?", *f.ID)
	}
	if f.FacilityID != nil {
		w.add("v.facility_id = ?", *f.FacilityID)
	}
	if f.MentorID != nil {
		w.add("v.mentor_id = ?", *f.MentorID)
	}
	if f.Status != "" {
		w.add("v.status = ?", f.Status)
	}
	if f.From != "" {
		w.add("v.date >= ?", f.From)
	}
	if f.To != "" {
		w.add("v.date <= ?", f.To)
	}
	w.under("o.path", f.Under)
	var total int
	if err := db.readRow(ctx, `SELECT count(*) FROM visits v JOIN orgunits o ON o.id = v.facility_id`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, driverError(err)
	}
	rows, err := db.readQuery(ctx, visitSelect+w.String()+` ORDER BY v.date DESC, v.id`+limitOffset(f.Limit, f.Offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*visit.Visit
	for rows.Next() {
		v, _, err := scanVisit(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, v)
	}
	return out, total, driverError(rows.Err())
}

// FindCadence returns where every facility under the paths stands against its visit
// target on day today.
func (db *DB) FindCadence(ctx context.Context, under []string, today mesh.Date) ([]*visit.Cadence, error) {
	var w where
	w.add("o.type = ?", "facility")
	w.under("o.path", under)
	yearAgo := mesh.DateOf(today.Time().AddDate(-1, 0, 0))
	args := append([]any{today, yearAgo, today, today}, w.args...)
	rows, err := db.readQuery(ctx, `SELECT o.id, o.name, o.cadence_days,
		(SELECT MAX(v.date) FROM visits v WHERE v.facility_id = o.id AND v.status = 'done' AND v.date <= ?),
		(SELECT count(*) FROM visits v WHERE v.facility_id = o.id AND v.status = 'done' AND v.date > ? AND v.date <= ?),
		(SELECT MIN(v.date) FROM visits v WHERE v.facility_id = o.id AND v.status = 'planned' AND v.date >= ?)
		FROM orgunits o`+w.String()+` ORDER BY o.name, o.id`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*visit.Cadence
	for rows.Next() {
		var c visit.Cadence
		if err := rows.Scan(&c.FacilityID, &c.FacilityName, &c.TargetDays, &c.LastVisit, &c.Visits12Months, &c.NextPlanned); err != nil {
			return nil, driverError(err)
		}
		visit.ComputeCadence(&c, today)
		out = append(out, &c)
	}
	return out, driverError(rows.Err())
}
