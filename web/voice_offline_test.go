package web

import (
	"context"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"mesh/internal/browsertest"
	"mesh/voice"
)

// The feedback form is one offline.js intercepts: marked, with its code and the
// words it needs in the page's language (none in the script).
func TestVoiceFormOfflineAttributes(t *testing.T) {
	e, code := newVoiceEnv(t)
	form := e.get("/feedback/"+code.Code+"?lang=fr", "")
	for _, want := range []string{`data-offline="feedback"`, `data-code="` + code.Code + `"`,
		`data-offline-queued="Pas de connexion`, `data-offline-empty="Répondez à au moins une affirmation."`,
		`<div id="offline-result" role="status" hidden></div>`} {
		if !strings.Contains(form.Body, want) {
			t.Errorf("the form lacks %s", want)
		}
	}
}

// An anonymous answer given while the server is down waits in the outbox and is
// sent, once, when the server is back.
func TestBrowserVoiceFeedbackOffline(t *testing.T) {
	ctx := browsertest.New(t)
	e, code := newVoiceEnv(t)
	e.srv.Close()
	e.startFull("127.0.0.1:0")
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/feedback/"+code.Code),
		chromedp.WaitVisible(chromedp.CSS(`input[name="rating.listened"]`)),
	); err != nil {
		t.Fatal(err)
	}
	waitJS(t, ctx, "offline.js", `typeof meshOffline === "object"`)
	addr := e.srv.Listener.Addr().String()
	e.srv.Close()
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`input[name="rating.listened"][value="5"]`)),
		chromedp.Click(chromedp.CSS(`input[name="rating.can_ask"][value="2"]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-comment`), "Offline thanks."),
		chromedp.Click(chromedp.CSS(`main button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`#offline-result p.notice`)),
	); err != nil {
		t.Fatal(err)
	}
	if !evalJS[bool](t, ctx, `document.querySelector("form[data-offline='feedback']").hidden`) {
		t.Error("the form is still shown after queuing")
	}
	queued := evalJS[string](t, ctx, `meshOffline.all().then(l => l.length === 1 && l[0].type === "mentee_feedback" && l[0].user === "" && l[0].label === "" ? l[0].id : "")`)
	if queued == "" {
		t.Fatalf("outbox: %s", evalJS[string](t, ctx, `meshOffline.all().then(l => JSON.stringify(l))`))
	}

	rec := evalJS[string](t, ctx, `meshOffline.all().then(l => JSON.stringify(l[0]))`)

	e.startFull(addr)
	evalJS[bool](t, ctx, `meshOffline.flush().then(() => true)`)
	waitJS(t, ctx, "an empty outbox", `meshOffline.all().then(l => l.length === 0)`)
	// A lost acknowledgement: the same record again counts once.
	if !evalJS[bool](t, ctx, `meshOffline.db().then(d => d.get('sent', '`+queued+`')).then(s => !!s)`) {
		t.Error("the sent answer is not in the sent log")
	}
	evalJS[bool](t, ctx, `meshOffline.db().then(d => d.put('outbox', `+rec+`)).then(() => meshOffline.flush()).then(() => true)`)
	waitJS(t, ctx, "an empty outbox again", `meshOffline.all().then(l => l.length === 0)`)
	rs, err := e.db.FindResponses(context.Background(), voice.ResponseFilter{})
	if err != nil || len(rs) != 1 || rs[0].Ratings["listened"] != 5 || rs[0].Ratings["can_ask"] != 2 || rs[0].Comment != "Offline thanks." {
		t.Fatalf("stored %+v (%v)", rs, err)
	}
	if c, _ := e.db.FindFeedbackCode(context.Background(), code.Code); c.Responses != 1 {
		t.Errorf("counted %d answers, want 1", c.Responses)
	}
}

// Trends: a mean per month, drawn as a line with a title and written as text; a month
// below the threshold is a gap, its mean nowhere on the page.
func TestVoiceResultsTrends(t *testing.T) {
	e, code := newVoiceEnv(t)
	defer func(old func() time.Time) { now = old }(now)
	now = func() time.Time { return time.Date(2026, 3, 5, 8, 0, 0, 0, time.UTC) }
	for _, m := range []struct {
		month  time.Month
		year   int
		n      int
		rating string
	}{{12, 2025, 5, "4"}, {1, 2026, 4, "1"}, {2, 2026, 6, "2"}} {
		e.db.Now = func() time.Time { return time.Date(m.year, m.month, 20, 8, 0, 0, 0, time.UTC) }
		for range m.n {
			e.post("/feedback/"+code.Code, "", url.Values{"id": {voiceID()}, "rating.listened": {m.rating}})
		}
	}
	r := e.get("/voice/results?from=2025-12&to=2026-02", "mentor.kayonza")
	for _, want := range []string{"Trends by month", `role="img"`, "<title>The mentor listened to me.: mean by month</title>",
		"December 2025 · 4.0", "January 2026 · not shown", "February 2026 · 2.0", `stroke-dasharray="2 2"`, "fewer than 5 answers"} {
		if !strings.Contains(r.Body, want) {
			t.Errorf("trends lack %q", want)
		}
	}
	if strings.Contains(r.Body, "style=") || strings.Contains(r.Body, ">1.0<") {
		t.Error("an inline style, or January's hidden mean, on the page")
	}
	// Two shown months in a row are joined by a line.
	e.db.Now = func() time.Time { return time.Date(2026, 1, 21, 8, 0, 0, 0, time.UTC) }
	e.post("/feedback/"+code.Code, "", url.Values{"id": {voiceID()}, "rating.listened": {"1"}})
	if r := e.get("/voice/results?from=2025-12&to=2026-02", "mentor.kayonza"); !strings.Contains(r.Body, "<polyline") || !strings.Contains(r.Body, "January 2026 · 1.0") {
		t.Error("five answers in January: no line through it")
	}
}
