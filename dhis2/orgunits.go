package dhis2

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"

	"mesh"
	"mesh/place"
)

// OrgUnit is one DHIS2 organisation unit as /api/organisationUnits returns it with
// fields=id,code,name,parent,level,path.
type OrgUnit struct {
	ID     string `json:"id"`
	Name   string `json:"name"`
	Code   string `json:"code,omitempty"`
	Level  int    `json:"level"`
	Path   string `json:"path,omitempty"`
	Parent *struct {
		ID string `json:"id"`
	} `json:"parent,omitempty"`
}

// ParentID is the parent's uid, "" for a root.
func (o OrgUnit) ParentID() string {
	if o.Parent == nil {
		return ""
	}
	return o.Parent.ID
}

// DecodeOrgUnits reads a DHIS2 metadata file {"organisationUnits": […]} (what
// /api/organisationUnits?paging=false and a metadata export both give).
func DecodeOrgUnits(r io.Reader) ([]OrgUnit, error) {
	var doc struct {
		OrganisationUnits *[]OrgUnit `json:"organisationUnits"`
	}
	if err := json.NewDecoder(r).Decode(&doc); err != nil {
		return nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "file", Message: "not DHIS2 metadata JSON: " + err.Error()})
	}
	if doc.OrganisationUnits == nil {
		return nil, mesh.Invalid(mesh.FieldError{Code: "MISSING_REQUIRED", Field: "organisationUnits", Message: `the file has no "organisationUnits" array`})
	}
	return *doc.OrganisationUnits, nil
}

// DefaultLevels maps DHIS2 levels to MESH place types as Rwanda's hierarchy runs.
var DefaultLevels = map[int]place.Type{1: place.Country, 2: place.Province, 3: place.District, 4: place.Sector, 5: place.Facility}

// ParseLevels reads "1=country,2=province,3=district,4=sector,5=facility"; levels
// left out are skipped on import (their children attach to the nearest mapped
// ancestor).
func ParseLevels(s string) (map[int]place.Type, error) {
	out := map[int]place.Type{}
	bad := func(msg string) error {
		return mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "levels", Message: msg})
	}
	for _, part := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(part), "=")
		lvl, err := strconv.Atoi(strings.TrimSpace(k))
		t := place.Type(strings.TrimSpace(v))
		if !ok || err != nil || lvl < 1 {
			return nil, bad(fmt.Sprintf("%q must be LEVEL=TYPE, e.g. 5=facility", part))
		}
		if t.Level() < 0 {
			return nil, bad(fmt.Sprintf("%q: type must be one of country, province, district, sector, facility", part))
		}
		out[lvl] = t
	}
	return out, nil
}
