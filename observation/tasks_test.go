package observation

import (
	"slices"
	"testing"
)

func TestRequiredTasks(t *testing.T) {
	noFever := map[string]any{"reported": false}
	fever := func(risk string, runnyNose, travel bool) assessment {
		return child8m().with("setting.malaria_risk", risk).with("fever", map[string]any{"reported": true, "duration_days": 2,
			"present_every_day": true, "stiff_neck": false, "malaria_test": "not_available", "runny_nose": runnyNose,
			"travel_to_malaria_area_last_15_days": travel, "generalized_rash": false, "measles_last_3_months": false})
	}
	tests := []struct {
		name          string
		a             assessment
		want, notWant []string
	}{
		{"well child 8 months", child8m(),
			[]string{TaskAskDrinkOrBreastfeed, TaskAskEarProblem, TaskMeasureTemperature, TaskWeigh, TaskPlotGrowthChart, TaskLookOedema,
				TaskCheckPalmarPallor, TaskCheckImmunizationCard, TaskMeasureMUAC, TaskAssessFeeding},
			[]string{TaskCountBreaths, TaskPinchSkin, TaskLookStiffNeck, TaskMalariaTest, TaskLookEarPus, TaskObserveBreastfeed, TaskAskFeeding}},
		{"cough", pneumonia, []string{TaskCountBreaths, TaskLookChestIndrawing, TaskLookListenStridorWheeze}, []string{TaskPinchSkin}},
		{"diarrhoea", someDehydration, []string{TaskAskDiarrhoeaDuration, TaskAskBloodInStool, TaskLookSunkenEyes, TaskOfferFluid, TaskPinchSkin}, []string{TaskCountBreaths}},
		{"fever, high risk: test", fever("high", true, false), []string{TaskAskFeverDuration, TaskLookStiffNeck, TaskLookMeaslesSigns, TaskMalariaTest}, nil},
		{"fever, low risk, runny nose: no test", fever("low", true, false), []string{TaskLookStiffNeck}, []string{TaskMalariaTest}},
		{"fever, low risk, no obvious cause: test", fever("low", false, false), []string{TaskMalariaTest}, nil},
		{"fever, no risk: no test", fever("none", false, false), []string{TaskLookStiffNeck}, []string{TaskMalariaTest}},
		{"fever, no risk, traveller: test", fever("none", false, true), []string{TaskMalariaTest}, nil},
		{"measured fever without history", child8m().with("fever", noFever).with("temperature_c", 38.0), []string{TaskLookStiffNeck}, nil},
		{"rectal 37.9 is not fever", child8m().with("fever", noFever).with("temperature_c", 37.9).with("temperature_site", "rectal"), nil, []string{TaskLookStiffNeck}},
		{"ear problem", child8m().with("ear", map[string]any{"present": true, "ear_pain": true, "pus_seen_draining": false, "tender_swelling_behind_ear": false}),
			[]string{TaskLookEarPus, TaskFeelBehindEar}, nil},
		{"4 months: no MUAC", child8m().with("age_months", 4), []string{TaskAssessFeeding}, []string{TaskMeasureMUAC}},
		{"30 months: no feeding assessment", coughOrCold30m, []string{TaskMeasureMUAC}, []string{TaskAssessFeeding}},
		{"30 months with anaemia: feeding assessment", coughOrCold30m.with("anaemia.palmar_pallor", "some"), []string{TaskAssessFeeding}, nil},
		{"young infant breastfed", youngInfant(),
			[]string{TaskAskFeeding, TaskAskConvulsions, TaskCountBreaths, TaskLookSevereChestIndrawing, TaskMeasureTemperature, TaskLookUmbilicus,
				TaskLookSkinPustules, TaskLookMovement, TaskLookJaundice, TaskAskDiarrhoea, TaskWeigh, TaskPlotGrowthChart, TaskCheckImmunizationCard, TaskObserveBreastfeed},
			[]string{TaskAskDrinkOrBreastfeed, TaskLookOedema, TaskMeasureMUAC, TaskCheckPalmarPallor, TaskAskFever}},
		{"young infant referred: no breastfeed observation", yiVerySevere, []string{TaskAskFeeding}, []string{TaskObserveBreastfeed}},
		{"young infant not breastfed", youngInfant().with("young_infant.feeding.breastfed", false), nil, []string{TaskObserveBreastfeed}},
		{"young infant with diarrhoea", youngInfant().with("young_infant.diarrhoea", map[string]any{"present": true, "duration_days": 2,
			"blood_in_stool": false, "restless_irritable": false, "sunken_eyes": false, "skin_pinch": "immediately"}),
			[]string{TaskLookSunkenEyes, TaskPinchSkin}, []string{TaskOfferFluid}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, res := expect(t, newObservation(t, tt.a))
			got := RequiredTasks(c.Input, res)
			for _, w := range tt.want {
				if !slices.Contains(got, w) {
					t.Errorf("%s not required: %v", w, got)
				}
			}
			for _, w := range tt.notWant {
				if slices.Contains(got, w) {
					t.Errorf("%s required: %v", w, got)
				}
			}
		})
	}
}

func TestTaskMessagesComplete(t *testing.T) {
	for _, code := range TaskCodes() {
		if taskMessages[code] == "" {
			t.Errorf("no coaching message for task %s", code)
		}
	}
	if len(taskMessages) != len(TaskCodes()) {
		t.Errorf("%d messages for %d tasks", len(taskMessages), len(TaskCodes()))
	}
}
