package web

import (
	"fmt"
	"math"
	"net/http"
	"slices"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/observation"
	"mesh/staff"
)

// The private part of a health worker's page (observation.md §4–§5): observations
// over time, competency per domain with a small trend line, learning goals and the
// last coaching notes. Only roles holding ReadObservations at the worker's facility
// (their mentors and the in-charge) get it; supervisors and managers see aggregates
// elsewhere, never a named nurse's scores.

// WorkerProfile is the private part of WorkerPage; nil when the caller may not see it.
type WorkerProfile struct {
	Observations []WorkerObservation
	Total        int
	Domains      []DomainView
	Goals        []*observation.Goal
	Notes        []CoachingNote
	CanWrite     bool // may add and close learning goals
	GoalForm     Form
	GoalText     string
}

// WorkerObservation is one row of the observation history.
type WorkerObservation struct {
	Record                      *observation.Record
	ClassOK, TreatOK, ManagedOK bool
}

// DomainView is one competency domain as shown.
type DomainView struct {
	Key, Label string
	Share      int // percent correct over the last observations
	Window     int
	Trend      string // in words
	Competent  bool
	Streak     int
	Chart      TrendChart
}

// TrendChart is what the "trend" partial draws: the rolling share correct after
// each observation, as a polyline in a small fixed box.
type TrendChart struct {
	ID, Title     string
	Width, Height int
	Points        string
	Last          *ChartPoint
}

// ChartPoint is a point of a chart, in the chart's own units.
type ChartPoint struct{ X, Y string }

// CoachingNote is a past observation's coaching notes.
type CoachingNote struct {
	Record *observation.Record
	Text   string
}

// profileRows caps the history table (the competency uses every observation).
const profileRows = 20

var domains = []string{observation.DomainAssessment, observation.DomainClassification, observation.DomainTreatment,
	observation.DomainCounselling}

// workerProfile loads the private part of a worker's page, or nil when the caller
// may not see named results at the worker's facility.
func (s *Server) workerProfile(r *http.Request, lang string, h *staff.HealthWorker) (*WorkerProfile, error) {
	c := caller(r)
	if auth.Check(c, account.ReadObservations, h.FacilityPath) != nil {
		return nil, nil
	}
	list, total, err := s.Store.FindObservations(r.Context(), observation.Filter{HealthWorkerID: &h.ID, Under: c.Scope.Under()})
	if err != nil {
		return nil, err
	}
	p := &WorkerProfile{Total: total, CanWrite: auth.Check(c, account.WriteObservations, h.FacilityPath) == nil}
	history := make([]observation.ScoredObservation, len(list))
	for i, rec := range list {
		history[i] = observation.ScoredObservation{ObservedAt: rec.ObservedAt, Score: rec.Score}
	}
	comp := observation.Competency(history, observation.DefaultWindow, observation.DefaultStreak)
	for _, d := range domains {
		dc := comp[d]
		v := DomainView{Key: d, Label: tr(lang, "profile.domain."+d), Share: int(math.Round(dc.Share * 100)),
			Window: min(observation.DefaultWindow, len(list)), Competent: dc.Competent, Streak: dc.Streak}
		switch {
		case len(list) == 0:
			v.Trend = tr(lang, "profile.trend.none")
		case dc.Trend > 0.001:
			v.Trend = tr(lang, "profile.trend.up", int(math.Round(dc.Trend*100)))
		case dc.Trend < -0.001:
			v.Trend = tr(lang, "profile.trend.down", int(math.Round(-dc.Trend*100)))
		default:
			v.Trend = tr(lang, "profile.trend.flat")
		}
		v.Chart = trendChart("trend-"+d, tr(lang, "profile.chart_title", v.Label, v.Share), rollingShares(history, d))
		p.Domains = append(p.Domains, v)
	}
	// Latest first for reading; the store lists oldest first.
	for i := len(list) - 1; i >= 0; i-- {
		rec := list[i]
		if len(p.Observations) < profileRows {
			p.Observations = append(p.Observations, WorkerObservation{Record: rec, ClassOK: rec.Score.ClassificationCorrect,
				TreatOK: rec.Score.TreatmentCorrect, ManagedOK: rec.Score.CorrectlyManaged})
		}
		if n := strings.TrimSpace(rec.Notes); n != "" && len(p.Notes) < 3 {
			p.Notes = append(p.Notes, CoachingNote{Record: rec, Text: n})
		}
	}
	p.Goals, err = s.Store.FindGoals(r.Context(), h.ID)
	return p, err
}

// domainOK says whether a score is correct in a domain, as observation.Competency
// counts it.
func domainOK(d string, s observation.Score) bool {
	switch d {
	case observation.DomainAssessment:
		return s.AssessmentIndex >= 1
	case observation.DomainClassification:
		return s.ClassificationCorrect
	case observation.DomainTreatment:
		return s.TreatmentCorrect
	}
	return s.CounsellingComplete
}

// rollingShares is the share correct over the last DefaultWindow observations after
// each one, oldest first: the line the trend chart draws.
func rollingShares(history []observation.ScoredObservation, d string) []float64 {
	h := slices.Clone(history)
	slices.SortStableFunc(h, func(a, b observation.ScoredObservation) int { return a.ObservedAt.Compare(b.ObservedAt) })
	out := make([]float64, len(h))
	for i := range h {
		from := max(0, i+1-observation.DefaultWindow)
		k := 0
		for _, o := range h[from : i+1] {
			if domainOK(d, o.Score) {
				k++
			}
		}
		out[i] = float64(k) / float64(i+1-from)
	}
	return out
}

// trendChart scales shares (0–1) into a 120×32 box: drawn by the server as plain SVG
// with presentation attributes, so it needs no script and no inline style.
func trendChart(id, title string, shares []float64) TrendChart {
	const w, h, pad = 120, 32, 2
	c := TrendChart{ID: id, Title: title, Width: w, Height: h}
	if len(shares) == 0 {
		return c
	}
	var pts []string
	for i, sh := range shares {
		x := float64(w) / 2
		if len(shares) > 1 {
			x = float64(i) * float64(w) / float64(len(shares)-1)
		}
		y := pad + (1-sh)*(h-2*pad)
		pts = append(pts, fmt.Sprintf("%.1f,%.1f", x, y))
		if i == len(shares)-1 {
			c.Last = &ChartPoint{X: fmt.Sprintf("%.1f", x), Y: fmt.Sprintf("%.1f", y)}
		}
	}
	if len(pts) > 1 {
		c.Points = strings.Join(pts, " ")
	}
	return c
}

// addGoal records a learning goal agreed with the worker.
func (s *Server) addGoal(w http.ResponseWriter, r *http.Request) {
	h, err := s.loadWorker(r, account.WriteObservations)
	if err == nil {
		err = parseForm(w, r)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	g := &observation.Goal{ID: newUUID(), HealthWorkerID: h.ID, Goal: formValue(r, "goal"), Status: "open"}
	if _, err := s.Store.PutGoal(r.Context(), g); err != nil {
		if mesh.ErrorCode(err) != mesh.EINVALID {
			s.fail(w, r, err)
			return
		}
		f, status, _ := formError(language(w, r), err, fieldSet("goal"))
		s.renderWorker(w, r, h, status, func(p *WorkerProfile) { p.GoalForm, p.GoalText = f, g.Goal })
		return
	}
	redirect(w, r, "/workers/"+itoa(h.ID)+"?notice=saved#goals")
}

// updateGoal marks a goal achieved or dropped (or open again).
func (s *Server) updateGoal(w http.ResponseWriter, r *http.Request) {
	h, err := s.loadWorker(r, account.WriteObservations)
	if err == nil {
		err = parseForm(w, r)
	}
	var goals []*observation.Goal
	if err == nil {
		goals, err = s.Store.FindGoals(r.Context(), h.ID)
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	// The goal must be this worker's: the worker's scope was checked, not the goal's.
	i := slices.IndexFunc(goals, func(g *observation.Goal) bool { return g.ID == r.PathValue("goal") })
	if i < 0 {
		s.fail(w, r, mesh.Errorf(mesh.ENOTFOUND, "no such goal"))
		return
	}
	g := goals[i]
	g.Status = formValue(r, "status")
	if _, err := s.Store.PutGoal(r.Context(), g); err != nil {
		s.fail(w, r, err)
		return
	}
	redirect(w, r, "/workers/"+itoa(h.ID)+"?notice=saved#goals")
}
