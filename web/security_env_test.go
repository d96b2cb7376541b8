package web

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"mesh/internal/routescan"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"mesh/api"
	"mesh/auth"
	"mesh/demo"
	"mesh/place"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
	"mesh/staff"
)

// secEnv is `mesh serve`'s handler stack (API + pages, security headers, cross-origin
// protection, caller middleware) on 127.0.0.1 over a real database with the demo's
// places and people; records are made through the API as their mentors would.
type secEnv struct {
	t        testing.TB
	db       *sqlstore.DB
	authn    *auth.Authenticator
	srv      *httptest.Server
	client   *http.Client
	sessions map[string]string
	in, out  *place.OrgUnit // Rwinkwavu HC (Kayonza), Nyarubuye HC (Kirehe)
	inHW     *staff.HealthWorker
	outHW    *staff.HealthWorker
	n        int
}

func newSecEnv(t testing.TB, d sqlstore.Dialect, secure bool) *secEnv {
	t.Helper()
	ctx := context.Background()
	db := sqlstoretest.Open(t, d)
	if _, err := demo.LoadWith(ctx, db, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	authn := auth.New(db, secure)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	mux := http.NewServeMux()
	(&api.Server{Store: db, Auth: authn, Logger: logger}).Routes(mux)
	(&Server{Store: db, Auth: authn, Logger: logger}).Routes(mux)
	csrf := http.NewCrossOriginProtection()
	csrf.SetDenyHandler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, "cross-origin request refused", http.StatusForbidden)
	}))
	h := auth.SecurityHeaders(auth.LimitForms(csrf.Handler(authn.Middleware(mux))))
	var srv *httptest.Server
	if secure {
		srv = httptest.NewTLSServer(h)
	} else {
		srv = httptest.NewServer(h)
	}
	t.Cleanup(srv.Close)
	client := srv.Client()
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	e := &secEnv{t: t, db: db, authn: authn, srv: srv, client: client, sessions: map[string]string{}, n: 1000}
	e.in, e.out = e.facility("Rwinkwavu Health Centre"), e.facility("Nyarubuye Health Centre")
	e.inHW, e.outHW = e.worker(e.in.ID), e.worker(e.out.ID)
	return e
}

func (e *secEnv) next() int { e.n++; return e.n }

func (e *secEnv) uuid() string { return fmt.Sprintf("0190c1a2-5ec1-7000-8000-%012d", e.next()) }

func (e *secEnv) facility(name string) *place.OrgUnit {
	list, _, err := e.db.FindOrgUnits(context.Background(), place.Filter{Query: name})
	if err != nil || len(list) != 1 {
		e.t.Fatalf("facility %s: %v", name, err)
	}
	return list[0]
}

func (e *secEnv) worker(facilityID int64) *staff.HealthWorker {
	list, _, err := e.db.FindHealthWorkers(context.Background(), staff.Filter{FacilityID: &facilityID, Limit: 1})
	if err != nil || len(list) == 0 {
		e.t.Fatalf("no worker at %d: %v", facilityID, err)
	}
	return list[0]
}

// session returns a session token for a demo user, issued directly.
func (e *secEnv) session(username string) string {
	if username == "" {
		return ""
	}
	if tok, ok := e.sessions[username]; ok {
		return tok
	}
	tok := e.freshSession(username)
	e.sessions[username] = tok
	return tok
}

func (e *secEnv) freshSession(username string) string {
	u, err := e.db.FindUserByUsername(context.Background(), username)
	if err != nil {
		e.t.Fatal(err)
	}
	tok, err := e.authn.IssueToken(context.Background(), u, "session")
	if err != nil {
		e.t.Fatal(err)
	}
	return tok
}

// send makes a request with an optional session token, form or JSON body, and
// headers "Name: value"; a same-origin request as a browser sends it.
func (e *secEnv) send(method, path, token string, form url.Values, jsonBody string, headers ...string) response {
	e.t.Helper()
	var body io.Reader
	switch {
	case form != nil:
		body = strings.NewReader(form.Encode())
	case jsonBody != "":
		body = strings.NewReader(jsonBody)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, body)
	if err != nil {
		e.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else if jsonBody != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: token})
	}
	for _, h := range headers {
		name, value, _ := strings.Cut(h, ": ")
		req.Header.Set(name, value)
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Body: string(b), Header: resp.Header}
}

// apiMust calls the JSON API as user and fails the test unless the status is one of want.
func (e *secEnv) apiMust(user, method, path, body string, want ...int) string {
	e.t.Helper()
	r := e.send(method, path, e.session(user), nil, body)
	if !slices.Contains(want, r.Status) {
		e.t.Fatalf("setup %s %s as %s: %d %.300s", method, path, user, r.Status, r.Body)
	}
	return r.Body
}

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

// readGoSources returns the non-test Go sources of dir, concatenated.
func readGoSources(t testing.TB, dir string) string {
	t.Helper()
	files, _ := filepath.Glob(filepath.Join(dir, "*.go"))
	var b strings.Builder
	for _, name := range files {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		src, err := os.ReadFile(name)
		if err != nil {
			t.Fatal(err)
		}
		b.Write(src)
	}
	return b.String()
}
