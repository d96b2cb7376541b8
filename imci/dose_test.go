package imci

import "testing"

// TestDoseBands checks every band edge of the weight and age dose tables (§8).
func TestDoseBands(t *testing.T) {
	type doseCase struct {
		name    string
		in      map[string]any
		code    string
		units   float64 // 0: not checked
		mg      float64
		ml      float64
		band    string
		warning bool
	}
	pneu := func(age any, w float64) map[string]any {
		return baseChild(age, coughBlock(60), set("weight_kg", w))
	}
	fever := func(age any, w float64) map[string]any {
		return baseChild(age, feverBlock(), set("fever.malaria_test", "positive"), set("temperature_c", 39.0), set("weight_kg", w))
	}
	anaemia := func(age any, w float64) map[string]any {
		return baseChild(age, set("anaemia.palmar_pallor", "some"), set("weight_kg", w))
	}
	noWeight := func(m map[string]any) map[string]any { delete(m, "weight_kg"); return m }
	cases := []doseCase{
		{"amox 3.9 kg below chart", pneu(3.0, 3.9), "AMOXICILLIN_ORAL", 1, 250, 0, "4-<10 kg", true},
		{"amox 4 kg", pneu(3.0, 4), "AMOXICILLIN_ORAL", 1, 250, 0, "4-<10 kg", false},
		{"amox 9.9 kg", pneu(8.0, 9.9), "AMOXICILLIN_ORAL", 1, 250, 0, "4-<10 kg", false},
		{"amox 10 kg", pneu(8.0, 10), "AMOXICILLIN_ORAL", 2, 500, 0, "10-<14 kg", false},
		{"amox 13.9 kg", pneu(20.0, 13.9), "AMOXICILLIN_ORAL", 2, 500, 0, "10-<14 kg", false},
		{"amox 14 kg", pneu(20.0, 14), "AMOXICILLIN_ORAL", 3, 750, 0, "14-19 kg", false},
		{"amox 19 kg", pneu(50.0, 19), "AMOXICILLIN_ORAL", 3, 750, 0, "14-19 kg", false},
		{"amox 19.5 kg above chart", pneu(50.0, 19.5), "AMOXICILLIN_ORAL", 3, 750, 0, "14-19 kg", true},
		{"amox weight wins over age", pneu(30.0, 9), "AMOXICILLIN_ORAL", 1, 250, 0, "4-<10 kg", false},
		{"amox age 11.9 months", noWeight(pneu(11.9, 1)), "AMOXICILLIN_ORAL", 1, 250, 0, "0-<12 months", false},
		{"amox age 12 months", noWeight(pneu(12.0, 1)), "AMOXICILLIN_ORAL", 2, 500, 0, "12-<36 months", false},
		{"amox age 1094 days", noWeight(pneu(1094, 1)), "AMOXICILLIN_ORAL", 2, 500, 0, "12-<36 months", false},
		{"amox age 1095 days", noWeight(pneu(1095, 1)), "AMOXICILLIN_ORAL", 3, 750, 0, "36-<60 months", false},
		{"paracetamol 13.9 kg", fever(30.0, 13.9), "PARACETAMOL", 1, 100, 0, "4-<14 kg", false},
		{"paracetamol 14 kg", fever(30.0, 14), "PARACETAMOL", 1.5, 150, 0, "14-<19 kg", false},
		{"AL 4.9 kg below chart", fever(3.0, 4.9), "ARTEMETHER_LUMEFANTRINE", 1, 0, 0, "5-<10 kg", true},
		{"AL 5 kg", fever(3.0, 5), "ARTEMETHER_LUMEFANTRINE", 1, 0, 0, "5-<10 kg", false},
		{"AL 10 kg", fever(20.0, 10), "ARTEMETHER_LUMEFANTRINE", 1, 0, 0, "10-<14 kg", false},
		{"AL 13.9 kg", fever(20.0, 13.9), "ARTEMETHER_LUMEFANTRINE", 1, 0, 0, "10-<14 kg", false},
		{"AL 14 kg", fever(40.0, 14), "ARTEMETHER_LUMEFANTRINE", 2, 0, 0, "14-<19 kg", false},
		{"iron 5.9 kg", anaemia(3.0, 5.9), "IRON", 0, 20, 1.0, "4-<6 kg", false},
		{"iron 6 kg", anaemia(5.0, 6), "IRON", 0, 25, 1.25, "6-<10 kg", false},
		{"iron 10 kg", anaemia(14.0, 10), "IRON", 0, 40, 2.0, "10-<14 kg", false},
		{"iron 14 kg", anaemia(40.0, 14), "IRON", 0, 50, 2.5, "14-19 kg", false},
		{"iron age 3.9 months", noWeight(anaemia(3.9, 1)), "IRON", 0, 20, 1.0, "0-<4 months", false},
		{"iron age 4 months", noWeight(anaemia(4.0, 1)), "IRON", 0, 25, 1.25, "4-<12 months", false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := classifyMap(t, c.in)
			tr, ok := treatment(r, c.code)
			if !ok {
				t.Fatalf("no %s in %v", c.code, txCodes(r.Treatments))
			}
			if c.units > 0 && tr.UnitsPerDose.V != c.units {
				t.Errorf("units %v want %v", tr.UnitsPerDose, c.units)
			}
			if c.mg > 0 && tr.DoseMg.V != c.mg {
				t.Errorf("mg %v want %v", tr.DoseMg, c.mg)
			}
			if c.ml > 0 && tr.DoseMl.V != c.ml {
				t.Errorf("ml %v want %v", tr.DoseMl, c.ml)
			}
			if tr.Band.V != c.band {
				t.Errorf("band %q want %q", tr.Band.V, c.band)
			}
			if got := hasString(r.Warnings, "WEIGHT_OUTSIDE_CHART_BAND"); got != c.warning {
				t.Errorf("warning %v want %v", got, c.warning)
			}
		})
	}
}

// TestAgeBands checks the day edges of §2 on the age-only tables.
func TestAgeBands(t *testing.T) {
	diarrhoea := func(age any) map[string]any { return baseChild(age, diarrhoeaBlock()) }
	for _, c := range []struct {
		age  any
		code string
		mg   float64
	}{
		{181, "ZINC", 10}, {182, "ZINC", 20}, {5.9, "ZINC", 10}, {6.0, "ZINC", 20},
	} {
		r := classifyMap(t, diarrhoea(c.age))
		if z, _ := treatment(r, c.code); z.DoseMg.V != c.mg || z.DurationDays.V != 14 {
			t.Errorf("%s at %v: %v mg %v days", c.code, c.age, z.DoseMg, z.DurationDays)
		}
	}
	for _, c := range []struct {
		age any
		mg  float64
	}{{5.9, 125}, {6.0, 250}, {181, 125}, {182, 250}} {
		r := classifyMap(t, baseChild(c.age, diarrhoeaBlock(), set("diarrhoea.blood_in_stool", true), set("weight_kg", 8.0)))
		if z, _ := treatment(r, "CIPROFLOXACIN"); z.DoseMg.V != c.mg || z.BandBasis.V != "age" || z.DurationDays.V != 3 {
			t.Errorf("ciprofloxacin at %v: %+v", c.age, z)
		}
	}
	// Plan A volumes by age; Plan B 75 ml/kg rounded to 10 ml; Plan C 100 ml/kg.
	r := classifyMap(t, baseChild(23.9, diarrhoeaBlock()))
	if a, _ := treatment(r, "ORS_PLAN_A"); a.DoseMlMin.V != 50 || a.DoseMlMax.V != 100 {
		t.Errorf("plan A under 24 months: %+v", a)
	}
	r = classifyMap(t, baseChild(24.0, diarrhoeaBlock()))
	if a, _ := treatment(r, "ORS_PLAN_A"); a.DoseMlMin.V != 100 || a.DoseMlMax.V != 200 {
		t.Errorf("plan A from 24 months: %+v", a)
	}
	some := mods(diarrhoeaBlock(), set("diarrhoea.sunken_eyes", true), set("diarrhoea.restless_irritable", true))
	r = classifyMap(t, baseChild(8.0, some, set("weight_kg", 7.3)))
	if b, _ := treatment(r, "ORS_PLAN_B"); b.VolumeMl.V != 550 || b.DoseMlMin.V != 450 || b.DoseMlMax.V != 800 {
		t.Errorf("plan B 7.3 kg: %+v", b)
	}
	r = classifyMap(t, baseChild(8.0, some))
	if b, _ := treatment(r, "ORS_PLAN_B"); b.VolumeMl.OK || b.DoseMlMin.V != 450 || b.BandBasis.V != "age" {
		t.Errorf("plan B by age: %+v", b)
	}
	severe := mods(diarrhoeaBlock(), set("diarrhoea.sunken_eyes", true), set("diarrhoea.skin_pinch", "very_slowly"))
	r = classifyMap(t, baseChild(8.0, severe, set("weight_kg", 7.0)))
	if c, _ := treatment(r, "PLAN_C_IV_FLUIDS"); c.VolumeMl.V != 700 {
		t.Errorf("plan C 7 kg: %+v", c.VolumeMl)
	}
	// Vitamin A supplement by age, and no dose fields without weight for per-kg drugs.
	r = classifyMap(t, baseChild(11.9, set("preventive", map[string]any{})))
	if v, _ := treatment(r, "VITAMIN_A_SUPPLEMENT"); v.DoseIU.V != 100000 || !r.Preventive.VitaminADue {
		t.Errorf("vitamin A at 11.9 months: %+v", v)
	}
	r = classifyMap(t, baseChild(12.0, set("preventive", map[string]any{"months_since_last_vitamin_a": 5.9})))
	if r.Preventive.VitaminADue || !r.Preventive.DewormingDue {
		t.Errorf("vitamin A given 5.9 months ago: %+v", r.Preventive)
	}
	r = classifyMap(t, baseChild(30.0, set("fever", map[string]any{"reported": true, "stiff_neck": true})))
	if a, _ := treatment(r, "IM_AMPICILLIN"); a.DoseMg.OK || a.DoseMl.V != 3 || a.BandBasis.V != "age" {
		t.Errorf("ampicillin without weight: %+v", a)
	}
}

func TestPreventiveVaccines(t *testing.T) {
	r := classifyMap(t, baseChild(70, set("preventive", map[string]any{"vaccines_received": []string{"BCG", "OPV0", "HEPB0", "PENTA1", "OPV1", "PCV1", "ROTA1"}})))
	if want := []string{"PENTA2", "OPV2", "PCV2", "ROTA2"}; !eq(r.Preventive.VaccinesDue, want) {
		t.Errorf("vaccines due at 70 days: %v want %v", r.Preventive.VaccinesDue, want)
	}
	r = classifyMap(t, baseChild(69, set("preventive", map[string]any{"vaccines_received": []string{"BCG", "OPV0", "HEPB0", "PENTA1", "OPV1", "PCV1", "ROTA1"}})))
	if len(r.Preventive.VaccinesDue) != 0 {
		t.Errorf("nothing due at 69 days: %v", r.Preventive.VaccinesDue)
	}
	r = classifyMap(t, baseChild(30.0))
	if r.Preventive.VitaminADue || len(r.Preventive.VaccinesDue) != 0 {
		t.Errorf("no preventive block, nothing due: %+v", r.Preventive)
	}
}
