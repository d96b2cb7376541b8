package web

import (
	"context"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"mesh/account"
	"mesh/audit"
	"mesh/auth"
	"mesh/demo"
)

func TestLoginFlow(t *testing.T) {
	e := newTestEnv(t)
	if r := e.get("/", ""); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/login" {
		t.Fatalf("anonymous home: %d %s", r.Status, r.Header.Get("Location"))
	}
	// A wrong password and an unknown user get the same answer.
	for _, creds := range [][2]string{{"admin", "wrong-password"}, {"nobody", "wrong-password"}} {
		r := e.post("/login", "", url.Values{"username": {creds[0]}, "password": {creds[1]}})
		if r.Status != http.StatusUnauthorized || !strings.Contains(r.Body, "Wrong username or password.") {
			t.Fatalf("bad login %v: %d", creds, r.Status)
		}
		if strings.Contains(r.Body, "wrong-password") {
			t.Fatal("the password was echoed back")
		}
	}
	r := e.post("/login", "", url.Values{"username": {"admin"}, "password": {demo.Password}, "next": {"/places"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/places" {
		t.Fatalf("login: %d %s", r.Status, r.Header.Get("Location"))
	}
	cookie := sessionCookie(t, r)
	home := e.get("/", "", "Cookie: "+cookie)
	if home.Status != http.StatusOK || !strings.Contains(home.Body, "Demo Administrator") {
		t.Fatalf("home after login: %d", home.Status)
	}
	if r := e.post("/logout", "", url.Values{}, "Cookie: "+cookie); r.Status != http.StatusSeeOther {
		t.Fatalf("logout: %d", r.Status)
	}
	if r := e.get("/", "", "Cookie: "+cookie); r.Status != http.StatusSeeOther {
		t.Fatalf("home after logout: %d", r.Status)
	}
	// An external ?next= is ignored.
	r = e.post("/login", "", url.Values{"username": {"admin"}, "password": {demo.Password}, "next": {"//evil.example/"}})
	if r.Header.Get("Location") != "/" {
		t.Fatalf("open redirect: %s", r.Header.Get("Location"))
	}
}

func TestLoginRateLimited(t *testing.T) {
	e := newTestEnv(t)
	for range auth.MaxFailuresPerUser {
		if err := e.db.RecordLogin(context.Background(), "mentor.kayonza", "10.9.9.9", false); err != nil {
			t.Fatal(err)
		}
	}
	r := e.post("/login", "", url.Values{"username": {"mentor.kayonza"}, "password": {demo.Password}})
	if r.Status != http.StatusTooManyRequests || !strings.Contains(r.Body, "Wait 15 minutes") {
		t.Fatalf("rate limit: %d", r.Status)
	}
}

func sessionCookie(t *testing.T, r response) string {
	t.Helper()
	for _, c := range (&http.Response{Header: r.Header}).Cookies() {
		if c.Name == auth.CookieName && c.Value != "" {
			if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode {
				t.Fatalf("session cookie flags: %+v", c)
			}
			return c.Name + "=" + c.Value
		}
	}
	t.Fatal("no session cookie")
	return ""
}

// TestPagesByRole opens every page as a role allowed to and checks out-of-area records
// and role limits answer 403, as the API does.
func TestPagesByRole(t *testing.T) {
	e := newTestEnv(t)
	kayonza, kirehe := e.placeNamed("Kayonza"), e.placeNamed("Kirehe")
	rwinkwavu, nyarubuye := e.placeNamed("Rwinkwavu Health Centre"), e.placeNamed("Nyarubuye Health Centre")
	kayWorker, kirWorker := e.workerAt(rwinkwavu), e.workerAt(nyarubuye)
	kirSup := e.user("supervisor.kirehe")
	id := func(n int64) string { return idString(n) }
	cases := []struct {
		user, path string
		status     int
		want       string
	}{
		{"admin", "/", 200, "Kirehe"},
		{"manager", "/", 200, "Kayonza"},
		{"supervisor.kayonza", "/", 200, "Rwinkwavu Health Centre"},
		{"mentor.kayonza", "/", 200, "Rwinkwavu Health Centre"},
		{"incharge.rwinkwavu", "/", 200, kayWorker.Name},
		{"admin", "/places", 200, "Eastern Province"},
		{"supervisor.kayonza", "/places", 200, "Rwinkwavu Health Centre"},
		{"supervisor.kayonza", "/places?type=facility&q=rwink", 200, "Rwinkwavu Health Centre"},
		{"admin", "/places/" + id(kirehe.ID), 200, "Nyarubuye sector"},
		{"supervisor.kayonza", "/places/" + id(kayonza.ID), 200, "Rwinkwavu"},
		{"supervisor.kayonza", "/places/" + id(nyarubuye.ID), 403, "Outside your area"},
		{"supervisor.kayonza", "/places/" + id(kirehe.ID), 403, "Outside your area"},
		{"mentor.kirehe1", "/places/" + id(rwinkwavu.ID), 403, "Outside your area"},
		{"admin", "/places/999999", 404, "Page not found"},
		{"admin", "/places/abc", 404, "Page not found"},
		{"admin", "/places/new", 200, "name=\"parent_id\""},
		{"manager", "/places/" + id(nyarubuye.ID) + "/edit", 200, "name=\"version\""},
		{"supervisor.kayonza", "/places/new", 403, ""},
		{"supervisor.kayonza", "/places/" + id(rwinkwavu.ID) + "/edit", 403, ""},
		{"admin", "/workers", 200, kirWorker.Name},
		{"supervisor.kayonza", "/workers", 200, kayWorker.Name},
		{"supervisor.kayonza", "/workers?status=all&facility=" + id(rwinkwavu.ID), 200, kayWorker.Name},
		{"supervisor.kayonza", "/workers/" + id(kayWorker.ID), 200, "Posting history"},
		{"supervisor.kayonza", "/workers/" + id(kirWorker.ID), 403, "Outside your area"},
		{"supervisor.kayonza", "/workers/" + id(kirWorker.ID) + "/edit", 403, ""},
		{"incharge.rwinkwavu", "/workers/" + id(kayWorker.ID) + "/edit", 200, "Move to another facility"},
		{"supervisor.kayonza", "/workers/new", 200, "Rwinkwavu Health Centre"},
		{"mentor.kayonza", "/workers/new", 403, ""},
		{"admin", "/users", 200, "supervisor.kirehe"},
		{"supervisor.kayonza", "/users", 200, "mentor.kayonza"},
		{"admin", "/users/new", 200, "name=\"password\""},
		{"admin", "/users/" + id(kirSup.ID) + "/edit", 200, "supervisor.kirehe"},
		{"supervisor.kayonza", "/users/new", 403, ""},
		{"supervisor.kayonza", "/users/" + id(kirSup.ID) + "/edit", 403, ""},
		{"mentor.kayonza", "/users", 403, ""},
		{"mentor.kayonza", "/assignments", 200, "Rwinkwavu Health Centre"},
		{"supervisor.kayonza", "/assignments?all=1", 200, "Mentor Kayonza"},
		{"supervisor.kayonza", "/assignments/new", 200, "mentor_id"},
		{"mentor.kayonza", "/assignments/new", 403, ""},
		{"admin", "/audit", 200, "orgunit"},
		{"admin", "/audit?entity=user&page=1", 200, "supervisor.kirehe"},
		{"manager", "/audit", 403, ""},
		{"admin", "/no-such-page", 404, "Page not found"},
		{"", "/places", 303, ""},
	}
	for _, c := range cases {
		r := e.get(c.path, c.user)
		if r.Status != c.status || !strings.Contains(r.Body, c.want) {
			t.Errorf("%s GET %s: status %d (want %d), contains %q: %v", c.user, c.path, r.Status, c.status, c.want, strings.Contains(r.Body, c.want))
		}
		if r.Status >= 500 || strings.Contains(r.Body, "sql") || strings.Contains(r.Body, "goroutine") {
			t.Errorf("%s GET %s leaked internals", c.user, c.path)
		}
	}
}

func TestFormValidationKeepsInputAndWritesNothing(t *testing.T) {
	e := newTestEnv(t)
	sector := e.placeNamed("Rwinkwavu sector")
	places, workers := e.countPlaces(), e.countWorkers()
	auditBefore := e.auditCount()

	r := e.post("/places/new", "admin", url.Values{"name": {""}, "type": {"facility"}, "parent_id": {idString(sector.ID)},
		"code": {"RW-NEW-01"}, "dhis2_uid": {"1bad"}, "time_zone": {"Africa/Kigali"}, "cadence_days": {"abc"}})
	if r.Status != http.StatusBadRequest {
		t.Fatalf("invalid place: %d", r.Status)
	}
	for _, want := range []string{`id="e-name"`, `id="e-cadence_days"`, `id="e-dhis2_uid"`, `value="RW-NEW-01"`, `value="abc"`, "This is required."} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("invalid place form lacks %s", want)
		}
	}
	r = e.post("/workers/new", "supervisor.kayonza", url.Values{"name": {"Jeanne Test"}, "cadre": {"A2"}, "facility_id": {""},
		"imci_trained_on": {"2026-02-30"}, "start_on": {"2025-01-01"}})
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="e-facility_id"`) ||
		!strings.Contains(r.Body, `id="e-imci_trained_on"`) || !strings.Contains(r.Body, `value="Jeanne Test"`) {
		t.Fatalf("invalid worker: %d", r.Status)
	}
	r = e.post("/users/new", "admin", url.Values{"username": {"new.mentor"}, "role": {"supervisor"}, "password": {"short"}}, "Cookie: mesh_lang=fr")
	if r.Status != http.StatusBadRequest || !strings.Contains(r.Body, `id="e-password"`) || !strings.Contains(r.Body, `id="e-scope_id"`) {
		t.Fatalf("invalid user: %d", r.Status)
	}
	if e.countPlaces() != places || e.countWorkers() != workers || e.auditCount() != auditBefore {
		t.Fatal("an invalid form wrote something")
	}
	// A field error in French on a French page.
	r = e.post("/places/new", "admin", url.Values{"name": {""}, "type": {"facility"}, "parent_id": {idString(sector.ID)}}, "Cookie: mesh_lang=fr")
	if !strings.Contains(r.Body, "Ce champ est obligatoire.") {
		t.Fatal("field error not translated")
	}
}

func (e *testEnv) auditCount() int {
	e.t.Helper()
	_, n, err := e.db.FindAuditEntries(context.Background(), audit.Filter{Entity: "orgunit", Limit: 1})
	if err != nil {
		e.t.Fatal(err)
	}
	_, m, _ := e.db.FindAuditEntries(context.Background(), audit.Filter{Entity: "health_worker", Limit: 1})
	return n + m
}

var locationID = regexp.MustCompile(`^/(?:places|workers)/(\d+)\?notice=`)

func TestCreateAndEditPlace(t *testing.T) {
	e := newTestEnv(t)
	sector := e.placeNamed("Rwinkwavu sector")
	r := e.post("/places/new", "manager", url.Values{"name": {"Test Health Post"}, "type": {"facility"}, "parent_id": {idString(sector.ID)},
		"code": {"RW-T-01"}, "malaria_risk": {"high"}, "time_zone": {"Africa/Kigali"}, "cadence_days": {"30"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create place: %d %s", r.Status, r.Body)
	}
	m := locationID.FindStringSubmatch(r.Header.Get("Location"))
	if m == nil {
		t.Fatalf("create place redirect %q", r.Header.Get("Location"))
	}
	path := "/places/" + m[1]
	if r := e.get(path+"?notice=created", "manager"); r.Status != 200 || !strings.Contains(r.Body, "Test Health Post") || !strings.Contains(r.Body, "Every 30 days") {
		t.Fatalf("new place page: %d", r.Status)
	}
	form := url.Values{"version": {"1"}, "name": {"Test Health Post"}, "code": {"RW-T-01"}, "dhis2_uid": {"Abcdefghij1"},
		"malaria_risk": {"low"}, "time_zone": {"Africa/Kigali"}, "cadence_days": {"28"}}
	if r := e.post(path+"/edit", "manager", form); r.Status != http.StatusSeeOther {
		t.Fatalf("edit place: %d %s", r.Status, r.Body)
	}
	// The same form again carries a stale version: 409 and a clear message.
	form.Set("cadence_days", "14")
	r = e.post(path+"/edit", "manager", form)
	if r.Status != http.StatusConflict || !strings.Contains(r.Body, "Someone else changed this record") || !strings.Contains(r.Body, `value="14"`) {
		t.Fatalf("stale edit: %d", r.Status)
	}
	if r := e.get(path, "manager"); !strings.Contains(r.Body, "Every 28 days") || !strings.Contains(r.Body, "Abcdefghij1") {
		t.Fatal("edit not saved")
	}
	// A supervisor may not write places; a Kirehe place is outside Kayonza's area.
	if r := e.post(path+"/edit", "supervisor.kayonza", form); r.Status != http.StatusForbidden {
		t.Fatalf("supervisor edit: %d", r.Status)
	}
}

func TestWorkerCreateMoveAndEnd(t *testing.T) {
	e := newTestEnv(t)
	rwinkwavu, kabarondo, nyarubuye := e.placeNamed("Rwinkwavu Health Centre"), e.placeNamed("Kabarondo Health Centre"), e.placeNamed("Nyarubuye Health Centre")
	// Out of area: a Kayonza supervisor cannot post a worker in Kirehe.
	r := e.post("/workers/new", "supervisor.kayonza", url.Values{"name": {"Test Nurse"}, "cadre": {"A1"}, "facility_id": {idString(nyarubuye.ID)}, "start_on": {"2024-01-01"}})
	if r.Status != http.StatusForbidden {
		t.Fatalf("out-of-area create: %d", r.Status)
	}
	r = e.post("/workers/new", "supervisor.kayonza", url.Values{"name": {"Test Nurse"}, "cadre": {"A1"}, "facility_id": {idString(rwinkwavu.ID)}, "start_on": {"2024-01-01"}})
	m := locationID.FindStringSubmatch(r.Header.Get("Location"))
	if r.Status != http.StatusSeeOther || m == nil {
		t.Fatalf("create worker: %d %s", r.Status, r.Body)
	}
	path := "/workers/" + m[1]
	move := url.Values{"version": {"1"}, "name": {"Test Nurse"}, "cadre": {"A1"}, "imci_trained_on": {"2024-06-01"},
		"facility_id": {idString(kabarondo.ID)}, "move_on": {"2025-03-01"}}
	if r := e.post(path+"/edit", "supervisor.kayonza", move); r.Status != http.StatusSeeOther {
		t.Fatalf("move worker: %d %s", r.Status, r.Body)
	}
	r = e.get(path, "supervisor.kayonza")
	if !strings.Contains(r.Body, "Kabarondo Health Centre") || !strings.Contains(r.Body, "28 February 2025") || !strings.Contains(r.Body, "1 March 2025") {
		t.Fatalf("posting history not shown:\n%s", r.Body)
	}
	end := url.Values{"version": {"2"}, "name": {"Test Nurse"}, "cadre": {"A1"}, "imci_trained_on": {"2024-06-01"},
		"facility_id": {idString(kabarondo.ID)}, "end_on": {"2025-12-31"}}
	if r := e.post(path+"/edit", "supervisor.kayonza", end); r.Status != http.StatusSeeOther {
		t.Fatalf("end posting: %d %s", r.Status, r.Body)
	}
	id := int64(0)
	for _, c := range m[1] {
		id = id*10 + int64(c-'0')
	}
	h, err := e.db.FindHealthWorkerByID(context.Background(), id)
	if err != nil || h.EndOn != "2025-12-31" || len(h.Postings) != 2 {
		t.Fatalf("worker after end: %+v %v", h, err)
	}
	// Moving out of the area is refused.
	end.Set("version", "3")
	end.Set("facility_id", idString(nyarubuye.ID))
	if r := e.post(path+"/edit", "supervisor.kayonza", end); r.Status != http.StatusForbidden {
		t.Fatalf("move out of area: %d", r.Status)
	}
}

func TestUsersAndAssignments(t *testing.T) {
	e := newTestEnv(t)
	rwinkwavu, nyarubuye := e.placeNamed("Rwinkwavu Health Centre"), e.placeNamed("Nyarubuye Health Centre")
	r := e.post("/users/new", "admin", url.Values{"username": {"mentor.new"}, "display_name": {"New Mentor"}, "role": {"mentor"},
		"password": {"a-long-password"}, "language": {"fr"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create user: %d %s", r.Status, r.Body)
	}
	// A duplicate username is shown on its field.
	r = e.post("/users/new", "admin", url.Values{"username": {"mentor.new"}, "role": {"mentor"}, "password": {"a-long-password"}})
	if r.Status != http.StatusConflict || !strings.Contains(r.Body, `id="e-username"`) {
		t.Fatalf("duplicate user: %d", r.Status)
	}
	u := e.user("mentor.new")
	r = e.post("/assignments/new", "supervisor.kayonza", url.Values{"mentor_id": {idString(u.ID)}, "facility_id": {idString(rwinkwavu.ID)}, "start_on": {"2025-01-01"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("create assignment: %d %s", r.Status, r.Body)
	}
	r = e.post("/assignments/new", "supervisor.kayonza", url.Values{"mentor_id": {idString(u.ID)}, "facility_id": {idString(nyarubuye.ID)}, "start_on": {"2025-01-01"}})
	if r.Status != http.StatusForbidden {
		t.Fatalf("out-of-area assignment: %d", r.Status)
	}
	list, _, err := e.db.FindAssignments(context.Background(), account.AssignmentFilter{MentorID: &u.ID})
	if err != nil || len(list) != 1 {
		t.Fatalf("assignments %v %v", list, err)
	}
	kirehe, _, _ := e.db.FindAssignments(context.Background(), account.AssignmentFilter{FacilityID: &nyarubuye.ID})
	if r := e.post("/assignments/"+idString(kirehe[0].ID)+"/end", "supervisor.kayonza", url.Values{"end_on": {"2026-01-01"}}); r.Status != http.StatusForbidden {
		t.Fatalf("end out-of-area assignment: %d", r.Status)
	}
	if r := e.post("/assignments/"+idString(list[0].ID)+"/end", "supervisor.kayonza", url.Values{"end_on": {"2024-01-01"}}); r.Status != http.StatusBadRequest {
		t.Fatalf("end before start: %d", r.Status)
	}
	if r := e.post("/assignments/"+idString(list[0].ID)+"/end", "supervisor.kayonza", url.Values{"end_on": {"2025-06-30"}}); r.Status != http.StatusSeeOther {
		t.Fatalf("end assignment: %d %s", r.Status, r.Body)
	}
	// Deactivate and reset the password, with the version.
	r = e.post("/users/"+idString(u.ID)+"/edit", "admin", url.Values{"version": {idString(int64(u.Version))}, "display_name": {"New Mentor"},
		"role": {"mentor"}, "language": {"fr"}, "password": {"another-long-password"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("edit user: %d %s", r.Status, r.Body)
	}
	if u2 := e.user("mentor.new"); u2.Active || u2.PasswordHash == u.PasswordHash {
		t.Fatalf("user not deactivated or password unchanged: %+v", u2)
	}
}

func TestCrossOriginPostRefused(t *testing.T) {
	e := newTestEnv(t)
	sector := e.placeNamed("Rwinkwavu sector")
	before := e.countPlaces()
	r := e.post("/places/new", "admin", url.Values{"name": {"Evil HC"}, "type": {"facility"}, "parent_id": {idString(sector.ID)}},
		"Sec-Fetch-Site: cross-site")
	if r.Status != http.StatusForbidden || e.countPlaces() != before {
		t.Fatalf("cross-origin post: %d, places %d → %d", r.Status, before, e.countPlaces())
	}
	if r := e.post("/logout", "admin", url.Values{}, "Origin: https://evil.example", "Sec-Fetch-Site: cross-site"); r.Status != http.StatusForbidden {
		t.Fatalf("cross-origin logout: %d", r.Status)
	}
}

var htmlLang = regexp.MustCompile(`<html lang="([a-z]+)">`)

func langOf(t *testing.T, r response) string {
	t.Helper()
	m := htmlLang.FindStringSubmatch(r.Body)
	if m == nil {
		t.Fatalf("no <html lang> in %d page", r.Status)
	}
	return m[1]
}

func TestLanguage(t *testing.T) {
	e := newTestEnv(t)
	r := e.get("/login?lang=fr", "")
	if langOf(t, r) != "fr" || !strings.Contains(r.Body, "Mot de passe") || !strings.Contains(r.Header.Get("Set-Cookie"), LangCookie+"=fr") {
		t.Fatalf("?lang=fr: %s / %s", langOf(t, r), r.Header.Get("Set-Cookie"))
	}
	cases := []struct {
		user    string
		headers []string
		want    string
	}{
		{"", nil, "en"},
		{"", []string{"Accept-Language: fr"}, "fr"},
		{"", []string{"Accept-Language: fr-CA,fr;q=0.9,en;q=0.5"}, "fr"},
		{"", []string{"Accept-Language: rw-RW"}, "rw"},
		{"", []string{"Accept-Language: de"}, "en"},
		{"", []string{"Cookie: " + LangCookie + "=rw", "Accept-Language: fr"}, "rw"},
		{"admin", []string{"Accept-Language: fr"}, "fr"},
	}
	for _, c := range cases {
		path := "/login"
		if c.user != "" {
			path = "/places"
		}
		if got := langOf(t, e.get(path, c.user, c.headers...)); got != c.want {
			t.Errorf("%v: lang %s, want %s", c.headers, got, c.want)
		}
	}
	// The user's profile language wins over ?lang=, the cookie and the header.
	mentor := e.user("mentor.kayonza")
	rw := "rw"
	if _, err := e.db.UpdateUser(context.Background(), mentor.ID, account.UserUpdate{Language: &rw}); err != nil {
		t.Fatal(err)
	}
	r = e.get("/places?lang=fr", "mentor.kayonza", "Accept-Language: fr", "Cookie: "+LangCookie+"=en")
	if langOf(t, r) != "rw" || !strings.Contains(r.Body, "Ahantu") {
		t.Fatalf("profile language: %s", langOf(t, r))
	}
	// The switcher changes the profile of a logged-in user.
	r = e.post("/language", "mentor.kayonza", url.Values{"lang": {"fr"}, "next": {"/places"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/places" {
		t.Fatalf("switcher: %d %s", r.Status, r.Header.Get("Location"))
	}
	if got := langOf(t, e.get("/places", "mentor.kayonza")); got != "fr" {
		t.Fatalf("after switching: %s", got)
	}
	// Dates follow the language.
	h := e.workerAt(e.placeNamed("Rwinkwavu Health Centre"))
	body := e.get("/workers/"+idString(h.ID), "mentor.kayonza").Body
	if !regexp.MustCompile(`\d+ (janvier|février|mars|avril|mai|juin|juillet|août|septembre|octobre|novembre|décembre) \d{4}`).MatchString(body) {
		t.Fatal("no French date on a French page")
	}
}

func TestStaticAndHeaders(t *testing.T) {
	e := newTestEnv(t)
	for _, name := range []string{"htmx.min.js", "mesh.css"} {
		r := e.get(assetURL(name), "")
		if r.Status != 200 || !strings.Contains(r.Header.Get("Cache-Control"), "max-age=31536000") {
			t.Fatalf("%s: %d %q", name, r.Status, r.Header.Get("Cache-Control"))
		}
	}
	r := e.get("/login", "")
	if !strings.Contains(r.Header.Get("Content-Security-Policy"), "script-src 'self'") || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("headers: %v", r.Header)
	}
	// The page loads its script deferred and has no inline script or style.
	if !strings.Contains(r.Body, `<script defer src="/static/htmx.min.js?v=`) || regexp.MustCompile(`<script>|<style|style="`).MatchString(r.Body) {
		t.Fatal("inline script or style on the page")
	}
}
