package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"

	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

const childAssessment = `{"schema_version":"1.0","age_months":14,"sex":"female","weight_kg":9.5,"temperature_c":37.0,"setting":{"malaria_risk":"low"},
"danger_signs":{"not_able_to_drink_or_breastfeed":false,"vomits_everything":false,"convulsions_this_illness":false,"lethargic_or_unconscious":false,"convulsing_now":false},
"cough":{"present":true,"duration_days":3,"respiratory_rate":%d,"chest_indrawing":false,"stridor_when_calm":false,"wheeze":false},
"diarrhoea":{"present":false},"fever":{"reported":false},"ear":{"present":false},
"nutrition":{"oedema_both_feet":false,"muac_mm":140,"wfh_z":-0.5},"anaemia":{"palmar_pallor":"none"}}`

var allChildTasks = []string{"ask_drink_or_breastfeed", "ask_vomits_everything", "ask_convulsions", "look_lethargic_unconscious",
	"ask_cough", "ask_diarrhoea", "ask_fever", "ask_ear_problem", "count_breaths_one_minute", "look_chest_indrawing",
	"look_listen_stridor_wheeze", "measure_temperature", "weigh", "plot_growth_chart", "look_oedema", "check_palmar_pallor",
	"check_immunization_card", "measure_muac", "assess_feeding"}

// observationBody is a pneumonia case managed exactly right unless changed by opts.
func observationBody(visitID string, workerID int64, rr int, classes string, skipTask string) string {
	tasks := map[string]bool{}
	for _, t := range allChildTasks {
		tasks[t] = t != skipTask
	}
	tj, _ := json.Marshal(tasks)
	return fmt.Sprintf(`{"visit_id":%q,"health_worker_id":%d,"observed_at":"2026-11-20T09:30:00+02:00","protocol":"imci-who-2014",
		"recording_form_used":true,"assessment":%s,
		"worker":{"tasks":%s,"classifications":[%s],
		"treatments":[{"code":"AMOXICILLIN_ORAL","units_per_dose":1,"unit":"tablet_250mg","frequency_per_day":2,"duration_days":5}],
		"referred":false,"follow_up_days":3,
		"counselling":{"advised_when_to_return_immediately":true,"taught_how_to_give_oral_drugs":true,"first_dose_given_at_facility":true,"feeding_counselled":true,"fluids_and_feeding_advised":true}},
		"notes":"Good work; count for a full minute."}`, visitID, workerID, fmt.Sprintf(childAssessment, rr), tj, classes)
}

const rightClasses = `"PNEUMONIA","NO_ANAEMIA","NO_ACUTE_MALNUTRITION"`

func (f *fixture) makeVisit(t *testing.T, id string) { f.makeVisitTB(t, id) }

func (f *fixture) makeVisitTB(t testing.TB, id string) {
	t.Helper()
	st, body := f.doTB(t, "mentor.kayonza", "POST", "/api/v1/visits", fmt.Sprintf(`{"id":%q,"facility_id":%d,"date":"2026-11-20"}`, id, f.in.ID))
	if st != 201 {
		t.Fatalf("visit: %d %s", st, body)
	}
}

func TestObservationScenarios(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, d)
			visitID := "0190c1a2-0000-7000-8000-000000000001"
			f.makeVisit(t, visitID)
			id := "0190c1a2-0000-7000-8000-0000000000a1"
			path := "/api/v1/observations/" + id
			good := observationBody(visitID, f.inHW.ID, 52, rightClasses, "")
			missed := observationBody(visitID, f.inHW.ID, 52, `"NO_ANAEMIA","NO_ACUTE_MALNUTRITION"`, "")
			steps := []struct {
				name, user, method, path, body string
				want                           int
				contains                       []string
			}{
				{"create and score", "mentor.kayonza", "PUT", path, good, 201, []string{`"correctly_managed":true`, `"classification_correct":true`, `"expected"`, `"version":1`}},
				{"same content again", "mentor.kayonza", "PUT", path, good, 200, []string{`"version":1`}},
				{"different content without version", "mentor.kayonza", "PUT", path, missed, 409, []string{`CONFLICT`}},
				{"different content with current version", "mentor.kayonza", "PUT", path + "?version=1", missed, 200, []string{`"version":2`, `"classification_correct":false`, `"classifications_missed":["PNEUMONIA"]`}},
				{"read by the mentor", "mentor.kayonza", "GET", path, "", 200, []string{`"score"`}},
				{"read by the in-charge", "incharge.rwinkwavu", "GET", path, "", 200, []string{`"score"`}},
				{"named scores are not for the district", "supervisor.kayonza", "GET", path, "", 403, []string{`FORBIDDEN`}},
				{"nor for managers", "manager", "GET", path, "", 403, []string{`FORBIDDEN`}},
				{"mentor of another district", "mentor.kirehe1", "GET", path, "", 403, []string{`FORBIDDEN`}},
				{"mentor of another district cannot write", "mentor.kirehe1", "PUT", "/api/v1/observations/0190c1a2-0000-7000-8000-0000000000a2", good, 403, []string{`FORBIDDEN`}},
				{"bad assessment names the path", "mentor.kayonza", "PUT", "/api/v1/observations/0190c1a2-0000-7000-8000-0000000000a3",
					observationBody(visitID, f.inHW.ID, 500, rightClasses, ""), 400, []string{`"field":"assessment.cough.respiratory_rate"`, `OUT_OF_RANGE`}},
				{"unknown visit", "mentor.kayonza", "PUT", "/api/v1/observations/0190c1a2-0000-7000-8000-0000000000a4",
					observationBody("0190c1a2-0000-7000-8000-00000000ffff", f.inHW.ID, 52, rightClasses, ""), 400, []string{`"field":"visit_id"`}},
				{"worker from elsewhere", "mentor.kayonza", "PUT", "/api/v1/observations/0190c1a2-0000-7000-8000-0000000000a5",
					observationBody(visitID, f.outHW.ID, 52, rightClasses, ""), 400, []string{`"field":"health_worker_id"`}},
				{"bad id", "mentor.kayonza", "PUT", "/api/v1/observations/42", good, 400, []string{`"field":"id"`}},
				{"competency", "mentor.kayonza", "GET", fmt.Sprintf("/api/v1/health-workers/%d/competency", f.inHW.ID), "", 200, []string{`"classification"`}},
				{"indicator value", "supervisor.kayonza", "GET", fmt.Sprintf("/api/v1/indicators/imci.correct_classification/values?orgunit=%d&from=2026-11&to=2026-11", f.in.ID), "", 200,
					[]string{`"numerator":0`, `"denominator":1`}},
				{"indicator at district level", "manager", "GET", fmt.Sprintf("/api/v1/indicators/imci.breaths_counted/values?orgunit=%d&from=2026-10&to=2026-11", *f.in.ParentID), "", 200,
					[]string{`"period":"2026-10","numerator":0,"denominator":0`, `"period":"2026-11","numerator":1,"denominator":1,"value":1`}},
				{"indicator outside area", "supervisor.kirehe", "GET", fmt.Sprintf("/api/v1/indicators/imci.correct_classification/values?orgunit=%d", f.in.ID), "", 403, []string{`FORBIDDEN`}},
				{"void", "mentor.kayonza", "DELETE", path, "", 200, []string{`"voided":true`}},
				{"voided leaves the counts", "supervisor.kayonza", "GET", fmt.Sprintf("/api/v1/indicators/imci.correct_classification/values?orgunit=%d&from=2026-11&to=2026-11", f.in.ID), "", 200,
					[]string{`"denominator":0`}},
			}
			for _, s := range steps {
				got, resp := f.do(t, s.user, s.method, s.path, s.body)
				ok := got == s.want
				for _, c := range s.contains {
					ok = ok && strings.Contains(resp, c)
				}
				if !ok {
					t.Errorf("%s: status %d body %.600s; want %d containing %v", s.name, got, resp, s.want, s.contains)
				}
			}
		})
	}
}

// After any sequence of saves, changes, re-saves and voids, the counts table equals a
// recount from the stored observations.
func TestCountsEqualRecount(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, d)
			visitID := "0190c1a2-0000-7000-8000-000000000002"
			f.makeVisit(t, visitID)
			rng := rand.New(rand.NewPCG(1, 2))
			versions := map[string]int{}
			for i := 0; i < 40; i++ {
				id := fmt.Sprintf("0190c1a2-0000-7000-8000-%012d", rng.IntN(8))
				classes := rightClasses
				if rng.IntN(2) == 0 {
					classes = `"COUGH_OR_COLD","NO_ANAEMIA","NO_ACUTE_MALNUTRITION"`
				}
				skip := allChildTasks[rng.IntN(len(allChildTasks))]
				body := observationBody(visitID, f.inHW.ID, 30+rng.IntN(30), classes, skip)
				switch op := rng.IntN(10); {
				case op < 7:
					path := "/api/v1/observations/" + id
					if v, ok := versions[id]; ok {
						path += fmt.Sprintf("?version=%d", v)
					}
					st, resp := f.do(t, "mentor.kayonza", "PUT", path, body)
					if st != 200 && st != 201 {
						t.Fatalf("put: %d %s", st, resp)
					}
					var rec struct{ Version int }
					json.Unmarshal([]byte(resp), &rec)
					versions[id] = rec.Version
				default:
					if _, ok := versions[id]; ok {
						st, resp := f.do(t, "mentor.kayonza", "DELETE", "/api/v1/observations/"+id, "")
						if st != 200 {
							t.Fatalf("void: %d %s", st, resp)
						}
						var rec struct{ Version int }
						json.Unmarshal([]byte(resp), &rec)
						versions[id] = rec.Version
					}
				}
			}
			assertCountsEqualRecount(t, f.db)
		})
	}
}

func assertCountsEqualRecount(t *testing.T, db *sqlstore.DB) {
	t.Helper()
	want, err := db.RecountIndicators(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	got, err := db.StoredCounts(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	const eps = 1e-9
	for k, w := range want {
		g := got[k]
		if abs(g[0]-w[0]) > eps || abs(g[1]-w[1]) > eps {
			t.Errorf("%s: stored %v, recount %v", k, g, w)
		}
	}
	for k, g := range got {
		if _, ok := want[k]; !ok && (abs(g[0]) > eps || abs(g[1]) > eps) {
			t.Errorf("%s: stored %v, recount has nothing", k, g)
		}
	}
	if len(want) == 0 {
		t.Fatal("recount is empty: the test wrote nothing")
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
