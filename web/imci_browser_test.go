package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mesh/auth"
	"mesh/internal/browsertest"
)

// The IMCI form in a real Chromium on a 320 px screen: nothing wider than the screen,
// large choices, the script hides what does not apply and keeps a draft over a reload.
func TestBrowserIMCIForm(t *testing.T) {
	ctx := browsertest.New(t)
	e := newTestEnv(t)
	tok := e.session("mentor.kayonza")
	js := func(expr string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	if err := chromedp.Do(ctx,
		chromedp.EmulateViewport(320, 640, chromedp.EmulateMobile),
		chromedp.Navigate(e.srv.URL+"/login"),
		chromedp.Evaluate[chromedp.Void](`document.cookie = "`+auth.CookieName+`=`+tok+`; path=/"; true`),
		chromedp.Navigate(e.srv.URL+"/imci/check"),
		chromedp.WaitVisible(chromedp.CSS(`#imci-form`)),
	); err != nil {
		t.Fatal(err)
	}
	if loc, _ := chromedp.Run(ctx, chromedp.Location()); !strings.HasSuffix(loc, "/imci/check") {
		t.Fatalf("not on the form: %s", loc)
	}
	if js(`document.documentElement.scrollWidth > window.innerWidth`) {
		t.Error("the form is wider than a 320 px screen")
	}
	if js(`[...document.querySelectorAll('label.choice, button, select, input[type=number]')].some(el => el.offsetParent !== null && el.getBoundingClientRect().height < 44)`) {
		t.Error("a touch target under 44 px")
	}
	// No age yet: both groups shown; a symptom's questions hidden until it is present.
	if js(`document.getElementById('s-young_infant').hidden || document.getElementById('s-danger_signs').hidden`) {
		t.Error("an age group hidden before the age is known")
	}
	if !js(`document.getElementById('f-cough.respiratory_rate').closest('[data-gate]').hidden`) {
		t.Error("cough questions shown before the cough is present")
	}
	if err := chromedp.Do(ctx,
		chromedp.SendKeys(chromedp.CSS(`#f-age`), "20"),
		chromedp.SetValue(chromedp.CSS(`select[name="age_unit"]`), "days"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('f-age_unit').dispatchEvent(new Event('change', {bubbles: true}))`),
	); err != nil {
		t.Fatal(err)
	}
	if !js(`document.getElementById('s-danger_signs').hidden && !document.getElementById('s-young_infant').hidden`) {
		t.Error("a 20-day-old infant still sees the child boxes")
	}
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`select[name="age_unit"]`), "months"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById('f-age_unit').dispatchEvent(new Event('change', {bubbles: true}))`),
		chromedp.Click(chromedp.CSS(`input[name="cough.present"][value="yes"]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-cough\.respiratory_rate`), "52"),
	); err != nil {
		t.Fatal(err)
	}
	if js(`document.getElementById('f-cough.respiratory_rate').closest('[data-gate]').hidden`) {
		t.Error("cough questions hidden with cough present")
	}
	// The draft survives a reload.
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#imci-form`))); err != nil {
		t.Fatal(err)
	}
	if !js(`document.getElementById('f-cough.respiratory_rate').value === '52' && document.querySelector('input[name="cough.present"][value="yes"]').checked && document.getElementById('f-age').value === '20'`) {
		t.Error("the draft was not restored after a reload")
	}
	// The growth page with its charts fits the screen too.
	if err := chromedp.Do(ctx, chromedp.Navigate(e.srv.URL+"/growth"), chromedp.WaitVisible(chromedp.CSS(`form.growth-form`)),
		chromedp.SetValue(chromedp.CSS(`#f-sex`), "female"),
		chromedp.SendKeys(chromedp.CSS(`#f-rows\.0\.age_days`), "200"),
		chromedp.SendKeys(chromedp.CSS(`#f-rows\.0\.weight_kg`), "6.3"),
		chromedp.Click(chromedp.CSS(`form.growth-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`figure.chart svg`)),
	); err != nil {
		t.Fatal(err)
	}
	if js(`document.documentElement.scrollWidth > window.innerWidth`) {
		t.Error("the growth page is wider than a 320 px screen")
	}
}
