package web

import (
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"mesh/demo"
	"mesh/internal/browsertest"
)

// A demo mentor logs in on a phone-sized screen in a real Chromium and sees their
// facilities, with nothing wider than the screen.
func TestBrowserMentorLogsInOnPhone(t *testing.T) {
	ctx := browsertest.New(t)
	e := newTestEnv(t)
	if err := chromedp.Do(ctx,
		chromedp.Navigate(e.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`input[name="username"]`)),
		chromedp.SendKeys(chromedp.CSS(`input[name="username"]`), "mentor.kayonza"),
		chromedp.SendKeys(chromedp.CSS(`input[name="password"]`), demo.Password),
		chromedp.Click(chromedp.CSS(`button[type="submit"]`)),
		// Wait for the logged-in page itself: the login page also has a <main>, so
		// waiting for that raced the navigation.
		chromedp.WaitVisible(chromedp.CSS(`form.logout`)),
	); err != nil {
		t.Fatal(err)
	}
	loc, err := chromedp.Run(ctx, chromedp.Location())
	if err != nil || strings.Contains(loc, "/login") {
		t.Fatalf("still on %s after login (%v)", loc, err)
	}
	text, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS("main")))
	if err != nil || !strings.Contains(text, "Rwinkwavu") {
		t.Fatalf("home page does not list the mentor's facility: %q (%v)", text, err)
	}
	overflow, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`document.documentElement.scrollWidth > window.innerWidth`))
	if err != nil || overflow {
		t.Fatalf("page wider than a %d px phone screen (%v)", browsertest.PhoneWidth, err)
	}
	// Touch targets: every button and link in the main navigation is at least 44 px tall.
	small, err := chromedp.Run(ctx, chromedp.Evaluate[int](`[...document.querySelectorAll('button, input[type=submit], nav a')]
		.filter(el => el.offsetParent !== null && el.getBoundingClientRect().height < 44).length`))
	if err != nil || small > 0 {
		t.Fatalf("%d touch targets under 44 px (%v)", small, err)
	}
}
