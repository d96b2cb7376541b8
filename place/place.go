// Package place holds the place hierarchy (country > province > district > sector >
// facility) and its rules. Scope checks and roll-ups use each place's materialized
// path, "/1/4/17/", so "is X inside Y" is a prefix test.
package place

import (
	"context"
	"slices"
	"strings"
	"time"

	"mesh"
)

// Type is a level of the hierarchy.
type Type string

// The levels, from the top.
const (
	Country  Type = "country"
	Province Type = "province"
	District Type = "district"
	Sector   Type = "sector"
	Facility Type = "facility"
)

// Types lists the levels from the top.
var Types = []Type{Country, Province, District, Sector, Facility}

// Level returns the depth of t (country 0 … facility 4), or -1 for an unknown type.
func (t Type) Level() int {
	for i, x := range Types {
		if x == t {
			return i
		}
	}
	return -1
}

// Malaria risk levels a facility can have (IMCI's setting.malaria_risk).
var MalariaRisks = []string{"high", "low", "none"}

// Defaults for facility settings.
const (
	DefaultTimeZone    = "Africa/Kigali"
	DefaultCadenceDays = 42
)

// OrgUnit is one place.
type OrgUnit struct {
	ID          int64     `json:"id"`
	Name        string    `json:"name"`
	Type        Type      `json:"type"`
	ParentID    *int64    `json:"parent_id"`
	Path        string    `json:"path"`
	Code        string    `json:"code,omitempty"`
	DHIS2UID    string    `json:"dhis2_uid,omitempty"`
	MalariaRisk string    `json:"malaria_risk,omitempty"`
	TimeZone    string    `json:"time_zone"`
	CadenceDays int       `json:"cadence_days"`
	Version     int       `json:"version"`
	CreatedAt   time.Time `json:"created_at"`
	UpdatedAt   time.Time `json:"updated_at"`
}

// Normalize fills defaults and trims text, before Validate.
func (o *OrgUnit) Normalize() {
	o.Name = strings.TrimSpace(o.Name)
	o.Code = strings.TrimSpace(o.Code)
	o.DHIS2UID = strings.TrimSpace(o.DHIS2UID)
	if o.TimeZone == "" {
		o.TimeZone = DefaultTimeZone
	}
	if o.CadenceDays == 0 {
		o.CadenceDays = DefaultCadenceDays
	}
	if o.Type == Facility && o.MalariaRisk == "" {
		o.MalariaRisk = "low"
	}
}

// Validate checks o on its own and against its parent (nil for a country), returning
// every problem found, each naming the field and the rule.
func (o *OrgUnit) Validate(parent *OrgUnit) error {
	var errs []mesh.FieldError
	add := func(field, code, msg string) {
		errs = append(errs, mesh.Rule(code, field, msg))
	}
	if o.Name == "" {
		add("name", "MISSING_REQUIRED", "name is required")
	} else if len(o.Name) > 200 {
		add("name", "OUT_OF_RANGE", "name must be at most 200 characters")
	}
	if o.Type.Level() < 0 {
		add("type", "UNKNOWN_ENUM_VALUE", "type must be one of country, province, district, sector, facility")
	}
	switch {
	case o.Type == Country && o.ParentID != nil:
		add("parent_id", "FIELD_NOT_APPLICABLE", "a country has no parent")
	case o.Type != Country && o.Type.Level() > 0 && o.ParentID == nil:
		add("parent_id", "MISSING_REQUIRED", "parent_id is required for a "+string(o.Type))
	case parent != nil && o.Type.Level() >= 0 && parent.Type.Level() >= o.Type.Level():
		add("parent_id", "INVALID_PARENT", "a "+string(o.Type)+" cannot sit under a "+string(parent.Type))
	}
	if o.DHIS2UID != "" && !ValidUID(o.DHIS2UID) {
		add("dhis2_uid", "INVALID_FORMAT", "dhis2_uid must be 11 letters or digits, starting with a letter")
	}
	if len(o.Code) > 50 {
		add("code", "OUT_OF_RANGE", "code must be at most 50 characters")
	}
	if o.MalariaRisk != "" && !slices.Contains(MalariaRisks, o.MalariaRisk) {
		add("malaria_risk", "UNKNOWN_ENUM_VALUE", "malaria_risk must be one of high, low, none")
	}
	if _, err := time.LoadLocation(o.TimeZone); err != nil || o.TimeZone == "" {
		add("time_zone", "INVALID_FORMAT", "time_zone must be an IANA zone such as Africa/Kigali")
	}
	if o.CadenceDays < 1 || o.CadenceDays > 365 {
		add("cadence_days", "OUT_OF_RANGE", "cadence_days must be between 1 and 365")
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}

// ValidUID reports whether s has the shape of a DHIS2 uid: 11 alphanumerics, a letter first.
func ValidUID(s string) bool {
	if len(s) != 11 {
		return false
	}
	for i, r := range s {
		letter := (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z')
		if !letter && (i == 0 || r < '0' || r > '9') {
			return false
		}
	}
	return true
}

// ChildPath returns the materialized path of a child with id under parentPath.
func ChildPath(parentPath string, id int64) string {
	if parentPath == "" {
		parentPath = "/"
	}
	return parentPath + itoa(id) + "/"
}

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	for {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
		if n == 0 {
			return string(b[i:])
		}
	}
}

// Within reports whether path lies at or under any of the scope paths.
func Within(path string, scope []string) bool {
	for _, s := range scope {
		if strings.HasPrefix(path, s) {
			return true
		}
	}
	return false
}

// Filter selects places; nil fields do not filter.
type Filter struct {
	ID       *int64
	ParentID *int64
	Type     *Type
	Under    []string // only places at or under one of these paths (the caller's scope)
	Query    string   // name contains (case-insensitive)
	Limit    int
	Offset   int
}

// Update changes some fields of a place; nil fields stay as they are.
type Update struct {
	Name        *string
	Code        *string
	DHIS2UID    *string
	MalariaRisk *string
	TimeZone    *string
	CadenceDays *int
	Version     *int // when set, the update fails with ECONFLICT if the stored version differs
}

// Store keeps places.
type Store interface {
	CreateOrgUnit(ctx context.Context, o *OrgUnit) error
	FindOrgUnitByID(ctx context.Context, id int64) (*OrgUnit, error)
	FindOrgUnits(ctx context.Context, f Filter) ([]*OrgUnit, int, error)
	UpdateOrgUnit(ctx context.Context, id int64, u Update) (*OrgUnit, error)
}
