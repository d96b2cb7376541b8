// Package importer reads the spreadsheets programmes already keep — facility lists and
// staff lists, as CSV or XLSX — into validated rows for the store to import. Every
// problem is reported with the spreadsheet row (the header is row 1) and the column,
// so a data manager can fix the file in Excel and try again.
package importer

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"

	"mesh"
	"mesh/account"
	"mesh/place"
	"mesh/staff"
)

// MaxFileSize bounds an import file; Rwanda's full facility list is well under 1 MB.
const MaxFileSize = 64 << 20

// RowError is one bad cell (or row, when Column is empty).
type RowError struct {
	Row     int
	Column  string
	Code    string
	Message string
	// Rule and Args keep a domain rule for translation (mesh.FieldError).
	Rule string
	Args []any
}

// Field is how the error is named: "row 7, cadre".
func (e RowError) Field() string {
	if e.Column == "" {
		return fmt.Sprintf("row %d", e.Row)
	}
	return fmt.Sprintf("row %d, %s", e.Row, e.Column)
}

// Invalid turns row errors into one EINVALID error listing them all in row order.
func Invalid(errs []RowError) error {
	if len(errs) == 0 {
		return nil
	}
	sort.SliceStable(errs, func(i, j int) bool { return errs[i].Row < errs[j].Row })
	fields := make([]mesh.FieldError, len(errs))
	for i, e := range errs {
		fields[i] = mesh.FieldError{Code: e.Code, Field: e.Field(), Message: e.Message, Rule: e.Rule, Args: e.Args}
	}
	return mesh.Invalid(fields...)
}

// FromFieldErrors attributes a domain Validate error's fields to row, mapping a
// field name to its column name where they differ.
func FromFieldErrors(row int, err error, columns map[string]string) []RowError {
	var out []RowError
	for _, f := range mesh.ErrorFields(err) {
		col := f.Field
		if c, ok := columns[col]; ok {
			col = c
		}
		out = append(out, RowError{Row: row, Column: col, Code: f.Code, Message: f.Message, Rule: f.Rule, Args: f.Args})
	}
	if len(out) == 0 && err != nil {
		out = append(out, RowError{Row: row, Code: "INVALID", Message: mesh.ErrorMessage(err)})
	}
	return out
}

// Table is a file's header and data rows, cells trimmed.
type Table struct {
	Header []string
	Rows   [][]string
}

// Read reads a CSV (UTF-8, with or without a byte-order mark; comma or semicolon, as
// French-locale Excel writes) or an XLSX file (its first sheet), by name extension.
func Read(name string, r io.Reader) (*Table, error) {
	b, err := io.ReadAll(io.LimitReader(r, MaxFileSize+1))
	if err != nil {
		return nil, err
	}
	if len(b) > MaxFileSize {
		return nil, mesh.Errorf(mesh.ETOOLARGE, "%s is larger than %d MB", name, MaxFileSize>>20)
	}
	var rows [][]string
	switch strings.ToLower(filepath.Ext(name)) {
	case ".csv":
		b = bytes.TrimPrefix(b, []byte("\uFEFF"))
		cr := csv.NewReader(bytes.NewReader(b))
		cr.FieldsPerRecord = -1
		if first, _, _ := bytes.Cut(b, []byte("\n")); bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
			cr.Comma = ';'
		}
		if rows, err = cr.ReadAll(); err != nil {
			return nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "file", Message: "not a readable CSV file: " + err.Error()})
		}
	case ".xlsx":
		f, err := excelize.OpenReader(bytes.NewReader(b))
		if err != nil {
			return nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "file", Message: "not a readable XLSX file: " + err.Error()})
		}
		defer f.Close()
		sheets := f.GetSheetList()
		if len(sheets) == 0 {
			return nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "file", Message: "the workbook has no sheet"})
		}
		// Dates typed as dates come back formatted by their cell style; RawCellValue
		// would give serial numbers, so the formatted text is read and parsed below.
		if rows, err = f.GetRows(sheets[0]); err != nil {
			return nil, err
		}
	default:
		return nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "file", Message: "the file must end in .csv or .xlsx"})
	}
	if len(rows) == 0 {
		return nil, mesh.Invalid(mesh.FieldError{Code: "MISSING_REQUIRED", Field: "row 1", Message: "the file is empty: the first row must name the columns"})
	}
	t := &Table{}
	for _, h := range rows[0] {
		t.Header = append(t.Header, strings.ToLower(strings.TrimSpace(h)))
	}
	for _, r := range rows[1:] {
		for i := range r {
			r[i] = strings.TrimSpace(r[i])
		}
		t.Rows = append(t.Rows, r)
	}
	return t, nil
}

// columns checks the header against the known columns and returns each one's index.
func (t *Table) columns(known []string, required ...string) (map[string]int, []RowError) {
	idx := map[string]int{}
	var errs []RowError
	for i, h := range t.Header {
		switch {
		case h == "":
			continue
		case !slices.Contains(known, h):
			errs = append(errs, RowError{Row: 1, Column: h, Code: "UNKNOWN_FIELD", Message: "unknown column; the columns are " + strings.Join(known, ", ")})
		case hasKey(idx, h):
			errs = append(errs, RowError{Row: 1, Column: h, Code: "DUPLICATE", Message: "the column appears twice"})
		default:
			idx[h] = i
		}
	}
	for _, r := range required {
		alts := strings.Split(r, "|")
		found := false
		for _, a := range alts {
			found = found || hasKey(idx, a)
		}
		if !found {
			errs = append(errs, RowError{Row: 1, Column: alts[0], Code: "MISSING_REQUIRED", Message: "the column " + strings.Join(alts, " or ") + " is required"})
		}
	}
	return idx, errs
}

func hasKey(m map[string]int, k string) bool { _, ok := m[k]; return ok }

// cell returns row's value in column name ("" when absent or short).
func cell(idx map[string]int, row []string, name string) string {
	i, ok := idx[name]
	if !ok || i >= len(row) {
		return ""
	}
	return row[i]
}

func blank(row []string) bool {
	for _, c := range row {
		if c != "" {
			return false
		}
	}
	return true
}

// PlaceColumns are the columns of a places file; name and type are required, and a
// place other than a country needs parent_code or parent_id.
var PlaceColumns = []string{"name", "type", "parent_code", "parent_id", "code", "dhis2_uid", "malaria_risk", "time_zone", "cadence_days"}

// PlaceRow is one place to import.
type PlaceRow struct {
	Row        int
	Place      place.OrgUnit
	ParentCode string
	ParentID   int64
}

// Places reads a places table into rows, reporting every cell that cannot even be
// read (numbers, types); the store checks the rest with place.Validate.
func Places(t *Table) ([]PlaceRow, []RowError) {
	idx, errs := t.columns(PlaceColumns, "name", "type")
	if len(errs) > 0 {
		return nil, errs
	}
	var out []PlaceRow
	for i, r := range t.Rows {
		line := i + 2
		if blank(r) {
			continue
		}
		p := PlaceRow{Row: line, ParentCode: cell(idx, r, "parent_code")}
		p.Place = place.OrgUnit{Name: cell(idx, r, "name"), Type: place.Type(strings.ToLower(cell(idx, r, "type"))),
			Code: cell(idx, r, "code"), DHIS2UID: cell(idx, r, "dhis2_uid"), MalariaRisk: strings.ToLower(cell(idx, r, "malaria_risk")),
			TimeZone: cell(idx, r, "time_zone")}
		if s := cell(idx, r, "parent_id"); s != "" {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id <= 0 {
				errs = append(errs, RowError{Row: line, Column: "parent_id", Code: "INVALID_FORMAT", Message: "parent_id must be a place id (a whole number)"})
			}
			p.ParentID = id
		}
		if p.ParentID != 0 && p.ParentCode != "" {
			errs = append(errs, RowError{Row: line, Column: "parent_code", Code: "FIELD_NOT_APPLICABLE", Message: "give parent_code or parent_id, not both"})
		}
		if s := cell(idx, r, "cadence_days"); s != "" {
			n, err := strconv.Atoi(s)
			if err != nil {
				errs = append(errs, RowError{Row: line, Column: "cadence_days", Code: "INVALID_FORMAT", Message: "cadence_days must be a whole number of days"})
			}
			p.Place.CadenceDays = n
		}
		out = append(out, p)
	}
	if len(out) == 0 && len(errs) == 0 {
		errs = append(errs, RowError{Row: 2, Code: "MISSING_REQUIRED", Message: "the file has a header but no rows"})
	}
	return out, errs
}

// WorkerColumns are the columns of a health-workers file; name, cadre and
// facility_code or facility_id are required.
var WorkerColumns = []string{"name", "cadre", "facility_code", "facility_id", "imci_trained_on", "start_on"}

// WorkerRow is one health worker to import.
type WorkerRow struct {
	Row          int
	Worker       staff.HealthWorker
	FacilityCode string
}

// Workers reads a health-workers table into rows.
func Workers(t *Table) ([]WorkerRow, []RowError) {
	idx, errs := t.columns(WorkerColumns, "name", "cadre", "facility_code|facility_id")
	if len(errs) > 0 {
		return nil, errs
	}
	var out []WorkerRow
	for i, r := range t.Rows {
		line := i + 2
		if blank(r) {
			continue
		}
		w := WorkerRow{Row: line, FacilityCode: cell(idx, r, "facility_code")}
		w.Worker = staff.HealthWorker{Name: cell(idx, r, "name"), Cadre: strings.ToUpper(cell(idx, r, "cadre"))}
		if w.Worker.Cadre == "OTHER" {
			w.Worker.Cadre = "other"
		}
		if s := cell(idx, r, "facility_id"); s != "" {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id <= 0 {
				errs = append(errs, RowError{Row: line, Column: "facility_id", Code: "INVALID_FORMAT", Message: "facility_id must be a place id (a whole number)"})
			}
			w.Worker.FacilityID = id
		}
		if w.Worker.FacilityID == 0 && w.FacilityCode == "" {
			errs = append(errs, RowError{Row: line, Column: "facility_code", Code: "MISSING_REQUIRED", Message: "facility_code (or facility_id) is required"})
		}
		w.Worker.IMCITrainedOn = mesh.Date(day(cell(idx, r, "imci_trained_on")))
		w.Worker.StartOn = mesh.Date(day(cell(idx, r, "start_on")))
		out = append(out, w)
	}
	if len(out) == 0 && len(errs) == 0 {
		errs = append(errs, RowError{Row: 2, Code: "MISSING_REQUIRED", Message: "the file has a header but no rows"})
	}
	return out, errs
}

// day accepts the ISO day and Excel's US-style rendering of a date cell (m-d-yy,
// what GetRows gives for the built-in date format), returning ISO; anything else is
// returned as is for Validate to reject with its message.
func day(s string) string {
	var m, d, y int
	if n, _ := fmt.Sscanf(s, "%d-%d-%d", &m, &d, &y); n == 3 && m <= 12 && y < 100 && len(s) <= 8 {
		return fmt.Sprintf("20%02d-%02d-%02d", y, m, d)
	}
	return s
}

// UserColumns are the columns of a users file; username and role are required, and a
// manager, supervisor or facility in-charge needs scope_code or scope_id. Passwords
// are never read from a file: each new user gets a random one (see sqlstore.ImportUsers).
// A mentor's row may list the codes of the facilities they mentor in "facilities",
// separated by ";" or ",": each becomes an assignment from the day of the import.
var UserColumns = []string{"username", "role", "scope_code", "scope_id", "language", "display_name", "facilities"}

// ruleFacilitiesMentorOnly refuses facilities on a row that is not a mentor's.
const ruleFacilitiesMentorOnly = "only a mentor is assigned to facilities: leave facilities empty for other roles"

// UserRow is one account to create or update.
type UserRow struct {
	Row        int
	User       account.User
	ScopeCode  string
	Facilities []string // facility codes a mentor is assigned to
}

// Users reads a users table into rows. Role "facility_ic" is accepted for the
// facility in-charge role ("facility").
func Users(t *Table) ([]UserRow, []RowError) {
	idx, errs := t.columns(UserColumns, "username", "role")
	if len(errs) > 0 {
		return nil, errs
	}
	var out []UserRow
	for i, r := range t.Rows {
		line := i + 2
		if blank(r) {
			continue
		}
		u := UserRow{Row: line, ScopeCode: cell(idx, r, "scope_code")}
		role := strings.ToLower(cell(idx, r, "role"))
		if role == "facility_ic" {
			role = string(account.FacilityIC)
		}
		u.User = account.User{Username: cell(idx, r, "username"), Role: account.Role(role),
			Language: strings.ToLower(cell(idx, r, "language")), DisplayName: cell(idx, r, "display_name")}
		if s := cell(idx, r, "scope_id"); s != "" {
			id, err := strconv.ParseInt(s, 10, 64)
			if err != nil || id <= 0 {
				errs = append(errs, RowError{Row: line, Column: "scope_id", Code: "INVALID_FORMAT", Message: "scope_id must be a place id (a whole number)"})
			}
			u.User.ScopeID = &id
		}
		if u.User.ScopeID != nil && u.ScopeCode != "" {
			errs = append(errs, RowError{Row: line, Column: "scope_code", Code: "FIELD_NOT_APPLICABLE", Message: "give scope_code or scope_id, not both"})
		}
		u.Facilities = strings.FieldsFunc(cell(idx, r, "facilities"), func(c rune) bool { return c == ';' || c == ',' })
		for i := range u.Facilities {
			u.Facilities[i] = strings.TrimSpace(u.Facilities[i])
		}
		u.Facilities = slices.DeleteFunc(u.Facilities, func(c string) bool { return c == "" })
		if len(u.Facilities) > 0 && u.User.Role != account.Mentor {
			errs = append(errs, RowError{Row: line, Column: "facilities", Code: "FIELD_NOT_APPLICABLE", Message: ruleFacilitiesMentorOnly, Rule: ruleFacilitiesMentorOnly})
		}
		out = append(out, u)
	}
	if len(out) == 0 && len(errs) == 0 {
		errs = append(errs, RowError{Row: 2, Code: "MISSING_REQUIRED", Message: "the file has a header but no rows"})
	}
	return out, errs
}

// Bad returns the set of rows (by spreadsheet row) that have an error.
func Bad(errs []RowError) map[int]bool {
	m := map[int]bool{}
	for _, e := range errs {
		m[e.Row] = true
	}
	return m
}

// HeaderOnly reports whether errs concern the header (row 1) or the file as a whole,
// so that no row can be imported even when valid rows were asked for.
func HeaderOnly(errs []RowError) bool {
	for _, e := range errs {
		if e.Row <= 1 {
			return true
		}
	}
	return false
}
