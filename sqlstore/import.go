package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"

	"mesh"
	"mesh/dhis2"
	"mesh/importer"
	"mesh/place"
	"mesh/staff"
)

// ImportReport counts what an import did (or, in a dry run, would do).
type ImportReport struct {
	Created, Updated, Unchanged, Skipped int
}

// errDryRun rolls a dry run's transaction back after every check has passed.
var errDryRun = errors.New("dry run")

// importTx runs fn in one transaction and keeps its writes only when it reports no
// row errors and dryRun is false: a file is imported whole or not at all.
func (db *DB) importTx(ctx context.Context, dryRun bool, fn func(tx *Tx) ([]importer.RowError, error)) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		rowErrs, err := fn(tx)
		if err != nil {
			return err
		}
		if len(rowErrs) > 0 {
			return importer.Invalid(rowErrs)
		}
		if dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

// placeByKey finds a place by code or dhis2_uid inside the transaction (nil if none).
func (tx *Tx) placeByKey(column, value string) (*place.OrgUnit, error) {
	o, err := scanOrgUnit(tx.queryRow(`SELECT `+orgUnitColumns+` FROM orgunits WHERE `+column+` = ?`, value))
	if mesh.ErrorCode(err) == mesh.ENOTFOUND {
		return nil, nil
	}
	return o, err
}

// insertOrgUnit writes a validated new place and its path, as CreateOrgUnit does.
func (tx *Tx) insertOrgUnit(o *place.OrgUnit, parent *place.OrgUnit) error {
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
	return tx.audit("orgunit", id, "import", asMap(o))
}

// saveOrgUnit writes changed own fields of an existing place (never its parent).
func (tx *Tx) saveOrgUnit(before, o *place.OrgUnit) error {
	o.Version++
	o.UpdatedAt = tx.now
	if err := tx.update("place", `UPDATE orgunits SET name = ?, code = ?, dhis2_uid = ?, malaria_risk = ?, time_zone = ?, cadence_days = ?, version = ?, updated_at = ? WHERE id = ?`,
		o.Name, nullString(o.Code), nullString(o.DHIS2UID), nullString(o.MalariaRisk), o.TimeZone, o.CadenceDays, o.Version, o.UpdatedAt, o.ID); err != nil {
		return err
	}
	return tx.audit("orgunit", o.ID, "import", map[string]any{"before": asMap(before), "after": asMap(o)})
}

// keyTaken reports whether another place than self holds value in column.
func (tx *Tx) keyTaken(column, value string, self int64) (bool, error) {
	if value == "" {
		return false, nil
	}
	var id int64
	err := tx.queryRow(`SELECT id FROM orgunits WHERE `+column+` = ?`, value).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, driverError(err)
	}
	return id != self, nil
}

// ImportPlaces imports a places file in one transaction. A row whose code is
// already stored updates that place's own fields (so a corrected file can be
// imported again); other rows create places under parent_code (stored, or earlier in
// the file) or parent_id. Every row is checked with place.Validate and the store's
// rules (codes and DHIS2 uids unique, parent found and of a higher level) and every
// problem is returned; any problem leaves the database as it was.
func (db *DB) ImportPlaces(ctx context.Context, rows []importer.PlaceRow, dryRun bool) (ImportReport, error) {
	var rep ImportReport
	err := db.importTx(ctx, dryRun, func(tx *Tx) ([]importer.RowError, error) {
		rep = ImportReport{}
		var errs []importer.RowError
		seenCode, seenUID := map[string]int{}, map[string]int{}
		for _, r := range rows {
			o := r.Place
			o.Normalize()
			bad := func(col, code, msg string) {
				errs = append(errs, importer.RowError{Row: r.Row, Column: col, Code: code, Message: msg})
			}
			if o.Code != "" {
				if prev, ok := seenCode[o.Code]; ok {
					bad("code", "DUPLICATE", fmt.Sprintf("code %s is already used on row %d", o.Code, prev))
					continue
				}
				seenCode[o.Code] = r.Row
			}
			if o.DHIS2UID != "" {
				if prev, ok := seenUID[o.DHIS2UID]; ok {
					bad("dhis2_uid", "DUPLICATE", fmt.Sprintf("dhis2_uid %s is already used on row %d", o.DHIS2UID, prev))
					continue
				}
				seenUID[o.DHIS2UID] = r.Row
			}
			var parent *place.OrgUnit
			var err error
			switch {
			case r.ParentCode != "":
				if parent, err = tx.placeByKey("code", r.ParentCode); err != nil {
					return nil, err
				}
				if parent == nil {
					bad("parent_code", "NOT_FOUND", "no place has code "+r.ParentCode+" (stored, or on an earlier row)")
					continue
				}
			case r.ParentID != 0:
				if parent, err = tx.orgUnit(r.ParentID); mesh.ErrorCode(err) == mesh.ENOTFOUND {
					bad("parent_id", "NOT_FOUND", fmt.Sprintf("no place has id %d", r.ParentID))
					continue
				} else if err != nil {
					return nil, err
				}
			}
			if parent != nil {
				o.ParentID = &parent.ID
			}
			var existing *place.OrgUnit
			if o.Code != "" {
				if existing, err = tx.placeByKey("code", o.Code); err != nil {
					return nil, err
				}
			}
			if err := o.Validate(parent); err != nil {
				errs = append(errs, importer.FromFieldErrors(r.Row, err, map[string]string{"parent_id": parentColumn(r)})...)
				continue
			}
			self := int64(0)
			if existing != nil {
				self = existing.ID
			}
			if taken, err := tx.keyTaken("dhis2_uid", o.DHIS2UID, self); err != nil {
				return nil, err
			} else if taken {
				bad("dhis2_uid", "DUPLICATE", "another place already has dhis2_uid "+o.DHIS2UID)
				continue
			}
			if existing == nil {
				if err := tx.insertOrgUnit(&o, parent); err != nil {
					return nil, err
				}
				rep.Created++
				continue
			}
			if existing.Type != o.Type || !sameParent(existing.ParentID, o.ParentID) {
				bad(parentColumn(r), "CONFLICT", fmt.Sprintf("code %s is stored as a %s elsewhere in the hierarchy; moving places is not done by import", o.Code, existing.Type))
				continue
			}
			next := *existing
			next.Name, next.DHIS2UID, next.TimeZone, next.CadenceDays = o.Name, o.DHIS2UID, o.TimeZone, o.CadenceDays
			if o.MalariaRisk != "" {
				next.MalariaRisk = o.MalariaRisk
			}
			if next == *existing {
				rep.Unchanged++
				continue
			}
			if err := tx.saveOrgUnit(existing, &next); err != nil {
				return nil, err
			}
			rep.Updated++
		}
		return errs, nil
	})
	return rep, err
}

func parentColumn(r importer.PlaceRow) string {
	if r.ParentID != 0 {
		return "parent_id"
	}
	return "parent_code"
}

func sameParent(a, b *int64) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return *a == *b
}

// ImportHealthWorkers imports a staff file in one transaction: each row is checked
// with staff.Validate and the store's rules (the facility exists and is a facility)
// and gets a first posting. A worker of the same name already posted at the same
// facility is left as is, so importing the same list twice adds no one twice.
func (db *DB) ImportHealthWorkers(ctx context.Context, rows []importer.WorkerRow, dryRun bool) (ImportReport, error) {
	var rep ImportReport
	err := db.importTx(ctx, dryRun, func(tx *Tx) ([]importer.RowError, error) {
		rep = ImportReport{}
		var errs []importer.RowError
		seen := map[string]int{}
		for _, r := range rows {
			h := r.Worker
			h.Normalize()
			col := "facility_id"
			if r.FacilityCode != "" {
				col = "facility_code"
				f, err := tx.placeByKey("code", r.FacilityCode)
				if err != nil {
					return nil, err
				}
				if f == nil {
					errs = append(errs, importer.RowError{Row: r.Row, Column: col, Code: "NOT_FOUND", Message: "no place has code " + r.FacilityCode})
					continue
				}
				h.FacilityID = f.ID
			}
			if h.StartOn == "" {
				h.StartOn = mesh.DateOf(tx.now)
			}
			// Both the worker's own fields and the facility are checked, so one pass
			// over the file reports every problem of the row.
			verr := h.Validate()
			if verr != nil {
				errs = append(errs, importer.FromFieldErrors(r.Row, verr, map[string]string{"facility_id": col})...)
			}
			var f *place.OrgUnit
			if h.FacilityID > 0 {
				var err error
				if f, err = tx.facilityForWorker(h.FacilityID); mesh.ErrorCode(err) == mesh.EINVALID {
					errs = append(errs, importer.FromFieldErrors(r.Row, err, map[string]string{"facility_id": col})...)
					continue
				} else if err != nil {
					return nil, err
				}
			}
			if verr != nil {
				continue
			}
			key := fmt.Sprintf("%d/%s", h.FacilityID, strings.ToLower(h.Name))
			if prev, ok := seen[key]; ok {
				errs = append(errs, importer.RowError{Row: r.Row, Column: "name", Code: "DUPLICATE", Message: fmt.Sprintf("%s at this facility is already on row %d", h.Name, prev)})
				continue
			}
			seen[key] = r.Row
			var n int
			if err := tx.queryRow(`SELECT count(*) FROM health_workers hw JOIN postings p ON p.health_worker_id = hw.id
				WHERE p.facility_id = ? AND p.end_on IS NULL AND LOWER(hw.name) = ?`, h.FacilityID, strings.ToLower(h.Name)).Scan(&n); err != nil {
				return nil, driverError(err)
			}
			if n > 0 {
				rep.Unchanged++
				continue
			}
			h.FacilityPath = f.Path
			h.CreatedAt, h.UpdatedAt, h.Version = tx.now, tx.now, 1
			id, err := tx.insertID(`INSERT INTO health_workers (name, cadre, imci_trained_on, version, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)`,
				h.Name, h.Cadre, h.IMCITrainedOn, h.Version, h.CreatedAt, h.UpdatedAt)
			if err != nil {
				return nil, err
			}
			h.ID = id
			pid, err := tx.insertID(`INSERT INTO postings (health_worker_id, facility_id, start_on, end_on) VALUES (?, ?, ?, ?)`, id, h.FacilityID, h.StartOn, h.EndOn)
			if err != nil {
				return nil, err
			}
			h.Postings = []staff.Posting{{ID: pid, FacilityID: h.FacilityID, StartOn: h.StartOn}}
			if err := tx.audit("health_worker", id, "import", asMap(&h)); err != nil {
				return nil, err
			}
			rep.Created++
		}
		return errs, nil
	})
	return rep, err
}

// ImportDHIS2OrgUnits brings a DHIS2 org-unit hierarchy into our places, matched by
// dhis2_uid so importing the same metadata again changes nothing. Units are taken
// level by level so parents come first; a unit whose level is not in levels is
// skipped and its children attach to its nearest mapped ancestor. A stored place
// with the uid gets the unit's name and code; a new one is created under its parent.
// Everything is checked first and written in one transaction.
func (db *DB) ImportDHIS2OrgUnits(ctx context.Context, units []dhis2.OrgUnit, levels map[int]place.Type, dryRun bool) (ImportReport, error) {
	byUID := map[string]int{}
	for i, u := range units {
		byUID[u.ID] = i
	}
	order := make([]int, len(units))
	for i := range order {
		order[i] = i
	}
	sort.SliceStable(order, func(a, b int) bool { return units[order[a]].Level < units[order[b]].Level })
	var rep ImportReport
	err := db.importTx(ctx, dryRun, func(tx *Tx) ([]importer.RowError, error) {
		rep = ImportReport{}
		var errs []importer.RowError
		done := map[string]*place.OrgUnit{}
		failed := map[string]bool{}
		seen := map[string]bool{}
		for _, i := range order {
			u := units[i]
			row := i + 1 // 1-based position in organisationUnits
			bad := func(col, code, msg string) {
				errs = append(errs, importer.RowError{Row: row, Column: u.ID + " " + col, Code: code, Message: msg})
				failed[u.ID] = true
			}
			if !place.ValidUID(u.ID) {
				bad("id", "INVALID_FORMAT", "id must be a DHIS2 uid: 11 letters or digits, a letter first")
				continue
			}
			if seen[u.ID] {
				bad("id", "DUPLICATE", "the uid appears twice in the file")
				continue
			}
			seen[u.ID] = true
			typ, ok := levels[u.Level]
			if !ok {
				rep.Skipped++
				continue
			}
			// The nearest mapped ancestor in the file, else a stored place with the uid.
			var parent *place.OrgUnit
			pid := u.ParentID()
			for hops := 0; pid != "" && hops < 20; hops++ {
				if failed[pid] {
					break
				}
				if p := done[pid]; p != nil {
					parent = p
					break
				}
				if j, inFile := byUID[pid]; inFile {
					if _, mapped := levels[units[j].Level]; !mapped {
						pid = units[j].ParentID()
						continue
					}
				}
				p, err := tx.placeByKey("dhis2_uid", pid)
				if err != nil {
					return nil, err
				}
				parent = p
				break
			}
			if pid != "" && parent == nil {
				bad("parent.id", "NOT_FOUND", "parent "+pid+" is neither in the file (at a mapped level, without errors) nor stored")
				continue
			}
			o := place.OrgUnit{Name: u.Name, Type: typ, Code: u.Code, DHIS2UID: u.ID}
			if parent != nil {
				o.ParentID = &parent.ID
			}
			o.Normalize()
			if err := o.Validate(parent); err != nil {
				for _, e := range importer.FromFieldErrors(row, err, map[string]string{"parent_id": "parent.id", "dhis2_uid": "id", "type": "level"}) {
					bad(e.Column, e.Code, e.Message)
				}
				continue
			}
			existing, err := tx.placeByKey("dhis2_uid", u.ID)
			if err != nil {
				return nil, err
			}
			self := int64(0)
			if existing != nil {
				self = existing.ID
			}
			if taken, err := tx.keyTaken("code", o.Code, self); err != nil {
				return nil, err
			} else if taken {
				bad("code", "DUPLICATE", "another place already has code "+o.Code)
				continue
			}
			if existing == nil {
				if err := tx.insertOrgUnit(&o, parent); err != nil {
					return nil, err
				}
				done[u.ID] = &o
				rep.Created++
				continue
			}
			done[u.ID] = existing
			if existing.Type != typ || !sameParent(existing.ParentID, o.ParentID) {
				bad("parent.id", "CONFLICT", fmt.Sprintf("stored as a %s elsewhere in the hierarchy; moving places is not done by import", existing.Type))
				continue
			}
			next := *existing
			next.Name = o.Name
			if o.Code != "" { // a code kept only on our side is not erased
				next.Code = o.Code
			}
			if next == *existing {
				rep.Unchanged++
				continue
			}
			if err := tx.saveOrgUnit(existing, &next); err != nil {
				return nil, err
			}
			done[u.ID] = &next
			rep.Updated++
		}
		return errs, nil
	})
	return rep, err
}
