package observation

import (
	"slices"
	"strings"

	"mesh/imci"
)

// Dose problems of DoseError.Problem.
const (
	DoseOutOfBand     = "dose_out_of_band"
	DoseNotRecorded   = "dose_not_recorded"
	WrongFrequency    = "wrong_frequency"
	WrongDuration     = "wrong_duration"
	pointBandFraction = 0.10
)

// DoseError is one treatment given with a wrong dose, frequency or duration: what was
// given (nil when not written) against the expected band [ExpectedMin, ExpectedMax].
type DoseError struct {
	Code        string   `json:"code"`
	Problem     string   `json:"problem"`
	Measure     string   `json:"measure"` // units_per_dose, dose_ml, dose_mg, frequency_per_day, duration_days
	Unit        string   `json:"unit,omitempty"`
	Given       *float64 `json:"given"`
	ExpectedMin float64  `json:"expected_min"`
	ExpectedMax float64  `json:"expected_max"`
}

// scoreTreatments applies §3. Required: every drug of the engine's `treatments` that
// treats a classification (non-empty `for`). Not required but accepted when given
// (dose still checked): preventive doses due today (empty `for`), and the
// `deferred_treatments` of a child referred urgently — for those only the amount per
// dose is checked, since a dose given before referral is not the home course
// (imci.md §9.3 leaves pre-referral yellow-row doses open). Advice codes are judged
// by counselling, never required here. treatment_correct also fails when an
// antibiotic or antimalarial is given that no expected treatment calls for; other
// extra codes are listed and coached but do not fail it.
func (s *Score) scoreTreatments(given []WorkerTreatment, expected imci.Result, p *imci.Protocol) {
	s.TreatmentsMissed, s.TreatmentsExtra, s.DoseErrors = []string{}, []string{}, []DoseError{}
	for _, t := range expected.Treatments {
		if isRequiredTreatment(t) && findGiven(given, t.Code) == nil {
			s.TreatmentsMissed = append(s.TreatmentsMissed, t.Code)
		}
	}
	for _, g := range given {
		if isDrugCode(p, g.Code) {
			s.Facts.DrugGiven = true
		}
		if imci.IsAntimicrobial(g.Code) {
			s.Facts.AntimicrobialGiven = true
		}
		if t, ok := findExpected(expected.Treatments, g.Code); ok {
			s.DoseErrors = append(s.DoseErrors, checkDose(t, g, true)...)
			continue
		}
		if t, ok := findExpected(expected.DeferredTreatments, g.Code); ok {
			s.DoseErrors = append(s.DoseErrors, checkDose(t, g, false)...)
			continue
		}
		s.TreatmentsExtra = append(s.TreatmentsExtra, g.Code)
		if imci.IsAntimicrobial(g.Code) && !drugIndicated(p, g.Code, expected) {
			s.AntibioticNotIndicated = true
		}
	}
	s.Facts.AntimicrobialIndicated = anyAntimicrobial(expected.Treatments) || anyAntimicrobial(expected.DeferredTreatments)
	s.TreatmentCorrect = len(s.TreatmentsMissed) == 0 && len(s.DoseErrors) == 0 && !s.AntibioticNotIndicated
}

// isRequiredTreatment: a drug (or an antimicrobial without a catalogue entry, such as
// the cholera antibiotic) given for a classification.
func isRequiredTreatment(t imci.Treatment) bool {
	return len(t.For) > 0 && (t.Drug.OK || imci.IsAntimicrobial(t.Code))
}

func findGiven(given []WorkerTreatment, code string) *WorkerTreatment {
	for i := range given {
		if given[i].Code == code {
			return &given[i]
		}
	}
	return nil
}

func findExpected(list []imci.Treatment, code string) (imci.Treatment, bool) {
	for _, t := range list {
		if t.Code == code {
			return t, true
		}
	}
	return imci.Treatment{}, false
}

func anyAntimicrobial(list []imci.Treatment) bool {
	return slices.ContainsFunc(list, func(t imci.Treatment) bool { return imci.IsAntimicrobial(t.Code) })
}

// drugIndicated: an extra antimicrobial code is still indicated when an expected
// treatment gives the same drug under another code (AMOXICILLIN_FIRST_DOSE for
// AMOXICILLIN_ORAL): the drug is right even if the regimen code is not.
func drugIndicated(p *imci.Protocol, code string, expected imci.Result) bool {
	drug := drugName(p, code)
	if drug == "" {
		return false
	}
	for _, t := range slices.Concat(expected.Treatments, expected.DeferredTreatments) {
		if imci.IsAntimicrobial(t.Code) && t.Drug.OK && t.Drug.V == drug {
			return true
		}
	}
	return false
}

// drugName is the catalogue's drug for a treatment code ("" for advice codes).
func drugName(p *imci.Protocol, code string) string {
	if d := p.Drugs[code]; d != nil {
		return d.Drug
	}
	return ""
}

// isDrugCode: the code has a drug catalogue entry (its own or a variant such as
// PREREFERRAL_ANTIMALARIAL.im_artesunate) or is an antimicrobial.
func isDrugCode(p *imci.Protocol, code string) bool {
	if p.Drugs[code] != nil || imci.IsAntimicrobial(code) {
		return true
	}
	for k := range p.Drugs {
		if strings.HasPrefix(k, code+".") {
			return true
		}
	}
	return false
}

// checkDose compares one given treatment with the expected one: the amount per dose
// against the band, then (when regimen) frequency and duration.
func checkDose(t imci.Treatment, g WorkerTreatment, regimen bool) []DoseError {
	var errs []DoseError
	if e, bad := checkAmount(t, g); bad {
		errs = append(errs, e)
	}
	if !regimen {
		return errs
	}
	if t.FrequencyPerDay.OK && (g.FrequencyPerDay == nil || *g.FrequencyPerDay != t.FrequencyPerDay.V) {
		errs = append(errs, DoseError{Code: t.Code, Problem: WrongFrequency, Measure: "frequency_per_day",
			Given: intGiven(g.FrequencyPerDay), ExpectedMin: float64(t.FrequencyPerDay.V), ExpectedMax: float64(t.FrequencyPerDay.V)})
	}
	if t.DurationDays.OK && (g.DurationDays == nil || *g.DurationDays != t.DurationDays.V) {
		errs = append(errs, DoseError{Code: t.Code, Problem: WrongDuration, Measure: "duration_days",
			Given: intGiven(g.DurationDays), ExpectedMin: float64(t.DurationDays.V), ExpectedMax: float64(t.DurationDays.V)})
	}
	return errs
}

// checkAmount picks the first measure both sides have: units per dose (when the
// worker's unit is the engine's or not written), then ml, then mg. An expected band
// with nothing comparable given is DoseNotRecorded; no expected band, nothing to check.
func checkAmount(t imci.Treatment, g WorkerTreatment) (DoseError, bool) {
	type measure struct {
		name     string
		min, max imci.OptFloat
		given    *float64
		unit     string
	}
	unitMatches := g.Unit == "" || (t.Unit.OK && g.Unit == t.Unit.V)
	measures := []measure{
		{"units_per_dose", t.UnitsMin, t.UnitsMax, nil, t.Unit.V},
		{"dose_ml", t.DoseMlMin, t.DoseMlMax, g.DoseMl, "ml"},
		{"dose_mg", t.DoseMgMin, t.DoseMgMax, g.DoseMg, "mg"},
	}
	if unitMatches {
		measures[0].given = g.UnitsPerDose
	}
	var first *measure
	for i := range measures {
		m := &measures[i]
		if !m.min.OK || !m.max.OK {
			continue
		}
		if first == nil {
			first = m
		}
		if m.given == nil {
			continue
		}
		if inBand(*m.given, m.min.V, m.max.V) {
			return DoseError{}, false
		}
		return DoseError{Code: t.Code, Problem: DoseOutOfBand, Measure: m.name, Unit: m.unit, Given: m.given,
			ExpectedMin: m.min.V, ExpectedMax: m.max.V}, true
	}
	if first == nil {
		return DoseError{}, false
	}
	return DoseError{Code: t.Code, Problem: DoseNotRecorded, Measure: first.name, Unit: first.unit,
		ExpectedMin: first.min.V, ExpectedMax: first.max.V}, true
}

// inBand: inside [lo, hi]. A point band (a per-kg dose or one table value) is widened
// by 10% either way, the precision of a syringe or a split tablet; a real band is
// taken as the chart gives it.
func inBand(v, lo, hi float64) bool {
	const eps = 1e-9
	if hi-lo < eps {
		lo, hi = lo*(1-pointBandFraction), hi*(1+pointBandFraction)
	}
	return v >= lo-eps && v <= hi+eps
}

func intGiven(i *int) *float64 {
	if i == nil {
		return nil
	}
	f := float64(*i)
	return &f
}
