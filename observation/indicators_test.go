package observation

import (
	"testing"
	"time"

	"mesh/imci"
)

func TestIndicators(t *testing.T) {
	values := func(s Score) map[string][2]float64 {
		out := map[string][2]float64{}
		for _, v := range s.Indicators() {
			out[v.ID] = [2]float64{v.Den, v.Num}
		}
		return out
	}
	t.Run("pneumonia, breaths not counted, amoxicillin overdosed", func(t *testing.T) {
		_, s := scored(t, pneumonia, func(w *WorkerActions, _ imci.Result) {
			w.Tasks[TaskCountBreaths] = false
			setTreatment(w, "AMOXICILLIN_ORAL", func(g *WorkerTreatment) { g.UnitsPerDose = ptr(2.0) })
		})
		want := map[string][2]float64{
			"imci.trained_provider": {1, 1}, "imci.recording_form_used": {1, 1}, "imci.danger_signs_all": {1, 1},
			"imci.main_symptoms_all": {1, 1}, "imci.breaths_counted": {1, 0}, "imci.dehydration_assessed": {0, 0},
			"imci.malaria_tested": {0, 0}, "imci.weighed": {1, 1}, "imci.growth_chart_used": {1, 1}, "imci.muac_measured": {1, 1},
			"imci.pallor_checked": {1, 1}, "imci.immunization_checked": {1, 1}, "imci.assessment_index": {1, 18.0 / 19},
			"imci.correct_classification": {1, 1}, "imci.correct_treatment": {1, 0}, "imci.antibiotic_not_indicated": {0, 0},
			"imci.correct_dose": {1, 0}, "imci.referred_when_needed": {0, 0}, "imci.return_advice": {1, 1},
			"imci.follow_up_correct": {1, 1}, "imci.correctly_managed": {1, 0},
		}
		check(t, "indicators", values(s), want)
	})
	t.Run("cough or cold given amoxicillin, trained after the observation", func(t *testing.T) {
		o := newObservation(t, coughOrCold30m)
		c, res := expect(t, o)
		w := perfectWorker(c, res)
		w.Treatments = append(w.Treatments, WorkerTreatment{Code: "AMOXICILLIN_ORAL", UnitsPerDose: ptr(2.0), FrequencyPerDay: ptr(2), DurationDays: ptr(5)})
		w.Tasks[TaskLookSunkenEyes] = false // not required: no effect
		c.Observation.Worker = w
		c.Observation.RecordingFormUsed = false
		s := ScoreCase(c, res, Options{TrainedOn: "2026-03-15"})
		v := values(s)
		for id, want := range map[string][2]float64{
			"imci.trained_provider": {1, 0}, "imci.recording_form_used": {1, 0}, "imci.antibiotic_not_indicated": {1, 1},
			"imci.correct_dose": {1, 1}, "imci.correct_treatment": {1, 0}, "imci.follow_up_correct": {1, 1},
			"imci.assessment_index": {1, 1}, "imci.muac_measured": {1, 1},
		} {
			if v[id] != want {
				t.Errorf("%s = %v, want %v", id, v[id], want)
			}
		}
	})
	t.Run("trained on the day of the observation counts", func(t *testing.T) {
		o := newObservation(t, coughOrCold30m)
		o.ObservedAt = time.Date(2026, 3, 14, 23, 30, 0, 0, time.FixedZone("CAT", 2*3600)) // 21:30 UTC, still the 14th locally
		c, res := expect(t, o)
		c.Observation.Worker = perfectWorker(c, res)
		if v := values(ScoreCase(c, res, Options{TrainedOn: "2026-03-14"})); v["imci.trained_provider"] != [2]float64{1, 1} {
			t.Errorf("trained_provider = %v", v["imci.trained_provider"])
		}
	})
	t.Run("young infant referred urgently", func(t *testing.T) {
		_, s := scored(t, yiVerySevere, func(w *WorkerActions, _ imci.Result) { w.Referred = false })
		want := map[string][2]float64{
			"yi.trained_provider": {1, 1}, "yi.recording_form_used": {1, 1}, "yi.breaths_counted": {1, 1},
			"yi.dehydration_assessed": {0, 0}, "yi.weighed": {1, 1}, "yi.growth_chart_used": {1, 1},
			"yi.immunization_checked": {1, 1}, "yi.breastfeed_observed": {0, 0}, "yi.assessment_index": {1, 1},
			"yi.correct_classification": {1, 1}, "yi.correct_treatment": {1, 1}, "yi.antibiotic_not_indicated": {0, 0},
			"yi.correct_dose": {1, 1}, "yi.referred_when_needed": {1, 0}, "yi.return_advice": {1, 1},
			"yi.follow_up_correct": {0, 0}, "yi.correctly_managed": {1, 0},
		}
		check(t, "indicators", values(s), want)
	})
}
