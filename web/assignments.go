package web

import (
	"net/http"
	"strconv"

	"mesh"
	"mesh/account"
	"mesh/auth"
)

// AssignmentsPage lists mentor assignments: a mentor's own, or those in the area.
type AssignmentsPage struct {
	Page
	All      bool // include ended assignments
	Rows     []AssignmentRow
	Total    int
	CanWrite bool
	Today    mesh.Date
	Form     Form // a failed "end" shows its problem here
}

// AssignmentRow is an assignment with its mentor's and facility's names.
type AssignmentRow struct {
	Assignment *account.Assignment
	Mentor     string
	Facility   string
	Active     bool
	CanEnd     bool
}

// AssignmentFormPage is the new-assignment form.
type AssignmentFormPage struct {
	Page
	In              AssignmentInput
	MentorOptions   []Option
	FacilityOptions []Option
	Form            Form
}

// AssignmentInput is the form's values as typed.
type AssignmentInput struct {
	MentorID, FacilityID, StartOn, EndOn string
}

var assignmentFields = fieldSet("mentor_id", "facility_id", "start_on", "end_on")

func (s *Server) listAssignments(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.ReadAssignments, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	s.assignmentList(w, r, http.StatusOK, Form{})
}

// assignmentList renders the list with status (400 after a failed "end").
func (s *Server) assignmentList(w http.ResponseWriter, r *http.Request, status int, form Form) {
	c := caller(r)
	p := &AssignmentsPage{Page: s.page(w, r, "assignments.title"), All: r.URL.Query().Get("all") == "1",
		CanWrite: account.Can(c.User, account.WriteAssignments), Today: today(), Form: form}
	f := account.AssignmentFilter{Under: c.Scope.Under()}
	if c.User.Role == account.Mentor {
		// A mentor sees their own assignments, past ones included (the API's rule).
		f.Under, f.MentorID = nil, &c.User.ID
	}
	if !p.All {
		f.ActiveOn = p.Today
	}
	list, total, err := s.Store.FindAssignments(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Total = total
	n := s.nameCache(r.Context())
	for _, a := range list {
		active := a.StartOn <= p.Today && (a.EndOn == "" || a.EndOn >= p.Today)
		p.Rows = append(p.Rows, AssignmentRow{Assignment: a, Mentor: n.user(a.MentorID), Facility: n.place(a.FacilityID),
			Active: active, CanEnd: active && auth.Check(c, account.WriteAssignments, a.FacilityPath) == nil})
	}
	s.render(w, r, status, "assignments", p)
}

func (s *Server) newAssignmentForm(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.WriteAssignments, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	in := AssignmentInput{FacilityID: r.URL.Query().Get("facility"), StartOn: string(today())}
	s.assignmentForm(w, r, http.StatusOK, in, Form{})
}

func (s *Server) assignmentForm(w http.ResponseWriter, r *http.Request, status int, in AssignmentInput, f Form) {
	p := &AssignmentFormPage{Page: s.page(w, r, "assignment.new_title"), In: in, Form: f}
	facilities, err := s.facilitiesInScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.FacilityOptions = facilityOptions(facilities, tr(p.Lang, "form.choose"))
	// Every mentor is listed: a new mentor has no assignment yet, so no area, and the
	// API likewise accepts any mentor; the facility is what must lie in the area.
	role := account.Mentor
	mentors, _, err := s.Store.FindUsers(r.Context(), account.UserFilter{Role: &role})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.MentorOptions = []Option{{Value: "", Label: tr(p.Lang, "form.choose")}}
	for _, m := range mentors {
		if m.Active {
			label := m.Username
			if m.DisplayName != "" {
				label = m.DisplayName + " (" + m.Username + ")"
			}
			p.MentorOptions = append(p.MentorOptions, Option{Value: strconv.FormatInt(m.ID, 10), Label: label})
		}
	}
	s.render(w, r, status, "assignment_form", p)
}

func (s *Server) createAssignment(w http.ResponseWriter, r *http.Request) {
	err := auth.Check(caller(r), account.WriteAssignments, "")
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := AssignmentInput{MentorID: formValue(r, "mentor_id"), FacilityID: formValue(r, "facility_id"),
		StartOn: formValue(r, "start_on"), EndOn: formValue(r, "end_on")}
	var errs []mesh.FieldError
	a := &account.Assignment{StartOn: dateField(in.StartOn, "start_on", &errs), EndOn: dateField(in.EndOn, "end_on", &errs)}
	if id := optionalID(in.MentorID, "mentor_id", &errs); id != nil {
		a.MentorID = *id
	}
	if id := optionalID(in.FacilityID, "facility_id", &errs); id != nil {
		a.FacilityID = *id
		err = s.checkFacility(r, account.WriteAssignments, *id)
	}
	if err == nil {
		err = joinInvalid(errs, a.Validate())
	}
	if err == nil {
		defer s.Auth.ForgetAll() // areas and sessions may change: no stale cached caller
		err = s.Store.CreateAssignment(r.Context(), a)
	}
	if err != nil {
		f, status, ok := formError(language(w, r), err, assignmentFields)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.assignmentForm(w, r, status, in, f)
		return
	}
	redirect(w, r, withNotice("/assignments", "created"))
}

// endAssignment sets an assignment's last day (default today); assignments are ended,
// never deleted, so the history of who mentored where stays.
func (s *Server) endAssignment(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	err := auth.Check(c, account.WriteAssignments, "")
	var id int64
	if err == nil {
		id, err = pathID(r)
	}
	if err == nil {
		err = parseForm(w, r)
	}
	var list []*account.Assignment
	if err == nil {
		list, _, err = s.Store.FindAssignments(r.Context(), account.AssignmentFilter{ID: &id})
	}
	if err == nil && len(list) == 0 {
		err = mesh.Errorf(mesh.ENOTFOUND, "assignment %d not found", id)
	}
	if err == nil {
		err = auth.Check(c, account.WriteAssignments, list[0].FacilityPath)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var errs []mesh.FieldError
	on := dateField(formValue(r, "end_on"), "end_on", &errs)
	if on == "" {
		on = today()
	}
	if len(errs) == 0 {
		defer s.Auth.ForgetAll() // areas and sessions may change: no stale cached caller
		_, err = s.Store.EndAssignment(r.Context(), id, on)
	} else {
		err = mesh.Invalid(errs...)
	}
	if err != nil {
		f, status, ok := formError(language(w, r), err, nil)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.assignmentList(w, r, status, f)
		return
	}
	redirect(w, r, withNotice("/assignments", "ended"))
}
