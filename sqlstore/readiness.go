package sqlstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"mesh"
	"mesh/audit"
	"mesh/place"
	"mesh/readiness"
)

// facilityField returns the facility named by id, or an EINVALID error on field.
func (tx *Tx) facilityField(id int64, field string) (*place.OrgUnit, error) {
	f, err := tx.orgUnit(id)
	if err := lookupFailed(err); err != nil {
		return nil, err
	}
	if err != nil || f.Type != place.Facility {
		return nil, mesh.Invalid(mesh.FieldError{Code: "NOT_FOUND", Field: field, Message: field + " must name a facility"})
	}
	return f, nil
}

// checkVisitAt checks that a linked visit exists and is at the record's facility.
func (tx *Tx) checkVisitAt(visitID string, facilityID int64) error {
	var fac int64
	err := tx.queryRow(`SELECT facility_id FROM visits WHERE id = ?`, visitID).Scan(&fac)
	if err := lookupFailed(err); err != nil {
		return err
	}
	if err != nil || fac != facilityID {
		return mesh.Invalid(mesh.FieldError{Code: "NOT_FOUND", Field: "visit_id", Message: "visit_id must name a visit to the same facility"})
	}
	return nil
}

// lockSuffix locks the selected row on PostgreSQL (alias a); SQLite's single writer
// already serializes write transactions.
func (tx *Tx) lockSuffix(alias string) string {
	if tx.db.Dialect == Postgres {
		return " FOR UPDATE OF " + alias
	}
	return ""
}

func conflict(what, id string, version int) error {
	return mesh.Errorf(mesh.ECONFLICT, "a different %s is stored under id %s (version %d): send the current version to change it", what, id, version)
}

const checkSelect = `SELECT c.id, c.facility_id, COALESCE(c.visit_id, ''), c.date, c.answers, c.notes, c.checklist_version, c.indicators,
	c.content_hash, c.version, c.created_at, c.updated_at, o.path
	FROM readiness_checks c JOIN orgunits o ON o.id = c.facility_id`

func scanCheck(r rowScanner) (*readiness.Check, string, error) {
	var c readiness.Check
	var answers, inds, hash string
	err := r.Scan(&c.ID, &c.FacilityID, &c.VisitID, &c.Date, &answers, &c.Notes, &c.ChecklistVersion, &inds,
		&hash, &c.Version, &c.CreatedAt, &c.UpdatedAt, &c.FacilityPath)
	if err != nil {
		return nil, "", driverError(err)
	}
	if err := json.Unmarshal([]byte(answers), &c.Answers); err != nil {
		return nil, "", fmt.Errorf("stored check %s: %w", c.ID, err)
	}
	if err := json.Unmarshal([]byte(inds), &c.Indicators); err != nil {
		return nil, "", fmt.Errorf("stored check %s: %w", c.ID, err)
	}
	return &c, hash, nil
}

// PutCheck stores a readiness check idempotently with its facility-month counts, in
// one transaction (see readiness.Store).
func (db *DB) PutCheck(ctx context.Context, c *readiness.Check, cl readiness.Checklist, expectedVersion *int) (bool, error) {
	created := false
	err := db.inTx(ctx, func(tx *Tx) error {
		c.Normalize(cl)
		if err := c.Validate(cl); err != nil {
			return err
		}
		f, err := tx.facilityField(c.FacilityID, "facility_id")
		if err != nil {
			return err
		}
		if c.VisitID != "" {
			if err := tx.checkVisitAt(c.VisitID, c.FacilityID); err != nil {
				return err
			}
		}
		c.FacilityPath = f.Path
		c.Indicators = c.Contributions(cl)
		hash := c.ContentHash()
		answers, _ := json.Marshal(c.Answers)
		inds, _ := json.Marshal(c.Indicators)
		res, err := tx.exec(`INSERT INTO readiness_checks (id, facility_id, visit_id, date, month, answers, notes, checklist_version, indicators,
			content_hash, version, created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			c.ID, c.FacilityID, nullString(c.VisitID), c.Date, c.Month(), string(answers), c.Notes, c.ChecklistVersion, string(inds),
			hash, nullID(mesh.ActorFrom(ctx).UserID), tx.now, tx.now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			created, c.Version, c.CreatedAt, c.UpdatedAt = true, 1, tx.now, tx.now
			if err := tx.addCounts(c.FacilityID, c.Month(), c.Indicators, 1); err != nil {
				return err
			}
			if err := tx.recordChange("readiness_check", c.ID, c.FacilityPath); err != nil {
				return err
			}
			return tx.audit("readiness_check", c.ID, "create", asMap(c))
		}
		return tx.updateCheck(c, hash, string(answers), string(inds), expectedVersion)
	})
	return created, err
}

// updateCheck handles a repeat or a change of a stored check; a change moves its
// counts from the old facility-month to the new one.
func (tx *Tx) updateCheck(c *readiness.Check, hash, answers, inds string, expectedVersion *int) error {
	old, oldHash, err := scanCheck(tx.queryRow(checkSelect+` WHERE c.id = ?`+tx.lockSuffix("c"), c.ID))
	if err != nil {
		return err
	}
	if oldHash == hash {
		*c = *old
		c.Unchanged = true
		return nil
	}
	if expectedVersion == nil || *expectedVersion != old.Version {
		return conflict("readiness check", c.ID, old.Version)
	}
	if err := tx.addCounts(old.FacilityID, old.Month(), old.Indicators, -1); err != nil {
		return err
	}
	c.Version, c.CreatedAt, c.UpdatedAt = old.Version+1, old.CreatedAt, tx.now
	if _, err := tx.exec(`UPDATE readiness_checks SET facility_id = ?, visit_id = ?, date = ?, month = ?, answers = ?, notes = ?, checklist_version = ?,
		indicators = ?, content_hash = ?, version = ?, updated_at = ? WHERE id = ?`,
		c.FacilityID, nullString(c.VisitID), c.Date, c.Month(), answers, c.Notes, c.ChecklistVersion, inds, hash, c.Version, tx.now, c.ID); err != nil {
		return err
	}
	if err := tx.addCounts(c.FacilityID, c.Month(), c.Indicators, 1); err != nil {
		return err
	}
	if err := tx.recordChange("readiness_check", c.ID, c.FacilityPath); err != nil {
		return err
	}
	return tx.audit("readiness_check", c.ID, "update", auditDiff(old, c))
}

// FindCheckByID returns one readiness check.
func (db *DB) FindCheckByID(ctx context.Context, id string) (*readiness.Check, error) {
	c, _, err := scanCheck(db.readRow(ctx, checkSelect+` WHERE c.id = ?`, id))
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "readiness check %s not found", id)
	}
	return c, err
}

// FindChecks returns readiness checks matching f, newest first.
func (db *DB) FindChecks(ctx context.Context, f readiness.CheckFilter) ([]*readiness.Check, int, error) {
	var w where
	if f.FacilityID != nil {
		w.add("c.facility_id = ?", *f.FacilityID)
	}
	if f.VisitID != "" {
		w.add("c.visit_id = ?", f.VisitID)
	}
	if f.From != "" {
		w.add("c.date >= ?", f.From)
	}
	if f.To != "" {
		w.add("c.date <= ?", f.To)
	}
	w.under("o.path", f.Under)
	var total int
	if err := db.readRow(ctx, `SELECT count(*) FROM readiness_checks c JOIN orgunits o ON o.id = c.facility_id`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, driverError(err)
	}
	rows, err := db.readQuery(ctx, checkSelect+w.String()+` ORDER BY c.date DESC, c.id`+limitOffset(f.Limit, f.Offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*readiness.Check
	for rows.Next() {
		c, _, err := scanCheck(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, c)
	}
	return out, total, driverError(rows.Err())
}

const stockSelect = `SELECT e.id, e.facility_id, e.commodity, e.started_on, e.ended_on, COALESCE(e.check_id, ''), e.notes,
	e.content_hash, e.version, e.created_at, e.updated_at, o.path
	FROM stock_events e JOIN orgunits o ON o.id = e.facility_id`

func scanStockEvent(r rowScanner) (*readiness.StockEvent, string, error) {
	var e readiness.StockEvent
	var hash string
	err := r.Scan(&e.ID, &e.FacilityID, &e.Commodity, &e.StartedOn, &e.EndedOn, &e.CheckID, &e.Notes,
		&hash, &e.Version, &e.CreatedAt, &e.UpdatedAt, &e.FacilityPath)
	if err != nil {
		return nil, "", driverError(err)
	}
	return &e, hash, nil
}

// PutStockEvent stores a stock-out event idempotently (see readiness.Store). Stock-out
// days are computed on read, so no counts move here.
func (db *DB) PutStockEvent(ctx context.Context, e *readiness.StockEvent, cl readiness.Checklist, expectedVersion *int) (bool, error) {
	created := false
	err := db.inTx(ctx, func(tx *Tx) error {
		e.Normalize()
		if err := e.Validate(cl); err != nil {
			return err
		}
		f, err := tx.facilityField(e.FacilityID, "facility_id")
		if err != nil {
			return err
		}
		if e.CheckID != "" {
			var fac int64
			err := tx.queryRow(`SELECT facility_id FROM readiness_checks WHERE id = ?`, e.CheckID).Scan(&fac)
			if err := lookupFailed(err); err != nil {
				return err
			}
			if err != nil || fac != e.FacilityID {
				return mesh.Invalid(mesh.FieldError{Code: "NOT_FOUND", Field: "check_id", Message: "check_id must name a readiness check of the same facility"})
			}
		}
		e.FacilityPath = f.Path
		hash := e.ContentHash()
		res, err := tx.exec(`INSERT INTO stock_events (id, facility_id, commodity, started_on, ended_on, check_id, notes, content_hash, version,
			created_by, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?) ON CONFLICT (id) DO NOTHING`,
			e.ID, e.FacilityID, e.Commodity, e.StartedOn, e.EndedOn, nullString(e.CheckID), e.Notes, hash, nullID(mesh.ActorFrom(ctx).UserID), tx.now, tx.now)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 1 {
			created, e.Version, e.CreatedAt, e.UpdatedAt = true, 1, tx.now, tx.now
			if err := tx.recordChange("stock_event", e.ID, e.FacilityPath); err != nil {
				return err
			}
			return tx.audit("stock_event", e.ID, "create", asMap(e))
		}
		old, oldHash, err := scanStockEvent(tx.queryRow(stockSelect+` WHERE e.id = ?`+tx.lockSuffix("e"), e.ID))
		if err != nil {
			return err
		}
		if oldHash == hash {
			*e = *old
			e.Unchanged = true
			return nil
		}
		if expectedVersion == nil || *expectedVersion != old.Version {
			return conflict("stock event", e.ID, old.Version)
		}
		e.Version, e.CreatedAt, e.UpdatedAt = old.Version+1, old.CreatedAt, tx.now
		if _, err := tx.exec(`UPDATE stock_events SET facility_id = ?, commodity = ?, started_on = ?, ended_on = ?, check_id = ?, notes = ?,
			content_hash = ?, version = ?, updated_at = ? WHERE id = ?`,
			e.FacilityID, e.Commodity, e.StartedOn, e.EndedOn, nullString(e.CheckID), e.Notes, hash, e.Version, tx.now, e.ID); err != nil {
			return err
		}
		if err := tx.recordChange("stock_event", e.ID, e.FacilityPath); err != nil {
			return err
		}
		return tx.audit("stock_event", e.ID, "update", auditDiff(old, e))
	})
	return created, err
}

// FindStockEventByID returns one stock event.
func (db *DB) FindStockEventByID(ctx context.Context, id string) (*readiness.StockEvent, error) {
	e, _, err := scanStockEvent(db.readRow(ctx, stockSelect+` WHERE e.id = ?`, id))
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "stock event %s not found", id)
	}
	return e, err
}

// FindStockEvents returns stock events matching f, latest start first.
func (db *DB) FindStockEvents(ctx context.Context, f readiness.StockFilter) ([]*readiness.StockEvent, int, error) {
	var w where
	if f.FacilityID != nil {
		w.add("e.facility_id = ?", *f.FacilityID)
	}
	if f.Commodity != "" {
		w.add("e.commodity = ?", f.Commodity)
	}
	if f.OpenOnly {
		w.add("e.ended_on IS NULL")
	}
	w.under("o.path", f.Under)
	var total int
	if err := db.readRow(ctx, `SELECT count(*) FROM stock_events e JOIN orgunits o ON o.id = e.facility_id`+w.String(), w.args...).Scan(&total); err != nil {
		return nil, 0, driverError(err)
	}
	rows, err := db.readQuery(ctx, stockSelect+w.String()+` ORDER BY e.started_on DESC, e.id`+limitOffset(f.Limit, f.Offset), w.args...)
	if err != nil {
		return nil, 0, err
	}
	defer rows.Close()
	var out []*readiness.StockEvent
	for rows.Next() {
		e, _, err := scanStockEvent(rows)
		if err != nil {
			return nil, 0, err
		}
		out = append(out, e)
	}
	return out, total, driverError(rows.Err())
}

// FindCurrentStockouts lists what is out of stock now (see readiness.Store). Two open
// events for the same item and facility are one stock-out, dated from the older.
func (db *DB) FindCurrentStockouts(ctx context.Context, under []string, commodities []string, now time.Time) ([]*readiness.CurrentStockout, error) {
	var w where
	w.add("e.ended_on IS NULL")
	w.in("e.commodity", commodities)
	w.under("o.path", under)
	rows, err := db.readQuery(ctx, `SELECT e.id, e.facility_id, o.name, o.time_zone, e.commodity, e.started_on,
		COALESCE((SELECT d.name FROM orgunits d WHERE d.type = 'district' AND o.path LIKE d.path || '%'), '')
		FROM stock_events e JOIN orgunits o ON o.id = e.facility_id`+w.String()+` ORDER BY e.started_on, o.name, e.commodity, e.id`, w.args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*readiness.CurrentStockout
	seen := map[string]bool{}
	for rows.Next() {
		var s readiness.CurrentStockout
		var zone string
		if err := rows.Scan(&s.EventID, &s.FacilityID, &s.FacilityName, &zone, &s.Commodity, &s.StartedOn, &s.DistrictName); err != nil {
			return nil, driverError(err)
		}
		key := fmt.Sprint(s.FacilityID, "|", s.Commodity)
		if seen[key] {
			continue
		}
		seen[key] = true
		today := readiness.Today(now, zone)
		s.DaysOut = readiness.StockoutDaysBetween(s.StartedOn, today)
		out = append(out, &s)
	}
	return out, driverError(rows.Err())
}

// auditDiff is the audit entry of an update: the fields that changed.
func auditDiff(before, after any) map[string][2]any { return audit.Diff(asMap(before), asMap(after)) }

// in keeps rows whose col is one of values; an empty list matches nothing.
func (w *where) in(col string, values []string) {
	if len(values) == 0 {
		w.add("1 = 0")
		return
	}
	marks := make([]string, len(values))
	for i, v := range values {
		marks[i] = "?"
		w.args = append(w.args, v)
	}
	w.clauses = append(w.clauses, col+" IN ("+strings.Join(marks, ", ")+")")
}
