package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"mesh/internal/routescan"
	"slices"
	"strings"
	"testing"

	"mesh/account"
	"mesh/sqlstore/sqlstoretest"
)

// registeredRoutes lists the routes the package registers (routescan), so that a
// route added without a row in the authorization matrix fails the matrix test.
func registeredRoutes(t testing.TB, dir string) []string {
	t.Helper()
	routes, err := routescan.Registered(dir)
	if err != nil {
		t.Fatal(err)
	}
	return routes
}

// matrixRoles are the five kinds of account, in the order of the want strings:
// administrator, national manager, district supervisor, mentor, facility in-charge.
// The in-scope records are at Rwinkwavu HC (Kayonza), inside all five areas; the
// out-of-scope ones at Nyarubuye HC (Kirehe), inside only the admin's and the
// manager's.
var matrixRoles = []string{"admin", "manager", "supervisor.kayonza", "mentor.kayonza", "incharge.rwinkwavu"}

// A want string has one letter per role: y = success (the route's ok status),
// n = 403 with an error body, f = 404 (the record is not shown to that caller at
// all), b = 400 (allowed, and the request was checked past the role and area), and
// l = 200 on a list that must hold nothing from outside the caller's area.
type apiRoute struct {
	pattern string
	path    func(in bool) string // nil: the pattern's path as it is
	body    func(in bool) string
	ok      int
	in, out string // out "" when the route names no record or place
}

type matrixIDs struct {
	visitIn, visitOut, obsIn, obsOut, checkIn, checkOut, issueIn, issueOut, projIn, projOut, stockIn, stockOut string
	srcIn, srcOut, passIn, passOut, userIn, userOut, districtIn, districtOut                                   int64
}

// uuid returns a fresh, valid client UUID (v7 shape) numbered n.
func uuid(n int) string { return fmt.Sprintf("0190c1a2-5ec0-7000-8000-%012d", n) }

func (f *fixture) must(t *testing.T, user, method, path, body string, want ...int) string {
	t.Helper()
	st, resp := f.do(t, user, method, path, body)
	if !slices.Contains(want, st) {
		t.Fatalf("setup %s %s as %s: %d %s", method, path, user, st, resp)
	}
	return resp
}

func idOf(t *testing.T, body string) int64 {
	t.Helper()
	var v struct{ ID int64 }
	if err := json.Unmarshal([]byte(body), &v); err != nil || v.ID == 0 {
		t.Fatalf("no id in %s", body)
	}
	return v.ID
}

// TestSecurityAuthorizationMatrix sends every API route as every role, at a record
// inside and a record outside the caller's area, and anonymously; it fails when a
// route has no row (or a row has no route).
func TestSecurityAuthorizationMatrix(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) {
			f := newFixture(t, d)
			cells := apiMatrix(t, f)
			t.Logf("API authorization matrix on %s: %d cells (routes × roles × in/out of area, plus anonymous)", d, cells)
		})
	}
}

func apiMatrix(t *testing.T, f *fixture) int {
	n := 100
	next := func() int { n++; return n }
	hw := func(in bool) int64 {
		if in {
			return f.inHW.ID
		}
		return f.outHW.ID
	}
	fac := func(in bool) int64 {
		if in {
			return f.in.ID
		}
		return f.out.ID
	}
	mentor := func(in bool) string {
		if in {
			return "mentor.kayonza"
		}
		return "mentor.kirehe1"
	}
	pick := func(in bool, a, b string) string {
		if in {
			return a
		}
		return b
	}
	pickID := func(in bool, a, b int64) int64 {
		if in {
			return a
		}
		return b
	}
	newVisit := func(in bool) string {
		id := uuid(next())
		f.must(t, mentor(in), "POST", "/api/v1/visits", fmt.Sprintf(`{"id":%q,"facility_id":%d,"date":"2026-11-20"}`, id, fac(in)), 201)
		return id
	}
	newObs := func(in bool, visit string) string {
		id := uuid(next())
		f.must(t, mentor(in), "PUT", "/api/v1/observations/"+id, observationBody(visit, hw(in), 52, rightClasses, ""), 201)
		return id
	}
	checkBody := func(id string, in bool) string {
		return fmt.Sprintf(`{"id":%q,"facility_id":%d,"date":"2026-10-14","answers":[{"item":"ors","in_stock":true},{"item":"scale","present":true,"functional":true}]}`, id, fac(in))
	}
	issueBody := func(id string, in bool) string {
		return fmt.Sprintf(`{"id":%q,"facility_id":%d,"category":"supply","description":"Zinc out since October","owner":"In-charge","opened_on":"2026-10-14"}`, id, fac(in))
	}
	projBody := func(id string, in bool) string {
		return fmt.Sprintf(`{"id":%q,"facility_id":%d,"title":"Every weight plotted","team":["In-charge"],"problem":"Charts unused",
			"aim":{"text":"80%% by March","indicator_id":"imci.growth_chart_used","target_value":0.8,"target_date":"2027-03-31"},
			"change_ideas":[{"id":"c1","text":"Chart on the desk"}],"started_on":"2026-09-01"}`, id, fac(in))
	}
	newStock := func(in bool) string {
		id := uuid(next())
		f.must(t, mentor(in), "POST", "/api/v1/stock-events", fmt.Sprintf(`{"id":%q,"facility_id":%d,"commodity":"zinc","started_on":"2026-10-01"}`, id, fac(in)), 201)
		return id
	}
	district := func(facility int64) int64 {
		o, err := f.db.FindOrgUnitByID(context.Background(), facility)
		if err != nil {
			t.Fatal(err)
		}
		sector, err := f.db.FindOrgUnitByID(context.Background(), *o.ParentID)
		if err != nil {
			t.Fatal(err)
		}
		return *sector.ParentID
	}
	var ids matrixIDs
	ids.districtIn, ids.districtOut = district(f.in.ID), district(f.out.ID)
	ids.visitIn, ids.visitOut = newVisit(true), newVisit(false)
	ids.obsIn, ids.obsOut = newObs(true, ids.visitIn), newObs(false, ids.visitOut)
	ids.checkIn, ids.checkOut = uuid(next()), uuid(next())
	f.must(t, mentor(true), "POST", "/api/v1/readiness-checks", checkBody(ids.checkIn, true), 201)
	f.must(t, mentor(false), "POST", "/api/v1/readiness-checks", checkBody(ids.checkOut, false), 201)
	ids.stockIn, ids.stockOut = newStock(true), newStock(false)
	ids.issueIn, ids.issueOut = uuid(next()), uuid(next())
	f.must(t, mentor(true), "POST", "/api/v1/issues", issueBody(ids.issueIn, true), 201)
	f.must(t, mentor(false), "POST", "/api/v1/issues", issueBody(ids.issueOut, false), 201)
	ids.projIn, ids.projOut = uuid(next()), uuid(next())
	f.must(t, mentor(true), "POST", "/api/v1/qi/projects", projBody(ids.projIn, true), 201)
	f.must(t, mentor(false), "POST", "/api/v1/qi/projects", projBody(ids.projOut, false), 201)
	newSource := func(in bool) int64 {
		return idOf(t, f.must(t, "admin", "POST", "/api/v1/coding/sources", fmt.Sprintf(`{"kind":"focus_group","title":"FGD %d","body":"She showed me on the spot. We had no zinc.","orgunit_id":%d,"period":"2026-02"}`,
			next(), pickID(in, ids.districtIn, ids.districtOut)), 201))
	}
	ids.srcIn, ids.srcOut = newSource(true), newSource(false)
	var themes []struct{ ID int64 }
	_ = json.Unmarshal([]byte(f.must(t, "admin", "GET", "/api/v1/coding/themes", "", 200)), &themes)
	if len(themes) == 0 {
		t.Fatal("no coding themes")
	}
	newPassage := func(in bool) int64 {
		return idOf(t, f.must(t, "admin", "POST", fmt.Sprintf("/api/v1/coding/sources/%d/passages", pickID(in, ids.srcIn, ids.srcOut)), fmt.Sprintf(`{"theme_id":%d,"quote":"on the spot"}`, themes[0].ID), 201))
	}
	ids.passIn, ids.passOut = newPassage(true), newPassage(false)
	for _, u := range []struct {
		name string
		id   *int64
	}{{"incharge.rwinkwavu", &ids.userIn}, {"mentor.kirehe1", &ids.userOut}} {
		usr, err := f.db.FindUserByUsername(context.Background(), u.name)
		if err != nil {
			t.Fatal(err)
		}
		*u.id = usr.ID
	}
	mentorKayonza, _ := f.db.FindUserByUsername(context.Background(), "mentor.kayonza")
	mentorKirehe, _ := f.db.FindUserByUsername(context.Background(), "mentor.kirehe1")
	newAssignment := func(in bool) int64 {
		m := pickID(in, mentorKayonza.ID, mentorKirehe.ID)
		return idOf(t, f.must(t, "admin", "POST", "/api/v1/assignments", fmt.Sprintf(`{"mentor_id":%d,"facility_id":%d,"start_on":"2026-01-%02d"}`, m, fac(in), 1+next()%27), 201))
	}
	// A learning goal for each worker, and what only mentors and in-charges may see.
	for _, in := range []bool{true, false} {
		f.must(t, mentor(in), "POST", fmt.Sprintf("/api/v1/health-workers/%d/goals", hw(in)), fmt.Sprintf(`{"id":%q,"goal":"Plot every weight on the chart"}`, uuid(next())), 201)
	}
	privateMarkers := []string{"Good work; count for a full minute.", "Plot every weight on the chart", `"assessment_index"`, `"correctly_managed":`}
	// The markers are really there for those allowed to see them, so their absence
	// elsewhere means something.
	if _, body := f.do(t, "mentor.kayonza", "GET", "/api/v1/observations/"+ids.obsIn, ""); !strings.Contains(body, privateMarkers[0]) || !strings.Contains(body, `"correctly_managed":`) || !strings.Contains(body, `"assessment_index"`) {
		t.Fatalf("the mentor does not see the observation's notes and score: %.300s", body)
	}
	if _, body := f.do(t, "incharge.rwinkwavu", "GET", fmt.Sprintf("/api/v1/health-workers/%d/goals", f.inHW.ID), ""); !strings.Contains(body, privateMarkers[1]) {
		t.Fatalf("the in-charge does not see the goal: %.300s", body)
	}
	// Markers that must never appear in an answer to a caller outside Kirehe.
	outMarkers := []string{f.out.Name, f.outHW.Name, ids.visitOut, ids.obsOut, ids.checkOut, ids.issueOut, ids.projOut}

	at := func(format string, a, b any) func(bool) string {
		return func(in bool) string {
			if in {
				return fmt.Sprintf(format, a)
			}
			return fmt.Sprintf(format, b)
		}
	}
	fresh := func(format string, mk func(bool) string) func(bool) string {
		return func(in bool) string { return fmt.Sprintf(format, mk(in)) }
	}
	freshID := func(format string, mk func(bool) int64) func(bool) string {
		return func(in bool) string { return fmt.Sprintf(format, mk(in)) }
	}
	const all = "yyyyy"
	routes := []apiRoute{
		{pattern: "POST /api/v1/auth/token", body: func(bool) string { return `{"username":"nobody","password":"wrong password"}` }, ok: 200, in: "-----"},
		{pattern: "DELETE /api/v1/auth/token", ok: 204, in: "-----"},
		{pattern: "GET /api/v1/me", ok: 200, in: all},

		{pattern: "GET /api/v1/orgunits", path: at("/api/v1/orgunits?parent_id=%d", ids.districtIn, ids.districtOut), ok: 200, in: all, out: "yylll"},
		{pattern: "POST /api/v1/orgunits", body: func(in bool) string {
			return fmt.Sprintf(`{"name":"New HC %d","type":"facility","parent_id":%d}`, next(), pickID(in, *f.in.ParentID, *f.out.ParentID))
		}, ok: 201, in: "yynnn", out: "yynnn"},
		{pattern: "GET /api/v1/orgunits/{id}", path: at("/api/v1/orgunits/%d", f.in.ID, f.out.ID), ok: 200, in: all, out: "yynnn"},
		{pattern: "PATCH /api/v1/orgunits/{id}", path: at("/api/v1/orgunits/%d", f.in.ID, f.out.ID), body: func(bool) string { return `{"cadence_days":35}` }, ok: 200, in: "yynnn", out: "yynnn"},

		{pattern: "GET /api/v1/health-workers", path: at("/api/v1/health-workers?facility_id=%d", f.in.ID, f.out.ID), ok: 200, in: all, out: "yylll"},
		{pattern: "POST /api/v1/health-workers", body: func(in bool) string {
			return fmt.Sprintf(`{"name":"Nurse %d","cadre":"A2","facility_id":%d}`, next(), fac(in))
		}, ok: 201, in: "yyyny", out: "yynnn"},
		{pattern: "GET /api/v1/health-workers/{id}", path: at("/api/v1/health-workers/%d", f.inHW.ID, f.outHW.ID), ok: 200, in: all, out: "yynnn"},
		{pattern: "PATCH /api/v1/health-workers/{id}", path: at("/api/v1/health-workers/%d", f.inHW.ID, f.outHW.ID), body: func(bool) string { return `{"cadre":"A1"}` }, ok: 200, in: "yyyny", out: "yynnn"},
		{pattern: "GET /api/v1/health-workers/{id}/competency", path: at("/api/v1/health-workers/%d/competency", f.inHW.ID, f.outHW.ID), ok: 200, in: "nnnyy", out: "nnnnn"},
		{pattern: "GET /api/v1/health-workers/{id}/goals", path: at("/api/v1/health-workers/%d/goals", f.inHW.ID, f.outHW.ID), ok: 200, in: "nnnyy", out: "nnnnn"},
		{pattern: "POST /api/v1/health-workers/{id}/goals", path: at("/api/v1/health-workers/%d/goals", f.inHW.ID, f.outHW.ID), body: func(bool) string {
			return fmt.Sprintf(`{"id":%q,"goal":"Count breaths for a full minute"}`, uuid(next()))
		}, ok: 201, in: "nnnyn", out: "nnnnn"},

		{pattern: "GET /api/v1/users", ok: 200, in: "yyynn"},
		{pattern: "POST /api/v1/users", body: func(in bool) string {
			return fmt.Sprintf(`{"username":"nurse%d","role":"facility","scope_id":%d,"password":"long enough pw"}`, next(), fac(in))
		}, ok: 201, in: "ynnnn", out: "ynnnn"},
		{pattern: "GET /api/v1/users/{id}", path: at("/api/v1/users/%d", ids.userIn, ids.userOut), ok: 200, in: "yyynn", out: "yynnn"},
		{pattern: "PATCH /api/v1/users/{id}", path: at("/api/v1/users/%d", ids.userIn, ids.userOut), body: func(bool) string { return fmt.Sprintf(`{"display_name":"Renamed %d"}`, next()) }, ok: 200, in: "ynnnn", out: "ynnnn"},

		{pattern: "GET /api/v1/assignments", path: at("/api/v1/assignments?facility_id=%d", f.in.ID, f.out.ID), ok: 200, in: all, out: "yylll"},
		{pattern: "POST /api/v1/assignments", body: func(in bool) string {
			return fmt.Sprintf(`{"mentor_id":%d,"facility_id":%d,"start_on":"2026-02-%02d"}`, pickID(in, mentorKayonza.ID, mentorKirehe.ID), fac(in), 1+next()%27)
		}, ok: 201, in: "yyynn", out: "yynnn"},
		{pattern: "PATCH /api/v1/assignments/{id}", path: freshID("/api/v1/assignments/%d", newAssignment), body: func(bool) string { return `{"end_on":"2026-12-31"}` }, ok: 200, in: "yyynn", out: "yynnn"},

		{pattern: "GET /api/v1/audit", ok: 200, in: "ynnnn"},

		{pattern: "GET /api/v1/visits", path: at("/api/v1/visits?facility_id=%d", f.in.ID, f.out.ID), ok: 200, in: all, out: "yylll"},
		{pattern: "POST /api/v1/visits", body: func(in bool) string {
			return fmt.Sprintf(`{"id":%q,"facility_id":%d,"date":"2026-11-21"}`, uuid(next()), fac(in))
		}, ok: 201, in: "yyyyn", out: "yynnn"},
		{pattern: "GET /api/v1/visits/{id}", path: at("/api/v1/visits/%s", ids.visitIn, ids.visitOut), ok: 200, in: all, out: "yynnn"},
		{pattern: "PUT /api/v1/visits/{id}", path: fresh("/api/v1/visits/%s", newVisit), body: func(in bool) string {
			return fmt.Sprintf(`{"facility_id":%d,"date":"2026-11-22","version":1}`, fac(in))
		}, ok: 200, in: "yyyyn", out: "yynnn"},
		{pattern: "GET /api/v1/cadence", ok: 200, in: all},

		{pattern: "GET /api/v1/observations", path: at("/api/v1/observations?facility_id=%d", f.in.ID, f.out.ID), ok: 200, in: "nnnyy", out: "nnnll"},
		{pattern: "PUT /api/v1/observations/{id}", path: at("/api/v1/observations/%s", ids.obsIn, ids.obsOut), body: func(in bool) string {
			return observationBody(pick(in, ids.visitIn, ids.visitOut), hw(in), 52, rightClasses, "")
		}, ok: 200, in: "nnnyn", out: "nnnnn"},
		{pattern: "GET /api/v1/observations/{id}", path: at("/api/v1/observations/%s", ids.obsIn, ids.obsOut), ok: 200, in: "nnnyy", out: "nnnnn"},
		{pattern: "DELETE /api/v1/observations/{id}", path: fresh("/api/v1/observations/%s", func(in bool) string { return newObs(in, pick(in, ids.visitIn, ids.visitOut)) }), ok: 200, in: "nnnyn", out: "nnnnn"},

		{pattern: "GET /api/v1/checklist", ok: 200, in: all},
		{pattern: "GET /api/v1/readiness-checks", path: at("/api/v1/readiness-checks?facility_id=%d", f.in.ID, f.out.ID), ok: 200, in: all, out: "yylll"},
		{pattern: "POST /api/v1/readiness-checks", body: func(in bool) string { return checkBody(uuid(next()), in) }, ok: 201, in: "ynyyy", out: "ynnnn"},
		{pattern: "GET /api/v1/readiness-checks/{id}", path: at("/api/v1/readiness-checks/%s", ids.checkIn, ids.checkOut), ok: 200, in: all, out: "yynnn"},
		{pattern: "PUT /api/v1/readiness-checks/{id}", path: at("/api/v1/readiness-checks/%s", ids.checkIn, ids.checkOut), body: func(in bool) string {
			return checkBody(pick(in, ids.checkIn, ids.checkOut), in)
		}, ok: 200, in: "ynyyy", out: "ynnnn"},
		{pattern: "GET /api/v1/stock-events", path: at("/api/v1/stock-events?facility_id=%d", f.in.ID, f.out.ID), ok: 200, in: all, out: "yylll"},
		{pattern: "POST /api/v1/stock-events", body: func(in bool) string {
			return fmt.Sprintf(`{"id":%q,"facility_id":%d,"commodity":"ors","started_on":"2026-10-01"}`, uuid(next()), fac(in))
		}, ok: 201, in: "ynyyy", out: "ynnnn"},
		{pattern: "PUT /api/v1/stock-events/{id}", path: fresh("/api/v1/stock-events/%s", newStock), body: func(bool) string { return `{"ended_on":"2026-10-25","version":1}` }, ok: 200, in: "ynyyy", out: "ynnnn"},
		{pattern: "GET /api/v1/stockouts/current", path: at("/api/v1/stockouts/current?orgunit=%d", f.in.ID, f.out.ID), ok: 200, in: all, out: "yynnn"},
		{pattern: "GET /api/v1/issues", path: at("/api/v1/issues?facility_id=%d", f.in.ID, f.out.ID), ok: 200, in: all, out: "yylll"},
		{pattern: "POST /api/v1/issues", body: func(in bool) string { return issueBody(uuid(next()), in) }, ok: 201, in: "ynyyy", out: "ynnnn"},
		{pattern: "GET /api/v1/issues/stats", ok: 200, in: all},
		{pattern: "GET /api/v1/issues/{id}", path: at("/api/v1/issues/%s", ids.issueIn, ids.issueOut), ok: 200, in: all, out: "yynnn"},
		{pattern: "PUT /api/v1/issues/{id}", path: at("/api/v1/issues/%s", ids.issueIn, ids.issueOut), body: func(in bool) string {
			return issueBody(pick(in, ids.issueIn, ids.issueOut), in)
		}, ok: 200, in: "ynyyy", out: "ynnnn"},
		{pattern: "POST /api/v1/issues/{id}/comments", path: at("/api/v1/issues/%s/comments", ids.issueIn, ids.issueOut), body: func(bool) string {
			return fmt.Sprintf(`{"id":%q,"text":"Ordered from the district pharmacy"}`, uuid(next()))
		}, ok: 201, in: "ynyyy", out: "ynnnn"},
		{pattern: "GET /api/v1/qi/projects", path: at("/api/v1/qi/projects?facility_id=%d", f.in.ID, f.out.ID), ok: 200, in: all, out: "yylll"},
		{pattern: "POST /api/v1/qi/projects", body: func(in bool) string { return projBody(uuid(next()), in) }, ok: 201, in: "ynyyy", out: "ynnnn"},
		{pattern: "GET /api/v1/qi/projects/{id}", path: at("/api/v1/qi/projects/%s", ids.projIn, ids.projOut), ok: 200, in: all, out: "yynnn"},
		{pattern: "PUT /api/v1/qi/projects/{id}", path: at("/api/v1/qi/projects/%s", ids.projIn, ids.projOut), body: func(in bool) string {
			return projBody(pick(in, ids.projIn, ids.projOut), in)
		}, ok: 200, in: "ynyyy", out: "ynnnn"},
		{pattern: "POST /api/v1/qi/projects/{id}/cycles", path: at("/api/v1/qi/projects/%s/cycles", ids.projIn, ids.projOut), body: func(bool) string {
			return fmt.Sprintf(`{"id":%q,"change_idea_id":"c1","plan":"One week","started_on":"2026-09-07","ended_on":"2026-09-30","result":"adopt"}`, uuid(next()))
		}, ok: 201, in: "ynyyy", out: "ynnnn"},
		{pattern: "GET /api/v1/qi/projects/{id}/runchart", path: at("/api/v1/qi/projects/%s/runchart", ids.projIn, ids.projOut), ok: 200, in: all, out: "yynnn"},
		{pattern: "GET /api/v1/qi/projects/{id}/runchart.svg", path: at("/api/v1/qi/projects/%s/runchart.svg", ids.projIn, ids.projOut), ok: 200, in: all, out: "yynnn"},
		{pattern: "GET /api/v1/qi/projects/{id}/pchart.svg", path: at("/api/v1/qi/projects/%s/pchart.svg", ids.projIn, ids.projOut), ok: 200, in: all, out: "yynnn"},
		{pattern: "GET /api/v1/qi/change-package", ok: 200, in: all},

		{pattern: "POST /api/v1/sync", body: func(bool) string { return `{"records":[]}` }, ok: 200, in: all},
		{pattern: "GET /api/v1/sync/changes", ok: 200, in: all},
		{pattern: "GET /api/v1/indicators", ok: 200, in: all},
		{pattern: "GET /api/v1/indicators/{id}/values", path: at("/api/v1/indicators/imci.correctly_managed/values?from=2026-01&to=2026-12&orgunit=%d", f.in.ID, f.out.ID), ok: 200, in: all, out: "yynnn"},
		{pattern: "POST /api/v1/imci/classify", body: func(bool) string { return fmt.Sprintf(childAssessment, 52) }, ok: 200, in: all},

		{pattern: "POST /api/v1/visits/{id}/feedback-code", path: at("/api/v1/visits/%s/feedback-code", ids.visitIn, ids.visitOut), ok: 200, in: "yyyyn", out: "yynnn"},
		// The mentee's anonymous feedback: anyone holding the code may answer.
		{pattern: "POST /api/v1/visits/{id}/feedback", path: at("/api/v1/visits/%s/feedback", ids.visitIn, ids.visitOut), body: func(bool) string {
			return `{"id":"` + uuid(next()) + `","code":"WRONGCODE","ratings":{"listened":4}}`
		}, ok: 201, in: "fffff", out: "fffff"},
		{pattern: "GET /api/v1/feedback/items", ok: 200, in: all},
		{pattern: "PUT /api/v1/feedback/config", body: func(bool) string { return `{}` }, ok: 200, in: "bnnnn"},
		// Results are always those of the caller's area (no place parameter).
		{pattern: "GET /api/v1/feedback/results", ok: 200, in: "yyyyn"},
		{pattern: "GET /api/v1/coding/themes", ok: 200, in: "yynnn"},
		{pattern: "POST /api/v1/coding/themes", body: func(bool) string { return fmt.Sprintf(`{"code":"theme_%d","name":"Theme %d"}`, next(), n) }, ok: 201, in: "yynnn"},
		{pattern: "GET /api/v1/coding/sources", ok: 200, in: "yynnn"},
		{pattern: "POST /api/v1/coding/sources", body: func(in bool) string {
			return fmt.Sprintf(`{"kind":"focus_group","title":"FGD","body":"Text.","orgunit_id":%d,"period":"2026-02"}`, pickID(in, ids.districtIn, ids.districtOut))
		}, ok: 201, in: "yynnn", out: "yynnn"},
		// No comments to code in the period: the allowed callers are told so (400).
		{pattern: "POST /api/v1/coding/sources/from-comments", body: func(in bool) string {
			return fmt.Sprintf(`{"orgunit_id":%d,"period":"2026-02"}`, pickID(in, ids.districtIn, ids.districtOut))
		}, ok: 201, in: "bbnnn", out: "bbnnn"},
		{pattern: "GET /api/v1/coding/sources/{id}", path: at("/api/v1/coding/sources/%d", ids.srcIn, ids.srcOut), ok: 200, in: "yynnn", out: "yynnn"},
		{pattern: "POST /api/v1/coding/sources/{id}/passages", path: at("/api/v1/coding/sources/%d/passages", ids.srcIn, ids.srcOut), body: func(bool) string {
			return fmt.Sprintf(`{"theme_id":%d,"quote":"We had no zinc."}`, themes[0].ID)
		}, ok: 201, in: "yynnn", out: "yynnn"},
		{pattern: "GET /api/v1/coding/sources/{id}/agreement", path: at("/api/v1/coding/sources/%d/agreement", ids.srcIn, ids.srcOut), ok: 200, in: "yynnn", out: "yynnn"},
		{pattern: "DELETE /api/v1/coding/passages/{id}", path: freshID("/api/v1/coding/passages/%d", newPassage), ok: 204, in: "yynnn", out: "yynnn"},
		{pattern: "GET /api/v1/coding/theme-counts", ok: 200, in: "yynnn"},
		{pattern: "GET /api/v1/coding/quotes.csv", ok: 200, in: "yynnn"},
		{pattern: "GET /api/v1/coding/quotes.xlsx", ok: 200, in: "yynnn"},
		{pattern: "GET /api/v1/evaluation", path: at("/api/v1/evaluation?orgunit=%d&baseline_from=2026-01&baseline_to=2026-03&followup_from=2026-04&followup_to=2026-06", f.in.ID, f.out.ID), ok: 200, in: "yyynn", out: "yynnn"},
		{pattern: "/api/", path: func(bool) string { return "/api/v1/no-such-thing" }, ok: 404, in: "yyyyy"},
	}
	_ = ids.passIn
	_ = ids.passOut

	// Every registered route has exactly one row, and every row a route.
	var listed []string
	for _, r := range routes {
		listed = append(listed, r.pattern)
	}
	missing, stale, err := routescan.Compare(".", listed)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range missing {
		t.Errorf("route %q has no row in the authorization matrix: add one (roles × in/out of area)", p)
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
		for _, in := range []bool{true, false} {
			want := r.in
			if !in {
				want = r.out
			}
			if want == "" {
				continue
			}
			for i, role := range matrixRoles {
				w := want[i]
				if w == '-' {
					continue
				}
				p := path
				if r.path != nil {
					p = r.path(in)
				}
				body := ""
				if r.body != nil {
					body = r.body(in)
				}
				cells++
				got, resp := f.do(t, role, method, p, body)
				where := map[bool]string{true: "in area", false: "out of area"}[in]
				switch w {
				case 'y':
					if got != r.ok {
						t.Errorf("%s %s as %s (%s): %d, want %d: %.300s", method, p, role, where, got, r.ok, resp)
					}
				case 'n':
					if got != 403 || !strings.Contains(resp, `"errors"`) {
						t.Errorf("%s %s as %s (%s): %d, want 403 with an error body: %.300s", method, p, role, where, got, resp)
					}
				case 'f':
					if got != 404 {
						t.Errorf("%s %s as %s (%s): %d, want 404: %.300s", method, p, role, where, got, resp)
					}
				case 'b':
					if got != 400 {
						t.Errorf("%s %s as %s (%s): %d, want 400 (allowed, refused on content): %.300s", method, p, role, where, got, resp)
					}
				case 'l':
					if got != 200 {
						t.Errorf("%s %s as %s (%s): %d, want 200: %.300s", method, p, role, where, got, resp)
					}
				}
				// The privacy rule (observation.md §5): named scores, notes and learning
				// goals are for the worker's mentors and in-charge only, on every route.
				if role == "admin" || role == "manager" || role == "supervisor.kayonza" {
					for _, m := range privateMarkers {
						if strings.Contains(resp, m) {
							t.Errorf("%s %s as %s (%s): the answer shows the named worker's private %q: %.300s", method, p, role, where, m, resp)
						}
					}
				}
				if role != "admin" && role != "manager" {
					for _, m := range outMarkers {
						if strings.Contains(resp, m) {
							t.Errorf("%s %s as %s (%s): the answer shows %q from outside the caller's area: %.300s", method, p, role, where, m, resp)
						}
					}
				}
			}
		}
		// Anonymous: 401 everywhere except login, the mentee's feedback and the 404.
		p := path
		if r.path != nil {
			p = r.path(true)
		}
		body := ""
		if r.body != nil {
			body = r.body(true)
		}
		wantAnon := 401
		switch r.pattern {
		case "POST /api/v1/auth/token":
			wantAnon = 401 // a wrong password
		case "POST /api/v1/visits/{id}/feedback":
			wantAnon = 404 // a wrong code, but no login needed: the mentee is anonymous
		case "POST /api/v1/imci/classify", "GET /api/v1/feedback/items":
			wantAnon = 200 // stores and shows nothing private: a teaching tool; the anonymous form's statements
		case "/api/":
			wantAnon = 404
		}
		cells++
		if got, resp := f.do(t, "", method, p, body); got != wantAnon {
			t.Errorf("%s %s anonymous: %d, want %d: %.300s", method, p, got, wantAnon, resp)
		}
	}
	_ = account.Admin
	return cells
}
