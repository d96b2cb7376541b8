package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/xuri/excelize/v2"

	"mesh/i18n"
	"mesh/observation"
	"mesh/place"
	"mesh/sqlstore"
	"mesh/staff"
)

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func openTestDB(t *testing.T, dsn string) *sqlstore.DB {
	t.Helper()
	db, err := sqlstore.Open(context.Background(), dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func countPlaces(t *testing.T, dsn string) int {
	t.Helper()
	_, n, err := openTestDB(t, dsn).FindOrgUnits(context.Background(), place.Filter{Limit: 1})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestImportPlacesAndWorkers(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "mesh.db")
	if st, _, stderr := runCLI(t, "", "migrate", "--db", dsn); st != 0 {
		t.Fatalf("migrate: %d %s", st, stderr)
	}
	// A bad file: every problem is listed with its row and column, and nothing is saved.
	bad := writeFile(t, "bad.csv", "\ufeffname,type,parent_code,code,dhis2_uid,cadence_days\n"+
		"Rwanda,country,,RW,,\n"+
		"East,province,RW,RW-E,,\n"+
		",district,RW-E,RW-E-KAY,,\n"+ // row 4: no name
		"Kirehe,district,NOPE,RW-E-KIR,,\n"+ // row 5: unknown parent
		"Rwinkwavu HC,facility,RW-E,RW-RWI,BadUid,400\n"+ // row 6: uid shape, cadence
		"Rwinkwavu HC 2,facility,RW-E,RW-E,,\n") // row 7: duplicate code
	st, _, stderr := runCLI(t, "", "import", "places", bad, "--db", dsn)
	if st != 2 {
		t.Fatalf("bad file: exit %d %s", st, stderr)
	}
	for _, want := range []string{"row 4, name:", "row 5, parent_code:", "row 6, dhis2_uid:", "row 6, cadence_days:", "row 7, code:"} {
		if !strings.Contains(stderr, want) {
			t.Errorf("no %q in:\n%s", want, stderr)
		}
	}
	if n := countPlaces(t, dsn); n != 0 {
		t.Fatalf("a bad file saved %d places", n)
	}
	// The fixed file (semicolons, as French Excel writes) imports whole, and again changes nothing.
	good := writeFile(t, "places.csv", "name;type;parent_code;code;dhis2_uid;malaria_risk\n"+
		"Rwanda;country;;RW;;\nEast;province;RW;RW-E;;\nKayonza;district;RW-E;RW-E-KAY;;\n"+
		"Kabarondo;sector;RW-E-KAY;RW-E-KAY-KAB;;\nRwinkwavu HC;facility;RW-E-KAY-KAB;RW-RWI;DmKAY000001;high\n")
	st, out, stderr := runCLI(t, "", "import", "places", good, "--db", dsn)
	if st != 0 || !strings.Contains(out, "5 created") {
		t.Fatalf("good file: %d %q %s", st, out, stderr)
	}
	if st, out, _ := runCLI(t, "", "import", "places", good, "--db", dsn); st != 0 || !strings.Contains(out, "0 created, 0 updated, 5 unchanged") {
		t.Fatalf("second import: %d %q", st, out)
	}
	if n := countPlaces(t, dsn); n != 5 {
		t.Fatalf("%d places", n)
	}

	// Health workers from XLSX, with a real date cell; one bad row stops the whole file.
	xf := excelize.NewFile()
	rows := [][]any{{"name", "cadre", "facility_code", "imci_trained_on"},
		{"Uwase Marie", "A1", "RW-RWI", "2024-05-02"}, {"Habimana Jean", "a2", "RW-RWI", ""}, {"Mukamana Alice", "B9", "RW-E-KAY", ""}}
	for i, r := range rows {
		cell, _ := excelize.CoordinatesToCellName(1, i+1)
		xf.SetSheetRow("Sheet1", cell, &r)
	}
	badX := filepath.Join(t.TempDir(), "staff.xlsx")
	if err := xf.SaveAs(badX); err != nil {
		t.Fatal(err)
	}
	st, _, stderr = runCLI(t, "", "import", "health-workers", badX, "--db", dsn)
	if st != 2 || !strings.Contains(stderr, "row 4, cadre:") || !strings.Contains(stderr, "row 4, facility_code:") {
		t.Fatalf("bad staff file: %d %s", st, stderr)
	}
	ctx := context.Background()
	if _, n, _ := openTestDB(t, dsn).FindHealthWorkers(ctx, staff.Filter{Limit: 1}); n != 0 {
		t.Fatalf("bad staff file saved %d workers", n)
	}
	xf.SetCellValue("Sheet1", "B4", "A0")
	xf.SetCellValue("Sheet1", "C4", "RW-RWI")
	xf.SetCellValue("Sheet1", "D2", mustDay("2024-05-02"))
	xf.SetCellStyle("Sheet1", "D2", "D2", dateStyle(t, xf))
	goodX := filepath.Join(t.TempDir(), "staff.xlsx")
	if err := xf.SaveAs(goodX); err != nil {
		t.Fatal(err)
	}
	if st, out, stderr := runCLI(t, "", "import", "health-workers", goodX, "--db", dsn); st != 0 || !strings.Contains(out, "3 created") {
		t.Fatalf("good staff file: %d %q %s", st, out, stderr)
	}
	if st, out, _ := runCLI(t, "", "import", "health-workers", goodX, "--db", dsn); st != 0 || !strings.Contains(out, "3 unchanged") {
		t.Fatalf("staff again: %d %q", st, out)
	}
	list, _, _ := openTestDB(t, dsn).FindHealthWorkers(ctx, staff.Filter{Query: "Uwase"})
	if len(list) != 1 || list[0].IMCITrainedOn != "2024-05-02" || list[0].Cadre != "A1" {
		t.Fatalf("imported worker %+v", list)
	}
	for _, args := range [][]string{
		{"import", "places", writeFile(t, "x.txt", "name\n"), "--db", dsn},
		{"import", "places", writeFile(t, "y.csv", "name,type,colour\nA,country,red\n"), "--db", dsn},
		{"import", "people", good, "--db", dsn},
		{"import"},
	} {
		if st, _, _ := runCLI(t, "", args...); st != 2 {
			t.Errorf("%v: exit %d, want 2", args, st)
		}
	}
}

func mustDay(s string) time.Time {
	t, _ := time.Parse(time.DateOnly, s)
	return t
}

func dateStyle(t *testing.T, f *excelize.File) int {
	t.Helper()
	id, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

const orgUnitsJSON = `{"organisationUnits":[
 {"id":"ImspTQPwCqd","name":"Rwanda","code":"RW","level":1},
 {"id":"O6uvpzGd5pu","name":"East","code":"RW-E","level":2,"parent":{"id":"ImspTQPwCqd"}},
 {"id":"fdc6uOvgoji","name":"Kayonza","level":3,"parent":{"id":"O6uvpzGd5pu"}},
 {"id":"Vth0fbpFcsO","name":"Kabarondo","level":4,"parent":{"id":"fdc6uOvgoji"}},
 {"id":"DiszpKrYNg8","name":"Rwinkwavu HC","code":"RW-RWI","level":5,"parent":{"id":"Vth0fbpFcsO"}},
 {"id":"Rp268JB6Ne4","name":"Rwinkwavu CHW cell","level":6,"parent":{"id":"DiszpKrYNg8"}}]}`

func TestDHIS2OrgUnitsImport(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "mesh.db")
	if st, _, stderr := runCLI(t, "", "migrate", "--db", dsn); st != 0 {
		t.Fatalf("migrate: %d %s", st, stderr)
	}
	file := writeFile(t, "ou.json", orgUnitsJSON)
	st, out, stderr := runCLI(t, "", "dhis2", "orgunits", "import", file, "--dry-run", "--db", dsn)
	if st != 0 || !strings.Contains(out, "Dry run") || !strings.Contains(out, "5 created") || countPlaces(t, dsn) != 0 {
		t.Fatalf("dry run: %d %q %s", st, out, stderr)
	}
	st, out, stderr = runCLI(t, "", "dhis2", "orgunits", "import", file, "--db", dsn)
	if st != 0 || !strings.Contains(out, "5 created, 0 updated, 0 unchanged, 1 skipped") {
		t.Fatalf("import: %d %q %s", st, out, stderr)
	}
	// Idempotent on uid: the same file again changes nothing.
	if st, out, _ = runCLI(t, "", "dhis2", "orgunits", "import", file, "--db", dsn); st != 0 || !strings.Contains(out, "0 created, 0 updated, 5 unchanged") {
		t.Fatalf("again: %d %q", st, out)
	}
	// A renamed unit is updated in place.
	renamed := writeFile(t, "ou2.json", strings.Replace(orgUnitsJSON, `"Rwinkwavu HC"`, `"Rwinkwavu Health Centre"`, 1))
	if st, out, _ = runCLI(t, "", "dhis2", "orgunits", "import", renamed, "--db", dsn); st != 0 || !strings.Contains(out, "1 updated, 4 unchanged") {
		t.Fatalf("rename: %d %q", st, out)
	}
	db := openTestDB(t, dsn)
	list, _, _ := db.FindOrgUnits(context.Background(), place.Filter{Query: "Rwinkwavu"})
	if len(list) != 1 || list[0].DHIS2UID != "DiszpKrYNg8" || list[0].Type != place.Facility || list[0].Code != "RW-RWI" ||
		strings.Count(list[0].Path, "/") != 6 {
		t.Fatalf("facility %+v", list)
	}
	// Without a sector level the facility hangs under its district.
	dsn2 := filepath.Join(t.TempDir(), "mesh2.db")
	runCLI(t, "", "migrate", "--db", dsn2)
	if st, out, stderr = runCLI(t, "", "dhis2", "orgunits", "import", file, "--levels", "1=country,2=province,3=district,5=facility", "--db", dsn2); st != 0 || !strings.Contains(out, "4 created") {
		t.Fatalf("levels: %d %q %s", st, out, stderr)
	}
	// Bad input: exit 2, every problem named, nothing saved.
	broken := writeFile(t, "bad.json", `{"organisationUnits":[
 {"id":"ImspTQPwCqd","name":"Rwanda","level":1},
 {"id":"bad","name":"East","level":2,"parent":{"id":"ImspTQPwCqd"}},
 {"id":"fdc6uOvgoji","name":"","level":3,"parent":{"id":"ImspTQPwCqd"}},
 {"id":"Vth0fbpFcsO","name":"Orphan","level":4,"parent":{"id":"ZZZZZZZZZZZ"}}]}`)
	dsn3 := filepath.Join(t.TempDir(), "mesh3.db")
	runCLI(t, "", "migrate", "--db", dsn3)
	st, _, stderr = runCLI(t, "", "dhis2", "orgunits", "import", broken, "--db", dsn3)
	if st != 2 || !strings.Contains(stderr, "row 2, bad id:") || !strings.Contains(stderr, "row 3, fdc6uOvgoji name:") ||
		!strings.Contains(stderr, "row 4, Vth0fbpFcsO parent.id:") || countPlaces(t, dsn3) != 0 {
		t.Fatalf("broken: %d %s", st, stderr)
	}
	for _, args := range [][]string{
		{"dhis2", "orgunits", "import", writeFile(t, "n.json", `{"x":1}`), "--db", dsn3},
		{"dhis2", "orgunits", "import", file, "--levels", "1=planet", "--db", dsn3},
		{"dhis2", "orgunits"},
	} {
		if st, _, _ := runCLI(t, "", args...); st != 2 {
			t.Errorf("%v: exit %d, want 2", args, st)
		}
	}
}

// The org units can come straight from a DHIS2 server: GET
// /api/organisationUnits?fields=id,code,name,parent,level,path&paging=false with a
// personal access token, answered here as DHIS2 answers it (the metadata document, or
// 401 with its web message for a bad token).
func TestDHIS2OrgUnitsImportFromServer(t *testing.T) {
	var requests atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		w.Header().Set("Content-Type", "application/json")
		switch {
		case r.Method != http.MethodGet || r.URL.Path != "/api/organisationUnits" ||
			r.URL.Query().Get("fields") != "id,code,name,parent,level,path" || r.URL.Query().Get("paging") != "false":
			w.WriteHeader(http.StatusNotFound)
			fmt.Fprint(w, `{"httpStatus":"Not Found","httpStatusCode":404,"status":"ERROR","message":"not the request the import should make"}`)
		case r.Header.Get("Authorization") == "ApiToken d2pat_broken":
			w.WriteHeader(http.StatusInternalServerError)
			fmt.Fprint(w, `{"httpStatus":"Internal Server Error","httpStatusCode":500,"status":"ERROR","message":"database unavailable"}`)
		case r.Header.Get("Authorization") != "ApiToken d2pat_good":
			w.WriteHeader(http.StatusUnauthorized)
			fmt.Fprint(w, `{"httpStatus":"Unauthorized","httpStatusCode":401,"status":"ERROR","message":"Unauthorized"}`)
		default:
			fmt.Fprint(w, orgUnitsJSON)
		}
	}))
	defer srv.Close()
	dsn := filepath.Join(t.TempDir(), "mesh.db")
	if st, _, stderr := runCLI(t, "", "migrate", "--db", dsn); st != 0 {
		t.Fatalf("migrate: %d %s", st, stderr)
	}
	st, out, stderr := runCLI(t, "", "dhis2", "orgunits", "import", "--url", srv.URL, "--token", "d2pat_good", "--dry-run", "--db", dsn)
	if st != 0 || !strings.Contains(out, "Dry run") || !strings.Contains(out, "5 created") || countPlaces(t, dsn) != 0 {
		t.Fatalf("dry run: %d %q %s", st, out, stderr)
	}
	st, out, stderr = runCLIEnv(t, map[string]string{"MESH_DHIS2_TOKEN": "d2pat_good"}, "", "dhis2", "orgunits", "import", "--url", srv.URL+"/", "--db", dsn)
	if st != 0 || !strings.Contains(out, "5 created, 0 updated, 0 unchanged, 1 skipped") || countPlaces(t, dsn) != 5 {
		t.Fatalf("import: %d %q %s", st, out, stderr)
	}
	if st, out, _ = runCLI(t, "", "dhis2", "orgunits", "import", "--url", srv.URL, "--token", "d2pat_good", "--db", dsn); st != 0 || !strings.Contains(out, "5 unchanged") {
		t.Fatalf("again: %d %q", st, out)
	}
	// The server refuses: exit 1 with its reason; nothing changes.
	for token, want := range map[string]string{"d2pat_wrong": "401 Unauthorized", "d2pat_broken": "database unavailable"} {
		st, _, stderr := runCLI(t, "", "dhis2", "orgunits", "import", "--url", srv.URL, "--token", token, "--db", dsn)
		if st != 1 || !strings.Contains(stderr, want) || countPlaces(t, dsn) != 5 {
			t.Errorf("token %s: exit %d %q", token, st, stderr)
		}
	}
	// Usage errors (exit 2) never reach the server.
	before := requests.Load()
	for _, args := range [][]string{
		{"dhis2", "orgunits", "import", "--url", srv.URL, "--db", dsn},                                            // no token
		{"dhis2", "orgunits", "import", writeFile(t, "ou.json", orgUnitsJSON), "--url", srv.URL, "--token", "x"},  // both
		{"dhis2", "orgunits", "import", "--url", "ftp://dhis2.example.org", "--token", "d2pat_good", "--db", dsn}, // not http
	} {
		if st, _, stderr := runCLI(t, "", args...); st != 2 {
			t.Errorf("%v: exit %d, want 2: %s", args, st, stderr)
		}
	}
	if n := requests.Load(); n != before {
		t.Errorf("%d requests sent for usage errors", n-before)
	}
}

func TestFHIRAndXLSXExportCLI(t *testing.T) {
	dsn := filepath.Join(t.TempDir(), "mesh.db")
	if st, _, stderr := runCLI(t, "", "demo", "--db", dsn); st != 0 {
		t.Fatalf("demo: %d %s", st, stderr)
	}
	ctx := context.Background()
	obs, _, err := openTestDB(t, dsn).FindObservations(ctx, observation.Filter{Limit: 1})
	if err != nil || len(obs) == 0 {
		t.Fatal(err)
	}
	month := obs[0].Month
	period := strings.ReplaceAll(month, "-", "")
	st, out, stderr := runCLI(t, "", "fhir", "measure-reports", "--period", period, "--db", dsn)
	var b struct {
		ResourceType, Type string
		Entry              []struct {
			Resource struct {
				ResourceType, Status, Type, Measure string
				Period                              struct{ Start, End string }
				Group                               []struct {
					Population []struct {
						Count int
					}
				}
			}
		}
	}
	if st != 0 || json.Unmarshal([]byte(out), &b) != nil || b.ResourceType != "Bundle" || b.Type != "transaction" || len(b.Entry) == 0 {
		t.Fatalf("measure-reports: %d %s %.300s", st, stderr, out)
	}
	for _, e := range b.Entry {
		r := e.Resource
		if r.ResourceType != "MeasureReport" || r.Status != "complete" || r.Type != "summary" || r.Measure == "" ||
			r.Period.Start != month+"-01" || len(r.Group) != 1 || len(r.Group[0].Population) == 0 {
			t.Fatalf("report %+v", r)
		}
	}
	st, out, stderr = runCLI(t, "", "fhir", "observation", obs[0].ID, "--db", dsn)
	if st != 0 || !strings.Contains(out, `"QuestionnaireResponse"`) || !strings.Contains(out, `"linkId": "score.assessment_index"`) {
		t.Fatalf("observation: %d %s %.300s", st, stderr, out)
	}
	for _, args := range [][]string{
		{"fhir", "measure-reports", "--db", dsn},
		{"fhir", "measure-reports", "--period", "2026W10", "--db", dsn},
		{"fhir", "observation", "no-such-id", "--db", dsn},
		{"fhir"},
	} {
		if st, _, _ := runCLI(t, "", args...); st != 2 {
			t.Errorf("%v: exit %d, want 2", args, st)
		}
	}

	// XLSX export with French headers reads back with the same rows as the CSV.
	file := filepath.Join(t.TempDir(), "obs.xlsx")
	if st, _, stderr := runCLI(t, "", "export", "observations", "--format", "xlsx", "--lang", "fr", "--db", dsn, "-o", file); st != 0 {
		t.Fatalf("xlsx export: %d %s", st, stderr)
	}
	f, err := excelize.OpenFile(file)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("data")
	_, stored, _ := openTestDB(t, dsn).FindObservations(ctx, observation.Filter{Limit: 1})
	if len(rows)-1 != stored || rows[0][0] != i18n.T("fr", "export.col.id") {
		t.Fatalf("%d rows for %d observations, header %q", len(rows)-1, stored, rows[0][0])
	}
	_, csvOut, _ := runCLI(t, "", "export", "visits", "--lang", "ids", "--db", dsn)
	if !strings.HasPrefix(strings.TrimPrefix(csvOut, "\ufeff"), "id,date,") {
		t.Errorf("--lang ids header: %.80q", csvOut)
	}
}
