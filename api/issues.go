package api

import (
	"context"
	"crypto/rand"
	"fmt"
	"net/http"
	"slices"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/readiness"
)

// FacilitySystemsStore answers what is computed when asked rather than kept in counts.
type FacilitySystemsStore interface {
	IssueStats(ctx context.Context, under []string) (readiness.IssueStats, error)
}

// issueInput is a system issue as a client sends it; id is the client's UUID.
type issueInput struct {
	ID          string    `json:"id"`
	FacilityID  int64     `json:"facility_id"`
	VisitID     string    `json:"visit_id"`
	Category    string    `json:"category"`
	Description string    `json:"description"`
	Owner       string    `json:"owner"`
	DueOn       mesh.Date `json:"due_on"`
	Status      string    `json:"status"`
	OpenedOn    mesh.Date `json:"opened_on"`
	Version     *int      `json:"version"`
}

// SaveIssue checks access and stores an issue; shared by POST, PUT and sync. An issue
// found without a date is dated today at the facility.
func (s *Server) SaveIssue(r *http.Request, in issueInput) (*readiness.Issue, bool, error) {
	c := caller(r)
	if err := auth.Check(c, account.WriteIssues, ""); err != nil {
		return nil, false, err
	}
	old, err := s.Store.FindIssueByID(ctx(r), strings.ToLower(in.ID))
	var path string
	if err == nil {
		path = old.FacilityPath
		if in.OpenedOn == "" {
			in.OpenedOn = old.OpenedOn
		}
	}
	if err := guardExisting(c, account.WriteIssues, path, err); err != nil {
		return nil, false, err
	}
	if err := s.checkFacility(r, account.WriteIssues, in.FacilityID); err != nil {
		return nil, false, err
	}
	if in.OpenedOn == "" {
		if f, err := s.Store.FindOrgUnitByID(ctx(r), in.FacilityID); err == nil {
			in.OpenedOn = readiness.Today(s.now(), f.TimeZone)
		}
	}
	i := &readiness.Issue{ID: in.ID, FacilityID: in.FacilityID, VisitID: in.VisitID, Category: in.Category, Description: in.Description,
		Owner: in.Owner, DueOn: in.DueOn, Status: in.Status, OpenedOn: in.OpenedOn}
	created, err := s.Store.PutIssue(ctx(r), i, in.Version)
	return i, created, err
}

func (s *Server) postIssue(w http.ResponseWriter, r *http.Request) { s.writeIssue(w, r, false) }
func (s *Server) putIssue(w http.ResponseWriter, r *http.Request)  { s.writeIssue(w, r, true) }

func (s *Server) writeIssue(w http.ResponseWriter, r *http.Request, byPath bool) {
	var in issueInput
	err := s.decode(w, r, &in)
	if err == nil && byPath {
		err = idFromPath(r, &in.ID)
	}
	var i *readiness.Issue
	var created bool
	if err == nil {
		i, created, err = s.SaveIssue(r, in)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, createdStatus(created), i)
}

// readIssue loads the {id} issue if the caller may use it with permission p.
func (s *Server) readIssue(r *http.Request, p account.Permission) (*readiness.Issue, error) {
	c := caller(r)
	if err := auth.Check(c, p, ""); err != nil {
		return nil, err
	}
	i, err := s.Store.FindIssueByID(ctx(r), strings.ToLower(r.PathValue("id")))
	if err == nil {
		err = auth.Check(c, p, i.FacilityPath)
	}
	return i, err
}

func (s *Server) getIssue(w http.ResponseWriter, r *http.Request) {
	i, err := s.readIssue(r, account.ReadIssues)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, i)
}

// listIssues lists issues in the caller's area, oldest first; ?status=escalated is
// the district supervisor's list, ?status=unresolved everything not resolved.
func (s *Server) listIssues(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadIssues, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	f := readiness.IssueFilter{Under: c.Scope.Under(), Status: q.Get("status"), Category: q.Get("category"), VisitID: strings.ToLower(q.Get("visit_id"))}
	var errs []mesh.FieldError
	if f.Status != "" && f.Status != "unresolved" && !slices.Contains(readiness.IssueStatuses, f.Status) {
		errs = append(errs, mesh.FieldError{Code: "UNKNOWN_ENUM_VALUE", Field: "status", Message: "status must be unresolved or one of " + strings.Join(readiness.IssueStatuses, ", ")})
	}
	if f.Category != "" && !slices.Contains(readiness.Categories, f.Category) {
		errs = append(errs, mesh.FieldError{Code: "UNKNOWN_ENUM_VALUE", Field: "category", Message: "category must be one of " + strings.Join(readiness.Categories, ", ")})
	}
	if len(errs) > 0 {
		s.fail(w, r, mesh.Invalid(errs...))
		return
	}
	var err error
	if f.FacilityID, err = queryInt(r, "facility_id"); err == nil {
		f.Limit, f.Offset, err = paging(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, total, err := s.Store.FindIssues(ctx(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, list, total)
}

// issueStats answers open counts and median days open for the caller's area (or
// ?orgunit=).
func (s *Server) issueStats(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.ReadIssues, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	under, err := s.underPlace(r, account.ReadIssues)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	st, err := s.Store.IssueStats(ctx(r), under)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// postIssueComment adds a comment; a client may send its own UUID so a retry is
// harmless, else the server makes one.
func (s *Server) postIssueComment(w http.ResponseWriter, r *http.Request) {
	i, err := s.readIssue(r, account.WriteIssues)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in struct {
		ID   string `json:"id"`
		Text string `json:"text"`
	}
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	in.ID, in.Text = strings.ToLower(strings.TrimSpace(in.ID)), strings.TrimSpace(in.Text)
	var errs []mesh.FieldError
	if in.ID == "" {
		in.ID = newUUID()
	} else if !readiness.ValidUUID(in.ID) {
		errs = append(errs, mesh.FieldError{Code: "INVALID_FORMAT", Field: "id", Message: "id must be a UUID made by the client"})
	}
	if in.Text == "" || len(in.Text) > 10000 {
		errs = append(errs, mesh.FieldError{Code: "MISSING_REQUIRED", Field: "text", Message: "text is required (at most 10000 characters)"})
	}
	if len(errs) > 0 {
		s.fail(w, r, mesh.Invalid(errs...))
		return
	}
	before := len(i.Comments)
	i, err = s.Store.AddIssueComment(ctx(r), &readiness.Comment{ID: in.ID, IssueID: i.ID, Text: in.Text})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, createdStatus(len(i.Comments) > before), i)
}

// newUUID makes a random (version 4) UUID for records the server creates.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
