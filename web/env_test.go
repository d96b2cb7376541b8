package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"mesh/account"
	"mesh/auth"
	"mesh/demo"
	"mesh/place"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
	"mesh/staff"
)

// testEnv is a real server on 127.0.0.1 over a migrated SQLite database with the demo
// data set, behind the same middleware stack as `mesh serve`.
type testEnv struct {
	t        *testing.T
	db       *sqlstore.DB
	authn    *auth.Authenticator
	srv      *httptest.Server
	client   *http.Client
	sessions map[string]string
}

func newTestEnv(t *testing.T) *testEnv {
	t.Helper()
	db := sqlstoretest.Open(t, sqlstore.SQLite)
	if _, err := demo.Load(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	authn := auth.New(db, false)
	mux := http.NewServeMux()
	(&Server{Store: db, Auth: authn, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}).Routes(mux)
	h := Compress(auth.SecurityHeaders(http.NewCrossOriginProtection().Handler(authn.Middleware(mux))))
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &testEnv{t: t, db: db, authn: authn, srv: srv, client: client, sessions: map[string]string{}}
}

// session returns a session token for a demo user, issued directly (the login form
// itself is tested once; argon2 per scenario would make the suite slow).
func (e *testEnv) session(username string) string {
	e.t.Helper()
	if username == "" {
		return ""
	}
	if tok, ok := e.sessions[username]; ok {
		return tok
	}
	u, err := e.db.FindUserByUsername(context.Background(), username)
	if err != nil {
		e.t.Fatal(err)
	}
	tok, err := e.authn.IssueToken(context.Background(), u, "session")
	if err != nil {
		e.t.Fatal(err)
	}
	e.sessions[username] = tok
	return tok
}

// response is what a test looks at.
type response struct {
	Status int
	Body   string
	Header http.Header
}

// request sends method path as user ("" for anonymous) with an optional form body and
// headers given as "Name: value" pairs.
func (e *testEnv) request(method, path, user string, form url.Values, headers ...string) response {
	e.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	if tok := e.session(user); tok != "" {
		req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: tok})
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ": ")
		if name == "Cookie" {
			req.Header.Add("Cookie", value)
		} else {
			req.Header.Set(name, value)
		}
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Body: string(b), Header: resp.Header}
}

func (e *testEnv) get(path, user string, headers ...string) response {
	e.t.Helper()
	return e.request(http.MethodGet, path, user, nil, headers...)
}

func (e *testEnv) post(path, user string, form url.Values, headers ...string) response {
	e.t.Helper()
	return e.request(http.MethodPost, path, user, form, headers...)
}

// placeNamed finds a demo place by exact name.
func (e *testEnv) placeNamed(name string) *place.OrgUnit {
	e.t.Helper()
	list, _, err := e.db.FindOrgUnits(context.Background(), place.Filter{Query: name})
	if err != nil {
		e.t.Fatal(err)
	}
	for _, o := range list {
		if o.Name == name {
			return o
		}
	}
	e.t.Fatalf("no place %q", name)
	return nil
}

// workerAt returns a health worker currently posted at a facility.
func (e *testEnv) workerAt(f *place.OrgUnit) *staff.HealthWorker {
	e.t.Helper()
	list, _, err := e.db.FindHealthWorkers(context.Background(), staff.Filter{FacilityID: &f.ID, Limit: 1})
	if err != nil || len(list) == 0 {
		e.t.Fatalf("no worker at %s: %v", f.Name, err)
	}
	return list[0]
}

func (e *testEnv) user(username string) *account.User {
	e.t.Helper()
	u, err := e.db.FindUserByUsername(context.Background(), username)
	if err != nil {
		e.t.Fatal(err)
	}
	return u
}

func (e *testEnv) countPlaces() int {
	e.t.Helper()
	_, n, err := e.db.FindOrgUnits(context.Background(), place.Filter{Limit: 1})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func (e *testEnv) countWorkers() int {
	e.t.Helper()
	_, n, err := e.db.FindHealthWorkers(context.Background(), staff.Filter{Limit: 1})
	if err != nil {
		e.t.Fatal(err)
	}
	return n
}

func idString(id int64) string { return strconv.FormatInt(id, 10) }
