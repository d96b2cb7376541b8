package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"mesh/dhis2"
	"mesh/place"
	"mesh/sqlstore"
)

const dhis2TestMapping = `{"data_set":"MESHimci001","id_scheme":"uid","entries":[
  {"indicator":"imci.correctly_managed","part":"numerator","data_element":"IMCIcorrN01"},
  {"indicator":"imci.correctly_managed","part":"denominator","data_element":"IMCIcorrD01"},
  {"indicator":"imci.correctly_managed","part":"value","data_element":"IMCIcorrV01","category_option_combo":"cocUnder5y1"},
  {"indicator":"mentoring.visits","part":"value","data_element":"MESHvisits1"}]}`

// demoDSN loads the demo data set into a fresh SQLite file and imports the test mapping.
func demoDSN(t *testing.T) string {
	t.Helper()
	dsn := filepath.Join(t.TempDir(), "mesh.db")
	if st, _, stderr := runCLI(t, "", "demo", "--db", dsn); st != 0 {
		t.Fatalf("demo: %d %s", st, stderr)
	}
	if st, _, stderr := runCLI(t, dhis2TestMapping, "dhis2", "mapping", "import", "-", "--db", dsn); st != 0 {
		t.Fatalf("mapping import: %d %s", st, stderr)
	}
	return dsn
}

func TestDHIS2MappingCLI(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "mesh.db")
	file := filepath.Join(t.TempDir(), "mapping.json")
	os.WriteFile(file, []byte(dhis2TestMapping), 0o600)
	if st, _, stderr := runCLI(t, "", "dhis2", "mapping", "import", file, "--db", dsn); st != 0 {
		t.Fatalf("import: %d %s", st, stderr)
	}
	st, out, _ := runCLI(t, "", "dhis2", "mapping", "export", "--db", dsn)
	var got, want dhis2.Mapping
	json.Unmarshal([]byte(out), &got)
	json.Unmarshal([]byte(dhis2TestMapping), &want)
	if st != 0 || got.DataSet != want.DataSet || len(got.Entries) != 4 || got.Entries[2] != want.Entries[2] {
		t.Fatalf("export: %d %s", st, out)
	}
	// A file with errors is refused whole, every error listed, the old mapping kept.
	bad := `{"id_scheme":"uid","entries":[
	  {"indicator":"imci.correctly_managed","part":"value","data_element":"IMCIcorrV01"},
	  {"indicator":"imci.unknown","part":"value","data_element":"IMCIcorrV02"},
	  {"indicator":"imci.weighed","part":"half","data_element":"IMCIcorrV03"},
	  {"indicator":"imci.weighed","part":"value","data_element":"not-a-uid"},
	  {"indicator":"imci.correctly_managed","part":"value","data_element":"IMCIcorrV04"}]}`
	st, _, stderr := runCLI(t, bad, "dhis2", "mapping", "import", "-", "--db", dsn)
	var errs struct {
		Errors []struct{ Code, Field, Message string }
	}
	if err := json.Unmarshal([]byte(stderr), &errs); st != 2 || err != nil {
		t.Fatalf("bad import: %d %q", st, stderr)
	}
	fields := map[string]string{}
	for _, e := range errs.Errors {
		fields[e.Field] = e.Code
	}
	wantFields := map[string]string{"entries[1].indicator": "NOT_FOUND", "entries[2].part": "UNKNOWN_ENUM_VALUE",
		"entries[3].data_element": "INVALID_FORMAT", "entries[4].part": "DUPLICATE"}
	for f, c := range wantFields {
		if fields[f] != c {
			t.Errorf("%s: %q, want %q (all: %v)", f, fields[f], c, fields)
		}
	}
	if _, after, _ := runCLI(t, "", "dhis2", "mapping", "export", "--db", dsn); after != out {
		t.Errorf("a refused import changed the mapping:\n%s", after)
	}
	for _, args := range [][]string{
		{"dhis2", "mapping", "import", filepath.Join(t.TempDir(), "missing.json"), "--db", dsn},
		{"dhis2", "mapping", "import", "--db", dsn},
		{"dhis2", "mapping", "frobnicate"},
		{"dhis2"},
		{"dhis2", "mapping", "export", "extra", "--db", dsn},
	} {
		if st, _, _ := runCLI(t, "", args...); st != 2 {
			t.Errorf("%v: exit %d, want 2", args, st)
		}
	}
	for _, args := range [][]string{{"dhis2", "--help"}, {"dhis2", "mapping", "--help"}, {"dhis2", "mapping", "import", "--help"},
		{"dhis2", "mapping", "export", "--help"}, {"dhis2", "export", "--help"}, {"dhis2", "push", "--help"}, {"export", "--help"}, {"export", "observations", "--help"}} {
		if st, out, _ := runCLI(t, "", args...); st != 0 || !strings.Contains(out, "Usage: mesh") {
			t.Errorf("%v: exit %d, %q", args, st, out)
		}
	}
}

func TestDHIS2ExportCLI(t *testing.T) {
	dsn := demoDSN(t)
	ctx := context.Background()
	db, err := sqlstore.Open(ctx, dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	facilities, _, err := db.FindOrgUnits(ctx, place.Filter{Type: ptrTo(place.Facility), Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	byUID := map[string]*place.OrgUnit{}
	for _, f := range facilities {
		byUID[f.DHIS2UID] = f
	}
	st, out, stderr := runCLI(t, "", "dhis2", "export", "--period", "2026Q1", "--db", dsn)
	var set dhis2.DataValueSet
	if err := json.Unmarshal([]byte(out), &set); st != 0 || err != nil {
		t.Fatalf("export: %d %s %s", st, stderr, out)
	}
	if set.DataSet != "MESHimci001" || len(set.DataValues) < 20 {
		t.Fatalf("payload has %d values, data set %q", len(set.DataValues), set.DataSet)
	}
	sum := func(id, path string) (num, den float64) {
		ms, err := db.IndicatorCounts(ctx, id, []string{path}, "2026-01", "2026-03")
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			num, den = num+m.Num, den+m.Den
		}
		return
	}
	for _, v := range set.DataValues {
		f := byUID[v.OrgUnit]
		if f == nil || v.Period != "2026Q1" {
			t.Fatalf("value for unknown org unit or period: %+v", v)
		}
		num, den := sum("imci.correctly_managed", f.Path)
		var want string
		switch v.DataElement {
		case "IMCIcorrN01":
			want = dhis2.FormatNumber(num)
		case "IMCIcorrD01":
			want = dhis2.FormatNumber(den)
		case "IMCIcorrV01":
			want = dhis2.FormatNumber(num / den)
			if v.CategoryOptionCombo != "cocUnder5y1" {
				t.Errorf("combo missing: %+v", v)
			}
		case "MESHvisits1":
			n, _ := sum("mentoring.visits", f.Path)
			want = dhis2.FormatNumber(n)
		}
		if v.Value != want {
			t.Errorf("%s %s = %s, IndicatorCounts gives %s", f.Name, v.DataElement, v.Value, want)
		}
	}
	// A facility without a dhis2_uid is skipped with a warning; --orgunit narrows.
	skip := facilities[0]
	if _, err := db.ExecForTest(ctx, `UPDATE orgunits SET dhis2_uid = NULL WHERE id = ?`, skip.ID); err != nil {
		t.Fatal(err)
	}
	_, out2, stderr := runCLI(t, "", "dhis2", "export", "--period", "2026Q1", "--db", dsn)
	if !strings.Contains(stderr, "1 facilities with data in 2026Q1 have no dhis2_uid and were skipped: "+skip.Name) || strings.Contains(out2, skip.DHIS2UID) {
		t.Errorf("skip warning: %q", stderr)
	}
	parent := *skip.ParentID
	st, out3, _ := runCLI(t, "", "dhis2", "export", "--period", "202602", "--orgunit", itoa64(parent), "--db", dsn)
	var sub dhis2.DataValueSet
	json.Unmarshal([]byte(out3), &sub)
	for _, v := range sub.DataValues {
		if f := byUID[v.OrgUnit]; st != 0 || f == nil || !strings.HasPrefix(f.Path, "/") || *f.ParentID != parent || v.Period != "202602" {
			t.Fatalf("--orgunit %d let through %+v", parent, v)
		}
	}
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"dhis2", "export", "--period", "2026-03", "--db", dsn}, "period"},
		{[]string{"dhis2", "export", "--period", "2026Q5", "--db", dsn}, "period"},
		{[]string{"dhis2", "export", "--db", dsn}, "--period"},
		{[]string{"dhis2", "export", "--period", "2026", "--orgunit", "x", "--db", dsn}, "orgunit"},
		{[]string{"dhis2", "export", "--period", "2026", "--orgunit", "99999", "--db", dsn}, "not found"},
	} {
		if st, _, stderr := runCLI(t, "", c.args...); st != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%v: exit %d, stderr %q (want 2 naming %s)", c.args, st, stderr, c.want)
		}
	}
}

func TestDHIS2PushCLI(t *testing.T) {
	dsn := demoDSN(t)
	_, out, _ := runCLI(t, "", "dhis2", "export", "--period", "202603", "--db", dsn)
	var exported dhis2.DataValueSet
	json.Unmarshal([]byte(out), &exported)

	var answerStatus int
	var answer string
	var problems []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		check := func(ok bool, what string, got any) {
			if !ok {
				problems = append(problems, what+": "+strings.TrimSpace(jsonString(got)))
			}
		}
		q := r.URL.Query()
		check(r.Method == http.MethodPost, "method", r.Method)
		check(r.URL.Path == "/api/dataValueSets", "path", r.URL.Path)
		check(q.Get("dryRun") == "true" && q.Get("idScheme") == "uid" && q.Get("importStrategy") == "CREATE_AND_UPDATE", "query", q)
		check(r.Header.Get("Authorization") == "ApiToken d2pat_test123", "auth", r.Header.Get("Authorization"))
		check(strings.HasPrefix(r.Header.Get("Content-Type"), "application/json"), "content type", r.Header.Get("Content-Type"))
		var p dhis2.DataValueSet
		b, _ := io.ReadAll(r.Body)
		check(json.Unmarshal(b, &p) == nil && p.DataSet == "MESHimci001" && jsonString(p) == jsonString(exported), "payload", len(p.DataValues))
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(answerStatus)
		io.WriteString(w, answer)
	}))
	defer srv.Close()
	if !strings.HasPrefix(srv.URL, "http://127.0.0.1:") {
		t.Fatalf("test server not on 127.0.0.1: %s", srv.URL)
	}
	push := []string{"dhis2", "push", "--url", srv.URL + "/", "--token", "d2pat_test123", "--period", "202603", "--dry-run",
		"--import-strategy", "CREATE_AND_UPDATE", "--db", dsn}

	// DHIS2 2.38+ answers 409 with the summary under "response" when any value conflicts.
	answerStatus = http.StatusConflict
	answer = `{"httpStatus":"Conflict","httpStatusCode":409,"status":"WARNING","message":"One more conflicts encountered, please check import summary.",
	  "response":{"responseType":"ImportSummary","status":"WARNING","importOptions":{"dryRun":true},"description":"Import process completed successfully",
	  "importCount":{"imported":40,"updated":3,"ignored":1,"deleted":0},
	  "conflicts":[{"object":"MESHvisits1","objects":{"dataElement":"MESHvisits1"},"value":"Data element not found or not accessible","errorCode":"E7610","property":"dataElement","indexes":[3]}]}}`
	st, stdout, stderr := runCLI(t, "", push...)
	if st != 1 || !strings.Contains(stdout, "Dry run (nothing was saved): status WARNING — 40 imported, 3 updated, 1 ignored, 0 deleted") ||
		!strings.Contains(stdout, "1 conflict(s):\n  - MESHvisits1: Data element not found or not accessible (E7610)") ||
		!strings.Contains(stderr, "409") {
		t.Errorf("conflict push: exit %d\nstdout %s\nstderr %s", st, stdout, stderr)
	}
	// An older DHIS2 answers 200 with the bare summary.
	answerStatus = http.StatusOK
	answer = `{"responseType":"ImportSummary","status":"SUCCESS","importCount":{"imported":44,"updated":0,"ignored":0,"deleted":0},"conflicts":[]}`
	if st, stdout, stderr := runCLI(t, "", push...); st != 0 || !strings.Contains(stdout, "status SUCCESS — 44 imported") {
		t.Errorf("success push: exit %d\n%s\n%s", st, stdout, stderr)
	}
	answerStatus = http.StatusUnauthorized
	answer = `{"httpStatus":"Unauthorized","httpStatusCode":401,"status":"ERROR","message":"Unauthorized"}`
	if st, _, stderr := runCLI(t, "", push...); st != 1 || !strings.Contains(stderr, "401") {
		t.Errorf("401 push: exit %d %s", st, stderr)
	}
	if len(problems) > 0 {
		t.Errorf("the DHIS2 stand-in saw: %v", problems)
	}
	for _, args := range [][]string{
		{"dhis2", "push", "--token", "t", "--period", "202603", "--db", dsn},
		{"dhis2", "push", "--url", srv.URL, "--period", "202603", "--db", dsn},
		{"dhis2", "push", "--url", srv.URL, "--token", "t", "--period", "March", "--db", dsn},
		{"dhis2", "push", "--url", srv.URL, "--token", "t", "--period", "202603", "--id-scheme", "name", "--db", dsn},
		{"dhis2", "push", "--url", srv.URL, "--token", "t", "--period", "202603", "--id-scheme", "code", "--db", dsn},
		{"dhis2", "push", "--url", srv.URL, "--token", "t", "--period", "202603", "--import-strategy", "MERGE", "--db", dsn},
		{"dhis2", "push", "--url", "ftp://x", "--token", "t", "--period", "202603", "--db", dsn},
	} {
		if st, _, _ := runCLI(t, "", args...); st != 2 {
			t.Errorf("%v: exit %d, want 2", args[2:], st)
		}
	}
}

func jsonString(v any) string { b, _ := json.Marshal(v); return string(b) }

func ptrTo[T any](v T) *T { return &v }

func itoa64(n int64) string { b, _ := json.Marshal(n); return string(b) }
