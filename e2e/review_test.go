package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/browsertest"
	"github.com/assayhq/assay/testenv"
	"github.com/assayhq/assay/vendors"
	"github.com/chromedp/chromedp"
)

// TestReviewJourney is the security team's day with one vendor: a
// questionnaire comes back, a reviewer flags an answer and asks about it,
// the supplier (another browser, no account) answers again, the reviewer
// sees the change, decides the findings and completes; the dashboard and
// the vendor page then show the vendor's new risk.
func TestReviewJourney(t *testing.T) {
	box := testenv.MailpitBox(t)
	env := apptest.New(t, apptest.Options{Mailpit: box.Mailpit})
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	// The questionnaire goes out and the supplier answers it through the
	// JSON API, as an integration would: no MFA, no encryption at rest.
	v, err := env.App.Vendors.Create(ctx, audit.System, vendors.Input{
		Name: "Northwind Hosting", Tier: 1, Contacts: []vendors.Contact{{Name: "Nora Supplier", Email: box.Address}},
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := env.App.Assessments.Send(ctx, audit.System, assessments.SendRequest{
		VendorID: v.ID, TemplateKey: "vendor-lite", DueDate: time.Now().AddDate(0, 0, 14),
	})
	if err != nil {
		t.Fatal(err)
	}
	link, err := testenv.LinkIn(mailWith(t, box, "/q/").Text, env.URL+"/q/")
	if err != nil {
		t.Fatal(err)
	}
	token := strings.TrimPrefix(link, env.URL+"/q/")
	answers := map[string]any{
		"vl-certification": "no", "vl-policy": "yes", "vl-security-owner": "yes", "vl-data-access": "yes",
		"vl-subprocessors": "yes", "vl-access-control": "yes", "vl-incident-notify": "yes", "vl-incident-plan": "yes",
		"vl-continuity": "yes", "vl-privacy": "yes", "vl-screening": "yes", "vl-confidentiality": "yes",
		"vl-training": "yes", "vl-premises": "yes", "vl-disposal": "yes", "vl-devices": "yes",
		"vl-mfa": "no", "vl-patching": "yes", "vl-encryption": "no", "vl-backup": "yes", "vl-firewall": "yes",
		"vl-logging": "yes", "vl-develops-software": "no",
	}
	portalAPI(t, env, http.MethodPut, "/api/v1/portal/"+token+"/answers", map[string]any{"answers": answers})
	portalAPI(t, env, http.MethodPost, "/api/v1/portal/"+token+"/submit", nil)

	// The reviewer finds it in the queue.
	email, password := env.CreateUser(t, auth.RoleReviewer)
	rctx := browsertest.New(t)
	consoleErrors := browsertest.ConsoleErrors(rctx)
	browsertest.Do(t, rctx, chromedp.Navigate(env.URL+"/app/reviews"), signIn(email, password), chromedp.WaitVisible(chromedp.CSS("table")))
	if row := browsertest.Run(t, rctx, chromedp.Text(chromedp.CSS("tbody tr"))); !strings.Contains(row, "Northwind Hosting") || !strings.Contains(row, "Submitted") {
		t.Fatalf("queue row: %q", row)
	}
	browsertest.Screenshot(t, rctx, "queue")
	mfa := `[id="q-vl-mfa"]`
	browsertest.Do(t, rctx, chromedp.Click(chromedp.CSS(`a[href="/app/assessments/`+a.ID+`/review"]`)), chromedp.WaitVisible(chromedp.CSS(mfa)))
	panel := browsertest.Run(t, rctx, chromedp.Text(chromedp.ID("score-panel")))
	for _, want := range []string{"Live score", "Organizational", "Supplier controls", "Residual risk", "A.8.5"} {
		if !strings.Contains(panel, want) {
			t.Errorf("score panel lacks %q:\n%s", want, panel)
		}
	}
	browsertest.Screenshot(t, rctx, "review")

	// Flag the MFA answer, then ask the supplier about it. review.js posts
	// both in the background and refreshes the question in place.
	browsertest.Do(t, rctx,
		chromedp.Click(chromedp.CSS(mfa+` .review-actions > details:nth-of-type(1) > summary`)),
		chromedp.WaitVisible(chromedp.ID("rc-vl-mfa")),
		chromedp.SendKeys(chromedp.ID("rc-vl-mfa"), "No MFA on the admin console is a blocker for a tier 1 vendor."),
		chromedp.Click(chromedp.CSS(mfa+` details button[value="flag"]`)),
		chromedp.WaitVisible(chromedp.CSS(mfa+` .badge-bad`)),
	)
	if c := browsertest.Run(t, rctx, chromedp.Text(chromedp.CSS(mfa+" .comment"))); !strings.Contains(c, "blocker for a tier 1 vendor") {
		t.Errorf("the flagged question does not show the comment: %q", c)
	}
	// review.js did it in place: no page load (which would have come back
	// with ?saved=), and focus stays on the button that was pressed.
	if loc := browsertest.Run(t, rctx, chromedp.Location()); strings.Contains(loc, "saved=") {
		t.Errorf("the flag reloaded the page (%s) instead of refreshing the question in place", loc)
	}
	if f := browsertest.Run(t, rctx, chromedp.Evaluate[string](`document.activeElement.value + " in " + document.activeElement.closest(".review-q").id`)); f != "flag in q-vl-mfa" {
		t.Errorf("focus after the flag: %q", f)
	}
	browsertest.Screenshot(t, rctx, "flagged")
	question := "Do you plan MFA for the admin console, and by when?"
	browsertest.Do(t, rctx,
		chromedp.Click(chromedp.CSS(mfa+` .review-actions > details:nth-of-type(2) > summary`)),
		chromedp.WaitVisible(chromedp.ID("cl-vl-mfa")),
		chromedp.SendKeys(chromedp.ID("cl-vl-mfa"), question),
		chromedp.Click(chromedp.CSS(mfa+` form[action$="/clarification"] button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(mfa+` .badge-clarification_requested`)),
	)
	if status := browsertest.Run(t, rctx, chromedp.Text(chromedp.CSS(`#review-facts .badge`))); status != "Clarification requested" {
		t.Errorf("status after the clarification: %q", status)
	}
	browsertest.Screenshot(t, rctx, "clarification-asked")
	if m := mailWith(t, box, question); !strings.Contains(m.Text, "admin console") {
		t.Errorf("clarification mail:\n%s", m.Text)
	}

	// The supplier, in a browser of their own, sees only the reopened
	// question with the reviewer's comment, answers it again and sends
	// the questionnaire back.
	sctx := browsertest.NewContext(t, rctx)
	browsertest.Do(t, sctx, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.CSS(mfa)))
	if c := browsertest.Run(t, sctx, chromedp.Text(chromedp.CSS(mfa+" .comment"))); !strings.Contains(c, question) {
		t.Errorf("the supplier does not see the reviewer's question: %q", c)
	}
	editable := browsertest.Run(t, sctx, chromedp.Evaluate[[]string](
		`[...new Set([...document.querySelectorAll('[name^="q."]')].map(e => e.name))]`))
	if len(editable) != 1 || editable[0] != "q.vl-mfa" {
		t.Errorf("the supplier may change %v; only the reopened question should be open", editable)
	}
	browsertest.Screenshot(t, sctx, "supplier-clarification")
	browsertest.Do(t, sctx,
		chromedp.Click(chromedp.CSS(mfa+` input[value="yes"]`)),
		// The page saves the change itself first, and asks before leaving
		// while a save is under way; a person waits for "Saved" too.
		chromedp.WaitVisible(chromedp.CSS(`#savestate[data-state="saved"]`)),
		chromedp.Click(chromedp.CSS(`#qform button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(`form[action$="/submit"] button`)),
		chromedp.Click(chromedp.CSS(`form[action$="/submit"] button`)),
		chromedp.WaitVisible(chromedp.CSS(`.flash-ok`)),
	)
	browsertest.Screenshot(t, sctx, "supplier-sent-back")

	// The reviewer reloads and sees the new answer, submitted again.
	browsertest.Do(t, rctx, chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(mfa)))
	if ans := browsertest.Run(t, rctx, chromedp.Text(chromedp.CSS(mfa+" .answer"))); ans != "Yes" {
		t.Errorf("the reviewer sees %q for the reopened question, want the supplier's new Yes", ans)
	}
	if status := browsertest.Run(t, rctx, chromedp.Text(chromedp.CSS(`#review-facts .badge`))); status != "Submitted" {
		t.Errorf("status after the supplier sent it back: %q", status)
	}
	browsertest.Screenshot(t, rctx, "changed-answer")

	// Treatments: mitigate the first finding and mail the vendor about
	// it, accept the rest.
	browsertest.Do(t, rctx, chromedp.Click(chromedp.ID("findings-link")), chromedp.WaitVisible(chromedp.CSS("section.finding")))
	findings := browsertest.Run(t, rctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("section.finding")].map(s => s.id)`))
	if len(findings) == 0 {
		t.Fatal("no findings to treat: the answers left no control gap")
	}
	for i, id := range findings {
		sel := `[id="` + id + `"]`
		treatment := "accept"
		if i == 0 {
			treatment = "mitigate"
		}
		browsertest.Do(t, rctx,
			chromedp.Click(chromedp.CSS(sel+` input[name=treatment][value=`+treatment+`]`)),
			chromedp.SetValue(chromedp.CSS(sel+` input[name=owner]`), email),
			chromedp.SetValue(chromedp.CSS(sel+` input[name=due_date]`), time.Now().AddDate(0, 3, 0).Format("2006-01-02")),
			chromedp.SetValue(chromedp.CSS(sel+` select[name=status]`), "in_progress"),
			chromedp.SetValue(chromedp.CSS(sel+` textarea[name=note]`), "Decided in the "+treatment+" review meeting"),
			chromedp.Click(chromedp.CSS(sel+` form.finding-form button[type=submit]`)),
			chromedp.WaitVisible(chromedp.CSS(sel+` .savestate`)),
		)
	}
	first := `[id="` + findings[0] + `"]`
	browsertest.Do(t, rctx, chromedp.Click(chromedp.CSS(first+` form[action$="/remediation"] button`)), chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	browsertest.Screenshot(t, rctx, "findings-treated")
	if m := mailWith(t, box, "address this finding"); !strings.Contains(m.Text, strings.TrimPrefix(findings[0], "f-")) || !strings.Contains(m.Text, "Northwind") {
		t.Errorf("remediation mail for %s:\n%s", findings[0], m.Text)
	}

	// Complete with a decision: the page becomes the record.
	browsertest.Do(t, rctx,
		chromedp.Navigate(env.URL+"/app/assessments/"+a.ID+"/review"),
		chromedp.WaitVisible(chromedp.ID("complete")),
		chromedp.Click(chromedp.CSS(`#complete input[name=decision][value=mitigate]`)),
		chromedp.SendKeys(chromedp.ID("complete-note"), "Acceptable once MFA covers the admin console."),
		chromedp.Click(chromedp.CSS(`#complete button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS(".review-decision")),
	)
	final, err := env.App.Assessments.Get(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if final.Status != assessments.StatusCompleted || final.FinalScore == nil {
		t.Fatalf("after completing: %s", final.Status)
	}
	page := browsertest.Run(t, rctx, chromedp.Text(chromedp.CSS("main")))
	for _, want := range []string{"Decision: Mitigate", "Final score", "read-only", "Acceptable once MFA covers the admin console."} {
		if !strings.Contains(page, want) {
			t.Errorf("completed review lacks %q", want)
		}
	}
	if n := browsertest.Run(t, rctx, chromedp.Evaluate[int](`document.querySelectorAll('form[action*="/questions/"]').length`)); n != 0 {
		t.Errorf("a completed review still has %d question forms", n)
	}
	browsertest.Screenshot(t, rctx, "completed")

	// At 375px the score panel follows the questions and nothing needs a
	// sideways scroll.
	browsertest.Do(t, rctx, chromedp.EmulateViewport(375, 812), chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("score-panel")))
	if w := browsertest.Run(t, rctx, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 375 {
		t.Errorf("the review page is %dpx wide at a 375px viewport", w)
	}
	browsertest.Screenshot(t, rctx, "completed-375px")
	browsertest.Do(t, rctx, chromedp.EmulateViewport(1280, 900))

	grade, residual := final.FinalScore.Grade, string(final.FinalScore.Risk.Residual)
	residualLabel := strings.ToUpper(residual[:1]) + residual[1:]

	// The vendor page shows the new current risk.
	browsertest.Do(t, rctx, chromedp.Navigate(env.URL+"/app/vendors/"+v.ID), chromedp.WaitVisible(chromedp.CSS("main .grade")))
	if g := browsertest.Run(t, rctx, chromedp.Text(chromedp.CSS("main .grade"))); g != grade {
		t.Errorf("vendor page grade %q, want %q", g, grade)
	}
	if b := browsertest.Run(t, rctx, chromedp.Text(chromedp.CSS("main .badge-"+residual))); b != residualLabel {
		t.Errorf("vendor page residual risk %q, want %q", b, residualLabel)
	}
	browsertest.Screenshot(t, rctx, "vendor")

	// And so does the dashboard.
	browsertest.Do(t, rctx, chromedp.Navigate(env.URL+"/app/"), chromedp.WaitVisible(chromedp.CSS("main")))
	dash := browsertest.Run(t, rctx, chromedp.Text(chromedp.CSS("main")))
	row := browsertest.Run(t, rctx, chromedp.Evaluate[string](
		`[...document.querySelectorAll("main tr")].map(r => r.innerText).find(t => t.includes("Northwind Hosting")) || ""`))
	if !strings.Contains(row, residualLabel) || !strings.Contains(row, grade) {
		t.Errorf("the dashboard's row for Northwind Hosting %q lacks its %s residual risk and grade %s:\n%s", row, residual, grade, dash)
	}
	browsertest.Screenshot(t, rctx, "dashboard")

	if errs := consoleErrors(); len(errs) > 0 {
		t.Errorf("the staff pages reported errors (a CSP refusal shows here):\n%s", strings.Join(errs, "\n"))
	}
}

// portalAPI calls the supplier JSON API and fails the test unless it
// answers 200.
func portalAPI(t *testing.T, env *apptest.Env, method, path string, body any) {
	t.Helper()
	var buf bytes.Buffer
	if body != nil {
		if err := json.NewEncoder(&buf).Encode(body); err != nil {
			t.Fatal(err)
		}
	}
	req, err := http.NewRequest(method, env.URL+path, &buf)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := env.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		var e map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&e)
		t.Fatalf("%s %s: %s %v", method, path[strings.LastIndex(path, "/"):], resp.Status, e)
	}
}

// mailWith waits for a message to box whose text contains s.
func mailWith(t *testing.T, box *testenv.Mailbox, s string) testenv.Message {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		for _, sum := range box.Search(t, box.Address) {
			if m := box.Get(t, sum.ID); strings.Contains(m.Text, s) {
				return m
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no mail to %s containing %q", box.Address, s)
		}
		time.Sleep(200 * time.Millisecond)
	}
}
