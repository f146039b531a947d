package e2e

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/browsertest"
	"github.com/assayhq/assay/config"
	"github.com/assayhq/assay/vendors"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

// TestDashboardOnTheDemoPortfolio opens the dashboard, its 2013 view, a
// phone-sized dashboard and a vendor risk report on the demo portfolio, as
// a newcomer would after `make demo`, and keeps screenshots of each. The
// charts are server-side SVG: no page may log a script or CSP error.
func TestDashboardOnTheDemoPortfolio(t *testing.T) {
	env := apptest.New(t, apptest.Options{Configure: func(c *config.Config) { c.Demo = true }})
	select {
	case <-env.App.Demo.Done():
	case <-time.After(20 * time.Minute):
		t.Fatal("the demo seeding did not finish in 20 minutes")
	}
	if _, err := env.App.Demo.Result(); err != nil {
		t.Fatal(err)
	}
	ctx := browsertest.New(t)
	consoleErrors := browsertest.ConsoleErrors(ctx)
	email, password := env.Admin()
	browsertest.Do(t, ctx, chromedp.Navigate(env.URL+"/login"), signIn(email, password),
		chromedp.WaitVisible(chromedp.CSS("table.dash-heat")), chromedp.WaitVisible(chromedp.CSS("svg.chart-bars")))
	browsertest.Screenshot(t, ctx, "dashboard")
	heat := browsertest.Run(t, ctx, chromedp.Text(chromedp.CSS("table.dash-heat")))
	for _, want := range []string{"Organizational", "Supplier", "Northwind Payroll"} {
		if !strings.Contains(heat, want) {
			t.Errorf("the heat map lacks %q", want)
		}
	}
	overdue := browsertest.Run(t, ctx, chromedp.Text(chromedp.ID("dash-overdue")))
	if !strings.Contains(overdue, "Questionnaires overdue") {
		t.Errorf("overdue section: %q", overdue)
	}

	browsertest.Do(t, ctx, chromedp.Click(chromedp.CSS(`a[href="/app/?view=2013"]`)), chromedp.WaitVisible(chromedp.CSS(`abbr[title="Compliance"]`)))
	browsertest.Screenshot(t, ctx, "dashboard-2013")

	// A phone: the tables scroll inside their cards, the page itself does not.
	browsertest.Do(t, ctx, chromedp.Emulate(device.IPhone8), chromedp.Navigate(env.URL+"/app/"), chromedp.WaitVisible(chromedp.CSS("table.dash-heat")))
	browsertest.Screenshot(t, ctx, "dashboard-375")
	width := browsertest.Run(t, ctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`))
	if width > 380 {
		t.Errorf("the dashboard is %dpx wide on a 375px screen", width)
	}
	browsertest.Do(t, ctx, chromedp.Emulate(device.Reset), chromedp.EmulateViewport(1280, 900))

	list, _, err := env.App.Vendors.List(context.Background(), vendors.Filter{Q: "northwind"})
	if err != nil || len(list) != 1 || list[0].LastAssessmentID == "" {
		t.Fatalf("northwind: %v %v", list, err)
	}
	browsertest.Do(t, ctx, chromedp.Navigate(env.URL+"/app/assessments/"+list[0].LastAssessmentID+"/report"),
		chromedp.WaitVisible(chromedp.ID("h-findings")), chromedp.WaitVisible(chromedp.CSS("[data-print]")))
	browsertest.Screenshot(t, ctx, "report")
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}
