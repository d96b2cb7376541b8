package observation

import (
	"slices"

	"mesh/imci"
)

// IndicatorValue is one observation's contribution to an indicator (indicators.md):
// Den 1 when it is in the denominator, Num its numerator (0 or 1; the index itself
// for the mean imci.assessment_index). Den 0 means "not counted".
type IndicatorValue struct {
	ID  string  `json:"id"`
	Den float64 `json:"den"`
	Num float64 `json:"num"`
}

// Indicators returns the observation's contributions to the IMCI-quality indicators:
// imci.* for a child 2–59 months, yi.* for a young infant. Every indicator of the
// family is listed, Den 0 where the observation is not counted, so re-scoring can
// subtract the old list and add the new one. Young infants have no general danger
// signs, main-symptom, malaria, MUAC or pallor tasks, so those yi.* ids do not exist;
// yi.breastfeed_observed (observe_breastfeed) is their own family member.
// imci.referred_when_needed counts observations expecting *urgent* referral: the
// engine treats a pink severe dehydration at the facility (Plan C), not by referral.
func (s Score) Indicators() []IndicatorValue {
	if s.AgeGroup == imci.AgeGroupYoungInfant {
		return s.youngInfantIndicators()
	}
	return s.childIndicators()
}

// ind accumulates indicator values with one prefix.
type ind struct {
	prefix string
	out    []IndicatorValue
}

func (b *ind) add(id string, inDen, inNum bool) {
	v := IndicatorValue{ID: b.prefix + id}
	if inDen {
		v.Den = 1
		if inNum {
			v.Num = 1
		}
	}
	b.out = append(b.out, v)
}

func (s Score) childIndicators() []IndicatorValue {
	b := &ind{prefix: "imci."}
	s.common(b, func() {
		b.add("danger_signs_all", true, s.allDone(dangerSignTasks))
		b.add("main_symptoms_all", true, s.allDone(mainSymptomTasks))
		s.task(b, "breaths_counted", TaskCountBreaths)
		b.add("dehydration_assessed", s.required(TaskOfferFluid), s.allDone(dehydrationTasks))
		s.task(b, "malaria_tested", TaskMalariaTest)
		s.task(b, "weighed", TaskWeigh)
		s.task(b, "growth_chart_used", TaskPlotGrowthChart)
		s.task(b, "muac_measured", TaskMeasureMUAC)
		s.task(b, "pallor_checked", TaskCheckPalmarPallor)
		s.task(b, "immunization_checked", TaskCheckImmunizationCard)
	})
	return b.out
}

func (s Score) youngInfantIndicators() []IndicatorValue {
	b := &ind{prefix: "yi."}
	s.common(b, func() {
		s.task(b, "breaths_counted", TaskCountBreaths)
		b.add("dehydration_assessed", s.required(TaskPinchSkin), s.allDone(yiDehydrationTasks))
		s.task(b, "weighed", TaskWeigh)
		s.task(b, "growth_chart_used", TaskPlotGrowthChart)
		s.task(b, "immunization_checked", TaskCheckImmunizationCard)
		s.task(b, "breastfeed_observed", TaskObserveBreastfeed)
	})
	return b.out
}

// common adds the indicators both families share, with the task indicators in the
// catalogue's place between the form and the assessment index.
func (s Score) common(b *ind, tasks func()) {
	f := s.Facts
	b.add("trained_provider", true, f.ProviderTrained)
	b.add("recording_form_used", true, f.RecordingFormUsed)
	tasks()
	b.out = append(b.out, IndicatorValue{ID: b.prefix + "assessment_index", Den: 1, Num: s.AssessmentIndex})
	b.add("correct_classification", true, s.ClassificationCorrect)
	b.add("correct_treatment", true, s.TreatmentCorrect)
	b.add("antibiotic_not_indicated", !f.AntimicrobialIndicated, f.AntimicrobialGiven)
	b.add("correct_dose", f.DrugGiven, len(s.DoseErrors) == 0)
	b.add("referred_when_needed", f.UrgentReferralExpected, f.Referred)
	b.add("return_advice", true, f.ReturnAdvised)
	b.add("follow_up_correct", f.FollowUpExpected, s.FollowUpCorrect)
	b.add("correctly_managed", true, s.CorrectlyManaged)
}

// task adds a one-task indicator: counted when required, met when done.
func (s Score) task(b *ind, id, task string) {
	b.add(id, s.required(task), s.allDone([]string{task}))
}

func (s Score) required(task string) bool { return slices.Contains(s.TasksRequired, task) }

// allDone: every listed task that is required was done (tasks not required are ignored).
func (s Score) allDone(tasks []string) bool {
	for _, t := range tasks {
		if s.required(t) && slices.Contains(s.TasksMissed, t) {
			return false
		}
	}
	return true
}
