package demo

import (
	"math"
	"math/rand/v2"
	"slices"

	"mesh"
	"mesh/imci"
	"mesh/observation"
	"mesh/staff"
)

// Where the simulated nurses start (before any mentoring) and where they end up after
// about a year of monthly visits, aiming at MESH's pre/post picture (mesh-program.md
// §2): correct classification about 55% → 90%, correct treatment 78% → 98%,
// assessment tasks done 60% → 95%. Growth-chart plotting did not move under MESH; it
// stays flat. Averaged over a quarter, the demo shows classification about 62% → 89%
// and treatment 79% → 95% (first vs last quarter; see TestDemoYearOfMentoring).
var (
	classifyLevels = [2]float64{0.50, 0.95}
	// treatLevels is the chance of no treatment error of its own; classification
	// errors that change a drug add to it, so treatment is right about 78% → 96%.
	treatLevels     = [2]float64{0.88, 0.995}
	taskLevels      = [2]float64{0.60, 0.95}
	followUpLevels  = [2]float64{0.70, 0.96}
	counselLevels   = [2]float64{0.65, 0.95}
	referralLevels  = [2]float64{0.80, 0.98}
	formLevels      = [2]float64{0.55, 0.92}
	growthChartRate = 0.30
)

// taskEase shifts the chance of doing a task from the nurse's general level: nobody
// forgets to weigh or ask about fever, many forget the danger signs and the stiff neck.
var taskEase = map[string]float64{
	observation.TaskWeigh: 0.35, observation.TaskMeasureTemperature: 0.3, observation.TaskAskFever: 0.3,
	observation.TaskAskCough: 0.3, observation.TaskAskDiarrhoea: 0.25, observation.TaskMalariaTest: 0.3,
	observation.TaskAskFeverDuration: 0.2, observation.TaskAskDiarrhoeaDuration: 0.2,
	observation.TaskAskEarProblem: -0.1, observation.TaskLookStiffNeck: -0.15, observation.TaskLookMeaslesSigns: -0.15,
	observation.TaskCheckPalmarPallor: -0.1, observation.TaskLookOedema: -0.1, observation.TaskCheckImmunizationCard: -0.05,
	observation.TaskAskVomitsEverything: -0.05, observation.TaskAskConvulsions: -0.05, observation.TaskLookLethargicUnconscious: -0.1,
	observation.TaskLookListenStridorWheeze: -0.1, observation.TaskOfferFluid: -0.1, observation.TaskAssessFeeding: -0.15,
}

// nurse is one health worker's simulated skill. Skill grows with each mentoring
// visit she takes part in (see progress); workers differ a little in level and in
// how fast they learn, and each has her own habit with the growth chart.
type nurse struct {
	id        int64
	offset    float64 // this worker's shift from the average level, in probability
	pace      float64 // visits per stage of the learning curve (see progress)
	chart     float64 // her own chance of plotting weight on the growth chart
	mentored  int     // mentoring visits she has taken part in so far
	trainedOn mesh.Date
}

func newNurse(rng *rand.Rand, hw *staff.HealthWorker) *nurse {
	return &nurse{id: hw.ID, trainedOn: hw.IMCITrainedOn, offset: clamp(rng.NormFloat64()*0.04, -0.08, 0.08), pace: uniform(rng, 1.6, 2.1),
		chart: clamp(growthChartRate+rng.NormFloat64()*0.08, 0.1, 0.5)}
}

// progress is how far along the learning curve she is: 0 before mentoring, toward 1.
// The curve is S-shaped (an Erlang-2 distribution function): the first visit or two
// change little, the next few a lot, then it levels off, as MESH mentors described
// it; after about 8 visits she is 90% of the way.
func (n *nurse) progress() float64 {
	x := float64(n.mentored) / n.pace
	return 1 - (1+x)*math.Exp(-x)
}

// level interpolates a skill between its start and end, with her offset.
func (n *nurse) level(l [2]float64) float64 {
	return clamp(l[0]+(l[1]-l[0])*n.progress()+n.offset, 0.02, 0.995)
}

// act simulates what the nurse does for a child whose correct management is exp:
// the right answer with the errors her level allows. required lists the tasks the
// case calls for; weightKg picks the dose band of a drug she gives wrongly.
func (n *nurse) act(rng *rand.Rand, exp imci.Result, required []string, weightKg float64) (observation.WorkerActions, bool, string) {
	var w observation.WorkerActions
	w.Tasks = map[string]bool{}
	pTask := n.level(taskLevels)
	for _, t := range required {
		p := clamp(pTask+taskEase[t], 0.05, 0.995)
		if t == observation.TaskPlotGrowthChart {
			p = n.chart
		}
		w.Tasks[t] = chance(rng, p)
	}

	expected := codes(exp.Classifications)
	pClass := n.level(classifyLevels)
	w.Classifications = slices.Clone(expected)
	note := ""
	if !chance(rng, pClass) {
		w.Classifications, note = misclassify(rng, exp, w.Tasks)
	}

	w.Treatments = treatmentsFor(exp, w.Classifications, weightKg)
	// Classification errors that change a drug already spoil the treatment; only
	// a prescription that still matches the chart can get an error of its own.
	pTreat := n.level(treatLevels)
	if sameDrugs(w.Treatments, treatmentsFor(exp, expected, weightKg)) && !chance(rng, pTreat) {
		if t, msg := treatmentError(rng, exp, w.Treatments, weightKg); msg != "" {
			w.Treatments = t
			if note == "" {
				note = msg
			}
		}
	}

	w.Referred = exp.UrgentReferral
	if exp.UrgentReferral && !chance(rng, n.level(referralLevels)) {
		w.Referred = false
		note = "Discussed the pink classification: this child needed urgent referral."
	}
	if exp.FollowUpDays.OK {
		if chance(rng, n.level(followUpLevels)) {
			w.FollowUpDays = ptr(exp.FollowUpDays.V)
		}
	} else if chance(rng, (1-n.progress())*0.05) {
		w.FollowUpDays = ptr(2)
	}
	pc := n.level(counselLevels)
	w.Counselling = observation.Counselling{
		AdvisedWhenToReturnImmediately: chance(rng, pc),
		TaughtHowToGiveOralDrugs:       chance(rng, pc+0.03),
		FirstDoseGivenAtFacility:       chance(rng, pc),
		FeedingCounselled:              chance(rng, pc-0.1),
		FluidsAndFeedingAdvised:        chance(rng, pc),
	}
	if note == "" && !w.Counselling.AdvisedWhenToReturnImmediately {
		note = "Practised telling the mother the signs to return immediately."
	}
	return w, chance(rng, n.level(formLevels)), note
}

func codes(cs []imci.Classification) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Code
	}
	return out
}

// greenOf is the green classification of each box: what a nurse writes when she
// misses the signs of the yellow or pink one.
var greenOf = map[string]string{
	imci.BoxCough: "COUGH_OR_COLD", imci.BoxDiarrhoea: "NO_DEHYDRATION", imci.BoxFever: "FEVER_NO_MALARIA",
	imci.BoxEar: "NO_EAR_INFECTION", imci.BoxNutrition: "NO_ACUTE_MALNUTRITION", imci.BoxAnaemia: "NO_ANAEMIA",
	imci.BoxHIV: "HIV_INFECTION_UNLIKELY", imci.BoxJaundice: "NO_JAUNDICE", imci.BoxYIFeeding: "NO_FEEDING_PROBLEM",
	imci.BoxBacterialInfection: "INFECTION_UNLIKELY",
}

// overOf are the common over-classifications: a cold called pneumonia (and treated
// with amoxicillin), a negative-test fever treated as malaria.
var overOf = map[string]string{
	"COUGH_OR_COLD": "PNEUMONIA", "FEVER_NO_MALARIA": "MALARIA", "NO_DEHYDRATION": "SOME_DEHYDRATION",
}

// misclassify returns a wrong set of classifications. Most errors are incomplete
// classification (a green box not written, harmless to treatment); fewer are
// under-classification (pneumonia called a cold, often after not counting breaths),
// over-classification or a whole illness missed.
func misclassify(rng *rand.Rand, exp imci.Result, tasks map[string]bool) ([]string, string) {
	out := codes(exp.Classifications)
	var greens, severe []int
	for i, c := range exp.Classifications {
		if c.Colour == imci.Green {
			greens = append(greens, i)
		} else {
			severe = append(severe, i)
		}
	}
	// Not counting breaths is how pneumonia gets called a cold.
	if i := slices.Index(out, "PNEUMONIA"); i >= 0 && !tasks[observation.TaskCountBreaths] && !slices.Contains(out, "COUGH_OR_COLD") {
		out[i] = "COUGH_OR_COLD"
		return out, "Counted breaths together for a full minute: this child had fast breathing (PNEUMONIA)."
	}
	switch kind := rng.Float64(); {
	case kind < 0.55 && len(greens) > 0:
		i := greens[rng.IntN(len(greens))]
		return slices.Delete(out, i, i+1), "Reviewed classifying every box, including the green rows."
	case kind < 0.80 && len(severe) > 0:
		i := severe[rng.IntN(len(severe))]
		c := exp.Classifications[i]
		green, ok := greenOf[c.Box]
		if !ok || slices.Contains(out, green) {
			return slices.Delete(out, i, i+1), "Went through the " + c.Code + " row together."
		}
		out[i] = green
		return out, "Checked the signs of " + c.Code + " together: the child was under-classified."
	case kind < 0.95:
		for i, c := range out {
			if x, ok := overOf[c]; ok && !slices.Contains(out, x) {
				out[i] = x
				return out, "Looked again at the signs: " + x + " did not apply to this child."
			}
		}
	}
	if len(out) > 1 {
		i := rng.IntN(len(out))
		return slices.Delete(out, i, i+1), "Reviewed the chart box by box: one illness was not classified."
	}
	return []string{}, "Reviewed the chart box by box."
}

// treatmentsFor is what a nurse who wrote classifications given prescribes: the
// engine's drugs for the expected classifications she wrote, and the usual drug for
// a classification she wrote wrongly.
func treatmentsFor(exp imci.Result, given []string, weightKg float64) []observation.WorkerTreatment {
	out := []observation.WorkerTreatment{} // the API requires a list, empty when nothing was given
	for _, t := range exp.Treatments {
		if !(t.Drug.OK || imci.IsAntimicrobial(t.Code)) {
			continue // advice is judged by counselling
		}
		if len(t.For) > 0 && !slices.ContainsFunc(t.For, func(c string) bool { return slices.Contains(given, c) }) {
			continue // every classification it treats was missed
		}
		out = append(out, asGiven(t))
	}
	expected := codes(exp.Classifications)
	for _, c := range given {
		if slices.Contains(expected, c) {
			continue
		}
		switch c {
		case "PNEUMONIA":
			out = addDrug(out, amoxicillin(weightKg))
		case "MALARIA":
			out = addDrug(out, observation.WorkerTreatment{Code: "ARTEMETHER_LUMEFANTRINE", UnitsPerDose: ptr(1.0),
				Unit: "tablet_20_120mg", FrequencyPerDay: ptr(2), DurationDays: ptr(3)})
		}
	}
	return out
}

func addDrug(list []observation.WorkerTreatment, t observation.WorkerTreatment) []observation.WorkerTreatment {
	if slices.ContainsFunc(list, func(g observation.WorkerTreatment) bool { return g.Code == t.Code }) {
		return list
	}
	return append(list, t)
}

// amoxicillin is a weight-band dose of oral amoxicillin, as a nurse gives it for a
// cough she (wrongly) calls pneumonia.
func amoxicillin(weightKg float64) observation.WorkerTreatment {
	tablets := 1.0
	switch {
	case weightKg >= 14:
		tablets = 3
	case weightKg >= 10:
		tablets = 2
	}
	return observation.WorkerTreatment{Code: "AMOXICILLIN_ORAL", UnitsPerDose: &tablets, Unit: "tablet_250mg",
		FrequencyPerDay: ptr(2), DurationDays: ptr(5)}
}

// asGiven writes an expected treatment as a nurse who knows the chart records it:
// each amount inside the chart's band (the engine's own figure when it lies in the
// band, else the band's middle), with the chart's frequency and duration.
func asGiven(t imci.Treatment) observation.WorkerTreatment {
	g := observation.WorkerTreatment{Code: t.Code, Unit: t.Unit.V}
	g.UnitsPerDose = amount(t.UnitsPerDose, t.UnitsMin, t.UnitsMax)
	point := t.DoseMl
	if !point.OK {
		point = t.VolumeMl
	}
	g.DoseMl = amount(point, t.DoseMlMin, t.DoseMlMax)
	g.DoseMg = amount(t.DoseMg, t.DoseMgMin, t.DoseMgMax)
	if t.FrequencyPerDay.OK {
		g.FrequencyPerDay = ptr(t.FrequencyPerDay.V)
	}
	if t.DurationDays.OK {
		g.DurationDays = ptr(t.DurationDays.V)
	}
	return g
}

// amount picks the figure a correct prescription writes: the point value when it is
// inside the band (or there is no band), else the band's middle; nil when neither.
func amount(point, lo, hi imci.OptFloat) *float64 {
	band := lo.OK && hi.OK
	switch {
	case point.OK && (!band || point.V >= lo.V && point.V <= hi.V):
		return ptr(point.V)
	case band:
		return ptr((lo.V + hi.V) / 2)
	}
	return nil
}

func sameDrugs(a, b []observation.WorkerTreatment) bool {
	return slices.EqualFunc(a, b, func(x, y observation.WorkerTreatment) bool { return x.Code == y.Code })
}

// treatmentError spoils a correct prescription the ways mentors saw most: amoxicillin
// for a cough or cold, a dose from the wrong weight band, a wrong duration, a drug
// left out. It returns "" when none applies to this child.
func treatmentError(rng *rand.Rand, exp imci.Result, given []observation.WorkerTreatment, weightKg float64) ([]observation.WorkerTreatment, string) {
	out := slices.Clone(given)
	var banded, timed []int
	for i, g := range out {
		if g.UnitsPerDose != nil {
			banded = append(banded, i)
		}
		if g.DurationDays != nil {
			timed = append(timed, i)
		}
	}
	cold := slices.Contains(codes(exp.Classifications), "COUGH_OR_COLD") && !slices.ContainsFunc(out,
		func(g observation.WorkerTreatment) bool { return imci.IsAntimicrobial(g.Code) })
	for range 4 {
		switch k := rng.IntN(4); {
		case k == 0 && cold:
			return append(out, amoxicillin(weightKg)), "Amoxicillin is not needed for a cough or cold: discussed safe remedies."
		case k == 1 && len(banded) > 0:
			i := banded[rng.IntN(len(banded))]
			g := out[i]
			step := 1.0
			if *g.UnitsPerDose < 1 {
				step = 0.5
			}
			if chance(rng, 0.5) && *g.UnitsPerDose > step {
				step = -step
			}
			g.UnitsPerDose, g.DoseMg, g.DoseMl = ptr(*g.UnitsPerDose+step), nil, nil
			out[i] = g
			return out, "Read the weight band on the chart booklet together: the dose of " + g.Code + " was from the wrong band."
		case k == 2 && len(timed) > 0:
			i := timed[rng.IntN(len(timed))]
			g := out[i]
			d := *g.DurationDays - 2
			if d < 1 {
				d = *g.DurationDays + 2
			}
			g.DurationDays = &d
			out[i] = g
			return out, "Checked how many days " + g.Code + " is given for."
		case k == 3 && len(out) > 0:
			i := rng.IntN(len(out))
			code := out[i].Code
			return slices.Delete(out, i, i+1), "Went through the treatment box: " + code + " was not given."
		}
	}
	return given, ""
}
