package web

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"

	"mesh/auth"
	"mesh/i18n"
	"mesh/internal/browsertest"
)

// The accessibility checks in a real Chromium: axe-core (vendored for tests only in
// testdata/axe.min.js, see testdata/README.md) on every main page at a phone's width,
// then the keyboard and the narrowest screen MESH supports (320 px).

// a11yPage is one page to check: opened as user ("" for nobody), by a GET of path, or
// — when post is set — by submitting post to path from the page at path, so result
// pages (the IMCI check, growth) are checked with their result on them.
type a11yPage struct {
	name, user, path string
	post             url.Values
	wait             string // a CSS selector visible once the page is ready
}

// a11yPages are the main pages of the app, with the demo users who use them.
func a11yPages(t *testing.T, e *testEnv) []a11yPage {
	t.Helper()
	const mentor, supervisor = "mentor.kayonza", "supervisor.kayonza"
	vid, worker := e.observeVisit(mentor)
	obs := pneumoniaObservation()
	obs.Set("id", newUUID())
	obs.Set("health_worker_id", idString(worker))
	feedback := feedbackPath(t, e.post("/visits/"+vid+"/observe", mentor, obs))
	project := e.demoProject("Classify every sick child correctly")
	code, err := e.db.FeedbackCode(context.Background(), vid, true)
	if err != nil {
		t.Fatal(err)
	}
	imci := with(childForm(), "cough.present", "yes", "cough.duration_days", "3", "cough.respiratory_rate", "48",
		"cough.chest_indrawing", "no", "cough.stridor_when_calm", "no", "cough.wheeze", "no")
	growth := url.Values{"sex": {"female"}, "rows.0.age_days": {"200"}, "rows.0.weight_kg": {"6.3"}}
	m, err := e.db.FindUserByUsername(context.Background(), mentor)
	if err != nil {
		t.Fatal(err)
	}
	mentorID := m.ID
	facility := idString(e.placeNamed("Rwinkwavu Health Centre").ID)
	return []a11yPage{
		{name: "login", path: "/login"},
		{name: "home (mentor)", user: mentor, path: "/"},
		{name: "home (supervisor)", user: supervisor, path: "/"},
		{name: "places", user: supervisor, path: "/places"},
		{name: "workers", user: mentor, path: "/workers"},
		{name: "worker", user: mentor, path: "/workers/" + idString(worker)},
		{name: "visits", user: mentor, path: "/visits"},
		{name: "visit", user: mentor, path: "/visits/" + vid},
		{name: "observation form", user: mentor, path: "/visits/" + vid + "/observe", wait: "#imci-form"},
		{name: "feedback", user: mentor, path: feedback},
		{name: "IMCI check result", user: mentor, path: "/imci/check", post: imci, wait: "#result"},
		{name: "growth result", user: mentor, path: "/growth", post: growth, wait: "#results"},
		{name: "cadence", user: supervisor, path: "/cadence"},
		{name: "dashboard", user: supervisor, path: "/dashboard"},
		{name: "facility dashboard", user: supervisor, path: "/dashboard/places/" + facility},
		{name: "facility page", user: mentor, path: "/places/" + facility},
		{name: "heat map", user: supervisor, path: "/dashboard/heatmap"},
		{name: "records behind a number", user: supervisor, path: "/dashboard/records?indicator=imci.correct_classification", wait: "#records"},
		{name: "mentor page", user: supervisor, path: "/dashboard/mentors/" + idString(mentorID), wait: "#mentor-indicators"},
		{name: "evaluation", user: supervisor, path: "/evaluation"},
		{name: "stock-outs", user: supervisor, path: "/stockouts"},
		{name: "issues", user: mentor, path: "/issues"},
		{name: "QI project", user: mentor, path: "/qi/" + project.ID},
		{name: "outbox", user: mentor, path: "/outbox"},
		{name: "anonymous feedback code", path: "/feedback"},
		{name: "anonymous feedback form", path: "/feedback/" + code.Code},
	}
}

// openA11yPage signs the browser in as p.user (a session cookie issued directly, as
// env_test.go does) and opens the page, submitting its form when it has one.
func openA11yPage(t *testing.T, ctx context.Context, e *testEnv, p a11yPage, lang string) {
	t.Helper()
	if r := e.get(p.path, p.user); r.Status != http.StatusOK {
		t.Fatalf("%s: GET %s as %q: %d", p.name, p.path, p.user, r.Status)
	}
	if _, err := chromedp.Call(ctx, network.ClearBrowserCookies, cdp.Empty{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{
		Name: LangCookie, Value: lang, URL: e.srv.URL, Path: "/"}); err != nil {
		t.Fatal(err)
	}
	if p.user != "" {
		if _, err := chromedp.Call(ctx, network.SetCookie, network.SetCookieParams{
			Name: auth.CookieName, Value: e.session(p.user), URL: e.srv.URL, Path: "/"}); err != nil {
			t.Fatal(err)
		}
	}
	wait := p.wait
	if wait == "" {
		wait = "main"
	}
	steps := []chromedp.Action[chromedp.Void]{chromedp.Navigate(e.srv.URL + p.path)}
	if p.post != nil {
		entries, _ := json.Marshal(p.post)
		action, _ := json.Marshal(p.path)
		steps = append(steps, chromedp.WaitVisible(chromedp.CSS("main")), chromedp.Evaluate[chromedp.Void](`(() => {
			const f = document.createElement('form'); f.method = 'post'; f.action = `+string(action)+`;
			for (const [k, vs] of Object.entries(`+string(entries)+`)) for (const v of vs) {
				const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.appendChild(i);
			}
			document.body.appendChild(f); f.submit(); return true; })()`))
	}
	steps = append(steps, chromedp.WaitVisible(chromedp.CSS(wait)),
		chromedp.Poll[chromedp.Void](`document.readyState === 'complete'`))
	if err := chromedp.Do(ctx, steps...); err != nil {
		t.Fatalf("%s: open %s: %v", p.name, p.path, err)
	}
}

type axeViolation struct {
	ID, Impact, Help string
	Targets          []string
}

// TestAccessibilityAxe runs axe-core on every main page on the narrowest phone MESH
// supports (320 px) and fails on any serious or critical violation.
func TestAccessibilityAxe(t *testing.T) {
	axeCheck(t, []string{i18n.Default}, func(a11yPage) bool { return true })
}

// TestAccessibilityAxeTranslated runs axe-core on the pages a mentor or nurse works
// with most in French and Kinyarwanda too (longer words, another lang attribute).
// A test of its own: one browser session has 90 s.
func TestAccessibilityAxeTranslated(t *testing.T) {
	var langs []string
	for _, l := range i18n.Languages {
		if l != i18n.Default {
			langs = append(langs, l)
		}
	}
	axeCheck(t, langs, func(p a11yPage) bool { return axeInEveryLanguage[p.name] })
}

// axeInEveryLanguage are the main pages of the brief: login, home, observation form,
// feedback, visit, facility dashboard, worker profile, evaluation.
var axeInEveryLanguage = map[string]bool{"login": true, "home (mentor)": true, "observation form": true,
	"feedback": true, "visit": true, "facility dashboard": true, "worker": true, "evaluation": true}

// axePerBrowser bounds the pages checked in one browser session, which has 90 s:
// axe takes seconds a page on a busy machine.
const axePerBrowser = 8

func axeCheck(t *testing.T, langs []string, keep func(a11yPage) bool) {
	var ctx context.Context
	axe, err := os.ReadFile("testdata/axe.min.js")
	if err != nil {
		t.Fatal(err)
	}
	e := newTestEnv(t)
	counts := map[string]int{}
	pages := a11yPages(t, e)
	kept := 0
	for _, lang := range langs {
		for _, p := range pages {
			if !keep(p) {
				continue
			}
			if kept%axePerBrowser == 0 {
				ctx = browsertest.New(t)
				if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 640, chromedp.EmulateMobile)); err != nil {
					t.Fatal(err)
				}
			}
			kept++
			p.name += " [" + lang + "]"
			openA11yPage(t, ctx, e, p, lang)
			if _, err := chromedp.Run(ctx, chromedp.Evaluate[bool](string(axe)+"\n;true")); err != nil {
				t.Fatalf("%s: inject axe: %v", p.name, err)
			}
			found, err := chromedp.Run(ctx, chromedp.Evaluate[[]axeViolation](`axe.run(document, {resultTypes: ['violations']}).then(r =>
			r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v =>
				({ID: v.id, Impact: v.impact, Help: v.help, Targets: v.nodes.map(n => n.target.join(' '))})))`, chromedp.EvalAwaitPromise))
			if err != nil {
				t.Fatalf("%s: axe.run: %v", p.name, err)
			}
			for _, v := range found {
				counts[v.ID]++
				t.Errorf("%s (%s): %s %s: %s\n    %s", p.name, p.path, v.Impact, v.ID, v.Help, strings.Join(v.Targets, "\n    "))
			}
		}
	}
	if kept < len(langs)*len(axeInEveryLanguage) {
		t.Errorf("checked %d pages in %v: a main page is missing from a11yPages", kept, langs)
	}
	if len(counts) > 0 {
		t.Logf("violations per rule (pages): %v", counts)
	}
}

// TestKeyboardAndSmallScreens checks every main page at 320 px: nothing wider than
// the screen, and the first Tab lands on the "skip to main content" link.
func TestKeyboardAndSmallScreens(t *testing.T) {
	e := newTestEnv(t)
	pages := a11yPages(t, e)
	for _, lang := range i18n.Languages {
		// A browser per language: one session has 90 s.
		ctx := browsertest.New(t)
		if err := chromedp.Do(ctx, chromedp.EmulateViewport(320, 640, chromedp.EmulateMobile)); err != nil {
			t.Fatal(err)
		}
		for _, p := range pages {
			p.name += " [" + lang + "]"
			openA11yPage(t, ctx, e, p, lang)
			keyboardAndSmallScreen(t, ctx, p)
		}
	}
}

func keyboardAndSmallScreen(t *testing.T, ctx context.Context, p a11yPage) {
	t.Helper()
	{
		// Compared with 320 itself: on a phone Chromium widens window.innerWidth (zooms out)
		// to fit a page that is too wide, which would hide the overflow.
		wide, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`document.documentElement.scrollWidth > 320
			? [...document.querySelectorAll('body *')].filter(el => el.getBoundingClientRect().right > 321)
				.slice(0, 5).map(el => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\s+/).join('.') : ''))
			: []`))
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if len(wide) > 0 {
			t.Errorf("%s (%s) is wider than 320 px: %v", p.name, p.path, wide)
		}
		// The first Tab of a keyboard user arriving on the page.
		if err := chromedp.Do(ctx, chromedp.KeyEvent("\t")); err != nil {
			t.Fatalf("%s: tab: %v", p.name, err)
		}
		first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(el => el ? el.outerHTML.slice(0, 120) : '')(document.activeElement.matches('a.skip[href="#main"]') ? null : document.activeElement)`))
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if first != "" {
			t.Errorf("%s (%s): the first Tab goes to %s, not the skip link", p.name, p.path, first)
		}
		visible, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`(r => r.top >= 0 && r.height >= 24 && r.right <= 320)(document.activeElement.getBoundingClientRect())`))
		if err == nil && !visible && first == "" {
			t.Errorf("%s: the focused skip link is not visible on screen", p.name)
		}
		// Touch targets: every control, and every link that stands alone (not inside
		// running text or a table cell's text), is at least 44 px tall; a checkbox or
		// radio button counts with its label.
		small, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll(
			'button, select, textarea, input:not([type=hidden]), nav a, .actions a, .pager a, a.button, ul.links a, ul.cards a')]
			.filter(el => el.offsetParent !== null)
			.map(el => ['checkbox', 'radio'].includes(el.type) ? (el.closest('label') || (el.labels && el.labels[0]) || el) : el)
			.filter(el => el.getBoundingClientRect().height < 44)
			.slice(0, 5).map(el => el.outerHTML.slice(0, 100))`))
		if err != nil {
			t.Fatalf("%s: %v", p.name, err)
		}
		if len(small) > 0 {
			t.Errorf("%s (%s): touch targets under 44 px: %q", p.name, p.path, small)
		}
	}
}
