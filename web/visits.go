package web

import (
	"net/http"
	"slices"
	"sort"
	"strconv"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/api"
	"mesh/auth"
	"mesh/observation"
	"mesh/place"
	"mesh/staff"
	"mesh/visit"
)

// Visits: a mentor's plan and log of visits to their facilities, each visit's page
// with the case observations made there, and the cadence list that tells whether
// every facility is visited as often as its target says.

// VisitsPage lists the visits in the caller's area: planned ones (soonest first), then
// the log of done and cancelled ones (latest first).
type VisitsPage struct {
	Page
	Planned, Done []VisitRow
	CanWrite      bool
}

// VisitRow is one visit with its facility's name.
type VisitRow struct {
	Visit    *visit.Visit
	Facility string
}

// VisitPage shows one visit.
type VisitPage struct {
	Page
	Visit        *visit.Visit
	Facility     *place.OrgUnit
	Observations []ObservationRow
	// ShowObservations: named per-worker results are private to mentors and the
	// in-charge (observation.md §5), so other roles see no list at all.
	ShowObservations bool
	CanObserve       bool
	CanMarkDone      bool
	// Goals are the open learning goals of the facility's staff in post on the visit's
	// day, shown again so the mentor reviews them at the next visit (observation.md §4).
	Goals []GoalRow
}

// GoalRow is an open learning goal with its worker.
type GoalRow struct {
	WorkerID int64
	Worker   string
	Goal     *observation.Goal
}

// ObservationRow is one observation in a list, with its worker's name.
type ObservationRow struct {
	Record *observation.Record
	Worker string
}

// VisitFormPage is the new-visit form.
type VisitFormPage struct {
	Page
	In                VisitInput
	FacilityOptions   []Option
	KindOptions       []Option
	StatusOptions     []Option
	ActivityOptions   []Option
	ActivitiesChecked map[string]bool
	Form              Form
}

// VisitInput is the form's values as typed.
type VisitInput struct {
	ID, FacilityID, Date, Kind, Status, TeachingTopic, TeachingAttendees, Notes string
	Activities                                                                  []string
}

var visitFields = fieldSet("facility_id", "date", "kind", "status", "activities", "teaching_topic", "teaching_attendees", "notes")

// CadencePage lists facilities against their visit target, overdue first.
type CadencePage struct {
	Page
	Rows    []*visit.Cadence
	Overdue int
	Today   mesh.Date
}

// visitListLimit bounds the list: a year of monthly visits to a district's facilities.
const visitListLimit = 300

func (s *Server) listVisits(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadVisits, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	f := visit.Filter{Under: c.Scope.Under(), Limit: visitListLimit}
	if c.User.Role == account.Mentor {
		f.MentorID = &c.User.ID // a mentor's plan and log are their own
	}
	list, _, err := s.Store.FindVisits(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names, err := s.facilityNames(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &VisitsPage{Page: s.page(w, r, "visits.title"), CanWrite: account.Can(c.User, account.WriteVisits)}
	for _, v := range list {
		row := VisitRow{Visit: v, Facility: names[v.FacilityID]}
		if v.Status == "planned" {
			p.Planned = append(p.Planned, row)
		} else {
			p.Done = append(p.Done, row)
		}
	}
	// The store lists latest first; a plan reads soonest first.
	slices.Reverse(p.Planned)
	s.render(w, r, http.StatusOK, "visits", p)
}

// facilityNames names the facilities in the caller's area.
func (s *Server) facilityNames(r *http.Request) (map[int64]string, error) {
	list, err := s.facilitiesInScope(r)
	return placeNames(list), err
}

func (s *Server) newVisitForm(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.WriteVisits, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	in := VisitInput{ID: newUUID(), Date: string(today()), Kind: "mentoring", Status: "planned",
		FacilityID: r.URL.Query().Get("facility")}
	s.visitForm(w, r, http.StatusOK, in, Form{})
}

func (s *Server) visitForm(w http.ResponseWriter, r *http.Request, status int, in VisitInput, f Form) {
	p := &VisitFormPage{Page: s.page(w, r, "visit.new_title"), In: in, Form: f, ActivitiesChecked: map[string]bool{}}
	facilities, err := s.facilitiesInScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.FacilityOptions = facilityOptions(facilities, tr(p.Lang, "form.choose"))
	p.KindOptions = enumOptions(p.Lang, "visit.kind.", visit.Kinds, "")
	// A new visit is planned or already done; cancelling is for a planned one.
	p.StatusOptions = enumOptions(p.Lang, "visit.status.", []string{"planned", "done"}, "")
	p.ActivityOptions = enumOptions(p.Lang, "visit.activity.", visit.Activities, "")
	for _, a := range in.Activities {
		p.ActivitiesChecked[a] = true
	}
	s.render(w, r, status, "visit_form", p)
}

func (s *Server) createVisit(w http.ResponseWriter, r *http.Request) {
	err := auth.Check(caller(r), account.WriteVisits, "")
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := VisitInput{ID: formValue(r, "id"), FacilityID: formValue(r, "facility_id"), Date: formValue(r, "date"),
		Kind: formValue(r, "kind"), Status: formValue(r, "status"), TeachingTopic: formValue(r, "teaching_topic"),
		TeachingAttendees: formValue(r, "teaching_attendees"), Notes: formValue(r, "notes"), Activities: r.PostForm["activities"]}
	if !visit.ValidUUID(in.ID) {
		in.ID = newUUID() // the form always sends one; a hand-made post gets its own
	}
	var errs []mesh.FieldError
	vin := api.VisitInput{ID: in.ID, Date: mesh.Date(in.Date), Kind: in.Kind, Status: in.Status, Activities: in.Activities,
		TeachingTopic: in.TeachingTopic, Notes: in.Notes, TeachingAttendees: intField(in.TeachingAttendees, "teaching_attendees", &errs)}
	if id := optionalID(in.FacilityID, "facility_id", &errs); id != nil {
		vin.FacilityID = *id
	}
	if len(errs) > 0 {
		// Show the form's own problems with every other one, and write nothing.
		check := &visit.Visit{ID: vin.ID, FacilityID: vin.FacilityID, Date: vin.Date, Kind: vin.Kind, Status: vin.Status,
			Activities: vin.Activities, TeachingTopic: vin.TeachingTopic, Notes: vin.Notes}
		check.Normalize()
		err = joinInvalid(errs, check.Validate())
	} else {
		_, _, err = s.apiServer().PutVisit(r, vin)
	}
	if err != nil {
		f, status, ok := formError(language(w, r), visitFieldErrors(err), visitFields)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.visitForm(w, r, status, in, f)
		return
	}
	redirect(w, r, withNotice("/visits/"+in.ID, "created"))
}

// visitFieldErrors puts "activities[2]" errors on the activities checkboxes.
func visitFieldErrors(err error) error {
	fields := mesh.ErrorFields(err)
	if len(fields) == 0 {
		return err
	}
	out := make([]mesh.FieldError, len(fields))
	for i, f := range fields {
		out[i] = f
		if strings.HasPrefix(f.Field, "activities[") {
			out[i].Field = "activities"
		}
	}
	return mesh.Invalid(out...)
}

// loadVisit fetches {id} and checks the caller may act on it with p.
func (s *Server) loadVisit(r *http.Request, p account.Permission) (*visit.Visit, error) {
	return loadInArea(r, p, func() (*visit.Visit, error) { return s.Store.FindVisitByID(r.Context(), r.PathValue("id")) },
		func(v *visit.Visit) string { return v.FacilityPath })
}

func (s *Server) showVisit(w http.ResponseWriter, r *http.Request) {
	v, err := s.loadVisit(r, account.ReadVisits)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := caller(r)
	fac, err := s.Store.FindOrgUnitByID(r.Context(), v.FacilityID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &VisitPage{Page: s.page(w, r, "visit.title"), Visit: v, Facility: fac,
		ShowObservations: auth.Check(c, account.ReadObservations, v.FacilityPath) == nil,
		CanObserve:       auth.Check(c, account.WriteObservations, v.FacilityPath) == nil && v.Status != "cancelled",
		CanMarkDone:      v.Status == "planned" && auth.Check(c, account.WriteVisits, v.FacilityPath) == nil}
	if p.ShowObservations {
		list, _, err := s.Store.FindObservations(r.Context(), observation.Filter{VisitID: &v.ID, Under: c.Scope.Under()})
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Observations = s.observationRows(r, list)
		if p.Goals, err = s.openGoals(r, v); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "visit", p)
}

// openGoals lists the open learning goals of the workers in post at the visit's
// facility on its day.
func (s *Server) openGoals(r *http.Request, v *visit.Visit) ([]GoalRow, error) {
	workers, _, err := s.Store.FindHealthWorkers(r.Context(), staff.Filter{FacilityID: &v.FacilityID, ActiveOn: v.Date})
	if err != nil {
		return nil, err
	}
	var out []GoalRow
	for _, h := range workers {
		goals, err := s.Store.FindGoals(r.Context(), h.ID)
		if err != nil {
			return nil, err
		}
		for _, g := range goals {
			if g.Status == "open" {
				out = append(out, GoalRow{WorkerID: h.ID, Worker: h.Name, Goal: g})
			}
		}
	}
	return out, nil
}

// observationRows names each observation's worker.
func (s *Server) observationRows(r *http.Request, list []*observation.Record) []ObservationRow {
	names := map[int64]string{}
	rows := make([]ObservationRow, 0, len(list))
	for _, rec := range list {
		if _, ok := names[rec.HealthWorkerID]; !ok {
			if h, err := s.Store.FindHealthWorkerByID(r.Context(), rec.HealthWorkerID); err == nil {
				names[rec.HealthWorkerID] = h.Name
			}
		}
		rows = append(rows, ObservationRow{Record: rec, Worker: names[rec.HealthWorkerID]})
	}
	return rows
}

// markVisitDone turns a planned visit into a done one, through the API's PutVisit
// with the stored version (so a change made meanwhile is a conflict, not lost).
func (s *Server) markVisitDone(w http.ResponseWriter, r *http.Request) {
	v, err := s.loadVisit(r, account.WriteVisits)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	version := v.Version
	activities := v.Activities
	if len(activities) == 0 {
		activities = []string{"case_observations"}
	}
	in := api.VisitInput{ID: v.ID, FacilityID: v.FacilityID, MentorID: &v.MentorID, Date: v.Date, Kind: v.Kind, Status: "done",
		Activities: activities, TeachingTopic: v.TeachingTopic, TeachingAttendees: v.TeachingAttendees, Notes: v.Notes, Version: &version}
	// A visit planned for a later day is done today.
	if v.Date > today() {
		in.Date = today()
	}
	if _, _, err := s.apiServer().PutVisit(r, in); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, withNotice("/visits/"+v.ID, "saved"))
}

func (s *Server) cadence(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	err := auth.Check(c, account.ReadVisits, "")
	if err == nil && c.User.Role == account.FacilityIC {
		// The list compares facilities; an in-charge has one, shown on their home page.
		err = mesh.Errorf(mesh.EFORBIDDEN, "the cadence list is for mentors, supervisors and managers")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &CadencePage{Page: s.page(w, r, "cadence.title"), Today: today()}
	p.Rows, err = s.Store.FindCadence(r.Context(), c.Scope.Under(), p.Today)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	sort.SliceStable(p.Rows, func(i, j int) bool {
		a, b := p.Rows[i], p.Rows[j]
		if a.Overdue != b.Overdue {
			return a.Overdue
		}
		return daysSince(a) > daysSince(b)
	})
	for _, row := range p.Rows {
		if row.Overdue {
			p.Overdue++
		}
	}
	s.render(w, r, http.StatusOK, "cadence", p)
}

// daysSince orders never-visited facilities before any visited one.
func daysSince(c *visit.Cadence) int {
	if c.DaysSinceLast == nil {
		return 1 << 30
	}
	return *c.DaysSinceLast
}

// workersAt lists the health workers posted at a facility today, for the observation
// form's worker select.
func (s *Server) workersAt(r *http.Request, facilityID int64) ([]*staff.HealthWorker, error) {
	list, _, err := s.Store.FindHealthWorkers(r.Context(), staff.Filter{FacilityID: &facilityID, ActiveOn: today(), Limit: 200})
	return list, err
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
