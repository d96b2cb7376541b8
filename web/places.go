package web

import (
	"net/http"
	"sort"
	"strconv"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/place"
	"mesh/staff"
)

// PlacesPage lists the places in the caller's area: an indented tree, or a flat list
// with each place's district when filtered.
type PlacesPage struct {
	Page
	Query, Type string
	TypeOptions []Option
	Filtered    bool
	Rows        []PlaceRow
	Total       int
	CanWrite    bool
}

// PlaceRow is one place in the list; Depth indents the tree.
type PlaceRow struct {
	Place    *place.OrgUnit
	Depth    int
	District string
}

// PlacePage shows one place with its children and health workers.
type PlacePage struct {
	Page
	Place     *place.OrgUnit
	Ancestors []*place.OrgUnit
	Children  []*place.OrgUnit
	Workers   []*staff.HealthWorker
	CanWrite  bool
	CanAdd    bool // may add a child place here
}

// PlaceFormPage is the new-place and edit-place form.
type PlaceFormPage struct {
	Page
	Place          *place.OrgUnit // nil for a new place
	In             PlaceInput
	TypeOptions    []Option
	ParentOptions  []Option
	MalariaOptions []Option
	Form           Form
}

// PlaceInput is the form's values as typed, kept as text so a bad entry is shown back.
type PlaceInput struct {
	Name, Type, ParentID, Code, DHIS2UID, MalariaRisk, TimeZone, CadenceDays, Version string
}

var placeFields = fieldSet("name", "type", "parent_id", "code", "dhis2_uid", "malaria_risk", "time_zone", "cadence_days")

func placeTypes() []string {
	out := make([]string, len(place.Types))
	for i, t := range place.Types {
		out[i] = string(t)
	}
	return out
}

func (s *Server) listPlaces(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadPlaces, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	p := &PlacesPage{Page: s.page(w, r, "places.title"), Query: strings.TrimSpace(q.Get("q")), Type: q.Get("type"),
		CanWrite: account.Can(c.User, account.WritePlaces)}
	if place.Type(p.Type).Level() < 0 {
		p.Type = ""
	}
	p.TypeOptions = enumOptions(p.Lang, "type.", placeTypes(), "places.all_types")
	p.Filtered = p.Query != "" || p.Type != ""
	all, total, err := s.Store.FindOrgUnits(r.Context(), place.Filter{Under: c.Scope.Under()})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Total = total
	if p.Filtered {
		p.Rows = filterPlaces(all, p.Type, p.Query)
	} else {
		p.Rows = placeTree(all)
	}
	s.render(w, r, http.StatusOK, "places", p)
}

// filterPlaces keeps places of typ whose name contains q, each labelled with its
// district (found by path prefix among the places listed).
func filterPlaces(all []*place.OrgUnit, typ, q string) []PlaceRow {
	var districts []*place.OrgUnit
	for _, o := range all {
		if o.Type == place.District {
			districts = append(districts, o)
		}
	}
	q = strings.ToLower(q)
	var rows []PlaceRow
	for _, o := range all {
		if (typ != "" && string(o.Type) != typ) || (q != "" && !strings.Contains(strings.ToLower(o.Name), q)) {
			continue
		}
		row := PlaceRow{Place: o}
		for _, d := range districts {
			if d.ID != o.ID && strings.HasPrefix(o.Path, d.Path) {
				row.District = d.Name
			}
		}
		rows = append(rows, row)
	}
	return rows
}

// placeTree orders places depth-first by name; places whose parent is outside the
// list (e.g. a mentor's facilities) are roots.
func placeTree(all []*place.OrgUnit) []PlaceRow {
	byID := map[int64]bool{}
	children := map[int64][]*place.OrgUnit{}
	for _, o := range all {
		byID[o.ID] = true
	}
	var roots []*place.OrgUnit
	for _, o := range all {
		if o.ParentID != nil && byID[*o.ParentID] {
			children[*o.ParentID] = append(children[*o.ParentID], o)
		} else {
			roots = append(roots, o)
		}
	}
	var rows []PlaceRow
	var walk func(list []*place.OrgUnit, depth int)
	walk = func(list []*place.OrgUnit, depth int) {
		sort.SliceStable(list, func(i, j int) bool { return list[i].Name < list[j].Name })
		for _, o := range list {
			rows = append(rows, PlaceRow{Place: o, Depth: min(depth, 4)})
			walk(children[o.ID], depth+1)
		}
	}
	walk(roots, 0)
	return rows
}

func (s *Server) showPlace(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var o *place.OrgUnit
	if err == nil {
		o, err = s.loadPlace(r, account.ReadPlaces, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := caller(r)
	p := &PlacePage{Page: s.page(w, r, "place.title"), Place: o,
		CanWrite: auth.Check(c, account.WritePlaces, o.Path) == nil}
	p.CanAdd = p.CanWrite && o.Type != place.Facility
	if err := s.fillPlace(r, p); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "place", p)
}

// fillPlace loads the place's ancestors within the caller's area, its children and the
// health workers posted under it now.
func (s *Server) fillPlace(r *http.Request, p *PlacePage) error {
	ctx, c := r.Context(), caller(r)
	for _, part := range strings.Split(strings.Trim(p.Place.Path, "/"), "/") {
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil || id == p.Place.ID {
			continue
		}
		if a, err := s.Store.FindOrgUnitByID(ctx, id); err == nil && c.Scope.Contains(a.Path) {
			p.Ancestors = append(p.Ancestors, a)
		}
	}
	var err error
	if p.Children, _, err = s.Store.FindOrgUnits(ctx, place.Filter{ParentID: &p.Place.ID, Under: c.Scope.Under()}); err != nil {
		return err
	}
	p.Workers, _, err = s.Store.FindHealthWorkers(ctx, staff.Filter{Under: []string{p.Place.Path}, ActiveOn: today(), Limit: 200})
	return err
}

func (s *Server) newPlaceForm(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.WritePlaces, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	in := PlaceInput{Type: string(place.Facility), TimeZone: place.DefaultTimeZone,
		CadenceDays: strconv.Itoa(place.DefaultCadenceDays), ParentID: r.URL.Query().Get("parent")}
	if parentID := queryInt(r, "parent"); parentID > 0 {
		if parent, err := s.Store.FindOrgUnitByID(r.Context(), parentID); err == nil && parent.Type.Level() < place.Facility.Level() {
			in.Type = string(place.Types[parent.Type.Level()+1])
		}
	}
	s.placeForm(w, r, http.StatusOK, nil, in, Form{})
}

// placeForm renders the place form with its choices.
func (s *Server) placeForm(w http.ResponseWriter, r *http.Request, status int, o *place.OrgUnit, in PlaceInput, f Form) {
	title := "place.new_title"
	if o != nil {
		title = "place.edit_title"
	}
	p := &PlaceFormPage{Page: s.page(w, r, title), Place: o, In: in, Form: f}
	p.TypeOptions = enumOptions(p.Lang, "type.", placeTypes(), "")
	p.MalariaOptions = enumOptions(p.Lang, "malaria.", place.MalariaRisks, "form.none_chosen")
	if o == nil {
		opts, err := s.parentOptions(r, p.Lang)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.ParentOptions = opts
	}
	s.render(w, r, status, "place_form", p)
}

// parentOptions lists the places in scope that can hold others, as a tree.
func (s *Server) parentOptions(r *http.Request, lang string) ([]Option, error) {
	all, _, err := s.Store.FindOrgUnits(r.Context(), place.Filter{Under: caller(r).Scope.Under()})
	if err != nil {
		return nil, err
	}
	var parents []*place.OrgUnit
	for _, o := range all {
		if o.Type != place.Facility {
			parents = append(parents, o)
		}
	}
	opts := []Option{{Value: "", Label: tr(lang, "place.no_parent")}}
	for _, row := range placeTree(parents) {
		opts = append(opts, Option{Value: strconv.FormatInt(row.Place.ID, 10),
			Label: strings.Repeat("\u00a0\u00a0", row.Depth) + row.Place.Name + " (" + tr(lang, "type."+string(row.Place.Type)) + ")"})
	}
	return opts, nil
}

func placeInput(r *http.Request) PlaceInput {
	return PlaceInput{Name: formValue(r, "name"), Type: formValue(r, "type"), ParentID: formValue(r, "parent_id"),
		Code: formValue(r, "code"), DHIS2UID: formValue(r, "dhis2_uid"), MalariaRisk: formValue(r, "malaria_risk"),
		TimeZone: formValue(r, "time_zone"), CadenceDays: formValue(r, "cadence_days"), Version: formValue(r, "version")}
}

func (s *Server) createPlace(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	err := auth.Check(c, account.WritePlaces, "")
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := placeInput(r)
	var errs []mesh.FieldError
	o := &place.OrgUnit{Name: in.Name, Type: place.Type(in.Type), ParentID: optionalID(in.ParentID, "parent_id", &errs),
		Code: in.Code, DHIS2UID: in.DHIS2UID, MalariaRisk: in.MalariaRisk, TimeZone: in.TimeZone,
		CadenceDays: intField(in.CadenceDays, "cadence_days", &errs)}
	// A new place must sit inside the caller's area; only a whole-database admin may
	// add a country (the API's rule).
	var parent *place.OrgUnit
	switch {
	case o.ParentID != nil:
		parent, err = s.Store.FindOrgUnitByID(r.Context(), *o.ParentID)
		if mesh.ErrorCode(err) == mesh.ENOTFOUND {
			parent, err = nil, nil // the store reports it against parent_id
		} else if err == nil {
			err = auth.Check(c, account.WritePlaces, parent.Path)
		}
	case !c.Scope.All && o.Type != place.Country:
		errs = append(errs, mesh.FieldError{Code: "MISSING_REQUIRED", Field: "parent_id", Message: "parent_id is required"})
	case !c.Scope.All:
		err = mesh.Errorf(mesh.EFORBIDDEN, "only an administrator of the whole database may add a country")
	}
	if err == nil && len(errs) > 0 {
		// Show the form's own problems together with every other one.
		o.Normalize()
		err = joinInvalid(errs, o.Validate(parent))
	}
	if err == nil {
		err = s.Store.CreateOrgUnit(r.Context(), o)
	}
	if err != nil {
		s.placeFormError(w, r, nil, in, err)
		return
	}
	redirect(w, r, withNotice("/places/"+strconv.FormatInt(o.ID, 10), "created"))
}

// placeFormError re-renders the form for input problems, or shows an error page.
func (s *Server) placeFormError(w http.ResponseWriter, r *http.Request, o *place.OrgUnit, in PlaceInput, err error) {
	f, status, ok := formError(language(w, r), err, placeFields)
	if !ok {
		s.fail(w, r, err)
		return
	}
	s.placeForm(w, r, status, o, in, f)
}

func (s *Server) editPlaceForm(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var o *place.OrgUnit
	if err == nil {
		o, err = s.loadPlace(r, account.WritePlaces, id)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := PlaceInput{Name: o.Name, Type: string(o.Type), Code: o.Code, DHIS2UID: o.DHIS2UID, MalariaRisk: o.MalariaRisk,
		TimeZone: o.TimeZone, CadenceDays: strconv.Itoa(o.CadenceDays), Version: strconv.Itoa(o.Version)}
	s.placeForm(w, r, http.StatusOK, o, in, Form{})
}

func (s *Server) updatePlace(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	var o *place.OrgUnit
	if err == nil {
		o, err = s.loadPlace(r, account.WritePlaces, id)
	}
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := placeInput(r)
	in.Type = string(o.Type)
	var errs []mesh.FieldError
	cadence := intField(in.CadenceDays, "cadence_days", &errs)
	if len(errs) > 0 {
		// Show the bad number together with every other problem of the form.
		check := *o
		check.Name, check.Code, check.DHIS2UID, check.MalariaRisk, check.TimeZone = in.Name, in.Code, in.DHIS2UID, in.MalariaRisk, in.TimeZone
		check.CadenceDays = 1
		check.Normalize()
		s.placeFormError(w, r, o, in, joinInvalid(errs, check.Validate(nil)))
		return
	}
	_, err = s.Store.UpdateOrgUnit(r.Context(), o.ID, place.Update{Name: &in.Name, Code: &in.Code, DHIS2UID: &in.DHIS2UID,
		MalariaRisk: &in.MalariaRisk, TimeZone: &in.TimeZone, CadenceDays: &cadence, Version: versionField(r)})
	if err != nil {
		s.placeFormError(w, r, o, in, err)
		return
	}
	redirect(w, r, withNotice("/places/"+strconv.FormatInt(o.ID, 10), "saved"))
}
