// Package browsertest starts a real headless Chromium for browser tests, on a phone-
// sized viewport by default, and skips the test with a clear message when Chromium is
// not installed (.ci/run installs it).
package browsertest

import (
	"context"
	"os"
	"os/exec"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Phone is the viewport of a small Android phone, the mentors' usual device.
const (
	PhoneWidth  = 360
	PhoneHeight = 740
)

// ExecPath finds Chromium, or "" when it is absent.
func ExecPath() string {
	for _, p := range []string{os.Getenv("MESH_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"} {
		if p == "" {
			continue
		}
		if _, err := os.Stat(p); err == nil {
			return p
		}
	}
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	return ""
}

// New returns a browser tab context on a phone-sized viewport, closed at cleanup.
func New(t *testing.T) context.Context {
	t.Helper()
	path := ExecPath()
	if path == "" {
		t.Skip("browser test skipped: Chromium not found (apt-get install chromium; .ci/run does)")
	}
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		// Without these Chromium keeps calling Google's hosts, which this network refuses.
		chromedp.Flag("disable-quic", true), chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true), chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()), chromedp.WindowSize(PhoneWidth, PhoneHeight),
	}
	ctx, cancelTimeout := context.WithTimeout(context.Background(), 90*time.Second)
	actx, cancelAlloc := chromedp.NewExecAllocator(ctx, opts...)
	tctx, cancelTab := chromedp.NewContext(actx)
	t.Cleanup(func() { cancelTab(); cancelAlloc(); cancelTimeout() })
	if err := chromedp.Do(tctx, chromedp.EmulateViewport(PhoneWidth, PhoneHeight, chromedp.EmulateMobile)); err != nil {
		t.Fatalf("start Chromium: %v", err)
	}
	return tctx
}
