package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"mesh"
	"mesh/auth"
	"mesh/dhis2"
	"mesh/i18n"
	"mesh/secret"
)

// putJSON sends a JSON body with user's session, as an API client would.
func (e *testEnv) putJSON(path, user, body string) response {
	e.t.Helper()
	return e.sendJSON(http.MethodPut, path, user, body)
}

// postJSON posts a JSON body with user's session.
func (e *testEnv) postJSON(path, user, body string) response {
	e.t.Helper()
	return e.sendJSON(http.MethodPost, path, user, body)
}

func (e *testEnv) sendJSON(method, path, user, body string) response {
	e.t.Helper()
	req, err := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
	if err != nil {
		e.t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	if tok := e.session(user); tok != "" {
		req.AddCookie(&http.Cookie{Name: auth.CookieName, Value: tok})
	}
	resp, err := e.client.Do(req)
	if err != nil {
		e.t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return response{Status: resp.StatusCode, Body: string(b), Header: resp.Header}
}

func TestDHIS2AdminPage(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	// Admin only, page and API alike.
	for _, tc := range []struct {
		path, user string
		want       int
	}{
		{"/admin/dhis2", "admin", 200},
		{"/admin/dhis2", "manager", 403},
		{"/admin/dhis2", "supervisor.kayonza", 403},
		{"/admin/dhis2", "", 303},
		{"/api/v1/dhis2/jobs", "admin", 200},
		{"/api/v1/dhis2/schedule", "manager", 403},
		{"/admin/dhis2/mapping.json", "mentor.kayonza", 403},
	} {
		if r := e.get(tc.path, tc.user); r.Status != tc.want {
			t.Errorf("%s as %q: %d, want %d", tc.path, tc.user, r.Status, tc.want)
		}
	}

	// The schedule: a bad day and a missing token are named; a good one is saved and
	// its token never shown again, on the page or by the API.
	r := e.post("/admin/dhis2/schedule", "admin", url.Values{"enabled": {"on"}, "url": {"https://dhis2.example.org"}, "day_of_month": {"31"}})
	if r.Status != 400 || !strings.Contains(r.Body, i18n.T("en", "err.day_of_month.OUT_OF_RANGE")) || !strings.Contains(r.Body, `id="e-token"`) {
		t.Fatalf("bad schedule: %d %s", r.Status, r.Body)
	}
	r = e.post("/admin/dhis2/schedule", "admin", url.Values{"enabled": {"on"}, "url": {"https://dhis2.example.org"}, "day_of_month": {"5"},
		"token": {"d2pat_topsecret"}, "dry_run": {"on"}})
	if r.Status != 303 {
		t.Fatalf("save schedule: %d %s", r.Status, r.Body)
	}
	sc, err := e.db.DHIS2Schedule(ctx)
	if err != nil || !sc.Enabled || sc.Token != "d2pat_topsecret" || sc.DayOfMonth != 5 || !sc.DryRun {
		t.Fatalf("stored %+v, %v", sc, err)
	}
	page := e.get("/admin/dhis2", "admin")
	api := e.get("/api/v1/dhis2/schedule", "admin")
	if strings.Contains(page.Body, "topsecret") || strings.Contains(api.Body, "topsecret") || !strings.Contains(api.Body, `"token_set":true`) {
		t.Fatalf("token shown: page %v, api %s", strings.Contains(page.Body, "topsecret"), api.Body)
	}
	// Saving again without a token keeps it.
	if r := e.putJSON("/api/v1/dhis2/schedule", "admin", `{"enabled":true,"url":"https://dhis2.example.org","day_of_month":7,"dry_run":false}`); r.Status != 200 {
		t.Fatalf("api put: %d %s", r.Status, r.Body)
	}
	if sc, _ := e.db.DHIS2Schedule(ctx); sc.Token != "d2pat_topsecret" || sc.DayOfMonth != 7 || sc.DryRun {
		t.Fatalf("after api put %+v", sc)
	}
	if r := e.putJSON("/api/v1/dhis2/schedule", "admin", `{"enabled":true,"url":"ftp://x","day_of_month":0}`); r.Status != 400 ||
		!strings.Contains(r.Body, `"field":"url"`) || !strings.Contains(r.Body, `"field":"day_of_month"`) {
		t.Fatalf("api bad put: %d %s", r.Status, r.Body)
	}

	// The mapping editor: a bad row is named by row and column, nothing is saved;
	// good rows replace the mapping; blank rows are ignored.
	form := url.Values{"data_set": {""}, "id_scheme": {"uid"},
		"indicator":             {"imci.correctly_managed", "mentoring.visits", ""},
		"part":                  {"numerator", "value", "value"},
		"data_element":          {"IMCIcorrN01", "not a uid", ""},
		"category_option_combo": {"", "", ""}}
	r = e.post("/admin/dhis2/mapping", "admin", form)
	want := i18n.T("en", "dhis2.row_error", 2, i18n.T("en", "dhis2.col.data_element"), i18n.T("en", "dhis2.err.data_element.INVALID_FORMAT"))
	if r.Status != 400 || !strings.Contains(r.Body, want) {
		t.Fatalf("bad mapping: %d, want %q in the page", r.Status, want)
	}
	if m, _ := e.db.DHIS2Mapping(ctx); len(m.Entries) != 0 {
		t.Fatalf("a bad mapping was saved: %+v", m)
	}
	form["data_element"] = []string{"IMCIcorrN01", "MESHvisits1", ""}
	if r := e.post("/admin/dhis2/mapping", "admin", form); r.Status != 303 {
		t.Fatalf("good mapping: %d", r.Status)
	}
	got := e.get("/admin/dhis2/mapping.json", "admin")
	var m dhis2.Mapping
	if err := json.Unmarshal([]byte(got.Body), &m); err != nil || len(m.Entries) != 2 || m.Entries[1].DataElement != "MESHvisits1" ||
		!strings.Contains(got.Header.Get("Content-Disposition"), "attachment") {
		t.Fatalf("exported %s, %v", got.Body, err)
	}
	// Import the exported file with one change, then a broken one.
	m.Entries[0].CategoryOptionCombo = "cocUnder5y1"
	b, _ := json.Marshal(m)
	if r := e.post("/admin/dhis2/mapping/import", "admin", url.Values{"json": {string(b)}}); r.Status != 303 {
		t.Fatalf("import: %d %s", r.Status, r.Body)
	}
	if stored, _ := e.db.DHIS2Mapping(ctx); stored.Entries[0].CategoryOptionCombo != "cocUnder5y1" {
		t.Fatalf("import not saved: %+v", stored)
	}
	r = e.post("/admin/dhis2/mapping/import", "admin", url.Values{"json": {`{"id_scheme":"uid","entries":[{"indicator":"imci.nope","part":"value","data_element":"IMCIcorrN01","colour":"red"}]}`}})
	if r.Status != 400 || !strings.Contains(r.Body, i18n.T("en", "dhis2.err.UNKNOWN_FIELD")) {
		t.Fatalf("bad import: %d", r.Status)
	}
	if r := e.putJSON("/api/v1/dhis2/mapping", "admin", `{"id_scheme":"uid","entries":[{"indicator":"imci.nope","part":"value","data_element":"IMCIcorrN01"}]}`); r.Status != 400 ||
		!strings.Contains(r.Body, `"field":"entries[0].indicator"`) {
		t.Fatalf("api bad mapping: %d %s", r.Status, r.Body)
	}

	// Facility org units: a bad uid is named with its facility; a good one is saved.
	rwink := e.placeNamed("Rwinkwavu Health Centre")
	id := idString(rwink.ID)
	r = e.post("/admin/dhis2/orgunits", "admin", url.Values{"uid_" + id: {"bad uid"}, "code_" + id: {rwink.Code}, "version_" + id: {idString(int64(rwink.Version))}})
	if r.Status != 400 || !strings.Contains(r.Body, rwink.Name+", "+i18n.T("en", "dhis2.col.dhis2_uid")) {
		t.Fatalf("bad uid: %d", r.Status)
	}
	r = e.post("/admin/dhis2/orgunits", "admin", url.Values{"uid_" + id: {"RwInKwAvU01"}, "code_" + id: {rwink.Code}, "version_" + id: {idString(int64(rwink.Version))}})
	if r.Status != 303 || e.placeNamed("Rwinkwavu Health Centre").DHIS2UID != "RwInKwAvU01" {
		t.Fatalf("good uid: %d", r.Status)
	}
}

// waitForJobs waits until no push is running and returns the job log.
func (e *testEnv) waitForJobs() []*dhis2.Job {
	e.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		jobs, err := e.db.FindDHIS2Jobs(context.Background(), "", 50)
		if err != nil {
			e.t.Fatal(err)
		}
		running := false
		for _, j := range jobs {
			running = running || j.Status == dhis2.JobRunning
		}
		if !running {
			return jobs
		}
		if time.Now().After(deadline) {
			e.t.Fatalf("a push is still running: %+v", jobs[0])
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Push now from the page and the API: admin only, same-origin only, one push at a
// time (the second click is told why), in the background, in the log with its admin.
func TestDHIS2PushNow(t *testing.T) {
	e := newTestEnv(t)
	ctx := mesh.WithActor(context.Background(), mesh.System)
	gate := make(chan struct{})
	var posts atomic.Int32
	dhis := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		posts.Add(1)
		<-gate
		if r.URL.Path != "/api/dataValueSets" || r.Header.Get("Authorization") != "ApiToken d2pat_topsecret" {
			t.Errorf("bad push %s %q", r.URL, r.Header.Get("Authorization"))
		}
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"httpStatus":"OK","httpStatusCode":200,"status":"OK","response":{"responseType":"ImportSummary","status":"SUCCESS",
			"importCount":{"imported":5,"updated":0,"ignored":0,"deleted":0},"conflicts":[]}}`)
	}))
	t.Cleanup(dhis.Close)
	var once sync.Once
	open := func() { once.Do(func() { close(gate) }) }
	t.Cleanup(open) // before the server closes: a failing test must not hang on a waiting push
	if err := e.db.ReplaceDHIS2Mapping(ctx, &dhis2.Mapping{IDScheme: "uid", Entries: []dhis2.Entry{{Indicator: "mentoring.visits", Part: "value", DataElement: "MESHvisits1"}}}); err != nil {
		t.Fatal(err)
	}
	month := monthInput(dhis2.LastMonth(time.Now()))

	for _, user := range []string{"manager", "supervisor.kayonza", "mentor.kayonza"} {
		if r := e.post("/admin/dhis2/jobs", user, url.Values{"period": {month}}); r.Status != 403 {
			t.Fatalf("push now as %s: %d", user, r.Status)
		}
		if r := e.postJSON("/api/v1/dhis2/jobs", user, `{}`); r.Status != 403 {
			t.Fatalf("api push now as %s: %d", user, r.Status)
		}
	}
	// Nothing saved yet: the page says what is missing.
	if r := e.post("/admin/dhis2/jobs", "admin", url.Values{"period": {month}}); r.Status != 400 || !strings.Contains(r.Body, i18n.T("en", "err.token.NOT_CONFIGURED")) {
		t.Fatalf("without settings: %d", r.Status)
	}
	if err := e.db.PutDHIS2Schedule(ctx, &dhis2.Schedule{URL: dhis.URL, Token: "d2pat_topsecret", DayOfMonth: 5, DryRun: true}); err != nil {
		t.Fatal(err)
	}
	page := e.get("/admin/dhis2", "admin")
	if !strings.Contains(page.Body, `action="/admin/dhis2/jobs"`) || !strings.Contains(page.Body, `value="`+month+`"`) ||
		!strings.Contains(page.Body, `name="dry_run" value="on" checked`) {
		t.Fatalf("push now form missing or not defaulted (last month, the saved dry run)")
	}
	// Another site's form cannot start a push.
	if r := e.post("/admin/dhis2/jobs", "admin", url.Values{"period": {month}, "dry_run": {"off"}}, "Origin: https://evil.example", "Sec-Fetch-Site: cross-site"); r.Status != 403 {
		t.Fatalf("cross-origin push now: %d", r.Status)
	}
	if r := e.post("/admin/dhis2/jobs", "admin", url.Values{"period": {"2026-13"}}); r.Status != 400 || !strings.Contains(r.Body, `id="e-period"`) {
		t.Fatalf("bad month: %d", r.Status)
	}

	// A real push of last month; the second click (page or API) is refused while it runs.
	r := e.post("/admin/dhis2/jobs", "admin", url.Values{"period": {month}, "dry_run": {"off"}})
	if r.Status != 303 || !strings.Contains(r.Header.Get("Location"), "notice=push_started") {
		t.Fatalf("push now: %d %s", r.Status, r.Body)
	}
	if r := e.post("/admin/dhis2/jobs", "admin", url.Values{"period": {month}}); r.Status != 409 || !strings.Contains(r.Body, i18n.T("en", "api.error.push_running")) {
		t.Fatalf("second click: %d", r.Status)
	}
	if r := e.postJSON("/api/v1/dhis2/jobs", "admin", `{"dry_run":true}`); r.Status != 409 || !strings.Contains(r.Body, `"code":"PUSH_RUNNING"`) {
		t.Fatalf("api while running: %d %s", r.Status, r.Body)
	}
	if page := e.get("/admin/dhis2", "admin"); !strings.Contains(page.Body, i18n.T("en", "dhis2.origin.manual", "admin")) ||
		!strings.Contains(page.Body, i18n.T("en", "dhis2.status.running")) {
		t.Fatalf("the running push is not in the log")
	}
	open()
	jobs := e.waitForJobs()
	if len(jobs) != 1 || jobs[0].Origin != dhis2.OriginManual || jobs[0].StartedBy != "admin" || jobs[0].DryRun || jobs[0].Status != dhis2.JobSucceeded ||
		jobs[0].Count.Imported != 5 || posts.Load() != 1 {
		t.Fatalf("jobs %+v, posts %d", jobs, posts.Load())
	}

	// The API: defaults (last month, the saved dry run), 202 with the job; bad input named.
	r = e.postJSON("/api/v1/dhis2/jobs", "admin", ``)
	var j dhis2.Job
	if err := json.Unmarshal([]byte(r.Body), &j); r.Status != 202 || err != nil || !j.DryRun || j.Period != dhis2.LastMonth(time.Now()) ||
		j.Origin != dhis2.OriginManual || j.StartedBy != "admin" || j.Status != dhis2.JobRunning {
		t.Fatalf("api push now: %d %s", r.Status, r.Body)
	}
	e.waitForJobs()
	for body, field := range map[string]string{`{"period":"2026Q1"}`: `"field":"period"`, `{"period":"209912"}`: `"field":"period"`,
		`{"dry_run":"yes"}`: `"code":"MALFORMED_JSON"`, `{"colour":"red"}`: `"code":"MALFORMED_JSON"`} {
		if r := e.postJSON("/api/v1/dhis2/jobs", "admin", body); r.Status != 400 || !strings.Contains(r.Body, field) {
			t.Fatalf("api %s: %d %s", body, r.Status, r.Body)
		}
	}
	if r := e.get("/api/v1/dhis2/jobs", "admin"); !strings.Contains(r.Body, `"origin":"manual","started_by":"admin"`) || strings.Contains(r.Body, "topsecret") {
		t.Fatalf("api jobs: %s", r.Body)
	}

	// A token sealed under another key: the page says so, the token itself never shows.
	other, _, _ := secret.NewKey()
	e.db.Secrets = secret.NewKeyring(other)
	if page := e.get("/admin/dhis2", "admin"); !strings.Contains(page.Body, `id="dhis2-token-error"`) {
		t.Fatalf("unreadable token not shown")
	}
}
