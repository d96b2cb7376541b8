package imci

import "testing"

func TestDangerSignsAndCough(t *testing.T) {
	lethargic := set("danger_signs.lethargic_or_unconscious", true)
	runBoxCases(t, []boxCase{
		{"no danger sign", baseChild(8.0), BoxDangerSigns, nil, nil},
		{"danger sign is pink", baseChild(8.0, lethargic), BoxDangerSigns, []string{"VERY_SEVERE_DISEASE"}, nil},
		{"rr 49 at 11 months not fast", baseChild(11.0, coughBlock(49)), BoxCough, []string{"COUGH_OR_COLD"}, nil},
		{"rr 50 at 11 months fast", baseChild(11.0, coughBlock(50)), BoxCough, []string{"PNEUMONIA"}, nil},
		{"rr 39 at 12 months not fast", baseChild(12.0, coughBlock(39)), BoxCough, []string{"COUGH_OR_COLD"}, nil},
		{"rr 40 at 12 months fast", baseChild(12.0, coughBlock(40)), BoxCough, []string{"PNEUMONIA"}, nil},
		{"11.9 months rr 45 not fast", baseChild(11.9, coughBlock(45)), BoxCough, []string{"COUGH_OR_COLD"}, nil},
		{"12.0 months rr 40 fast", baseChild(12.0, coughBlock(40)), BoxCough, []string{"PNEUMONIA"}, nil},
		{"364 days rr 45 not fast", baseChild(364, coughBlock(45)), BoxCough, []string{"COUGH_OR_COLD"}, nil},
		{"365 days rr 40 fast", baseChild(365, coughBlock(40)), BoxCough, []string{"PNEUMONIA"}, nil},
		{"60 days is a child: rr 50 fast", baseChild(60, coughBlock(50)), BoxCough, []string{"PNEUMONIA"}, nil},
		{"chest indrawing is yellow", baseChild(30.0, coughBlock(30), set("cough.chest_indrawing", true)), BoxCough, []string{"PNEUMONIA"}, nil},
		{"stridor is pink", baseChild(30.0, coughBlock(30), set("cough.stridor_when_calm", true)), BoxCough, []string{"SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE"}, nil},
		{"danger sign makes cough pink", baseChild(30.0, coughBlock(30), lethargic), BoxCough, []string{"SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE"}, nil},
		{"pink beats yellow", baseChild(30.0, coughBlock(60), set("cough.stridor_when_calm", true), set("cough.chest_indrawing", true)), BoxCough, []string{"SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE"}, nil},
		{"pink wins over unknown later rows", baseChild(30.0, coughBlock(30), set("cough.stridor_when_calm", true), set("cough.respiratory_rate", nil)), BoxCough, []string{"SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE"}, nil},
		{"stridor unknown", baseChild(30.0, coughBlock(60), set("cough.stridor_when_calm", nil)), BoxCough, nil, []string{"cough.stridor_when_calm"}},
		{"rr unknown", baseChild(30.0, coughBlock(30), set("cough.respiratory_rate", nil)), BoxCough, nil, []string{"cough.respiratory_rate"}},
		{"rr unknown but indrawing", baseChild(30.0, coughBlock(30), set("cough.respiratory_rate", nil), set("cough.chest_indrawing", true)), BoxCough, []string{"PNEUMONIA"}, nil},
		{"fast breathing, wheeze unknown", baseChild(30.0, coughBlock(45), set("cough.wheeze", nil)), BoxCough, nil, []string{"cough.wheeze"}},
		{"trial clears fast breathing", baseChild(30.0, coughBlock(45), set("cough.wheeze", true),
			set("cough.bronchodilator_trial", map[string]any{"done": true, "respiratory_rate_after": 35, "chest_indrawing_after": false, "wheeze_after": false})),
			BoxCough, []string{"COUGH_OR_COLD"}, nil},
		{"trial leaves fast breathing", baseChild(30.0, coughBlock(45), set("cough.wheeze", true),
			set("cough.bronchodilator_trial", map[string]any{"done": true, "respiratory_rate_after": 42, "chest_indrawing_after": false})),
			BoxCough, []string{"PNEUMONIA"}, nil},
		{"cough omitted", baseChild(30.0, del("cough")), BoxCough, nil, []string{"cough"}},
		{"cough absent", baseChild(30.0), BoxCough, nil, nil},
	})
}

func TestCoughTreatments(t *testing.T) {
	r := classifyMap(t, baseChild(30.0, coughBlock(45), set("cough.wheeze", true)))
	if !hasString(r.Warnings, "BRONCHODILATOR_TRIAL_NOT_DONE") {
		t.Errorf("warnings %v lack BRONCHODILATOR_TRIAL_NOT_DONE", r.Warnings)
	}
	if got, want := txCodes(r.Treatments), sorted("AMOXICILLIN_ORAL", "SALBUTAMOL_INHALED", "SOOTHE_THROAT_SAFE_REMEDY"); !eq(got, want) {
		t.Errorf("treatments %v, want %v", got, want)
	}
	if !r.FollowUpDays.OK || r.FollowUpDays.V != 3 {
		t.Errorf("follow-up %v, want 3", r.FollowUpDays)
	}

	// Cough more than 14 days: 14 does not refer, 15 does (non-urgent).
	r = classifyMap(t, baseChild(30.0, coughBlock(30), set("cough.duration_days", 14)))
	if _, ok := treatment(r, "REFER_TB_ASTHMA_ASSESSMENT"); ok || r.Referral != "NONE" {
		t.Errorf("14 days: referral %s", r.Referral)
	}
	r = classifyMap(t, baseChild(30.0, coughBlock(30), set("cough.duration_days", 15)))
	if _, ok := treatment(r, "REFER_TB_ASTHMA_ASSESSMENT"); !ok || r.Referral != "NON_URGENT" {
		t.Errorf("15 days: referral %s", r.Referral)
	}

	// SpO2 below 90 %: urgent referral, first dose of amoxicillin.
	r = classifyMap(t, baseChild(30.0, coughBlock(45), set("cough.spo2_percent", 89)))
	if !r.UrgentReferral || !hasString(r.ReferralReasons, "LOW_OXYGEN_SATURATION") {
		t.Errorf("spo2 89: urgent %v reasons %v", r.UrgentReferral, r.ReferralReasons)
	}
	if _, ok := treatment(r, "AMOXICILLIN_FIRST_DOSE"); !ok {
		t.Errorf("spo2 89: treatments %v lack AMOXICILLIN_FIRST_DOSE", txCodes(r.Treatments))
	}
	if r.FollowUpDays.OK {
		t.Errorf("urgent referral has follow-up %v", r.FollowUpDays.V)
	}
	r = classifyMap(t, baseChild(30.0, coughBlock(45), set("cough.spo2_percent", 90)))
	if r.UrgentReferral {
		t.Errorf("spo2 90 is not low")
	}

	// HIV-exposed child with chest indrawing: first dose and non-urgent referral.
	r = classifyMap(t, baseChild(30.0, coughBlock(30), set("cough.chest_indrawing", true),
		set("hiv", map[string]any{"mother_status": "positive", "child_virological_test": "not_done", "child_serological_test": "not_done"})))
	if _, ok := treatment(r, "AMOXICILLIN_FIRST_DOSE"); !ok || r.Referral != "NON_URGENT" {
		t.Errorf("HIV + indrawing: %v referral %s", txCodes(r.Treatments), r.Referral)
	}
	if _, ok := treatment(r, "AMOXICILLIN_ORAL"); ok {
		t.Errorf("HIV + indrawing must not get the 5-day course")
	}
	for _, f := range r.FollowUp {
		if f.For == "PNEUMONIA" {
			t.Errorf("HIV + indrawing: unexpected pneumonia follow-up")
		}
	}
	r = classifyMap(t, baseChild(30.0, coughBlock(30), set("cough.chest_indrawing", true)))
	if !hasString(r.Warnings, "HIV_STATUS_NOT_RECORDED") {
		t.Errorf("indrawing without hiv block: warnings %v", r.Warnings)
	}

	// 3-day amoxicillin only with the setting, low HIV prevalence, fast breathing alone.
	three := mods(set("setting.amoxicillin_3_days_low_hiv", true), set("setting.hiv_prevalence", "low"))
	r = classifyMap(t, baseChild(30.0, coughBlock(45), three))
	if a, _ := treatment(r, "AMOXICILLIN_ORAL"); a.DurationDays.V != 3 {
		t.Errorf("3-day option: duration %v", a.DurationDays)
	}
	r = classifyMap(t, baseChild(30.0, coughBlock(45), three, set("cough.chest_indrawing", true)))
	if a, _ := treatment(r, "AMOXICILLIN_ORAL"); a.DurationDays.V != 5 {
		t.Errorf("indrawing keeps 5 days: %v", a.DurationDays)
	}
	r = classifyMap(t, baseChild(30.0, coughBlock(45), set("setting.amoxicillin_3_days_low_hiv", true)))
	if a, _ := treatment(r, "AMOXICILLIN_ORAL"); a.DurationDays.V != 5 {
		t.Errorf("high HIV prevalence (default) keeps 5 days: %v", a.DurationDays)
	}
}

func TestDiarrhoea(t *testing.T) {
	d := diarrhoeaBlock()
	lethargic := set("danger_signs.lethargic_or_unconscious", true)
	runBoxCases(t, []boxCase{
		{"D1 lethargic + sunken", baseChild(30.0, d, lethargic, set("diarrhoea.sunken_eyes", true)), BoxDiarrhoea, []string{"SEVERE_DEHYDRATION"}, nil},
		{"D1 sunken + not able to drink + very slow", baseChild(30.0, d, set("diarrhoea.sunken_eyes", true), set("diarrhoea.drinking", "not_able_or_drinks_poorly")), BoxDiarrhoea, []string{"SEVERE_DEHYDRATION"}, nil},
		{"D1 danger-sign not able to drink + very slow pinch", baseChild(30.0, d, set("danger_signs.not_able_to_drink_or_breastfeed", true), set("diarrhoea.skin_pinch", "very_slowly"), set("diarrhoea.drinking", nil)), BoxDiarrhoea, []string{"SEVERE_DEHYDRATION"}, nil},
		{"one severe + one some = SOME", baseChild(30.0, d, set("diarrhoea.skin_pinch", "very_slowly"), set("diarrhoea.restless_irritable", true)), BoxDiarrhoea, []string{"SOME_DEHYDRATION"}, nil},
		{"D2 restless + thirsty", baseChild(30.0, d, set("diarrhoea.restless_irritable", true), set("diarrhoea.drinking", "drinks_eagerly_thirsty")), BoxDiarrhoea, []string{"SOME_DEHYDRATION"}, nil},
		{"D2 sunken + slow pinch", baseChild(30.0, d, set("diarrhoea.sunken_eyes", true), set("diarrhoea.skin_pinch", "slowly")), BoxDiarrhoea, []string{"SOME_DEHYDRATION"}, nil},
		{"D3 one sign only", baseChild(30.0, d, set("diarrhoea.restless_irritable", true)), BoxDiarrhoea, []string{"NO_DEHYDRATION"}, nil},
		{"D3 no sign", baseChild(30.0, d), BoxDiarrhoea, []string{"NO_DEHYDRATION"}, nil},
		{"unknown sunken blocks", baseChild(30.0, d, set("diarrhoea.restless_irritable", true), set("diarrhoea.sunken_eyes", nil)), BoxDiarrhoea, nil, []string{"diarrhoea.sunken_eyes"}},
		{"one unknown sign cannot reach two", baseChild(30.0, d, set("diarrhoea.sunken_eyes", nil)), BoxDiarrhoea, []string{"NO_DEHYDRATION"}, nil},
		{"13 days not persistent", baseChild(30.0, d, set("diarrhoea.duration_days", 13)), BoxDiarrhoea, []string{"NO_DEHYDRATION"}, nil},
		{"14 days persistent", baseChild(30.0, d, set("diarrhoea.duration_days", 14)), BoxDiarrhoea, []string{"NO_DEHYDRATION", "PERSISTENT_DIARRHOEA"}, nil},
		{"14 days with some dehydration", baseChild(30.0, d, set("diarrhoea.duration_days", 14), set("diarrhoea.restless_irritable", true), set("diarrhoea.sunken_eyes", true)), BoxDiarrhoea, []string{"SOME_DEHYDRATION", "SEVERE_PERSISTENT_DIARRHOEA"}, nil},
		{"duration unknown", baseChild(30.0, d, set("diarrhoea.duration_days", nil)), BoxDiarrhoea, []string{"NO_DEHYDRATION"}, []string{"diarrhoea.duration_days"}},
		{"blood is dysentery", baseChild(30.0, d, set("diarrhoea.blood_in_stool", true)), BoxDiarrhoea, []string{"NO_DEHYDRATION", "DYSENTERY"}, nil},
		{"blood unknown", baseChild(30.0, d, set("diarrhoea.blood_in_stool", nil)), BoxDiarrhoea, []string{"NO_DEHYDRATION"}, []string{"diarrhoea.blood_in_stool"}},
		{"diarrhoea omitted", baseChild(30.0, del("diarrhoea")), BoxDiarrhoea, nil, []string{"diarrhoea"}},
	})
}

func TestDiarrhoeaTreatments(t *testing.T) {
	d := diarrhoeaBlock()
	severe := mods(d, set("diarrhoea.sunken_eyes", true), set("diarrhoea.skin_pinch", "very_slowly"))
	r := classifyMap(t, baseChild(30.0, severe))
	if _, ok := treatment(r, "PLAN_C_IV_FLUIDS"); !ok || r.UrgentReferral {
		t.Errorf("severe dehydration alone: Plan C at the facility, got %v urgent %v", txCodes(r.Treatments), r.UrgentReferral)
	}
	r = classifyMap(t, baseChild(30.0, severe, del("nutrition")))
	if !hasString(r.Warnings, "SAM_NOT_EXCLUDED_BEFORE_PLAN_C") {
		t.Errorf("no nutrition block: warnings %v", r.Warnings)
	}
	// With another severe classification: urgent referral with ORS sips.
	r = classifyMap(t, baseChild(30.0, severe, set("anaemia.palmar_pallor", "severe")))
	if !r.UrgentReferral || !eq(txCodes(r.Treatments), sorted("CONTINUE_BREASTFEEDING", "ORS_SIPS_ON_WAY")) {
		t.Errorf("severe + severe anaemia: %v urgent %v", txCodes(r.Treatments), r.UrgentReferral)
	}
	// SAM-range anthropometry: never Plan C.
	r = classifyMap(t, baseChild(30.0, severe, set("nutrition.wfh_z", -3.5)))
	if _, ok := treatment(r, "PLAN_C_IV_FLUIDS"); ok {
		t.Errorf("SAM child got Plan C")
	}
	// Danger sign only: Plan C blocked by default, allowed when the setting is off.
	ds := mods(severe, set("danger_signs.vomits_everything", true))
	r = classifyMap(t, baseChild(30.0, ds))
	if _, ok := treatment(r, "PLAN_C_IV_FLUIDS"); ok {
		t.Errorf("danger sign blocks Plan C by default")
	}
	p := protocolWith(t, func(p *Protocol) { p.Rules.DangerSignOnlyBlocksPlanC = false })
	in, _ := Decode(mustJSON(t, baseChild(30.0, ds)))
	r, _ = p.Classify(in)
	if _, ok := treatment(r, "PLAN_C_IV_FLUIDS"); !ok {
		t.Errorf("setting off: Plan C expected, got %v", txCodes(r.Treatments))
	}
	// Cholera antibiotic from 24 months in a cholera area.
	r = classifyMap(t, baseChild(24.0, severe, set("setting.cholera_in_area", true)))
	if _, ok := treatment(r, "CHOLERA_ANTIBIOTIC"); !ok {
		t.Errorf("cholera at 24 months: %v", txCodes(r.Treatments))
	}
	r = classifyMap(t, baseChild(23.9, severe, set("setting.cholera_in_area", true)))
	if _, ok := treatment(r, "CHOLERA_ANTIBIOTIC"); ok {
		t.Errorf("no cholera antibiotic under 24 months")
	}
	// Plan B + zinc; Plan A + zinc; dysentery ciprofloxacin; persistent advice.
	r = classifyMap(t, baseChild(30.0, d, set("diarrhoea.sunken_eyes", true), set("diarrhoea.restless_irritable", true)))
	if !eq(txCodes(r.Treatments), sorted("ORS_PLAN_B", "ZINC")) || r.FollowUpDays.V != 5 {
		t.Errorf("some dehydration: %v fu %v", txCodes(r.Treatments), r.FollowUpDays)
	}
	r = classifyMap(t, baseChild(30.0, d, set("diarrhoea.blood_in_stool", true), set("diarrhoea.duration_days", 14)))
	if !eq(txCodes(r.Treatments), sorted("ORS_PLAN_A", "ZINC", "CIPROFLOXACIN", "PERSISTENT_DIARRHOEA_FEEDING_ADVICE", "MULTIVITAMINS_MINERALS")) || r.FollowUpDays.V != 3 {
		t.Errorf("dysentery + persistent: %v fu %v", txCodes(r.Treatments), r.FollowUpDays)
	}
	r = classifyMap(t, baseChild(30.0, d, set("diarrhoea.duration_days", 20), set("diarrhoea.sunken_eyes", true), set("diarrhoea.restless_irritable", true)))
	if r.Referral != "NON_URGENT" || !hasString(r.ReferralReasons, "SEVERE_PERSISTENT_DIARRHOEA") {
		t.Errorf("severe persistent: referral %s %v", r.Referral, r.ReferralReasons)
	}
	if _, ok := treatment(r, "TREAT_DEHYDRATION_BEFORE_REFERRAL"); !ok {
		t.Errorf("severe persistent: %v", txCodes(r.Treatments))
	}
}

func TestFever(t *testing.T) {
	f := feverBlock()
	low := set("setting.malaria_risk", "low")
	none := set("setting.malaria_risk", "none")
	runBoxCases(t, []boxCase{
		{"high risk positive", baseChild(30.0, f, set("fever.malaria_test", "positive")), BoxFever, []string{"MALARIA"}, nil},
		{"high risk negative", baseChild(30.0, f), BoxFever, []string{"FEVER_NO_MALARIA"}, nil},
		{"high risk no test available", baseChild(30.0, f, set("fever.malaria_test", "not_available")), BoxFever, []string{"MALARIA"}, nil},
		{"high risk test not done", baseChild(30.0, f, set("fever.malaria_test", "not_done")), BoxFever, nil, []string{"fever.malaria_test"}},
		{"high risk test null", baseChild(30.0, f, set("fever.malaria_test", nil)), BoxFever, nil, []string{"fever.malaria_test"}},
		{"low risk obvious cause, no test available", baseChild(30.0, f, low, set("fever.runny_nose", true), set("fever.malaria_test", "not_available")), BoxFever, []string{"FEVER_NO_MALARIA"}, nil},
		{"low risk obvious cause, no test done", baseChild(30.0, f, low, set("fever.other_obvious_cause", true), set("fever.malaria_test", nil)), BoxFever, []string{"FEVER_NO_MALARIA"}, nil},
		{"low risk no cause, no test available", baseChild(30.0, f, low, set("fever.malaria_test", "not_available")), BoxFever, []string{"MALARIA"}, nil},
		{"low risk no cause, test not done", baseChild(30.0, f, low, set("fever.malaria_test", "not_done")), BoxFever, nil, []string{"fever.malaria_test"}},
		{"low risk positive", baseChild(30.0, f, low, set("fever.malaria_test", "positive")), BoxFever, []string{"MALARIA"}, nil},
		{"no risk", baseChild(30.0, f, none), BoxFever, []string{"FEVER"}, nil},
		{"no risk, traveller positive", baseChild(30.0, f, none, set("fever.travel_to_malaria_area_last_15_days", true), set("fever.malaria_test", "positive")), BoxFever, []string{"MALARIA"}, nil},
		{"no risk, traveller untested", baseChild(30.0, f, none, set("fever.travel_to_malaria_area_last_15_days", true), set("fever.malaria_test", "not_done")), BoxFever, nil, []string{"fever.malaria_test"}},
		{"no risk, travel unknown", baseChild(30.0, f, none, set("fever.travel_to_malaria_area_last_15_days", nil)), BoxFever, nil, []string{"fever.travel_to_malaria_area_last_15_days"}},
		{"stiff neck", baseChild(30.0, f, set("fever.stiff_neck", true)), BoxFever, []string{"VERY_SEVERE_FEBRILE_DISEASE"}, nil},
		{"danger sign", baseChild(30.0, f, set("danger_signs.convulsing_now", true)), BoxFever, []string{"VERY_SEVERE_FEBRILE_DISEASE"}, nil},
		{"no risk stiff neck", baseChild(30.0, f, none, set("fever.stiff_neck", true)), BoxFever, []string{"VERY_SEVERE_FEBRILE_DISEASE"}, nil},
		{"stiff neck unknown", baseChild(30.0, f, set("fever.stiff_neck", nil)), BoxFever, nil, []string{"fever.stiff_neck"}},
		{"37.4 not fever", baseChild(30.0, f, set("fever.reported", false), set("temperature_c", 37.4)), BoxFever, nil, nil},
		{"37.5 is fever", baseChild(30.0, f, set("fever.reported", false), set("temperature_c", 37.5)), BoxFever, []string{"FEVER_NO_MALARIA"}, nil},
		{"rectal 37.9 not fever", baseChild(30.0, f, set("fever.reported", false), set("temperature_c", 37.9), set("temperature_site", "rectal")), BoxFever, nil, nil},
		{"rectal 38.0 is fever", baseChild(30.0, f, set("fever.reported", false), set("temperature_c", 38.0), set("temperature_site", "rectal")), BoxFever, []string{"FEVER_NO_MALARIA"}, nil},
		{"fever omitted", baseChild(30.0, del("fever")), BoxFever, nil, []string{"fever"}},
	})
}

func TestFeverTreatments(t *testing.T) {
	f := feverBlock()
	para := func(temp float64, site string) bool {
		r := classifyMap(t, baseChild(30.0, f, set("temperature_c", temp), set("temperature_site", site)))
		_, ok := treatment(r, "PARACETAMOL")
		return ok
	}
	if para(38.4, "axillary") || !para(38.5, "axillary") || para(38.9, "rectal") || !para(39.0, "rectal") {
		t.Errorf("paracetamol threshold 38.5 (axillary-equivalent)")
	}
	r := classifyMap(t, baseChild(30.0, f, set("fever.stiff_neck", true), set("weight_kg", 12.0)))
	if got, want := txCodes(r.Treatments), sorted("PREREFERRAL_ANTIMALARIAL", "IM_AMPICILLIN", "IM_GENTAMICIN", "PREVENT_LOW_BLOOD_SUGAR"); !eq(got, want) {
		t.Errorf("VSFD high risk: %v want %v", got, want)
	}
	if a, _ := treatment(r, "PREREFERRAL_ANTIMALARIAL"); a.DoseMg.V != 28.8 || a.Route.V != "im" {
		t.Errorf("artesunate 2.4 mg/kg x 12 kg = 28.8 mg, got %+v", a.DoseMg)
	}
	r = classifyMap(t, baseChild(30.0, f, set("fever.stiff_neck", true), set("setting.malaria_risk", "none")))
	if _, ok := treatment(r, "PREREFERRAL_ANTIMALARIAL"); ok {
		t.Errorf("no antimalarial without malaria risk")
	}
	r = classifyMap(t, baseChild(30.0, f, set("fever.duration_days", 8), set("fever.present_every_day", true)))
	if _, ok := treatment(r, "REFER_FOR_ASSESSMENT_PROLONGED_FEVER"); !ok || r.Referral != "NON_URGENT" {
		t.Errorf("prolonged fever 8 days every day: %v", txCodes(r.Treatments))
	}
	r = classifyMap(t, baseChild(30.0, f, set("fever.duration_days", 7), set("fever.present_every_day", true)))
	if _, ok := treatment(r, "REFER_FOR_ASSESSMENT_PROLONGED_FEVER"); ok {
		t.Errorf("7 days is not prolonged")
	}
	r = classifyMap(t, baseChild(30.0, f, set("setting.malaria_risk", "none")))
	if r.FollowUpDays.V != 2 {
		t.Errorf("FEVER follow-up 2 days, got %v", r.FollowUpDays)
	}
	r = classifyMap(t, baseChild(30.0, f, set("fever.malaria_test", "not_done")))
	if !hasString(r.Warnings, "MALARIA_TEST_REQUIRED") {
		t.Errorf("warnings %v", r.Warnings)
	}
}

func TestMeasles(t *testing.T) {
	rash := mods(feverBlock(), set("fever.generalized_rash", true), set("fever.red_eyes", true), set("fever.mouth_ulcers", "none"),
		set("fever.pus_draining_from_eye", false), set("fever.clouding_of_cornea", false))
	runBoxCases(t, []boxCase{
		{"rash + red eyes", baseChild(30.0, rash), BoxMeasles, []string{"MEASLES"}, nil},
		{"rash + cough", baseChild(30.0, rash, set("fever.red_eyes", false), coughBlock(30)), BoxMeasles, []string{"MEASLES"}, nil},
		{"rash alone is not measles", baseChild(30.0, rash, set("fever.red_eyes", false), set("fever.runny_nose", false)), BoxMeasles, nil, nil},
		{"measles in last 3 months", baseChild(30.0, feverBlock(), set("fever.measles_last_3_months", true), set("fever.mouth_ulcers", "none"), set("fever.pus_draining_from_eye", false), set("fever.clouding_of_cornea", false)), BoxMeasles, []string{"MEASLES"}, nil},
		{"pus from eye", baseChild(30.0, rash, set("fever.pus_draining_from_eye", true)), BoxMeasles, []string{"MEASLES_WITH_EYE_OR_MOUTH_COMPLICATIONS"}, nil},
		{"mouth ulcers", baseChild(30.0, rash, set("fever.mouth_ulcers", "present")), BoxMeasles, []string{"MEASLES_WITH_EYE_OR_MOUTH_COMPLICATIONS"}, nil},
		{"deep ulcers", baseChild(30.0, rash, set("fever.mouth_ulcers", "deep_or_extensive")), BoxMeasles, []string{"SEVERE_COMPLICATED_MEASLES"}, nil},
		{"clouding", baseChild(30.0, rash, set("fever.clouding_of_cornea", true)), BoxMeasles, []string{"SEVERE_COMPLICATED_MEASLES"}, nil},
		{"danger sign", baseChild(30.0, rash, set("danger_signs.vomits_everything", true)), BoxMeasles, []string{"SEVERE_COMPLICATED_MEASLES"}, nil},
		{"rash and recent measles unknown", baseChild(30.0, feverBlock(), set("fever.generalized_rash", nil), set("fever.measles_last_3_months", nil)), BoxMeasles, nil, []string{"fever.generalized_rash", "fever.measles_last_3_months"}},
	})
	r := classifyMap(t, baseChild(30.0, rash, set("fever.pus_draining_from_eye", true), set("fever.mouth_ulcers", "present")))
	if got, want := txCodes(r.Treatments), sorted("VITAMIN_A_TREATMENT", "TETRACYCLINE_EYE_OINTMENT", "GENTIAN_VIOLET_MOUTH_ULCERS", "TREAT_IDENTIFIED_BACTERIAL_CAUSE"); !eq(got, want) {
		t.Errorf("measles complications: %v want %v", got, want)
	}
	if v, _ := treatment(r, "VITAMIN_A_TREATMENT"); v.DoseIU.V != 200000 || v.DosesTotal.V != 2 {
		t.Errorf("vitamin A at 30 months: %+v", v)
	}
}

func TestEar(t *testing.T) {
	e := earBlock()
	pus := func(days any) mod {
		return mods(set("ear.pus_seen_draining", true), set("ear.discharge_duration_days", days))
	}
	runBoxCases(t, []boxCase{
		{"mastoiditis", baseChild(30.0, e, set("ear.tender_swelling_behind_ear", true)), BoxEar, []string{"MASTOIDITIS"}, nil},
		{"ear pain", baseChild(30.0, e, set("ear.ear_pain", true)), BoxEar, []string{"ACUTE_EAR_INFECTION"}, nil},
		{"pus 13 days acute", baseChild(30.0, e, pus(13)), BoxEar, []string{"ACUTE_EAR_INFECTION"}, nil},
		{"pus 14 days chronic", baseChild(30.0, e, pus(14)), BoxEar, []string{"CHRONIC_EAR_INFECTION"}, nil},
		{"pain + pus 14 days both", baseChild(30.0, e, pus(14), set("ear.ear_pain", true)), BoxEar, []string{"ACUTE_EAR_INFECTION", "CHRONIC_EAR_INFECTION"}, nil},
		{"nothing", baseChild(30.0, e), BoxEar, []string{"NO_EAR_INFECTION"}, nil},
		{"pus duration unknown", baseChild(30.0, e, set("ear.pus_seen_draining", true)), BoxEar, nil, []string{"ear.discharge_duration_days"}},
		{"tender unknown", baseChild(30.0, e, set("ear.tender_swelling_behind_ear", nil), set("ear.ear_pain", true)), BoxEar, nil, []string{"ear.tender_swelling_behind_ear"}},
		{"pain unknown", baseChild(30.0, e, set("ear.ear_pain", nil)), BoxEar, nil, []string{"ear.ear_pain"}},
		{"ear omitted", baseChild(30.0, del("ear")), BoxEar, nil, []string{"ear"}},
	})
	r := classifyMap(t, baseChild(30.0, e, pus(14), set("ear.ear_pain", true)))
	if got, want := txCodes(r.Treatments), sorted("AMOXICILLIN_ORAL", "PARACETAMOL", "DRY_EAR_BY_WICKING", "QUINOLONE_EAR_DROPS"); !eq(got, want) || r.FollowUpDays.V != 5 {
		t.Errorf("ear both: %v fu %v", got, r.FollowUpDays)
	}
	if p, _ := treatment(r, "PARACETAMOL"); p.FrequencyPerDay.V != 4 {
		t.Errorf("paracetamol for ear pain every 6 hours: %+v", p.FrequencyPerDay)
	}
}

func TestNutrition(t *testing.T) {
	anthro := func(muac, z any) mod {
		return mods(set("nutrition.muac_mm", muac), set("nutrition.wfh_z", z), set("nutrition.appetite_test", "passed"))
	}
	runBoxCases(t, []boxCase{
		{"muac 114 SAM", baseChild(12.0, anthro(114.0, nil)), BoxNutrition, []string{"UNCOMPLICATED_SEVERE_ACUTE_MALNUTRITION"}, nil},
		{"muac 115 MAM", baseChild(12.0, anthro(115.0, nil)), BoxNutrition, []string{"MODERATE_ACUTE_MALNUTRITION"}, nil},
		{"muac 124 MAM", baseChild(12.0, anthro(124.0, nil)), BoxNutrition, []string{"MODERATE_ACUTE_MALNUTRITION"}, nil},
		{"muac 125 normal", baseChild(12.0, anthro(125.0, nil)), BoxNutrition, []string{"NO_ACUTE_MALNUTRITION"}, nil},
		{"wfh -3.00 MAM", baseChild(12.0, anthro(nil, -3.00)), BoxNutrition, []string{"MODERATE_ACUTE_MALNUTRITION"}, nil},
		{"wfh -3.01 SAM", baseChild(12.0, anthro(nil, -3.01)), BoxNutrition, []string{"UNCOMPLICATED_SEVERE_ACUTE_MALNUTRITION"}, nil},
		{"wfh -2.00 normal", baseChild(12.0, anthro(nil, -2.00)), BoxNutrition, []string{"NO_ACUTE_MALNUTRITION"}, nil},
		{"wfh -2.01 MAM", baseChild(12.0, anthro(nil, -2.01)), BoxNutrition, []string{"MODERATE_ACUTE_MALNUTRITION"}, nil},
		{"worse of the two decides", baseChild(12.0, anthro(130.0, -3.5)), BoxNutrition, []string{"UNCOMPLICATED_SEVERE_ACUTE_MALNUTRITION"}, nil},
		{"muac ignored under 6 months", baseChild(5.0, anthro(100.0, nil)), BoxNutrition, nil, []string{"nutrition.breastfeeding_problem", "nutrition.wfh_z"}},
		{"oedema is pink", baseChild(12.0, set("nutrition.oedema_both_feet", true)), BoxNutrition, []string{"COMPLICATED_SEVERE_ACUTE_MALNUTRITION"}, nil},
		{"oedema unknown", baseChild(12.0, set("nutrition.oedema_both_feet", nil)), BoxNutrition, nil, []string{"nutrition.oedema_both_feet"}},
		{"SAM appetite failed", baseChild(12.0, anthro(110.0, nil), set("nutrition.appetite_test", "failed")), BoxNutrition, []string{"COMPLICATED_SEVERE_ACUTE_MALNUTRITION"}, nil},
		{"SAM appetite not done", baseChild(12.0, anthro(110.0, nil), set("nutrition.appetite_test", "not_done")), BoxNutrition, nil, []string{"nutrition.appetite_test"}},
		{"SAM + danger sign", baseChild(12.0, anthro(110.0, nil), set("nutrition.appetite_test", nil), set("danger_signs.vomits_everything", true)), BoxNutrition, []string{"COMPLICATED_SEVERE_ACUTE_MALNUTRITION"}, nil},
		{"SAM + pneumonia with indrawing", baseChild(12.0, anthro(110.0, nil), coughBlock(30), set("cough.chest_indrawing", true)), BoxNutrition, []string{"COMPLICATED_SEVERE_ACUTE_MALNUTRITION"}, nil},
		{"SAM + severe anaemia", baseChild(12.0, anthro(110.0, nil), set("anaemia.palmar_pallor", "severe")), BoxNutrition, []string{"COMPLICATED_SEVERE_ACUTE_MALNUTRITION"}, nil},
		{"SAM under 6 months, breastfeeding problem", baseChild(4.0, anthro(nil, -3.5), set("nutrition.breastfeeding_problem", true)), BoxNutrition, []string{"COMPLICATED_SEVERE_ACUTE_MALNUTRITION"}, nil},
		{"SAM under 6 months, no breastfeeding problem", baseChild(4.0, anthro(nil, -3.5), set("nutrition.breastfeeding_problem", false)), BoxNutrition, []string{"UNCOMPLICATED_SEVERE_ACUTE_MALNUTRITION"}, nil},
		{"no anthropometry", baseChild(12.0, anthro(nil, nil)), BoxNutrition, nil, []string{"nutrition.muac_mm", "nutrition.wfh_z"}},
		{"nutrition omitted", baseChild(12.0, del("nutrition")), BoxNutrition, nil, []string{"nutrition"}},
	})
	r := classifyMap(t, baseChild(4.0, anthro(nil, -3.5), set("nutrition.breastfeeding_problem", false)))
	if _, ok := treatment(r, "RUTF"); ok {
		t.Errorf("no RUTF under 6 months")
	}
	r = classifyMap(t, baseChild(12.0, anthro(110.0, nil)))
	if got, want := txCodes(r.Treatments), sorted("AMOXICILLIN_ORAL", "RUTF", "COUNSEL_FEEDING", "ASSESS_TB"); !eq(got, want) || r.FollowUpDays.V != 7 {
		t.Errorf("USAM: %v fu %v", got, r.FollowUpDays)
	}
	r = classifyMap(t, baseChild(30.0, anthro(120.0, nil)))
	if r.FollowUpDays.V != 30 || !r.FeedingAssessmentRequired {
		t.Errorf("MAM: fu %v feeding %v", r.FollowUpDays, r.FeedingAssessmentRequired)
	}
	r = classifyMap(t, baseChild(30.0, anthro(120.0, nil), set("nutrition.feeding_problem", true)))
	if r.FollowUpDays.V != 7 {
		t.Errorf("MAM with feeding problem: fu %v", r.FollowUpDays)
	}
	r = classifyMap(t, baseChild(30.0, set("nutrition.feeding_problem", true)))
	if r.FollowUpDays.V != 7 {
		t.Errorf("no malnutrition, feeding problem: fu %v", r.FollowUpDays)
	}
	r = classifyMap(t, baseChild(30.0))
	if r.FollowUpDays.OK || r.FeedingAssessmentRequired {
		t.Errorf("well 30-month child: fu %v feeding %v", r.FollowUpDays, r.FeedingAssessmentRequired)
	}
	if r = classifyMap(t, baseChild(23.9)); !r.FeedingAssessmentRequired {
		t.Errorf("feeding assessment under 24 months")
	}
}

func TestAnaemia(t *testing.T) {
	runBoxCases(t, []boxCase{
		{"severe", baseChild(30.0, set("anaemia.palmar_pallor", "severe")), BoxAnaemia, []string{"SEVERE_ANAEMIA"}, nil},
		{"some", baseChild(30.0, set("anaemia.palmar_pallor", "some")), BoxAnaemia, []string{"ANAEMIA"}, nil},
		{"none", baseChild(30.0), BoxAnaemia, []string{"NO_ANAEMIA"}, nil},
		{"not assessed", baseChild(30.0, set("anaemia.palmar_pallor", nil)), BoxAnaemia, nil, []string{"anaemia.palmar_pallor"}},
		{"omitted", baseChild(30.0, del("anaemia")), BoxAnaemia, nil, []string{"anaemia"}},
	})
	some := set("anaemia.palmar_pallor", "some")
	r := classifyMap(t, baseChild(30.0, some))
	if got := txCodes(r.Treatments); !eq(got, sorted("IRON", "MEBENDAZOLE")) || r.FollowUpDays.V != 14 {
		t.Errorf("anaemia at 30 months: %v fu %v", got, r.FollowUpDays)
	}
	r = classifyMap(t, baseChild(11.9, some))
	if got := txCodes(r.Treatments); !eq(got, sorted("IRON", "COUNSEL_FEEDING")) {
		t.Errorf("anaemia under 12 months: no deworming, got %v", got)
	}
	r = classifyMap(t, baseChild(30.0, some, set("preventive", map[string]any{"months_since_last_deworming": 5.0})))
	if _, ok := treatment(r, "MEBENDAZOLE"); ok {
		t.Errorf("dewormed 5 months ago")
	}
	r = classifyMap(t, baseChild(30.0, some, set("nutrition.on_rutf", true)))
	if _, ok := treatment(r, "IRON"); ok {
		t.Errorf("no iron on RUTF")
	}
	r = classifyMap(t, baseChild(30.0, some, set("setting.deworming_drug", "albendazole")))
	if a, ok := treatment(r, "ALBENDAZOLE"); !ok || a.DoseMg.V != 400 {
		t.Errorf("albendazole 400 mg at 30 months: %+v", a)
	}
	r = classifyMap(t, baseChild(18.0, some, set("setting.deworming_drug", "albendazole")))
	if a, _ := treatment(r, "ALBENDAZOLE"); a.DoseMg.V != 200 {
		t.Errorf("albendazole 200 mg at 18 months: %+v", a.DoseMg)
	}
}

func TestHIV(t *testing.T) {
	hiv := func(mother, viro, sero string, bf any) mod {
		return set("hiv", map[string]any{"mother_status": mother, "child_virological_test": viro,
			"child_serological_test": sero, "breastfed_within_6_weeks_before_test": bf})
	}
	runBoxCases(t, []boxCase{
		{"virological positive", baseChild(6.0, hiv("positive", "positive", "not_done", nil)), BoxHIV, []string{"CONFIRMED_HIV_INFECTION"}, nil},
		{"serology positive at 17.9 months", baseChild(17.9, hiv("unknown", "not_done", "positive", nil)), BoxHIV, []string{"HIV_EXPOSED"}, nil},
		{"serology positive at 18.0 months", baseChild(18.0, hiv("unknown", "not_done", "positive", nil)), BoxHIV, []string{"CONFIRMED_HIV_INFECTION"}, nil},
		{"serology positive at 547 days", baseChild(547, hiv("unknown", "not_done", "positive", nil)), BoxHIV, []string{"CONFIRMED_HIV_INFECTION"}, nil},
		{"serology positive at 546 days", baseChild(546, hiv("unknown", "not_done", "positive", nil)), BoxHIV, []string{"HIV_EXPOSED"}, nil},
		{"mother positive, untested", baseChild(6.0, hiv("positive", "not_done", "not_done", nil)), BoxHIV, []string{"HIV_EXPOSED"}, nil},
		{"mother positive, negative test, still breastfed", baseChild(6.0, hiv("positive", "negative", "not_done", true)), BoxHIV, []string{"HIV_EXPOSED"}, nil},
		{"mother positive, conclusive negative", baseChild(6.0, hiv("positive", "negative", "not_done", false)), BoxHIV, []string{"HIV_INFECTION_UNLIKELY"}, nil},
		{"mother positive, negative, breastfeeding unknown", baseChild(6.0, hiv("positive", "negative", "not_done", nil)), BoxHIV, nil, []string{"hiv.breastfed_within_6_weeks_before_test"}},
		{"mother negative", baseChild(6.0, hiv("negative", "not_done", "not_done", nil)), BoxHIV, []string{"HIV_INFECTION_UNLIKELY"}, nil},
		{"unknown and untested", baseChild(6.0, hiv("unknown", "not_done", "not_done", nil)), BoxHIV, nil, nil},
	})
	r := classifyMap(t, baseChild(6.0, hiv("unknown", "not_done", "not_done", nil)))
	if _, ok := treatment(r, "HIV_TEST_OFFER"); !ok || !hasString(r.Warnings, "HIV_STATUS_UNKNOWN") {
		t.Errorf("unknown status: %v %v", txCodes(r.Treatments), r.Warnings)
	}
	r = classifyMap(t, baseChild(6.0, hiv("positive", "not_done", "not_done", nil)))
	if got := txCodes(r.Treatments); !eq(got, sorted("COTRIMOXAZOLE_PROPHYLAXIS", "HIV_VIROLOGICAL_TEST", "COUNSEL_FEEDING")) {
		t.Errorf("exposed: %v", got)
	}
	if c, _ := treatment(r, "COTRIMOXAZOLE_PROPHYLAXIS"); c.DoseMl.V != 5 {
		t.Errorf("cotrimoxazole at 6 months 5 ml: %+v", c.DoseMl)
	}
}

func TestMultiBoxAndPreReferral(t *testing.T) {
	// Danger sign + cough: both pink classifications, urgent, only pink treatments.
	r := classifyMap(t, baseChild(30.0, set("danger_signs.convulsing_now", true), coughBlock(45),
		set("anaemia.palmar_pallor", "some"), set("weight_kg", 12.0)))
	if got := allCodes(r); !eq(got, sorted("VERY_SEVERE_DISEASE", "SEVERE_PNEUMONIA_OR_VERY_SEVERE_DISEASE", "ANAEMIA", "NO_ACUTE_MALNUTRITION")) {
		t.Errorf("codes %v", got)
	}
	if !r.UrgentReferral || r.Referral != "URGENT" || r.FollowUpDays.OK {
		t.Errorf("urgent %v referral %s fu %v", r.UrgentReferral, r.Referral, r.FollowUpDays)
	}
	if got, want := txCodes(r.Treatments), sorted("DIAZEPAM_RECTAL", "PREVENT_LOW_BLOOD_SUGAR", "KEEP_WARM", "IM_AMPICILLIN", "IM_GENTAMICIN"); !eq(got, want) {
		t.Errorf("pre-referral %v want %v", got, want)
	}
	if got := txCodes(r.DeferredTreatments); !eq(got, sorted("IRON", "MEBENDAZOLE")) {
		t.Errorf("deferred %v", got)
	}
	amp, _ := treatment(r, "IM_AMPICILLIN")
	if amp.DoseMg.V != 600 || amp.DoseMl.V != 3 || amp.Timing != TimingPreReferral || len(amp.For) != 1 {
		t.Errorf("ampicillin 50 mg/kg x 12 kg: %+v", amp)
	}
	gent, _ := treatment(r, "IM_GENTAMICIN")
	if gent.DoseMg.V != 90 || gent.DoseMl.V != 2.25 || gent.DoseMlMin.V != 1.9 || gent.DoseMlMax.V != 2.7 {
		t.Errorf("gentamicin 7.5 mg/kg x 12 kg: %+v", gent)
	}
	dz, _ := treatment(r, "DIAZEPAM_RECTAL")
	if dz.DoseMg.V != 6 || dz.DoseMl.V != 1.2 {
		t.Errorf("diazepam 0.5 mg/kg: %+v", dz)
	}
	// Pneumonia + ear infection share one amoxicillin entry.
	r = classifyMap(t, baseChild(30.0, coughBlock(45), earBlock(), set("ear.ear_pain", true)))
	n := 0
	for _, tr := range r.Treatments {
		if tr.Code == "AMOXICILLIN_ORAL" {
			n++
			if !eq(sorted(tr.For...), sorted("PNEUMONIA", "ACUTE_EAR_INFECTION")) {
				t.Errorf("merged for %v", tr.For)
			}
		}
	}
	if n != 1 || r.FollowUpDays.V != 3 {
		t.Errorf("amoxicillin entries %d, fu %v", n, r.FollowUpDays)
	}
}
