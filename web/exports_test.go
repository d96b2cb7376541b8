package web

import (
	"bytes"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"mesh/export"
	"mesh/i18n"
)

// TestExportDownloadsScopeAndLanguage: named observations only for roles that may
// read them, only inside the caller's area, with headers in the page language.
func TestExportDownloadsScopeAndLanguage(t *testing.T) {
	e := newTestEnv(t)
	kay, kir := e.placeNamed("Kayonza"), e.placeNamed("Kirehe")
	rwink := e.placeNamed("Rwinkwavu Health Centre")

	// A mentor downloads observations of their facilities, headers in French.
	obs := readCSV(t, e.get("/exports/observations.csv?lang=fr", "mentor.kayonza", "Accept-Language: fr"))
	if len(obs) < 2 {
		t.Fatalf("mentor got %d observation rows", len(obs)-1)
	}
	lang := "fr"
	if u := e.user("mentor.kayonza"); u.Language != "" {
		lang = u.Language // the profile language wins over the request's, as on every page
	}
	if obs[0][0] != i18n.T(lang, "export.col.id") || obs[0][1] != i18n.T(lang, "export.col.observed_at") {
		t.Errorf("header %v, want %s labels", obs[0][:3], lang)
	}
	facilityCol := -1
	for i, h := range obs[0] {
		if h == i18n.T(lang, "export.col.facility") {
			facilityCol = i
		}
	}
	all := readCSV(t, e.get("/exports/observations.csv", "mentor.kayonza"))
	only := readCSV(t, e.get("/exports/observations.csv?orgunit="+idString(rwink.ID), "mentor.kayonza"))
	if len(only) < 2 || len(only) >= len(all) {
		t.Errorf("orgunit filter: %d rows of %d", len(only)-1, len(all)-1)
	}
	for _, r := range only[1:] {
		if r[facilityCol] != rwink.Name {
			t.Fatalf("row of %s in a Rwinkwavu export", r[facilityCol])
		}
	}

	// A supervisor gets no named observations, but the aggregate tables of the district.
	for _, tc := range []struct {
		path, user string
		want       int
	}{
		{"/exports/observations.csv", "supervisor.kayonza", 403},
		{"/exports/observations.xlsx", "supervisor.kayonza", 403},
		{"/exports/observations.csv", "manager", 403},
		{"/exports/indicators.csv?orgunit=" + idString(kir.ID), "supervisor.kayonza", 403},
		{"/exports/visits.xlsx?orgunit=" + idString(kir.ID), "supervisor.kayonza", 403},
		{"/exports/observations.csv?orgunit=" + idString(kir.ID), "mentor.kayonza", 403},
		{"/exports/indicators.csv?orgunit=" + idString(kay.ID), "supervisor.kayonza", 200},
		{"/exports/visits.csv", "supervisor.kayonza", 200},
		{"/exports/indicators.csv", "", 303},
		{"/exports/indicators.pdf", "supervisor.kayonza", 404},
		{"/exports/people.csv", "supervisor.kayonza", 404},
		{"/exports/indicators.csv?from=March", "supervisor.kayonza", 400},
	} {
		if r := e.get(tc.path, tc.user); r.Status != tc.want {
			t.Errorf("%s as %q: %d, want %d", tc.path, tc.user, r.Status, tc.want)
		}
	}
	ind := readCSV(t, e.get("/exports/indicators.csv?from=2026-01&to=2026-12", "supervisor.kayonza"))
	if len(ind) < 2 {
		t.Fatal("no indicator rows for the district")
	}
	for _, r := range ind[1:] {
		if strings.Contains(strings.Join(r, ","), "Kirehe") {
			t.Fatalf("Kirehe row in Kayonza's export: %v", r)
		}
	}

	// The facility-system tables: a supervisor downloads the district's, nothing of
	// another district's, and the manager the whole country's.
	for _, table := range []string{"readiness", "stockouts", "issues", "qi-cycles"} {
		if r := e.get("/exports/"+table+".csv?orgunit="+idString(kir.ID), "supervisor.kayonza"); r.Status != 403 {
			t.Errorf("%s of Kirehe as Kayonza's supervisor: %d", table, r.Status)
		}
		mine := readCSV(t, e.get("/exports/"+table+".csv", "supervisor.kayonza"))
		national := readCSV(t, e.get("/exports/"+table+".csv", "manager"))
		if len(mine) < 2 || len(national) < len(mine) {
			t.Errorf("%s: supervisor %d rows, manager %d", table, len(mine)-1, len(national)-1)
		}
		for _, r := range mine[1:] {
			if strings.Contains(strings.Join(r, ","), "Kirehe") {
				t.Fatalf("%s: Kirehe row in Kayonza's export: %v", table, r)
			}
		}
	}

	// XLSX: a real workbook, bold header, visit dates as dates.
	x := e.get("/exports/visits.xlsx", "supervisor.kayonza")
	if x.Status != 200 || x.Header.Get("Content-Type") != export.XLSX.ContentType() ||
		!strings.Contains(x.Header.Get("Content-Disposition"), ".xlsx") {
		t.Fatalf("xlsx: %d %s %s", x.Status, x.Header.Get("Content-Type"), x.Header.Get("Content-Disposition"))
	}
	f, err := excelize.OpenReader(bytes.NewReader([]byte(x.Body)))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(export.SheetName)
	visits := readCSV(t, e.get("/exports/visits.csv", "supervisor.kayonza"))
	if len(rows) != len(visits) || len(rows) < 2 {
		t.Errorf("xlsx %d rows, csv %d", len(rows), len(visits))
	}
	if typ, _ := f.GetCellType(export.SheetName, "B2"); typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber && typ != excelize.CellTypeDate {
		t.Errorf("visit date cell type %v", typ)
	}

	// The page lists what the role may download and says why observations are not there.
	page := e.get("/exports", "supervisor.kayonza")
	if page.Status != 200 || strings.Contains(page.Body, "/exports/observations.csv") ||
		!strings.Contains(page.Body, "/exports/indicators.xlsx") || !strings.Contains(page.Body, `id="export-named-hidden"`) {
		t.Errorf("supervisor page: %d", page.Status)
	}
	page = e.get("/exports", "mentor.kayonza")
	if page.Status != 200 || !strings.Contains(page.Body, "/exports/observations.xlsx") {
		t.Errorf("mentor page: %d", page.Status)
	}
}

// TestExportCSVStartsAtOnce: the byte-order mark is flushed before the rows, so the
// browser shows the download straight away.
func TestExportCSVStartsAtOnce(t *testing.T) {
	e := newTestEnv(t)
	r := e.get("/exports/observations.csv", "mentor.kayonza")
	if r.Status != 200 || !strings.HasPrefix(r.Body, export.BOM) || r.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("%d %q", r.Status, r.Header)
	}
}
