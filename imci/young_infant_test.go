package imci

import "testing"

func TestYoungInfant(t *testing.T) {
	yi := func(path string, v any) mod { return set("young_infant."+path, v) }
	edition2019 := set("setting.young_infant_edition", "WHO_2019")
	runBoxCases(t, []boxCase{
		{"well", baseYI(10), BoxBacterialInfection, []string{"SEVERE_DISEASE_OR_LOCAL_INFECTION_UNLIKELY"}, nil},
		{"rr 59", baseYI(10, yi("respiratory_rate", 59)), BoxBacterialInfection, []string{"SEVERE_DISEASE_OR_LOCAL_INFECTION_UNLIKELY"}, nil},
		{"rr 60", baseYI(10, yi("respiratory_rate", 60)), BoxBacterialInfection, []string{"VERY_SEVERE_DISEASE"}, nil},
		{"rr 60 then repeat 59", baseYI(10, yi("respiratory_rate", 60), yi("respiratory_rate_repeat", 59)), BoxBacterialInfection, []string{"SEVERE_DISEASE_OR_LOCAL_INFECTION_UNLIKELY"}, nil},
		{"rr 62 then repeat 60", baseYI(10, yi("respiratory_rate", 62), yi("respiratory_rate_repeat", 60)), BoxBacterialInfection, []string{"VERY_SEVERE_DISEASE"}, nil},
		{"age 59 days uses 60/min", baseYI(59, yi("respiratory_rate", 55)), BoxBacterialInfection, []string{"SEVERE_DISEASE_OR_LOCAL_INFECTION_UNLIKELY"}, nil},
		{"37.4", baseYI(10, set("temperature_c", 37.4)), BoxBacterialInfection, []string{"SEVERE_DISEASE_OR_LOCAL_INFECTION_UNLIKELY"}, nil},
		{"37.5", baseYI(10, set("temperature_c", 37.5)), BoxBacterialInfection, []string{"VERY_SEVERE_DISEASE"}, nil},
		{"35.5", baseYI(10, set("temperature_c", 35.5)), BoxBacterialInfection, []string{"SEVERE_DISEASE_OR_LOCAL_INFECTION_UNLIKELY"}, nil},
		{"35.4", baseYI(10, set("temperature_c", 35.4)), BoxBacterialInfection, []string{"VERY_SEVERE_DISEASE"}, nil},
		{"rectal 37.9", baseYI(10, set("temperature_c", 37.9), set("temperature_site", "rectal")), BoxBacterialInfection, []string{"SEVERE_DISEASE_OR_LOCAL_INFECTION_UNLIKELY"}, nil},
		{"rectal 38.0", baseYI(10, set("temperature_c", 38.0), set("temperature_site", "rectal")), BoxBacterialInfection, []string{"VERY_SEVERE_DISEASE"}, nil},
		{"not feeding well", baseYI(10, yi("not_feeding_well", true)), BoxBacterialInfection, []string{"VERY_SEVERE_DISEASE"}, nil},
		{"convulsions", baseYI(10, yi("convulsions", true)), BoxBacterialInfection, []string{"VERY_SEVERE_DISEASE"}, nil},
		{"severe chest indrawing", baseYI(10, yi("severe_chest_indrawing", true)), BoxBacterialInfection, []string{"VERY_SEVERE_DISEASE"}, nil},
		{"moves only when stimulated", baseYI(10, yi("movement", "only_when_stimulated")), BoxBacterialInfection, []string{"VERY_SEVERE_DISEASE"}, nil},
		{"umbilicus", baseYI(10, yi("umbilicus_red_or_draining_pus", true)), BoxBacterialInfection, []string{"LOCAL_BACTERIAL_INFECTION"}, nil},
		{"pustules", baseYI(10, yi("skin_pustules", true)), BoxBacterialInfection, []string{"LOCAL_BACTERIAL_INFECTION"}, nil},
		{"pink over yellow", baseYI(10, yi("skin_pustules", true), yi("convulsions", true)), BoxBacterialInfection, []string{"VERY_SEVERE_DISEASE"}, nil},
		{"2019 fast breathing at 7 days is pneumonia", baseYI(7, edition2019, yi("respiratory_rate", 64)), BoxBacterialInfection, []string{"PNEUMONIA"}, nil},
		{"2019 fast breathing at 6 days is pink", baseYI(6, edition2019, yi("respiratory_rate", 64)), BoxBacterialInfection, []string{"POSSIBLE_SERIOUS_BACTERIAL_INFECTION_OR_VERY_SEVERE_DISEASE"}, nil},
		{"2019 fever threshold 38.0", baseYI(10, edition2019, set("temperature_c", 37.9)), BoxBacterialInfection, []string{"INFECTION_UNLIKELY"}, nil},

		{"jaundice day 0", baseYI(0, yi("jaundice", true)), BoxJaundice, []string{"SEVERE_JAUNDICE"}, nil},
		{"jaundice day 1", baseYI(1, yi("jaundice", true)), BoxJaundice, []string{"JAUNDICE"}, nil},
		{"yellow palms", baseYI(5, yi("jaundice", true), yi("yellow_palms_and_soles", true)), BoxJaundice, []string{"SEVERE_JAUNDICE"}, nil},
		{"no jaundice", baseYI(5), BoxJaundice, []string{"NO_JAUNDICE"}, nil},
		{"jaundice not looked for", baseYI(5, yi("jaundice", nil)), BoxJaundice, nil, []string{"young_infant.jaundice"}},
		{"palms unknown with jaundice", baseYI(5, yi("jaundice", true), yi("yellow_palms_and_soles", nil)), BoxJaundice, nil, []string{"young_infant.yellow_palms_and_soles"}},
		{"palms unknown without jaundice", baseYI(5, yi("yellow_palms_and_soles", nil)), BoxJaundice, []string{"NO_JAUNDICE"}, nil},
	})
	for _, c := range []struct {
		days  int
		refer bool
	}{{14, false}, {15, true}} {
		r := classifyMap(t, baseYI(c.days, yi("jaundice", true)))
		if _, ok := treatment(r, "REFER_JAUNDICE_ASSESSMENT"); ok != c.refer || r.FollowUpDays.V != 1 {
			t.Errorf("jaundice at %d days: refer %v fu %v", c.days, ok, r.FollowUpDays)
		}
	}
	// Age in months for a young infant: d = floor(m * 30.4375); 0.02 months = day 0.
	r := classifyMap(t, map[string]any{"schema_version": "1.0", "age_months": 0.02, "temperature_c": 36.8,
		"setting": map[string]any{"malaria_risk": "low"}, "young_infant": baseYI(0)["young_infant"]})
	if r.AgeGroup != AgeGroupYoungInfant {
		t.Errorf("age group %s", r.AgeGroup)
	}
}

func TestYoungInfantTreatments(t *testing.T) {
	yi := func(path string, v any) mod { return set("young_infant."+path, v) }
	r := classifyMap(t, baseYI(5, yi("convulsions", true), set("weight_kg", 3.0)))
	if got, want := txCodes(r.Treatments), sorted("IM_AMPICILLIN", "IM_GENTAMICIN", "PREVENT_LOW_BLOOD_SUGAR", "KEEP_WARM_ON_WAY"); !eq(got, want) || !r.UrgentReferral {
		t.Errorf("VSD: %v want %v", got, want)
	}
	if g, _ := treatment(r, "IM_GENTAMICIN"); g.DoseMg.V != 15 {
		t.Errorf("gentamicin 5 mg/kg under 7 days x 3 kg = 15: %+v", g.DoseMg)
	}
	r = classifyMap(t, baseYI(7, yi("convulsions", true), set("weight_kg", 3.0)))
	if g, _ := treatment(r, "IM_GENTAMICIN"); g.DoseMg.V != 22.5 {
		t.Errorf("gentamicin 7.5 mg/kg from 7 days: %+v", g.DoseMg)
	}
	r = classifyMap(t, baseYI(20, yi("skin_pustules", true), set("weight_kg", 3.0)))
	if a, _ := treatment(r, "AMOXICILLIN_ORAL"); a.UnitsPerDose.V != 0.5 || a.FrequencyPerDay.V != 2 || a.DurationDays.V != 5 || r.FollowUpDays.V != 2 {
		t.Errorf("LBI amoxicillin: %+v fu %v", a, r.FollowUpDays)
	}
	// Diarrhoea: no zinc; plan B; bloody stool is pink.
	dia := set("young_infant.diarrhoea", map[string]any{"present": true, "duration_days": 3, "blood_in_stool": false,
		"restless_irritable": true, "sunken_eyes": true, "skin_pinch": "immediately"})
	r = classifyMap(t, baseYI(20, dia, set("weight_kg", 4.0)))
	if got := boxCodes(r, BoxDiarrhoea); !eq(got, []string{"SOME_DEHYDRATION"}) {
		t.Errorf("YI some dehydration: %v", got)
	}
	if got := txCodes(r.Treatments); !eq(got, sorted("ORS_PLAN_B", "HOME_CARE_YOUNG_INFANT")) || r.FollowUpDays.V != 2 {
		t.Errorf("YI plan B, no zinc: %v fu %v", got, r.FollowUpDays)
	}
	if b, _ := treatment(r, "ORS_PLAN_B"); b.VolumeMl.V != 300 {
		t.Errorf("plan B 75 ml/kg x 4 kg = 300: %+v", b.VolumeMl)
	}
	r = classifyMap(t, baseYI(20, dia, set("young_infant.diarrhoea.blood_in_stool", true)))
	if !hasString(allCodes(r), "YI_BLOOD_IN_STOOL") || !r.UrgentReferral {
		t.Errorf("YI blood: %v", allCodes(r))
	}
	r = classifyMap(t, baseYI(20, dia, set("young_infant.diarrhoea.duration_days", 14)))
	if !hasString(allCodes(r), "YI_PERSISTENT_DIARRHOEA") || r.Referral != "NON_URGENT" {
		t.Errorf("YI persistent: %v %s", allCodes(r), r.Referral)
	}
	r = classifyMap(t, baseYI(20, dia, yi("movement", "none"), set("young_infant.diarrhoea.skin_pinch", "very_slowly")))
	if got := allCodes(r); !hasString(got, "SEVERE_DEHYDRATION") || !hasString(got, "VERY_SEVERE_DISEASE") || !r.UrgentReferral {
		t.Errorf("YI severe dehydration by movement: %v", got)
	}
}

func TestYoungInfantFeeding(t *testing.T) {
	feeding := func(kv ...any) mod {
		f := map[string]any{"breastfed": true, "breastfeeds_per_24h": 8, "receives_other_foods_or_drinks": false,
			"waz": -1.0, "thrush": false, "well_attached": true, "suckling_effectively": true}
		for i := 0; i < len(kv); i += 2 {
			f[kv[i].(string)] = kv[i+1]
		}
		return set("young_infant.feeding", f)
	}
	runBoxCases(t, []boxCase{
		{"8 feeds fine", baseYI(20, feeding()), BoxYIFeeding, []string{"NO_FEEDING_PROBLEM"}, nil},
		{"7 feeds problem", baseYI(20, feeding("breastfeeds_per_24h", 7)), BoxYIFeeding, []string{"FEEDING_PROBLEM_OR_LOW_WEIGHT"}, nil},
		{"waz -2.00 not low", baseYI(20, feeding("waz", -2.0)), BoxYIFeeding, []string{"NO_FEEDING_PROBLEM"}, nil},
		{"waz -2.01 low", baseYI(20, feeding("waz", -2.01)), BoxYIFeeding, []string{"FEEDING_PROBLEM_OR_LOW_WEIGHT"}, nil},
		{"low_weight_for_age overrides waz", baseYI(20, feeding("waz", -2.5, "low_weight_for_age", false)), BoxYIFeeding, []string{"NO_FEEDING_PROBLEM"}, nil},
		{"not breastfed", baseYI(20, feeding("breastfed", false, "breastfeeds_per_24h", nil, "well_attached", nil, "suckling_effectively", nil)), BoxYIFeeding, []string{"FEEDING_PROBLEM_OR_LOW_WEIGHT"}, nil},
		{"attachment not observed", baseYI(20, feeding("well_attached", nil)), BoxYIFeeding, nil, []string{"young_infant.feeding.well_attached"}},
		{"attachment skipped when referred", baseYI(20, feeding("well_attached", nil, "suckling_effectively", nil), set("young_infant.convulsions", true)), BoxYIFeeding, []string{"NO_FEEDING_PROBLEM"}, nil},
	})
	r := classifyMap(t, baseYI(20, feeding("waz", -2.5)))
	if r.FollowUpDays.V != 14 || !hasString(txCodes(r.Treatments), "KEEP_WARM_AT_HOME") {
		t.Errorf("low weight only: fu %v %v", r.FollowUpDays, txCodes(r.Treatments))
	}
	r = classifyMap(t, baseYI(20, feeding("thrush", true)))
	if r.FollowUpDays.V != 2 || !hasString(txCodes(r.Treatments), "TREAT_THRUSH_AT_HOME") {
		t.Errorf("thrush: fu %v %v", r.FollowUpDays, txCodes(r.Treatments))
	}
	// HIV in a young infant: cotrimoxazole from 4 weeks.
	hiv := set("hiv", map[string]any{"mother_status": "positive", "child_virological_test": "not_done", "child_serological_test": "positive"})
	r = classifyMap(t, baseYI(20, hiv))
	if c, _ := treatment(r, "COTRIMOXAZOLE_PROPHYLAXIS"); c.Timing != TimingFrom4Weeks || !hasString(allCodes(r), "HIV_EXPOSED") {
		t.Errorf("YI HIV: %v %+v", allCodes(r), c.Timing)
	}
}
