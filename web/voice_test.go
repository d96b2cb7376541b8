package web

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/xuri/excelize/v2"

	"mesh"
	"mesh/auth"
	"mesh/demo"
	"mesh/internal/browsertest"
	"mesh/sqlstore"
	"mesh/sqlstore/sqlstoretest"
	"mesh/visit"
	"mesh/voice"
)

// newVoiceEnv is newTestEnv with the voice pages registered, over the demo's places
// and people only, and a mentoring visit at Rwinkwavu with its feedback code.
func newVoiceEnv(t *testing.T) (*testEnv, *voice.Code) {
	t.Helper()
	ctx := context.Background()
	db := sqlstoretest.Open(t, sqlstore.SQLite)
	if _, err := demo.LoadWith(ctx, db, demo.Options{}); err != nil {
		t.Fatal(err)
	}
	authn := auth.New(db, false)
	mux := http.NewServeMux()
	s := &Server{Store: db, Auth: authn, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}
	s.Routes(mux)
	srv := httptest.NewServer(auth.SecurityHeaders(http.NewCrossOriginProtection().Handler(authn.Middleware(mux))))
	t.Cleanup(srv.Close)
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	e := &testEnv{t: t, db: db, authn: authn, srv: srv, client: client, sessions: map[string]string{}}
	mentor := e.user("mentor.kayonza")
	v := &visit.Visit{ID: "0190c1a2-7b3c-7d4e-8f90-00000000c001", FacilityID: e.placeNamed("Rwinkwavu Health Centre").ID, MentorID: mentor.ID, Date: "2026-02-10"}
	if _, err := db.PutVisit(mesh.WithActor(ctx, mentor.Actor()), v, nil); err != nil {
		t.Fatal(err)
	}
	code, err := db.FeedbackCode(ctx, v.ID, true)
	if err != nil {
		t.Fatal(err)
	}
	return e, code
}

var formID = regexp.MustCompile(`name="id" value="([0-9a-f-]{36})"`)

func TestVoiceFeedbackForm(t *testing.T) {
	e, code := newVoiceEnv(t)
	// A bad code is a page that does not exist, in the reader's language.
	if r := e.get("/feedback/ABCDEFGH", ""); r.Status != http.StatusNotFound {
		t.Fatalf("bad code: %d", r.Status)
	}
	if r := e.get("/feedback?code="+strings.ToLower(code.Code), ""); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/feedback/"+code.Code {
		t.Fatalf("typed code: %d %s", r.Status, r.Header.Get("Location"))
	}
	form := e.get("/feedback/"+code.Code+"?lang=fr", "")
	if form.Status != 200 || !strings.Contains(form.Body, "Le mentor m&#39;a écouté.") || !strings.Contains(form.Body, "Tout à fait d&#39;accord") ||
		!strings.Contains(form.Body, "Rwinkwavu") || !strings.Contains(form.Body, `type="radio" name="rating.listened" value="5"`) {
		t.Fatalf("form: %d %s", form.Status, form.Body)
	}
	id := formID.FindStringSubmatch(form.Body)[1]
	// Nothing rated: the form comes back with the problem named.
	if r := e.post("/feedback/"+code.Code, "", url.Values{"id": {id}}); r.Status != 400 || !strings.Contains(r.Body, "Answer at least one statement.") {
		t.Fatalf("empty answer: %d", r.Status)
	}
	ok := url.Values{"id": {id}, "rating.listened": {"5"}, "rating.learned": {"4"}, "comment": {"Merci"}}
	if r := e.post("/feedback/"+code.Code, "", ok); r.Status != http.StatusSeeOther || r.Header.Get("Location") != "/feedback/thanks" {
		t.Fatalf("answer: %d %s", r.Status, r.Body)
	}
	// The same form sent twice counts once.
	e.post("/feedback/"+code.Code, "", ok)
	if c, _ := e.db.FindFeedbackCode(context.Background(), code.Code); c.Responses != 1 {
		t.Fatalf("a resubmitted form counted %d times", c.Responses)
	}
	if r := e.get("/feedback/thanks", ""); r.Status != 200 || !strings.Contains(r.Body, "Thank you") {
		t.Fatalf("thanks: %d", r.Status)
	}
	// Over the cap: 429.
	for i := 1; i < voice.MaxPerVisit; i++ {
		e.post("/feedback/"+code.Code, "", url.Values{"id": {voiceID()}, "rating.listened": {"3"}})
	}
	if r := e.post("/feedback/"+code.Code, "", url.Values{"id": {voiceID()}, "rating.listened": {"3"}}); r.Status != http.StatusTooManyRequests {
		t.Fatalf("over the cap: %d", r.Status)
	}
	// The mentor's code page; another district's mentor gets 403.
	if r := e.get("/voice/visits/0190c1a2-7b3c-7d4e-8f90-00000000c001/code", "mentor.kayonza"); r.Status != 200 || !strings.Contains(r.Body, code.Code) {
		t.Fatalf("code page: %d", r.Status)
	}
	if r := e.get("/voice/visits/0190c1a2-7b3c-7d4e-8f90-00000000c001/code", "mentor.kirehe1"); r.Status != 403 {
		t.Fatalf("other mentor's code page: %d", r.Status)
	}
}

func TestVoiceResultsPage(t *testing.T) {
	e, code := newVoiceEnv(t)
	// Answers arrive in February; the page is read in March.
	e.db.Now = func() time.Time { return time.Date(2026, 2, 20, 8, 0, 0, 0, time.UTC) }
	defer func(old func() time.Time) { now = old }(now)
	now = func() time.Time { return time.Date(2026, 3, 5, 8, 0, 0, 0, time.UTC) }
	answer := func(rating string) {
		e.post("/feedback/"+code.Code, "", url.Values{"id": {voiceID()}, "rating.listened": {rating}, "comment": {"Helpful " + rating}})
	}
	for range 4 {
		answer("4")
	}
	r := e.get("/voice/results", "mentor.kayonza")
	if r.Status != 200 || !strings.Contains(r.Body, "Not enough responses yet to show results safely.") || strings.Contains(r.Body, "Helpful") {
		t.Fatalf("four answers shown: %d", r.Status)
	}
	answer("2")
	r = e.get("/voice/results", "mentor.kayonza")
	if !strings.Contains(r.Body, "Average 3.6 out of 5 (5 answers)") || !strings.Contains(r.Body, "<svg") || !strings.Contains(r.Body, "Helpful 2") {
		t.Fatalf("five answers not shown: %s", r.Body)
	}
	if strings.Contains(r.Body, "style=") {
		t.Fatal("inline style in the chart: the CSP forbids it")
	}
	if r := e.get("/voice/results?group=facility", "supervisor.kirehe"); strings.Contains(r.Body, "Rwinkwavu") || !strings.Contains(r.Body, "Not enough responses") {
		t.Fatalf("another district's supervisor sees Kayonza: %d", r.Status)
	}
	if r := e.get("/voice/results", "incharge.rwinkwavu"); r.Status != 403 {
		t.Fatalf("in-charge: %d", r.Status)
	}
	if r := e.get("/voice/coding", "supervisor.kayonza"); r.Status != 403 {
		t.Fatalf("supervisor in the coding workspace: %d", r.Status)
	}
}

func TestVoiceCodingPages(t *testing.T) {
	e, _ := newVoiceEnv(t)
	district := e.placeNamed("Kayonza")
	r := e.post("/voice/coding/sources", "manager", url.Values{"kind": {"interview"}, "title": {"District director"},
		"orgunit_id": {idString(district.ID)}, "period": {"2026-02"}, "body": {"The mentor fixed our ORS corner.\nWe lack water."}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("add source: %d %s", r.Status, r.Body)
	}
	src := r.Header.Get("Location")
	src = src[:strings.Index(src, "?")]
	if r := e.post("/voice/coding/sources", "manager", url.Values{"kind": {"interview"}}); r.Status != 400 || !strings.Contains(r.Body, "f-title") {
		t.Fatalf("bad source: %d", r.Status)
	}
	themes, _ := e.db.FindThemes(context.Background())
	for _, who := range []string{"manager", "admin"} {
		if r := e.post(src+"/passages", who, url.Values{"quote": {"fixed our ORS corner"}, "theme_id": {idString(themes[3].ID)}}); r.Status != http.StatusSeeOther {
			t.Fatalf("tag: %d %s", r.Status, r.Body)
		}
	}
	if r := e.post(src+"/passages", "manager", url.Values{"quote": {"not there"}, "theme_id": {idString(themes[3].ID)}}); r.Status != 400 || !strings.Contains(r.Body, "copy it exactly") {
		t.Fatalf("bad quote: %d", r.Status)
	}
	page := e.get(src, "manager")
	if page.Status != 200 || !strings.Contains(page.Body, "Cohen&#39;s kappa") || !strings.Contains(page.Body, "100.0%") {
		t.Fatalf("source page: %d %s", page.Status, page.Body)
	}
	if home := e.get("/voice/coding", "manager"); !strings.Contains(home.Body, "District director") || !strings.Contains(home.Body, "February 2026") {
		t.Fatalf("workspace: %d", home.Status)
	}
	csv := e.get("/voice/coding/quotes.csv", "manager")
	if !strings.HasPrefix(csv.Body, "\ufeff") || !strings.Contains(csv.Body, "fixed our ORS corner") {
		t.Fatalf("csv: %q", csv.Body)
	}
	xlsx := e.get("/voice/coding/quotes.xlsx", "manager")
	if xlsx.Status != 200 || !strings.HasPrefix(xlsx.Body, "PK") || !strings.Contains(xlsx.Header.Get("Content-Disposition"), "coded-quotes.xlsx") {
		t.Fatalf("xlsx: %d %s", xlsx.Status, xlsx.Header)
	}
	x, err := excelize.OpenReader(strings.NewReader(xlsx.Body))
	if err != nil {
		t.Fatal(err)
	}
	defer x.Close()
	if rows, err := x.GetRows(voice.QuotesSheet); err != nil || len(rows) < 2 || !strings.Contains(strings.Join(rows[1], " "), "fixed our ORS corner") {
		t.Fatalf("xlsx rows %q (%v)", rows, err)
	}
	if home := e.get("/voice/coding", "manager"); !strings.Contains(home.Body, `href="/voice/coding/quotes.xlsx"`) {
		t.Error("no XLSX button on the workspace")
	}
}

// A nurse gives feedback on a phone-sized screen, without logging in: she types the
// code, taps large choices, writes a comment and sends.
func TestBrowserVoiceFeedbackOnPhone(t *testing.T) {
	ctx := browsertest.New(t)
	e, code := newVoiceEnv(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/feedback"),
		chromedp.WaitVisible(chromedp.CSS(`#f-code`)),
		chromedp.SendKeys(chromedp.CSS(`#f-code`), strings.ToLower(code.Code)),
		chromedp.Click(chromedp.CSS(`main button[type="submit"]`)),
		chromedp.WaitVisible(chromedp.CSS(`input[name="rating.listened"]`)),
	); err != nil {
		t.Fatal(err)
	}
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil || overflow {
		t.Fatalf("form wider than a %d px phone screen (%v)", browsertest.PhoneWidth, err)
	}
	small, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('label.choice, main button')]
		.filter(el => el.getBoundingClientRect().height < 44).length`))
	if err != nil || small > 0 {
		t.Fatalf("%d choices or buttons under 44 px (%v)", small, err)
	}
	if err := chromedp.Do(ctx,
		chromedp.Click(chromedp.CSS(`input[name="rating.listened"][value="5"]`)),
		chromedp.Click(chromedp.CSS(`input[name="rating.helped_not_judged"][value="4"]`)),
		chromedp.SendKeys(chromedp.CSS(`#f-comment`), "She showed me how to count breaths."),
		chromedp.Click(chromedp.CSS(`main button[type="submit"]`)),
		chromedp.WaitNotPresent(chromedp.CSS(`#f-comment`)), // the form has gone: the next page is up
		chromedp.WaitVisible(chromedp.CSS(`main h1`)),
	); err != nil {
		t.Fatal(err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main h1")))
	if err != nil || !strings.Contains(text, "Thank you") {
		t.Fatalf("after sending: %q (%v)", text, err)
	}
	rs, err := e.db.FindResponses(context.Background(), voice.ResponseFilter{})
	if err != nil || len(rs) != 1 || rs[0].Ratings["listened"] != 5 || rs[0].Ratings["helped_not_judged"] != 4 || rs[0].Comment == "" {
		t.Fatalf("stored %+v (%v)", rs, err)
	}
}
