package api

import (
	"context"
	"net/http"
	"sort"
	"strings"
	"time"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/indicator"
	"mesh/place"
	"mesh/qi"
)

// projectInput is a QI project as a client sends it; id is the client's UUID.
type projectInput struct {
	ID             string          `json:"id"`
	FacilityID     int64           `json:"facility_id"`
	Title          string          `json:"title"`
	Team           []string        `json:"team"`
	Problem        string          `json:"problem"`
	Aim            qi.Aim          `json:"aim"`
	ChangeIdeas    []qi.ChangeIdea `json:"change_ideas"`
	Status         string          `json:"status"`
	StartedOn      mesh.Date       `json:"started_on"`
	EndedOn        mesh.Date       `json:"ended_on"`
	BaselinePoints int             `json:"baseline_points"`
	Version        *int            `json:"version"`
}

func (s *Server) postProject(w http.ResponseWriter, r *http.Request) { s.writeProject(w, r, false) }
func (s *Server) putProject(w http.ResponseWriter, r *http.Request)  { s.writeProject(w, r, true) }

func (s *Server) writeProject(w http.ResponseWriter, r *http.Request, byPath bool) {
	c := caller(r)
	if err := auth.Check(c, account.WriteQI, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	var in projectInput
	err := s.decode(w, r, &in)
	if err == nil && byPath {
		err = idFromPath(r, &in.ID)
	}
	if err == nil {
		old, ferr := s.Store.FindProjectByID(ctx(r), strings.ToLower(in.ID))
		var path string
		if ferr == nil {
			path = old.FacilityPath
		}
		err = guardExisting(c, account.WriteQI, path, ferr)
	}
	if err == nil {
		err = s.checkFacility(r, account.WriteQI, in.FacilityID)
	}
	p := &qi.Project{ID: in.ID, FacilityID: in.FacilityID, Title: in.Title, Team: in.Team, Problem: in.Problem, Aim: in.Aim,
		ChangeIdeas: in.ChangeIdeas, Status: in.Status, StartedOn: in.StartedOn, EndedOn: in.EndedOn, BaselinePoints: in.BaselinePoints}
	var created bool
	if err == nil {
		created, err = s.Store.PutProject(ctx(r), p, in.Version)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, createdStatus(created), p)
}

// readProject loads the {id} project if the caller may use it with permission p.
func (s *Server) readProject(r *http.Request, p account.Permission) (*qi.Project, error) {
	c := caller(r)
	if err := auth.Check(c, p, ""); err != nil {
		return nil, err
	}
	pr, err := s.Store.FindProjectByID(ctx(r), strings.ToLower(r.PathValue("id")))
	if err == nil {
		err = auth.Check(c, p, pr.FacilityPath)
	}
	return pr, err
}

func (s *Server) getProject(w http.ResponseWriter, r *http.Request) {
	p, err := s.readProject(r, account.ReadQI)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, p)
}

func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadQI, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	f := qi.Filter{Under: c.Scope.Under(), Status: r.URL.Query().Get("status")}
	var err error
	if f.FacilityID, err = queryInt(r, "facility_id"); err == nil {
		f.Limit, f.Offset, err = paging(r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	list, total, err := s.Store.FindProjects(ctx(r), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeList(w, list, total)
}

// cycleInput is a PDSA cycle; posting it again with the same id and the current
// version changes it (typically to record the study, act, end date and result).
type cycleInput struct {
	ID           string    `json:"id"`
	ChangeIdeaID string    `json:"change_idea_id"`
	Plan         string    `json:"plan"`
	Do           string    `json:"do"`
	Study        string    `json:"study"`
	Act          string    `json:"act"`
	StartedOn    mesh.Date `json:"started_on"`
	EndedOn      mesh.Date `json:"ended_on"`
	Result       string    `json:"result"`
	Version      *int      `json:"version"`
}

func (s *Server) postCycle(w http.ResponseWriter, r *http.Request) {
	p, err := s.readProject(r, account.WriteQI)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	var in cycleInput
	if err := s.decode(w, r, &in); err != nil {
		s.fail(w, r, err)
		return
	}
	c := &qi.PDSACycle{ID: in.ID, ProjectID: p.ID, ChangeIdeaID: in.ChangeIdeaID, Plan: in.Plan, Do: in.Do, Study: in.Study, Act: in.Act,
		StartedOn: in.StartedOn, EndedOn: in.EndedOn, Result: in.Result}
	created, err := s.Store.PutCycle(ctx(r), c, in.Version)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, createdStatus(created), c)
}

// aimCounts reads the aim indicator's monthly counts at a place, from counts kept on
// write or computed on read.
func (s *Server) aimCounts(r *http.Request, ind *indicator.Indicator, under []string, from, to string) ([]indicator.MonthCount, error) {
	if indicator.ComputedOnRead(ind) {
		return s.Store.ComputedCounts(ctx(r), ind.ID, under, from, to, s.now())
	}
	return s.Store.IndicatorCounts(ctx(r), ind.ID, under, from, to)
}

// projectRunChart builds the run chart of a project's aim indicator at its facility,
// from ?from= (default: a year before the project started) to ?to= (default: this
// month). Months with no denominator are left out of a proportion's or mean's chart
// (no value, not a zero); a count's chart shows every month.
func (s *Server) projectRunChart(r *http.Request) (*qi.RunChart, error) {
	p, err := s.readProject(r, account.ReadQI)
	if err != nil {
		return nil, err
	}
	ind, ok := indicator.Find(p.Aim.IndicatorID)
	if !ok {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "the project's indicator %s no longer exists", p.Aim.IndicatorID)
	}
	q := r.URL.Query()
	from, to := q.Get("from"), q.Get("to")
	if from == "" {
		from = p.StartedOn.Time().AddDate(-1, 0, 0).Format("2006-01")
	}
	if to == "" {
		to = s.now().Format("2006-01")
	}
	if !monthRE.MatchString(from) || !monthRE.MatchString(to) || from > to {
		return nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_FORMAT", Field: "from", Message: "from and to must be months in YYYY-MM form, from not after to"})
	}
	counts, err := s.aimCounts(r, ind, []string{p.FacilityPath}, from, to)
	if err != nil {
		return nil, err
	}
	var points []qi.Point
	for _, v := range monthlyValues(ind, counts, from, to) {
		if v.Value == nil {
			continue
		}
		points = append(points, qi.Point{Month: v.Period, Value: *v.Value, Numerator: v.Numerator, Denominator: v.Denominator})
	}
	return qi.BuildRunChart(p, ind.Kind, points)
}

func (s *Server) runChart(w http.ResponseWriter, r *http.Request) {
	rc, err := s.projectRunChart(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, rc)
}

func (s *Server) runChartSVG(w http.ResponseWriter, r *http.Request) {
	rc, err := s.projectRunChart(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(rc.SVG()))
}

// pChartSVG serves the project's p-chart (proportion aim indicators only; 404 else).
func (s *Server) pChartSVG(w http.ResponseWriter, r *http.Request) {
	rc, err := s.projectRunChart(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	svg, err := rc.PChartSVG()
	if err == nil && svg == "" {
		err = mesh.Errorf(mesh.ENOTFOUND, "a p-chart needs a proportion aim indicator with data")
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Write([]byte(svg))
}

// changePackage lists the change ideas adopted across the facilities of the caller's
// area (or ?orgunit=), each with its aim indicator over the three months before it was
// first tested and the three months from its adoption: the programme's change package.
func (s *Server) changePackage(w http.ResponseWriter, r *http.Request) {
	if err := auth.Check(caller(r), account.ReadQI, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	under, err := s.underPlace(r, account.ReadQI)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	projects, _, err := s.Store.FindProjects(ctx(r), qi.Filter{Under: under, Limit: 1000})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	places := map[int64]*place.OrgUnit{}
	out := []qi.AdoptedIdea{}
	for _, p := range projects {
		for _, a := range qi.AdoptedIdeas(p) {
			f, ok := places[p.FacilityID]
			if !ok {
				if f, err = s.Store.FindOrgUnitByID(ctx(r), p.FacilityID); err != nil {
					s.fail(w, r, err)
					return
				}
				places[p.FacilityID] = f
			}
			a.FacilityName = f.Name
			if ind, ok := indicator.Find(a.IndicatorID); ok {
				first := monthOf(a.FirstTested)
				a.Before, err = s.periodValue(r, ind, f.Path, first.AddDate(0, -3, 0), first.AddDate(0, -1, 0))
				if err == nil {
					adopted := monthOf(a.AdoptedOn)
					a.After, err = s.periodValue(r, ind, f.Path, adopted, adopted.AddDate(0, 2, 0))
				}
				if err != nil {
					s.fail(w, r, err)
					return
				}
				if a.Before != nil && a.After != nil {
					d := *a.After - *a.Before
					a.Change = &d
				}
			}
			out = append(out, a)
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if x, y := strings.ToLower(out[i].Idea), strings.ToLower(out[j].Idea); x != y {
			return x < y
		}
		return out[i].FacilityName < out[j].FacilityName
	})
	writeList(w, out, len(out))
}

func monthOf(d string) time.Time {
	t, _ := time.Parse("2006-01", d[:min(7, len(d))])
	return t
}

// periodValue is an indicator's value over months from..to at a place: numerators and
// denominators summed, never an average of monthly values.
func (s *Server) periodValue(r *http.Request, ind *indicator.Indicator, path string, from, to time.Time) (*float64, error) {
	counts, err := s.aimCounts(r, ind, []string{path}, from.Format("2006-01"), to.Format("2006-01"))
	if err != nil {
		return nil, err
	}
	var num, den float64
	for _, c := range counts {
		num, den = num+c.Num, den+c.Den
	}
	if ind.Kind == indicator.Count {
		return ind.Compute("", num, den).Value, nil
	}
	if den == 0 {
		return nil, nil
	}
	return ind.Compute("", num, den).Value, nil
}

// ComputedStore answers the indicators computed on read (indicator.ComputedOnRead).
type ComputedStore interface {
	ComputedCounts(ctx context.Context, id string, under []string, from, to string, now time.Time) ([]indicator.MonthCount, error)
}
