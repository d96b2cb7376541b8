package evaluation

import (
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"mesh/indicator"
	"mesh/stats"
)

var periods = Periods{Baseline: Window{"2025-12", "2026-02"}, Followup: Window{"2026-09", "2026-11"}}

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.Abs(got-want) > tol {
		t.Errorf("%s = %.8g, want %.8g", what, got, want)
	}
}

// balanced is three workers observed three times in each period. Hand arithmetic:
//
//	baseline  A .1 .2 .3 (mean .2)  B .4 .5 .6 (.5)  C .7 .8 .9 (.8)
//	follow-up A .6 .7 .8 (.7)       B .7 .8 .9 (.8)  C .8 .9 1  (.9)
//
// In a balanced one-way design REML equals the ANOVA estimator: σ²_e = MSW and
// σ²_w = (MSB − MSW)/n. Baseline: within SS 3×.02 on 6 df, MSW = .01, MSB = 3(.09+0+.09)/2 = .27,
// σ²_w = .26/3, ICC = 26/29. Follow-up: MSW = .01, MSB = 3(.01+0+.01)/2 = .03,
// σ²_w = .02/3, ICC = .4.
func balanced() []Observation {
	var obs []Observation
	add := func(worker int64, month string, xs ...float64) {
		for _, x := range xs {
			obs = append(obs, Observation{Worker: worker, Month: month, Index: x,
				Covariates: map[string]*bool{AgeUnder24m: ptr(len(obs)%2 == 0), Male: ptr(len(obs)%3 == 0), Cough: ptr(true), Fever: ptr(len(obs)%4 == 0)}})
		}
	}
	add(1, "2025-12", .1, .2, .3)
	add(2, "2026-01", .4, .5, .6)
	add(3, "2026-02", .7, .8, .9)
	add(1, "2026-10", .6, .7, .8)
	add(2, "2026-11", .7, .8, .9)
	add(3, "2026-09", .8, .9, 1)
	add(3, "2026-05", 0, 0, 0) // between the windows: in neither period
	return obs
}

func TestICCEqualsANOVAInBalancedDesign(t *testing.T) {
	m, err := IndexModel(balanced(), periods, nil)
	if err != nil {
		t.Fatal(err)
	}
	b, f := m.Baseline, m.Followup
	if b.Fit == nil || f.Fit == nil {
		t.Fatalf("fits: %+v %+v", b, f)
	}
	if b.Observations != 9 || b.Workers != 3 || f.Observations != 9 {
		t.Errorf("counts: %+v %+v", b, f)
	}
	near(t, "baseline σ²_e", b.Fit.VarianceResidual, 0.01, 1e-7)
	near(t, "baseline σ²_w", b.Fit.VarianceGroup, 0.26/3, 1e-7)
	near(t, "baseline ICC", *b.ICC, 26.0/29, 1e-6)
	near(t, "baseline mean", *b.MeanIndex, 0.5, 1e-12)
	near(t, "follow-up σ²_w", f.Fit.VarianceGroup, 0.02/3, 1e-7)
	near(t, "follow-up ICC", *f.ICC, 0.4, 1e-6)
}

// The follow-up effect in the same balanced data: every worker is seen equally often
// in both periods, so the effect is the mean within-worker difference,
// ((.7−.2)+(.8−.5)+(.9−.8))/3 = .3. Two-way ANOVA (worker + period): the residual
// SS is 6 cells × .02 within plus 3 × 4 × .01 interaction = .24 on 18−1−1−2 = 14 df,
// σ²_e = .24/14; SE(β) = √(2σ²_e/9); worker MS = 6(.2²+0+.2²)/2 = .24 and
// σ²_w = (.24 − σ²_e)/6.
func TestFollowupEffectInBalancedDesign(t *testing.T) {
	m, err := IndexModel(balanced(), periods, nil)
	if err != nil || m.Fit == nil {
		t.Fatalf("%v %+v", err, m)
	}
	e := m.Fit.Estimates
	if len(e) != 2 || e[0].Term != "(Intercept)" || e[1].Term != FollowUp {
		t.Fatalf("terms %+v", e)
	}
	s2 := 0.24 / 14
	near(t, "intercept", e[0].Estimate, 0.5, 1e-7)
	near(t, "β follow-up", e[1].Estimate, 0.3, 1e-7)
	near(t, "SE follow-up", e[1].StdError, math.Sqrt(2*s2/9), 1e-6)
	near(t, "σ²_e", m.Fit.VarianceResidual, s2, 1e-7)
	near(t, "σ²_w", m.Fit.VarianceGroup, (0.24-s2)/6, 1e-7)
	if m.Fit.Observations != 18 || m.Fit.Groups != 3 {
		t.Errorf("n %d groups %d", m.Fit.Observations, m.Fit.Groups)
	}
}

func TestCovariatesConstantDroppedMissingExcluded(t *testing.T) {
	obs := balanced()
	obs[0].Covariates[Male] = nil // sex not recorded: the row leaves the adjusted model
	m, err := IndexModel(obs, periods, DefaultCovariates)
	if err != nil {
		t.Fatal(err)
	}
	if m.ExcludedMissing != 1 {
		t.Errorf("excluded %d, want 1", m.ExcludedMissing)
	}
	if !reflect.DeepEqual(m.Dropped, []string{Cough}) || !reflect.DeepEqual(m.Covariates, []string{AgeUnder24m, Male, Fever}) {
		t.Errorf("covariates %v dropped %v", m.Covariates, m.Dropped)
	}
	if m.Fit == nil {
		t.Fatalf("no fit: %s", m.FitError)
	}
	if got := len(m.Fit.Estimates); got != 5 || m.Fit.Observations != 17 {
		t.Errorf("%d estimates on %d rows", got, m.Fit.Observations)
	}
	// The ICC per period uses every observation: it needs no covariates.
	if m.Baseline.Observations != 9 {
		t.Errorf("baseline ICC on %d rows", m.Baseline.Observations)
	}
	if _, err := IndexModel(obs, periods, []string{"height"}); err == nil {
		t.Error("unknown covariate accepted")
	}
}

func TestModelNeedsBothPeriods(t *testing.T) {
	m, err := IndexModel(balanced()[:9], periods, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.Fit != nil || m.FitError == "" || m.Followup.Error == "" || m.Baseline.Fit == nil {
		t.Errorf("%+v", m)
	}
}

func TestCompareIndicatorsEqualsCompareProportions(t *testing.T) {
	base := map[string]Counts{"imci.recording_form_used": {Num: 3, Den: 9}, "imci.weighed": {Num: 0, Den: 0}, "imci.assessment_index": {Num: 4, Den: 9}}
	follow := map[string]Counts{"imci.recording_form_used": {Num: 9, Den: 10}, "imci.breaths_counted": {Num: 1, Den: 4}}
	rows, err := CompareIndicators(IMCIIndicators(), base, follow)
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 2 || rows[0].Indicator != "imci.breaths_counted" || rows[1].Indicator != "imci.recording_form_used" {
		t.Fatalf("rows %+v", rows)
	}
	want, _ := stats.CompareProportions(3, 9, 9, 10)
	if !reflect.DeepEqual(rows[1].Comparison, want) {
		t.Errorf("got %+v want %+v", rows[1].Comparison, want)
	}
	// Fisher's tea-tasting table [[3,1],[1,3]]: two-sided p = 0.4857.
	tea, _ := CompareIndicators(IMCIIndicators(), map[string]Counts{"imci.weighed": {3, 4}}, map[string]Counts{"imci.weighed": {1, 4}})
	near(t, "tea-tasting Fisher p", tea[0].FisherExact.P, 0.4857143, 1e-6)
	for _, ind := range IMCIIndicators() {
		if ind.Kind != indicator.Proportion || ind.ID[:5] != "imci." {
			t.Errorf("%s in the IMCI list", ind.ID)
		}
	}
}

func TestPeriodsValidate(t *testing.T) {
	for _, tc := range []struct {
		p  Periods
		ok bool
	}{
		{periods, true},
		{Periods{Window{"2026-01", "2026-03"}, Window{"2026-03", "2026-05"}}, false},
		{Periods{Window{"2026-13", "2026-03"}, Window{"2026-04", "2026-05"}}, false},
		{Periods{Window{"2026-03", "2026-01"}, Window{"2026-04", "2026-05"}}, false},
		{Periods{Window{"", ""}, Window{"2026-04", "2026-05"}}, false},
	} {
		if err := tc.p.Validate(); (err == nil) != tc.ok {
			t.Errorf("%+v: %v", tc.p, err)
		}
	}
}

func TestCovariatesOf(t *testing.T) {
	T, F := ptr(true), ptr(false)
	for _, tc := range []struct {
		json string
		want map[string]*bool
	}{
		{`{"age_days": 729, "sex": "male", "cough": {"present": true}, "fever": {"reported": false}}`,
			map[string]*bool{AgeUnder24m: T, Male: T, Cough: T, Fever: F}},
		{`{"age_days": 730, "sex": "female", "cough": {"present": false}, "temperature_c": 37.5}`,
			map[string]*bool{AgeUnder24m: F, Male: F, Cough: F, Fever: T}},
		{`{"age_months": 30, "temperature_c": 37.8, "temperature_site": "rectal"}`,
			map[string]*bool{AgeUnder24m: F, Male: nil, Cough: nil, Fever: F}},
		{`{}`, map[string]*bool{AgeUnder24m: nil, Male: nil, Cough: nil, Fever: nil}},
		{`not json`, map[string]*bool{AgeUnder24m: nil, Male: nil, Cough: nil, Fever: nil}},
	} {
		got := CovariatesOf(json.RawMessage(tc.json))
		if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%s: got %v", tc.json, show(got))
		}
	}
}

func show(m map[string]*bool) map[string]any {
	out := map[string]any{}
	for k, v := range m {
		if v == nil {
			out[k] = nil
		} else {
			out[k] = *v
		}
	}
	return out
}
