package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"mesh/account"
	"mesh/api"
	"mesh/auth"
	"mesh/demo"
	"mesh/place"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
	"mesh/staff"
)

// fixture is a real server over a demo database, with a token per demo user.
type fixture struct {
	srv    *httptest.Server
	db     *sqlstore.DB
	tokens map[string]string
	in     *place.OrgUnit // Rwinkwavu HC: inside every demo user's area
	out    *place.OrgUnit // Nyarubuye HC (Kirehe): outside Kayonza users' areas
	inHW   *staff.HealthWorker
	outHW  *staff.HealthWorker
}

func newFixture(t *testing.T, d sqlstore.Dialect) *fixture { return newFixtureTB(t, d) }

func newFixtureTB(t testing.TB, d sqlstore.Dialect) *fixture {
	t.Helper()
	ctx := context.Background()
	db := sqlstoretest.Open(t, d)
	// These scenarios start from the demo's places and people only: the demo's year of
	// mentoring would blur the exact counts they check.
	if _, err := demo.LoadWith(ctx, db, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	authn := auth.New(db, false)
	mux := http.NewServeMux()
	(&api.Server{Store: db, Auth: authn}).Routes(mux)
	f := &fixture{db: db, tokens: map[string]string{}}
	f.srv = httptest.NewServer(auth.SecurityHeaders(http.NewCrossOriginProtection().Handler(authn.Middleware(mux))))
	t.Cleanup(f.srv.Close)
	for _, l := range demo.Logins() {
		u, err := db.FindUserByUsername(ctx, l.Username)
		if err != nil {
			t.Fatal(err)
		}
		if f.tokens[l.Username], err = authn.IssueToken(ctx, u, "api"); err != nil {
			t.Fatal(err)
		}
	}
	f.in = f.facility(t, "Rwinkwavu Health Centre")
	f.out = f.facility(t, "Nyarubuye Health Centre")
	f.inHW = f.worker(t, f.in.ID)
	f.outHW = f.worker(t, f.out.ID)
	return f
}

func (f *fixture) facility(t testing.TB, name string) *place.OrgUnit {
	list, _, err := f.db.FindOrgUnits(context.Background(), place.Filter{Query: name})
	if err != nil || len(list) != 1 {
		t.Fatalf("facility %s: %v %d", name, err, len(list))
	}
	return list[0]
}

func (f *fixture) worker(t testing.TB, facilityID int64) *staff.HealthWorker {
	list, _, err := f.db.FindHealthWorkers(context.Background(), staff.Filter{FacilityID: &facilityID})
	if err != nil || len(list) == 0 {
		t.Fatalf("no worker at %d: %v", facilityID, err)
	}
	return list[0]
}

// do sends a request as user ("" for anonymous) and returns status and body.
func (f *fixture) do(t *testing.T, user, method, path, body string) (int, string) {
	return f.doTB(t, user, method, path, body)
}

func (f *fixture) doTB(t testing.TB, user, method, path, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if user != "" {
		req.Header.Set("Authorization", "Bearer "+f.tokens[user])
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

var roles = []string{"admin", "manager", "supervisor.kayonza", "mentor.kayonza", "incharge.rwinkwavu"}

// expect lists the status per role, in the order of roles.
type expect [5]int

// TestAuthorizationMatrix checks every role against records inside and outside its
// area, for the places-and-people endpoints. 403 must never carry data.
func TestAuthorizationMatrix(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) { authorizationMatrix(t, newFixture(t, d)) })
	}
}

func authorizationMatrix(t *testing.T, f *fixture) {
	var n int
	uniq := func() int { n++; return n }
	mentorKirehe, _ := f.db.FindUserByUsername(context.Background(), "mentor.kirehe1")
	mentorKayonza, _ := f.db.FindUserByUsername(context.Background(), "mentor.kayonza")
	cases := []struct {
		name         string
		method, path string
		body         func() string
		want         expect
	}{
		{"read place in area", "GET", fmt.Sprintf("/api/v1/orgunits/%d", f.in.ID), nil, expect{200, 200, 200, 200, 200}},
		{"read place outside area", "GET", fmt.Sprintf("/api/v1/orgunits/%d", f.out.ID), nil, expect{200, 200, 403, 403, 403}},
		{"edit place in area", "PATCH", fmt.Sprintf("/api/v1/orgunits/%d", f.in.ID), func() string { return `{"cadence_days":35}` }, expect{200, 200, 403, 403, 403}},
		{"edit place outside area", "PATCH", fmt.Sprintf("/api/v1/orgunits/%d", f.out.ID), func() string { return `{"cadence_days":35}` }, expect{200, 200, 403, 403, 403}},
		{"add place in area", "POST", "/api/v1/orgunits", func() string {
			return fmt.Sprintf(`{"name":"New HC %d","type":"facility","parent_id":%d}`, uniq(), *f.in.ParentID)
		}, expect{201, 201, 403, 403, 403}},
		{"read worker in area", "GET", fmt.Sprintf("/api/v1/health-workers/%d", f.inHW.ID), nil, expect{200, 200, 200, 200, 200}},
		{"read worker outside area", "GET", fmt.Sprintf("/api/v1/health-workers/%d", f.outHW.ID), nil, expect{200, 200, 403, 403, 403}},
		{"add worker in area", "POST", "/api/v1/health-workers", func() string {
			return fmt.Sprintf(`{"name":"Nurse %d","cadre":"A2","facility_id":%d}`, uniq(), f.in.ID)
		}, expect{201, 201, 201, 403, 201}},
		{"add worker outside area", "POST", "/api/v1/health-workers", func() string {
			return fmt.Sprintf(`{"name":"Nurse %d","cadre":"A2","facility_id":%d}`, uniq(), f.out.ID)
		}, expect{201, 201, 403, 403, 403}},
		{"edit worker outside area", "PATCH", fmt.Sprintf("/api/v1/health-workers/%d", f.outHW.ID), func() string { return `{"cadre":"A1"}` }, expect{200, 200, 403, 403, 403}},
		{"list users", "GET", "/api/v1/users", nil, expect{200, 200, 200, 403, 403}},
		{"read user outside area", "GET", fmt.Sprintf("/api/v1/users/%d", mentorKirehe.ID), nil, expect{200, 200, 403, 403, 403}},
		{"add user", "POST", "/api/v1/users", func() string {
			return fmt.Sprintf(`{"username":"nurse%d","role":"facility","scope_id":%d,"password":"long enough pw"}`, uniq(), f.in.ID)
		}, expect{201, 403, 403, 403, 403}},
		{"list assignments", "GET", "/api/v1/assignments", nil, expect{200, 200, 200, 200, 200}},
		{"assign mentor in area", "POST", "/api/v1/assignments", func() string {
			return fmt.Sprintf(`{"mentor_id":%d,"facility_id":%d,"start_on":"2026-01-01"}`, mentorKayonza.ID, f.in.ID)
		}, expect{201, 201, 201, 403, 403}},
		{"assign mentor outside area", "POST", "/api/v1/assignments", func() string {
			return fmt.Sprintf(`{"mentor_id":%d,"facility_id":%d,"start_on":"2026-01-01"}`, mentorKirehe.ID, f.out.ID)
		}, expect{201, 201, 403, 403, 403}},
		{"read audit trail", "GET", "/api/v1/audit", nil, expect{200, 403, 403, 403, 403}},
	}
	for _, c := range cases {
		for i, role := range roles {
			body := ""
			if c.body != nil {
				body = c.body()
			}
			got, resp := f.do(t, role, c.method, c.path, body)
			if got != c.want[i] {
				t.Errorf("%s as %s: status %d, want %d (%s)", c.name, role, got, c.want[i], resp)
			}
			if got == 403 && !strings.Contains(resp, `"errors"`) {
				t.Errorf("%s as %s: 403 without an error body: %s", c.name, role, resp)
			}
			if got == 403 && (strings.Contains(resp, f.out.Name) || strings.Contains(resp, f.outHW.Name)) {
				t.Errorf("%s as %s: 403 leaks data: %s", c.name, role, resp)
			}
		}
		if got, _ := f.do(t, "", c.method, c.path, ""); got != 401 {
			t.Errorf("%s anonymous: status %d, want 401", c.name, got)
		}
	}
}

// Lists hold only what lies in the caller's area.
func TestListsAreScoped(t *testing.T) {
	f := newFixture(t, sqlstore.SQLite)
	want := map[string]int{"admin": 21, "manager": 21, "supervisor.kayonza": 8, "mentor.kayonza": 8, "incharge.rwinkwavu": 1}
	for role, n := range want {
		status, body := f.do(t, role, "GET", "/api/v1/orgunits?type=facility", "")
		var list []account.User
		if status != 200 || json.Unmarshal([]byte(body), &list) != nil || len(list) != n {
			t.Errorf("%s sees %d facilities (status %d), want %d", role, len(list), status, n)
		}
		_, body = f.do(t, role, "GET", "/api/v1/health-workers", "")
		if role != "admin" && role != "manager" && strings.Contains(body, fmt.Sprintf(`"facility_id":%d,`, f.out.ID)) {
			t.Errorf("%s sees a Kirehe worker", role)
		}
	}
}
