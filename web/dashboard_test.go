package web

import (
	"context"
	"encoding/csv"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mesh/auth"
	"mesh/demo"
	"mesh/internal/browsertest"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
	"mesh/staff"
)

// newDashboardEnv is newTestEnv with the dashboard routes wired as the lead will wire
// them (after Routes).
func newDashboardEnv(t *testing.T) *testEnv {
	t.Helper()
	db := sqlstoretest.Open(t, sqlstore.SQLite)
	if _, err := demo.Load(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	authn := auth.New(db, false)
	mux := http.NewServeMux()
	s := &Server{Store: db, Auth: authn, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s.Routes(mux)
	srv := httptest.NewServer(auth.SecurityHeaders(http.NewCrossOriginProtection().Handler(authn.Middleware(mux))))
	t.Cleanup(srv.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	return &testEnv{t: t, db: db, authn: authn, srv: srv, client: client, sessions: map[string]string{}}
}

// readCSV checks the download is a BOM-prefixed CSV and returns its records.
func readCSV(t *testing.T, r response) [][]string {
	t.Helper()
	if r.Status != 200 || !strings.HasPrefix(r.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("not a CSV: %d %s %.200s", r.Status, r.Header.Get("Content-Type"), r.Body)
	}
	if !strings.HasPrefix(r.Body, "\ufeff") {
		t.Fatal("CSV without a UTF-8 byte-order mark: Excel would garble accents")
	}
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(r.Body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

// TestDashboardAggregationEqualsRecount: the district's values are the sums of its
// facilities' heat-map cells, and both equal a recount from the raw records.
func TestDashboardAggregationEqualsRecount(t *testing.T) {
	e := newDashboardEnv(t)
	kay := e.placeNamed("Kayonza")
	q := "orgunit=" + idString(kay.ID) + "&period=2026&format=csv"
	heat := readCSV(t, e.get("/dashboard/heatmap?"+q, "supervisor.kayonza"))
	over := readCSV(t, e.get("/dashboard?"+q, "supervisor.kayonza"))
	// Columns: heat map facility_id, facility, period, id, name, num, den…; overview
	// area, period, id, name, num, den…
	sum := map[string][2]float64{}
	facs := map[string]bool{}
	for _, r := range heat[1:] {
		n, _ := strconv.ParseFloat(r[5], 64)
		d, _ := strconv.ParseFloat(r[6], 64)
		x := sum[r[3]]
		sum[r[3]] = [2]float64{x[0] + n, x[1] + d}
		facs[r[0]] = true
	}
	if len(facs) != 8 {
		t.Errorf("%d Kayonza facilities in the heat map, want 8", len(facs))
	}
	// The recount, from the observations themselves (sqlstore.RecountIndicators).
	recount, err := e.db.RecountIndicators(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	re := map[string][2]float64{}
	for k, v := range recount {
		parts := strings.SplitN(k, "|", 3)
		if facs[parts[0]] && strings.HasPrefix(parts[1], "2026-") {
			x := re[parts[2]]
			re[parts[2]] = [2]float64{x[0] + v[0], x[1] + v[1]}
		}
	}
	checked := 0
	for _, r := range over[1:] {
		id := r[2]
		n, _ := strconv.ParseFloat(r[4], 64)
		d, _ := strconv.ParseFloat(r[5], 64)
		if !strings.HasPrefix(id, "imci.") {
			continue
		}
		if got := sum[id]; !close2(got, [2]float64{n, d}) {
			t.Errorf("%s: facilities sum to %v, district shows %v/%v", id, got, n, d)
		}
		if got := re[id]; !close2(got, [2]float64{n, d}) {
			t.Errorf("%s: recount %v, district shows %v/%v", id, got, n, d)
		}
		if d > 0 {
			checked++
		}
	}
	if checked < 15 {
		t.Errorf("only %d IMCI indicators with data", checked)
	}
}

func close2(a, b [2]float64) bool {
	return abs(a[0]-b[0]) < 1e-6 && abs(a[1]-b[1]) < 1e-6
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}

// TestDashboardScopeAndPrivacy: a supervisor sees only their district, and no page of
// the dashboards, evaluation or reports names a health worker.
func TestDashboardScopeAndPrivacy(t *testing.T) {
	e := newDashboardEnv(t)
	kay, kir := e.placeNamed("Kayonza"), e.placeNamed("Kirehe")
	rwink, nyaru := e.placeNamed("Rwinkwavu Health Centre"), e.placeNamed("Nyarubuye Health Centre")
	for _, tc := range []struct {
		path, user string
		want       int
	}{
		{"/dashboard/heatmap?orgunit=" + idString(kir.ID), "supervisor.kayonza", 403},
		{"/dashboard?orgunit=" + idString(kir.ID), "supervisor.kayonza", 403},
		{"/dashboard/places/" + idString(nyaru.ID), "supervisor.kayonza", 403},
		{"/reports/facility/" + idString(nyaru.ID), "supervisor.kayonza", 403},
		{"/reports/district/" + idString(kir.ID), "supervisor.kayonza", 403},
		{"/evaluation?orgunit=" + idString(kir.ID), "supervisor.kayonza", 403},
		{"/evaluation", "mentor.kayonza", 403},
		{"/evaluation", "incharge.rwinkwavu", 403},
		{"/reports/district/" + idString(rwink.ID), "supervisor.kayonza", 404},
		{"/dashboard", "", 303},
	} {
		if got := e.get(tc.path, tc.user); got.Status != tc.want {
			t.Errorf("%s as %q: %d, want %d", tc.path, tc.user, got.Status, tc.want)
		}
	}
	// The supervisor's default heat map is their district's facilities only.
	body := e.get("/dashboard/heatmap?period=2026", "supervisor.kayonza").Body
	if !strings.Contains(body, "Rwinkwavu") || strings.Contains(body, "Nyarubuye") {
		t.Error("the Kayonza supervisor's heat map is not exactly Kayonza")
	}
	workers, _, err := e.db.FindHealthWorkers(context.Background(), staff.Filter{Limit: 1000})
	if err != nil || len(workers) < 20 {
		t.Fatalf("%d workers: %v", len(workers), err)
	}
	ev := "baseline_from=2025-12&baseline_to=2026-02&followup_from=2026-09&followup_to=2026-11"
	for _, tc := range []struct{ path, user string }{
		{"/dashboard?period=2026", "manager"},
		{"/dashboard?period=2026Q3", "supervisor.kayonza"},
		{"/dashboard/heatmap?period=2026&orgunit=" + idString(kay.ID), "manager"},
		{"/dashboard/heatmap?period=2026-10&format=csv", "supervisor.kayonza"},
		{"/dashboard/places/" + idString(rwink.ID) + "?period=2026", "supervisor.kayonza"},
		{"/dashboard/places/" + idString(rwink.ID) + "?period=2026&format=csv", "manager"},
		{"/dashboard/places/" + idString(rwink.ID) + "?period=2026", "incharge.rwinkwavu"},
		{"/evaluation?" + ev, "manager"},
		{"/evaluation?" + ev + "&format=csv", "supervisor.kayonza"},
		{"/reports/facility/" + idString(rwink.ID) + "?month=2026-10", "supervisor.kayonza"},
		{"/reports/district/" + idString(kay.ID) + "?period=2026Q3", "supervisor.kayonza"},
		{"/reports/district/" + idString(kir.ID) + "?period=2026Q3&lang=fr", "manager"},
	} {
		r := e.get(tc.path, tc.user)
		if r.Status != 200 {
			t.Errorf("%s as %s: %d", tc.path, tc.user, r.Status)
			continue
		}
		for _, hw := range workers {
			if strings.Contains(r.Body, hw.Name) {
				t.Errorf("%s as %s names health worker %q", tc.path, tc.user, hw.Name)
			}
		}
	}
}

// TestEvaluationPage runs the evaluation as a manager: the table, the model and the
// ICC per period are there, and the CSV has the same rows as the page.
func TestEvaluationPage(t *testing.T) {
	e := newDashboardEnv(t)
	ev := "baseline_from=2025-12&baseline_to=2026-02&followup_from=2026-09&followup_to=2026-11&cov_age_under_24m=on&cov_fever=on"
	r := e.get("/evaluation?"+ev, "manager")
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	for _, want := range []string{`id="eval-table"`, `id="eval-model"`, `id="eval-icc"`, "Effect of follow-up period", "Correct classification", "Presented with fever"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("page lacks %q", want)
		}
	}
	if strings.Contains(r.Body, "Presented with cough</th>") {
		t.Error("an unticked covariate is in the model")
	}
	rows := readCSV(t, e.get("/evaluation?"+ev+"&format=csv", "manager"))
	if n := strings.Count(r.Body, "<tr>") - 0; len(rows) < 10 || n < len(rows) {
		t.Errorf("%d CSV rows, %d table rows", len(rows), n)
	}
	// The empty form proposes windows from the data; bad windows come back as a form.
	if r := e.get("/evaluation", "supervisor.kayonza"); r.Status != 200 || !strings.Contains(r.Body, `value="2025-12"`) {
		t.Errorf("default form: %d", r.Status)
	}
	if r := e.get("/evaluation?baseline_from=2026-05&baseline_to=2026-01&followup_from=2026-09&followup_to=2026-11", "manager"); r.Status != 400 {
		t.Errorf("bad window: %d", r.Status)
	}
}

// A district supervisor opens the heat map in a real browser, drills into a facility
// by its name, and clicks through one of the facility's numbers to the records behind
// it; a heat-map cell leads to the records too.
func TestBrowserDashboardHeatmapDrillDown(t *testing.T) {
	ctx := browsertest.New(t)
	e := newDashboardEnv(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/login"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "supervisor.kayonza"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`input[name="password"]`)), // logged in: the home page
		chromedp.Navigate(e.srv.URL+"/dashboard/heatmap?period=2026"),
		chromedp.WaitReady(chromedp.CSS(`#heatmap`)),
	); err != nil {
		t.Fatal(err)
	}
	cells, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#heatmap tbody td a[href^="/dashboard/records?"]').length`))
	if err != nil || cells < 8*15 {
		t.Fatalf("%d heat-map cells linking to records (%v)", cells, err)
	}
	name, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#heatmap tbody tr:first-child th`)))
	if err != nil {
		t.Fatal(err)
	}
	// Drill into the facility by its name; its page is the first with trend sparklines,
	// which the heat map has none of.
	if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(document.querySelector('#heatmap tbody tr:first-child th a').click(), true)`)); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx, chromedp.WaitReady(chromedp.CSS(`svg.spark`))); err != nil {
		t.Fatalf("no facility page after the click: %v", err)
	}
	loc, _ := chromedp.Run(ctx, chromedp.Location())
	h1, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("h1")))
	if !strings.Contains(loc, "/dashboard/places/") || strings.TrimSpace(h1) != strings.TrimSpace(name) {
		t.Fatalf("clicked %q, landed on %s titled %q", name, loc, h1)
	}
	svgs, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('svg.spark').length`))
	if svgs < 20 {
		t.Errorf("%d trend sparklines", svgs)
	}
	// Click through the correct-classification n/N to its records.
	nOfN, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#ind-imci\.correct_classification a.n-of-N`)))
	if err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#ind-imci\.correct_classification a.n-of-N`)),
		chromedp.WaitReady(chromedp.CSS(`#records`)),
	); err != nil {
		t.Fatalf("no records page after clicking %q: %v", nOfN, err)
	}
	parts := strings.Split(strings.TrimSpace(nOfN), "/")
	rows, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#records tbody tr').length`))
	inNum, _ := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll('#records tbody tr.in-num').length`))
	if len(parts) != 2 || strconv.Itoa(rows) != parts[1] || strconv.Itoa(inNum) != parts[0] {
		t.Errorf("the number %q led to %d records, %d in the numerator", nOfN, rows, inNum)
	}
	summary, _ := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(`#records-summary`)))
	if !strings.Contains(summary, parts[0]+" of "+parts[1]) {
		t.Errorf("records summary %q does not repeat %q", summary, nOfN)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.Contains(loc, "indicator=imci.correct_classification") {
		t.Errorf("records page at %s", loc)
	}
}
