// Package e2e holds the journeys through a real browser: Assay served by
// apptest, driven by headless Chromium through browsertest.
package e2e

import (
	"strings"
	"testing"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/browsertest"
	"github.com/chromedp/chromedp"
)

// signIn fills the login form the browser is on.
func signIn(email, password string) chromedp.Action[chromedp.Void] {
	return chromedp.Steps(
		chromedp.WaitVisible(chromedp.ID("email")),
		chromedp.SendKeys(chromedp.ID("email"), email),
		chromedp.SendKeys(chromedp.ID("password"), password),
		chromedp.Click(chromedp.CSS(`form.auth-form button[type=submit]`)),
	)
}

func TestLoginSeesTheShellAndLogsOut(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	ctx := browsertest.New(t)
	consoleErrors := browsertest.ConsoleErrors(ctx)
	email, password := env.Admin()

	// A staff page sends the visitor to sign in, and back afterwards.
	browsertest.Do(t, ctx, chromedp.Navigate(env.URL+"/app/account"), chromedp.WaitVisible(chromedp.ID("email")))
	if loc := browsertest.Run(t, ctx, chromedp.Location()); !strings.Contains(loc, "/login?next=%2Fapp%2Faccount") {
		t.Fatalf("not sent to the login page: %s", loc)
	}
	browsertest.Screenshot(t, ctx, "login")
	browsertest.Do(t, ctx, signIn(email, password), chromedp.WaitVisible(chromedp.CSS("nav.mainnav")))
	if loc := browsertest.Run(t, ctx, chromedp.Location()); !strings.HasSuffix(loc, "/app/account") {
		t.Fatalf("after signing in: %s", loc)
	}
	nav := browsertest.Run(t, ctx, chromedp.Text(chromedp.CSS("nav.mainnav")))
	for _, entry := range []string{"Dashboard", "Vendors", "Reviews", "Questionnaires", "Outbox", "Audit log", "Users"} {
		if !strings.Contains(nav, entry) {
			t.Errorf("navigation lacks %q: %q", entry, nav)
		}
	}
	if who := browsertest.Run(t, ctx, chromedp.Text(chromedp.CSS(".usermenu .who"))); !strings.Contains(who, "Administrator") {
		t.Errorf("user menu: %q", who)
	}
	browsertest.Screenshot(t, ctx, "shell")

	// At 375px the navigation folds behind the menu button.
	browsertest.Do(t, ctx, chromedp.EmulateViewport(375, 812))
	browsertest.Do(t, ctx, chromedp.WaitNotVisible(chromedp.CSS("nav.mainnav")), chromedp.Click(chromedp.CSS("label.navtoggle-label")),
		chromedp.WaitVisible(chromedp.CSS("nav.mainnav")))
	browsertest.Screenshot(t, ctx, "shell-375px")
	browsertest.Do(t, ctx, chromedp.EmulateViewport(1280, 900))

	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(".usermenu button[type=submit]")), chromedp.WaitVisible(chromedp.ID("email")))
	if msg := browsertest.Run(t, ctx, chromedp.Text(chromedp.CSS(".flash-ok"))); msg != "You have signed out." {
		t.Errorf("after signing out: %q", msg)
	}
	browsertest.Screenshot(t, ctx, "signed-out")
	// Signed out means signed out: the staff page asks to sign in again.
	browsertest.Do(t, ctx, chromedp.Navigate(env.URL+"/app/account"), chromedp.WaitVisible(chromedp.ID("email")))
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("the pages reported errors (a CSP refusal of inline code shows here):\n%s", strings.Join(errs, "\n"))
	}
}

func TestFiveWrongPasswordsAreThrottled(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	ctx := browsertest.New(t)
	email, password := env.Admin()
	for i := 1; i <= 5; i++ {
		browsertest.Do(t, ctx, chromedp.Navigate(env.URL+"/login"), signIn(email, "not the password"),
			chromedp.WaitVisible(chromedp.CSS(".flash-error")))
		msg := browsertest.Run(t, ctx, chromedp.Text(chromedp.CSS(".flash-error")))
		want := "wrong email or password"
		if i == 5 {
			want = "Too many failed attempts; try again in 15 minutes"
		}
		if msg != want {
			t.Fatalf("attempt %d: %q, want %q", i, msg, want)
		}
		// The form keeps the email, so the person only retypes the password.
		if v := browsertest.Run(t, ctx, chromedp.Value(chromedp.ID("email"))); v != email {
			t.Fatalf("attempt %d: email field %q", i, v)
		}
	}
	browsertest.Screenshot(t, ctx, "throttled")
	// Locked: the right password waits too.
	browsertest.Do(t, ctx, chromedp.Navigate(env.URL+"/login"), signIn(email, password), chromedp.WaitVisible(chromedp.CSS(".flash-error")))
	if msg := browsertest.Run(t, ctx, chromedp.Text(chromedp.CSS(".flash-error"))); !strings.HasPrefix(msg, "Too many failed attempts") {
		t.Fatalf("right password while throttled: %q", msg)
	}
}
