package web

import (
	"net/http"
	"strconv"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/place"
	"mesh/staff"
)

// WorkersPage lists health workers in the caller's area.
type WorkersPage struct {
	Page
	Query, Status, FacilityID string
	FacilityOptions           []Option
	StatusOptions             []Option
	Rows                      []WorkerRow
	Total                     int
	CanWrite                  bool
	Today                     mesh.Date
}

// WorkerRow is a worker with the name of their current facility and whether they are
// in post today.
type WorkerRow struct {
	Worker   *staff.HealthWorker
	Facility string
	Active   bool
}

// WorkerPage shows one worker and their posting history.
type WorkerPage struct {
	Page
	Worker   *staff.HealthWorker
	Facility string
	Active   bool
	Postings []PostingRow
	CanWrite bool
	// Profile is the private part (observations, competency, goals, notes): nil for
	// roles that may not see named results (see profile.go).
	Profile *WorkerProfile
}

// PostingRow is one posting with its facility's name.
type PostingRow struct {
	Posting  staff.Posting
	Facility string
}

// WorkerFormPage is the new-worker and edit-worker form.
type WorkerFormPage struct {
	Page
	Worker          *staff.HealthWorker // nil for a new worker
	In              WorkerInput
	CadreOptions    []Option
	FacilityOptions []Option
	Form            Form
}

// WorkerInput is the form's values as typed.
type WorkerInput struct {
	Name, Cadre, FacilityID, IMCITrainedOn, StartOn, MoveOn, EndOn, Version string
}

var workerFields = fieldSet("name", "cadre", "facility_id", "imci_trained_on", "start_on", "move_on", "end_on")

// workerListLimit bounds one page of the list; filters narrow it further.
const workerListLimit = 500

func (s *Server) listWorkers(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadWorkers, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	p := &WorkersPage{Page: s.page(w, r, "workers.title"), Query: strings.TrimSpace(q.Get("q")), Status: q.Get("status"),
		FacilityID: q.Get("facility"), CanWrite: account.Can(c.User, account.WriteWorkers), Today: today()}
	if p.Status != "all" && p.Status != "ended" {
		p.Status = "active"
	}
	p.StatusOptions = enumOptions(p.Lang, "workers.status.", []string{"active", "ended", "all"}, "")
	facilities, err := s.facilitiesInScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.FacilityOptions = facilityOptions(facilities, tr(p.Lang, "workers.all_facilities"))
	f := staff.Filter{Under: c.Scope.Under(), Query: p.Query, Limit: workerListLimit}
	if id, err := strconv.ParseInt(p.FacilityID, 10, 64); err == nil {
		f.FacilityID = &id
	}
	if p.Status == "active" {
		f.ActiveOn = p.Today
	}
	list, total, err := s.Store.FindHealthWorkers(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Total = total
	names := placeNames(facilities)
	for _, h := range list {
		row := WorkerRow{Worker: h, Facility: names[h.FacilityID], Active: h.Active(p.Today)}
		if p.Status == "ended" && row.Active {
			continue
		}
		p.Rows = append(p.Rows, row)
	}
	s.render(w, r, http.StatusOK, "workers", p)
}

// facilityOptions lists facilities for a select, with a first blank choice.
func facilityOptions(list []*place.OrgUnit, blank string) []Option {
	opts := []Option{{Value: "", Label: blank}}
	for _, o := range list {
		opts = append(opts, Option{Value: strconv.FormatInt(o.ID, 10), Label: o.Name})
	}
	return opts
}

func placeNames(list []*place.OrgUnit) map[int64]string {
	m := make(map[int64]string, len(list))
	for _, o := range list {
		m[o.ID] = o.Name
	}
	return m
}

// loadWorker fetches a worker and checks the caller may act on them with p.
func (s *Server) loadWorker(r *http.Request, p account.Permission) (*staff.HealthWorker, error) {
	return loadInArea(r, p, func() (*staff.HealthWorker, error) {
		id, err := pathID(r)
		if err != nil {
			return nil, err
		}
		return s.Store.FindHealthWorkerByID(r.Context(), id)
	}, func(h *staff.HealthWorker) string { return h.FacilityPath })
}

func (s *Server) showWorker(w http.ResponseWriter, r *http.Request) {
	h, err := s.loadWorker(r, account.ReadWorkers)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.renderWorker(w, r, h, http.StatusOK, nil)
}

// renderWorker draws a worker's page; tweak adjusts the private part (e.g. to show a
// learning-goal form's error).
func (s *Server) renderWorker(w http.ResponseWriter, r *http.Request, h *staff.HealthWorker, status int, tweak func(*WorkerProfile)) {
	p := &WorkerPage{Page: s.page(w, r, "worker.title"), Worker: h, Active: h.Active(today()),
		CanWrite: auth.Check(caller(r), account.WriteWorkers, h.FacilityPath) == nil}
	names := map[int64]string{}
	// A posting may be at a facility outside today's area (the worker moved in); its
	// name is still shown, as the record is the worker's history.
	for i := len(h.Postings) - 1; i >= 0; i-- {
		ps := h.Postings[i]
		if _, ok := names[ps.FacilityID]; !ok {
			if f, err := s.Store.FindOrgUnitByID(r.Context(), ps.FacilityID); err == nil {
				names[ps.FacilityID] = f.Name
			}
		}
		p.Postings = append(p.Postings, PostingRow{Posting: ps, Facility: names[ps.FacilityID]})
	}
	if _, ok := names[h.FacilityID]; !ok {
		if f, err := s.Store.FindOrgUnitByID(r.Context(), h.FacilityID); err == nil {
			names[h.FacilityID] = f.Name
		}
	}
	p.Facility = names[h.FacilityID]
	profile, err := s.workerProfile(r, p.Lang, h)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if profile != nil && tweak != nil {
		tweak(profile)
	}
	p.Profile = profile
	s.render(w, r, status, "worker", p)
}

func (s *Server) newWorkerForm(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.WriteWorkers, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	in := WorkerInput{Cadre: "A2", FacilityID: r.URL.Query().Get("facility"), StartOn: string(today())}
	s.workerForm(w, r, http.StatusOK, nil, in, Form{})
}

func (s *Server) workerForm(w http.ResponseWriter, r *http.Request, status int, h *staff.HealthWorker, in WorkerInput, f Form) {
	title := "worker.new_title"
	if h != nil {
		title = "worker.edit_title"
	}
	p := &WorkerFormPage{Page: s.page(w, r, title), Worker: h, In: in, Form: f}
	p.CadreOptions = enumOptions(p.Lang, "cadre.", staff.Cadres, "")
	facilities, err := s.facilitiesInScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.FacilityOptions = facilityOptions(facilities, tr(p.Lang, "form.choose"))
	s.render(w, r, status, "worker_form", p)
}

func workerInput(r *http.Request) WorkerInput {
	return WorkerInput{Name: formValue(r, "name"), Cadre: formValue(r, "cadre"), FacilityID: formValue(r, "facility_id"),
		IMCITrainedOn: formValue(r, "imci_trained_on"), StartOn: formValue(r, "start_on"), MoveOn: formValue(r, "move_on"),
		EndOn: formValue(r, "end_on"), Version: formValue(r, "version")}
}

// workerFormError re-renders the form for input problems, or shows an error page.
func (s *Server) workerFormError(w http.ResponseWriter, r *http.Request, h *staff.HealthWorker, in WorkerInput, err error) {
	f, status, ok := formError(language(w, r), err, workerFields)
	if !ok {
		s.fail(w, r, err)
		return
	}
	s.workerForm(w, r, status, h, in, f)
}

func (s *Server) createWorker(w http.ResponseWriter, r *http.Request) {
	err := auth.Check(caller(r), account.WriteWorkers, "")
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := workerInput(r)
	var errs []mesh.FieldError
	h := &staff.HealthWorker{Name: in.Name, Cadre: in.Cadre, IMCITrainedOn: dateField(in.IMCITrainedOn, "imci_trained_on", &errs),
		StartOn: dateField(in.StartOn, "start_on", &errs)}
	if id := optionalID(in.FacilityID, "facility_id", &errs); id != nil {
		h.FacilityID = *id
		err = s.checkFacility(r, account.WriteWorkers, *id)
	}
	if err == nil {
		h.Normalize()
		err = joinInvalid(errs, h.Validate())
	}
	if err == nil {
		err = s.Store.CreateHealthWorker(r.Context(), h)
	}
	if err != nil {
		s.workerFormError(w, r, nil, in, err)
		return
	}
	redirect(w, r, withNotice("/workers/"+strconv.FormatInt(h.ID, 10), "created"))
}

// joinInvalid merges the form's own parse errors with a validation error, so every
// problem is shown at once.
func joinInvalid(errs []mesh.FieldError, err error) error {
	if err != nil && mesh.ErrorCode(err) != mesh.EINVALID {
		return err
	}
	seen := map[string]bool{}
	for _, e := range errs {
		seen[e.Field] = true
	}
	for _, e := range mesh.ErrorFields(err) {
		if !seen[e.Field] {
			errs = append(errs, e)
		}
	}
	if len(errs) == 0 {
		return nil
	}
	return mesh.Invalid(errs...)
}

func (s *Server) editWorkerForm(w http.ResponseWriter, r *http.Request) {
	h, err := s.loadWorker(r, account.WriteWorkers)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := WorkerInput{Name: h.Name, Cadre: h.Cadre, FacilityID: strconv.FormatInt(h.FacilityID, 10),
		IMCITrainedOn: string(h.IMCITrainedOn), EndOn: string(h.EndOn), Version: strconv.Itoa(h.Version)}
	s.workerForm(w, r, http.StatusOK, h, in, Form{})
}

// updateWorker edits a worker's details; a different facility moves them on move_on
// (default today) and an end date ends the current posting.
func (s *Server) updateWorker(w http.ResponseWriter, r *http.Request) {
	h, err := s.loadWorker(r, account.WriteWorkers)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := workerInput(r)
	var errs []mesh.FieldError
	upd := staff.Update{Name: &in.Name, Cadre: &in.Cadre, Version: versionField(r),
		MoveOn: dateField(in.MoveOn, "move_on", &errs)}
	trained := dateField(in.IMCITrainedOn, "imci_trained_on", &errs)
	upd.IMCITrainedOn = &trained
	if end := dateField(in.EndOn, "end_on", &errs); end != h.EndOn {
		upd.EndOn = &end
	}
	if id := optionalID(in.FacilityID, "facility_id", &errs); id != nil && *id != h.FacilityID {
		upd.FacilityID = id
		err = s.checkFacility(r, account.WriteWorkers, *id)
	}
	if err == nil && len(errs) > 0 {
		err = mesh.Invalid(errs...)
	}
	if err == nil {
		_, err = s.Store.UpdateHealthWorker(r.Context(), h.ID, upd)
	}
	if err != nil {
		s.workerFormError(w, r, h, in, err)
		return
	}
	redirect(w, r, withNotice("/workers/"+strconv.FormatInt(h.ID, 10), "saved"))
}
