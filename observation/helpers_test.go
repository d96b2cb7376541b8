package observation

import (
	"encoding/json"
	"maps"
	"strings"
	"testing"
	"time"

	"mesh/imci"
)

// assessment is an IMCI input as a JSON tree, so each case can change one sign.
type assessment map[string]any

// child8m is a well-assessed 8-month-old boy with no main symptom: every box answered.
func child8m() assessment {
	return assessment{
		"schema_version": "1.0", "age_months": 8, "sex": "male", "weight_kg": 8, "temperature_c": 36.8,
		"setting": map[string]any{"malaria_risk": "none"},
		"danger_signs": map[string]any{"not_able_to_drink_or_breastfeed": false, "vomits_everything": false,
			"convulsions_this_illness": false, "lethargic_or_unconscious": false, "convulsing_now": false},
		"cough":     map[string]any{"present": false},
		"diarrhoea": map[string]any{"present": false},
		"fever":     map[string]any{"reported": false},
		"ear":       map[string]any{"present": false},
		"nutrition": map[string]any{"oedema_both_feet": false, "muac_mm": 140, "wfh_z": 0, "appetite_test": "not_done", "feeding_problem": false},
		"anaemia":   map[string]any{"palmar_pallor": "none"},
		"preventive": map[string]any{"months_since_last_vitamin_a": 1, "months_since_last_deworming": 1,
			"vaccines_received": []string{"BCG", "OPV0", "HEPB0", "PENTA1", "OPV1", "PCV1", "ROTA1", "PENTA2", "OPV2", "PCV2", "ROTA2", "PENTA3", "OPV3", "PCV3", "ROTA3", "IPV", "MEASLES1"}},
	}
}

// youngInfant is a well 30-day-old breastfed girl.
func youngInfant() assessment {
	return assessment{
		"schema_version": "1.0", "age_days": 30, "sex": "female", "weight_kg": 4, "temperature_c": 36.8,
		"setting": map[string]any{"malaria_risk": "none"},
		"young_infant": map[string]any{"not_feeding_well": false, "convulsions": false, "respiratory_rate": 45,
			"severe_chest_indrawing": false, "movement": "normal", "umbilicus_red_or_draining_pus": false,
			"skin_pustules": false, "jaundice": false,
			"diarrhoea": map[string]any{"present": false},
			"feeding": map[string]any{"breastfed": true, "breastfeeds_per_24h": 10, "receives_other_foods_or_drinks": false,
				"low_weight_for_age": false, "thrush": false, "well_attached": true, "suckling_effectively": true}},
		"preventive": map[string]any{"vaccines_received": []string{"BCG", "OPV0", "HEPB0"}},
	}
}

// with returns a deep copy of a with the dotted path set to v (nil deletes).
func (a assessment) with(path string, v any) assessment {
	var b assessment
	raw, _ := json.Marshal(a)
	_ = json.Unmarshal(raw, &b)
	keys := strings.Split(path, ".")
	m := map[string]any(b)
	for _, k := range keys[:len(keys)-1] {
		next, ok := m[k].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[k] = next
		}
		m = next
	}
	if v == nil {
		delete(m, keys[len(keys)-1])
	} else {
		m[keys[len(keys)-1]] = v
	}
	return b
}

var observedAt = time.Date(2026, 3, 14, 9, 30, 0, 0, time.FixedZone("CAT", 2*3600))

// newObservation wraps an assessment in an observation with no worker actions yet.
func newObservation(t testing.TB, a assessment) Observation {
	t.Helper()
	raw, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	return Observation{ID: "0190c1a2-7b3c-7d4e-8f90-123456789abc", VisitID: "0190c1a2-7b3c-7d4e-8f90-000000000001",
		HealthWorkerID: 7, ObservedAt: observedAt, Protocol: "who-2014", RecordingFormUsed: true, Assessment: raw}
}

// expect runs the real engine on the observation's prepared assessment.
func expect(t testing.TB, o Observation) (Case, imci.Result) {
	t.Helper()
	c, errs := Prepare(o)
	if len(errs) > 0 {
		t.Fatalf("prepare: %v", errs)
	}
	res, err := imci.Classify(c.Input)
	if err != nil {
		t.Fatalf("classify: %v", err)
	}
	return c, res
}

// perfectWorker does everything the expected result asks: every required task, the
// expected classifications, every drug at the engine's dose, referral, follow-up and
// full counselling. Tests then spoil one thing at a time.
func perfectWorker(c Case, res imci.Result) WorkerActions {
	w := WorkerActions{Tasks: map[string]bool{}, Referred: res.UrgentReferral,
		Counselling: Counselling{true, true, true, true, true}}
	for _, t := range RequiredTasks(c.Input, res) {
		w.Tasks[t] = true
	}
	for _, cl := range res.Classifications {
		w.Classifications = append(w.Classifications, cl.Code)
	}
	for _, t := range res.Treatments {
		if !isRequiredTreatment(t) {
			continue
		}
		w.Treatments = append(w.Treatments, givenAsExpected(t))
	}
	if res.FollowUpDays.OK {
		d := res.FollowUpDays.V
		w.FollowUpDays = &d
	}
	return w
}

func givenAsExpected(t imci.Treatment) WorkerTreatment {
	g := WorkerTreatment{Code: t.Code, Unit: t.Unit.V}
	if t.UnitsPerDose.OK {
		g.UnitsPerDose = ptr(t.UnitsPerDose.V)
	}
	if t.DoseMl.OK {
		g.DoseMl = ptr(t.DoseMl.V)
	} else if t.VolumeMl.OK {
		g.DoseMl = ptr(t.VolumeMl.V) // ORS Plan B: the volume over 4 hours
	}
	if t.DoseMg.OK {
		g.DoseMg = ptr(t.DoseMg.V)
	}
	if t.FrequencyPerDay.OK {
		g.FrequencyPerDay = ptr(t.FrequencyPerDay.V)
	}
	if t.DurationDays.OK {
		g.DurationDays = ptr(t.DurationDays.V)
	}
	return g
}

func ptr[T any](v T) *T { return &v }

// scored runs the whole path for an assessment and a worker built from the perfect one.
func scored(t testing.TB, a assessment, spoil func(w *WorkerActions, res imci.Result)) (imci.Result, Score) {
	t.Helper()
	o := newObservation(t, a)
	c, res := expect(t, o)
	w := perfectWorker(c, res)
	w.Tasks = maps.Clone(w.Tasks)
	if spoil != nil {
		spoil(&w, res)
	}
	c.Observation.Worker = w
	return res, ScoreCase(c, res, Options{TrainedOn: "2025-06-01"})
}

func setTreatment(w *WorkerActions, code string, f func(*WorkerTreatment)) {
	for i := range w.Treatments {
		if w.Treatments[i].Code == code {
			f(&w.Treatments[i])
		}
	}
}

func removeTreatment(w *WorkerActions, code string) {
	var out []WorkerTreatment
	for _, t := range w.Treatments {
		if t.Code != code {
			out = append(out, t)
		}
	}
	w.Treatments = out
}

func kinds(points []FeedbackPoint) []string {
	out := []string{}
	for _, p := range points {
		out = append(out, p.Kind+":"+p.Code)
	}
	return out
}
