package api_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"mesh/auth"
	"mesh/demo"
	"mesh/place"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
)

// send is f.do with the request's headers given as "Name: value".
func (f *fixture) send(t *testing.T, method, path, body string, headers ...string) (int, string) {
	t.Helper()
	req, _ := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Set(name, value)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// login gets a token through POST /api/v1/auth/token, as a device does.
func (f *fixture) login(t *testing.T, user, password string, headers ...string) (int, string) {
	t.Helper()
	st, body := f.send(t, "POST", "/api/v1/auth/token", fmt.Sprintf(`{"username":%q,"password":%q}`, user, password), headers...)
	if st != 200 {
		return st, body
	}
	tok := regexp.MustCompile(`"token":"([^"]+)"`).FindStringSubmatch(body)
	if tok == nil {
		t.Fatalf("no token in %s", body)
	}
	return st, tok[1]
}

// A revoked API token is refused at once, although the caller cache (auth.CacheTTL)
// had just resolved it; and revoking parses the token exactly as the middleware does.
func TestSecurityTokenRevocation(t *testing.T) {
	f := newFixture(t, sqlstore.SQLite)
	for _, c := range []struct {
		name, header string
	}{
		{"plain", "Authorization: Bearer %s"},
		{"padded", "Authorization: Bearer   %s  "},
	} {
		st, tok := f.login(t, "mentor.kayonza", demo.Password)
		if st != 200 {
			t.Fatalf("login: %d %s", st, tok)
		}
		h := fmt.Sprintf(c.header, tok)
		if st, body := f.send(t, "GET", "/api/v1/me", "", h); st != 200 {
			t.Fatalf("%s: token before revocation: %d %s", c.name, st, body)
		}
		if st, body := f.send(t, "DELETE", "/api/v1/auth/token", "", h); st != 204 {
			t.Fatalf("%s: revoke: %d %s", c.name, st, body)
		}
		for _, hh := range []string{h, "Authorization: Bearer " + tok} {
			if st, _ := f.send(t, "GET", "/api/v1/me", "", hh); st != 401 {
				t.Errorf("%s: revoked token still works (%d) within the cache's %v", c.name, st, auth.CacheTTL)
			}
		}
	}
	// A session cookie sent to the API is revoked the same way.
	u, _ := f.db.FindUserByUsername(context.Background(), "incharge.rwinkwavu")
	a := auth.New(f.db, false)
	sess, err := a.IssueToken(context.Background(), u, "session")
	if err != nil {
		t.Fatal(err)
	}
	cookie := "Cookie: " + auth.CookieName + "=" + sess
	if st, _ := f.send(t, "GET", "/api/v1/me", "", cookie); st != 200 {
		t.Fatalf("session cookie: %d", st)
	}
	if st, _ := f.send(t, "DELETE", "/api/v1/auth/token", "", cookie); st != 204 {
		t.Fatalf("revoke by cookie: %d", st)
	}
	if st, _ := f.send(t, "GET", "/api/v1/me", "", cookie); st != 401 {
		t.Errorf("revoked session cookie still works: %d", st)
	}
	// Deactivating a user stops their token at once (the cache is emptied).
	st, tok := f.login(t, "mentor.kirehe2", demo.Password)
	if st != 200 {
		t.Fatal(tok)
	}
	if st, _ := f.send(t, "GET", "/api/v1/visits", "", "Authorization: Bearer "+tok); st != 200 {
		t.Fatalf("before deactivation: %d", st)
	}
	k2, _ := f.db.FindUserByUsername(context.Background(), "mentor.kirehe2")
	if st, body := f.do(t, "admin", "PATCH", fmt.Sprintf("/api/v1/users/%d", k2.ID), `{"active":false}`); st != 200 {
		t.Fatalf("deactivate: %d %s", st, body)
	}
	if st, _ := f.send(t, "GET", "/api/v1/visits", "", "Authorization: Bearer "+tok); st != 401 && st != 403 {
		t.Errorf("a deactivated user's token still reads visits: %d", st)
	}
}

// Login is locked after MaxFailuresPerUser failures for that user (from any address,
// even with the right password then) and after MaxFailuresPerIP failures from one
// address (whatever the usernames); X-Forwarded-For does not change the address.
func TestSecurityLoginLockout(t *testing.T) {
	f := newFixture(t, sqlstore.SQLite)
	for i := range auth.MaxFailuresPerUser {
		if st, body := f.login(t, "mentor.kayonza", fmt.Sprintf("guess %d", i)); st != 401 {
			t.Fatalf("failure %d: %d %s", i, st, body)
		}
	}
	if st, body := f.login(t, "mentor.kayonza", demo.Password); st != 429 || !strings.Contains(body, "too many") {
		t.Errorf("right password after %d failures: %d %s, want 429", auth.MaxFailuresPerUser, st, body)
	}
	if st, body := f.login(t, "MENTOR.kayonza ", demo.Password); st != 429 {
		t.Errorf("the same user spelled otherwise escapes the lock: %d %s", st, body)
	}
	if st, _ := f.login(t, "incharge.rwinkwavu", demo.Password); st != 200 {
		t.Errorf("another user from the same address is locked too early: %d", st)
	}
	// The address: failures spread over many usernames. All but the last two are
	// written directly (each real one costs an argon2 hash); the last two go through
	// HTTP with a forged X-Forwarded-For each.
	for i := auth.MaxFailuresPerUser; i < auth.MaxFailuresPerIP-2; i++ {
		if err := f.db.RecordLogin(context.Background(), fmt.Sprintf("nobody%d", i), "127.0.0.1", false); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 2 {
		if st, body := f.login(t, fmt.Sprintf("someone%d", i), "guess", fmt.Sprintf("X-Forwarded-For: 203.0.113.%d", i)); st != 401 {
			t.Fatalf("failure %d: %d %s", i, st, body)
		}
	}
	if st, body := f.login(t, "admin", demo.Password); st != 429 {
		t.Errorf("right password from an address with %d failures: %d %s, want 429", auth.MaxFailuresPerIP, st, body)
	}
	if st, _ := f.login(t, "admin", demo.Password, "X-Forwarded-For: 198.51.100.7", "X-Real-IP: 198.51.100.7"); st != 429 {
		t.Errorf("a forged X-Forwarded-For escapes the address lock: %d", st)
	}
}

// Every API route that takes a body answers 413 to one over the limit (the IMCI
// classifier allows 10 MiB for arrays of children; the others api.DefaultMaxBody).
func TestSecurityOversizedBodies(t *testing.T) {
	f := newFixture(t, sqlstore.SQLite)
	routes := registeredRoutes(t, ".")
	big := `{"name":"` + strings.Repeat("x", api2MiB) + `"}`
	// Real records, so that handlers which find the record before reading the body
	// get as far as the body.
	const visit, issue, project = "0190c1a2-5ec0-7000-8000-0000000000e1", "0190c1a2-5ec0-7000-8000-0000000000e2", "0190c1a2-5ec0-7000-8000-0000000000e3"
	f.must(t, "mentor.kayonza", "POST", "/api/v1/visits", fmt.Sprintf(`{"id":%q,"facility_id":%d,"date":"2026-11-20"}`, visit, f.in.ID), 201)
	f.must(t, "mentor.kayonza", "POST", "/api/v1/issues", fmt.Sprintf(`{"id":%q,"facility_id":%d,"category":"supply","description":"Zinc","owner":"In-charge","opened_on":"2026-10-14"}`, issue, f.in.ID), 201)
	f.must(t, "mentor.kayonza", "POST", "/api/v1/qi/projects", fmt.Sprintf(`{"id":%q,"facility_id":%d,"title":"T","team":["IC"],"problem":"P",
		"aim":{"text":"A","indicator_id":"imci.growth_chart_used","target_value":0.8,"target_date":"2027-03-31"},"change_ideas":[{"id":"c1","text":"C"}],"started_on":"2026-09-01"}`, project, f.in.ID), 201)
	src := idOf(t, f.must(t, "admin", "POST", "/api/v1/coding/sources", fmt.Sprintf(`{"kind":"focus_group","title":"FGD","body":"Text.","orgunit_id":%d,"period":"2026-02"}`, *f.in.ParentID), 201))
	n := 0
	for _, p := range routes {
		method, path, _ := strings.Cut(p, " ")
		if method != "POST" && method != "PUT" && method != "PATCH" || strings.HasSuffix(path, "/feedback-code") {
			continue // feedback-code reads no body: net/http discards what is sent
		}
		id := "1"
		switch {
		case strings.HasPrefix(path, "/api/v1/visits/"):
			id = visit
		case strings.HasPrefix(path, "/api/v1/issues/"):
			id = issue
		case strings.HasPrefix(path, "/api/v1/qi/projects/"):
			id = project
		case strings.HasPrefix(path, "/api/v1/coding/sources/"):
			id = fmt.Sprint(src)
		case strings.Contains(path, "{id}") && !strings.Contains(path, "orgunits/") && !strings.Contains(path, "health-workers/") &&
			!strings.Contains(path, "users/") && !strings.Contains(path, "assignments/"):
			id = "0190c1a2-5ec0-7000-8000-000000000001"
		}
		path = strings.Replace(path, "{id}", id, 1)
		body, user := big, "admin"
		switch path {
		case "/api/v1/imci/classify": // arrays of children: 10 MiB
			body = `{"name":"` + strings.Repeat("x", 11<<20) + `"}`
		case "/api/v1/sync": // 500 observations: 16 MiB
			body = `{"name":"` + strings.Repeat("x", 17<<20) + `"}`
		}
		if strings.Contains(path, "/goals") || strings.Contains(path, "/observations") {
			user = "mentor.kayonza"
		}
		n++
		st, resp := f.do(t, user, method, path, body)
		if st != 413 || !strings.Contains(resp, "TOO_LARGE") {
			t.Errorf("%s %s with a %d-byte body: %d %.200s, want 413 TOO_LARGE", method, path, len(body), st, resp)
		}
	}
	t.Logf("%d body-taking routes refuse oversized bodies", n)
}

const api2MiB = 2 << 20

// queryParams are the query parameter names the handlers of dir read.
func queryParams(t *testing.T, dirs ...string) []string {
	re := regexp.MustCompile(`(?:Get|queryInt|queryDate)\((?:r, )?"([a-z_]+)"\)`)
	seen := map[string]bool{}
	for _, dir := range dirs {
		files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
		for _, name := range files {
			if strings.HasSuffix(name, "_test.go") {
				continue
			}
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range re.FindAllStringSubmatch(string(src), -1) {
				seen[m[1]] = true
			}
		}
	}
	var out []string
	for k := range seen {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// sqlPayloads try to break out of a quoted string, a number and a LIKE pattern.
var sqlPayloads = []string{
	`' OR '1'='1`,
	`1 OR 1=1`,
	`1; DROP TABLE orgunits; --`,
	`%' UNION SELECT username, password_hash FROM users --`,
	`%`,
	"\x00'",
}

// Every query parameter any API handler reads, with SQL injection attempts, on every
// GET route: never a 5xx, never a record from outside the caller's area, never a
// password hash; and the tables are all there afterwards.
func TestSecuritySQLInjection(t *testing.T) {
	for _, d := range sqlstoretest.Dialects() {
		t.Run(string(d), func(t *testing.T) { sqlInjection(t, newFixture(t, d)) })
	}
}

func sqlInjection(t *testing.T, f *fixture) {
	params := queryParams(t, ".", "../voice")
	places := func() int {
		_, n, err := f.db.FindOrgUnits(context.Background(), place.Filter{Limit: 1})
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	before := places()
	inHW := fmt.Sprint(f.inHW.ID)
	var routes []string
	for _, p := range registeredRoutes(t, ".") {
		method, path, _ := strings.Cut(p, " ")
		if method != "GET" {
			continue
		}
		path = strings.NewReplacer("{id}", inHW).Replace(path)
		if strings.Contains(path, "indicators/") {
			path = strings.Replace(path, inHW, "imci.correctly_managed", 1)
		}
		routes = append(routes, path)
	}
	requests := 0
	for _, path := range routes {
		for _, param := range params {
			for _, payload := range sqlPayloads {
				for _, user := range []string{"supervisor.kayonza", "mentor.kayonza"} {
					q := path + "?" + param + "=" + urlEscape(payload)
					requests++
					st, body := f.do(t, user, "GET", q, "")
					if st >= 500 {
						t.Errorf("GET %s as %s: %d %.200s", q, user, st, body)
					}
					for _, leak := range []string{f.out.Name, f.outHW.Name, "$argon2id$", "password_hash\":"} {
						if strings.Contains(body, leak) {
							t.Errorf("GET %s as %s: the answer holds %q", q, user, leak)
						}
					}
				}
			}
		}
	}
	if after := places(); after != before {
		t.Errorf("places %d → %d after the injection attempts", before, after)
	}
	for _, u := range []string{"admin", "mentor.kayonza"} {
		if _, err := f.db.FindUserByUsername(context.Background(), u); err != nil {
			t.Errorf("users table after the attempts: %v", err)
		}
	}
	t.Logf("%d requests: %d GET routes × %d parameters × %d payloads × 2 roles", requests, len(routes), len(params), len(sqlPayloads))
	if !slices.Contains(params, "facility_id") || !slices.Contains(params, "q") {
		t.Fatalf("parameter scan found too little: %v", params)
	}
}

func urlEscape(s string) string {
	return strings.NewReplacer("%", "%25", " ", "%20", "'", "%27", ";", "%3B", "=", "%3D", "\x00", "%00", "&", "%26", "#", "%23", "+", "%2B").Replace(s)
}
