// Package browsertest drives Debian's Chromium, headless, for end-to-end
// tests of Assay through a real browser (chromedp). One browser per test:
//
//	ctx := browsertest.New(t)
//	browsertest.Do(t, ctx, chromedp.Navigate(env.URL+"/login"), …)
//	browsertest.Screenshot(t, ctx, "login")
//
// A missing browser fails the test; `make tools` installs it.
package browsertest

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
)

// Timeout bounds everything one test does in its browser, so a page that
// never shows what the test waits for fails the test instead of hanging it.
var Timeout = 2 * time.Minute

// Chromium returns the browser binary: ASSAY_CHROMIUM, then Debian's
// chromium on PATH.
func Chromium() (string, error) {
	if p := os.Getenv("ASSAY_CHROMIUM"); p != "" {
		return p, nil
	}
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p, nil
		}
	}
	return "", errors.New("chromium not found: run `make tools` (or set ASSAY_CHROMIUM)")
}

// New starts a headless Chromium with a fresh profile and returns the
// context of its first tab. The browser closes when the test ends.
func New(t testing.TB) context.Context {
	t.Helper()
	bin, err := Chromium()
	if err != nil {
		t.Fatal(err)
	}
	opts := append(chromedp.DefaultExecAllocatorOptions[:],
		chromedp.ExecPath(bin),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.WindowSize(1280, 900),
	)
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	ctx, cancelTab := chromedp.NewContext(allocCtx, chromedp.WithErrorf(func(format string, args ...any) {
		t.Logf("chromium: "+format, args...)
	}))
	// The first action starts the browser and ties its life to ctx, which
	// has no deadline; the test's actions get one below.
	if err := chromedp.Do(ctx); err != nil {
		cancelTab()
		cancelAlloc()
		t.Fatalf("starting %s: %v", bin, err)
	}
	tctx, cancel := context.WithTimeout(ctx, Timeout)
	t.Cleanup(func() {
		cancel()
		cancelTab()
		cancelAlloc()
	})
	return tctx
}

// NewContext opens a tab in a new browser context of parent's browser:
// its own cookies and storage, like a second person at another computer
// (a supplier and a reviewer in one test).
func NewContext(t testing.TB, parent context.Context) context.Context {
	t.Helper()
	ctx, cancel := chromedp.NewContext(parent, chromedp.WithNewBrowserContext())
	if err := chromedp.Do(ctx); err != nil {
		cancel()
		t.Fatalf("opening a second browser context: %v", err)
	}
	t.Cleanup(cancel)
	return ctx
}

// Do runs steps and fails the test on the first error, with a screenshot
// of the page as it was.
func Do(t testing.TB, ctx context.Context, steps ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	if err := chromedp.Do(ctx, steps...); err != nil {
		shot := screenshot(t, ctx, "failure")
		t.Fatalf("browser: %v (page saved to %s)", err, shot)
	}
}

// Run runs one action that returns a value and fails the test on error.
func Run[T any](t testing.TB, ctx context.Context, a chromedp.Action[T]) T {
	t.Helper()
	v, err := chromedp.Run(ctx, a)
	if err != nil {
		shot := screenshot(t, ctx, "failure")
		t.Fatalf("browser: %v (page saved to %s)", err, shot)
	}
	return v
}

// Screenshot saves a full-page PNG of the tab to
// test-artifacts/<TestName>/<NN>-<name>.png at the repository root, for
// people to look at when a journey changes or fails.
func Screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	p := screenshot(t, ctx, name)
	if p == "" {
		t.Fatalf("screenshot %s failed", name)
	}
	return p
}

func screenshot(t testing.TB, ctx context.Context, name string) string {
	t.Helper()
	// A failed test may have used up its deadline; the picture of why is
	// worth a few more seconds.
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
	defer cancel()
	png, err := chromedp.Run(sctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	dir, err := artifactDir(t)
	if err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	p := filepath.Join(dir, fmt.Sprintf("%02d-%s.png", nextShot(t), safeName.ReplaceAllString(name, "-")))
	if err := os.WriteFile(p, png, 0o644); err != nil {
		t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	return p
}

var (
	shotsMu sync.Mutex
	shots   = map[string]int{}
)

func nextShot(t testing.TB) int {
	shotsMu.Lock()
	defer shotsMu.Unlock()
	shots[t.Name()]++
	return shots[t.Name()]
}

var safeName = regexp.MustCompile(`[^A-Za-z0-9_.-]+`)

// artifactDir is test-artifacts/<TestName> under the module root.
func artifactDir(t testing.TB) (string, error) {
	root, err := moduleRoot()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(root, "test-artifacts", safeName.ReplaceAllString(t.Name(), "_"))
	return dir, os.MkdirAll(dir, 0o755)
}

// moduleRoot walks up from the working directory (the test's package) to
// the folder holding go.mod.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working directory")
		}
		dir = parent
	}
}

// ConsoleErrors starts collecting the errors the pages of ctx report to
// the console (uncaught exceptions, failed loads, Content-Security-Policy
// refusals) and returns a func that lists those seen so far.
func ConsoleErrors(ctx context.Context) func() []string {
	var mu sync.Mutex
	var seen []string
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			if m.Type == chromedp.ConsoleError || m.IsException() {
				mu.Lock()
				seen = append(seen, fmt.Sprintf("%s (%s:%d)", m.Text, m.URL, m.Line+1))
				mu.Unlock()
			}
		}
	}()
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}
