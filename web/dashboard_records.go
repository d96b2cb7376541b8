package web

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/i18n"
	"mesh/indicator"
)

// recordsReader is what the records page reads (sqlstore.DB implements it).
type recordsReader interface {
	IndicatorRecords(ctx context.Context, f indicator.RecordFilter) ([]indicator.Record, error)
}

// RecordsPage lists the records behind one dashboard number — the observations,
// visits, readiness checks or PDSA cycles summed into an indicator for a place and
// period — marking those in the numerator. Their sums are the number on the dashboard.
type RecordsPage struct {
	Page
	Indicator   *indicator.Indicator
	Name        string
	Area        Area
	Period      Period
	PeriodLabel string
	Mentor      *account.User // the number is one mentor's (the mentor page)
	Cell        Cell
	Num, Den    string
	Rows        []indicator.Record
	InNum       int
	Named       bool   // the health-worker column is shown (observation.md §5)
	Query       string // for the downloads
	Problem     string // a bad parameter, named, in the page language
}

// allObservations stands for "every case observation" on the records page: the
// records behind a mentor's monthly count of observations.
var allObservations = &indicator.Indicator{ID: indicator.AllObservations, Kind: indicator.Count, Source: "observations",
	Names: map[string]string{}}

// recordsHref is the records page of one number: an indicator for the period over the
// area in q (dashQuery's orgunit and period), optionally one mentor's.
func recordsHref(indID, q string) string {
	return "/dashboard/records?indicator=" + url.QueryEscape(indID) + "&" + q
}

// hasRecords reports whether an indicator's numbers have a records page: those kept
// in indicator_counts, whose every count was added by one record.
func hasRecords(ind *indicator.Indicator) bool {
	if indicator.ComputedOnRead(ind) {
		return false
	}
	switch ind.Source {
	case "observations", "visits", "readiness", "qi":
		return true
	}
	return false
}

// dashboardRecords answers GET /dashboard/records?indicator=&orgunit=&period=&mentor=
// (&format=csv|xlsx): within the caller's area, and naming health workers only where
// the caller may read their named results.
func (s *Server) dashboardRecords(w http.ResponseWriter, r *http.Request) {
	p := &RecordsPage{Page: s.page(w, r, "records.title")}
	c := caller(r)
	if err := auth.Check(c, account.ReadIndicators, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	q := r.URL.Query()
	ind, ok := indicator.Find(q.Get("indicator"))
	if q.Get("indicator") == indicator.AllObservations {
		ind, ok = allObservations, true
	}
	switch {
	case q.Get("indicator") == "":
		p.Problem = i18n.T(p.Lang, "records.bad_param", "indicator", i18n.T(p.Lang, "records.missing"))
	case !ok || !hasRecords(ind):
		p.Problem = i18n.T(p.Lang, "records.bad_param", "indicator", i18n.T(p.Lang, "records.no_records_for", q.Get("indicator")))
	}
	per, perOK := parsePeriod(q.Get("period"))
	if q.Get("period") == "" {
		per, perOK = currentPeriod(nowIn(), "quarter"), true
	}
	if !perOK && p.Problem == "" {
		p.Problem = i18n.T(p.Lang, "records.bad_param", "period", i18n.T(p.Lang, "records.bad_period"))
	}
	if p.Problem != "" {
		s.render(w, r, http.StatusBadRequest, "dashboard_records", p)
		return
	}
	area, err := s.areaFor(r, p.Lang, queryInt(r, "orgunit"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	f := indicator.RecordFilter{Indicator: ind.ID, Under: area.Under, From: per.From, To: per.To}
	if account.Can(c.User, account.ReadObservations) {
		// Mentors and in-charges see the workers of the places in their area named.
		f.NamedUnder = c.Scope.Paths
	}
	if m := q.Get("mentor"); m != "" {
		mentor, err := s.mentorInView(r, m)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		p.Mentor, f.MentorID = mentor, &mentor.ID
	}
	rr, ok := s.Store.(recordsReader)
	if !ok {
		s.fail(w, r, mesh.Errorf(mesh.EINTERNAL, "the store cannot list records"))
		return
	}
	if p.Rows, err = rr.IndicatorRecords(r.Context(), f); mesh.ErrorCode(err) == mesh.EINVALID {
		// Too many records for one page: a smaller place or period is the way.
		p.Problem = i18n.T(p.Lang, "records.bad_param", "period", i18n.T(p.Lang, "records.too_many"))
		s.render(w, r, http.StatusBadRequest, "dashboard_records", p)
		return
	} else if err != nil {
		s.fail(w, r, err)
		return
	}
	p.Indicator, p.Name, p.Area, p.Period, p.PeriodLabel = ind, indicatorName(p.Lang, ind), area, per, per.Label(p.Lang)
	var num, den float64
	for _, row := range p.Rows {
		num, den = num+row.Num, den+row.Den
		if row.InNumerator() {
			p.InNum++
		}
		p.Named = p.Named || row.Worker != ""
	}
	if ind == allObservations {
		p.Name = i18n.T(p.Lang, "records.all_observations")
	}
	p.Cell = newCell(p.Lang, ind, per.ID, num, den)
	p.Num, p.Den = i18n.FormatNumber(p.Lang, num, decimals(ind)), i18n.FormatNumber(p.Lang, den, 0)
	p.Query = r.URL.Query().Encode()
	if format := q.Get("format"); format == "csv" || format == "xlsx" {
		writeRecordsTable(w, format, p)
		return
	}
	s.render(w, r, http.StatusOK, "dashboard_records", p)
}

// writeRecordsTable writes the records as CSV or XLSX, one row each, the numerator
// mark as 1/0; the worker column only when the page shows it.
func writeRecordsTable(w http.ResponseWriter, format string, p *RecordsPage) {
	t := func(k string) string { return i18n.T(p.Lang, k) }
	header := []string{t("records.col_kind"), t("records.col_id"), t("records.col_date"), t("dash.col_month"), t("dash.col_facility_id"),
		t("dash.col_facility"), t("records.col_mentor")}
	if p.Named {
		header = append(header, t("records.col_worker"))
	}
	header = append(header, t("dash.col_numerator"), t("dash.col_denominator"), t("records.col_in_numerator"))
	var rows [][]string
	for _, r := range p.Rows {
		row := []string{r.Kind, r.ID, r.Date, r.Month, strconv.FormatInt(r.FacilityID, 10), r.FacilityName, r.Mentor}
		if p.Named {
			row = append(row, r.Worker)
		}
		rows = append(rows, append(row, num(r.Num), num(r.Den), boolCSV(r.InNumerator())))
	}
	writeTable(w, format, "records-"+p.Indicator.ID+"-"+p.Period.ID, header, rows)
}
