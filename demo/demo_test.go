package demo_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/config"
	"github.com/assayhq/assay/vendors"
)

func get(t *testing.T, c *http.Client, url string) string {
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

// TestDemoPortfolio starts Assay with --demo, waits for the background
// seeding, and checks that every page a newcomer opens has something on it.
func TestDemoPortfolio(t *testing.T) {
	env := apptest.New(t, apptest.Options{Configure: func(c *config.Config) { c.Demo = true }})
	if env.App.Demo == nil {
		t.Fatal("--demo did not schedule the seeding")
	}
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
	ctx := context.Background()
	_, total, err := env.App.Vendors.List(ctx, vendors.Filter{Status: vendors.StatusAll})
	if err != nil || sum.Vendors != 30 || total != 30 || sum.Assessments < 50 {
		t.Fatalf("%+v, %d vendors in the register, %v", sum, total, err)
	}
	for _, st := range []assessments.Status{assessments.StatusSent, assessments.StatusInProgress, assessments.StatusSubmitted,
		assessments.StatusClarificationRequested, assessments.StatusCompleted} {
		if _, n, err := env.App.Assessments.List(ctx, assessments.Filter{Statuses: []assessments.Status{st}, Per: 1}); err != nil || n == 0 {
			t.Errorf("no %s assessment (%v)", st, err)
		}
	}
	northwind, _, err := env.App.Vendors.List(ctx, vendors.Filter{Q: "northwind"})
	if err != nil || len(northwind) != 1 {
		t.Fatalf("northwind: %v %v", northwind, err)
	}
	v, err := env.App.Vendors.Get(ctx, northwind[0].ID)
	if err != nil || len(v.ScoreHistory) != 4 || v.LatestScore == nil || v.NextReviewAt.Before(time.Now()) {
		t.Fatalf("Northwind Payroll: history %d, score %v, next review %v (%v)", len(v.ScoreHistory), v.LatestScore, v.NextReviewAt, err)
	}
	if first, last := v.ScoreHistory[0].At, v.ScoreHistory[3].At; last.Sub(first) < 2*365*24*time.Hour {
		t.Errorf("history spans %v to %v", first, last)
	}

	// Vendors never assessed, or whose first questionnaire is still out.
	active, _, err := env.App.Vendors.List(ctx, vendors.Filter{})
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
	dash := get(t, viewer, env.URL+"/app/")
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
	if queue := get(t, viewer, env.URL+"/app/reviews"); !strings.Contains(queue, "Contoso Identity") {
		t.Error("the review queue lacks the submitted assessment")
	}
	if page := get(t, viewer, env.URL+"/app/vendors/"+v.ID); !strings.Contains(page, "<svg") {
		t.Error("the vendor page has no trend chart")
	}
	report := get(t, viewer, env.URL+"/app/assessments/"+v.LastAssessmentID+"/report")
	if !strings.Contains(report, ".pdf") && !strings.Contains(report, ".txt") {
		t.Error("the latest report lists no evidence file")
	}
	if dir := os.Getenv("ASSAY_ARTIFACTS"); dir != "" {
		_ = os.WriteFile(dir+"/demo-dashboard.html", []byte(dash), 0o644)
	}

	// A second start finds vendors and leaves them alone.
	again, err := env.App.Demo.Seed(ctx)
	if err != nil || !again.Skipped {
		t.Errorf("a second seeding: %+v %v", again, err)
	}
}
