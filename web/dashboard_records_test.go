package web

import (
	"bytes"
	"context"
	"strconv"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"

	"mesh/account"
	"mesh/staff"
)

// TestDashboardRecords: each heat-map cell's records add up to the cell, within the
// viewer's area; a supervisor sees no health worker named, an in-charge sees their
// facility's; bad parameters are 400 naming the parameter.
func TestDashboardRecords(t *testing.T) {
	e := newDashboardEnv(t)
	kay, kir := e.placeNamed("Kayonza"), e.placeNamed("Kirehe")
	rwink, nyaru := e.placeNamed("Rwinkwavu Health Centre"), e.placeNamed("Nyarubuye Health Centre")
	heat := readCSV(t, e.get("/dashboard/heatmap?orgunit="+idString(kay.ID)+"&period=2026&format=csv", "supervisor.kayonza"))
	checked := 0
	for _, row := range heat[1:] {
		if row[3] != "imci.correct_classification" && row[3] != "imci.assessment_index" {
			continue
		}
		recs := readCSV(t, e.get("/dashboard/records?indicator="+row[3]+"&orgunit="+row[0]+"&period=2026&format=csv", "supervisor.kayonza"))
		// kind, id, date, month, facility id, facility, mentor, num, den, in numerator
		if len(recs[0]) != 10 {
			t.Fatalf("supervisor's records header %v has a worker column", recs[0])
		}
		var num, den float64
		for _, r := range recs[1:] {
			n, _ := strconv.ParseFloat(r[7], 64)
			d, _ := strconv.ParseFloat(r[8], 64)
			num, den = num+n, den+d
			if r[4] != row[0] || r[0] != "observation" || !strings.HasPrefix(r[3], "2026-") {
				t.Errorf("record %v is not an observation of facility %s in 2026", r, row[0])
			}
			if (n != 0) != (r[9] == "1") {
				t.Errorf("record %v: numerator mark", r)
			}
		}
		wn, _ := strconv.ParseFloat(row[5], 64)
		wd, _ := strconv.ParseFloat(row[6], 64)
		if !close2([2]float64{num, den}, [2]float64{wn, wd}) {
			t.Errorf("%s at %s: records sum to %v/%v, heat map %v/%v", row[3], row[1], num, den, wn, wd)
		}
		checked++
	}
	if checked < 10 {
		t.Fatalf("only %d cells checked", checked)
	}
	workers, _, err := e.db.FindHealthWorkers(context.Background(), staff.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	names := func(body string) (n int) {
		for _, hw := range workers {
			if strings.Contains(body, hw.Name) {
				n++
			}
		}
		return n
	}
	q := "indicator=imci.weighed&period=2026&orgunit="
	for _, tc := range []struct {
		path, user string
		status     int
		named      bool
	}{
		{"/dashboard/records?" + q + idString(kay.ID), "supervisor.kayonza", 200, false},
		{"/dashboard/records?" + q + idString(kay.ID) + "&format=csv", "supervisor.kayonza", 200, false},
		{"/dashboard/records?" + q + idString(rwink.ID), "manager", 200, false},
		{"/dashboard/records?" + q + idString(rwink.ID), "admin", 200, false},
		{"/dashboard/records?" + q + idString(rwink.ID), "incharge.rwinkwavu", 200, true},
		{"/dashboard/records?" + q + idString(rwink.ID) + "&format=csv", "incharge.rwinkwavu", 200, true},
		{"/dashboard/records?" + q + idString(rwink.ID), "mentor.kayonza", 200, true},
		{"/dashboard/records?" + q + idString(kir.ID), "supervisor.kayonza", 403, false},
		{"/dashboard/records?" + q + idString(nyaru.ID), "incharge.rwinkwavu", 403, false},
		{"/dashboard/records?" + q + idString(nyaru.ID), "mentor.kayonza", 403, false},
		{"/dashboard/records?" + q + idString(kay.ID), "", 303, false},
	} {
		r := e.get(tc.path, tc.user)
		if r.Status != tc.status {
			t.Errorf("%s as %q: %d, want %d", tc.path, tc.user, r.Status, tc.status)
			continue
		}
		if tc.status != 200 {
			continue
		}
		if n := names(r.Body); (n > 0) != tc.named {
			t.Errorf("%s as %s: %d health workers named, want named=%v", tc.path, tc.user, n, tc.named)
		}
	}
	for _, tc := range []struct{ query, field string }{
		{"period=2026", "indicator"},
		{"indicator=imci.nope&period=2026", "indicator"},
		{"indicator=mentoring.on_cadence&period=2026", "indicator"},
		{"indicator=imci.weighed&period=2026-13", "period"},
	} {
		r := e.get("/dashboard/records?"+tc.query, "supervisor.kayonza")
		if r.Status != 400 || !strings.Contains(r.Body, "The "+tc.field+" parameter") {
			t.Errorf("%s: %d, want 400 naming %s", tc.query, r.Status, tc.field)
		}
	}
	// Every number of the overview, the place page and the heat map links to records.
	for _, path := range []string{"/dashboard?period=2026", "/dashboard/places/" + idString(rwink.ID) + "?period=2026", "/dashboard/heatmap?period=2026"} {
		body := e.get(path, "supervisor.kayonza").Body
		if n := strings.Count(body, `href="/dashboard/records?indicator=`); n < 20 {
			t.Errorf("%s: %d links to records", path, n)
		}
	}
}

// TestDashboardXLSX: every dashboard table downloads as a workbook with the CSV's rows,
// numbers as numbers.
func TestDashboardXLSX(t *testing.T) {
	e := newDashboardEnv(t)
	kay, rwink := e.placeNamed("Kayonza"), e.placeNamed("Rwinkwavu Health Centre")
	mentor, err := e.db.FindUserByUsername(context.Background(), "mentor.kayonza")
	if err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{
		"/dashboard?period=2026",
		"/dashboard/heatmap?period=2026&orgunit=" + idString(kay.ID),
		"/dashboard/places/" + idString(rwink.ID) + "?period=2026",
		"/dashboard/records?indicator=imci.weighed&period=2026",
		"/dashboard/mentors/" + idString(mentor.ID) + "?period=2026&table=cadence",
		"/dashboard/mentors/" + idString(mentor.ID) + "?period=2026&table=visits",
		"/dashboard/mentors/" + idString(mentor.ID) + "?period=2026&table=indicators",
	} {
		csvRows := readCSV(t, e.get(path+"&format=csv", "supervisor.kayonza"))
		r := e.get(path+"&format=xlsx", "supervisor.kayonza")
		if r.Status != 200 || !strings.Contains(r.Header.Get("Content-Type"), "spreadsheetml") {
			t.Errorf("%s: %d %s", path, r.Status, r.Header.Get("Content-Type"))
			continue
		}
		f, err := excelize.OpenReader(bytes.NewReader([]byte(r.Body)))
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
		rows, err := f.GetRows(f.GetSheetName(0))
		if err != nil || len(rows) != len(csvRows) || len(csvRows) < 2 {
			t.Errorf("%s: %d workbook rows, %d CSV rows (%v)", path, len(rows), len(csvRows), err)
		}
		f.Close()
	}
}

// TestMentorPage: a supervisor reaches each mentor of the district from the dashboard;
// a mentor sees their own page only; the page's observation counts link to records
// that add up to them; no health worker is named.
func TestMentorPage(t *testing.T) {
	e := newDashboardEnv(t)
	ctx := context.Background()
	mk, err := e.db.FindUserByUsername(ctx, "mentor.kayonza")
	if err != nil {
		t.Fatal(err)
	}
	mn, err := e.db.FindUserByUsername(ctx, "mentor.kirehe1")
	if err != nil {
		t.Fatal(err)
	}
	dash := e.get("/dashboard?period=2026", "supervisor.kayonza").Body
	if !strings.Contains(dash, `href="/dashboard/mentors/`+idString(mk.ID)+`?period=2026"`) || strings.Contains(dash, "/dashboard/mentors/"+idString(mn.ID)+"?") {
		t.Error("the Kayonza dashboard does not list exactly Kayonza's mentors")
	}
	own := e.get("/dashboard?period=2026", "mentor.kayonza").Body
	if !strings.Contains(own, `href="/dashboard/mentors/`+idString(mk.ID)+`?period=2026"`) {
		t.Error("a mentor's dashboard does not link to their own page")
	}
	page := "/dashboard/mentors/" + idString(mk.ID) + "?period=2026"
	for _, tc := range []struct {
		path, user string
		want       int
	}{
		{page, "supervisor.kayonza", 200},
		{page, "mentor.kayonza", 200},
		{page, "manager", 200},
		{page, "supervisor.kirehe", 403},
		{page, "mentor.kirehe1", 403},
		{"/dashboard/mentors/" + idString(mn.ID), "mentor.kayonza", 403},
		{"/dashboard/mentors/" + idString(mn.ID), "supervisor.kayonza", 403},
		{"/dashboard/mentors/999999", "supervisor.kayonza", 404},
		{page, "", 303},
	} {
		if r := e.get(tc.path, tc.user); r.Status != tc.want {
			t.Errorf("%s as %q: %d, want %d", tc.path, tc.user, r.Status, tc.want)
		}
	}
	// Supervisor view: cadence of the mentor's facilities, visits, observations.
	r := e.get(page, "supervisor.kayonza")
	for _, want := range []string{`id="mentor-cadence"`, `id="mentor-visits"`, `id="mentor-months"`, `id="mentor-indicators"`, "Rwinkwavu"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("mentor page lacks %q", want)
		}
	}
	workers, _, err := e.db.FindHealthWorkers(ctx, staff.Filter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	for _, hw := range workers {
		if strings.Contains(r.Body, hw.Name) {
			t.Errorf("the mentor page names health worker %q", hw.Name)
		}
	}
	cadence := readCSV(t, e.get(page+"&table=cadence&format=csv", "supervisor.kayonza"))
	as, _, err := e.db.FindAssignments(ctx, account.AssignmentFilter{MentorID: &mk.ID, ActiveOn: today()})
	if err != nil || len(cadence)-1 != len(as) || len(as) == 0 {
		t.Errorf("%d cadence rows, %d assignments (%v)", len(cadence)-1, len(as), err)
	}
	// Each month's count equals the records behind it.
	months := 0
	for _, m := range []string{"2026-03", "2026-06", "2026-09"} {
		href := "/dashboard/records?indicator=observations&mentor=" + idString(mk.ID) + "&period=" + m
		if !strings.Contains(r.Body, strings.ReplaceAll(href, "&", "&amp;")) {
			t.Errorf("no link %s on the mentor page", href)
			continue
		}
		recs := readCSV(t, e.get(href+"&format=csv", "supervisor.kayonza"))
		cell := `<a href="` + strings.ReplaceAll(href, "&", "&amp;") + `">` + strconv.Itoa(len(recs)-1) + `</a>`
		if !strings.Contains(r.Body, cell) {
			t.Errorf("%s: %d records, the page shows another count", m, len(recs)-1)
		}
		months += len(recs) - 1
	}
	if months == 0 {
		t.Error("the Kayonza mentor observed nobody in the months checked")
	}
}
