package web

import (
	"context"
	"net/http"
	"sort"
	"time"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/place"
	"mesh/qi"
	"mesh/readiness"
	"mesh/visit"
)

// The reports read what else the store offers when it offers it: visit cadence, the
// stock-out log, system issues and QI projects. A store (or a caller's role) without
// one simply leaves that section out, so a report never fails for a missing extra.
type (
	cadenceReader interface {
		FindCadence(ctx context.Context, under []string, today mesh.Date) ([]*visit.Cadence, error)
	}
	stockoutReader interface {
		FindCurrentStockouts(ctx context.Context, under []string, commodities []string, now time.Time) ([]*readiness.CurrentStockout, error)
	}
	issueReader interface {
		FindIssues(ctx context.Context, f readiness.IssueFilter) ([]*readiness.Issue, int, error)
	}
	projectReader interface {
		FindProjects(ctx context.Context, f qi.Filter) ([]*qi.Project, int, error)
	}
)

// ReportPage is a printable report: the monthly facility report or the quarterly
// district review pack. Print CSS (report.css) drops the navigation and keeps tables
// whole on a page.
type ReportPage struct {
	Page
	Kind        string // "facility" or "district"
	Place       *place.OrgUnit
	District    string
	Period      Period
	PeriodLabel string
	Generated   string
	Lines       []IndicatorLine
	Months      []string
	Facilities  []HeatRow // district pack: the heat map of its facilities
	Columns     []HeatColumn
	Cadence     []*visit.Cadence
	HasCadence  bool
	Stockouts   []StockoutLine
	HasStock    bool
	Issues      []*readiness.Issue
	HasIssues   bool
	Projects    []ProjectLine
	HasQI       bool
}

// StockoutLine is one current stock-out with its item named in the page language.
type StockoutLine struct {
	Facility, Item string
	StartedOn      mesh.Date
	DaysOut        int
}

// ProjectLine is one QI project with its cycle count.
type ProjectLine struct {
	Project *qi.Project
	Cycles  int
}

// facilityReport is the monthly facility report: ?month=YYYY-MM (default: this month).
func (s *Server) facilityReport(w http.ResponseWriter, r *http.Request) {
	month := r.URL.Query().Get("month")
	per, ok := parsePeriod(month)
	if !ok || per.Kind != "month" {
		per = currentPeriod(nowIn(), "month")
	}
	s.report(w, r, "facility", place.Facility, per)
}

// districtReport is the quarterly district review pack: ?period=YYYYQn (default: the
// current quarter); a month or a year is accepted too.
func (s *Server) districtReport(w http.ResponseWriter, r *http.Request) {
	s.report(w, r, "district", place.District, periodFor(r, "quarter"))
}

func (s *Server) report(w http.ResponseWriter, r *http.Request, kind string, typ place.Type, per Period) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &ReportPage{Page: s.page(w, r, "report."+kind+"_title"), Kind: kind, Period: per}
	area, err := s.areaFor(r, p.Lang, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if area.OrgUnit.Type != typ {
		s.fail(w, r, mesh.Errorf(mesh.ENOTFOUND, "no %s %d", typ, id))
		return
	}
	p.Place, p.PeriodLabel = area.OrgUnit, per.Label(p.Lang)
	p.Generated = formatDate(p.Lang, today())
	p.Months = monthsBack(per.To, 12)
	if p.Lines, err = s.indicatorLines(r, p.Lang, area.Under, per, orgunitQuery(area)); err != nil {
		s.fail(w, r, err)
		return
	}
	if kind == "district" {
		hp := &HeatmapPage{Page: p.Page, Area: area, Period: per}
		if err := s.fillHeatmap(r, hp); err != nil {
			s.fail(w, r, err)
			return
		}
		p.Facilities, p.Columns = hp.Rows, hp.Columns
	}
	if err := s.reportExtras(r, p, area); err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "report", p)
}

// reportExtras fills the sections the store and the caller's role allow.
func (s *Server) reportExtras(r *http.Request, p *ReportPage, area Area) error {
	c, ctx, path := caller(r), r.Context(), area.OrgUnit.Path
	allowed := func(perm account.Permission) bool { return auth.Check(c, perm, path) == nil }
	if cr, ok := s.Store.(cadenceReader); ok && allowed(account.ReadVisits) {
		list, err := cr.FindCadence(ctx, area.Under, today())
		if err != nil {
			return err
		}
		p.Cadence, p.HasCadence = list, true
	}
	if sr, ok := s.Store.(stockoutReader); ok && allowed(account.ReadReadiness) {
		list, err := sr.FindCurrentStockouts(ctx, area.Under, nil, now())
		if err != nil {
			return err
		}
		names := map[string]map[string]string{}
		for _, it := range readiness.DefaultChecklist().Items {
			names[it.Code] = it.Names
		}
		for _, so := range list {
			item := so.CommodityName
			if n := names[so.Commodity][p.Lang]; n != "" {
				item = n
			}
			p.Stockouts = append(p.Stockouts, StockoutLine{Facility: so.FacilityName, Item: item, StartedOn: so.StartedOn, DaysOut: so.DaysOut})
		}
		p.HasStock = true
	}
	if ir, ok := s.Store.(issueReader); ok && allowed(account.ReadIssues) {
		list, _, err := ir.FindIssues(ctx, readiness.IssueFilter{Under: area.Under, Limit: 200})
		if err != nil {
			return err
		}
		for _, i := range list {
			if i.Status != "resolved" {
				p.Issues = append(p.Issues, i)
			}
		}
		sort.SliceStable(p.Issues, func(a, b int) bool { return p.Issues[a].OpenedOn < p.Issues[b].OpenedOn })
		p.HasIssues = true
	}
	if qr, ok := s.Store.(projectReader); ok && allowed(account.ReadQI) {
		list, _, err := qr.FindProjects(ctx, qi.Filter{Under: area.Under, Limit: 200})
		if err != nil {
			return err
		}
		for _, pr := range list {
			if pr.ActiveIn(p.Period.To) || pr.ActiveIn(p.Period.From) {
				p.Projects = append(p.Projects, ProjectLine{Project: pr, Cycles: len(pr.Cycles)})
			}
		}
		p.HasQI = true
	}
	return nil
}
