package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mesh/auth"
	"mesh/internal/browsertest"
)

// A demo mentor on a phone opens a visit, observes a child with cough and fast
// breathing (the nurse wrote PNEUMONIA and gave amoxicillin), saves and sees the
// feedback; the draft survives a reload and is gone after the save; nothing is wider
// than the 360 px screen.
func TestBrowserMentorObservesOnPhone(t *testing.T) {
	ctx := browsertest.New(t)
	e := newTestEnv(t)
	const mentor = "mentor.kayonza"
	visitID, worker := e.observeVisit(mentor)
	tok := e.session(mentor)
	js := func(expr string) bool {
		t.Helper()
		v, err := chromedp.Run(ctx, chromedp.Evaluate[bool](expr))
		if err != nil {
			t.Fatalf("%s: %v", expr, err)
		}
		return v
	}
	radio := func(name, value string) chromedp.Action[chromedp.Void] {
		return chromedp.Click(chromedp.CSS(`input[name="` + name + `"][value="` + value + `"]`))
	}
	change := func(id string) chromedp.Action[chromedp.Void] {
		return chromedp.Evaluate[chromedp.Void](`document.getElementById('` + id + `').dispatchEvent(new Event('change', {bubbles: true}))`)
	}
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/login"),
		chromedp.Evaluate[chromedp.Void](`document.cookie = "`+auth.CookieName+`=`+tok+`; path=/"; true`),
		chromedp.Navigate(e.srv.URL+"/visits/"+visitID),
		chromedp.WaitVisible(chromedp.CSS(`a[href$="/observe"]`)),
		chromedp.Click(chromedp.CSS(`a[href$="/observe"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#imci-form`)),
		chromedp.SendKeys(chromedp.CSS(`#f-age`), "18"),
		chromedp.SetValue(chromedp.CSS(`#f-sex`), "female"),
		change("f-sex"),
		chromedp.SendKeys(chromedp.CSS(`#f-weight_kg`), "11"),
		chromedp.SendKeys(chromedp.CSS(`#f-temperature_c`), "37"),
	); err != nil {
		t.Fatal(err)
	}
	// Only what applies is shown: a child of 18 months sees no young-infant tasks, and
	// the cough tasks wait for the cough.
	if !js(`document.getElementById('f-tasks-young_infant').closest('[data-group]').hidden`) {
		t.Error("young-infant tasks shown for a child of 18 months")
	}
	if !js(`document.getElementById('f-tasks-cough').hidden`) {
		t.Error("cough tasks shown before the cough is present")
	}
	var steps []chromedp.Action[chromedp.Void]
	for _, s := range []string{"not_able_to_drink_or_breastfeed", "vomits_everything", "convulsions_this_illness",
		"lethargic_or_unconscious", "convulsing_now"} {
		steps = append(steps, radio("danger_signs."+s, "no"))
	}
	steps = append(steps,
		radio("cough.present", "yes"),
		chromedp.SendKeys(chromedp.CSS(`#f-cough\.respiratory_rate`), "48"),
		radio("cough.chest_indrawing", "no"), radio("cough.stridor_when_calm", "no"), radio("cough.wheeze", "no"),
		radio("diarrhoea.present", "no"), radio("fever.reported", "no"), radio("ear.present", "no"),
	)
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatal(err)
	}
	if js(`document.getElementById('f-tasks-cough').hidden`) {
		t.Error("cough tasks hidden with the cough present")
	}
	// The draft survives a reload.
	if err := chromedp.Do(ctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`#imci-form`))); err != nil {
		t.Fatal(err)
	}
	if !js(`document.getElementById('f-cough.respiratory_rate').value === '48' && document.querySelector('input[name="cough.present"][value="yes"]').checked`) {
		t.Fatal("the draft was not restored after a reload")
	}
	if js(`document.documentElement.scrollWidth > window.innerWidth`) {
		t.Errorf("the observation form is wider than a %d px screen", browsertest.PhoneWidth)
	}
	// What the health worker did.
	if err := chromedp.Do(ctx,
		chromedp.SetValue(chromedp.CSS(`#f-health_worker_id`), idString(worker)),
		change("f-health_worker_id"),
		chromedp.Click(chromedp.CSS(`#f-tasks-cough input[name="task.count_breaths_one_minute"]`)),
		chromedp.Click(chromedp.CSS(`input[name="classification"][value="PNEUMONIA"]`)),
		chromedp.SetValue(chromedp.CSS(`#f-treatments\.0\.code`), "AMOXICILLIN_ORAL"),
		chromedp.SendKeys(chromedp.CSS(`#f-treatments\.0\.units_per_dose`), "2"),
		chromedp.SetValue(chromedp.CSS(`#f-treatments\.0\.unit`), "tablet_250mg"),
		chromedp.SendKeys(chromedp.CSS(`#f-treatments\.0\.frequency_per_day`), "2"),
		chromedp.SendKeys(chromedp.CSS(`#f-treatments\.0\.duration_days`), "5"),
		chromedp.SendKeys(chromedp.CSS(`#f-follow_up_days`), "3"),
		chromedp.Click(chromedp.CSS(`input[name="counselling.advised_when_to_return_immediately"]`)),
		chromedp.Click(chromedp.CSS(`input[name="counselling.taught_how_to_give_oral_drugs"]`)),
		chromedp.Click(chromedp.CSS(`#imci-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`.feedback-summary`)),
	); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"Feedback", "Classified right", "Pneumonia", "Oral amoxicillin", "Observe another child"} {
		if !strings.Contains(text, want) {
			t.Errorf("feedback screen lacks %q:\n%s", want, text)
		}
	}
	if js(`document.documentElement.scrollWidth > window.innerWidth`) {
		t.Errorf("the feedback is wider than a %d px screen", browsertest.PhoneWidth)
	}
	// The saved draft is gone: the next child starts from an empty form.
	if err := chromedp.Do(ctx, chromedp.Click(chromedp.CSS(`a.primary[href$="/observe"]`)), chromedp.WaitVisible(chromedp.CSS(`#imci-form`))); err != nil {
		t.Fatal(err)
	}
	if !js(`document.getElementById('f-cough.respiratory_rate').value === '' && document.getElementById('f-age').value === ''`) {
		t.Error("the saved observation's draft came back on the next form")
	}
}
