package web

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"mesh/internal/routescan"
	"mesh/sqlstore/sqlstoretest"
)

// The five kinds of account, in the order of the want strings: administrator,
// national manager, district supervisor, mentor, facility in-charge. In-scope
// records are at Rwinkwavu HC (Kayonza, inside all five areas), out-of-scope ones at
// Nyarubuye HC (Kirehe, inside only the admin's and the manager's).
var webRoles = []string{"admin", "manager", "supervisor.kayonza", "mentor.kayonza", "incharge.rwinkwavu"}

// A want letter per role: y = 2xx or a redirect that is not to the login page;
// n = 403; f = 404; b = 400 or 422 (allowed, and the form was refused on content);
// o = logged out (303 to /login).
type webRoute struct {
	pattern string
	path    func(in bool) string
	form    func(in bool) url.Values // POST body; nil sends an empty form
	in, out string
	public  bool // anonymous callers are served (else: redirect to /login)
	fresh   bool // each cell gets its own session (the route ends it)
}

const obsBody = `{"visit_id":%q,"health_worker_id":%d,"observed_at":"2026-11-20T09:30:00+02:00","protocol":"imci-who-2014",
"recording_form_used":true,"assessment":{"schema_version":"1.0","age_months":14,"sex":"female","weight_kg":9.5,"temperature_c":37.0,"setting":{"malaria_risk":"low"},
"danger_signs":{"not_able_to_drink_or_breastfeed":false,"vomits_everything":false,"convulsions_this_illness":false,"lethargic_or_unconscious":false,"convulsing_now":false},
"cough":{"present":true,"duration_days":3,"respiratory_rate":52,"chest_indrawing":false,"stridor_when_calm":false,"wheeze":false},
"diarrhoea":{"present":false},"fever":{"reported":false},"ear":{"present":false},
"nutrition":{"oedema_both_feet":false,"muac_mm":140,"wfh_z":-0.5},"anaemia":{"palmar_pallor":"none"}},
"worker":{"tasks":{"ask_cough":true,"weigh":true},"classifications":["PNEUMONIA"],"treatments":[],"referred":false,"follow_up_days":3,"counselling":{"advised_when_to_return_immediately":true,"taught_how_to_give_oral_drugs":true,"first_dose_given_at_facility":true,"feeding_counselled":true,"fluids_and_feeding_advised":true}},
"notes":"Private coaching note: count for a full minute."}`

// TestSecurityPageMatrix opens every page and posts every form of the web app as
// every role, at a record inside and outside the caller's area, and anonymously;
// it fails when a route has no row (or a row no route).
func TestSecurityPageMatrix(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			e := newSecEnv(t, d, false)
			cells := pageMatrix(t, e)
			t.Logf("web authorization matrix on %s: %d cells (routes × roles × in/out of area, plus anonymous)", d, cells)
		})
	}
}

func pageMatrix(t *testing.T, e *secEnv) int {
	ctx := context.Background()
	mentor := func(in bool) string {
		if in {
			return "mentor.kayonza"
		}
		return "mentor.kirehe1"
	}
	fac := func(in bool) int64 {
		if in {
			return e.in.ID
		}
		return e.out.ID
	}
	hw := func(in bool) int64 {
		if in {
			return e.inHW.ID
		}
		return e.outHW.ID
	}
	pick := func(in bool, a, b string) string {
		if in {
			return a
		}
		return b
	}
	district := func(facility int64) int64 {
		o, _ := e.db.FindOrgUnitByID(ctx, facility)
		s, _ := e.db.FindOrgUnitByID(ctx, *o.ParentID)
		return *s.ParentID
	}
	newVisit := func(in bool) string {
		id := e.uuid()
		e.apiMust(mentor(in), "POST", "/api/v1/visits", fmt.Sprintf(`{"id":%q,"facility_id":%d,"date":"2026-11-20"}`, id, fac(in)), 201)
		return id
	}
	visitIn, visitOut := newVisit(true), newVisit(false)
	obsIn, obsOut := e.uuid(), e.uuid()
	e.apiMust(mentor(true), "PUT", "/api/v1/observations/"+obsIn, fmt.Sprintf(obsBody, visitIn, e.inHW.ID), 201)
	e.apiMust(mentor(false), "PUT", "/api/v1/observations/"+obsOut, fmt.Sprintf(obsBody, visitOut, e.outHW.ID), 201)
	goal := func(in bool) string {
		id := e.uuid()
		e.apiMust(mentor(in), "POST", fmt.Sprintf("/api/v1/health-workers/%d/goals", hw(in)), fmt.Sprintf(`{"id":%q,"goal":"Private goal: plot every weight"}`, id), 201)
		return id
	}
	goalIn, goalOut := goal(true), goal(false)
	issue := func(in bool) string {
		id := e.uuid()
		e.apiMust(mentor(in), "POST", "/api/v1/issues", fmt.Sprintf(`{"id":%q,"facility_id":%d,"category":"supply","description":"Zinc out","owner":"In-charge","opened_on":"2026-10-14"}`, id, fac(in)), 201)
		return id
	}
	issueIn, issueOut := issue(true), issue(false)
	project := func(in bool) string {
		id := e.uuid()
		e.apiMust(mentor(in), "POST", "/api/v1/qi/projects", fmt.Sprintf(`{"id":%q,"facility_id":%d,"title":"Every weight plotted","team":["In-charge"],"problem":"Charts unused",
			"aim":{"text":"80%% by March","indicator_id":"imci.growth_chart_used","target_value":0.8,"target_date":"2027-03-31"},
			"change_ideas":[{"id":"c1","text":"Chart on the desk"}],"started_on":"2026-09-01"}`, id, fac(in)), 201)
		return id
	}
	projIn, projOut := project(true), project(false)
	source := func(in bool) string {
		var s struct{ ID int64 }
		_ = json.Unmarshal([]byte(e.apiMust("admin", "POST", "/api/v1/coding/sources", fmt.Sprintf(`{"kind":"focus_group","title":"FGD","body":"She showed me on the spot.","orgunit_id":%d,"period":"2026-02"}`, district(fac(in))), 201)), &s)
		return fmt.Sprint(s.ID)
	}
	srcIn, srcOut := source(true), source(false)
	var themes []struct{ ID int64 }
	_ = json.Unmarshal([]byte(e.apiMust("admin", "GET", "/api/v1/coding/themes", "", 200)), &themes)
	usr := func(name string) int64 {
		u, err := e.db.FindUserByUsername(ctx, name)
		if err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	userIn, userOut := usr("incharge.rwinkwavu"), usr("mentor.kirehe1")
	mentorIn, mentorOut := usr("mentor.kayonza"), usr("mentor.kirehe1")
	newAssignment := func(in bool) string {
		m := mentorIn
		if !in {
			m = mentorOut
		}
		var a struct{ ID int64 }
		_ = json.Unmarshal([]byte(e.apiMust("admin", "POST", "/api/v1/assignments", fmt.Sprintf(`{"mentor_id":%d,"facility_id":%d,"start_on":"2026-03-%02d"}`, m, fac(in), 1+e.next()%27), 201)), &a)
		return fmt.Sprint(a.ID)
	}
	// The visit page lists its observations, each a link with the worker's name and
	// result: the link itself is a private marker.
	privateMarkers := []string{"Private coaching note", "Private goal: plot every weight", `href="/observations/` + obsIn + `"`}
	outMarkers := []string{e.out.Name, e.outHW.Name, visitOut, issueOut, projOut}

	at := func(format string, a, b any) func(bool) string {
		return func(in bool) string {
			if in {
				return fmt.Sprintf(format, a)
			}
			return fmt.Sprintf(format, b)
		}
	}
	fixed := func(p string) func(bool) string { return func(bool) string { return p } }
	fresh := func(format string, mk func(bool) string) func(bool) string {
		return func(in bool) string { return fmt.Sprintf(format, mk(in)) }
	}
	form := func(kv ...string) url.Values {
		v := url.Values{}
		for i := 0; i+1 < len(kv); i += 2 {
			v.Set(kv[i], kv[i+1])
		}
		return v
	}
	id := func(n int64) string { return fmt.Sprint(n) }
	const all = "yyyyy"
	routes := []webRoute{
		{pattern: "GET /static/", path: fixed("/static/mesh.css"), in: all, public: true},
		{pattern: "GET /conflicts", in: all},
		{pattern: "GET /manifest.webmanifest", in: all, public: true},
		{pattern: "GET /sw.js", in: all, public: true},
		{pattern: "GET /outbox", in: all},
		{pattern: "GET /{$}", path: fixed("/"), in: all},
		{pattern: "GET /login", in: all, public: true},
		{pattern: "POST /login", form: func(bool) url.Values { return form("username", "nobody", "password", "wrong password") }, in: "-----", public: true},
		{pattern: "POST /logout", in: "ooooo", fresh: true},
		{pattern: "POST /language", form: func(bool) url.Values { return form("lang", "fr", "next", "/") }, in: all, public: true},

		{pattern: "GET /places", in: all},
		{pattern: "GET /places/new", in: "yynnn"},
		{pattern: "POST /places/new", form: func(in bool) url.Values {
			o, _ := e.db.FindOrgUnitByID(ctx, fac(in))
			return form("name", fmt.Sprintf("New HC %d", e.next()), "type", "facility", "parent_id", id(*o.ParentID))
		}, in: "yynnn", out: "yynnn"},
		{pattern: "GET /places/{id}", path: at("/places/%d", e.in.ID, e.out.ID), in: all, out: "yynnn"},
		{pattern: "GET /places/{id}/edit", path: at("/places/%d/edit", e.in.ID, e.out.ID), in: "yynnn", out: "yynnn"},
		{pattern: "POST /places/{id}/edit", path: at("/places/%d/edit", e.in.ID, e.out.ID), in: "bbnnn", out: "bbnnn"},

		{pattern: "GET /workers", in: all},
		{pattern: "GET /workers/new", in: "yyyny"},
		{pattern: "POST /workers/new", form: func(in bool) url.Values {
			return form("name", fmt.Sprintf("Nurse %d", e.next()), "cadre", "A2", "facility_id", id(fac(in)), "start_on", "2026-01-01")
		}, in: "yyyny", out: "yynnn"},
		{pattern: "GET /workers/{id}", path: at("/workers/%d", e.inHW.ID, e.outHW.ID), in: all, out: "yynnn"},
		{pattern: "GET /workers/{id}/edit", path: at("/workers/%d/edit", e.inHW.ID, e.outHW.ID), in: "yyyny", out: "yynnn"},
		{pattern: "POST /workers/{id}/edit", path: at("/workers/%d/edit", e.inHW.ID, e.outHW.ID), in: "bbbnb", out: "bbnnn"},
		{pattern: "POST /workers/{id}/goals", path: at("/workers/%d/goals", e.inHW.ID, e.outHW.ID), form: func(bool) url.Values { return form("goal", "Check the immunization card") }, in: "nnnyn", out: "nnnnn"},
		{pattern: "POST /workers/{id}/goals/{goal}", path: func(in bool) string {
			return fmt.Sprintf("/workers/%d/goals/%s", hw(in), pick(in, goalIn, goalOut))
		}, form: func(bool) url.Values { return form("status", "achieved") }, in: "nnnyn", out: "nnnnn"},

		{pattern: "GET /users", in: "yyynn"},
		{pattern: "GET /users/new", in: "ynnnn"},
		{pattern: "POST /users/new", in: "bnnnn"},
		{pattern: "GET /users/{id}/edit", path: at("/users/%d/edit", userIn, userOut), in: "ynnnn", out: "ynnnn"},
		{pattern: "POST /users/{id}/edit", path: at("/users/%d/edit", userIn, userOut), in: "bnnnn", out: "bnnnn"},

		{pattern: "GET /assignments", in: all},
		{pattern: "GET /assignments/new", in: "yyynn"},
		{pattern: "POST /assignments/new", form: func(in bool) url.Values {
			m := mentorIn
			if !in {
				m = mentorOut
			}
			return form("mentor_id", id(m), "facility_id", id(fac(in)), "start_on", fmt.Sprintf("2026-04-%02d", 1+e.next()%27))
		}, in: "yyynn", out: "yynnn"},
		{pattern: "POST /assignments/{id}/end", path: fresh("/assignments/%s/end", newAssignment), form: func(bool) url.Values { return form("end_on", "2026-12-31") }, in: "yyynn", out: "yynnn"},

		{pattern: "GET /audit", in: "ynnnn"},
		{pattern: "GET /import", in: "yyyny"},
		{pattern: "POST /import", in: "bbbnb"},
		{pattern: "POST /import/confirm", in: "bbbnb"},
		{pattern: "GET /admin/dhis2", in: "ynnnn"},
		{pattern: "GET /admin/dhis2/mapping.json", in: "ynnnn"},
		{pattern: "GET /api/v1/dhis2/jobs", in: "ynnnn"},
		{pattern: "GET /api/v1/dhis2/mapping", in: "ynnnn"},
		{pattern: "GET /api/v1/dhis2/schedule", in: "ynnnn"},
		{pattern: "POST /admin/dhis2/mapping", in: "ynnnn"},
		{pattern: "POST /admin/dhis2/mapping/import", in: "bnnnn"},
		{pattern: "POST /admin/dhis2/orgunits", in: "ynnnn"},
		{pattern: "POST /admin/dhis2/schedule", in: "bnnnn"},
		{pattern: "POST /admin/dhis2/jobs", in: "bnnnn"}, // the demo has no DHIS2 address: 400 naming it
		{pattern: "POST /api/v1/dhis2/jobs", in: "bnnnn"},
		{pattern: "PUT /api/v1/dhis2/mapping", in: "bnnnn"},
		{pattern: "PUT /api/v1/dhis2/schedule", in: "bnnnn"},
		{pattern: "GET /imci/check", in: all},
		{pattern: "POST /imci/check", in: "bbbbb"},
		{pattern: "GET /growth", in: all},
		{pattern: "POST /growth", in: "bbbbb"},

		{pattern: "GET /visits", in: all},
		{pattern: "GET /visits/new", in: "yyyyn"},
		{pattern: "POST /visits/new", form: func(in bool) url.Values {
			return form("id", e.uuid(), "facility_id", id(fac(in)), "date", "2026-11-21", "kind", "mentoring")
		}, in: "yyyyn", out: "yynnn"},
		{pattern: "GET /visits/{id}", path: at("/visits/%s", visitIn, visitOut), in: all, out: "yynnn"},
		{pattern: "POST /visits/{id}/done", path: fresh("/visits/%s/done", newVisit), in: "yyyyn", out: "yynnn"},
		{pattern: "GET /visits/{id}/observe", path: at("/visits/%s/observe", visitIn, visitOut), in: "nnnyn", out: "nnnnn"},
		{pattern: "GET /observe", path: at("/observe?visit=%s", visitIn, visitOut), in: "nnnyn", out: "nnnnn"},
		{pattern: "POST /visits/{id}/observe", path: at("/visits/%s/observe", visitIn, visitOut), in: "nnnbn", out: "nnnnn"},
		{pattern: "GET /observations/{id}", path: at("/observations/%s", obsIn, obsOut), in: "nnnyy", out: "nnnnn"},
		{pattern: "GET /cadence", in: "yyyyn"},

		{pattern: "GET /facilities/{id}/systems", path: at("/facilities/%d/systems", e.in.ID, e.out.ID), in: all, out: "yynnn"},
		{pattern: "GET /facilities/{id}/readiness/new", path: at("/facilities/%d/readiness/new", e.in.ID, e.out.ID), in: "ynyyy", out: "ynnnn"},
		{pattern: "POST /facilities/{id}/readiness/new", path: at("/facilities/%d/readiness/new", e.in.ID, e.out.ID), form: func(bool) url.Values {
			return form("id", e.uuid(), "date", "2026-10-15")
		}, in: "bnbbb", out: "bnnnn"},
		{pattern: "GET /stockouts", in: all},
		{pattern: "GET /issues", in: all},
		{pattern: "GET /issues/new", in: "ynyyy"},
		{pattern: "POST /issues/new", form: func(in bool) url.Values {
			return form("id", e.uuid(), "facility_id", id(fac(in)), "category", "supply", "description", "No ORS", "owner", "In-charge")
		}, in: "ynyyy", out: "ynnnn"},
		{pattern: "GET /issues/{id}", path: at("/issues/%s", issueIn, issueOut), in: all, out: "yynnn"},
		{pattern: "POST /issues/{id}/status", path: fresh("/issues/%s/status", issue), form: func(bool) url.Values {
			return form("status", "in_progress", "version", "1", "comment_id", e.uuid(), "text", "On it")
		}, in: "ynyyy", out: "ynnnn"},
		{pattern: "POST /issues/{id}/comments", path: at("/issues/%s/comments", issueIn, issueOut), form: func(bool) url.Values {
			return form("comment_id", e.uuid(), "text", "Ordered")
		}, in: "ynyyy", out: "ynnnn"},
		{pattern: "GET /qi", in: all},
		{pattern: "GET /qi/new", in: "ynyyy"},
		{pattern: "POST /qi/new", form: func(in bool) url.Values {
			return form("id", e.uuid(), "facility_id", id(fac(in)), "title", "Weights", "problem", "Charts unused", "team", "In-charge", "change_ideas", "Chart on the desk", "started_on", "2026-09-01",
				"aim.text", "80% by March", "aim.indicator_id", "imci.growth_chart_used", "aim.target_value", "0.8", "aim.target_date", "2027-03-31")
		}, in: "ynyyy", out: "ynnnn"},
		{pattern: "GET /qi/change-package", in: all},
		{pattern: "GET /qi/{id}", path: at("/qi/%s", projIn, projOut), in: all, out: "yynnn"},
		{pattern: "GET /qi/{id}/cycles/new", path: at("/qi/%s/cycles/new", projIn, projOut), in: "ynyyy", out: "ynnnn"},
		{pattern: "POST /qi/{id}/cycles/new", path: at("/qi/%s/cycles/new", projIn, projOut), form: func(bool) url.Values {
			return form("id", e.uuid(), "change_idea_id", "c1", "plan", "One week", "started_on", "2026-09-07")
		}, in: "ynyyy", out: "ynnnn"},

		{pattern: "GET /dashboard", in: all},
		{pattern: "GET /dashboard/heatmap", in: all},
		{pattern: "GET /dashboard/places/{id}", path: at("/dashboard/places/%d", e.in.ID, e.out.ID), in: all, out: "yynnn"},
		{pattern: "GET /dashboard/mentors/{id}", path: at("/dashboard/mentors/%d", mentorIn, mentorOut), in: all, out: "yynnn"},
		{pattern: "GET /dashboard/records", path: at("/dashboard/records?indicator=imci.weighed&period=2026-11&orgunit=%d", e.in.ID, e.out.ID), in: all, out: "yynnn"},
		{pattern: "GET /evaluation", in: "yyynn"},
		{pattern: "GET /reports/facility/{id}", path: at("/reports/facility/%d", e.in.ID, e.out.ID), in: all, out: "yynnn"},
		{pattern: "GET /reports/district/{id}", path: func(in bool) string { return fmt.Sprintf("/reports/district/%d", district(fac(in))) }, in: "yyynn", out: "yynnn"},
		{pattern: "GET /exports", in: all},
		{pattern: "GET /exports/{file}", path: at("/exports/visits.csv?orgunit=%d", e.in.ID, e.out.ID), in: all, out: "yynnn"},

		{pattern: "GET /feedback", in: all, public: true},
		{pattern: "GET /feedback/thanks", in: all, public: true},
		{pattern: "GET /feedback/{code}", path: fixed("/feedback/NOSUCHCODE"), in: "fffff", public: true},
		{pattern: "POST /feedback/{code}", path: fixed("/feedback/NOSUCHCODE"), in: "fffff", public: true},
		{pattern: "GET /voice/visits/{id}/code", path: at("/voice/visits/%s/code", visitIn, visitOut), in: "yyyyn", out: "yynnn"},
		{pattern: "POST /voice/visits/{id}/code", path: at("/voice/visits/%s/code", visitIn, visitOut), in: "yyyyn", out: "yynnn"},
		{pattern: "GET /voice/results", in: "yyyyn"},
		{pattern: "GET /voice/coding", in: "yynnn"},
		{pattern: "POST /voice/coding/sources", form: func(in bool) url.Values {
			return form("kind", "focus_group", "title", "FGD", "body", "Text.", "orgunit_id", id(district(fac(in))), "period", "2026-02")
		}, in: "yynnn", out: "yynnn"},
		{pattern: "GET /voice/coding/sources/{id}", path: at("/voice/coding/sources/%s", srcIn, srcOut), in: "yynnn", out: "yynnn"},
		{pattern: "POST /voice/coding/sources/{id}/passages", path: at("/voice/coding/sources/%s/passages", srcIn, srcOut), form: func(bool) url.Values {
			return form("theme_id", id(themes[0].ID), "quote", "on the spot")
		}, in: "yynnn", out: "yynnn"},
		{pattern: "GET /voice/coding/quotes.csv", in: "yynnn"},
		{pattern: "GET /voice/coding/quotes.xlsx", in: "yynnn"},
		{pattern: "/", path: fixed("/no-such-page"), in: "fffff", public: true},
	}

	var listed []string
	for _, r := range routes {
		listed = append(listed, r.pattern)
	}
	missing, stale, err := routescan.Compare(".", listed)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range missing {
		t.Errorf("route %q has no row in the page authorization matrix: add one (roles × in/out of area)", p)
	}
	for _, p := range stale {
		t.Errorf("matrix row %q matches no registered route", p)
	}

	cells := 0
	for _, r := range routes {
		method, path, found := strings.Cut(r.pattern, " ")
		if !found {
			method, path = "GET", r.pattern
		}
		build := func(in bool) (string, url.Values) {
			p := path
			if r.path != nil {
				p = r.path(in)
			}
			var f url.Values
			if method == "POST" {
				f = url.Values{}
				if r.form != nil {
					f = r.form(in)
				}
			}
			return p, f
		}
		for _, in := range []bool{true, false} {
			want := r.in
			if !in {
				want = r.out
			}
			if want == "" {
				continue
			}
			where := map[bool]string{true: "in area", false: "out of area"}[in]
			for i, role := range webRoles {
				w := want[i]
				if w == '-' {
					continue
				}
				tok := e.session(role)
				if r.fresh {
					tok = e.freshSession(role)
				}
				p, f := build(in)
				cells++
				got := e.send(method, p, tok, f, "")
				loc := got.Header.Get("Location")
				ok := false
				switch w {
				case 'y':
					ok = got.Status >= 200 && got.Status < 400 && !strings.HasPrefix(loc, "/login")
				case 'n':
					ok = got.Status == 403
				case 'f':
					ok = got.Status == 404
				case 'b':
					ok = got.Status == 400 || got.Status == 422
				case 'o':
					ok = got.Status == 303 && loc == "/login"
				}
				if !ok {
					t.Errorf("%s %s as %s (%s): %d %s, want %c: %.200s", method, p, role, where, got.Status, loc, w, got.Body)
				}
				if role == "admin" || role == "manager" || role == "supervisor.kayonza" {
					for _, m := range privateMarkers {
						if strings.Contains(got.Body, m) && !strings.Contains(m, p) {
							t.Errorf("%s %s as %s (%s): the page shows the named worker's private %q", method, p, role, where, m)
						}
					}
				}
				if role != "admin" && role != "manager" && got.Status != 404 {
					for _, m := range outMarkers {
						if strings.Contains(got.Body, m) && !strings.Contains(p, m) {
							t.Errorf("%s %s as %s (%s): the page shows %q from outside the caller's area", method, p, role, where, m)
						}
					}
				}
			}
		}
		p, f := build(true)
		cells++
		got := e.send(method, p, "", f, "")
		loc := got.Header.Get("Location")
		switch {
		case r.pattern == "POST /login":
			if got.Status != 401 {
				t.Errorf("POST /login with a wrong password: %d", got.Status)
			}
		case r.public:
			if got.Status >= 500 || got.Status == 403 || strings.HasPrefix(loc, "/login") {
				t.Errorf("%s %s anonymous: %d %s, want it served", method, p, got.Status, loc)
			}
		case strings.HasPrefix(p, "/api/") || strings.HasSuffix(p, ".json"):
			// JSON answers: a machine gets 401, not a login page.
			if got.Status != 401 {
				t.Errorf("%s %s anonymous: %d, want 401", method, p, got.Status)
			}
		default:
			if got.Status != 303 || !strings.HasPrefix(loc, "/login") {
				t.Errorf("%s %s anonymous: %d %s, want a redirect to the login page", method, p, got.Status, loc)
			}
		}
	}
	// The markers are really shown to those allowed to see them.
	if r := e.send("GET", "/observations/"+obsIn, e.session("incharge.rwinkwavu"), nil, ""); !strings.Contains(r.Body, privateMarkers[0]) {
		t.Errorf("the in-charge does not see the coaching note (%d)", r.Status)
	}
	if r := e.send("GET", "/visits/"+visitIn, e.session("mentor.kayonza"), nil, ""); !strings.Contains(r.Body, privateMarkers[2]) {
		t.Errorf("the mentor does not see the observation on the visit page (%d)", r.Status)
	}
	if r := e.send("GET", fmt.Sprintf("/workers/%d", e.inHW.ID), e.session("mentor.kayonza"), nil, ""); !strings.Contains(r.Body, privateMarkers[1]) {
		t.Errorf("the mentor does not see the learning goal on the worker's page (%d)", r.Status)
	}
	return cells
}
