package web

import (
	"context"
	"fmt"
	"html/template"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/i18n"
	"mesh/indicator"
	"mesh/place"
)

// DashboardStore is what the dashboards read beyond Store: sums over the facility-month
// indicator_counts table, never raw observations (sqlstore.DB implements it).
type DashboardStore interface {
	IndicatorTotals(ctx context.Context, under []string, from, to string) ([]indicator.Contribution, error)
	FacilityTotals(ctx context.Context, under []string, from, to string) (map[int64][]indicator.Contribution, error)
	MonthlyCounts(ctx context.Context, under []string, from, to string) (map[string][]indicator.MonthCount, error)
}

// dashboardRoutes registers the dashboards, the evaluation page and the printable
// reports; the lead wires it from Routes. Every table page answers ?format=csv too.
func (s *Server) dashboardRoutes(mux *http.ServeMux) {
	if s.views == nil {
		s.views = mustViews(s.Dev)
	}
	mux.HandleFunc("GET /dashboard", s.dashboard)
	mux.HandleFunc("GET /dashboard/heatmap", s.heatmap)
	mux.HandleFunc("GET /dashboard/places/{id}", s.placeDashboard)
	mux.HandleFunc("GET /dashboard/records", s.dashboardRecords)
	mux.HandleFunc("GET /dashboard/mentors/{id}", s.mentorPage)
	mux.HandleFunc("GET /evaluation", s.evaluationPage)
	mux.HandleFunc("GET /reports/facility/{id}", s.facilityReport)
	mux.HandleFunc("GET /reports/district/{id}", s.districtReport)
}

// dashboardIndicators are the indicators the dashboards show, in the order of
// spec/indicators.md: the IMCI quality family for children, then facility systems
// and mentoring. Computed-on-read indicators (stock-out days, open issues) are left to
// the reports, which list the records themselves.
var dashboardIndicators = []string{
	"imci.trained_provider", "imci.recording_form_used", "imci.danger_signs_all", "imci.main_symptoms_all",
	"imci.breaths_counted", "imci.dehydration_assessed", "imci.malaria_tested", "imci.weighed",
	"imci.growth_chart_used", "imci.muac_measured", "imci.pallor_checked", "imci.immunization_checked",
	"imci.assessment_index", "imci.correct_classification", "imci.correct_treatment",
	"imci.antibiotic_not_indicated", "imci.correct_dose", "imci.referred_when_needed",
	"imci.return_advice", "imci.follow_up_correct", "imci.correctly_managed",
	"sys.tracer_availability", "sys.equipment_functional", "sys.infrastructure",
	"mentoring.visits", "qi.pdsa_cycles",
}

// heatmapIndicators are the heat map's columns: the IMCI quality of care.
func heatmapIndicators() []*indicator.Indicator {
	var out []*indicator.Indicator
	for _, ind := range catalogueOf(dashboardIndicators) {
		if strings.HasPrefix(ind.ID, "imci.") {
			out = append(out, ind)
		}
	}
	return out
}

func catalogueOf(ids []string) []*indicator.Indicator {
	var out []*indicator.Indicator
	for _, id := range ids {
		if ind, ok := indicator.Find(id); ok {
			out = append(out, ind)
		}
	}
	return out
}

// Period is a reporting period: a month ("2026-03"), a quarter ("2026Q1") or a year
// ("2026"), the period ids DHIS2 uses. Values over a period sum the months' counts.
type Period struct {
	ID, Kind string
	From, To string // months "YYYY-MM", inclusive
}

// parsePeriod reads a period id; ok is false for anything else.
func parsePeriod(id string) (Period, bool) {
	switch {
	case len(id) == 7 && id[4] == '-':
		t, err := time.Parse("2006-01", id)
		if err != nil {
			return Period{}, false
		}
		return Period{ID: id, Kind: "month", From: id, To: t.Format("2006-01")}, true
	case len(id) == 6 && id[4] == 'Q':
		y, err1 := strconv.Atoi(id[:4])
		q, err2 := strconv.Atoi(id[5:])
		if err1 != nil || err2 != nil || q < 1 || q > 4 || y < 1900 {
			return Period{}, false
		}
		return Period{ID: id, Kind: "quarter", From: fmt.Sprintf("%04d-%02d", y, 3*q-2), To: fmt.Sprintf("%04d-%02d", y, 3*q)}, true
	case len(id) == 4:
		y, err := strconv.Atoi(id)
		if err != nil || y < 1900 {
			return Period{}, false
		}
		return Period{ID: id, Kind: "year", From: fmt.Sprintf("%04d-01", y), To: fmt.Sprintf("%04d-12", y)}, true
	}
	return Period{}, false
}

// Label writes the period for people, in lang.
func (p Period) Label(lang string) string {
	t, _ := time.Parse("2006-01", p.From)
	switch p.Kind {
	case "month":
		return i18n.T(lang, "dash.month_label", i18n.T(lang, fmt.Sprintf("month.%d", int(t.Month()))), t.Year())
	case "quarter":
		return i18n.T(lang, "dash.quarter_label", (int(t.Month())+2)/3, t.Year())
	}
	return strconv.Itoa(t.Year())
}

// periodFor picks the requested period, else the kind's current one (the current
// month or quarter, or this year), since supervisors ask first "how are we doing now".
func periodFor(r *http.Request, defKind string) Period {
	if p, ok := parsePeriod(r.URL.Query().Get("period")); ok {
		return p
	}
	return currentPeriod(nowIn(), defKind)
}

func currentPeriod(t time.Time, kind string) Period {
	var id string
	switch kind {
	case "month":
		id = t.Format("2006-01")
	case "quarter":
		id = fmt.Sprintf("%dQ%d", t.Year(), (int(t.Month())+2)/3)
	default:
		id = strconv.Itoa(t.Year())
	}
	p, _ := parsePeriod(id)
	return p
}

// periodOptions are the picker's choices: the last 13 months, 8 quarters and 3 years.
func periodOptions(lang string, t time.Time) []Option {
	var out []Option
	add := func(id string) {
		p, _ := parsePeriod(id)
		out = append(out, Option{Value: id, Label: p.Label(lang)})
	}
	for y := t.Year(); y > t.Year()-3; y-- {
		add(strconv.Itoa(y))
	}
	q := time.Date(t.Year(), time.Month(3*((int(t.Month())-1)/3)+1), 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 8; i++ {
		m := q.AddDate(0, -3*i, 0)
		add(fmt.Sprintf("%dQ%d", m.Year(), (int(m.Month())+2)/3))
	}
	m := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	for i := 0; i < 13; i++ {
		add(m.AddDate(0, -i, 0).Format("2006-01"))
	}
	return out
}

// monthsBack lists the n months ending at month to ("YYYY-MM"), oldest first.
func monthsBack(to string, n int) []string {
	t, _ := time.Parse("2006-01", to)
	out := make([]string, n)
	for i := range out {
		out[i] = t.AddDate(0, i-n+1, 0).Format("2006-01")
	}
	return out
}

// Cell is one indicator value as the dashboards show it: the number (colour is never
// the only signal), its goal status for the colour, and the small-denominator mark.
type Cell struct {
	Indicator *indicator.Indicator
	Value     indicator.Value
	Text      string // the value as shown, e.g. "83.2%"
	CI        string // "76.1–88.7%" for proportions
	Status    string // good, near, poor or none (no goal or no data): a CSS class
	TooFew    bool
	Empty     bool   // no denominator at all
	Href      string // the records behind the number, when it has a records page
}

// newCell computes an indicator's value from summed counts.
func newCell(lang string, ind *indicator.Indicator, period string, num, den float64) Cell {
	v := ind.Compute(period, num, den)
	c := Cell{Indicator: ind, Value: v, Status: "none", TooFew: v.TooFew && ind.Kind != indicator.Count}
	if v.Value == nil {
		c.Empty, c.Text, c.TooFew = true, "—", false
		return c
	}
	c.Text = formatValue(lang, ind, *v.Value)
	if ind.Kind == indicator.Proportion && v.CI95[0] != nil {
		c.CI = i18n.FormatNumber(lang, 100**v.CI95[0], 1) + "–" + formatValue(lang, ind, *v.CI95[1])
	}
	c.Status = goalStatus(ind, *v.Value)
	return c
}

// nearMargin is how far short of the goal still counts as "near" (amber): ten points
// on a proportion, as MESH supervisors read the colours.
const nearMargin = 0.10

// goalStatus compares a value with the indicator's goal in its direction.
func goalStatus(ind *indicator.Indicator, x float64) string {
	if ind.Goal == nil || ind.Kind == indicator.Count {
		return "none"
	}
	g := *ind.Goal
	short := g - x
	if !ind.HigherBetter {
		short = x - g
	}
	switch {
	case short <= 1e-9:
		return "good"
	case short <= nearMargin:
		return "near"
	}
	return "poor"
}

// formatValue writes a value in its kind's unit: percent, mean to two decimals, count.
func formatValue(lang string, ind *indicator.Indicator, x float64) string {
	switch ind.Kind {
	case indicator.Proportion:
		return i18n.FormatPercent(lang, x, 1)
	case indicator.Mean:
		return i18n.FormatNumber(lang, x, 2)
	}
	return i18n.FormatNumber(lang, x, 0)
}

func goalText(lang string, ind *indicator.Indicator) string {
	if ind.Goal == nil {
		return ""
	}
	return formatValue(lang, ind, *ind.Goal)
}

// indicatorName is the indicator's name in lang, from its declaration.
func indicatorName(lang string, ind *indicator.Indicator) string {
	if n := ind.Names[lang]; n != "" {
		return n
	}
	return ind.Names[i18n.Default]
}

// Area is the place a dashboard covers: one org unit, or the caller's whole area.
type Area struct {
	OrgUnit *place.OrgUnit // nil: the caller's whole area
	Under   []string       // the store's path filter
	Name    string
}

// areaFor resolves ?orgunit= (or the path id when fromPath) within the caller's area;
// outside it is 403, as everywhere.
func (s *Server) areaFor(r *http.Request, lang string, id int64) (Area, error) {
	c := caller(r)
	if err := auth.Check(c, account.ReadIndicators, ""); err != nil {
		return Area{}, err
	}
	if id == 0 {
		a := Area{Under: c.Scope.Under(), Name: i18n.T(lang, "dash.my_area")}
		// A user whose area is one place sees it named.
		if len(c.Scope.Paths) == 1 {
			if o := s.placeAtPath(r, c.Scope.Paths[0]); o != nil {
				a.OrgUnit, a.Name = o, o.Name
			}
		}
		return a, nil
	}
	o, err := s.Store.FindOrgUnitByID(r.Context(), id)
	if err != nil {
		return Area{}, err
	}
	if err := auth.Check(c, account.ReadIndicators, o.Path); err != nil {
		return Area{}, err
	}
	return Area{OrgUnit: o, Under: []string{o.Path}, Name: o.Name}, nil
}

// placeAtPath finds the org unit whose path is exactly path (a scope root).
func (s *Server) placeAtPath(r *http.Request, path string) *place.OrgUnit {
	parts := strings.Split(strings.Trim(path, "/"), "/")
	id, err := strconv.ParseInt(parts[len(parts)-1], 10, 64)
	if err != nil {
		return nil
	}
	o, err := s.Store.FindOrgUnitByID(r.Context(), id)
	if err != nil || o.Path != path {
		return nil
	}
	return o
}

func (s *Server) dashboardStore() (DashboardStore, error) {
	ds, ok := s.Store.(DashboardStore)
	if !ok {
		return nil, mesh.Errorf(mesh.EINTERNAL, "the store cannot answer dashboards")
	}
	return ds, nil
}

// sparkline draws a trend as a small inline SVG: presentation attributes only (the CSP
// forbids style attributes), a dashed goal line, gaps where a month has no data and
// open circles for months with too few observations. With href, each month's point
// links to the records behind it (a wider transparent circle is the click target).
func sparkline(lang string, ind *indicator.Indicator, vals []indicator.Value, href func(month string) string) template.HTML {
	const w, h, pad = 160.0, 36.0, 3.0
	lo, hi := 0.0, 1.0
	if ind.Kind == indicator.Count {
		for _, v := range vals {
			if v.Value != nil && *v.Value > hi {
				hi = *v.Value
			}
		}
	}
	x := func(i int) float64 {
		if len(vals) < 2 {
			return w / 2
		}
		return pad + float64(i)*(w-2*pad)/float64(len(vals)-1)
	}
	y := func(v float64) float64 { return h - pad - (math.Min(math.Max(v, lo), hi)-lo)/(hi-lo)*(h-2*pad) }
	var b strings.Builder
	label := template.HTMLEscapeString(i18n.T(lang, "dash.trend_of", indicatorName(lang, ind), len(vals)))
	role := "img"
	if href != nil {
		role = "group" // an image may not hold links; a group of month links may
	}
	fmt.Fprintf(&b, `<svg class="spark" viewBox="0 0 %g %g" width="%g" height="%g" role="%s" aria-label="%s">`, w, h, w, h, role, label)
	fmt.Fprintf(&b, `<rect x="0" y="0" width="%g" height="%g" fill="#f6f7f9"/>`, w, h)
	if ind.Goal != nil && ind.Kind != indicator.Count {
		fmt.Fprintf(&b, `<line x1="0" x2="%g" y1="%.1f" y2="%.1f" stroke="#2e7d32" stroke-width="1" stroke-dasharray="3 2"/>`, w, y(*ind.Goal), y(*ind.Goal))
	}
	var seg []string
	flush := func() {
		if len(seg) > 1 {
			fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#1f4e99" stroke-width="1.5"/>`, strings.Join(seg, " "))
		}
		seg = nil
	}
	for i, v := range vals {
		if v.Value == nil {
			flush()
			continue
		}
		seg = append(seg, fmt.Sprintf("%.1f,%.1f", x(i), y(*v.Value)))
	}
	flush()
	for i, v := range vals {
		if v.Value == nil {
			continue
		}
		fill := "#1f4e99"
		if v.TooFew && ind.Kind != indicator.Count {
			fill = "#ffffff"
		}
		if href != nil {
			fmt.Fprintf(&b, `<a href="%s"><title>%s</title><circle cx="%.1f" cy="%.1f" r="6" fill="transparent"/>`,
				template.HTMLEscapeString(href(v.Period)), template.HTMLEscapeString(monthLabel(lang, v.Period)), x(i), y(*v.Value))
		}
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="2" fill="%s" stroke="#1f4e99" stroke-width="1"/>`, x(i), y(*v.Value), fill)
		if href != nil {
			b.WriteString(`</a>`)
		}
	}
	b.WriteString(`</svg>`)
	return template.HTML(b.String()) // every number is formatted by us; the texts and links are escaped above
}

// series turns monthly counts into a value per month in months (gaps stay gaps).
func series(ind *indicator.Indicator, counts []indicator.MonthCount, months []string) []indicator.Value {
	by := map[string]indicator.MonthCount{}
	for _, c := range counts {
		by[c.Month] = c
	}
	out := make([]indicator.Value, len(months))
	for i, m := range months {
		out[i] = ind.Compute(m, by[m].Num, by[m].Den) // a count with no record is a true zero
	}
	return out
}
