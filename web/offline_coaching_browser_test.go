package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mesh/auth"
	"mesh/i18n"
	"mesh/internal/browsertest"
)

// A French mentor scores an observation offline: the coaching points are written in
// French from their message keys and arguments (data-offline-catalog), class names
// included, not the engine's English messages.
func TestOfflineCoachingFrench(t *testing.T) {
	ctx := browsertest.New(t)
	e := newOfflineEnv(t)
	const mentor = "mentor.kayonza"
	visitID, worker := e.observeVisit(mentor)
	tok := e.session(mentor)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/login"),
		chromedp.Evaluate[chromedp.Void](`document.cookie = "`+auth.CookieName+`=`+tok+`; path=/"; document.cookie = "`+LangCookie+`=fr; path=/"; true`),
		chromedp.Navigate(e.srv.URL+"/visits/"+visitID+"/observe"),
		chromedp.WaitVisible(chromedp.CSS(`#imci-form`)),
	); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "the service worker", `navigator.serviceWorker.ready.then(() => !!navigator.serviceWorker.controller)`)
	waitJS(t, ctx, "the engine", `meshOffline.engine().then(() => true)`)
	e.srv.Close()

	// Pneumonia, but not classified, and the breaths not counted.
	form := pneumoniaObservation()
	form.Set("health_worker_id", idString(worker))
	form.Del("classification")
	form.Del("task.count_breaths_one_minute")
	if err := chromedp.Do(ctx,
		chromedp.Evaluate[chromedp.Void](fillForm(form)),
		chromedp.Click(chromedp.CSS(`#imci-form button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#offline-result.offline-feedback`)),
	); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("#offline-result ol.points")))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		i18n.T("fr", "feedback.classification.missed", i18n.T("fr", "imci.class.PNEUMONIA")),
		i18n.T("fr", "feedback.task.count_breaths_one_minute"),
	} {
		if !strings.Contains(text, want) {
			t.Errorf("offline coaching lacks %q:\n%s", want, text)
		}
	}
	for _, english := range []string{"Classify ", "Count the breaths"} {
		if strings.Contains(text, english) {
			t.Errorf("offline coaching has English %q:\n%s", english, text)
		}
	}
}
