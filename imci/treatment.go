package imci

import (
	"math"
	"slices"
	"strconv"
	"strings"
)

// Timings of Treatment.Timing.
const (
	TimingPreReferral = "PRE_REFERRAL"
	TimingInClinic    = "IN_CLINIC"
	TimingHome        = "HOME"
	TimingFrom4Weeks  = "FROM_4_WEEKS"
)

// preReferralCodes are given before the child leaves for hospital.
var preReferralCodes = []string{
	"IM_AMPICILLIN", "IM_GENTAMICIN", "PREREFERRAL_ANTIMALARIAL", "DIAZEPAM_RECTAL",
	"PREVENT_LOW_BLOOD_SUGAR", "KEEP_WARM", "KEEP_WARM_ON_WAY", "ORS_SIPS_ON_WAY",
	"CONTINUE_BREASTFEEDING", "AMOXICILLIN_FIRST_DOSE", "TREAT_DEHYDRATION_BEFORE_REFERRAL",
}

// txItem is a treatment being assembled; opt is kept so a merge can rebuild it.
type txItem struct {
	t   Treatment
	opt txOpt
}

// txOpt adjusts a treatment: another catalogue key (young-infant doses), a course
// length, a single clinic dose, or a timing.
type txOpt struct {
	key    string
	days   int
	single bool
	timing string
}

// give adds a treatment for a classification, merging duplicates (§5.1 step 4): one
// entry per code, `for` lists merged, and the longer regimen kept.
func (e *eval) give(code, forCode string, o txOpt) {
	for i := range e.tx {
		it := &e.tx[i]
		if it.t.Code != code {
			continue
		}
		if forCode != "" && !slices.Contains(it.t.For, forCode) {
			it.t.For = append(it.t.For, forCode)
		}
		if stronger(o, it.opt) {
			t := e.build(code, o)
			t.For = it.t.For
			it.t, it.opt = t, o
		}
		return
	}
	t := e.build(code, o)
	if forCode != "" {
		t.For = append(t.For, forCode)
	}
	e.tx = append(e.tx, txItem{t: t, opt: o})
}

// stronger reports whether regimen a supersedes b: a course beats a single dose, and a
// longer course beats a shorter one.
func stronger(a, b txOpt) bool {
	if a.single != b.single {
		return !a.single
	}
	return a.days > b.days
}

// build computes one treatment's numbers from the protocol's drug catalogue.
func (e *eval) build(code string, o txOpt) Treatment {
	t := Treatment{Code: code, For: []string{}, Timing: TimingHome}
	switch {
	case o.timing != "":
		t.Timing = o.timing
	case slices.Contains(preReferralCodes, code):
		t.Timing = TimingPreReferral
	case o.single || code == "PLAN_C_IV_FLUIDS" || code == "ORS_PLAN_B":
		t.Timing = TimingInClinic
	}
	key := code
	if o.key != "" {
		key = o.key
	}
	def := e.p.Drugs[key]
	if def == nil {
		t.DoseText = adviceText(code)
		return t
	}
	t.Drug, t.Route, t.Unit = someS(def.Drug), someS(def.Route), someS(def.Unit)
	e.regimen(&t, def, o)
	e.weightDose(&t, def)
	e.bandDose(&t, def)
	widenToComputed(&t)
	t.DoseText = doseText(&t, def)
	return t
}

// regimen sets frequency, duration and number of doses.
func (e *eval) regimen(t *Treatment, def *DrugDef, o txOpt) {
	if def.FrequencyPerDay > 0 {
		t.FrequencyPerDay = someI(def.FrequencyPerDay)
	}
	if def.DurationDays > 0 {
		t.DurationDays = someI(def.DurationDays)
	}
	if o.days > 0 {
		t.DurationDays = someI(o.days)
	}
	if def.DosesTotal > 0 {
		t.DosesTotal = someI(def.DosesTotal)
	}
	if t.Code == "VITAMIN_A_TREATMENT" {
		t.DosesTotal = someI(e.p.Rules.VitaminATreatmentDoses)
	}
	if o.single {
		t.FrequencyPerDay, t.DurationDays, t.DosesTotal = OptInt{}, OptInt{}, someI(1)
	}
}

// weightDose computes per-kg doses; without a weight they stay null (§8.3).
func (e *eval) weightDose(t *Treatment, def *DrugDef) {
	w := e.in.WeightKg
	if w == nil {
		return
	}
	if def.MgPerKg > 0 {
		mg := round(def.MgPerKg**w, 0.1)
		t.DoseMg, t.DoseMgMin, t.DoseMgMax = someF(mg), someF(mg), someF(mg)
		if def.MgPerMl > 0 {
			t.DoseMl = someF(round(mg/def.MgPerMl, 0.01))
		}
	}
	if def.MlPerKg > 0 {
		step := def.RoundMlTo
		if step <= 0 {
			step = 1
		}
		t.VolumeMl = someF(round(def.MlPerKg**w, step))
	}
}

// widenToComputed keeps the accepted range consistent with the engine's own per-kg
// figure: at some weights 50 mg/kg (or 75 ml/kg) falls just outside the chart row's
// volumes (e.g. gentamicin at 14.3 kg: 107 mg, row 112–140 mg; Plan B at 12.6 kg: 950 ml,
// row 960–1600 ml). A worker who gives exactly what the engine says is right.
func widenToComputed(t *Treatment) {
	widen := func(v OptFloat, lo, hi *OptFloat) {
		if !v.OK || !lo.OK || !hi.OK {
			return
		}
		lo.V, hi.V = min(lo.V, v.V), max(hi.V, v.V)
	}
	widen(t.DoseMg, &t.DoseMgMin, &t.DoseMgMax)
	widen(t.DoseMl, &t.DoseMlMin, &t.DoseMlMax)
	widen(t.VolumeMl, &t.DoseMlMin, &t.DoseMlMax)
}

// bandDose picks the dose-table row: by weight when the weight is known and the table
// has weight bands (weight wins over age), else by age.
func (e *eval) bandDose(t *Treatment, def *DrugDef) {
	b, basis, label := e.pickBand(def.Bands)
	if b == nil {
		return
	}
	t.Band, t.BandBasis = someS(label), someS(basis)
	if b.Units > 0 {
		t.UnitsPerDose, t.UnitsMin, t.UnitsMax = someF(b.Units), someF(b.Units), someF(b.Units)
	}
	if b.Mg > 0 && !t.DoseMg.OK {
		t.DoseMg, t.DoseMgMin, t.DoseMgMax = someF(b.Mg), someF(b.Mg), someF(b.Mg)
	}
	if b.Ml > 0 {
		t.DoseMl, t.DoseMlMin, t.DoseMlMax = someF(b.Ml), someF(b.Ml), someF(b.Ml)
		// Per-kg drugs keep dose_mg null without a weight (§8.3); fixed-volume syrups
		// (iron) state their mg from the concentration.
		if def.MgPerMl > 0 && def.MgPerKg == 0 {
			mg := round(b.Ml*def.MgPerMl, 0.1)
			t.DoseMg, t.DoseMgMin, t.DoseMgMax = someF(mg), someF(mg), someF(mg)
		}
	}
	if b.MlMin > 0 || b.MlMax > 0 {
		t.DoseMlMin, t.DoseMlMax = someF(b.MlMin), someF(b.MlMax)
		if def.MgPerMl > 0 && def.MgPerKg > 0 {
			t.DoseMgMin, t.DoseMgMax = someF(round(b.MlMin*def.MgPerMl, 0.1)), someF(round(b.MlMax*def.MgPerMl, 0.1))
		}
	}
	if b.IU > 0 {
		t.DoseIU = someF(b.IU)
	}
	if b.Alternative != "" {
		t.Alternative = someS(b.Alternative)
	}
}

// pickBand returns the band, its basis ("weight" or "age") and its label. A weight
// outside the chart uses the nearest band and warns (§2).
func (e *eval) pickBand(bands []Band) (*Band, string, string) {
	if len(bands) == 0 {
		return nil, "", ""
	}
	if w := e.in.WeightKg; w != nil && bands[0].MinKg != nil {
		for i := range bands {
			b := &bands[i]
			if *w >= *b.MinKg && (*w < *b.MaxKg || (b.MaxKgInclusive && *w == *b.MaxKg)) {
				return b, "weight", b.weightLabel
			}
		}
		e.warn("WEIGHT_OUTSIDE_CHART_BAND")
		b := &bands[len(bands)-1]
		if *w < *bands[0].MinKg {
			b = &bands[0]
		}
		return b, "weight", b.weightLabel
	}
	if bands[0].MinMonths == nil {
		return nil, "", "" // a weight-only table and no weight: dose by weight in the text
	}
	for i := range bands {
		b := &bands[i]
		if e.ageAtLeast(*b.MinMonths) && !e.ageAtLeast(*b.MaxMonths) {
			return b, "age", b.ageLabel
		}
	}
	b := &bands[len(bands)-1]
	if !e.ageAtLeast(*bands[0].MinMonths) {
		b = &bands[0]
	}
	return b, "age", b.ageLabel
}

func weightLabel(b *Band) string {
	if b.MaxKgInclusive {
		return fmtNum(*b.MinKg) + "-" + fmtNum(*b.MaxKg) + " kg"
	}
	return fmtNum(*b.MinKg) + "-<" + fmtNum(*b.MaxKg) + " kg"
}

func ageLabel(b *Band) string {
	return fmtNum(*b.MinMonths) + "-<" + fmtNum(*b.MaxMonths) + " months"
}

// round rounds v to the nearest multiple of step.
func round(v, step float64) float64 {
	r := math.Round(v/step) * step
	// Trim binary noise so 0.30000000000000004 prints as 0.3.
	return math.Round(r*1e6) / 1e6
}

// doseText is the human line shown beside the numbers; tests compare only numbers.
// Built with a byte buffer rather than fmt because it runs for every treatment.
func doseText(t *Treatment, def *DrugDef) string {
	b := make([]byte, 0, 96)
	num := func(v float64) { b = strconv.AppendFloat(b, v, 'f', -1, 64) }
	switch {
	case t.UnitsPerDose.OK:
		num(t.UnitsPerDose.V)
		b = append(b, " x "...)
		b = append(b, t.Unit.V...)
	case t.VolumeMl.OK:
		num(t.VolumeMl.V)
		b = append(b, " ml"...)
	case t.DoseMl.OK:
		num(t.DoseMl.V)
		b = append(b, " ml"...)
	case t.DoseMg.OK:
		num(t.DoseMg.V)
		b = append(b, " mg"...)
	case t.DoseIU.OK:
		num(t.DoseIU.V)
		b = append(b, " IU"...)
	case t.DoseMlMin.OK:
		num(t.DoseMlMin.V)
		b = append(b, '-')
		num(t.DoseMlMax.V)
		b = append(b, " ml"...)
	case def.MgPerKg > 0:
		num(def.MgPerKg)
		b = append(b, " mg/kg (weigh the child)"...)
	case def.MlPerKg > 0:
		num(def.MlPerKg)
		b = append(b, " ml/kg (weigh the child)"...)
	}
	if t.Alternative.OK {
		b = append(append(append(b, " (or "...), t.Alternative.V...), ')')
	}
	if t.Band.OK {
		b = append(append(append(append(append(b, " ["...), t.BandBasis.V...), " band "...), t.Band.V...), ']')
	}
	switch f := t.FrequencyPerDay; {
	case f.OK && f.V == 1:
		b = append(b, ", once a day"...)
	case f.OK:
		b = strconv.AppendInt(append(b, ", "...), int64(f.V), 10)
		b = append(b, " times a day"...)
	case t.DosesTotal.OK && t.DosesTotal.V == 1:
		b = append(b, ", single dose"...)
	}
	if t.DurationDays.OK {
		b = strconv.AppendInt(append(b, " for "...), int64(t.DurationDays.V), 10)
		b = append(b, " days"...)
	}
	if def.Text != "" {
		b = append(append(b, "; "...), def.Text...)
	}
	return strings.TrimSpace(string(b))
}

// adviceText describes a non-drug treatment code.
func adviceText(code string) string {
	return strings.ToLower(strings.ReplaceAll(code, "_", " "))
}
