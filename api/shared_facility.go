package api

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/qi"
	"mesh/readiness"
)

// Exported doors into the facility-systems API for the web pages, so a form saves a
// readiness check, stock event, issue, QI project or PDSA cycle through the same access
// checks and store path as the JSON API (as VisitInput does for visits).

// CheckInput is a readiness check as a client sends it.
type CheckInput = checkInput

// StockInput is a stock-out event as a client sends it.
type StockInput = stockInput

// IssueInput is a system issue as a client sends it.
type IssueInput = issueInput

// ProjectInput is a QI project as a client sends it.
type ProjectInput = projectInput

// CycleInput is a PDSA cycle as a client sends it.
type CycleInput = cycleInput

// CurrentChecklist is the deployment's readiness checklist, so a form asks exactly
// what SaveCheck validates against.
func (s *Server) CurrentChecklist() readiness.Checklist { return s.checklist() }

// SaveProject checks access and stores a QI project: the checks of POST/PUT
// /api/v1/qi/projects (writeProject) without the JSON decoding.
func (s *Server) SaveProject(r *http.Request, in ProjectInput) (*qi.Project, bool, error) {
	c := caller(r)
	if err := auth.Check(c, account.WriteQI, ""); err != nil {
		return nil, false, err
	}
	old, err := s.Store.FindProjectByID(ctx(r), strings.ToLower(in.ID))
	var path string
	if err == nil {
		path = old.FacilityPath
	}
	if err := guardExisting(c, account.WriteQI, path, err); err != nil {
		return nil, false, err
	}
	if err := s.checkFacility(r, account.WriteQI, in.FacilityID); err != nil {
		return nil, false, err
	}
	p := &qi.Project{ID: in.ID, FacilityID: in.FacilityID, Title: in.Title, Team: in.Team, Problem: in.Problem, Aim: in.Aim,
		ChangeIdeas: in.ChangeIdeas, Status: in.Status, StartedOn: in.StartedOn, EndedOn: in.EndedOn, BaselinePoints: in.BaselinePoints}
	created, err := s.Store.PutProject(ctx(r), p, in.Version)
	return p, created, err
}

// SaveCycle stores a PDSA cycle of the {id} project, with the project checks of
// POST /api/v1/qi/projects/{id}/cycles.
func (s *Server) SaveCycle(r *http.Request, in CycleInput) (*qi.PDSACycle, bool, error) {
	p, err := s.readProject(r, account.WriteQI)
	if err != nil {
		return nil, false, err
	}
	c := &qi.PDSACycle{ID: in.ID, ProjectID: p.ID, ChangeIdeaID: in.ChangeIdeaID, Plan: in.Plan, Do: in.Do, Study: in.Study, Act: in.Act,
		StartedOn: in.StartedOn, EndedOn: in.EndedOn, Result: in.Result}
	created, err := s.Store.PutCycle(ctx(r), c, in.Version)
	return c, created, err
}

// ProjectRunChart is the run chart of the {id} project (GET …/runchart), so a page
// can draw the very SVG the API serves.
func (s *Server) ProjectRunChart(r *http.Request) (*qi.RunChart, error) { return s.projectRunChart(r) }

// AddIssueComment adds a comment to the {id} issue with the checks of POST
// /api/v1/issues/{id}/comments; id may be empty (the server makes one).
func (s *Server) AddIssueComment(r *http.Request, id, text string) (*readiness.Issue, error) {
	i, err := s.readIssue(r, account.WriteIssues)
	if err != nil {
		return nil, err
	}
	id, text = strings.ToLower(strings.TrimSpace(id)), strings.TrimSpace(text)
	if id == "" {
		id = newUUID()
	}
	if !readiness.ValidUUID(id) {
		return nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "id", Message: "id must be a UUID made by the client"})
	}
	if text == "" || len(text) > 10000 {
		return nil, mesh.Invalid(mesh.FieldError{Code: "MISSING_REQUIRED", Field: "text", Message: "text is required (at most 10000 characters)"})
	}
	return s.Store.AddIssueComment(ctx(r), &readiness.Comment{ID: id, IssueID: i.ID, Text: text})
}

// CurrentStockouts is the supervisors' alert list of GET /api/v1/stockouts/current.
func (s *Server) CurrentStockouts(r *http.Request) ([]*readiness.CurrentStockout, error) {
	var out []*readiness.CurrentStockout
	return out, s.answer(r, s.currentStockouts, &out)
}

// ChangePackage is the list of GET /api/v1/qi/change-package.
func (s *Server) ChangePackage(r *http.Request) ([]qi.AdoptedIdea, error) {
	var out []qi.AdoptedIdea
	return out, s.answer(r, s.changePackage, &out)
}

// answer runs a read-only API handler on r and decodes its JSON, so a page shows the
// list the API computes rather than a second copy of the computation; an error answer
// comes back as the error it was made from.
func (s *Server) answer(r *http.Request, h http.HandlerFunc, into any) error {
	rec := httptest.NewRecorder()
	h(rec, r)
	if rec.Code == http.StatusOK {
		return json.Unmarshal(rec.Body.Bytes(), into)
	}
	var body ErrorBody
	_ = json.Unmarshal(rec.Body.Bytes(), &body)
	msg := http.StatusText(rec.Code)
	if len(body.Errors) > 0 {
		msg = body.Errors[0].Message
	}
	code := map[int]string{http.StatusForbidden: mesh.EFORBIDDEN, http.StatusUnauthorized: mesh.EUNAUTHORIZED,
		http.StatusNotFound: mesh.ENOTFOUND, http.StatusBadRequest: mesh.EINVALID}[rec.Code]
	if code == "" {
		code = mesh.EINTERNAL
	}
	return mesh.Errorf(code, "%s", msg)
}
