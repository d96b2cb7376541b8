package web

import (
	"context"
	"net/http"
	"sort"
	"strconv"
	"time"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/i18n"
	"mesh/indicator"
	"mesh/visit"
)

// mentorReader is what the mentor page reads beyond Store (sqlstore.DB implements it).
type mentorReader interface {
	MentorObservationCounts(ctx context.Context, mentorID int64, under []string, from, to string) (map[string]int, map[string][]indicator.MonthCount, error)
}

// MentorPage is one mentor's work for a period: the cadence of the facilities they
// are assigned to, their visits, how many children they observed each month, and the
// IMCI indicators of the observations they made. It names no health worker.
type MentorPage struct {
	Page
	Mentor        *account.User
	Name          string
	Period        Period
	PeriodLabel   string
	PeriodOptions []Option
	Today         mesh.Date
	Cadence       []*visit.Cadence
	Overdue       int
	Visits        []MentorVisit
	VisitsTotal   int
	Months        []MentorMonth
	Lines         []IndicatorLine
	Query         string // mentor and period, for links and downloads
}

// MentorVisit is one visit with its facility named.
type MentorVisit struct {
	*visit.Visit
	Facility string
}

// MentorMonth is one month's observation count, with its records page.
type MentorMonth struct {
	Month, Label string
	Count        int
	Href         string
}

// MentorLink is one mentor in the viewer's area, for the dashboard's list.
type MentorLink struct {
	ID         int64
	Name       string
	Facilities int
}

func init() {
	funcs["mentorName"] = mentorName
}

// mentorName is how a mentor is shown: the display name, else the username.
func mentorName(u *account.User) string {
	if u.DisplayName != "" {
		return u.DisplayName
	}
	return u.Username
}

// mentorInView loads the mentor whose id is the text id, if the caller may see their
// page: the mentor themself, or a user with indicators.read over a facility the
// mentor is or was assigned to (auth.Check on that facility's path). Any other caller
// gets 403; an unknown id or a user who is not a mentor 404.
func (s *Server) mentorInView(r *http.Request, id string) (*account.User, error) {
	c := caller(r)
	if err := auth.Check(c, account.ReadIndicators, ""); err != nil {
		return nil, err
	}
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil || n <= 0 {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "no such mentor")
	}
	u, err := s.Store.FindUserByID(r.Context(), n)
	if err != nil {
		return nil, err
	}
	if u.Role != account.Mentor {
		return nil, mesh.Errorf(mesh.ENOTFOUND, "no such mentor")
	}
	if c.User.ID == u.ID {
		return u, nil
	}
	if c.User.Role == account.Mentor {
		return nil, mesh.Errorf(mesh.EFORBIDDEN, "a mentor sees their own page only")
	}
	as, _, err := s.Store.FindAssignments(r.Context(), account.AssignmentFilter{MentorID: &u.ID, Under: c.Scope.Under(), Limit: 1})
	if err != nil {
		return nil, err
	}
	if len(as) == 0 {
		return nil, mesh.Errorf(mesh.EFORBIDDEN, "this mentor works outside your area")
	}
	if err := auth.Check(c, account.ReadIndicators, as[0].FacilityPath); err != nil {
		return nil, err
	}
	return u, nil
}

// mentorsIn lists the mentors assigned today to facilities under the paths, by name:
// the supervisor's way in to each mentor's page.
func (s *Server) mentorsIn(r *http.Request, under []string) ([]MentorLink, error) {
	as, _, err := s.Store.FindAssignments(r.Context(), account.AssignmentFilter{Under: under, ActiveOn: today(), Limit: 1000})
	if err != nil {
		return nil, err
	}
	count := map[int64]int{}
	for _, a := range as {
		count[a.MentorID]++
	}
	var out []MentorLink
	for id, n := range count {
		u, err := s.Store.FindUserByID(r.Context(), id)
		if err != nil {
			return nil, err
		}
		out = append(out, MentorLink{ID: id, Name: mentorName(u), Facilities: n})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// mentorPage answers GET /dashboard/mentors/{id}?period= (&format=csv|xlsx&table=
// cadence|visits|indicators). Everything is within the caller's area.
func (s *Server) mentorPage(w http.ResponseWriter, r *http.Request) {
	p := &MentorPage{Page: s.page(w, r, "mentor.title"), Today: today()}
	mentor, err := s.mentorInView(r, r.PathValue("id"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	c := caller(r)
	under := c.Scope.Under()
	p.Mentor, p.Name = mentor, mentorName(mentor)
	p.Period = periodFor(r, "quarter")
	p.PeriodLabel, p.PeriodOptions = p.Period.Label(p.Lang), periodOptions(p.Lang, nowIn())
	p.Query = "mentor=" + strconv.FormatInt(mentor.ID, 10) + "&period=" + p.Period.ID
	if err := s.fillMentor(r, p, under); err != nil {
		s.fail(w, r, err)
		return
	}
	if format := tableFormat(r); format != "" {
		writeMentorTable(w, format, r.URL.Query().Get("table"), p)
		return
	}
	s.render(w, r, http.StatusOK, "dashboard_mentor", p)
}

func (s *Server) fillMentor(r *http.Request, p *MentorPage, under []string) error {
	ctx := r.Context()
	// Cadence of the facilities the mentor is assigned to today, in the caller's area.
	as, _, err := s.Store.FindAssignments(ctx, account.AssignmentFilter{MentorID: &p.Mentor.ID, Under: under, ActiveOn: p.Today, Limit: 1000})
	if err != nil {
		return err
	}
	if len(as) > 0 {
		var paths []string
		for _, a := range as {
			paths = append(paths, a.FacilityPath)
		}
		if p.Cadence, err = s.Store.FindCadence(ctx, paths, p.Today); err != nil {
			return err
		}
		sort.SliceStable(p.Cadence, func(i, j int) bool {
			if a, b := p.Cadence[i], p.Cadence[j]; a.Overdue != b.Overdue {
				return a.Overdue
			}
			return daysSince(p.Cadence[i]) > daysSince(p.Cadence[j])
		})
		for _, c := range p.Cadence {
			if c.Overdue {
				p.Overdue++
			}
		}
	}
	// Their visits in the period.
	vs, total, err := s.Store.FindVisits(ctx, visit.Filter{MentorID: &p.Mentor.ID, Under: under,
		From: mesh.Date(p.Period.From + "-01"), To: monthLastDay(p.Period.To), Limit: 500})
	if err != nil {
		return err
	}
	names := map[int64]string{}
	for _, v := range vs {
		if _, ok := names[v.FacilityID]; !ok {
			names[v.FacilityID] = strconv.FormatInt(v.FacilityID, 10)
			if o, err := s.Store.FindOrgUnitByID(ctx, v.FacilityID); err == nil {
				names[v.FacilityID] = o.Name
			}
		}
		p.Visits = append(p.Visits, MentorVisit{Visit: v, Facility: names[v.FacilityID]})
	}
	p.VisitsTotal = total
	// Observations per month over the 12 months ending with the period, and the
	// indicators of the period's observations.
	mr, ok := s.Store.(mentorReader)
	if !ok {
		return mesh.Errorf(mesh.EINTERNAL, "the store cannot answer the mentor page")
	}
	months := monthsBack(p.Period.To, 12)
	from := min(months[0], p.Period.From)
	perMonth, counts, err := mr.MentorObservationCounts(ctx, p.Mentor.ID, under, from, p.Period.To)
	if err != nil {
		return err
	}
	for _, m := range months {
		p.Months = append(p.Months, MentorMonth{Month: m, Label: monthLabel(p.Lang, m), Count: perMonth[m],
			Href: recordsHref(indicator.AllObservations, "mentor="+strconv.FormatInt(p.Mentor.ID, 10)+"&period="+m)})
	}
	for _, ind := range heatmapIndicators() {
		var num, den float64
		for _, mc := range counts[ind.ID] {
			if mc.Month >= p.Period.From && mc.Month <= p.Period.To {
				num, den = num+mc.Num, den+mc.Den
			}
		}
		cell := newCell(p.Lang, ind, p.Period.ID, num, den)
		cell.Href = recordsHref(ind.ID, p.Query)
		p.Lines = append(p.Lines, IndicatorLine{Cell: cell, Name: indicatorName(p.Lang, ind), Goal: goalText(p.Lang, ind),
			Spark: sparkline(p.Lang, ind, series(ind, counts[ind.ID], months), func(m string) string {
				return recordsHref(ind.ID, "mentor="+strconv.FormatInt(p.Mentor.ID, 10)+"&period="+m)
			}),
			Num: i18n.FormatNumber(p.Lang, num, decimals(ind)), Den: i18n.FormatNumber(p.Lang, den, 0)})
	}
	return nil
}

// monthLastDay is the last day of month m ("YYYY-MM").
func monthLastDay(m string) mesh.Date {
	t, _ := time.Parse("2006-01", m)
	return mesh.DateOf(t.AddDate(0, 1, -1))
}

// writeMentorTable writes one of the mentor page's tables.
func writeMentorTable(w http.ResponseWriter, format, table string, p *MentorPage) {
	t := func(k string) string { return i18n.T(p.Lang, k) }
	base := "mentor-" + strconv.FormatInt(p.Mentor.ID, 10) + "-" + p.Period.ID
	switch table {
	case "cadence":
		header := []string{t("dash.col_facility_id"), t("cadence.facility"), t("cadence.target"), t("cadence.last_visit"),
			t("cadence.days_since"), t("cadence.overdue"), t("cadence.visits_12m"), t("cadence.next_planned")}
		var rows [][]string
		for _, c := range p.Cadence {
			days := ""
			if c.DaysSinceLast != nil {
				days = strconv.Itoa(*c.DaysSinceLast)
			}
			rows = append(rows, []string{strconv.FormatInt(c.FacilityID, 10), c.FacilityName, strconv.Itoa(c.TargetDays), string(c.LastVisit),
				days, boolCSV(c.Overdue), strconv.Itoa(c.Visits12Months), string(c.NextPlanned)})
		}
		writeTable(w, format, base+"-cadence", header, rows)
	case "visits":
		header := []string{t("records.col_id"), t("records.col_date"), t("dash.col_facility_id"), t("dash.col_facility"), t("mentor.col_kind"), t("mentor.col_status")}
		var rows [][]string
		for _, v := range p.Visits {
			rows = append(rows, []string{v.ID, string(v.Date), strconv.FormatInt(v.FacilityID, 10), v.Facility, v.Kind, v.Status})
		}
		writeTable(w, format, base+"-visits", header, rows)
	default:
		header := append([]string{t("records.col_mentor"), t("dash.col_period")}, valueColumns(p.Lang)...)
		var rows [][]string
		for _, l := range p.Lines {
			rows = append(rows, append([]string{p.Name, p.Period.ID}, valueCells(p.Lang, l.Indicator, l.Value)...))
		}
		writeTable(w, format, base+"-indicators", header, rows)
	}
}
