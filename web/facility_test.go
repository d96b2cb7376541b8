package web

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mesh/qi"
	"mesh/readiness"
)

// demoProject finds a demo QI project by title.
func (e *testEnv) demoProject(title string) *qi.Project {
	e.t.Helper()
	list, _, err := e.db.FindProjects(context.Background(), qi.Filter{Limit: 100})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, p := range list {
		if p.Title == title {
			return p
		}
	}
	e.t.Fatalf("no demo QI project %q", title)
	return nil
}

// demoIssueAt returns a demo issue at a facility.
func (e *testEnv) demoIssueAt(facilityID int64) *readiness.Issue {
	e.t.Helper()
	list, _, err := e.db.FindIssues(context.Background(), readiness.IssueFilter{FacilityID: &facilityID, Limit: 1})
	if err != nil || len(list) == 0 {
		e.t.Fatalf("no demo issue at %d: %v", facilityID, err)
	}
	return list[0]
}

func TestFacilityPagesRenderForRolesAndRefuseOutOfArea(t *testing.T) {
	e := newTestEnv(t)
	rw := e.placeNamed("Rwinkwavu Health Centre")
	project := e.demoProject("Classify every sick child correctly")
	issue := e.demoIssueAt(rw.ID)
	pages := []string{"/facilities/" + idString(rw.ID) + "/systems", "/stockouts", "/issues", "/issues?status=escalated",
		"/issues/" + issue.ID, "/qi", "/qi/" + project.ID, "/qi/change-package"}
	for _, user := range []string{"mentor.kayonza", "supervisor.kayonza", "manager", "incharge.rwinkwavu", "admin"} {
		for _, path := range pages {
			if r := e.get(path, user); r.Status != http.StatusOK {
				t.Errorf("%s GET %s: %d, want 200", user, path, r.Status)
			}
		}
	}
	forms := []string{"/facilities/" + idString(rw.ID) + "/readiness/new", "/issues/new?facility=" + idString(rw.ID),
		"/qi/new", "/qi/" + project.ID + "/cycles/new"}
	for _, user := range []string{"mentor.kayonza", "supervisor.kayonza", "incharge.rwinkwavu"} {
		for _, path := range forms {
			if r := e.get(path, user); r.Status != http.StatusOK {
				t.Errorf("%s GET %s: %d, want 200", user, path, r.Status)
			}
		}
	}
	// Managers follow, they do not record.
	if r := e.get(forms[0], "manager"); r.Status != http.StatusForbidden {
		t.Errorf("manager readiness form: %d, want 403", r.Status)
	}
	// Kirehe's mentor and supervisor see nothing of a Kayonza facility.
	for _, user := range []string{"mentor.kirehe1", "supervisor.kirehe"} {
		for _, path := range []string{pages[0], pages[4], pages[6], forms[0], forms[3]} {
			if r := e.get(path, user); r.Status != http.StatusForbidden {
				t.Errorf("%s GET %s: %d, want 403", user, path, r.Status)
			}
		}
		r := e.post("/issues/"+issue.ID+"/status", user, url.Values{"status": {"resolved"}, "version": {"1"}})
		if r.Status != http.StatusForbidden {
			t.Errorf("%s changes a Kayonza issue: %d, want 403", user, r.Status)
		}
	}
	// The stock-out list is the caller's area only.
	if r := e.get("/stockouts", "supervisor.kirehe"); strings.Contains(r.Body, "Rwinkwavu") || !strings.Contains(r.Body, "Nyarubuye") {
		t.Errorf("Kirehe supervisor's stock-outs should list Nyarubuye and not Rwinkwavu:\n%s", r.Body)
	}
	// Navigation: the sections appear for the roles that may use them.
	home := e.get("/", "supervisor.kayonza").Body
	for _, href := range []string{`href="/stockouts"`, `href="/issues"`, `href="/qi"`} {
		if !strings.Contains(home, href) {
			t.Errorf("supervisor's navigation lacks %s", href)
		}
	}
	if !strings.Contains(e.get("/", "incharge.rwinkwavu").Body, `href="/facilities/`+idString(rw.ID)+`/systems"`) {
		t.Error("in-charge's navigation lacks their facility's systems page")
	}
}

func TestReadinessFormSavesAndOpensStockEvents(t *testing.T) {
	e := newTestEnv(t)
	const mentor = "mentor.kayonza"
	fac := e.placeNamed("Kabare Health Centre")
	vid := visitID(t, e.post("/visits/new", mentor, url.Values{"id": {newUUID()}, "facility_id": {idString(fac.ID)},
		"date": {string(today())}, "kind": {"mentoring"}, "status": {"done"}, "activities": {"readiness_check"}}))
	if !strings.Contains(e.get("/visits/"+vid, mentor).Body, "/readiness/new?visit="+vid) {
		t.Fatal("the visit page does not link to a readiness check")
	}
	path := "/facilities/" + idString(fac.ID) + "/readiness/new"
	form := e.get(path+"?visit="+vid, mentor).Body
	for _, want := range []string{`name="visit_id" value="` + vid + `"`, `for="f-a_scale"`, `for="f-since_amoxicillin_dt"`} {
		if !strings.Contains(form, want) {
			t.Errorf("form lacks %s", want)
		}
	}
	checkID := newUUID()
	post := url.Values{"id": {checkID}, "visit_id": {vid}, "date": {string(today())},
		"a_scale": {"ok"}, "a_timer": {"broken"}, "a_electricity": {"absent"}, "a_stock_cards": {"present"},
		"a_amoxicillin_dt": {"out"}, "since_amoxicillin_dt": {"2026-11-02"}, "a_zinc": {"out"}, "a_ors": {"in"}}
	// A bad date comes back on its field, nothing saved.
	bad := url.Values{}
	for k, v := range post {
		bad[k] = v
	}
	bad.Set("since_amoxicillin_dt", "2099-01-01")
	if r := e.post(path, mentor, bad); r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="e-since_amoxicillin_dt"`) {
		t.Fatalf("out-of-range date: %d, want 400 with the error on its field\n%s", r.Status, r.Body)
	}
	for range 2 { // a resent form changes nothing
		r := e.post(path, mentor, post)
		if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/visits/"+vid+"?notice=saved" {
			t.Fatalf("save: %d %q, want 303 back to the visit\n%s", r.Status, r.Header.Get("Location"), r.Body)
		}
	}
	chk, err := e.db.FindCheckByID(context.Background(), checkID)
	if err != nil || chk.VisitID != vid || len(chk.Answers) != 7 {
		t.Fatalf("stored check: %+v, %v", chk, err)
	}
	events, _, err := e.db.FindStockEvents(context.Background(), readiness.StockFilter{FacilityID: &fac.ID, OpenOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]*readiness.StockEvent{}
	for _, ev := range events {
		if got[ev.Commodity] != nil {
			t.Errorf("two open events for %s", ev.Commodity)
		}
		got[ev.Commodity] = ev
	}
	if ev := got["amoxicillin_dt"]; ev == nil || ev.StartedOn != "2026-11-02" || ev.CheckID != checkID {
		t.Errorf("amoxicillin event: %+v", ev)
	}
	if ev := got["zinc"]; ev == nil || ev.StartedOn != today() {
		t.Errorf("zinc event (out since unknown: the check date): %+v", ev)
	}
	if got["ors"] != nil {
		t.Error("an event opened for an item in stock")
	}
	sys := e.get("/facilities/"+idString(fac.ID)+"/systems", "supervisor.kayonza").Body
	for _, want := range []string{"Amoxicillin dispersible tablets", "Zinc", "Timer (ARI timer or watch)", "Electricity"} {
		if !strings.Contains(sys, want) {
			t.Errorf("systems page lacks %q", want)
		}
	}
	if !strings.Contains(e.get("/stockouts", "supervisor.kayonza").Body, "Kabare Health Centre") {
		t.Error("the new stock-out is not on the supervisor's alert list")
	}
}

func TestIssueStatusChangeShowsInHistory(t *testing.T) {
	e := newTestEnv(t)
	const mentor = "mentor.kayonza"
	fac := e.placeNamed("Kabare Health Centre")
	id := newUUID()
	r := e.post("/issues/new", mentor, url.Values{"id": {id}, "facility_id": {idString(fac.ID)}, "category": {"equipment"},
		"description": {"Thermometer broken"}, "owner": {"In-charge"}, "due_on": {"2026-12-15"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/issues/"+id+"?notice=created" {
		t.Fatalf("create: %d %q\n%s", r.Status, r.Header.Get("Location"), r.Body)
	}
	if r := e.post("/issues/new", mentor, url.Values{"id": {newUUID()}, "facility_id": {idString(fac.ID)}}); r.Status != http.StatusBadRequest ||
		!strings.Contains(r.Body, `id="e-description"`) || !strings.Contains(r.Body, `id="e-category"`) {
		t.Errorf("empty issue: %d, want 400 with field errors", r.Status)
	}
	r = e.post("/issues/"+id+"/status", mentor, url.Values{"status": {"escalated"}, "version": {"1"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("status change: %d\n%s", r.Status, r.Body)
	}
	// A change from a stale page is a conflict, not lost silently.
	if r := e.post("/issues/"+id+"/status", mentor, url.Values{"status": {"resolved"}, "version": {"1"}}); r.Status != http.StatusConflict {
		t.Errorf("stale status change: %d, want 409", r.Status)
	}
	if r := e.post("/issues/"+id+"/comments", mentor, url.Values{"text": {"Asked the district for a new one."}}); r.Status != http.StatusSeeOther {
		t.Fatalf("comment: %d\n%s", r.Status, r.Body)
	}
	page := e.get("/issues/"+id, "supervisor.kayonza").Body
	_, history, _ := strings.Cut(page, `id="issue-history"`)
	history, _, _ = strings.Cut(history, "</ul>")
	if strings.Count(history, "<li>") != 2 || !strings.Contains(history, "Open") || !strings.Contains(history, "Escalated to district") {
		t.Errorf("history should read open then escalated:\n%s", history)
	}
	if !strings.Contains(page, "Asked the district for a new one.") {
		t.Error("comment not shown")
	}
	// The district supervisor's list opens on escalated issues.
	if list := e.get("/issues", "supervisor.kayonza").Body; !strings.Contains(list, "/issues/"+id) {
		t.Error("escalated issue not on the supervisor's list")
	}
}

func TestQIProjectPageShowsRunChart(t *testing.T) {
	e := newTestEnv(t)
	p := e.demoProject("Classify every sick child correctly")
	body := e.get("/qi/"+p.ID, "mentor.kayonza").Body
	for _, want := range []string{`<svg`, `role="img"`, `<title id="rc-title">Run chart: Classify every sick child correctly (imci.correct_classification)</title>`,
		"Signal: ", "Chart booklet open on the desk at every consultation", `class="tag">Adopt`} {
		if !strings.Contains(body, want) {
			t.Errorf("project page lacks %q", want)
		}
	}
	if strings.Contains(body, "style=") {
		t.Error("inline style on the project page (the CSP forbids it)")
	}
	// A cycle saved from the form appears on the page.
	r := e.post("/qi/"+p.ID+"/cycles/new", "mentor.kayonza", url.Values{"id": {newUUID()}, "change_idea_id": {"c3"},
		"plan": {"Stamp the register"}, "started_on": {"2026-11-02"}, "ended_on": {"2026-11-20"}, "result": {"adopt"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("cycle: %d\n%s", r.Status, r.Body)
	}
	if !strings.Contains(e.get("/qi/"+p.ID, "mentor.kayonza").Body, "Stamp the register") {
		t.Error("new cycle not on the page")
	}
	if cp := e.get("/qi/change-package", "manager").Body; !strings.Contains(cp, "Danger-sign checklist poster at triage") {
		t.Error("change package lacks an adopted idea")
	}
	// A new project from the form lands on its page.
	id := newUUID()
	fac := e.placeNamed("Kabare Health Centre")
	r = e.post("/qi/new", "mentor.kayonza", url.Values{"id": {id}, "facility_id": {idString(fac.ID)}, "title": {"Zinc for every diarrhoea"},
		"problem": {"Zinc forgotten"}, "aim.text": {"90% by March"}, "aim.indicator_id": {"imci.correct_treatment"}, "aim.target_value": {"0.9"},
		"aim.target_date": {"2027-03-31"}, "started_on": {"2026-11-01"}, "team": {"In-charge\nNurse"}, "change_ideas": {"Zinc next to ORS"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/qi/"+id+"?notice=created" {
		t.Fatalf("new project: %d %q\n%s", r.Status, r.Header.Get("Location"), r.Body)
	}
	if r := e.get("/qi/"+id, "mentor.kayonza"); r.Status != http.StatusOK || !strings.Contains(r.Body, "Zinc next to ORS") {
		t.Errorf("new project page: %d", r.Status)
	}
}
