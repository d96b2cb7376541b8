package fhir

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"mesh/dhis2"
	"mesh/observation"
)

// The R4 value sets the shapes are checked against (hl7.org/fhir/R4).
var (
	reportStatus   = set("complete", "pending", "error")
	reportType     = set("individual", "subject-list", "summary", "data-collection")
	populationCode = set("initial-population", "numerator", "numerator-exclusion", "denominator", "denominator-exclusion",
		"denominator-exception", "measure-population", "measure-population-exclusion", "measure-observation")
	qrStatus   = set("in-progress", "completed", "amended", "entered-in-error", "stopped")
	bundleType = set("document", "message", "transaction", "transaction-response", "batch", "batch-response", "history", "searchset", "collection")
)

func set(xs ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// roundTrip marshals v and decodes it as generic JSON, so the checks look at what a
// FHIR server would receive, not at Go structs.
func roundTrip(t *testing.T, v any) map[string]any {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func str(m map[string]any, k string) string { s, _ := m[k].(string); return s }
func obj(m map[string]any, k string) map[string]any {
	o, _ := m[k].(map[string]any)
	return o
}
func arr(m map[string]any, k string) []any { a, _ := m[k].([]any); return a }

func checkMeasureReport(t *testing.T, m map[string]any) {
	t.Helper()
	id := str(m, "id")
	if str(m, "resourceType") != "MeasureReport" || !reportStatus[str(m, "status")] || !reportType[str(m, "type")] ||
		!strings.Contains(str(m, "measure"), "/Measure/") {
		t.Errorf("%s: bad header %v", id, m)
	}
	if len(id) == 0 || len(id) > 64 || strings.ContainsAny(id, "_/ ") {
		t.Errorf("bad id %q", id)
	}
	p := obj(m, "period")
	if _, err := time.Parse(time.DateOnly, str(p, "start")); err != nil {
		t.Errorf("%s: period.start %v", id, p)
	}
	if _, err := time.Parse(time.DateOnly, str(p, "end")); err != nil || str(p, "end") < str(p, "start") {
		t.Errorf("%s: period.end %v", id, p)
	}
	if !strings.HasPrefix(str(obj(m, "subject"), "reference"), "Location/") || !strings.HasPrefix(str(obj(m, "reporter"), "reference"), "Organization/") {
		t.Errorf("%s: subject/reporter %v %v", id, m["subject"], m["reporter"])
	}
	groups := arr(m, "group")
	if len(groups) != 1 {
		t.Fatalf("%s: %d groups", id, len(groups))
	}
	g := groups[0].(map[string]any)
	pops := arr(g, "population")
	if len(pops) == 0 {
		t.Errorf("%s: no population", id)
	}
	for _, p := range pops {
		pm := p.(map[string]any)
		coding := arr(obj(pm, "code"), "coding")
		if len(coding) != 1 {
			t.Fatalf("%s: population code %v", id, pm)
		}
		c := coding[0].(map[string]any)
		if str(c, "system") != MeasurePopulationSystem || !populationCode[str(c, "code")] {
			t.Errorf("%s: population code %v", id, c)
		}
		if n, ok := pm["count"].(float64); !ok || n != float64(int(n)) || n < 0 {
			t.Errorf("%s: count %v", id, pm["count"])
		}
	}
	if s := obj(g, "measureScore"); s != nil {
		if _, ok := s["value"].(float64); !ok {
			t.Errorf("%s: measureScore %v", id, s)
		}
	}
}

func TestFHIRMeasureReports(t *testing.T) {
	p, _ := dhis2.ParsePeriod("2026Q1")
	facilities := []dhis2.FacilityCounts{{ID: 17, Name: "Rwinkwavu HC", UID: "DmKAY000001", Counts: map[string]dhis2.Count{
		"imci.correctly_managed": {Num: 2, Den: 6},
		"imci.assessment_index":  {Num: 4.5, Den: 6},
		"mentoring.visits":       {Num: 3},
		"imci.correct_treatment": {Num: 0, Den: 0},
	}}}
	opt := Options{Base: "https://mesh.example.org/fhir/", Now: time.Date(2026, 4, 2, 8, 0, 0, 0, time.UTC)}
	reports := MeasureReports(p, facilities, opt)
	if len(reports) != 4 {
		t.Fatalf("%d reports", len(reports))
	}
	byMeasure := map[string]map[string]any{}
	res := make([]Resource, len(reports))
	for i, r := range reports {
		m := roundTrip(t, r)
		checkMeasureReport(t, m)
		byMeasure[strings.TrimPrefix(str(m, "measure"), "https://mesh.example.org/fhir/Measure/")] = m
		res[i] = r
	}
	cm := byMeasure["imci.correctly_managed"]
	if p := obj(cm, "period"); str(p, "start") != "2026-01-01" || str(p, "end") != "2026-03-31" {
		t.Errorf("period %v", p)
	}
	g := arr(cm, "group")[0].(map[string]any)
	pops := arr(g, "population")
	if len(pops) != 2 || pops[0].(map[string]any)["count"] != 2.0 || pops[1].(map[string]any)["count"] != 6.0 {
		t.Errorf("populations %v", pops)
	}
	if s := obj(g, "measureScore"); s["value"] != 0.3333 || str(s, "code") != "1" {
		t.Errorf("score %v", s)
	}
	if id := obj(obj(cm, "subject"), "identifier"); str(id, "value") != "DmKAY000001" {
		t.Errorf("subject identifier %v", id)
	}
	if g := arr(byMeasure["imci.correct_treatment"], "group")[0].(map[string]any); g["measureScore"] != nil {
		t.Errorf("zero denominator has a score: %v", g)
	}
	if g := arr(byMeasure["mentoring.visits"], "group")[0].(map[string]any); obj(g, "measureScore")["value"] != 3.0 {
		t.Errorf("count score %v", g)
	}
	b := roundTrip(t, TransactionBundle(opt, res...))
	if str(b, "resourceType") != "Bundle" || !bundleType[str(b, "type")] || len(arr(b, "entry")) != 4 {
		t.Fatalf("bundle %v", b)
	}
	for _, e := range arr(b, "entry") {
		em := e.(map[string]any)
		req := obj(em, "request")
		r := obj(em, "resource")
		if str(req, "method") != "PUT" || str(req, "url") != "MeasureReport/"+str(r, "id") || !strings.HasSuffix(str(em, "fullUrl"), str(req, "url")) {
			t.Errorf("entry %v", em)
		}
	}
}

func checkItems(t *testing.T, items []any, seen map[string]bool) {
	t.Helper()
	for _, it := range items {
		m := it.(map[string]any)
		link := str(m, "linkId")
		if link == "" || seen[link] {
			t.Errorf("linkId %q empty or repeated", link)
		}
		seen[link] = true
		answers, sub := arr(m, "answer"), arr(m, "item")
		if len(answers) == 0 && len(sub) == 0 {
			t.Errorf("%s: neither answer nor item", link)
		}
		for _, a := range answers {
			if n := len(a.(map[string]any)); n != 1 {
				t.Errorf("%s: answer with %d values", link, n)
			}
		}
		checkItems(t, sub, seen)
	}
}

func TestFHIRQuestionnaireResponse(t *testing.T) {
	fu := 2
	rec := &observation.Record{Observation: observation.Observation{
		ID: "0190c1a2-7b3c-7d4e-8f90-123456789abc", HealthWorkerID: 42, ObservedAt: time.Date(2026, 3, 5, 9, 30, 0, 0, time.UTC),
		Assessment: json.RawMessage(`{"age_months":18,"sex":"female","child_name":"Aline","cough":{"present":true,"respiratory_rate":52},"danger_signs":{"convulsions_this_illness":false}}`),
		Worker:     observation.WorkerActions{Tasks: map[string]bool{"cough": true, "muac": false}, Classifications: []string{"PNEUMONIA"}, FollowUpDays: &fu},
		Notes:      "Aline's mother was worried",
	}, FacilityID: 17, Score: observation.Score{AssessmentIndex: 0.5, TasksMissed: []string{"muac"}, CorrectlyManaged: true,
		Feedback: make([]observation.FeedbackPoint, 2)}}
	qr, err := ObservationResponse(rec, Options{})
	if err != nil {
		t.Fatal(err)
	}
	m := roundTrip(t, qr)
	if str(m, "resourceType") != "QuestionnaireResponse" || !qrStatus[str(m, "status")] || str(m, "status") != "completed" ||
		!strings.Contains(str(m, "questionnaire"), "/Questionnaire/") || str(obj(m, "subject"), "reference") != "Practitioner/42" {
		t.Errorf("header %v", m)
	}
	if _, err := time.Parse(time.RFC3339, str(m, "authored")); err != nil {
		t.Errorf("authored %q", str(m, "authored"))
	}
	b, _ := json.Marshal(qr)
	if strings.Contains(string(b), "Aline") {
		t.Error("a child's name reached the QuestionnaireResponse")
	}
	seen := map[string]bool{}
	checkItems(t, arr(m, "item"), seen)
	for _, want := range []string{"assessment", "worker", "score", "assessment.cough.present", "worker.tasks.muac",
		"worker.classifications", "score.assessment_index", "score.correctly_managed", "score.feedback_points"} {
		if !seen[want] {
			t.Errorf("no item %s", want)
		}
	}
	rec.Voided = true
	if qr, _ := ObservationResponse(rec, Options{}); qr.Status != "entered-in-error" {
		t.Errorf("voided status %s", qr.Status)
	}
}
