package observation

import (
	"encoding/json"
	"math"
	"slices"
	"strings"
	"testing"

	"mesh"
	"mesh/growth"
	"mesh/imci"
)

// body builds a valid observation body around an assessment, then applies edits.
func body(t testing.TB, a assessment, edit func(m map[string]any)) []byte {
	t.Helper()
	m := map[string]any{
		"id": "0190c1a2-7b3c-7d4e-8f90-123456789abc", "visit_id": "0190C1A2-7B3C-7D4E-8F90-000000000001",
		"health_worker_id": 7, "observed_at": "2026-03-14T09:30:00+02:00", "protocol": "who-2014",
		"recording_form_used": true, "assessment": a,
		"measurements": map[string]any{"length_cm": 70, "measured": "lying"},
		"worker": map[string]any{
			"tasks":           map[string]any{"count_breaths_one_minute": true, "weigh": false},
			"classifications": []any{"PNEUMONIA"},
			"treatments":      []any{map[string]any{"code": "AMOXICILLIN_ORAL", "units_per_dose": 1, "unit": "tablet_250mg", "frequency_per_day": 2, "duration_days": 5}},
			"referred":        false, "follow_up_days": 3,
			"counselling": map[string]any{"advised_when_to_return_immediately": true, "taught_how_to_give_oral_drugs": true,
				"first_dose_given_at_facility": true, "feeding_counselled": false, "fluids_and_feeding_advised": true},
		},
		"notes": "good rapport", "next_steps": "count breaths with a timer",
	}
	if edit != nil {
		edit(m)
	}
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDecodeValid(t *testing.T) {
	o, errs := Decode(body(t, pneumonia, nil))
	if errs != nil {
		t.Fatalf("errors: %v", errs)
	}
	if o.VisitID != "0190c1a2-7b3c-7d4e-8f90-000000000001" || o.HealthWorkerID != 7 || o.ObservedAt.Hour() != 9 ||
		o.Measurements.LengthCm != 70 || !o.Worker.Tasks[TaskCountBreaths] || o.Worker.Tasks[TaskWeigh] ||
		*o.Worker.FollowUpDays != 3 || *o.Worker.Treatments[0].UnitsPerDose != 1 || !o.Worker.Counselling.FirstDoseGivenAtFacility ||
		o.NextSteps == "" {
		t.Errorf("decoded %+v", o)
	}
	if _, _, err := Evaluate(o, Options{}); err != nil {
		t.Errorf("evaluate: %v", err)
	}
	// The assessment is kept byte for byte as sent.
	var top map[string]json.RawMessage
	_ = json.Unmarshal(body(t, pneumonia, nil), &top)
	if string(o.Assessment) != string(top["assessment"]) {
		t.Errorf("assessment changed:\n%s\n%s", o.Assessment, top["assessment"])
	}
}

func TestDecodeErrors(t *testing.T) {
	tests := []struct {
		name string
		raw  []byte
		edit func(m map[string]any)
		want []string // "CODE field", in the sorted order Decode returns
	}{
		{name: "malformed", raw: []byte(`{"visit_id":`), want: []string{"MALFORMED_JSON $"}},
		{name: "not an object", raw: []byte(`[1]`), want: []string{"WRONG_TYPE $"}},
		{name: "trailing data", raw: []byte(`{} {}`), want: []string{"MALFORMED_JSON $"}},
		{name: "missing everything", raw: []byte(`{}`), want: []string{
			"MISSING_REQUIRED assessment", "MISSING_REQUIRED health_worker_id", "MISSING_REQUIRED observed_at",
			"MISSING_REQUIRED protocol", "MISSING_REQUIRED recording_form_used", "MISSING_REQUIRED visit_id", "MISSING_REQUIRED worker"}},
		{name: "unknown fields at every level", edit: func(m map[string]any) {
			m["colour"] = "x"
			m["worker"].(map[string]any)["mood"] = "good"
			m["worker"].(map[string]any)["counselling"].(map[string]any)["smiled"] = true
			m["worker"].(map[string]any)["treatments"].([]any)[0].(map[string]any)["route"] = "oral"
		}, want: []string{"UNKNOWN_FIELD colour", "UNKNOWN_FIELD worker.counselling.smiled", "UNKNOWN_FIELD worker.mood",
			"UNKNOWN_FIELD worker.treatments[0].route"}},
		{name: "wrong types and formats", edit: func(m map[string]any) {
			m["visit_id"] = "visit-1"
			m["health_worker_id"] = "7"
			m["observed_at"] = "14/03/2026"
			m["recording_form_used"] = "yes"
			m["worker"].(map[string]any)["referred"] = 1
			m["worker"].(map[string]any)["follow_up_days"] = 2.5
		}, want: []string{"WRONG_TYPE health_worker_id", "INVALID_FORMAT observed_at", "WRONG_TYPE recording_form_used",
			"INVALID_FORMAT visit_id", "WRONG_TYPE worker.follow_up_days", "WRONG_TYPE worker.referred"}},
		{name: "unknown codes and duplicates", edit: func(m map[string]any) {
			w := m["worker"].(map[string]any)
			w["tasks"] = map[string]any{"count_breaths": true, "weigh": "yes"}
			w["classifications"] = []any{"PNEUMONIA", "PNEUMONIA", "FLU", 3}
			w["treatments"] = []any{map[string]any{"code": "ASPIRIN"}, map[string]any{"code": "ZINC"}, map[string]any{"code": "ZINC"}, "x"}
		}, want: []string{"CONFLICTING_FIELDS worker.classifications[1]", "UNKNOWN_ENUM_VALUE worker.classifications[2]",
			"WRONG_TYPE worker.classifications[3]", "UNKNOWN_ENUM_VALUE worker.tasks.count_breaths", "WRONG_TYPE worker.tasks.weigh",
			"UNKNOWN_ENUM_VALUE worker.treatments[0].code", "CONFLICTING_FIELDS worker.treatments[2].code", "WRONG_TYPE worker.treatments[3]"}},
		{name: "numbers out of range", edit: func(m map[string]any) {
			m["health_worker_id"] = 0
			m["measurements"] = map[string]any{"length_cm": 500, "measured": "sitting"}
			w := m["worker"].(map[string]any)
			w["follow_up_days"] = 400
			w["treatments"] = []any{map[string]any{"code": "ZINC", "units_per_dose": -1, "frequency_per_day": 0, "duration_days": 1000, "dose_mg": 1e9}}
		}, want: []string{"OUT_OF_RANGE health_worker_id", "OUT_OF_RANGE measurements.length_cm", "UNKNOWN_ENUM_VALUE measurements.measured",
			"OUT_OF_RANGE worker.follow_up_days", "OUT_OF_RANGE worker.treatments[0].dose_mg", "OUT_OF_RANGE worker.treatments[0].duration_days",
			"OUT_OF_RANGE worker.treatments[0].frequency_per_day", "OUT_OF_RANGE worker.treatments[0].units_per_dose"}},
		{name: "assessment errors are prefixed", edit: func(m map[string]any) {
			m["assessment"] = pneumonia.with("cough.respiratory_rate", 500).with("setting.malaria_risk", nil).with("colour", "red")
		}, want: []string{"UNKNOWN_FIELD assessment.colour", "OUT_OF_RANGE assessment.cough.respiratory_rate", "MISSING_REQUIRED assessment.setting.malaria_risk"}},
		{name: "assessment age missing", edit: func(m map[string]any) {
			m["assessment"] = pneumonia.with("age_months", nil)
		}, want: []string{"MISSING_REQUIRED assessment.age"}},
		{name: "assessment not an object", edit: func(m map[string]any) { m["assessment"] = "child" },
			want: []string{"WRONG_TYPE assessment"}},
		{name: "missing counselling items", edit: func(m map[string]any) {
			m["worker"].(map[string]any)["counselling"] = map[string]any{"advised_when_to_return_immediately": true}
		}, want: []string{"MISSING_REQUIRED worker.counselling.feeding_counselled", "MISSING_REQUIRED worker.counselling.first_dose_given_at_facility",
			"MISSING_REQUIRED worker.counselling.fluids_and_feeding_advised", "MISSING_REQUIRED worker.counselling.taught_how_to_give_oral_drugs"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			raw := tt.raw
			if raw == nil {
				raw = body(t, pneumonia, tt.edit)
			}
			_, errs := Decode(raw)
			var got []string
			for _, e := range errs {
				got = append(got, e.Code+" "+e.Field)
				if !strings.HasPrefix(e.Message, e.Field) && e.Field != "$" {
					t.Errorf("message %q does not name %s", e.Message, e.Field)
				}
			}
			check(t, "errors", got, tt.want)
		})
	}
}

func TestZScores(t *testing.T) {
	a := child8m().with("weight_kg", 7.0)
	computed := *growth.Compute(growth.Measurement{Sex: "male", AgeDays: int(math.Floor(8 * daysPerMonth)), WeightKg: ptr(7.0),
		LengthCm: ptr(70.0), Measured: "lying"}).WFH
	if computed > -2 || computed < -3 {
		t.Fatalf("test case wants a MAM-range child, computed WFH z %v", computed)
	}
	tests := []struct {
		name     string
		a        assessment
		m        *Measurements
		want     *float64 // wfh_z scored
		warnings []string
	}{
		{"typed disagrees: computed scored, flagged", a.with("nutrition.wfh_z", 0), &Measurements{70, "lying"}, &computed, []string{WarnZScoreDisagrees}},
		{"typed within 0.1: no flag", a.with("nutrition.wfh_z", computed+0.08), &Measurements{70, "lying"}, &computed, nil},
		{"nothing typed: filled", a.with("nutrition.wfh_z", nil), &Measurements{70, "lying"}, &computed, nil},
		{"no measurements: typed kept", a.with("nutrition.wfh_z", 0), nil, ptr(0.0), nil},
		{"sex missing: typed kept, flagged", a.with("nutrition.wfh_z", 0).with("sex", nil), &Measurements{70, "lying"}, ptr(0.0), []string{WarnZScoreNotComputed}},
		{"weight missing: nothing to score, flagged", a.with("nutrition.wfh_z", nil).with("weight_kg", nil), &Measurements{70, "lying"}, nil, []string{WarnZScoreNotComputed}},
		{"oedema: no weight-based z, no flag", a.with("nutrition.oedema_both_feet", true).with("nutrition.wfh_z", nil), &Measurements{70, "lying"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := newObservation(t, tt.a)
			o.Measurements = tt.m
			c, errs := Prepare(o)
			if errs != nil {
				t.Fatal(errs)
			}
			got := c.Input.Nutrition.WFHz
			if (got == nil) != (tt.want == nil) || (got != nil && *got != *tt.want) {
				t.Errorf("wfh_z = %v, want %v", deref(got), deref(tt.want))
			}
			var codes []string
			for _, w := range c.Warnings {
				codes = append(codes, w.Code)
			}
			check(t, "warnings", codes, tt.warnings)
			if string(c.Observation.Assessment) != string(o.Assessment) {
				t.Error("raw assessment changed")
			}
		})
	}
	t.Run("the computed z changes the classification and the warning reaches the score", func(t *testing.T) {
		o := newObservation(t, a.with("nutrition.wfh_z", 0))
		o.Measurements = &Measurements{70, "lying"}
		res, s, err := Evaluate(o, Options{})
		if err != nil {
			t.Fatal(err)
		}
		if !hasClass(res, "MODERATE_ACUTE_MALNUTRITION") {
			t.Errorf("classifications %+v", res.Classifications)
		}
		if len(s.Warnings) != 1 || s.Warnings[0].Code != WarnZScoreDisagrees || *s.Warnings[0].Typed != 0 || *s.Warnings[0].Computed != computed {
			t.Errorf("warnings %+v", s.Warnings)
		}
	})
	t.Run("young infant weight-for-age", func(t *testing.T) {
		waz := *growth.Compute(growth.Measurement{Sex: "female", AgeDays: 30, WeightKg: ptr(2.9)}).WFA
		o := newObservation(t, youngInfant().with("weight_kg", 2.9).with("young_infant.feeding.waz", 1).with("young_infant.feeding.low_weight_for_age", nil))
		c, res := expect(t, o)
		if *c.Input.YoungInfant.Feeding.WAZ != waz || len(c.Warnings) != 1 || c.Warnings[0].Code != WarnZScoreDisagrees {
			t.Errorf("waz %v (want %v), warnings %+v", *c.Input.YoungInfant.Feeding.WAZ, waz, c.Warnings)
		}
		if waz < -2 && !hasClass(res, "FEEDING_PROBLEM_OR_LOW_WEIGHT") {
			t.Errorf("low weight not classified: %+v", res.Classifications)
		}
	})
}

func deref(f *float64) any {
	if f == nil {
		return nil
	}
	return *f
}

func FuzzDecode(f *testing.F) {
	f.Add(body(f, pneumonia, nil))
	f.Add(body(f, youngInfant(), nil))
	f.Add([]byte(`{"worker":{"tasks":{"weigh":1},"treatments":[{"code":null}]}}`))
	f.Add([]byte(`{"assessment":{"schema_version":"1.0"},"health_worker_id":1e400}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		o, errs := Decode(data)
		if len(errs) > 0 {
			if !slices.IsSortedFunc(errs, func(a, b mesh.FieldError) int { return strings.Compare(a.Field, b.Field) }) {
				t.Errorf("errors not sorted: %v", errs)
			}
			return
		}
		// Whatever decodes must prepare and score without panicking.
		if _, _, err := Evaluate(o, Options{}); err != nil {
			t.Errorf("decoded observation does not evaluate: %v", err)
		}
	})
}

func BenchmarkDecodeClassifyScore(b *testing.B) {
	raw := body(b, pneumonia.with("diarrhoea", someDehydration["diarrhoea"]), nil)
	b.ReportAllocs()
	for b.Loop() {
		o, errs := Decode(raw)
		if errs != nil {
			b.Fatal(errs)
		}
		c, _ := Prepare(o)
		res, err := imci.Classify(c.Input)
		if err != nil {
			b.Fatal(err)
		}
		_ = ScoreCase(c, res, Options{})
	}
}
