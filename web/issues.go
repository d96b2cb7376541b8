package web

import (
	"net/http"
	"slices"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/api"
	"mesh/auth"
	"mesh/readiness"
)

// System issues: the list (a district supervisor's opens on the escalated ones), the
// new-issue form (from a visit or a facility) and an issue's page with its status
// history, comments and status change.

// IssuesPage lists issues in the caller's area, oldest first.
type IssuesPage struct {
	Page
	Status   Input
	Rows     []IssueRow
	CanWrite bool
}

// IssueRow is one issue with its facility's name and days open.
type IssueRow struct {
	Issue    *readiness.Issue
	Facility string
	DaysOpen int
	Overdue  bool
}

// issueListLimit bounds the list: a district's unresolved issues fit many times over.
const issueListLimit = 300

func issueRows(list []*readiness.Issue, names map[int64]string, day mesh.Date) []IssueRow {
	rows := make([]IssueRow, 0, len(list))
	for _, i := range list {
		rows = append(rows, IssueRow{Issue: i, Facility: names[i.FacilityID], DaysOpen: i.DaysOpen(day),
			Overdue: i.Status != "resolved" && i.DueOn != "" && i.DueOn < day})
	}
	return rows
}

func (s *Server) issuesList(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadIssues, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	status, given := r.URL.Query()["status"]
	st := ""
	if given {
		st = status[0]
	} else if c.User.Role == account.Supervisor {
		st = "escalated" // a district supervisor's list is what facilities could not solve
	} else {
		st = "unresolved"
	}
	if st != "" && st != "unresolved" && !slices.Contains(readiness.IssueStatuses, st) {
		st = "unresolved"
	}
	list, _, err := s.Store.FindIssues(r.Context(), readiness.IssueFilter{Under: c.Scope.Under(), Status: st, Limit: issueListLimit})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	names, err := s.facilityNames(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &IssuesPage{Page: s.page(w, r, "fs.issues.title"), CanWrite: account.Can(c.User, account.WriteIssues)}
	opts := []Option{{Value: "", Label: tr(p.Lang, "fs.issues.all")}, {Value: "unresolved", Label: tr(p.Lang, "fs.issues.unresolved")}}
	opts = append(opts, enumOptions(p.Lang, "fs.issue.status.", readiness.IssueStatuses, "")...)
	p.Status = Input{Name: "status", Label: tr(p.Lang, "fs.issue.status"), Value: st, Options: opts}
	p.Rows = issueRows(list, names, today())
	s.render(w, r, http.StatusOK, "issues", p)
}

// IssueFormPage is the new-issue form.
type IssueFormPage struct {
	Page
	In              IssueForm
	FacilityOptions []Option
	CategoryOptions []Option
	Form            Form
}

// IssueForm is the form's values as typed.
type IssueForm struct {
	ID, FacilityID, VisitID, Category, Description, Owner, DueOn string
}

var issueFields = fieldSet("facility_id", "category", "description", "owner", "due_on")

func (s *Server) issueNew(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.WriteIssues, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	in := IssueForm{ID: newUUID(), FacilityID: q.Get("facility")}
	if vid := q.Get("visit"); vid != "" {
		v, err := s.Store.FindVisitByID(r.Context(), strings.ToLower(vid))
		if err == nil {
			err = auth.Check(caller(r), account.WriteIssues, v.FacilityPath)
		}
		if err != nil {
			s.fail(w, r, err)
			return
		}
		in.VisitID, in.FacilityID = v.ID, itoa(v.FacilityID)
	}
	s.issueForm(w, r, http.StatusOK, in, Form{})
}

func (s *Server) issueForm(w http.ResponseWriter, r *http.Request, status int, in IssueForm, f Form) {
	p := &IssueFormPage{Page: s.page(w, r, "fs.issue.new_title"), In: in, Form: f}
	facilities, err := s.facilitiesInScope(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.FacilityOptions = facilityOptions(facilities, tr(p.Lang, "form.choose"))
	p.CategoryOptions = enumOptions(p.Lang, "fs.issue.category.", readiness.Categories, "form.choose")
	s.render(w, r, status, "issue_form", p)
}

func (s *Server) issueCreate(w http.ResponseWriter, r *http.Request) {
	err := auth.Check(caller(r), account.WriteIssues, "")
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := IssueForm{ID: strings.ToLower(formValue(r, "id")), FacilityID: formValue(r, "facility_id"), VisitID: formValue(r, "visit_id"),
		Category: formValue(r, "category"), Description: formValue(r, "description"), Owner: formValue(r, "owner"), DueOn: formValue(r, "due_on")}
	if !readiness.ValidUUID(in.ID) {
		in.ID = newUUID()
	}
	var errs []mesh.FieldError
	ii := api.IssueInput{ID: in.ID, VisitID: in.VisitID, Category: in.Category, Description: in.Description, Owner: in.Owner,
		DueOn: dateField(in.DueOn, "due_on", &errs), Status: "open"}
	if id := optionalID(in.FacilityID, "facility_id", &errs); id != nil {
		ii.FacilityID = *id
	}
	if len(errs) > 0 {
		err = mesh.Invalid(errs...)
	} else {
		_, _, err = s.apiServer().SaveIssue(r, ii)
	}
	if err != nil {
		f, status, ok := formError(language(w, r), err, issueFields)
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.issueForm(w, r, status, in, f)
		return
	}
	redirect(w, r, withNotice("/issues/"+in.ID, "created"))
}

// IssuePage shows one issue with its history and comments.
type IssuePage struct {
	Page
	Issue         *readiness.Issue
	Facility      string
	DaysOpen      int
	StatusOptions []Option
	CanWrite      bool
	History       []HistoryRow
	Comments      []CommentRow
	// CommentID is the new comment's id, made with the form so a resent post adds it once.
	CommentID string
	Form      Form
}

// HistoryRow is a status change with who made it.
type HistoryRow struct {
	Change readiness.StatusChange
}

// CommentRow is one comment.
type CommentRow struct {
	Comment readiness.Comment
}

// loadIssue fetches {id} and checks the caller may act on it with p.
func (s *Server) loadIssue(r *http.Request, p account.Permission) (*readiness.Issue, error) {
	return loadInArea(r, p, func() (*readiness.Issue, error) {
		return s.Store.FindIssueByID(r.Context(), strings.ToLower(r.PathValue("id")))
	}, func(i *readiness.Issue) string { return i.FacilityPath })
}

func (s *Server) issueShow(w http.ResponseWriter, r *http.Request) {
	i, err := s.loadIssue(r, account.ReadIssues)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.issuePage(w, r, http.StatusOK, i, Form{})
}

func (s *Server) issuePage(w http.ResponseWriter, r *http.Request, status int, i *readiness.Issue, f Form) {
	p := &IssuePage{Page: s.page(w, r, "fs.issue.title"), Issue: i, Form: f, CommentID: newUUID(),
		CanWrite: auth.Check(caller(r), account.WriteIssues, i.FacilityPath) == nil}
	fac, err := s.Store.FindOrgUnitByID(r.Context(), i.FacilityID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Facility = fac.Name
	p.DaysOpen = i.DaysOpen(readiness.Today(now(), fac.TimeZone))
	p.StatusOptions = enumOptions(p.Lang, "fs.issue.status.", readiness.IssueStatuses, "")
	for _, h := range i.History {
		p.History = append(p.History, HistoryRow{Change: h})
	}
	for _, c := range i.Comments {
		p.Comments = append(p.Comments, CommentRow{Comment: c})
	}
	s.render(w, r, status, "issue", p)
}

// issueStatus changes an issue's status through the API's SaveIssue with the version
// the page showed: a change made meanwhile is a conflict, not lost. The store records
// the change in the history, dated the facility's day.
func (s *Server) issueStatus(w http.ResponseWriter, r *http.Request) {
	i, err := s.loadIssue(r, account.WriteIssues)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	in := api.IssueInput{ID: i.ID, FacilityID: i.FacilityID, VisitID: i.VisitID, Category: i.Category, Description: i.Description,
		Owner: i.Owner, DueOn: i.DueOn, OpenedOn: i.OpenedOn, Status: formValue(r, "status"), Version: versionField(r)}
	if _, _, err := s.apiServer().SaveIssue(r, in); err != nil {
		f, status, ok := formError(language(w, r), err, fieldSet("status"))
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.issuePage(w, r, status, i, f)
		return
	}
	redirect(w, r, withNotice("/issues/"+i.ID, "saved"))
}

func (s *Server) issueComment(w http.ResponseWriter, r *http.Request) {
	i, err := s.loadIssue(r, account.WriteIssues)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if _, err := s.apiServer().AddIssueComment(r, formValue(r, "comment_id"), formValue(r, "text")); err != nil {
		f, status, ok := formError(language(w, r), commentFieldErrors(err), fieldSet("text"))
		if !ok {
			s.fail(w, r, err)
			return
		}
		s.issuePage(w, r, status, i, f)
		return
	}
	redirect(w, r, withNotice("/issues/"+i.ID, "saved"))
}

// commentFieldErrors shows a bad comment id (a hand-made post) as a general problem.
func commentFieldErrors(err error) error {
	fields := mesh.ErrorFields(err)
	for k := range fields {
		if fields[k].Field == "id" {
			fields[k].Field = "comment_id"
		}
	}
	if len(fields) == 0 {
		return err
	}
	return mesh.Invalid(fields...)
}
