package web

import (
	"context"
	"math"
	"net/http"
	"strconv"
	"strings"

	"mesh"
	"mesh/account"
	"mesh/auth"
	"mesh/evaluation"
	"mesh/i18n"
	"mesh/indicator"
	"mesh/place"
)

// EvaluationPage runs MESH's baseline/follow-up evaluation for a place: the table of
// the Magge 2015 paper and the assessment-index mixed model. Aggregates only.
type EvaluationPage struct {
	Page
	Form         Form
	In           EvaluationInput
	PlaceOptions []Option
	Covariates   []Input
	Ran          bool
	AreaName     string
	Rows         []EvaluationRow
	Model        *evaluation.Model
	Terms        []EvaluationTerm
	ICC          []EvaluationICC
	Query        string
	ExcludedNote string
	DroppedNote  string
	FitError     string
	Observations int
	Workers      int
}

// EvaluationInput is the form as typed.
type EvaluationInput struct {
	OrgUnit, BaselineFrom, BaselineTo, FollowupFrom, FollowupTo string
}

// EvaluationRow is one indicator of the table, formatted.
type EvaluationRow struct {
	Indicator                string
	Name                     string
	Baseline, Followup       string
	Difference, DifferenceCI string
	ChiP, FisherP            string
	Better                   bool // the change goes the indicator's good way
}

// EvaluationTerm is one fixed effect of the index model.
type EvaluationTerm struct {
	Label, Estimate, StdError, CI string
}

// EvaluationICC is one period's clustering by health worker.
type EvaluationICC struct {
	Period, Observations, Workers, Mean, ICC, Note string
}

var evaluationFields = fieldSet("orgunit", "baseline_from", "baseline_to", "followup_from", "followup_to", "covariates")

// canEvaluate: the evaluation is for those who judge a programme (supervisors,
// managers, administrators), not a view of individual nurses' work.
func canEvaluate(u *account.User) bool {
	if !account.Can(u, account.ReadIndicators) {
		return false
	}
	return u.Role == account.Admin || u.Role == account.Manager || u.Role == account.Supervisor
}

// indexMonths lists the months with observations; it picks the default windows.
type indexMonths interface {
	IndicatorCounts(ctx context.Context, id string, under []string, from, to string) ([]indicator.MonthCount, error)
}

func (s *Server) evaluationPage(w http.ResponseWriter, r *http.Request) {
	c := caller(r)
	if err := auth.Check(c, account.ReadIndicators, ""); err != nil {
		s.fail(w, r, err)
		return
	}
	if !canEvaluate(c.User) {
		s.fail(w, r, mesh.Errorf(mesh.EFORBIDDEN, "role may not run the evaluation"))
		return
	}
	es, ok := s.Store.(evaluation.Store)
	if !ok {
		s.fail(w, r, mesh.Errorf(mesh.EINTERNAL, "the store cannot answer evaluations"))
		return
	}
	q := r.URL.Query()
	p := &EvaluationPage{Page: s.page(w, r, "eval.title")}
	p.In = EvaluationInput{OrgUnit: q.Get("orgunit"), BaselineFrom: q.Get("baseline_from"), BaselineTo: q.Get("baseline_to"),
		FollowupFrom: q.Get("followup_from"), FollowupTo: q.Get("followup_to")}
	p.Ran = p.In.BaselineFrom != "" || p.In.FollowupFrom != ""
	area, err := s.areaFor(r, p.Lang, queryInt(r, "orgunit"))
	if err != nil {
		s.fail(w, r, err)
		return
	}
	p.AreaName = area.Name
	if p.PlaceOptions, err = s.evaluationPlaces(r, p.Lang); err != nil {
		s.fail(w, r, err)
		return
	}
	var covs []string
	for _, name := range evaluation.DefaultCovariates {
		on := !p.Ran || q.Get("cov_"+name) == "on"
		p.Covariates = append(p.Covariates, check(p.Lang, p.Form, "cov_"+name, "eval.cov_"+name, on))
		if on {
			covs = append(covs, name)
		}
	}
	if !p.Ran {
		s.defaultWindows(r, area, p)
		s.render(w, r, http.StatusOK, "evaluation", p)
		return
	}
	per := evaluation.Periods{Baseline: evaluation.Window{From: p.In.BaselineFrom, To: p.In.BaselineTo},
		Followup: evaluation.Window{From: p.In.FollowupFrom, To: p.In.FollowupTo}}
	res, err := evaluation.Evaluate(r.Context(), es, area.Under, per, covs)
	if err != nil {
		f, status, ok := formError(p.Lang, err, evaluationFields)
		if !ok {
			s.fail(w, r, err)
			return
		}
		p.Form, p.Ran = f, false
		s.render(w, r, status, "evaluation", p)
		return
	}
	p.Query = r.URL.RawQuery
	fillEvaluation(p, res)
	if format := tableFormat(r); format != "" {
		writeEvaluationTable(w, format, p.Lang, area.Name, res)
		return
	}
	s.render(w, r, http.StatusOK, "evaluation", p)
}

// evaluationPlaces are the areas one may evaluate: the whole own area, and each
// district in it.
func (s *Server) evaluationPlaces(r *http.Request, lang string) ([]Option, error) {
	c := caller(r)
	out := []Option{{Value: "", Label: i18n.T(lang, "dash.my_area")}}
	district := place.District
	ds, _, err := s.Store.FindOrgUnits(r.Context(), place.Filter{Type: &district, Under: c.Scope.Under()})
	for _, d := range ds {
		out = append(out, Option{Value: strconv.FormatInt(d.ID, 10), Label: d.Name})
	}
	return out, err
}

// defaultWindows proposes MESH's design: the first three months with observations as
// baseline and the last three as follow-up (read from the counts, not the records).
func (s *Server) defaultWindows(r *http.Request, area Area, p *EvaluationPage) {
	im, ok := s.Store.(indexMonths)
	if !ok {
		return
	}
	months, err := im.IndicatorCounts(r.Context(), "imci.assessment_index", area.Under, "", "")
	if err != nil || len(months) < 6 {
		return
	}
	p.In.BaselineFrom, p.In.BaselineTo = months[0].Month, months[2].Month
	p.In.FollowupFrom, p.In.FollowupTo = months[len(months)-3].Month, months[len(months)-1].Month
}

// fillEvaluation formats a result for the page.
func fillEvaluation(p *EvaluationPage, res *evaluation.Result) {
	lang := p.Lang
	for _, row := range res.Indicators {
		ind, _ := indicator.Find(row.Indicator)
		er := EvaluationRow{Indicator: row.Indicator, Name: indicatorName(lang, ind),
			Baseline: nOfN(lang, row.Baseline.N, row.Baseline.Total, row.Baseline.Proportion),
			Followup: nOfN(lang, row.Followup.N, row.Followup.Total, row.Followup.Proportion),
			ChiP:     pValue(lang, row.ChiSquare.P), FisherP: pValue(lang, &row.FisherExact.P)}
		if row.Difference != nil {
			er.Difference = signed(lang, 100**row.Difference, 1)
			er.DifferenceCI = i18n.FormatNumber(lang, 100*row.DifferenceCI95[0], 1) + " " + i18n.T(lang, "eval.to") + " " + i18n.FormatNumber(lang, 100*row.DifferenceCI95[1], 1)
			er.Better = (*row.Difference > 0) == row.HigherBetter
		}
		p.Rows = append(p.Rows, er)
	}
	m := res.Model
	p.Model = m
	if m == nil {
		return
	}
	if m.ExcludedMissing > 0 {
		p.ExcludedNote = i18n.T(lang, "eval.excluded_missing", m.ExcludedMissing)
	}
	if len(m.Dropped) > 0 {
		var names []string
		for _, d := range m.Dropped {
			names = append(names, i18n.T(lang, "eval.cov_"+d))
		}
		p.DroppedNote = i18n.T(lang, "eval.dropped", strings.Join(names, ", "))
	}
	if m.FitError != "" {
		p.FitError = i18n.T(lang, "eval.fit_failed")
	}
	if m.Fit != nil {
		p.Observations, p.Workers = m.Fit.Observations, m.Fit.Groups
		for _, e := range m.Fit.Estimates {
			// Wald 95% limits (estimate ± 1.96 SE), as the paper's Table 3 reads.
			lo, hi := e.Estimate-1.959963984540054*e.StdError, e.Estimate+1.959963984540054*e.StdError
			p.Terms = append(p.Terms, EvaluationTerm{Label: i18n.T(lang, "eval.term_"+termKey(e.Term)),
				Estimate: i18n.FormatNumber(lang, e.Estimate, 3), StdError: i18n.FormatNumber(lang, e.StdError, 3),
				CI: i18n.FormatNumber(lang, lo, 3) + " " + i18n.T(lang, "eval.to") + " " + i18n.FormatNumber(lang, hi, 3)})
		}
	}
	for _, pi := range []struct {
		key string
		icc evaluation.PeriodICC
	}{{"eval.baseline", m.Baseline}, {"eval.followup", m.Followup}} {
		e := EvaluationICC{Period: i18n.T(lang, pi.key), Observations: i18n.FormatInt(lang, int64(pi.icc.Observations)), Workers: i18n.FormatInt(lang, int64(pi.icc.Workers))}
		if pi.icc.MeanIndex != nil {
			e.Mean = i18n.FormatNumber(lang, *pi.icc.MeanIndex, 3)
		}
		if pi.icc.ICC != nil {
			e.ICC = i18n.FormatNumber(lang, *pi.icc.ICC, 3)
		} else {
			e.Note = i18n.T(lang, "eval.icc_failed")
		}
		p.ICC = append(p.ICC, e)
	}
}

func termKey(term string) string {
	if term == "(Intercept)" {
		return "intercept"
	}
	return term
}

func nOfN(lang string, n, total int, prop *float64) string {
	s := i18n.FormatInt(lang, int64(n)) + "/" + i18n.FormatInt(lang, int64(total))
	if prop == nil {
		return s
	}
	return s + " (" + i18n.FormatPercent(lang, *prop, 1) + ")"
}

func signed(lang string, x float64, d int) string {
	s := i18n.FormatNumber(lang, x, d)
	if x > 0 {
		s = "+" + s
	}
	return s
}

// pValue writes p as papers do: "<0.001" below a thousandth, else three decimals.
func pValue(lang string, p *float64) string {
	switch {
	case p == nil || math.IsNaN(*p):
		return "—"
	case *p < 0.001:
		return "<" + i18n.FormatNumber(lang, 0.001, 3)
	}
	return i18n.FormatNumber(lang, *p, 3)
}

// writeEvaluationCSV writes the indicator table with full precision for re-analysis.
func writeEvaluationTable(w http.ResponseWriter, format, lang, area string, res *evaluation.Result) {
	header := []string{i18n.T(lang, "dash.col_area"), i18n.T(lang, "dash.col_indicator_id"), i18n.T(lang, "dash.col_indicator"),
		i18n.T(lang, "eval.col_baseline_n"), i18n.T(lang, "eval.col_baseline_total"), i18n.T(lang, "eval.col_baseline_p"),
		i18n.T(lang, "eval.col_followup_n"), i18n.T(lang, "eval.col_followup_total"), i18n.T(lang, "eval.col_followup_p"),
		i18n.T(lang, "eval.col_difference"), i18n.T(lang, "eval.col_diff_low"), i18n.T(lang, "eval.col_diff_high"),
		i18n.T(lang, "eval.col_chi2"), i18n.T(lang, "eval.col_chi2_p"), i18n.T(lang, "eval.col_fisher_p")}
	var rows [][]string
	for _, r := range res.Indicators {
		ind, _ := indicator.Find(r.Indicator)
		lo, hi := "", ""
		if r.DifferenceCI95 != nil {
			lo, hi = num(r.DifferenceCI95[0]), num(r.DifferenceCI95[1])
		}
		rows = append(rows, []string{area, r.Indicator, indicatorName(lang, ind),
			strconv.Itoa(r.Baseline.N), strconv.Itoa(r.Baseline.Total), ptrNum(r.Baseline.Proportion),
			strconv.Itoa(r.Followup.N), strconv.Itoa(r.Followup.Total), ptrNum(r.Followup.Proportion),
			ptrNum(r.Difference), lo, hi, ptrNum(r.ChiSquare.Statistic), ptrNum(r.ChiSquare.P), num(r.FisherExact.P)})
	}
	p := res.Periods
	writeTable(w, format, "evaluation-"+p.Baseline.From+"-"+p.Followup.To, header, rows)
}
