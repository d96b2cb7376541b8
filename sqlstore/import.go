package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"sync"
	"time"

	"mesh"
	"mesh/account"
	"mesh/audit"
	"mesh/dhis2"
	"mesh/importer"
	"mesh/place"
	"mesh/staff"
)

// ImportReport counts what an import did (or, in a dry run, would do).
type ImportReport struct {
	Created, Updated, Unchanged, Skipped int
	// Rejected lists the problems of the rows left out by an import of valid rows
	// only (ImportOptions.ValidRows), in row order.
	Rejected []importer.RowError
}

// ImportOptions says how an import runs.
type ImportOptions struct {
	// DryRun checks everything and saves nothing.
	DryRun bool
	// ValidRows imports the rows without problems and reports the others in
	// ImportReport.Rejected; without it, any problem leaves the database as it was.
	ValidRows bool
	// Allow, when set, is asked about the place each row touches (a new place's
	// parent, an updated place, a worker's facility, a user's scope and, for an
	// existing user, their current scope); "" means the whole country. An error
	// rejects the row. The web page passes auth.Check for the caller.
	Allow func(placePath string) error
	// Known are the problems the file reader already found (importer.Places…): their
	// rows are skipped and reported with the store's own.
	Known []importer.RowError
}

// errDryRun rolls a dry run's transaction back after every check has passed.
var errDryRun = errors.New("dry run")

// importTx runs fn in one transaction and keeps its writes only when dryRun is false
// and fn reports no row errors, or opt.ValidRows is set: fn must write nothing for
// a row it reports. With ValidRows the row errors land in rep.Rejected.
func (db *DB) importTx(ctx context.Context, opt ImportOptions, rep *ImportReport, fn func(tx *Tx) ([]importer.RowError, error)) error {
	err := db.inTx(ctx, func(tx *Tx) error {
		rowErrs, err := fn(tx)
		if err != nil {
			return err
		}
		rowErrs = append(append([]importer.RowError(nil), opt.Known...), rowErrs...)
		if len(rowErrs) > 0 && !opt.ValidRows {
			return importer.Invalid(rowErrs)
		}
		sort.SliceStable(rowErrs, func(i, j int) bool { return rowErrs[i].Row < rowErrs[j].Row })
		rep.Rejected = rowErrs
		if dryRun := opt.DryRun; dryRun {
			return errDryRun
		}
		return nil
	})
	if errors.Is(err, errDryRun) {
		return nil
	}
	return err
}

// allow asks opt.Allow about a row's place and turns a refusal into a row error.
func (opt ImportOptions) allow(row int, column, path string) *importer.RowError {
	if opt.Allow == nil {
		return nil
	}
	if err := opt.Allow(path); err != nil {
		// The refusal's sentence is its rule, so the report can say it in the page's
		// language ("this record is outside your area" has a catalog entry).
		msg := mesh.ErrorMessage(err)
		return &importer.RowError{Row: row, Column: column, Code: "FORBIDDEN", Message: msg, Rule: strings.ReplaceAll(msg, "%", "%%")}
	}
	return nil
}

// ruleNoScope refuses a users row without a scope place to a caller limited to an
// area: the account would be national, or (a mentor) in no area the caller manages.
const ruleNoScope = "only an administrator of the whole country may import a user without a scope place: give scope_code or scope_id, in your area"

// allowUser asks opt.Allow about a stored user the row would change. Their area is
// their scope place and, for a mentor, the facilities of their assignments not yet
// ended (the users list of an area shows a mentor by either); the row is allowed when
// the caller's area holds one of them. A user with neither (a national admin, a
// mentor with no assignment) is for callers who see the whole country.
func (tx *Tx) allowUser(row int, opt ImportOptions, u *account.User) (*importer.RowError, error) {
	if opt.Allow == nil {
		return nil, nil
	}
	var paths []string
	if u.ScopePath != "" {
		paths = append(paths, u.ScopePath)
	}
	if u.Role == account.Mentor {
		rows, err := tx.query(`SELECT DISTINCT o.path FROM assignments a JOIN orgunits o ON o.id = a.facility_id
			WHERE a.mentor_id = ? AND (a.end_on IS NULL OR a.end_on >= ?) ORDER BY o.path`, u.ID, mesh.DateOf(tx.now))
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		for rows.Next() {
			var p string
			if err := rows.Scan(&p); err != nil {
				return nil, driverError(err)
			}
			paths = append(paths, p)
		}
		if err := rows.Err(); err != nil {
			return nil, driverError(err)
		}
	}
	if len(paths) == 0 {
		return opt.allow(row, "username", ""), nil
	}
	var first *importer.RowError
	for _, p := range paths {
		e := opt.allow(row, "username", p)
		if e == nil {
			return nil, nil
		}
		if first == nil {
			first = e
		}
	}
	return first, nil
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
// problem is returned; any problem leaves the database as it was, unless
// opt.ValidRows asks for the valid rows (a row whose parent is on a rejected row is
// then rejected too, naming that row).
func (db *DB) ImportPlaces(ctx context.Context, rows []importer.PlaceRow, opt ImportOptions) (ImportReport, error) {
	var rep ImportReport
	err := db.importTx(ctx, opt, &rep, func(tx *Tx) ([]importer.RowError, error) {
		rep = ImportReport{}
		var errs []importer.RowError
		seenCode, seenUID := map[string]int{}, map[string]int{}
		rejected := map[string]int{} // code → row, of rejected rows
		known := importer.Bad(opt.Known)
		for _, r := range rows {
			if known[r.Row] {
				if r.Place.Code != "" {
					rejected[strings.TrimSpace(r.Place.Code)] = r.Row
				}
				continue
			}
			n := len(errs)
			if err := tx.importPlace(r, opt, &rep, &errs, seenCode, seenUID, rejected); err != nil {
				return nil, err
			}
			if len(errs) > n && r.Place.Code != "" {
				rejected[strings.TrimSpace(r.Place.Code)] = r.Row
			}
		}
		return errs, nil
	})
	return rep, err
}

// importPlace checks and writes one places row, appending its problems to errs.
func (tx *Tx) importPlace(r importer.PlaceRow, opt ImportOptions, rep *ImportReport, errs *[]importer.RowError,
	seenCode, seenUID, rejected map[string]int) error {
	o := r.Place
	o.Normalize()
	bad := func(col, code, msg string) {
		*errs = append(*errs, importer.RowError{Row: r.Row, Column: col, Code: code, Message: msg})
	}
	if o.Code != "" {
		if prev, ok := seenCode[o.Code]; ok {
			bad("code", "DUPLICATE", fmt.Sprintf("code %s is already used on row %d", o.Code, prev))
			return nil
		}
		seenCode[o.Code] = r.Row
	}
	if o.DHIS2UID != "" {
		if prev, ok := seenUID[o.DHIS2UID]; ok {
			bad("dhis2_uid", "DUPLICATE", fmt.Sprintf("dhis2_uid %s is already used on row %d", o.DHIS2UID, prev))
			return nil
		}
		seenUID[o.DHIS2UID] = r.Row
	}
	var parent *place.OrgUnit
	var err error
	switch {
	case r.ParentCode != "":
		if parent, err = tx.placeByKey("code", r.ParentCode); err != nil {
			return err
		}
		if parent == nil {
			if prev, ok := rejected[r.ParentCode]; ok {
				bad("parent_code", "NOT_FOUND", fmt.Sprintf("the parent %s is on row %d, which was not imported", r.ParentCode, prev))
				return nil
			}
			bad("parent_code", "NOT_FOUND", "no place has code "+r.ParentCode+" (stored, or on an earlier row)")
			return nil
		}
	case r.ParentID != 0:
		if parent, err = tx.orgUnit(r.ParentID); mesh.ErrorCode(err) == mesh.ENOTFOUND {
			bad("parent_id", "NOT_FOUND", fmt.Sprintf("no place has id %d", r.ParentID))
			return nil
		} else if err != nil {
			return err
		}
	}
	if parent != nil {
		o.ParentID = &parent.ID
	}
	var existing *place.OrgUnit
	if o.Code != "" {
		if existing, err = tx.placeByKey("code", o.Code); err != nil {
			return err
		}
	}
	if err := o.Validate(parent); err != nil {
		*errs = append(*errs, importer.FromFieldErrors(r.Row, err, map[string]string{"parent_id": parentColumn(r)})...)
		return nil
	}
	where := ""
	if parent != nil {
		where = parent.Path
	}
	if existing != nil {
		where = existing.Path
	}
	if e := opt.allow(r.Row, parentColumn(r), where); e != nil {
		*errs = append(*errs, *e)
		return nil
	}
	self := int64(0)
	if existing != nil {
		self = existing.ID
	}
	if taken, err := tx.keyTaken("dhis2_uid", o.DHIS2UID, self); err != nil {
		return err
	} else if taken {
		bad("dhis2_uid", "DUPLICATE", "another place already has dhis2_uid "+o.DHIS2UID)
		return nil
	}
	if existing == nil {
		if err := tx.insertOrgUnit(&o, parent); err != nil {
			return err
		}
		rep.Created++
		return nil
	}
	if existing.Type != o.Type || !sameParent(existing.ParentID, o.ParentID) {
		bad(parentColumn(r), "CONFLICT", fmt.Sprintf("code %s is stored as a %s elsewhere in the hierarchy; moving places is not done by import", o.Code, existing.Type))
		return nil
	}
	next := *existing
	next.Name, next.DHIS2UID, next.TimeZone, next.CadenceDays = o.Name, o.DHIS2UID, o.TimeZone, o.CadenceDays
	if o.MalariaRisk != "" {
		next.MalariaRisk = o.MalariaRisk
	}
	if next == *existing {
		rep.Unchanged++
		return nil
	}
	if err := tx.saveOrgUnit(existing, &next); err != nil {
		return err
	}
	rep.Updated++
	return nil
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
// facility is left as is, so importing the same list twice adds no one twice. With
// opt.ValidRows the rows without problems are imported and the others reported.
func (db *DB) ImportHealthWorkers(ctx context.Context, rows []importer.WorkerRow, opt ImportOptions) (ImportReport, error) {
	var rep ImportReport
	err := db.importTx(ctx, opt, &rep, func(tx *Tx) ([]importer.RowError, error) {
		rep = ImportReport{}
		var errs []importer.RowError
		seen := map[string]int{}
		known := importer.Bad(opt.Known)
		for _, r := range rows {
			if known[r.Row] {
				continue
			}
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
			if e := opt.allow(r.Row, col, f.Path); e != nil {
				errs = append(errs, *e)
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
	err := db.importTx(ctx, ImportOptions{DryRun: dryRun}, &rep, func(tx *Tx) ([]importer.RowError, error) {
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

// importFacilities finds the facilities a mentor's row lists by code: each must be a
// facility the caller may manage. It returns the row's errors rather than failing.
func (tx *Tx) importFacilities(r importer.UserRow, opt ImportOptions) ([]*place.OrgUnit, []importer.RowError, error) {
	var out []*place.OrgUnit
	var errs []importer.RowError
	for _, code := range r.Facilities {
		p, err := tx.placeByKey("code", code)
		switch {
		case err != nil:
			return nil, nil, err
		case p == nil:
			errs = append(errs, importer.RowError{Row: r.Row, Column: "facilities", Code: "NOT_FOUND", Message: "no place has code " + code})
		case p.Type != place.Facility:
			errs = append(errs, importer.RowError{Row: r.Row, Column: "facilities", Code: "INVALID_TYPE",
				Message: fmt.Sprintf("%s is a %s, not a facility", code, p.Type)})
		default:
			if e := opt.allow(r.Row, "facilities", p.Path); e != nil {
				errs = append(errs, *e)
				continue
			}
			out = append(out, p)
		}
	}
	return out, errs, nil
}

// assignMentor gives a mentor an assignment, from today, to each facility they have no
// current or planned assignment to; it returns how many it made. Assignments not in
// the file are left as they are: ending one is a decision made on the assignments page.
func (tx *Tx) assignMentor(mentorID int64, facilities []*place.OrgUnit) (int, error) {
	today := mesh.Date(tx.now.Format(time.DateOnly))
	added := 0
	for _, f := range facilities {
		var n int
		if err := tx.queryRow(`SELECT count(*) FROM assignments WHERE mentor_id = ? AND facility_id = ?
			AND (end_on IS NULL OR end_on >= ?)`, mentorID, f.ID, today).Scan(&n); err != nil {
			return 0, driverError(err)
		}
		if n > 0 {
			continue
		}
		a := &account.Assignment{MentorID: mentorID, FacilityID: f.ID, StartOn: today, CreatedAt: tx.now, FacilityPath: f.Path}
		id, err := tx.insertID(`INSERT INTO assignments (mentor_id, facility_id, start_on, end_on, created_at) VALUES (?, ?, ?, ?, ?)`,
			a.MentorID, a.FacilityID, a.StartOn, a.EndOn, a.CreatedAt)
		if err != nil {
			return 0, err
		}
		a.ID = id
		if err := tx.audit("assignment", id, "import", asMap(a)); err != nil {
			return 0, err
		}
		added++
	}
	return added, nil
}

// NewPassword is an initial password made for a user created by ImportUsers: the
// only copy of the plain text, to hand to its owner.
type NewPassword struct {
	Username, Password string
}

// ImportUsersOptions adds to ImportOptions what a users import needs.
type ImportUsersOptions struct {
	ImportOptions
	// SavePasswords receives the new users' initial passwords before the
	// transaction commits (not in a dry run); an error rolls the import back, so no
	// account exists whose password was not handed over. Required when the file
	// creates users.
	SavePasswords func([]NewPassword) error
}

// ImportUsers creates or updates accounts from a users file. A row whose username is
// stored updates that user's role, scope, language and display name (blank cells
// keep the stored language and name) and never their password; another row creates
// an active user with a random initial password (argon2id-hashed, given to
// opt.SavePasswords). Every row is checked with account.User.Validate and the store's
// scope rules (the scope place exists and has the type the role needs).
func (db *DB) ImportUsers(ctx context.Context, rows []importer.UserRow, opt ImportUsersOptions) (ImportReport, error) {
	// Hashing takes about 80 ms and 64 MiB a user, so it is done before the
	// transaction, for the usernames not stored yet, and not at all in a dry run.
	hashes := map[string]string{}
	plain := map[string]string{}
	if !opt.DryRun {
		for _, r := range rows {
			name := strings.ToLower(strings.TrimSpace(r.User.Username))
			if _, done := plain[name]; done || name == "" {
				continue
			}
			if _, err := db.FindUserByUsername(ctx, name); err == nil {
				continue
			} else if mesh.ErrorCode(err) != mesh.ENOTFOUND {
				return ImportReport{}, err
			}
			pw, err := account.NewPassword()
			if err != nil {
				return ImportReport{}, err
			}
			plain[name] = pw
		}
		// HashPassword itself runs two hashes at a time (64 MiB each).
		var wg sync.WaitGroup
		var mu sync.Mutex
		var hashErr error
		for name, pw := range plain {
			wg.Add(1)
			go func() {
				defer wg.Done()
				h, err := account.HashPassword(pw)
				mu.Lock()
				defer mu.Unlock()
				hashes[name] = h
				if err != nil && hashErr == nil {
					hashErr = err
				}
			}()
		}
		wg.Wait()
		if hashErr != nil {
			return ImportReport{}, hashErr
		}
	}
	var rep ImportReport
	err := db.importTx(ctx, opt.ImportOptions, &rep, func(tx *Tx) ([]importer.RowError, error) {
		rep = ImportReport{}
		var errs []importer.RowError
		var created []NewPassword
		seen := map[string]int{}
		known := importer.Bad(opt.Known)
		for _, r := range rows {
			if known[r.Row] {
				continue
			}
			u := r.User
			u.Normalize()
			bad := func(col, code, msg string) {
				errs = append(errs, importer.RowError{Row: r.Row, Column: col, Code: code, Message: msg})
			}
			if prev, ok := seen[u.Username]; ok && u.Username != "" {
				bad("username", "DUPLICATE", fmt.Sprintf("username %s is already on row %d", u.Username, prev))
				continue
			}
			seen[u.Username] = r.Row
			scopeCol := "scope_id"
			if r.ScopeCode != "" {
				scopeCol = "scope_code"
				p, err := tx.placeByKey("code", r.ScopeCode)
				if err != nil {
					return nil, err
				}
				if p == nil {
					bad("scope_code", "NOT_FOUND", "no place has code "+r.ScopeCode)
					continue
				}
				u.ScopeID = &p.ID
			}
			cols := map[string]string{"scope_id": scopeCol}
			if err := u.Validate(); err != nil {
				errs = append(errs, importer.FromFieldErrors(r.Row, err, cols)...)
				continue
			}
			if err := tx.checkUserScope(&u); mesh.ErrorCode(err) == mesh.EINVALID {
				errs = append(errs, importer.FromFieldErrors(r.Row, err, cols)...)
				continue
			} else if err != nil {
				return nil, err
			}
			existing, err := scanUser(tx.queryRow(userSelect+` WHERE u.username = ?`, u.Username))
			if mesh.ErrorCode(err) == mesh.ENOTFOUND {
				existing, err = nil, nil
			}
			if err != nil {
				return nil, err
			}
			// A mentor's area is their assignments: one given facilities in the file is
			// in the caller's area when those are (importFacilities checks each).
			byFacilities := u.Role == account.Mentor && len(r.Facilities) > 0
			if u.ScopePath == "" && !byFacilities && opt.Allow != nil && opt.Allow("") != nil {
				if r.ScopeCode == "" && u.ScopeID == nil {
					scopeCol = "scope_code" // neither column filled: name the usual one
				}
				errs = append(errs, importer.RowError{Row: r.Row, Column: scopeCol, Code: "FORBIDDEN", Message: ruleNoScope, Rule: ruleNoScope})
				continue
			}
			if e := opt.allow(r.Row, scopeCol, u.ScopePath); e != nil && (u.ScopePath != "" || !byFacilities) {
				errs = append(errs, *e)
				continue
			}
			facilities, ferrs, err := tx.importFacilities(r, opt.ImportOptions)
			if err != nil {
				return nil, err
			} else if len(ferrs) > 0 {
				errs = append(errs, ferrs...)
				continue
			}
			if existing != nil {
				if e, err := tx.allowUser(r.Row, opt.ImportOptions, existing); err != nil {
					return nil, err
				} else if e != nil {
					errs = append(errs, *e)
					continue
				}
				next := *existing
				next.Role, next.ScopeID, next.ScopePath = u.Role, u.ScopeID, u.ScopePath
				if u.Language != "" {
					next.Language = u.Language
				}
				if u.DisplayName != "" {
					next.DisplayName = u.DisplayName
				}
				changed := next.Role != existing.Role || !sameParent(next.ScopeID, existing.ScopeID) ||
					next.Language != existing.Language || next.DisplayName != existing.DisplayName
				if changed {
					next.Version++
					next.UpdatedAt = tx.now
					if err := tx.update("user", `UPDATE users SET display_name = ?, role = ?, scope_id = ?, language = ?, version = ?, updated_at = ? WHERE id = ?`,
						next.DisplayName, next.Role, next.ScopeID, next.Language, next.Version, next.UpdatedAt, next.ID); err != nil {
						return nil, err
					}
					if err := tx.audit("user", next.ID, "import", audit.Diff(asMap(existing), asMap(&next))); err != nil {
						return nil, err
					}
				}
				added, err := tx.assignMentor(next.ID, facilities)
				if err != nil {
					return nil, err
				}
				if changed || added > 0 {
					rep.Updated++
				} else {
					rep.Unchanged++
				}
				continue
			}
			u.PasswordHash = hashes[u.Username]
			if u.PasswordHash == "" {
				if !opt.DryRun {
					// Stored between the look-up and the transaction, then removed.
					return nil, mesh.Errorf(mesh.ECONFLICT, "user %s changed during the import; import the file again", u.Username)
				}
				u.PasswordHash = "dry-run"
			}
			if err := tx.insertUser(&u); err != nil {
				return nil, err
			}
			if err := tx.audit("user", u.ID, "import", asMap(&u)); err != nil {
				return nil, err
			}
			if _, err := tx.assignMentor(u.ID, facilities); err != nil {
				return nil, err
			}
			created = append(created, NewPassword{Username: u.Username, Password: plain[u.Username]})
			rep.Created++
		}
		if len(created) > 0 && !opt.DryRun && (len(errs) == 0 || opt.ValidRows) {
			if opt.SavePasswords == nil {
				return nil, mesh.Invalid(mesh.FieldError{Code: "MISSING_REQUIRED", Field: "passwords-out",
					Message: fmt.Sprintf("the file creates %d new users: say where their initial passwords go", len(created))})
			}
			if err := opt.SavePasswords(created); err != nil {
				return nil, err
			}
		}
		return errs, nil
	})
	return rep, err
}
