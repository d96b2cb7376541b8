package sqlstore

import (
	"context"
	"database/sql"
	"strings"

	"mesh"
	"mesh/audit"
	"mesh/place"
)

const orgUnitColumns = `id, name, type, parent_id, path, COALESCE(code, ''), COALESCE(dhis2_uid, ''),
	COALESCE(malaria_risk, ''), time_zone, cadence_days, version, created_at, updated_at`

type rowScanner interface{ Scan(dest ...any) error }

func scanOrgUnit(r rowScanner) (*place.OrgUnit, error) {
	var o place.OrgUnit
	var parent sql.NullInt64
	err := r.Scan(&o.ID, &o.Name, &o.Type, &parent, &o.Path, &o.Code, &o.DHIS2UID,
		&o.MalariaRisk, &o.TimeZone, &o.CadenceDays, &o.Version, &o.CreatedAt, &o.UpdatedAt)
	if err != nil {
		return nil, driverError(err)
	}
	if parent.Valid {
		o.ParentID = &parent.Int64
	}
	return &o, nil
}

// CreateOrgUnit inserts a place under its parent and sets its path.
func (db *DB) CreateOrgUnit(ctx context.Context, o *place.OrgUnit) error {
	return db.inTx(ctx, func(tx *Tx) error {
		o.Normalize()
		var parent *place.OrgUnit
		if o.ParentID != nil {
			p, err := tx.orgUnit(*o.ParentID)
			if mesh.ErrorCode(err) == mesh.ENOTFOUND {
				return mesh.Invalid(mesh.FieldError{Code: "NOT_FOUND", Field: "parent_id", Message: "parent_id names no place"})
			} else if err != nil {
				return err
			}
			parent = p
		}
		if err := o.Validate(parent); err != nil {
			return err
		}
		o.CreatedAt, o.UpdatedAt, o.Version = tx.now, tx.now, 1
		id, err := tx.insertID(`INSERT INTO orgunits (name, type, parent_id, code, dhis2_uid, malaria_risk, time_zone, cadence_days, version, created_at, updated_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			o.Name, o.Type, o.ParentID, nullString(o.Code), nullString(o.DHIS2UID), nullString(o.MalariaRisk), o.TimeZone, o.CadenceDays, o.Version, o.CreatedAt, o.UpdatedAt)
		if err != nil {
			return err
		}
		o.ID = id
		parentPath := ""
		if parent != nil {
			parentPath = parent.Path
		}
		o.Path = place.ChildPath(parentPath, id)
		if _, err := tx.exec(`UPDATE orgunits SET path = ? WHERE id = ?`, o.Path, id); err != nil {
			return err
		}
		return tx.audit("orgunit", id, "create", asMap(o))
	})
}

func (tx *Tx) orgUnit(id int64) (*place.OrgUnit, error) {
	o, err := scanOrgUnit(tx.queryRow(`SELECT `+orgUnitColumns+` FROM orgunits WHERE id = ?`, id))
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "place %d not found", id)
	}
	return o, err
}

// FindOrgUnitByID returns one place.
func (db *DB) FindOrgUnitByID(ctx context.Context, id int64) (*place.OrgUnit, error) {
	o, err := scanOrgUnit(db.readRow(ctx, `SELECT `+orgUnitColumns+` FROM orgunits WHERE id = ?`, id))
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "place %d not found", id)
	}
	return o, err
}

// FindOrgUnits returns the places matching f, ordered by path, and the total count.
func (db *DB) FindOrgUnits(ctx context.Context, f place.Filter) ([]*place.OrgUnit, int, error) {
	var w where
	if f.ID != nil {
		w.add("id = ?", *f.ID)
	}
	if f.ParentID != nil {
		w.add("parent_id = ?", *f.ParentID)
	}
	if f.Type != nil {
		w.add("type = ?", string(*f.Type))
	}
	if f.Query != "" {
		w.add("LOWER(name) LIKE ?", "%"+strings.ToLower(f.Query)+"%")
	}
	w.under("path", f.Under)
	var total int
	if err := db.readRow(ctx, `SELECT count(*) FROM orgunits`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, driverError(err)
	}
	rows, err := db.readQuery(ctx, `SELECT `+orgUnitColumns+` FROM orgunits`+w.String()+` ORDER BY name, id`+limitOffset(f.Limit, f.Offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*place.OrgUnit
	for rows.Next() {
		o, err := scanOrgUnit(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, o)
	}
	return out, total, driverError(rows.Err())
}

// UpdateOrgUnit changes a place's own fields (not its parent: moving a place would
// move everything recorded under it between districts, which needs its own job).
func (db *DB) UpdateOrgUnit(ctx context.Context, id int64, u place.Update) (*place.OrgUnit, error) {
	var out *place.OrgUnit
	err := db.inTx(ctx, func(tx *Tx) error {
		o, err := tx.orgUnit(id)
		if err != nil {
			return err
		}
		if err := checkVersion("place", u.Version, o.Version); err != nil {
			return err
		}
		before := asMap(o)
		applyOrgUnitUpdate(o, u)
		var parent *place.OrgUnit
		if o.ParentID != nil {
			if parent, err = tx.orgUnit(*o.ParentID); err != nil {
				return err
			}
		}
		o.Normalize()
		if err := o.Validate(parent); err != nil {
			return err
		}
		o.Version++
		o.UpdatedAt = tx.now
		if err := tx.update("place", `UPDATE orgunits SET name = ?, code = ?, dhis2_uid = ?, malaria_risk = ?, time_zone = ?, cadence_days = ?, version = ?, updated_at = ? WHERE id = ?`,
			o.Name, nullString(o.Code), nullString(o.DHIS2UID), nullString(o.MalariaRisk), o.TimeZone, o.CadenceDays, o.Version, o.UpdatedAt, id); err != nil {
			return err
		}
		out = o
		return tx.audit("orgunit", id, "update", audit.Diff(before, asMap(o)))
	})
	return out, err
}

func applyOrgUnitUpdate(o *place.OrgUnit, u place.Update) {
	if u.Name != nil {
		o.Name = *u.Name
	}
	if u.Code != nil {
		o.Code = *u.Code
	}
	if u.DHIS2UID != nil {
		o.DHIS2UID = *u.DHIS2UID
	}
	if u.MalariaRisk != nil {
		o.MalariaRisk = *u.MalariaRisk
	}
	if u.TimeZone != nil {
		o.TimeZone = *u.TimeZone
	}
	if u.CadenceDays != nil {
		o.CadenceDays = *u.CadenceDays
	}
}
