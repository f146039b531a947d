package handlers_test

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/handlers"
	"github.com/assayhq/assay/portfolio"
	storemongo "github.com/assayhq/assay/storage/mongo"
)

// dashAnswers answer "Vendor security essentials" well but for three
// gaps (no certification, no MFA, no encryption) that become findings.
func dashAnswers() map[string]any {
	a := map[string]any{}
	for _, q := range []string{"vl-policy", "vl-security-owner", "vl-data-access", "vl-subprocessors", "vl-access-control",
		"vl-incident-notify", "vl-incident-plan", "vl-continuity", "vl-privacy", "vl-screening", "vl-confidentiality",
		"vl-training", "vl-premises", "vl-disposal", "vl-devices", "vl-patching", "vl-backup", "vl-firewall", "vl-logging"} {
		a[q] = "yes"
	}
	for _, q := range []string{"vl-certification", "vl-mfa", "vl-encryption", "vl-develops-software"} {
		a[q] = "no"
	}
	return a
}

var dashReviewer = audit.Actor{Kind: audit.KindStaff, ID: "u-rev", Email: "rita@example.test"}

func dashCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return ctx
}

// dashSend creates a vendor and sends it "Vendor security essentials"; it
// returns the assessment and the supplier's token from the invitation.
func dashSend(t testing.TB, env *apptest.Env, name string, tier int) (*assessments.Assessment, string) {
	t.Helper()
	s := env.Send(t, apptest.Vendor(name, tier), assessments.SendRequest{TemplateKey: "vendor-lite"})
	a, err := env.App.Assessments.Get(dashCtx(t), s.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a, s.Token
}

// dashCompleted sends, answers, submits and completes, deciding the first
// finding as done.
func dashCompleted(t testing.TB, env *apptest.Env, name string, tier int) *assessments.Assessment {
	t.Helper()
	ctx := dashCtx(t)
	a, token := dashSend(t, env, name, tier)
	supplier := audit.Actor{Kind: audit.KindSupplier, IP: "192.0.2.7"}
	if _, err := env.App.Assessments.SaveAnswers(ctx, supplier, token, dashAnswers()); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Assessments.Submit(ctx, supplier, token); err != nil {
		t.Fatal(err)
	}
	sc, err := env.App.Assessments.Score(ctx, a.ID)
	if err != nil || len(sc.Findings) < 2 {
		t.Fatalf("score %v, %v", sc, err)
	}
	if err := env.App.Assessments.DecideFinding(ctx, dashReviewer, a.ID, assessments.FindingDecision{
		Control: sc.Findings[0].Control, Treatment: assessments.TreatAccept, Status: assessments.FindingDone}); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Assessments.Complete(ctx, dashReviewer, a.ID, assessments.TreatMitigate, "Enable MFA"); err != nil {
		t.Fatal(err)
	}
	a, err = env.App.Assessments.Get(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

func TestDashboardEmpty(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	if status, _ := fetch(t, env.Client(), env.URL+"/app/"); status != http.StatusSeeOther && status != http.StatusFound {
		t.Errorf("signed out: %d", status)
	}
	viewer := env.Login(t, auth.RoleViewer)
	status, page := fetch(t, viewer, env.URL+"/app/")
	if status != http.StatusOK {
		t.Fatalf("dashboard: %d\n%.2000s", status, page)
	}
	mustContain(t, "empty dashboard", page, `aria-current="page">Dashboard`, "0 active vendors",
		"<title id=\"chart-risk-title\">Vendors by residual risk</title>", "Not assessed: 0.",
		"<title id=\"chart-findings-title\">Open findings by severity</title>",
		"No vendor has a completed assessment yet", "No questionnaire is overdue.", "No vendor is due for reassessment")
	if strings.Contains(page, "style=") || strings.Contains(page, "<script>") {
		t.Error("inline style or script on the dashboard")
	}
}

// TestDashboard runs the lifecycle through the services (every write
// through the app's own, tracked store), then reads the dashboard from the
// app and from a second instance over the same database with a clock a
// year and a half ahead, as another server of a cluster would.
func TestDashboard(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	done := dashCompleted(t, env, "Northwind Payroll", 1)
	open, _ := dashSend(t, env, "Bluefin Cloud Hosting", 2)
	fin := done.FinalScore
	residual := string(fin.Risk.Residual)
	openFindings := len(fin.Findings) - 1

	viewer := env.Login(t, auth.RoleViewer)
	status, page := fetch(t, viewer, env.URL+"/app/")
	if status != http.StatusOK {
		t.Fatalf("dashboard: %d\n%.3000s", status, page)
	}
	label := strings.ToUpper(residual[:1]) + residual[1:]
	mustContain(t, "dashboard", page, "2 active vendors",
		label+": 1", "Not assessed: 1.", fmt.Sprintf("%d open findings", openFindings),
		`<a href="/app/vendors/`+done.VendorID+`">Northwind Payroll</a>`, `badge badge-`+residual,
		`<abbr title="Supplier relationships (A.5.19–A.5.23)">Supplier</abbr>`, `aria-label="People controls (A.6)`,
		"No questionnaire is overdue.", `class="num matrix-`)
	if strings.Contains(page, `<a href="/app/vendors/`+open.VendorID+`">Bluefin`) {
		t.Error("a vendor never assessed is on the heat map")
	}
	var findingBars int
	for _, f := range fin.Findings[1:] {
		if f.Severity == fin.Findings[1].Severity {
			findingBars++
		}
	}
	sev := string(fin.Findings[1].Severity)
	mustContain(t, "findings chart", page, fmt.Sprintf("%s: %d", strings.ToUpper(sev[:1])+sev[1:], findingBars))

	_, page2013 := fetch(t, viewer, env.URL+"/app/?view=2013")
	mustContain(t, "2013 view", page2013, "vendors × 2013 domains", `<abbr title="Information security policies">A.5</abbr>`,
		`href="/app/?view=2013" aria-current="page"`, `<abbr title="Compliance">A.18</abbr>`)

	// A second instance, 18 months later: the open questionnaire is
	// overdue and the tier 1 vendor (12 months) is due for reassessment.
	later := time.Now().AddDate(0, 18, 0)
	second := storemongo.NewPortfolio(env.App.DB, storemongo.NewVendors(env.App.DB), storemongo.NewAssessments(env.App.DB), slog.New(slog.NewTextHandler(io.Discard, nil)))
	deps := handlers.Deps{Config: env.Config, Log: slog.New(slog.NewTextHandler(io.Discard, nil)), Renderer: env.App.Renderer,
		Auth: env.App.Auth, Audit: env.App.Audit, Library: env.App.Library, Assessments: env.App.Assessments, Vendors: env.App.Vendors,
		Outbox: env.App.Outbox, Reports: env.App.Reports, Portfolio: portfolio.NewService(second, func() time.Time { return later })}
	srv := httptest.NewServer(handlers.New(deps).Handler())
	t.Cleanup(srv.Close)
	status, page = fetch(t, viewer, srv.URL+"/app/")
	if status != http.StatusOK {
		t.Fatalf("second instance: %d\n%.2000s", status, page)
	}
	due := open.DueDate.UTC()
	late := int(time.Date(later.Year(), later.Month(), later.Day(), 0, 0, 0, 0, time.UTC).Sub(time.Date(due.Year(), due.Month(), due.Day(), 0, 0, 0, 0, time.UTC)).Hours() / 24)
	mustContain(t, "second instance", page, "Bluefin Cloud Hosting</a></td>", "<td>Vendor security essentials</td>",
		fmt.Sprintf(`<td class="num">%d</td>`, late), "days late", `badge badge-bad">Overdue`, "Northwind Payroll")

	// A change on the first instance reaches the second through the log.
	if err := env.App.Assessments.Revoke(dashCtx(t), dashReviewer, open.ID); err != nil {
		t.Fatal(err)
	}
	_, page = fetch(t, viewer, srv.URL+"/app/")
	mustContain(t, "second instance after a revoke", page, "No questionnaire is overdue.")
}
