package web

import (
	"net/http"

	"mesh/account"
	"mesh/place"
	"mesh/staff"
)

// HomePage is the start page; what it holds depends on the role.
type HomePage struct {
	Page
	Role account.Role
	// Facilities: a mentor's assigned facilities today, a supervisor's district's.
	Facilities []*place.OrgUnit
	// Mentors: the mentors working in a supervisor's district.
	Mentors []*account.User
	// Facility and Workers: a facility in-charge's facility and its staff in post.
	Facility *place.OrgUnit
	Workers  []*staff.HealthWorker
	// Districts: the overview for managers and administrators.
	Districts []DistrictSummary
	// Links are the administration shortcuts the role may use.
	Links []NavLink
}

// DistrictSummary is one row of the managers' overview.
type DistrictSummary struct {
	District   *place.OrgUnit
	Facilities int
	Workers    int
}

func (s *Server) home(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if c == nil {
		redirect(w, r, "/login")
		return
	}
	p := &HomePage{Page: s.page(w, r, "home.title"), Role: c.User.Role}
	var err error
	switch c.User.Role {
	case account.Mentor:
		p.Facilities, err = s.facilitiesInScope(r)
	case account.Supervisor:
		if p.Facilities, err = s.facilitiesInScope(r); err == nil {
			mentor := account.Mentor
			p.Mentors, _, err = s.Store.FindUsers(r.Context(), account.UserFilter{Role: &mentor, Under: c.Scope.Under()})
		}
	case account.FacilityIC:
		err = s.homeFacility(r, p)
	default:
		p.Districts, err = s.districtSummaries(r)
		p.Links = adminLinks(c.User)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "home", p)
}

// facilitiesInScope lists the facilities the caller may see, by name.
func (s *Server) facilitiesInScope(r *http.Request) ([]*place.OrgUnit, error) {
	typ := place.Facility
	list, _, err := s.Store.FindOrgUnits(r.Context(), place.Filter{Type: &typ, Under: caller(r).Scope.Under()})
	return list, err
}

// homeFacility fills an in-charge's facility and the staff in post there today.
func (s *Server) homeFacility(r *http.Request, p *HomePage) error {
	u := caller(r).User
	if u.ScopeID == nil {
		return nil
	}
	f, err := s.Store.FindOrgUnitByID(r.Context(), *u.ScopeID)
	if err != nil {
		return err
	}
	p.Facility = f
	p.Workers, _, err = s.Store.FindHealthWorkers(r.Context(), staff.Filter{FacilityID: &f.ID, ActiveOn: today(), Under: caller(r).Scope.Under()})
	return err
}

// districtSummaries counts facilities and staff in post per district in scope.
func (s *Server) districtSummaries(r *http.Request) ([]DistrictSummary, error) {
	ctx := r.Context()
	typ, fac := place.District, place.Facility
	districts, _, err := s.Store.FindOrgUnits(ctx, place.Filter{Type: &typ, Under: caller(r).Scope.Under()})
	if err != nil {
		return nil, err
	}
	out := make([]DistrictSummary, 0, len(districts))
	for _, d := range districts {
		row := DistrictSummary{District: d}
		// Limit 1: only the totals are wanted.
		if _, row.Facilities, err = s.Store.FindOrgUnits(ctx, place.Filter{Type: &fac, Under: []string{d.Path}, Limit: 1}); err != nil {
			return nil, err
		}
		if _, row.Workers, err = s.Store.FindHealthWorkers(ctx, staff.Filter{Under: []string{d.Path}, ActiveOn: today(), Limit: 1}); err != nil {
			return nil, err
		}
		out = append(out, row)
	}
	return out, nil
}

// adminLinks lists the shortcuts for managers and administrators, by permission.
func adminLinks(u *account.User) []NavLink {
	var out []NavLink
	for _, l := range []struct {
		p         account.Permission
		href, key string
	}{
		{account.WriteUsers, "/users/new", "users.new"},
		{account.WritePlaces, "/places/new", "places.new"},
		{account.WriteAssignments, "/assignments/new", "assignments.new"},
		{account.ReadUsers, "/users", "nav.users"},
		{account.ReadAudit, "/audit", "nav.audit"},
		{account.ManageDHIS2, "/admin/dhis2", "dhis2.title"},
	} {
		if account.Can(u, l.p) {
			out = append(out, NavLink{Href: l.href, Key: l.key})
		}
	}
	return out
}
