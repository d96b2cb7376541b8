package web

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"mesh/auth"
	"mesh/dhis2"
	"mesh/i18n"
)

// putJSON sends a JSON body with user's session, as an API client would.
func (e *testEnv) putJSON(path, user, body string) response {
	e.t.Helper()
	req, err := http.NewRequest(http.MethodPut, e.srv.URL+path, strings.NewReader(body))
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
