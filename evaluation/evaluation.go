// Package evaluation computes MESH's pre/post evaluation (Magge et al. 2015): for each
// IMCI proportion indicator, baseline and follow-up n/N compared by
// stats.CompareProportions, and the assessment-index linear mixed model with a random
// intercept per health worker, fitted by REML, with the index's ICC in each period.
//
// It is pure: callers read summed facility-month counts and per-observation index rows
// from the store and pass them in, so every number here is reproducible from inputs a
// test can write by hand. Results are aggregates only — a worker is a group label, never
// a name — so district and national users may see them.
package evaluation

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"mesh"
	"mesh/indicator"
	"mesh/stats"
)

// Window is an inclusive range of months "YYYY-MM".
type Window struct {
	From string `json:"from"`
	To   string `json:"to"`
}

// Contains reports whether month lies in the window.
func (w Window) Contains(month string) bool { return month >= w.From && month <= w.To }

// Validate checks both months are "YYYY-MM" and in order; field names the window
// ("baseline" or "followup") so errors point at the query parameter.
func (w Window) Validate(field string) []mesh.FieldError {
	var errs []mesh.FieldError
	for _, p := range []struct{ name, v string }{{field + "_from", w.From}, {field + "_to", w.To}} {
		if !isMonth(p.v) {
			errs = append(errs, mesh.FieldError{Code: "INVALID_FORMAT", Field: p.name, Message: p.name + " must be a month in YYYY-MM form"})
		}
	}
	if len(errs) == 0 && w.From > w.To {
		errs = append(errs, mesh.FieldError{Code: "OUT_OF_RANGE", Field: field + "_to", Message: field + "_to must not be before " + field + "_from"})
	}
	return errs
}

func isMonth(s string) bool {
	if len(s) != 7 || s[4] != '-' {
		return false
	}
	y, err1 := strconv.Atoi(s[:4])
	m, err2 := strconv.Atoi(s[5:])
	return err1 == nil && err2 == nil && y >= 1900 && m >= 1 && m <= 12
}

// Periods are the two windows compared. They must not overlap: an observation belongs
// to exactly one period or the model's follow-up term means nothing.
type Periods struct {
	Baseline Window `json:"baseline"`
	Followup Window `json:"followup"`
}

// Validate checks both windows and that they do not overlap.
func (p Periods) Validate() error {
	errs := append(p.Baseline.Validate("baseline"), p.Followup.Validate("followup")...)
	if len(errs) == 0 && p.Baseline.From <= p.Followup.To && p.Followup.From <= p.Baseline.To {
		errs = append(errs, mesh.FieldError{Code: "OVERLAP", Field: "followup_from", Message: "the baseline and follow-up windows must not overlap"})
	}
	if len(errs) > 0 {
		return mesh.Invalid(errs...)
	}
	return nil
}

// Counts are an indicator's numerator and denominator summed over a window.
type Counts struct {
	Num float64
	Den float64
}

// IndicatorRow is one line of the paper's table.
type IndicatorRow struct {
	Indicator string            `json:"indicator"`
	Names     map[string]string `json:"names"`
	Goal      *float64          `json:"goal,omitempty"`
	// HigherBetter tells how to read the difference (antibiotics without indication:
	// a fall is the improvement).
	HigherBetter bool `json:"higher_is_better"`
	stats.Comparison
}

// CompareIndicators compares baseline with follow-up counts for every proportion
// indicator in inds that has a denominator in either period, in the order of inds.
// Counts are whole numbers of observations; a fractional sum would be a storage bug
// and is rounded rather than trusted as a fraction.
func CompareIndicators(inds []*indicator.Indicator, baseline, followup map[string]Counts) ([]IndicatorRow, error) {
	var out []IndicatorRow
	for _, ind := range inds {
		if ind.Kind != indicator.Proportion {
			continue
		}
		b, f := baseline[ind.ID], followup[ind.ID]
		if b.Den == 0 && f.Den == 0 {
			continue
		}
		c, err := stats.CompareProportions(whole(b.Num), whole(b.Den), whole(f.Num), whole(f.Den))
		if err != nil {
			return nil, fmt.Errorf("indicator %s: %w", ind.ID, err)
		}
		out = append(out, IndicatorRow{Indicator: ind.ID, Names: ind.Names, Goal: ind.Goal, HigherBetter: ind.HigherBetter, Comparison: c})
	}
	return out, nil
}

func whole(x float64) int {
	if x < 0 {
		return 0
	}
	return int(x + 0.5)
}

// IMCIIndicators are the child (2–59 months) IMCI-quality proportion indicators, the
// population MESH evaluated, ordered as the catalogue lists them.
func IMCIIndicators() []*indicator.Indicator {
	var out []*indicator.Indicator
	for _, ind := range indicator.Catalogue() {
		if strings.HasPrefix(ind.ID, "imci.") && ind.Kind == indicator.Proportion {
			out = append(out, ind)
		}
	}
	return out
}

// The covariates the index model may adjust for, as in the paper's Table 3.
const (
	AgeUnder24m = "age_under_24m"
	Male        = "male"
	Cough       = "cough"
	Fever       = "fever"
)

// DefaultCovariates are the paper's child covariates.
var DefaultCovariates = []string{AgeUnder24m, Male, Cough, Fever}

// FollowUp is the model term for the period effect.
const FollowUp = "followup"

// Observation is one scored observation as the model needs it. Worker is only a
// cluster label. Covariates are nil when the assessment did not record them.
type Observation struct {
	Worker     int64
	Month      string
	Index      float64
	Covariates map[string]*bool
}

// Model is the assessment-index analysis.
type Model struct {
	// Fit is lmer(index ~ followup + covariates + (1|worker), REML = TRUE) over both
	// periods; nil with FitError set when it cannot be fitted.
	Fit      *stats.MixedFit `json:"fit"`
	FitError string          `json:"fit_error,omitempty"`
	// Covariates actually in the model: a requested covariate that is constant in the
	// data (e.g. no child had a cough) would make the design singular and is left out.
	Covariates []string `json:"covariates"`
	Dropped    []string `json:"covariates_dropped,omitempty"`
	// ExcludedMissing counts observations left out because a covariate was not
	// recorded (complete-case analysis, as lmer's default na.omit).
	ExcludedMissing int `json:"excluded_missing"`
	// ICC of the index within each period: lmer(index ~ 1 + (1|worker)) on that period.
	Baseline PeriodICC `json:"baseline"`
	Followup PeriodICC `json:"followup"`
}

// PeriodICC is the intercept-only random-intercept model of one period.
type PeriodICC struct {
	Observations int             `json:"observations"`
	Workers      int             `json:"workers"`
	MeanIndex    *float64        `json:"mean_index"`
	Fit          *stats.MixedFit `json:"fit"`
	ICC          *float64        `json:"icc"`
	Error        string          `json:"error,omitempty"`
}

// IndexModel fits the assessment-index model on the observations falling in either
// period, adjusting for covariates (names from DefaultCovariates).
func IndexModel(obs []Observation, p Periods, covariates []string) (*Model, error) {
	for _, c := range covariates {
		if !knownCovariate(c) {
			return nil, mesh.Invalid(mesh.FieldError{Code: "INVALID_CHOICE", Field: "covariates", Message: "unknown covariate " + strconv.Quote(c)})
		}
	}
	m := &Model{Covariates: []string{}}
	var base, follow []stats.Row
	var complete []Observation
	for _, o := range obs {
		switch {
		case p.Baseline.Contains(o.Month):
			base = append(base, indexRow(o, "0"))
		case p.Followup.Contains(o.Month):
			follow = append(follow, indexRow(o, "1"))
		default:
			continue
		}
		if hasAll(o, covariates) {
			complete = append(complete, o)
		} else {
			m.ExcludedMissing++
		}
	}
	m.Baseline = periodICC(base)
	m.Followup = periodICC(follow)

	// Keep the covariates that vary; a constant column is collinear with the intercept.
	for _, c := range covariates {
		if varies(complete, func(o Observation) float64 { return b01(o.Covariates[c]) }) {
			m.Covariates = append(m.Covariates, c)
		} else {
			m.Dropped = append(m.Dropped, c)
		}
	}
	rows := make([]stats.Row, 0, len(complete))
	for _, o := range complete {
		r := indexRow(o, "0")
		if p.Followup.Contains(o.Month) {
			r[FollowUp] = "1"
		}
		for _, c := range m.Covariates {
			r[c] = strconv.Itoa(int(b01(o.Covariates[c])))
		}
		rows = append(rows, r)
	}
	fixed := append([]string{FollowUp}, m.Covariates...)
	if len(base) == 0 || len(follow) == 0 {
		m.FitError = "both periods need observations"
		return m, nil
	}
	fit, err := stats.FitMixed(rows, "index", "worker", fixed)
	if err != nil {
		m.FitError = mesh.ErrorMessage(err) + fieldDetail(err)
		return m, nil
	}
	m.Fit = &fit
	return m, nil
}

func knownCovariate(c string) bool {
	for _, k := range DefaultCovariates {
		if k == c {
			return true
		}
	}
	return false
}

func indexRow(o Observation, followup string) stats.Row {
	return stats.Row{"index": strconv.FormatFloat(o.Index, 'g', -1, 64), "worker": strconv.FormatInt(o.Worker, 10), FollowUp: followup}
}

func hasAll(o Observation, covariates []string) bool {
	for _, c := range covariates {
		if o.Covariates[c] == nil {
			return false
		}
	}
	return true
}

func b01(b *bool) float64 {
	if b != nil && *b {
		return 1
	}
	return 0
}

func varies(obs []Observation, f func(Observation) float64) bool {
	for _, o := range obs[min(1, len(obs)):] {
		if f(o) != f(obs[0]) {
			return true
		}
	}
	return false
}

// periodICC fits the intercept-only model: its ICC is σ²_worker / (σ²_worker + σ²_e).
func periodICC(rows []stats.Row) PeriodICC {
	out := PeriodICC{Observations: len(rows)}
	workers := map[string]bool{}
	sum := 0.0
	for _, r := range rows {
		workers[r["worker"]] = true
		x, _ := strconv.ParseFloat(r["index"], 64)
		sum += x
	}
	out.Workers = len(workers)
	if len(rows) == 0 {
		out.Error = "no observations"
		return out
	}
	mean := sum / float64(len(rows))
	out.MeanIndex = &mean
	fit, err := stats.FitMixed(rows, "index", "worker", nil)
	if err != nil {
		out.Error = mesh.ErrorMessage(err) + fieldDetail(err)
		return out
	}
	out.Fit, out.ICC = &fit, &fit.ICC
	return out
}

// fieldDetail appends the field messages of a stats error, which say what is wrong.
func fieldDetail(err error) string {
	var parts []string
	for _, f := range mesh.ErrorFields(err) {
		parts = append(parts, f.Message)
	}
	if len(parts) == 0 {
		return ""
	}
	sort.Strings(parts)
	return ": " + strings.Join(parts, "; ")
}

// Result is the whole evaluation of one place.
type Result struct {
	OrgUnit    int64          `json:"orgunit,omitempty"`
	Periods    Periods        `json:"periods"`
	Indicators []IndicatorRow `json:"indicators"`
	Model      *Model         `json:"index_model"`
}

// Store is what an evaluation reads: summed counts and the index rows, both limited
// to the facilities under the paths (nil: everywhere).
type Store interface {
	IndicatorTotals(ctx context.Context, under []string, from, to string) ([]indicator.Contribution, error)
	IndexObservations(ctx context.Context, under []string, from, to string) ([]Observation, error)
}

// Evaluate runs the whole evaluation for the facilities under the paths: the
// indicator table from the facility-month counts of each window, and the index model.
func Evaluate(ctx context.Context, s Store, under []string, p Periods, covariates []string) (*Result, error) {
	if err := p.Validate(); err != nil {
		return nil, err
	}
	totals := func(w Window) (map[string]Counts, error) {
		cs, err := s.IndicatorTotals(ctx, under, w.From, w.To)
		out := map[string]Counts{}
		for _, c := range cs {
			out[c.ID] = Counts{Num: c.Num, Den: c.Den}
		}
		return out, err
	}
	base, err := totals(p.Baseline)
	if err != nil {
		return nil, err
	}
	follow, err := totals(p.Followup)
	if err != nil {
		return nil, err
	}
	rows, err := CompareIndicators(IMCIIndicators(), base, follow)
	if err != nil {
		return nil, err
	}
	var obs []Observation
	for _, w := range []Window{p.Baseline, p.Followup} {
		o, err := s.IndexObservations(ctx, under, w.From, w.To)
		if err != nil {
			return nil, err
		}
		obs = append(obs, o...)
	}
	model, err := IndexModel(obs, p, covariates)
	if err != nil {
		return nil, err
	}
	if rows == nil {
		rows = []IndicatorRow{}
	}
	return &Result{Periods: p, Indicators: rows, Model: model}, nil
}
