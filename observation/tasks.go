package observation

import (
	"math"
	"slices"

	"mesh/imci"
)

// Assessment task codes of observation.md §2, in the order of the chart (the order
// of tasks_required, tasks_missed and of missed-task feedback).
const (
	TaskAskDrinkOrBreastfeed     = "ask_drink_or_breastfeed"
	TaskAskVomitsEverything      = "ask_vomits_everything"
	TaskAskConvulsions           = "ask_convulsions"
	TaskLookLethargicUnconscious = "look_lethargic_unconscious"
	TaskAskCough                 = "ask_cough"
	TaskAskDiarrhoea             = "ask_diarrhoea"
	TaskAskFever                 = "ask_fever"
	TaskAskEarProblem            = "ask_ear_problem"
	TaskCountBreaths             = "count_breaths_one_minute"
	TaskLookChestIndrawing       = "look_chest_indrawing"
	TaskLookListenStridorWheeze  = "look_listen_stridor_wheeze"
	TaskAskDiarrhoeaDuration     = "ask_diarrhoea_duration"
	TaskAskBloodInStool          = "ask_blood_in_stool"
	TaskLookSunkenEyes           = "look_sunken_eyes"
	TaskOfferFluid               = "offer_fluid"
	TaskPinchSkin                = "pinch_skin"
	TaskAskFeverDuration         = "ask_fever_duration"
	TaskLookStiffNeck            = "look_stiff_neck"
	TaskLookMeaslesSigns         = "look_measles_signs"
	TaskMalariaTest              = "malaria_test"
	TaskLookEarPus               = "look_ear_pus"
	TaskFeelBehindEar            = "feel_behind_ear"
	TaskMeasureTemperature       = "measure_temperature"
	TaskWeigh                    = "weigh"
	TaskPlotGrowthChart          = "plot_growth_chart"
	TaskLookOedema               = "look_oedema"
	TaskCheckPalmarPallor        = "check_palmar_pallor"
	TaskCheckImmunizationCard    = "check_immunization_card"
	TaskMeasureMUAC              = "measure_muac"
	TaskAssessFeeding            = "assess_feeding"
	TaskAskFeeding               = "ask_feeding"
	TaskLookSevereChestIndrawing = "look_severe_chest_indrawing"
	TaskLookUmbilicus            = "look_umbilicus"
	TaskLookSkinPustules         = "look_skin_pustules"
	TaskLookMovement             = "look_movement"
	TaskLookJaundice             = "look_jaundice"
	TaskObserveBreastfeed        = "observe_breastfeed"
)

// taskOrder lists every known task code once, in chart order.
var taskOrder = []string{
	TaskAskDrinkOrBreastfeed, TaskAskVomitsEverything, TaskAskConvulsions, TaskLookLethargicUnconscious,
	TaskAskCough, TaskAskDiarrhoea, TaskAskFever, TaskAskEarProblem,
	TaskCountBreaths, TaskLookChestIndrawing, TaskLookListenStridorWheeze, TaskLookSevereChestIndrawing,
	TaskAskDiarrhoeaDuration, TaskAskBloodInStool, TaskLookSunkenEyes, TaskOfferFluid, TaskPinchSkin,
	TaskAskFeverDuration, TaskLookStiffNeck, TaskLookMeaslesSigns, TaskMalariaTest,
	TaskLookEarPus, TaskFeelBehindEar,
	TaskAskFeeding, TaskLookUmbilicus, TaskLookSkinPustules, TaskLookMovement, TaskLookJaundice,
	TaskMeasureTemperature, TaskWeigh, TaskPlotGrowthChart, TaskLookOedema, TaskCheckPalmarPallor,
	TaskCheckImmunizationCard, TaskMeasureMUAC, TaskAssessFeeding, TaskObserveBreastfeed,
}

// Task groups the indicators read.
var (
	dangerSignTasks  = []string{TaskAskDrinkOrBreastfeed, TaskAskVomitsEverything, TaskAskConvulsions, TaskLookLethargicUnconscious}
	mainSymptomTasks = []string{TaskAskCough, TaskAskDiarrhoea, TaskAskFever, TaskAskEarProblem}
	// dehydrationTasks are the diarrhoea tasks that decide dehydration (not duration or blood).
	dehydrationTasks   = []string{TaskLookSunkenEyes, TaskOfferFluid, TaskPinchSkin}
	yiDehydrationTasks = []string{TaskLookSunkenEyes, TaskPinchSkin}
)

// TaskCodes lists every assessment task code in chart order.
func TaskCodes() []string { return slices.Clone(taskOrder) }

// IsTask reports whether code is a known assessment task.
func IsTask(code string) bool { return slices.Contains(taskOrder, code) }

// daysPerMonth converts ages as the IMCI engine does (imci.md §2).
const daysPerMonth = 30.4375

// ageDays returns the input's age in completed days; ok is false when no age is given.
func ageDays(in imci.Input) (int, bool) {
	switch {
	case in.AgeDays != nil:
		return *in.AgeDays, true
	case in.AgeMonths != nil:
		return int(math.Floor(*in.AgeMonths * daysPerMonth)), true
	}
	return 0, false
}

// atLeastMonths applies the day edges of imci.md §2 (6 m = 182 d, 24 m = 730 d).
func atLeastMonths(days int, m float64) bool { return days >= int(math.Floor(m*daysPerMonth)) }

// isYoungInfant reports age 0–59 days.
func isYoungInfant(in imci.Input) bool {
	d, ok := ageDays(in)
	return ok && d <= 59
}

// RequiredTasks returns the tasks observation.md §2 requires for this case, in chart
// order. Rows of §2 without the "young infant" label apply to children 2–59 months;
// a young infant gets the young-infant rows, plus the young-infant diarrhoea signs of
// imci.md §7.3 when diarrhoea is present (§2 is silent there).
func RequiredTasks(in imci.Input, expected imci.Result) []string {
	var req []string
	if isYoungInfant(in) {
		req = youngInfantTasks(in, expected)
	} else {
		req = childTasks(in, expected)
	}
	return inChartOrder(req)
}

func inChartOrder(codes []string) []string {
	out := make([]string, 0, len(codes))
	for _, t := range taskOrder {
		if slices.Contains(codes, t) {
			out = append(out, t)
		}
	}
	return out
}

func childTasks(in imci.Input, expected imci.Result) []string {
	req := append(slices.Clone(dangerSignTasks), mainSymptomTasks...)
	if in.Cough != nil && isTrue(in.Cough.Present) {
		req = append(req, TaskCountBreaths, TaskLookChestIndrawing, TaskLookListenStridorWheeze)
	}
	if in.Diarrhoea != nil && isTrue(in.Diarrhoea.Present) {
		req = append(req, TaskAskDiarrhoeaDuration, TaskAskBloodInStool, TaskLookSunkenEyes, TaskOfferFluid, TaskPinchSkin)
	}
	if feverPresent(in) {
		req = append(req, TaskAskFeverDuration, TaskLookStiffNeck, TaskLookMeaslesSigns)
		if malariaTestRequired(in) {
			req = append(req, TaskMalariaTest)
		}
	}
	if in.Ear != nil && isTrue(in.Ear.Present) {
		req = append(req, TaskLookEarPus, TaskFeelBehindEar)
	}
	req = append(req, TaskMeasureTemperature, TaskWeigh, TaskPlotGrowthChart, TaskLookOedema,
		TaskCheckPalmarPallor, TaskCheckImmunizationCard)
	days, _ := ageDays(in)
	if atLeastMonths(days, 6) {
		req = append(req, TaskMeasureMUAC)
	}
	if feedingAssessmentRequired(days, expected) {
		req = append(req, TaskAssessFeeding)
	}
	return req
}

// feedingAssessmentRequired: age under 2 years, anaemia or moderate acute malnutrition
// (observation.md §2 counts anaemia even where the engine's protocol does not).
func feedingAssessmentRequired(days int, expected imci.Result) bool {
	return !atLeastMonths(days, 24) || expected.FeedingAssessmentRequired ||
		hasClass(expected, "ANAEMIA") || hasClass(expected, "MODERATE_ACUTE_MALNUTRITION")
}

func youngInfantTasks(in imci.Input, expected imci.Result) []string {
	req := []string{TaskAskFeeding, TaskAskConvulsions, TaskCountBreaths, TaskLookSevereChestIndrawing,
		TaskMeasureTemperature, TaskLookUmbilicus, TaskLookSkinPustules, TaskLookMovement, TaskLookJaundice,
		TaskAskDiarrhoea, TaskWeigh, TaskPlotGrowthChart, TaskCheckImmunizationCard}
	yi := in.YoungInfant
	if yi != nil && yi.Diarrhoea != nil && isTrue(yi.Diarrhoea.Present) {
		req = append(req, TaskAskDiarrhoeaDuration, TaskAskBloodInStool, TaskLookSunkenEyes, TaskPinchSkin)
	}
	if !expected.UrgentReferral && yi != nil && yi.Feeding != nil && isTrue(yi.Feeding.Breastfed) {
		req = append(req, TaskObserveBreastfeed)
	}
	return req
}

// feverPresent follows imci.md §6.4: fever reported, or an axillary-equivalent
// temperature of 37.5 °C or more.
func feverPresent(in imci.Input) bool {
	if in.Fever != nil && isTrue(in.Fever.Reported) {
		return true
	}
	if in.TemperatureC == nil {
		return false
	}
	t := *in.TemperatureC
	if in.TemperatureSite == "rectal" {
		t -= 0.5
	}
	return math.Round(t*100)/100 >= 37.5
}

// malariaTestRequired applies the testing rule of imci.md §6.4: every febrile child in
// high risk and every febrile traveller; in low risk only without an obvious cause.
// An unknown obvious cause counts as none (test: the safer reading), and an unknown
// travel history in a no-risk area as no travel (nothing points to malaria).
func malariaTestRequired(in imci.Input) bool {
	f := in.Fever
	switch in.Setting.MalariaRisk {
	case "high":
		return true
	case "low":
		return !obviousCause(in)
	}
	return f != nil && isTrue(f.TravelToMalariaAreaLast15Days)
}

// obviousCause is runny nose, another obvious cause or measles now (imci.md §6.4).
func obviousCause(in imci.Input) bool {
	f := in.Fever
	if f == nil {
		return false
	}
	cough := in.Cough != nil && isTrue(in.Cough.Present)
	measlesNow := isTrue(f.GeneralizedRash) && (cough || isTrue(f.RunnyNose) || isTrue(f.RedEyes))
	return isTrue(f.RunnyNose) || isTrue(f.OtherObviousCause) || measlesNow
}

func isTrue(b *bool) bool { return b != nil && *b }

func hasClass(r imci.Result, code string) bool {
	for _, c := range r.Classifications {
		if c.Code == code {
			return true
		}
	}
	return false
}
