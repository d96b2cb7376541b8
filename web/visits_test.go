package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mesh/visit"
)

func (e *testEnv) countVisits() int {
	e.t.Helper()
	_, n, err := e.db.FindVisits(context.Background(), visit.Filter{Limit: 1})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

// visitID takes the visit id from a redirect to /visits/{id}?notice=…
func visitID(t *testing.T, r response) string {
	t.Helper()
	loc := r.Header.Get("Location")
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(loc, "/visits/") {
		t.Fatalf("want a redirect to the visit, got %d %q\n%s", r.Status, loc, r.Body)
	}
	id, _, _ := strings.Cut(strings.TrimPrefix(loc, "/visits/"), "?")
	if !visit.ValidUUID(id) {
		t.Fatalf("visit id %q is not a UUID", id)
	}
	return id
}

// A mentor plans a visit, marks it done; bad input writes nothing; a facility outside
// the mentor's area is refused; the cadence list shows overdue facilities first.
func TestVisitsPlanDoneAndCadence(t *testing.T) {
	e := newTestEnv(t)
	const mentor = "mentor.kayonza"
	fac := e.placeNamed("Rwinkwavu Health Centre")

	r := e.get("/visits", mentor)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `href="/visits/new"`) || !strings.Contains(r.Body, `href="/cadence"`) {
		t.Fatalf("visits page: %d", r.Status)
	}
	r = e.get("/visits/new", mentor)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, `name="id" value="`) || !strings.Contains(r.Body, ">Rwinkwavu Health Centre</option>") ||
		strings.Contains(r.Body, ">Nyarubuye Health Centre</option>") {
		t.Fatalf("new visit form: %d (the facility choice must be the mentor's area only)", r.Status)
	}

	// Bad input: every problem beside its field, 400, nothing written.
	before := e.countVisits()
	r = e.post("/visits/new", mentor, url.Values{"id": {newUUID()}, "facility_id": {""}, "date": {"2026-13-45"},
		"kind": {"mentoring"}, "status": {"planned"}, "teaching_attendees": {"many"}})
	if r.Status != http.StatusBadRequest {
		t.Fatalf("bad visit: %d", r.Status)
	}
	for _, id := range []string{`id="e-facility_id"`, `id="e-date"`, `id="e-teaching_attendees"`} {
		if !strings.Contains(r.Body, id) {
			t.Errorf("bad visit: no error %s", id)
		}
	}
	if !strings.Contains(r.Body, `value="many"`) {
		t.Error("bad visit: what was typed is not shown back")
	}
	if e.countVisits() != before {
		t.Error("a bad visit was written")
	}

	// A facility of another district: refused, nothing written.
	other := e.placeNamed("Nyarubuye Health Centre")
	r = e.post("/visits/new", mentor, url.Values{"id": {newUUID()}, "facility_id": {idString(other.ID)}, "date": {"2026-12-01"},
		"kind": {"mentoring"}, "status": {"planned"}})
	if r.Status != http.StatusForbidden || e.countVisits() != before {
		t.Fatalf("out-of-area visit: %d, %d visits (was %d)", r.Status, e.countVisits(), before)
	}

	// Plan a visit, then mark it done.
	r = e.post("/visits/new", mentor, url.Values{"id": {newUUID()}, "facility_id": {idString(fac.ID)}, "date": {"2026-12-02"},
		"kind": {"mentoring"}, "status": {"planned"}, "activities": {"case_observations", "group_teaching"},
		"teaching_topic": {"Counting breaths"}, "teaching_attendees": {"6"}})
	id := visitID(t, r)
	r = e.get("/visits/"+id, mentor)
	if r.Status != http.StatusOK || !strings.Contains(r.Body, "Mark as done") || !strings.Contains(r.Body, "Group teaching session") ||
		!strings.Contains(r.Body, "Observe a consultation") {
		t.Fatalf("planned visit page: %d", r.Status)
	}
	if r := e.get("/visits", mentor); !strings.Contains(r.Body, `href="/visits/`+id+`"`) {
		t.Error("the planned visit is not in the mentor's list")
	}
	if r := e.post("/visits/"+id+"/done", mentor, url.Values{}); r.Status != http.StatusSeeOther {
		t.Fatalf("mark done: %d\n%s", r.Status, r.Body)
	}
	v, err := e.db.FindVisitByID(context.Background(), id)
	if err != nil || v.Status != "done" || v.Date != today() || len(v.Activities) != 2 {
		t.Fatalf("after mark done: %+v %v", v, err)
	}
	if r := e.get("/visits/"+id, mentor); strings.Contains(r.Body, "Mark as done") {
		t.Error("a done visit still offers Mark as done")
	}
	// Another mentor's district may not touch it.
	if r := e.post("/visits/"+id+"/done", "mentor.kirehe1", url.Values{}); r.Status != http.StatusForbidden {
		t.Errorf("other district marks done: %d", r.Status)
	}

	// Cadence: the supervisor's district, overdue first and said in words.
	r = e.get("/cadence", "supervisor.kayonza")
	if r.Status != http.StatusOK {
		t.Fatalf("cadence: %d", r.Status)
	}
	first := strings.Index(r.Body, "<tbody>")
	row := r.Body[first : first+strings.Index(r.Body[first:], "</tr>")]
	if !strings.Contains(row, `class="overdue"`) || !strings.Contains(row, "Overdue") {
		t.Errorf("the first cadence row is not an overdue facility: %s", row)
	}
	if !strings.Contains(r.Body, "Rwinkwavu") || strings.Contains(r.Body, "Nyarubuye") {
		t.Error("cadence is not the supervisor's district")
	}
	if r := e.get("/cadence", "manager"); r.Status != http.StatusOK || !strings.Contains(r.Body, "Nyarubuye") {
		t.Errorf("manager cadence: %d", r.Status)
	}
	if r := e.get("/cadence", "incharge.rwinkwavu"); r.Status != http.StatusForbidden {
		t.Errorf("in-charge cadence: %d", r.Status)
	}
	// Supervisors see visits (not observations); the nav offers both pages.
	r = e.get("/visits/"+id, "supervisor.kayonza")
	if r.Status != http.StatusOK || strings.Contains(r.Body, "Observe a consultation") || strings.Contains(r.Body, "Case observations</h2>") {
		t.Errorf("supervisor's view of a visit: %d", r.Status)
	}
}
