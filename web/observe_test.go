package web

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strings"
	"testing"

	"mesh"
	"mesh/i18n"
	"mesh/indicator"
	"mesh/observation"
)

// pneumoniaObservation is a child of 18 months, 11 kg, with cough and fast breathing
// (48 a minute), seen by a health worker who did everything right: PNEUMONIA,
// amoxicillin at the chart's dose, follow-up in 3 days, full counselling.
func pneumoniaObservation() url.Values {
	v := with(childForm(), "cough.present", "yes", "cough.duration_days", "3", "cough.respiratory_rate", "48",
		"cough.chest_indrawing", "no", "cough.stridor_when_calm", "no", "cough.wheeze", "no",
		"diarrhoea.present", "no", "fever.reported", "no", "ear.present", "no",
		"recording_form_used", "on", "classification", "PNEUMONIA",
		"treatments.0.code", "AMOXICILLIN_ORAL", "treatments.0.units_per_dose", "2", "treatments.0.unit", "tablet_250mg",
		"treatments.0.frequency_per_day", "2", "treatments.0.duration_days", "5",
		"follow_up_days", "3")
	for _, t := range []string{"ask_drink_or_breastfeed", "ask_vomits_everything", "ask_convulsions", "look_lethargic_unconscious",
		"ask_cough", "ask_diarrhoea", "ask_fever", "ask_ear_problem", "count_breaths_one_minute", "look_chest_indrawing",
		"look_listen_stridor_wheeze", "measure_temperature", "weigh", "plot_growth_chart", "look_oedema",
		"check_palmar_pallor", "check_immunization_card", "measure_muac", "assess_feeding"} {
		v.Set("task."+t, "on")
	}
	for _, c := range counsellingFields {
		v.Set("counselling."+c, "on")
	}
	return v
}

// observeVisit makes a done visit today at Rwinkwavu and returns its id and a worker there.
func (e *testEnv) observeVisit(mentor string) (string, int64) {
	e.t.Helper()
	fac := e.placeNamed("Rwinkwavu Health Centre")
	r := e.post("/visits/new", mentor, url.Values{"id": {newUUID()}, "facility_id": {idString(fac.ID)}, "date": {string(today())},
		"kind": {"mentoring"}, "status": {"done"}, "activities": {"case_observations"}})
	return visitID(e.t, r), e.workerAt(fac).ID
}

// feedbackPath follows the redirect after a saved observation.
func feedbackPath(t *testing.T, r response) string {
	t.Helper()
	loc := r.Header.Get("Location")
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(loc, "/observations/") {
		t.Fatalf("want 303 to the feedback, got %d %q\n%s", r.Status, loc, r.Body)
	}
	return loc
}

func TestObservationFormAndFeedback(t *testing.T) {
	e := newTestEnv(t)
	const mentor = "mentor.kayonza"
	visitID, worker := e.observeVisit(mentor)
	fac := e.placeNamed("Rwinkwavu Health Centre")
	path := "/visits/" + visitID + "/observe"

	r := e.get(path, mentor)
	for _, want := range []string{`id="imci-form"`, `data-draft="restore"`, `name="cough.respiratory_rate"`,
		`name="measurements.length_cm"`, `value="` + idString(worker) + `"`, `data-gate="cough.present"`,
		`data-group="young_infant"`, `name="task.count_breaths_one_minute"`, `value="PNEUMONIA"`,
		`name="treatments.5.code"`, `name="counselling.advised_when_to_return_immediately"`, `data-no-draft`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("observation form lacks %s", want)
		}
	}
	if r.Status != http.StatusOK || strings.Contains(r.Body, `style="`) {
		t.Fatalf("observation form: %d", r.Status)
	}

	countsBefore := e.classificationCounts(fac.Path)

	// A correctly managed pneumonia: saved, scored, counted, and the feedback says so.
	form := pneumoniaObservation()
	form.Set("id", newUUID())
	form.Set("health_worker_id", idString(worker))
	form.Set("notes", "Counted for a full minute with the child calm.")
	form.Set("next_steps", "Keep counting breaths for a full minute.")
	r = e.post(path, mentor, form)
	fb := feedbackPath(t, r)
	// The same form again (a double tap) is a harmless repeat: same feedback, no new record.
	if again := e.post(path, mentor, form); again.Header.Get("Location") != fb {
		t.Errorf("resubmitted form: %d %q", again.Status, again.Header.Get("Location"))
	}
	r = e.get(fb, mentor)
	for _, want := range []string{"Correctly managed", "5 of 5 right", "19 of 19 assessment tasks done",
		"<strong>Pneumonia</strong>", "Oral amoxicillin", "2 tablet(s) of 250 mg", "Come back in 3 days.",
		"Keep counting breaths for a full minute.", "Observe another child", `href="` + path + `"`,
		`href="/visits/` + visitID + `"`, `data-draft-clear="` + path + `"`} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("feedback lacks %q", want)
		}
	}
	if r.Status != http.StatusOK || strings.Contains(r.Body, "feedback.") || strings.Contains(r.Body, "observe.") {
		t.Errorf("feedback: %d, or an untranslated key", r.Status)
	}
	after := e.classificationCounts(fac.Path)
	if after.Num != countsBefore.Num+1 || after.Den != countsBefore.Den+1 {
		t.Errorf("imci.correct_classification counts %+v, before %+v: want one more correct", after, countsBefore)
	}
	goals, err := e.db.FindGoals(context.Background(), worker)
	if err != nil || len(goals) == 0 || goals[0].Goal != "Keep counting breaths for a full minute." || goals[0].Status != "open" {
		t.Errorf("the next steps did not become an open learning goal: %v %v", goals, err)
	}
	// The open goal is shown again on the visit page, for the mentor's review.
	if r := e.get("/visits/"+visitID, mentor); !strings.Contains(r.Body, "Keep counting breaths for a full minute.") {
		t.Error("the visit page does not show the open learning goal")
	}

	// A missed pink classification: lethargic child with cough written as PNEUMONIA,
	// not referred. The most dangerous miss is the first coaching point.
	form = with(pneumoniaObservation(), "id", newUUID(), "health_worker_id", idString(worker),
		"danger_signs.lethargic_or_unconscious", "yes")
	r = e.post(path, mentor, form)
	fb2 := feedbackPath(t, r)
	r = e.get(fb2, mentor)
	first := r.Body[strings.Index(r.Body, `<ol class="points">`):]
	first = first[:strings.Index(first, "</li>")]
	if !strings.Contains(first, `class="point critical"`) || !strings.Contains(first, "Missed") || !strings.Contains(first, "(pink)") {
		t.Errorf("the first coaching point is not the missed pink classification: %s", first)
	}
	if !strings.Contains(r.Body, "Refer urgently to hospital") || strings.Contains(r.Body, "Correctly managed") {
		t.Error("missed referral not explained, or the case called correctly managed")
	}
	if testing.Verbose() {
		t.Log(r.Body[strings.Index(r.Body, "<main"):])
	}

	// Errors beside their fields: an assessment error on its IMCI field (without the
	// "assessment." prefix), the worker's on theirs; nothing saved; the draft kept.
	before := e.observationCount()
	bad := with(pneumoniaObservation(), "id", newUUID(), "health_worker_id", "", "cough.respiratory_rate", "500",
		"treatments.0.units_per_dose", "two", "follow_up_days", "abc")
	r = e.post(path, mentor, bad)
	if r.Status != http.StatusBadRequest {
		t.Fatalf("bad observation: %d", r.Status)
	}
	for _, id := range []string{`id="e-cough.respiratory_rate"`, `id="e-health_worker_id"`, `id="e-treatments.0.units_per_dose"`,
		`id="e-follow_up_days"`, `data-draft="keep"`} {
		if !strings.Contains(r.Body, id) {
			t.Errorf("bad observation: no %s", id)
		}
	}
	if e.observationCount() != before {
		t.Error("a bad observation was saved")
	}
	// The engine's own check, after the form's: an out-of-range value comes back as
	// assessment.<path> and is shown on the IMCI field.
	bad = with(pneumoniaObservation(), "id", newUUID(), "health_worker_id", idString(worker), "temperature_c", "50")
	if r := e.post(path, mentor, bad); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="e-temperature_c"`) {
		t.Errorf("engine error not beside its field: %d", r.Status)
	}

	// Privacy: a supervisor may not open the feedback nor record an observation, and
	// sees no named results on the worker's page; the mentor and in-charge do.
	if r := e.get(fb, "supervisor.kayonza"); r.Status != http.StatusForbidden {
		t.Errorf("supervisor opens feedback: %d", r.Status)
	}
	if r := e.get(path, "supervisor.kayonza"); r.Status != http.StatusForbidden {
		t.Errorf("supervisor opens the observation form: %d", r.Status)
	}
	if r := e.get(fb, "mentor.kirehe1"); r.Status != http.StatusForbidden {
		t.Errorf("another district's mentor opens feedback: %d", r.Status)
	}
	wp := "/workers/" + idString(worker)
	for _, u := range []string{"supervisor.kayonza", "manager"} {
		r := e.get(wp, u)
		if r.Status != http.StatusOK || strings.Contains(r.Body, `id="competency"`) || strings.Contains(r.Body, `id="observations"`) ||
			strings.Contains(r.Body, `id="goals"`) || strings.Contains(r.Body, "Keep counting breaths") || strings.Contains(r.Body, "/observations/") {
			t.Errorf("%s sees the private part of a worker's page (%d)", u, r.Status)
		}
	}
	r = e.get(wp, mentor)
	for _, want := range []string{`id="competency"`, `role="img"`, "<title id=", "Keep counting breaths", `href="` + fb + `"`,
		`action="` + wp + `/goals"`, "Counted for a full minute"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("mentor's worker page lacks %q", want)
		}
	}
	if r := e.get(wp, "incharge.rwinkwavu"); !strings.Contains(r.Body, `id="competency"`) || strings.Contains(r.Body, `action="`+wp+`/goals"`) {
		t.Error("in-charge: the private part is missing, or goals are writable")
	}
	// Learning goals: add one, mark it achieved; a supervisor may not.
	if r := e.post(wp+"/goals", mentor, url.Values{"goal": {"Plot every weight on the growth chart"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("add goal: %d\n%s", r.Status, r.Body)
	}
	if r := e.post(wp+"/goals", mentor, url.Values{"goal": {""}}); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="e-goal"`) {
		t.Errorf("empty goal: %d", r.Status)
	}
	if r := e.post(wp+"/goals", "supervisor.kayonza", url.Values{"goal": {"x"}}); r.Status != http.StatusForbidden {
		t.Errorf("supervisor adds goal: %d", r.Status)
	}
	goals, _ = e.db.FindGoals(context.Background(), worker)
	var gid string
	for _, g := range goals {
		if g.Goal == "Plot every weight on the growth chart" {
			gid = g.ID
		}
	}
	if r := e.post(wp+"/goals/"+gid, mentor, url.Values{"status": {"achieved"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("mark goal achieved: %d", r.Status)
	}
	goals, _ = e.db.FindGoals(context.Background(), worker)
	for _, g := range goals {
		if g.ID == gid && g.Status != "achieved" {
			t.Errorf("goal status %s", g.Status)
		}
	}
	// The visit lists its observations for the mentor.
	if r := e.get("/visits/"+visitID, mentor); !strings.Contains(r.Body, `href="`+fb+`"`) {
		t.Error("the visit does not list its observation")
	}
}

func (e *testEnv) observationCount() int {
	e.t.Helper()
	_, n, err := e.db.FindObservations(context.Background(), observation.Filter{Limit: 1})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// classificationCounts sums this month's imci.correct_classification counts at a
// place, as GET /api/v1/indicators/imci.correct_classification/values reads them.
func (e *testEnv) classificationCounts(path string) indicator.MonthCount {
	e.t.Helper()
	month := mesh.DateOf(nowIn()).Time().Format("2006-01")
	list, err := e.db.IndicatorCounts(context.Background(), "imci.correct_classification", []string{path}, month, month)
	if err != nil {
		e.t.Fatal(err)
	}
	var sum indicator.MonthCount
	for _, c := range list {
		sum.Num += c.Num
		sum.Den += c.Den
	}
	return sum
}

// Every coaching point the scorer can give has its words in every language: the keys
// are read from the scorer's source, so a new kind of point fails here until it is
// translated (the page would otherwise fall back to the English message).
func TestFeedbackKeysInCatalog(t *testing.T) {
	src, err := os.ReadFile("../observation/feedback.go")
	if err != nil {
		t.Fatal(err)
	}
	keys := regexp.MustCompile(`"((?:classification|referral|treatment|dose|follow_up|counselling)\.[a-z_]+)"`).FindAllStringSubmatch(string(src), -1)
	if len(keys) < 15 {
		t.Fatalf("found only %d feedback keys in observation/feedback.go", len(keys))
	}
	var all []string
	for _, k := range keys {
		all = append(all, "observation.feedback."+k[1])
	}
	for _, task := range observation.TaskCodes() {
		all = append(all, "observation.feedback.task."+task)
	}
	for _, mk := range all {
		for _, lang := range i18n.Languages {
			if !i18n.Has(lang, feedbackKey(mk)) {
				t.Errorf("%s: no %s", lang, feedbackKey(mk))
			}
		}
	}
	// Every task has a label and a place on the form.
	onForm := map[string]bool{}
	for _, g := range taskGroups {
		for _, task := range g.Tasks {
			onForm[task] = true
		}
	}
	for _, task := range observation.TaskCodes() {
		if !i18n.Has(i18n.Default, "observe.task."+task) || !onForm[task] {
			t.Errorf("task %s has no label or is not on the form", task)
		}
	}
}

// The observation form for any visit (GET /observe): the bare form with nothing of
// any visit for an id the server does not know (a visit still in a phone's outbox),
// the full form for a visit it holds, and 400 naming the field for a malformed id.
func TestObserveAnyVisit(t *testing.T) {
	e := newTestEnv(t)
	const mentor = "mentor.kayonza"
	visitID, worker := e.observeVisit(mentor)

	for _, path := range []string{"/observe", "/observe?visit=" + newUUID()} {
		r := e.get(path, mentor)
		if r.Status != http.StatusOK {
			t.Fatalf("%s: %d", path, r.Status)
		}
		for _, want := range []string{`id="imci-form"`, `data-any-visit="1"`, `data-visit-id=""`, `action=""`,
			`id="observe-unknown"`, `name="cough.respiratory_rate"`, `value="PNEUMONIA"`, `data-offline-catalog=`} {
			if !strings.Contains(r.Body, want) {
				t.Errorf("%s lacks %s", path, want)
			}
		}
		// No worker of any facility: the phone lists the visit's staff itself.
		if strings.Contains(r.Body, `value="`+idString(worker)+`"`) || strings.Contains(r.Body, "Rwinkwavu") {
			t.Errorf("%s carries a facility's data", path)
		}
	}

	r := e.get("/observe?visit="+strings.ToUpper(visitID), mentor)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `action="/visits/`+visitID+`/observe"`) ||
		!strings.Contains(r.Body, `value="`+idString(worker)+`"`) || strings.Contains(r.Body, "data-any-visit") {
		t.Errorf("a known visit: %d, want its own form", r.Status)
	}

	r = e.get("/observe?visit=not-a-uuid", mentor)
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, "visit") {
		t.Errorf("a malformed id: %d %s", r.Status, r.Body)
	}
	// Another mentor's area: refused, as /visits/{id}/observe is.
	if r := e.get("/observe?visit="+visitID, "mentor.kirehe1"); r.Status != http.StatusForbidden {
		t.Errorf("a visit outside the area: %d", r.Status)
	}
	// Only mentors record observations.
	if r := e.get("/observe", "supervisor.kayonza"); r.Status != http.StatusForbidden {
		t.Errorf("a supervisor: %d", r.Status)
	}
}
