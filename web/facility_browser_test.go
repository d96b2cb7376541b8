package web

import (
	"net/url"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mesh/auth"
	"mesh/internal/browsertest"
)

// A demo mentor on a phone opens a QI project and sees its run chart (the inline SVG
// with its title), then records a readiness check from a visit and comes back to the
// visit; no page is wider than the screen.
func TestBrowserQIRunChartAndReadinessFromVisit(t *testing.T) {
	ctx := browsertest.New(t)
	e := newTestEnv(t)
	const mentor = "mentor.kayonza"
	p := e.demoProject("Classify every sick child correctly")
	fac := e.placeNamed("Kabare Health Centre")
	vid := visitID(t, e.post("/visits/new", mentor, url.Values{"id": {newUUID()}, "facility_id": {idString(fac.ID)},
		"date": {string(today())}, "kind": {"mentoring"}, "status": {"done"}, "activities": {"readiness_check"}}))
	tok := e.session(mentor)
	js := func(expr string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/login"),
		chromedp.Evaluate[chromedp.Void](`document.cookie = "`+auth.CookieName+`=`+tok+`; path=/"; true`),
		chromedp.Navigate(e.srv.URL+"/qi"),
		chromedp.WaitVisible(chromedp.CSS(`a[href="/qi/`+p.ID+`"]`)),
		chromedp.Click(chromedp.CSS(`a[href="/qi/`+p.ID+`"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#run-chart svg`)),
	); err != nil {
		t.Fatal(err)
	}
	title, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#run-chart svg > title').textContent`))
	if err != nil {
		t.Fatal(err)
	}
	if want := "Run chart: Classify every sick child correctly (imci.correct_classification)"; title != want {
		t.Errorf("chart title %q, want %q", title, want)
	}
	// The aim is a proportion, so the page also carries its control chart.
	if !js(`document.querySelector('#p-chart svg > title') !== null && document.querySelector('#p-chart svg > title').textContent.startsWith('p-chart: ')`) {
		t.Error("no p-chart for a proportion aim")
	}
	if !js(`document.querySelector('#run-chart svg').getBoundingClientRect().width <= window.innerWidth`) {
		t.Error("the run chart is wider than the phone")
	}
	if js(`document.documentElement.scrollWidth > window.innerWidth`) {
		t.Error("the project page scrolls sideways on a phone")
	}

	// From the visit, a readiness check: the timer broken, amoxicillin out.
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/visits/"+vid),
		chromedp.WaitVisible(chromedp.CSS(`a[href*="/readiness/new?visit="]`)),
		chromedp.Click(chromedp.CSS(`a[href*="/readiness/new?visit="]`)),
		chromedp.WaitVisible(chromedp.CSS(`#readiness-form`)),
		chromedp.SetValue(chromedp.CSS(`#f-a_timer`), "broken"),
		chromedp.SetValue(chromedp.CSS(`#f-a_scale`), "ok"),
		chromedp.SetValue(chromedp.CSS(`#f-a_amoxicillin_dt`), "out"),
		chromedp.SendKeys(chromedp.CSS(`#f-since_amoxicillin_dt`), "11/02/2026"),
	); err != nil {
		t.Fatal(err)
	}
	if !js(`[...document.querySelectorAll('#readiness-form select, #readiness-form input:not([type=hidden])')].every(el => el.labels && el.labels.length > 0)`) {
		t.Error("a readiness input has no label")
	}
	if !js(`[...document.querySelectorAll('#readiness-form select')].every(el => el.getBoundingClientRect().height >= 44)`) {
		t.Error("a readiness select is smaller than a 44 px touch target")
	}
	if js(`document.documentElement.scrollWidth > window.innerWidth`) {
		t.Error("the readiness form scrolls sideways on a phone")
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`#readiness-form button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`p.notice`)),
	); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Evaluate[string](`location.pathname`))
	if err != nil || loc != "/visits/"+vid {
		t.Fatalf("after saving: at %q (%v), want the visit", loc, err)
	}
	// The narrowest phones MESH supports are 320 px wide.
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 640, chromedp.EmulateMobile)); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{"/qi/" + p.ID, "/facilities/" + idString(fac.ID) + "/systems", "/issues", "/stockouts",
		"/qi/change-package", "/facilities/" + idString(fac.ID) + "/readiness/new"} {
		if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+path), chromedp.WaitVisible(chromedp.CSS(`main h1`))); err != nil {
			t.Fatal(err)
		}
		if js(`document.documentElement.scrollWidth > window.innerWidth`) {
			t.Errorf("%s scrolls sideways at 320 px", path)
		}
	}
	sys := e.get("/facilities/"+idString(fac.ID)+"/systems", mentor).Body
	_, stock, _ := strings.Cut(sys, `id="stockouts"`)
	if !strings.Contains(stock, "Amoxicillin dispersible tablets") {
		t.Errorf("the stock-out found in the browser is not open:\n%s", stock)
	}
}
