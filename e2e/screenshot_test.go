package e2e

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"
)

// screenshotsEnv names the directory that keeps the screenshots; without it
// they go to the test's temporary directory and are removed with it.
const screenshotsEnv = "PCMT_SCREENSHOTS"

// viewport is a screen size a page is checked at.
type viewport struct {
	name          string
	width, height int64
	mobile        bool
}

var viewports = []viewport{
	{name: "phone", width: 390, height: 844, mobile: true},
	{name: "desktop", width: 1280, height: 800},
}

// TestScreenshots renders the public pages at a phone and a desktop width,
// in light and dark mode, saves a screenshot of each, and checks what can be
// checked without looking: nothing overflows sideways, and the dark scheme
// really changes the colours.
func TestScreenshots(t *testing.T) {
	dir := screenshotDir(t)
	b := openApp(t)

	for _, page := range []struct{ name, path string }{{"landing", "/"}, {"signin", "/signin"}} {
		b.open(page.path)
		for _, vp := range viewports {
			backgrounds := map[string]string{}
			for _, scheme := range []string{"light", "dark"} {
				b.do(emulate(vp, scheme))
				b.settle()
				if overflow := run(b, chromedp.Evaluate[int](
					`document.documentElement.scrollWidth - document.documentElement.clientWidth`)); overflow > 0 {
					t.Errorf("%s at %s: content overflows the width by %dpx", page.name, vp.name, overflow)
				}
				backgrounds[scheme] = run(b, chromedp.Evaluate[string](`getComputedStyle(document.body).backgroundColor`))
				png := run(b, chromedp.FullScreenshot(100))
				name := filepath.Join(dir, fmt.Sprintf("%s-%s-%s.png", page.name, vp.name, scheme))
				if err := os.WriteFile(name, png, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if backgrounds["light"] == backgrounds["dark"] {
				t.Errorf("%s at %s: the same background %s in light and dark mode", page.name, vp.name, backgrounds["light"])
			}
		}
	}
	b.assertClean()
	if os.Getenv(screenshotsEnv) != "" {
		t.Logf("screenshots in %s", dir)
	}
}

// screenshotDir is where screenshots go: $PCMT_SCREENSHOTS when set, else a
// temporary directory.
func screenshotDir(t *testing.T) string {
	t.Helper()
	dir := os.Getenv(screenshotsEnv)
	if dir == "" {
		return t.TempDir()
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("%s: %v", screenshotsEnv, err)
	}
	return dir
}

// emulate sets the screen size and the preferred colour scheme.
func emulate(vp viewport, scheme string) chromedp.Action[chromedp.Void] {
	opts := []chromedp.EmulateViewportOption{chromedp.EmulatePortrait}
	if vp.mobile {
		opts = append(opts, chromedp.EmulateMobile, chromedp.EmulateTouch)
	}
	return chromedp.Steps(
		chromedp.EmulateViewport(vp.width, vp.height, opts...),
		chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
			_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
				Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: strings.ToLower(scheme)}},
			})
			return err
		}),
	)
}
