package e2e

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/browsertest"
	"github.com/assayhq/assay/config"
	"github.com/assayhq/assay/vendors"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/device"
)

// TestDashboardOnTheDemoPortfolio starts Assay with --demo, waits for the
// background seeding and checks what it made (one seeding serves the whole
// test: it takes minutes under -race). Then it opens the dashboard, its
// 2013 view, a phone-sized dashboard and a vendor risk report, as a
// newcomer would after `make demo`, and keeps screenshots of each. The
// charts are server-side SVG: no page may log a script or CSP error.
func TestDashboardOnTheDemoPortfolio(t *testing.T) {
	env := apptest.New(t, apptest.Options{Configure: func(c *config.Config) { c.Demo = true }})
	select {
	case <-env.App.Demo.Done():
	case <-time.After(20 * time.Minute):
		t.Fatal("the demo seeding did not finish in 20 minutes")
	}
	sum, err := env.App.Demo.Result()
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("seeded %d vendors and %d assessments in %v", sum.Vendors, sum.Assessments, sum.Took)
	bg := context.Background()
	_, total, err := env.App.Vendors.List(bg, vendors.Filter{Status: vendors.StatusAll})
	if err != nil || sum.Vendors != 30 || total != 30 || sum.Assessments < 50 {
		t.Fatalf("%+v, %d vendors in the register, %v", sum, total, err)
	}
	for _, st := range []assessments.Status{assessments.StatusSent, assessments.StatusInProgress, assessments.StatusSubmitted,
		assessments.StatusClarificationRequested, assessments.StatusCompleted} {
		if _, n, err := env.App.Assessments.List(bg, assessments.Filter{Statuses: []assessments.Status{st}, Per: 1}); err != nil || n == 0 {
			t.Errorf("no %s assessment (%v)", st, err)
		}
	}
	northwind, _, err := env.App.Vendors.List(bg, vendors.Filter{Q: "northwind"})
	if err != nil || len(northwind) != 1 {
		t.Fatalf("northwind: %v %v", northwind, err)
	}
	v, err := env.App.Vendors.Get(bg, northwind[0].ID)
	if err != nil || len(v.ScoreHistory) != 4 || v.LatestScore == nil || v.NextReviewAt.Before(time.Now()) {
		t.Fatalf("Northwind Payroll: history %d, score %v, next review %v (%v)", len(v.ScoreHistory), v.LatestScore, v.NextReviewAt, err)
	}
	if first, last := v.ScoreHistory[0].At, v.ScoreHistory[3].At; last.Sub(first) < 2*365*24*time.Hour {
		t.Errorf("history spans %v to %v", first, last)
	}

	// Vendors never assessed, or whose first questionnaire is still out.
	active, _, err := env.App.Vendors.List(bg, vendors.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	unassessed := 0
	for _, v := range active {
		if v.LatestScore == nil {
			unassessed++
		}
	}
	if unassessed < 3 || unassessed > 10 {
		t.Errorf("%d active vendors without a completed assessment", unassessed)
	}

	viewer := env.Login(t, auth.RoleViewer)
	dash := getPage(t, viewer, env.URL+"/app/")
	for _, want := range []string{"29 active vendors", "Northwind Payroll</a>", "days late", fmt.Sprintf("Not assessed: %d.", unassessed)} {
		if !strings.Contains(dash, want) {
			t.Errorf("the dashboard lacks %q", want)
		}
	}
	for _, absent := range []string{"No vendor has a completed assessment yet", "No questionnaire is overdue.", "No vendor is due for reassessment"} {
		if strings.Contains(dash, absent) {
			t.Errorf("the dashboard says %q", absent)
		}
	}
	if queue := getPage(t, viewer, env.URL+"/app/reviews"); !strings.Contains(queue, "Contoso Identity") {
		t.Error("the review queue lacks the submitted assessment")
	}
	if page := getPage(t, viewer, env.URL+"/app/vendors/"+v.ID); !strings.Contains(page, "<svg") {
		t.Error("the vendor page has no trend chart")
	}
	report := getPage(t, viewer, env.URL+"/app/assessments/"+v.LastAssessmentID+"/report")
	if !strings.Contains(report, ".pdf") && !strings.Contains(report, ".txt") {
		t.Error("the latest report lists no evidence file")
	}
	// A second start finds vendors and leaves them alone.
	again, err := env.App.Demo.Seed(bg)
	if err != nil || !again.Skipped {
		t.Errorf("a second seeding: %+v %v", again, err)
	}

	ctx := browsertest.New(t)
	consoleErrors := browsertest.ConsoleErrors(ctx)
	email, password := env.Admin()
	browsertest.Do(t, ctx, chromedp.Navigate(env.URL+"/login"), signIn(email, password),
		chromedp.WaitVisible(chromedp.CSS("table.dash-heat")), chromedp.WaitVisible(chromedp.CSS("svg.chart-bars")))
	browsertest.Screenshot(t, ctx, "dashboard")
	// innerText applies the headers' text-transform: compare without case.
	heat := strings.ToLower(browsertest.Run(t, ctx, chromedp.Text(chromedp.CSS("table.dash-heat"))))
	for _, want := range []string{"organizational", "supplier", "northwind payroll"} {
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

	browsertest.Do(t, ctx, chromedp.Navigate(env.URL+"/app/assessments/"+v.LastAssessmentID+"/report"),
		chromedp.WaitVisible(chromedp.ID("h-findings")), chromedp.WaitVisible(chromedp.CSS("[data-print]")))
	browsertest.Screenshot(t, ctx, "report")
	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("console errors: %v", errs)
	}
}

// getPage fetches a staff page and fails the test on anything but 200.
func getPage(t *testing.T, c *http.Client, url string) string {
	t.Helper()
	resp, err := c.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("%s: %d\n%.1500s", url, resp.StatusCode, b)
	}
	return string(b)
}
