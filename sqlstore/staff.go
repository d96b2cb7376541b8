package sqlstore

import (
	"context"
	"strings"

	"mesh"
	"mesh/audit"
	"mesh/place"
	"mesh/staff"
)

// A worker's current posting is their latest one; history stays in postings.
const workerSelect = `SELECT hw.id, hw.name, hw.cadre, hw.imci_trained_on, p.facility_id, p.start_on, p.end_on, o.path,
	hw.version, hw.created_at, hw.updated_at
	FROM health_workers hw
	JOIN postings p ON p.id = (SELECT p2.id FROM postings p2 WHERE p2.health_worker_id = hw.id ORDER BY p2.start_on DESC, p2.id DESC LIMIT 1)
	JOIN orgunits o ON o.id = p.facility_id`

func scanWorker(r rowScanner) (*staff.HealthWorker, error) {
	var h staff.HealthWorker
	err := r.Scan(&h.ID, &h.Name, &h.Cadre, &h.IMCITrainedOn, &h.FacilityID, &h.StartOn, &h.EndOn, &h.FacilityPath,
		&h.Version, &h.CreatedAt, &h.UpdatedAt)
	return &h, driverError(err)
}

// facilityForWorker checks that id names a facility (not a district) and returns it.
func (tx *Tx) facilityForWorker(id int64) (*place.OrgUnit, error) {
	f, err := tx.orgUnit(id)
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return nil, mesh.Invalid(mesh.FieldError{Code: "NOT_FOUND", Field: "facility_id", Message: "facility_id names no place"})
	} else if err != nil {
		return nil, err
	}
	if f.Type != place.Facility {
		return nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_PARENT", Field: "facility_id", Message: "facility_id must name a facility, not a " + string(f.Type)})
	}
	return f, nil
}

// CreateHealthWorker adds a worker with a first posting (starting today unless given).
func (db *DB) CreateHealthWorker(ctx context.Context, h *staff.HealthWorker) error {
	return db.inTx(ctx, func(tx *Tx) error {
		h.Normalize()
		if h.StartOn == "" {
			h.StartOn = mesh.DateOf(tx.now)
		}
		if err := h.Validate(); err != nil {
			return err
		}
		f, err := tx.facilityForWorker(h.FacilityID)
		if err != nil {
			return err
		}
		h.FacilityPath = f.Path
		h.CreatedAt, h.UpdatedAt, h.Version = tx.now, tx.now, 1
		id, err := tx.insertID(`INSERT INTO health_workers (name, cadre, imci_trained_on, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
			h.Name, h.Cadre, h.IMCITrainedOn, h.Version, h.CreatedAt, h.UpdatedAt)
		if err != nil {
			return err
		}
		h.ID = id
		pid, err := tx.insertID(`INSERT INTO postings (health_worker_id, facility_id, start_on, end_on) VALUES (?, ?, ?, ?)`, id, h.FacilityID, h.StartOn, h.EndOn)
		if err != nil {
			return err
		}
		h.Postings = []staff.Posting{{ID: pid, FacilityID: h.FacilityID, StartOn: h.StartOn, EndOn: h.EndOn}}
		return tx.audit("health_worker", id, "create", asMap(h))
	})
}

// FindHealthWorkerByID returns a worker with their posting history.
func (db *DB) FindHealthWorkerByID(ctx context.Context, id int64) (*staff.HealthWorker, error) {
	h, err := scanWorker(db.readRow(ctx, workerSelect+` WHERE hw.id = ?`, id))
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "health worker %d not found", id)
	} else if err != nil {
		return nil, err
	}
	rows, err := db.readQuery(ctx, `SELECT id, facility_id, start_on, end_on FROM postings WHERE health_worker_id = ? ORDER BY start_on, id`, id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var p staff.Posting
		if err := rows.Scan(&p.ID, &p.FacilityID, &p.StartOn, &p.EndOn); err != nil {
			return nil, driverError(err)
		}
		h.Postings = append(h.Postings, p)
	}
	return h, driverError(rows.Err())
}

// FindHealthWorkers returns workers by their current posting, ordered by name.
func (db *DB) FindHealthWorkers(ctx context.Context, f staff.Filter) ([]*staff.HealthWorker, int, error) {
	var w where
	if f.ID != nil {
		w.add("hw.id = ?", *f.ID)
	}
	if f.FacilityID != nil {
		w.add("p.facility_id = ?", *f.FacilityID)
	}
	if f.ActiveOn != "" {
		w.add("p.start_on <= ? AND (p.end_on IS NULL OR p.end_on >= ?)", f.ActiveOn, f.ActiveOn)
	}
	if f.Query != "" {
		w.add("LOWER(hw.name) LIKE ?", "%"+strings.ToLower(f.Query)+"%")
	}
	w.under("o.path", f.Under)
	var total int
	if err := db.readRow(ctx, `SELECT count(*) FROM (`+workerSelect+w.String()+`) t`, w.args...).Scan(&total); err != nil {
		return nil, 0, driverError(err)
	}
	rows, err := db.readQuery(ctx, workerSelect+w.String()+` ORDER BY hw.name, hw.id`+limitOffset(f.Limit, f.Offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*staff.HealthWorker
	for rows.Next() {
		h, err := scanWorker(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, h)
	}
	return out, total, driverError(rows.Err())
}

// UpdateHealthWorker edits a worker; a facility change closes the current posting and
// opens a new one so the history of who worked where stays true.
func (db *DB) UpdateHealthWorker(ctx context.Context, id int64, u staff.Update) (*staff.HealthWorker, error) {
	err := db.inTx(ctx, func(tx *Tx) error {
		h, err := scanWorker(tx.queryRow(workerSelect+` WHERE hw.id = ?`, id))
		if mesh.ErrorCode(err) == mesh.ENOTFOUND {
			return mesh.Errorf(mesh.ENOTFOUND, "health worker %d not found", id)
		} else if err != nil {
			return err
		}
		if err := checkVersion("health worker", u.Version, h.Version); err != nil {
			return err
		}
		before := asMap(h)
		if u.Name != nil {
			h.Name = *u.Name
		}
		if u.Cadre != nil {
			h.Cadre = *u.Cadre
		}
		if u.IMCITrainedOn != nil {
			h.IMCITrainedOn = *u.IMCITrainedOn
		}
		h.Normalize()
		if err := h.Validate(); err != nil {
			return err
		}
		if err := tx.movePosting(h, u); err != nil {
			return err
		}
		h.Version++
		h.UpdatedAt = tx.now
		if err := tx.update("health worker", `UPDATE health_workers SET name = ?, cadre = ?, imci_trained_on = ?, version = ?, updated_at = ? WHERE id = ?`,
			h.Name, h.Cadre, h.IMCITrainedOn, h.Version, h.UpdatedAt, id); err != nil {
			return err
		}
		return tx.audit("health_worker", id, "update", audit.Diff(before, asMap(h)))
	})
	if err != nil {
		return nil, err
	}
	return db.FindHealthWorkerByID(ctx, id)
}

// movePosting applies a move to another facility or the end of the current posting.
func (tx *Tx) movePosting(h *staff.HealthWorker, u staff.Update) error {
	if u.EndOn != nil {
		if !u.EndOn.Valid() || (*u.EndOn != "" && *u.EndOn < h.StartOn) {
			return mesh.Invalid(mesh.FieldError{Code: "OUT_OF_RANGE", Field: "end_on", Message: "end_on must be a date on or after the posting's start_on (" + string(h.StartOn) + ")"})
		}
		h.EndOn = *u.EndOn
		if _, err := tx.exec(`UPDATE postings SET end_on = ? WHERE health_worker_id = ? AND start_on = ? AND facility_id = ?`, h.EndOn, h.ID, h.StartOn, h.FacilityID); err != nil {
			return err
		}
	}
	if u.FacilityID == nil || *u.FacilityID == h.FacilityID {
		return nil
	}
	f, err := tx.facilityForWorker(*u.FacilityID)
	if err != nil {
		return err
	}
	on := u.MoveOn
	if on == "" {
		on = mesh.DateOf(tx.now)
	}
	if !on.Valid() || on <= h.StartOn {
		return mesh.Invalid(mesh.FieldError{Code: "OUT_OF_RANGE", Field: "move_on", Message: "move_on must be a date after the current posting's start_on (" + string(h.StartOn) + ")"})
	}
	dayBefore := mesh.DateOf(on.Time().AddDate(0, 0, -1))
	if h.EndOn == "" || h.EndOn > dayBefore {
		if _, err := tx.exec(`UPDATE postings SET end_on = ? WHERE health_worker_id = ? AND start_on = ? AND facility_id = ?`, dayBefore, h.ID, h.StartOn, h.FacilityID); err != nil {
			return err
		}
	}
	if _, err := tx.exec(`INSERT INTO postings (health_worker_id, facility_id, start_on) VALUES (?, ?, ?)`, h.ID, f.ID, on); err != nil {
		return err
	}
	h.FacilityID, h.FacilityPath, h.StartOn, h.EndOn = f.ID, f.Path, on, ""
	return nil
}
