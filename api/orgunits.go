package api

import (
	"net/http"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/place"
)

// orgUnitInput is what a client may send to create a place.
type orgUnitInput struct {
	Name        string     `json:"name"`
	Type        place.Type `json:"type"`
	ParentID    *int64     `json:"parent_id"`
	Code        string     `json:"code"`
	DHIS2UID    string     `json:"dhis2_uid"`
	MalariaRisk string     `json:"malaria_risk"`
	TimeZone    string     `json:"time_zone"`
	CadenceDays int        `json:"cadence_days"`
}

type orgUnitPatch struct {
	Name        *string `json:"name"`
	Code        *string `json:"code"`
	DHIS2UID    *string `json:"dhis2_uid"`
	MalariaRisk *string `json:"malaria_risk"`
	TimeZone    *string `json:"time_zone"`
	CadenceDays *int    `json:"cadence_days"`
	Version     *int    `json:"version"`
}

func (s *Server) listOrgUnits(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadPlaces, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	f := place.Filter{Under: c.Scope.Under(), Query: r.URL.Query().Get("q")}
	var err error
	if f.ParentID, err = queryInt(r, "parent_id"); err != nil {
		s.fail(w, r, err)
		return
	}
	if t := r.URL.Query().Get("type"); t != "" {
		typ := place.Type(t)
		if typ.Level() < 0 {
			s.fail(w, r, mesh.Invalid(mesh.FieldError{Code: "UNKNOWN_ENUM_VALUE", Field: "type", Message: "type must be one of country, province, district, sector, facility"}))
			return
		}
		f.Type = &typ
	}
	if f.Limit, f.Offset, err = paging(r); err != nil {
		s.fail(w, r, err)
		return
	}
	list, total, err := s.Store.FindOrgUnits(ctx(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, list, total)
}

func (s *Server) getOrgUnit(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrgUnit(w, r, account.ReadPlaces)
	if ok {
		writeJSON(w, http.StatusOK, o)
	}
}

// loadOrgUnit fetches the {id} place and checks the caller may act on it.
func (s *Server) loadOrgUnit(w http.ResponseWriter, r *http.Request, p account.Permission) (*place.OrgUnit, bool) {
	return loadInArea(s, w, r, p, byPathID(r, s.Store.FindOrgUnitByID), func(o *place.OrgUnit) string { return o.Path })
}

func (s *Server) createOrgUnit(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.WritePlaces, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	var in orgUnitInput
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	// A new place must sit inside the caller's area; only a whole-database admin may
	// create a country.
	if in.ParentID != nil {
		if parent, err := s.Store.FindOrgUnitByID(ctx(r), *in.ParentID); err == nil {
			if err := auth.Check(c, account.WritePlaces, parent.Path); err != nil {
				s.fail(w, r, err)
				return
			}
		}
	} else if !c.Scope.All {
		s.fail(w, r, mesh.Errorf(mesh.EFORBIDDEN, "only an administrator of the whole database may add a country"))
		return
	}
	o := &place.OrgUnit{Name: in.Name, Type: in.Type, ParentID: in.ParentID, Code: in.Code, DHIS2UID: in.DHIS2UID,
		MalariaRisk: in.MalariaRisk, TimeZone: in.TimeZone, CadenceDays: in.CadenceDays}
	if err := s.Store.CreateOrgUnit(ctx(r), o); err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, o)
}

func (s *Server) updateOrgUnit(w http.ResponseWriter, r *http.Request) {
	o, ok := s.loadOrgUnit(w, r, account.WritePlaces)
	if !ok {
		return
	}
	var in orgUnitPatch
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	up, err := s.Store.UpdateOrgUnit(ctx(r), o.ID, place.Update{Name: in.Name, Code: in.Code, DHIS2UID: in.DHIS2UID,
		MalariaRisk: in.MalariaRisk, TimeZone: in.TimeZone, CadenceDays: in.CadenceDays, Version: in.Version})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, up)
}
