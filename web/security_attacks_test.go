package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"mesh/auth"
	"mesh/demo"
	"mesh/place"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

// Every state-changing route (each POST page and form, and the API's writes with a
// session cookie) refuses a cross-origin request from a browser, and changes nothing.
func TestSecurityCSRF(t *testing.T) {
	e := newSecEnv(t, sqlstore.SQLite, false)
	count := func() int {
		_, n, err := e.db.FindOrgUnits(context.Background(), place.Filter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := count()
	var writes []string
	for _, p := range append(registeredRoutes(t, "."), registeredRoutes(t, "../api")...) {
		method, _, _ := strings.Cut(p, " ")
		if method == "POST" || method == "PUT" || method == "PATCH" || method == "DELETE" {
			writes = append(writes, p)
		}
	}
	o, _ := e.db.FindOrgUnitByID(context.Background(), e.in.ID)
	form := url.Values{"name": {"CSRF HC"}, "type": {"facility"}, "parent_id": {fmt.Sprint(*o.ParentID)},
		"username": {"admin"}, "password": {demo.Password}, "lang": {"fr"}}
	attacks := [][]string{
		{"Origin: https://evil.example", "Sec-Fetch-Site: cross-site"}, // a modern browser
		{"Origin: https://evil.example"},                               // an older browser: Origin only
		{"Sec-Fetch-Site: cross-site"},                                 // no Origin, fetch metadata only
		{"Origin: null"},                                               // a sandboxed frame or data: URL
	}
	cells := 0
	for _, p := range writes {
		method, path, _ := strings.Cut(p, " ")
		path = regexp.MustCompile(`\{[a-z]+\}`).ReplaceAllString(path, "1")
		path = strings.ReplaceAll(path, "{$}", "")
		for _, h := range attacks {
			cells++
			r := e.send(method, path, e.session("admin"), form, "", h...)
			if r.Status != http.StatusForbidden || !strings.Contains(r.Body, "cross-origin request refused") {
				t.Errorf("%s %s from another site (%v): %d, want 403 refused", method, path, h, r.Status)
			}
		}
	}
	if after := count(); after != before {
		t.Errorf("cross-origin posts changed the places: %d → %d", before, after)
	}
	// The same form from the site itself is accepted (the protection is not just "refuse all").
	if r := e.send("POST", "/places/new", e.session("admin"), form, "", "Origin: "+e.srv.URL, "Sec-Fetch-Site: same-origin"); r.Status != http.StatusSeeOther {
		t.Errorf("same-origin form: %d", r.Status)
	}
	t.Logf("%d write routes × %d cross-origin variants = %d requests refused", len(writes), len(attacks), cells)
}

// Logging in issues a new session whatever cookie the browser brought (no fixation);
// logging out ends the session on the server at once, for pages and the API alike.
func TestSecuritySessionFixationAndLogout(t *testing.T) {
	e := newSecEnv(t, sqlstore.SQLite, false)
	planted := e.freshSession("mentor.kirehe1") // an attacker's own session, planted in the victim's browser
	for _, old := range []string{"attacker-chosen-value", planted} {
		r := e.send("POST", "/login", old, url.Values{"username": {"supervisor.kayonza"}, "password": {demo.Password}}, "")
		if r.Status != http.StatusSeeOther {
			t.Fatalf("login: %d", r.Status)
		}
		var got string
		for _, c := range (&http.Response{Header: r.Header}).Cookies() {
			if c.Name == auth.CookieName {
				got = c.Value
				if !c.HttpOnly || c.SameSite != http.SameSiteLaxMode || c.Path != "/" {
					t.Errorf("session cookie flags: %+v", c)
				}
			}
		}
		if got == "" || got == old || len(got) < 32 {
			t.Fatalf("login kept or set a weak session id: %q (browser had %q)", got, old)
		}
		if me := e.send("GET", "/api/v1/me", got, nil, ""); !strings.Contains(me.Body, `"username":"supervisor.kayonza"`) {
			t.Errorf("new session is not the supervisor's: %.200s", me.Body)
		}
		if me := e.send("GET", "/api/v1/me", old, nil, ""); strings.Contains(me.Body, "supervisor.kayonza") {
			t.Errorf("the planted cookie %q became the supervisor's session", old)
		}
		// Logout: the cookie is cleared and the session is dead on the server, at once
		// (the caller cache was warm from the request just made).
		e.send("GET", "/", got, nil, "")
		lo := e.send("POST", "/logout", got, url.Values{}, "")
		if lo.Status != http.StatusSeeOther || !strings.Contains(lo.Header.Get("Set-Cookie"), "Max-Age=0") {
			t.Errorf("logout: %d %q", lo.Status, lo.Header.Get("Set-Cookie"))
		}
		if r := e.send("GET", "/", got, nil, ""); r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), "/login") {
			t.Errorf("the old cookie still opens pages after logout: %d", r.Status)
		}
		if r := e.send("GET", "/api/v1/me", got, nil, ""); r.Status != http.StatusUnauthorized {
			t.Errorf("the old cookie still works on the API after logout: %d", r.Status)
		}
	}
}

// Security headers on every kind of answer, HSTS and Secure cookies under TLS only.
func TestSecurityHeaders(t *testing.T) {
	for _, tls := range []bool{false, true} {
		e := newSecEnv(t, sqlstore.SQLite, tls)
		for _, c := range []struct{ path, user string }{
			{"/", "admin"}, {"/login", ""}, {"/places", "supervisor.kayonza"}, {fmt.Sprintf("/places/%d", e.out.ID), "supervisor.kayonza"},
			{"/no-such-page", ""}, {"/static/mesh.css", ""}, {"/api/v1/me", "admin"}, {"/api/v1/me", ""}, {"/api/v1/visits", "admin"},
			{"/exports/visits.csv", "admin"}, {"/feedback", ""},
		} {
			r := e.send("GET", c.path, e.session(c.user), nil, "")
			h := r.Header
			csp := h.Get("Content-Security-Policy")
			for _, want := range []string{"default-src 'self'", "frame-ancestors 'none'", "object-src 'none'", "base-uri 'self'", "form-action 'self'"} {
				if !strings.Contains(csp, want) {
					t.Errorf("tls=%v %s: CSP %q lacks %q", tls, c.path, csp, want)
				}
			}
			if strings.Contains(csp, "unsafe-inline") || strings.Contains(csp, "'unsafe-eval'") {
				t.Errorf("tls=%v %s: CSP allows inline or eval'd script: %q", tls, c.path, csp)
			}
			for name, want := range map[string]string{"X-Content-Type-Options": "nosniff", "X-Frame-Options": "DENY", "Referrer-Policy": "same-origin"} {
				if h.Get(name) != want {
					t.Errorf("tls=%v %s: %s = %q, want %q", tls, c.path, name, h.Get(name), want)
				}
			}
			if hsts := h.Get("Strict-Transport-Security"); tls != strings.Contains(hsts, "max-age=") {
				t.Errorf("tls=%v %s: HSTS %q", tls, c.path, hsts)
			}
			if ct := h.Get("Content-Type"); ct == "" {
				t.Errorf("tls=%v %s: no Content-Type (status %d)", tls, c.path, r.Status)
			}
		}
		r := e.send("POST", "/login", "", url.Values{"username": {"admin"}, "password": {demo.Password}}, "")
		cookies := (&http.Response{Header: r.Header}).Cookies()
		if len(cookies) == 0 {
			t.Fatalf("tls=%v: no cookie at login (%d)", tls, r.Status)
		}
		for _, c := range cookies {
			if c.Name == auth.CookieName && (c.Secure != tls || !c.HttpOnly || c.SameSite != http.SameSiteLaxMode) {
				t.Errorf("tls=%v: session cookie Secure=%v HttpOnly=%v SameSite=%v", tls, c.Secure, c.HttpOnly, c.SameSite)
			}
		}
	}
}

// Path traversal, plain and encoded, in static files and export downloads: never a
// file from outside the embedded assets, never the database.
func TestSecurityPathTraversal(t *testing.T) {
	e := newSecEnv(t, sqlstore.SQLite, false)
	for _, p := range []string{
		"/static/../go.mod", "/static/%2e%2e/go.mod", "/static/..%2fgo.mod", "/static/%2e%2e%2f%2e%2e%2fgo.mod",
		"/static/..%5c..%5cgo.mod", "/static/....//go.mod", "/static/%252e%252e%252fgo.mod", "/static//etc/passwd",
		"/static/templates/../../sqlstore/db.go", "/static/", "/static/.", "/static/%2e",
		"/exports/..%2f..%2fgo.mod", "/exports/%2e%2e%2fmesh.db", "/exports/..", "/exports/visits.csv%00.xlsx",
		"/exports/../../etc/passwd", "/feedback/..%2f..%2fetc%2fpasswd", "/voice/coding/sources/..%2f1",
	} {
		for _, user := range []string{"", "admin"} {
			r := e.send("GET", p, e.session(user), nil, "")
			if r.Status == http.StatusOK && !strings.HasPrefix(p, "/static/") {
				t.Errorf("GET %s as %q: 200", p, user)
			}
			for _, leak := range []string{"module mesh", "root:x:0:0", "SQLite format", "package sqlstore"} {
				if strings.Contains(r.Body, leak) {
					t.Errorf("GET %s as %q: %d and the body holds %q", p, user, r.Status, leak)
				}
			}
			if r.Status >= 500 {
				t.Errorf("GET %s as %q: %d", p, user, r.Status)
			}
		}
	}
}

// A form body over the limit is refused with 413 on every POST page (not parsed).
func TestSecurityOversizedForms(t *testing.T) {
	e := newSecEnv(t, sqlstore.SQLite, false)
	big := url.Values{"name": {strings.Repeat("x", 100<<10)}}
	n := 0
	for _, p := range registeredRoutes(t, ".") {
		method, path, _ := strings.Cut(p, " ")
		if method != "POST" {
			continue
		}
		path = regexp.MustCompile(`\{[a-z]+\}`).ReplaceAllString(path, fmt.Sprint(e.in.ID))
		user := "admin"
		if strings.Contains(path, "/observe") || strings.Contains(path, "/goals") {
			user = "mentor.kayonza"
		}
		n++
		r := e.send("POST", path, e.session(user), big, "")
		if r.Status != http.StatusRequestEntityTooLarge {
			t.Errorf("POST %s as %s with a %d KiB form: %d, want 413", path, user, 100, r.Status)
		}
	}
	t.Logf("%d POST routes", n)
}

// xss is what every free-text field is tried with: a script element, an attribute
// break-out with an event handler, and a javascript: URL.
const xss = `<script>alert("mesh")</script>"><img src=x onerror=alert(1)> javascript:alert(2)`

// Script put into every free-text field through the API comes back escaped on every
// page that shows it: never as markup.
func TestSecurityXSSEscaped(t *testing.T) {
	e := newSecEnv(t, sqlstore.SQLite, false)
	o, _ := e.db.FindOrgUnitByID(context.Background(), e.in.ID)
	q := func(s string) string { b, _ := json.Marshal(s); return string(b) }
	idOf := func(body string) string {
		var v struct {
			ID json.RawMessage `json:"id"`
		}
		_ = json.Unmarshal([]byte(body), &v)
		return strings.Trim(string(v.ID), `"`)
	}
	placeID := idOf(e.apiMust("admin", "POST", "/api/v1/orgunits", fmt.Sprintf(`{"name":%s,"type":"facility","parent_id":%d,"code":"XSS1"}`, q("HC "+xss), *o.ParentID), 201))
	workerID := idOf(e.apiMust("admin", "POST", "/api/v1/health-workers", fmt.Sprintf(`{"name":%s,"cadre":"A2","facility_id":%d}`, q("Nurse "+xss), e.in.ID), 201))
	e.apiMust("admin", "POST", "/api/v1/users", fmt.Sprintf(`{"username":"xssuser","display_name":%s,"role":"mentor","password":"long enough pw"}`, q("User "+xss)), 201)
	visit := e.uuid()
	e.apiMust("mentor.kayonza", "POST", "/api/v1/visits", fmt.Sprintf(`{"id":%q,"facility_id":%d,"date":"2026-11-20","notes":%s,"teaching_topic":%s,"teaching_attendees":4}`, visit, e.in.ID, q("Notes "+xss), q("Topic "+xss)), 201)
	obs := e.uuid()
	e.apiMust("mentor.kayonza", "PUT", "/api/v1/observations/"+obs, strings.Replace(fmt.Sprintf(obsBody, visit, e.inHW.ID), `"Private coaching note: count for a full minute."`, q("Coaching "+xss), 1), 201)
	e.apiMust("mentor.kayonza", "POST", fmt.Sprintf("/api/v1/health-workers/%d/goals", e.inHW.ID), fmt.Sprintf(`{"id":%q,"goal":%s}`, e.uuid(), q("Goal "+xss)), 201)
	issue := e.uuid()
	e.apiMust("mentor.kayonza", "POST", "/api/v1/issues", fmt.Sprintf(`{"id":%q,"facility_id":%d,"category":"supply","description":%s,"owner":%s,"opened_on":"2026-10-14"}`, issue, e.in.ID, q("Issue "+xss), q("Owner "+xss)), 201)
	e.apiMust("mentor.kayonza", "POST", "/api/v1/issues/"+issue+"/comments", fmt.Sprintf(`{"id":%q,"text":%s}`, e.uuid(), q("Comment "+xss)), 201)
	proj := e.uuid()
	e.apiMust("mentor.kayonza", "POST", "/api/v1/qi/projects", fmt.Sprintf(`{"id":%q,"facility_id":%d,"title":%s,"team":[%s],"problem":%s,
		"aim":{"text":%s,"indicator_id":"imci.growth_chart_used","target_value":0.8,"target_date":"2027-03-31"},
		"change_ideas":[{"id":"c1","text":%s}],"started_on":"2026-09-01"}`, proj, e.in.ID, q("Title "+xss), q("Team "+xss), q("Problem "+xss), q("Aim "+xss), q("Idea "+xss)), 201)
	e.apiMust("mentor.kayonza", "POST", "/api/v1/qi/projects/"+proj+"/cycles", fmt.Sprintf(`{"id":%q,"change_idea_id":"c1","plan":%s,"started_on":"2026-09-07","ended_on":"2026-09-30","result":"adopt","study":%s}`, e.uuid(), q("Plan "+xss), q("Study "+xss)), 201)
	district := func() int64 { s, _ := e.db.FindOrgUnitByID(context.Background(), *o.ParentID); return *s.ParentID }()
	src := idOf(e.apiMust("admin", "POST", "/api/v1/coding/sources", fmt.Sprintf(`{"kind":"focus_group","title":%s,"body":%s,"orgunit_id":%d,"period":"2026-02"}`, q("Source "+xss), q("Body "+xss), district), 201))

	// Five mentees answer a visit's feedback form with the payload as a comment, last
	// month (results are shown once a month is over).
	now := time.Now().UTC()
	lastMonth, clock := time.Date(now.Year(), now.Month(), 1, 12, 0, 0, 0, time.UTC).AddDate(0, 0, -1), e.db.Now
	e.db.Now = func() time.Time { return lastMonth }
	voiceVisit := e.uuid()
	e.apiMust("mentor.kayonza", "POST", "/api/v1/visits", fmt.Sprintf(`{"id":%q,"facility_id":%d,"date":%q}`, voiceVisit, e.in.ID, lastMonth.Format("2006-01-02")), 201)
	var code struct{ Code string }
	_ = json.Unmarshal([]byte(e.apiMust("mentor.kayonza", "POST", "/api/v1/visits/"+voiceVisit+"/feedback-code", "", 200)), &code)
	for i := range 5 {
		e.apiMust("", "POST", "/api/v1/visits/"+voiceVisit+"/feedback", fmt.Sprintf(`{"id":%q,"code":%q,"ratings":{"listened":4,"learned":4},"comment":%s,"language":"fr"}`, e.uuid(), code.Code, q(fmt.Sprintf("Voice %d %s", i, xss))), 201)
	}
	e.db.Now = clock
	pages := []struct{ user, path string }{
		{"mentor.kayonza", "/voice/results?period=all"}, {"admin", "/voice/results?period=all"},
		{"admin", "/"}, {"mentor.kayonza", "/"}, {"incharge.rwinkwavu", "/"},
		{"admin", "/places"}, {"admin", "/places?q=HC"}, {"admin", "/places/" + placeID}, {"admin", "/places/" + placeID + "/edit"}, {"admin", fmt.Sprintf("/places/%d", *o.ParentID)},
		{"admin", "/workers"}, {"admin", "/workers/" + workerID}, {"admin", "/workers/" + workerID + "/edit"},
		{"mentor.kayonza", fmt.Sprintf("/workers/%d", e.inHW.ID)}, {"incharge.rwinkwavu", fmt.Sprintf("/workers/%d", e.inHW.ID)},
		{"admin", "/users"}, {"admin", "/audit"}, {"admin", "/assignments"},
		{"mentor.kayonza", "/visits"}, {"mentor.kayonza", "/visits/" + visit}, {"admin", "/visits/" + visit}, {"mentor.kayonza", "/visits/" + visit + "/observe"},
		{"mentor.kayonza", "/observations/" + obs}, {"incharge.rwinkwavu", "/observations/" + obs},
		{"mentor.kayonza", "/issues"}, {"mentor.kayonza", "/issues/" + issue}, {"supervisor.kayonza", "/issues/" + issue},
		{"mentor.kayonza", "/qi"}, {"mentor.kayonza", "/qi/" + proj}, {"manager", "/qi/change-package"}, {"mentor.kayonza", "/qi/" + proj + "/cycles/new"},
		{"mentor.kayonza", fmt.Sprintf("/facilities/%d/systems", e.in.ID)}, {"admin", "/dashboard"}, {"admin", fmt.Sprintf("/dashboard/places/%d", e.in.ID)},
		{"admin", fmt.Sprintf("/reports/facility/%d", e.in.ID)}, {"admin", fmt.Sprintf("/reports/district/%d", district)},
		{"admin", "/voice/coding"}, {"admin", "/voice/coding/sources/" + src}, {"mentor.kayonza", "/cadence"}, {"admin", "/stockouts"},
	}
	escapedSeen := map[string]bool{}
	for _, p := range pages {
		r := e.send("GET", p.path, e.session(p.user), nil, "")
		if r.Status != 200 {
			t.Errorf("GET %s as %s: %d", p.path, p.user, r.Status)
			continue
		}
		for _, raw := range []string{`<script>alert(`, `<img src=x`, `"><img`, `href="javascript:`} {
			if strings.Contains(r.Body, raw) {
				i := strings.Index(r.Body, raw)
				t.Errorf("GET %s as %s: unescaped %q: …%s…", p.path, p.user, raw, r.Body[max(0, i-80):min(len(r.Body), i+80)])
			}
		}
		if strings.Contains(r.Body, "&lt;script&gt;alert(") {
			escapedSeen[p.path] = true
		}
	}
	// Where each field is shown, it is shown escaped (so the pages above really
	// carried the payload).
	for _, p := range []string{"/places/" + placeID, "/workers/" + workerID, "/users", "/visits/" + visit, "/observations/" + obs,
		"/issues/" + issue, "/qi/" + proj, "/voice/coding/sources/" + src, "/voice/results?period=all"} {
		if !escapedSeen[p] {
			t.Errorf("%s does not show the escaped payload: the test did not reach the field", p)
		}
	}
	// The pages above that took the payload in the URL: query parameters are escaped too.
	for _, path := range []string{"/places?q=" + url.QueryEscape(xss), "/workers?q=" + url.QueryEscape(xss), "/login?next=" + url.QueryEscape(xss),
		"/issues?status=" + url.QueryEscape(xss), "/dashboard?from=" + url.QueryEscape(xss), "/no-such/" + url.PathEscape(xss)} {
		r := e.send("GET", path, e.session("admin"), nil, "")
		if strings.Contains(r.Body, `<script>alert(`) || strings.Contains(r.Body, `<img src=x`) || r.Status >= 500 {
			t.Errorf("GET %s: %d with the payload unescaped", path, r.Status)
		}
	}
}

// Every filter of every page with SQL injection attempts: no 5xx, nothing from
// outside the caller's area, no password hash.
func TestSecuritySQLInjectionPages(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) { sqlInjectionPages(t, newSecEnv(t, d, false)) })
	}
}

func sqlInjectionPages(t *testing.T, e *secEnv) {
	re := regexp.MustCompile(`(?:Get|queryInt|queryDate)\((?:r, )?"([a-z_]+)"\)`)
	params := map[string]bool{}
	for _, dir := range []string{".", "../voice", "../export"} {
		for _, m := range re.FindAllStringSubmatch(readGoSources(t, dir), -1) {
			params[m[1]] = true
		}
	}
	payloads := []string{`' OR '1'='1`, `1; DROP TABLE orgunits; --`, `%' UNION SELECT username, password_hash FROM users --`}
	requests := 0
	for _, p := range registeredRoutes(t, ".") {
		method, path, _ := strings.Cut(p, " ")
		if method != "GET" || strings.Contains(path, "{") && !strings.Contains(path, "{id}") || path == "/static/" {
			continue
		}
		path = strings.ReplaceAll(strings.ReplaceAll(path, "{$}", ""), "{id}", fmt.Sprint(e.in.ID))
		for param := range params {
			for _, pl := range payloads {
				requests++
				r := e.send("GET", path+"?"+param+"="+url.QueryEscape(pl), e.session("supervisor.kayonza"), nil, "")
				if r.Status >= 500 {
					t.Errorf("GET %s?%s=%s: %d", path, param, pl, r.Status)
				}
				for _, leak := range []string{e.out.Name, e.outHW.Name, "$argon2id$"} {
					if strings.Contains(r.Body, leak) {
						t.Errorf("GET %s?%s=%s: the page holds %q", path, param, pl, leak)
					}
				}
			}
		}
	}
	if _, err := e.db.FindOrgUnitByID(context.Background(), e.out.ID); err != nil {
		t.Errorf("orgunits after the attempts: %v", err)
	}
	t.Logf("%d requests over %d parameters", requests, len(params))
}
