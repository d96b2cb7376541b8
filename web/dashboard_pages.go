package web

import (
	"html/template"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"

	"mesh/account"
	"mesh/i18n"
	"mesh/indicator"
	"mesh/place"
)

// DashboardPage is the overview of the caller's area (or a chosen place) for a
// period: every dashboard indicator with its goal colour, interval and denominator,
// a 12-month trend, and links to the heat maps of the districts in the area.
type DashboardPage struct {
	Page
	Area          Area
	Period        Period
	PeriodLabel   string
	PeriodOptions []Option
	Lines         []IndicatorLine
	Districts     []*place.OrgUnit // heat maps to open
	Query         string           // orgunit and period, for links and CSV
	// Place is set on a place's own page (/dashboard/places/{id}), which adds the
	// months its trends cover and links to its reports.
	Place  *place.OrgUnit
	Months []string
	// Mentors are the mentors assigned in the area, each linking to their page; a
	// mentor sees only their own.
	Mentors []MentorLink
}

// IndicatorLine is one indicator on the overview or a place page.
type IndicatorLine struct {
	Cell
	Name  string
	Goal  string
	Spark template.HTML
	Num   string
	Den   string
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	p := &DashboardPage{Page: s.page(w, r, "dash.title")}
	area, err := s.areaFor(r, p.Lang, queryInt(r, "orgunit"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Area, p.Period = area, periodFor(r, "quarter")
	p.PeriodLabel, p.PeriodOptions = p.Period.Label(p.Lang), periodOptions(p.Lang, nowIn())
	p.Query = dashQuery(area, p.Period)
	p.Lines, err = s.indicatorLines(r, p.Lang, area.Under, p.Period, orgunitQuery(area))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	district := place.District
	p.Districts, _, err = s.Store.FindOrgUnits(r.Context(), place.Filter{Type: &district, Under: area.Under})
	if err != nil {
		s.fail(w, r, err)
		return
	}
	if area.OrgUnit != nil && area.OrgUnit.Type == place.District {
		p.Districts = []*place.OrgUnit{area.OrgUnit}
	}
	if p.Mentors, err = s.mentorLinks(r, area); err != nil {
		s.fail(w, r, err)
		return
	}
	if format := tableFormat(r); format != "" {
		writeLinesTable(w, format, p.Lang, "dashboard-"+p.Period.ID, area.Name, p.Period, p.Lines)
		return
	}
	s.render(w, r, http.StatusOK, "dashboard", p)
}

// mentorLinks are the mentor pages the dashboard of an area links to: the caller's own
// for a mentor, every mentor assigned in the area for the others.
func (s *Server) mentorLinks(r *http.Request, area Area) ([]MentorLink, error) {
	c := caller(r)
	if c.User.Role == account.Mentor {
		return []MentorLink{{ID: c.User.ID, Name: mentorName(c.User)}}, nil
	}
	return s.mentorsIn(r, area.Under)
}

// indicatorLines computes the dashboard indicators over the places under the paths for
// the period, with each one's trend over the 12 months ending with the period. Each
// number and each trend point links to its records; q is the area's orgunit query
// ("orgunit=ID", or "" for the caller's whole area).
func (s *Server) indicatorLines(r *http.Request, lang string, under []string, per Period, q string) ([]IndicatorLine, error) {
	ds, err := s.dashboardStore()
	if err != nil {
		return nil, err
	}
	totals, err := ds.IndicatorTotals(r.Context(), under, per.From, per.To)
	if err != nil {
		return nil, err
	}
	months := monthsBack(per.To, 12)
	monthly, err := ds.MonthlyCounts(r.Context(), under, months[0], months[len(months)-1])
	if err != nil {
		return nil, err
	}
	by := map[string]indicator.Contribution{}
	for _, t := range totals {
		by[t.ID] = t
	}
	var out []IndicatorLine
	for _, ind := range catalogueOf(dashboardIndicators) {
		t := by[ind.ID]
		c := newCell(lang, ind, per.ID, t.Num, t.Den)
		var monthHref func(string) string
		if hasRecords(ind) {
			c.Href = recordsHref(ind.ID, joinQuery(q, "period="+per.ID))
			monthHref = func(m string) string { return recordsHref(ind.ID, joinQuery(q, "period="+m)) }
		}
		out = append(out, IndicatorLine{Cell: c, Name: indicatorName(lang, ind), Goal: goalText(lang, ind),
			Spark: sparkline(lang, ind, series(ind, monthly[ind.ID], months), monthHref),
			Num:   i18n.FormatNumber(lang, t.Num, decimals(ind)), Den: i18n.FormatNumber(lang, t.Den, 0)})
	}
	return out, nil
}

// decimals of a numerator: a mean's numerator is a sum of fractional indices.
func decimals(ind *indicator.Indicator) int {
	if ind.Kind == indicator.Mean {
		return 2
	}
	return 0
}

// orgunitQuery is "orgunit=ID" for an area that is one place, else "".
func orgunitQuery(a Area) string {
	if a.OrgUnit == nil {
		return ""
	}
	return "orgunit=" + strconv.FormatInt(a.OrgUnit.ID, 10)
}

// joinQuery joins query strings, skipping empty ones.
func joinQuery(qs ...string) string {
	var out []string
	for _, q := range qs {
		if q != "" {
			out = append(out, q)
		}
	}
	return strings.Join(out, "&")
}

func dashQuery(a Area, p Period) string {
	q := url.Values{"period": {p.ID}}
	if a.OrgUnit != nil {
		q.Set("orgunit", strconv.FormatInt(a.OrgUnit.ID, 10))
	}
	return q.Encode()
}

// HeatmapPage is facilities × indicators for an area and period, each cell coloured
// against the indicator's goal, showing its value, and linking to the facility page.
type HeatmapPage struct {
	Page
	Area          Area
	Period        Period
	PeriodLabel   string
	PeriodOptions []Option
	Columns       []HeatColumn
	Rows          []HeatRow
	Query         string
}

// HeatColumn is one indicator column.
type HeatColumn struct {
	ID, Name, Goal string
}

// HeatRow is one facility.
type HeatRow struct {
	Facility *place.OrgUnit
	Cells    []Cell
}

func (s *Server) heatmap(w http.ResponseWriter, r *http.Request) {
	p := &HeatmapPage{Page: s.page(w, r, "dash.heatmap_title")}
	area, err := s.areaFor(r, p.Lang, queryInt(r, "orgunit"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Area, p.Period = area, periodFor(r, "quarter")
	p.PeriodLabel, p.PeriodOptions = p.Period.Label(p.Lang), periodOptions(p.Lang, nowIn())
	p.Query = dashQuery(area, p.Period)
	if err := s.fillHeatmap(r, p); err != nil {
		s.fail(w, r, err)
		return
	}
	if format := tableFormat(r); format != "" {
		writeHeatmapTable(w, format, p)
		return
	}
	s.render(w, r, http.StatusOK, "dashboard_heatmap", p)
}

func (s *Server) fillHeatmap(r *http.Request, p *HeatmapPage) error {
	ds, err := s.dashboardStore()
	if err != nil {
		return err
	}
	facility := place.Facility
	facs, _, err := s.Store.FindOrgUnits(r.Context(), place.Filter{Type: &facility, Under: p.Area.Under, Limit: 5000})
	if err != nil {
		return err
	}
	totals, err := ds.FacilityTotals(r.Context(), p.Area.Under, p.Period.From, p.Period.To)
	if err != nil {
		return err
	}
	cols := heatmapIndicators()
	for _, ind := range cols {
		p.Columns = append(p.Columns, HeatColumn{ID: ind.ID, Name: indicatorName(p.Lang, ind), Goal: goalText(p.Lang, ind)})
	}
	sort.SliceStable(facs, func(i, j int) bool { return facs[i].Name < facs[j].Name })
	for _, f := range facs {
		by := map[string]indicator.Contribution{}
		for _, c := range totals[f.ID] {
			by[c.ID] = c
		}
		row := HeatRow{Facility: f}
		for _, ind := range cols {
			c := newCell(p.Lang, ind, p.Period.ID, by[ind.ID].Num, by[ind.ID].Den)
			c.Href = recordsHref(ind.ID, "orgunit="+strconv.FormatInt(f.ID, 10)+"&period="+p.Period.ID)
			row.Cells = append(row.Cells, c)
		}
		p.Rows = append(p.Rows, row)
	}
	return nil
}

// placeDashboard is one place (usually a facility) for a period, with the monthly
// trend of every indicator over the 12 months ending with the period.
func (s *Server) placeDashboard(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p := &DashboardPage{Page: s.page(w, r, "dash.place_title")}
	area, err := s.areaFor(r, p.Lang, id)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Area, p.Place, p.Period = area, area.OrgUnit, periodFor(r, "quarter")
	p.PeriodLabel, p.PeriodOptions = p.Period.Label(p.Lang), periodOptions(p.Lang, nowIn())
	p.Query = dashQuery(area, p.Period)
	p.Months = monthsBack(p.Period.To, 12)
	if p.Lines, err = s.indicatorLines(r, p.Lang, area.Under, p.Period, orgunitQuery(area)); err != nil {
		s.fail(w, r, err)
		return
	}
	if p.Place.Type != place.Facility {
		if p.Mentors, err = s.mentorLinks(r, area); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	if format := tableFormat(r); format != "" {
		ds, _ := s.dashboardStore()
		monthly, err := ds.MonthlyCounts(r.Context(), area.Under, p.Months[0], p.Months[len(p.Months)-1])
		if err != nil {
			s.fail(w, r, err)
			return
		}
		writeMonthlyTable(w, format, p.Lang, "place-"+strconv.FormatInt(p.Place.ID, 10)+"-"+p.Period.ID, p.Place.Name, monthly, p.Months)
		return
	}
	s.render(w, r, http.StatusOK, "dashboard", p)
}

// monthLabel is a short month name for table headers.
func monthLabel(lang, m string) string {
	p, ok := parsePeriod(m)
	if !ok {
		return m
	}
	return p.Label(lang)
}

func init() {
	funcs["monthLabel"] = monthLabel
}
