package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/browsertest"
	"github.com/assayhq/assay/frontend"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/testenv"
	"github.com/assayhq/assay/vendors"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// The supplier's journey through the full ISO/IEC 27001 questionnaire:
// from the invitation in the mailbox to the read-only page after submit.
func TestSupplierAnswersInTheBrowser(t *testing.T) {
	env := apptest.New(t, apptest.Options{SMTP: true})
	box := testenv.MailpitBox(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()

	v, err := env.App.Vendors.Create(ctx, audit.System, vendors.Input{
		Name: "Contoso Cloud", Tier: 1, Contacts: []vendors.Contact{{Name: "Robin Supplier", Email: box.Address}},
	})
	if err != nil {
		t.Fatal(err)
	}
	a, err := env.App.Assessments.Send(ctx, audit.System, assessments.SendRequest{
		VendorID: v.ID, TemplateKey: "iso27001-2022-supplier-full", ContactName: "Robin Supplier", ContactEmail: box.Address,
		DueDate: time.Now().AddDate(0, 0, 14),
	})
	if err != nil {
		t.Fatal(err)
	}
	invitation := env.Mailpit.WaitFor(t, box.Address, 1, 30*time.Second)[0]
	link, err := testenv.LinkIn(invitation.Text, env.URL+"/q/")
	if err != nil {
		t.Fatalf("%v:\n%s", err, invitation.Text)
	}
	token := strings.TrimPrefix(link, env.URL+"/q/")

	b := browsertest.New(t)
	consoleErrors := browsertest.ConsoleErrors(b)

	// The start page says who asks, by when, and how much there is to do.
	browsertest.Do(t, b, chromedp.Navigate(link), chromedp.WaitVisible(chromedp.ID("intro-title")))
	intro := browsertest.Run(t, b, chromedp.Text(chromedp.CSS(".portal-intro")))
	for _, want := range []string{"Example Corp asks Contoso Cloud", "Due", "Questions", "Time needed"} {
		if !strings.Contains(intro, want) {
			t.Errorf("start page lacks %q:\n%s", want, intro)
		}
	}
	browsertest.Screenshot(t, b, "start")

	// A conditional question: "yes" to the certificate shows its upload at
	// once, before the autosave has even answered.
	browsertest.Do(t, b, chromedp.Click(chromedp.CSS(".portal-intro a.btn")), chromedp.WaitVisible(chromedp.ID("section-title")),
		chromedp.WaitNotVisible(chromedp.ID("q-co-iso27001-certificate")))
	browsertest.Do(t, b, chromedp.Click(chromedp.CSS(`input[name="q.co-iso27001"][value="yes"]`)),
		chromedp.WaitVisible(chromedp.ID("q-co-iso27001-certificate")), chromedp.WaitVisible(chromedp.ID("in-co-iso27001-body")))
	waitSaved(t, b)
	browsertest.Screenshot(t, b, "follow-up-shown")

	// Keyboard only: Tab from the answer reaches the file picker of the
	// upload that appeared, and the focus is drawn.
	browsertest.Do(t, b, chromedp.Focus(chromedp.CSS(`input[name="q.co-iso27001"][value="yes"]`)))
	focused := ""
	for i := 0; i < 6 && focused != "file-co-iso27001-certificate"; i++ {
		browsertest.Do(t, b, chromedp.KeyEvent("\t"))
		focused = browsertest.Run(t, b, chromedp.Evaluate[string](`document.activeElement.id`))
	}
	if focused != "file-co-iso27001-certificate" {
		t.Errorf("Tab from the answer ends on %q, not on the upload's file picker", focused)
	}
	if outline := browsertest.Run(t, b, chromedp.Evaluate[string](`getComputedStyle(document.activeElement).outlineStyle`)); outline == "none" {
		t.Error("the focused file picker shows no focus outline")
	}

	// A PDF through the file picker: listed with its size once uploaded.
	pdf := smallPDF()
	pdfPath := filepath.Join(t.TempDir(), "iso-27001-certificate.pdf")
	if err := os.WriteFile(pdfPath, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	browsertest.Do(t, b, chromedp.SetUploadFiles(chromedp.ID("file-co-iso27001-certificate"), []string{pdfPath}),
		chromedp.WaitVisible(chromedp.CSS(`#files-co-iso27001-certificate li[data-eid]`)))
	listed := browsertest.Run(t, b, chromedp.Text(chromedp.CSS(`#files-co-iso27001-certificate li[data-eid]`)))
	if !strings.Contains(listed, "iso-27001-certificate.pdf") || !strings.Contains(listed, frontend.HumanBytes(int64(len(pdf)))) {
		t.Errorf("uploaded file listed as %q, want its name and %s", listed, frontend.HumanBytes(int64(len(pdf))))
	}
	browsertest.Do(t, b, chromedp.SendKeys(chromedp.ID("in-co-legal-name"), "Contoso Cloud Ltd"))
	waitSaved(t, b)
	browsertest.Screenshot(t, b, "pdf-uploaded")

	// A value the server refuses is named beside its field and not retried.
	browsertest.Run(t, b, chromedp.Evaluate[bool](`(() => { const el = document.getElementById("in-co-service-scope");
		el.value = "x".repeat(20001); el.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`))
	browsertest.Do(t, b, chromedp.WaitVisible(chromedp.ID("err-co-service-scope")))
	if inv := browsertest.Run(t, b, chromedp.AttributeValue(chromedp.ID("in-co-service-scope"), "aria-invalid")); inv.Value != "true" {
		t.Errorf("a refused answer's field has aria-invalid %q", inv.Value)
	}
	if st := browsertest.Run(t, b, chromedp.Text(chromedp.ID("savestate"))); !strings.HasPrefix(st, "Not saved") {
		t.Errorf("save indicator after a refused value: %q", st)
	}
	browsertest.Screenshot(t, b, "answer-refused")
	browsertest.Run(t, b, chromedp.Evaluate[bool](`(() => { const el = document.getElementById("in-co-service-scope");
		el.value = ""; el.dispatchEvent(new Event("input", {bubbles: true})); return true; })()`))
	waitSaved(t, b)
	browsertest.Do(t, b, chromedp.WaitNotVisible(chromedp.ID("err-co-service-scope")))

	// Offline, the typed words wait and are retried until the connection
	// is back: nothing is lost.
	setOffline(t, b, true)
	browsertest.Do(t, b, chromedp.SendKeys(chromedp.ID("in-co-data-locations"), "EU (Frankfurt), backups in Dublin"))
	browsertest.Run(t, b, chromedp.Poll[bool](`document.getElementById("savestate").textContent === "Not saved — retrying"`,
		chromedp.WithPollingTimeout(20*time.Second)))
	browsertest.Screenshot(t, b, "offline-retrying")
	setOffline(t, b, false)
	waitSaved(t, b)
	if got, err := env.App.Assessments.Get(ctx, a.ID); err != nil || got.AnswerValues()["co-data-locations"] != "EU (Frankfurt), backups in Dublin" {
		t.Errorf("the answer typed offline was not saved once back online (err %v)", err)
	}

	// Coming back later finds everything as it was left.
	browsertest.Do(t, b, chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("section-title")),
		chromedp.WaitVisible(chromedp.ID("q-co-iso27001-certificate")))
	if !browsertest.Run(t, b, chromedp.Evaluate[bool](`document.querySelector('input[name="q.co-iso27001"][value="yes"]').checked`)) {
		t.Error("after a reload the certificate answer is not yes")
	}
	if v := browsertest.Run(t, b, chromedp.Value(chromedp.ID("in-co-legal-name"))); v != "Contoso Cloud Ltd" {
		t.Errorf("after a reload the legal name is %q", v)
	}
	if f := browsertest.Run(t, b, chromedp.Text(chromedp.CSS(`#files-co-iso27001-certificate`))); !strings.Contains(f, "iso-27001-certificate.pdf") {
		t.Errorf("after a reload the file list is %q", f)
	}
	browsertest.Screenshot(t, b, "after-reload")

	// Submitting with required questions open is refused, naming them.
	browsertest.Do(t, b, chromedp.Navigate(link+"/review"), chromedp.WaitVisible(chromedp.ID("missing")),
		chromedp.Click(chromedp.CSS(`form[action$="/submit"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".flash-error")))
	missing := browsertest.Run(t, b, chromedp.Text(chromedp.ID("missing")))
	contact, _ := questionnaireQuestion(t, env, a.ID, "co-security-contact")
	if !strings.Contains(missing, contact.Text) {
		t.Errorf("the refused submit does not name the open question %q:\n%.400s", contact.Text, missing)
	}
	browsertest.Screenshot(t, b, "submit-refused")

	// Everything but one question through the JSON API, the last by hand.
	fillRequired(t, env, a.ID, token, pdf, "co-security-contact")
	browsertest.Do(t, b, chromedp.Navigate(link+"/s/company#q-co-security-contact"), chromedp.WaitVisible(chromedp.ID("in-co-security-contact")),
		chromedp.SendKeys(chromedp.ID("in-co-security-contact"), "Jo Example, CISO, security@contoso.test"))
	waitSaved(t, b)

	// At 375 px the section list folds above the questions and nothing
	// scrolls sideways.
	browsertest.Do(t, b, chromedp.EmulateViewport(375, 812), chromedp.Reload(), chromedp.WaitVisible(chromedp.ID("section-title")))
	if w := browsertest.Run(t, b, chromedp.Evaluate[int](`document.documentElement.scrollWidth`)); w > 375 {
		t.Errorf("at 375 px the page is %d px wide", w)
	}
	if browsertest.Run(t, b, chromedp.Evaluate[bool](`document.getElementById("portal-nav").open`)) {
		t.Error("at 375 px the section list should be folded")
	}
	browsertest.Screenshot(t, b, "section-375px")
	browsertest.Do(t, b, chromedp.EmulateViewport(1280, 900))

	browsertest.Do(t, b, chromedp.Navigate(link+"/review"), chromedp.WaitVisible(chromedp.ID("open-title")))
	if h := browsertest.Run(t, b, chromedp.Text(chromedp.ID("open-title"))); h != "Every required question is answered" {
		t.Fatalf("review page after answering everything: %q", h)
	}
	browsertest.Do(t, b, chromedp.Click(chromedp.CSS(`form[action$="/submit"] button[type=submit]`)), chromedp.WaitVisible(chromedp.CSS(".flash-ok")))
	if msg := browsertest.Run(t, b, chromedp.Text(chromedp.CSS(".flash-ok"))); !strings.Contains(msg, "Thank you: your answers were submitted") {
		t.Errorf("after submit: %q", msg)
	}
	browsertest.Screenshot(t, b, "submitted")

	// The answers now read as text, with the copy to download.
	browsertest.Do(t, b, chromedp.Navigate(link+"/s/company"), chromedp.WaitVisible(chromedp.ID("section-title")))
	if n := browsertest.Run(t, b, chromedp.Evaluate[int](`document.querySelectorAll('input[name^="q."], textarea, select, input[type=file]').length`)); n != 0 {
		t.Errorf("%d inputs left on the read-only page", n)
	}
	ro := browsertest.Run(t, b, chromedp.Text(chromedp.CSS("#qform")))
	for _, want := range []string{"Contoso Cloud Ltd", "Jo Example, CISO", "iso-27001-certificate.pdf"} {
		if !strings.Contains(ro, want) {
			t.Errorf("read-only page lacks %q", want)
		}
	}
	browsertest.Do(t, b, chromedp.WaitVisible(chromedp.CSS(`a[href$="/answers.csv"]`)))
	browsertest.Screenshot(t, b, "read-only")

	got, err := env.App.Assessments.Get(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if got.Status != assessments.StatusSubmitted {
		t.Errorf("status %s after submit", got.Status)
	}
	if receipts := env.Mailpit.WaitFor(t, box.Address, 2, 30*time.Second); !strings.Contains(strings.ToLower(receipts[1].Subject), "receiv") &&
		!strings.Contains(strings.ToLower(receipts[1].Subject), "submit") {
		t.Errorf("second mail to the supplier is %q, want the receipt", receipts[1].Subject)
	}
	var errs []string
	for _, e := range consoleErrors() {
		// The refused submit and answer above answer 422 on purpose, and the
		// offline spell fails its requests.
		if !strings.Contains(e, "status of 422") && !strings.Contains(e, "ERR_INTERNET_DISCONNECTED") {
			errs = append(errs, e)
		}
	}
	if len(errs) > 0 {
		t.Errorf("the pages reported errors (a CSP refusal shows here):\n%s", strings.Join(errs, "\n"))
	}
}

// setOffline cuts the page's network, or gives it back.
func setOffline(t *testing.T, b context.Context, offline bool) {
	t.Helper()
	var rules []*network.Conditions
	if offline {
		rules = []*network.Conditions{{Offline: true, DownloadThroughput: -1, UploadThroughput: -1}}
	}
	if _, err := chromedp.Call(b, network.Enable, network.EnableParams{}); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Call(b, network.EmulateNetworkConditionsByRule,
		network.EmulateNetworkConditionsByRuleParams{MatchedNetworkConditions: rules}); err != nil {
		t.Fatal(err)
	}
}

// waitSaved waits until the autosave indicator says every change is saved.
func waitSaved(t *testing.T, b context.Context) {
	t.Helper()
	browsertest.Run(t, b, chromedp.Poll[bool](`document.getElementById("savestate").dataset.state === "saved"`,
		chromedp.WithPollingTimeout(20*time.Second)))
}

func questionnaireQuestion(t *testing.T, env *apptest.Env, id, qid string) (questionnaires.Question, *assessments.Assessment) {
	t.Helper()
	a, err := env.App.Assessments.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	q, ok := a.Template.Question(qid)
	if !ok {
		t.Fatalf("no question %s", qid)
	}
	return q, a
}

// fillRequired answers every open required question but skip through the
// supplier's JSON API, as an integration would, uploading pdf for file
// questions; follow-ups that the answers open are answered in turn.
func fillRequired(t *testing.T, env *apptest.Env, id, token string, pdf []byte, skip string) {
	t.Helper()
	api := env.URL + "/api/v1/portal/" + token
	for round := 0; ; round++ {
		a, err := env.App.Assessments.Get(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		ev, err := env.App.Assessments.Evidence(context.Background(), id)
		if err != nil {
			t.Fatal(err)
		}
		counts := map[string]int{}
		for _, e := range ev {
			counts[e.QuestionID]++
		}
		answers := map[string]any{}
		for _, qid := range questionnaires.MissingRequired(a.Template, a.AnswerValues(), counts) {
			q, _ := a.Template.Question(qid)
			switch {
			case qid == skip:
			case q.Type == questionnaires.TypeFile:
				apiUpload(t, api, qid, pdf)
			default:
				answers[qid] = sampleAnswer(q)
			}
		}
		if len(answers) == 0 {
			return
		}
		if round == 10 {
			t.Fatalf("required questions keep appearing: %v", answers)
		}
		body, _ := json.Marshal(map[string]any{"answers": answers})
		req, _ := http.NewRequest(http.MethodPut, api+"/answers", bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("PUT answers: %d", resp.StatusCode)
		}
	}
}

func sampleAnswer(q questionnaires.Question) any {
	opts := q.EffectiveOptions()
	switch q.Type {
	case questionnaires.TypeYesNo, questionnaires.TypeYesNoNA, questionnaires.TypeSingleChoice:
		return opts[0].Value
	case questionnaires.TypeMultiChoice:
		return []string{opts[0].Value}
	case questionnaires.TypeNumber:
		return 1.0
	case questionnaires.TypeDate:
		return time.Now().AddDate(1, 0, 0).Format(questionnaires.DateLayout)
	}
	return "Answered by the browser test's integration."
}

func apiUpload(t *testing.T, api, qid string, data []byte) {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	_ = mw.WriteField("question_id", qid)
	w, _ := mw.CreateFormFile("file", qid+".pdf")
	_, _ = w.Write(data)
	_ = mw.Close()
	resp, err := http.Post(api+"/evidence", mw.FormDataContentType(), &body)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusCreated {
		t.Fatalf("upload for %s: %d", qid, resp.StatusCode)
	}
}

// smallPDF is a complete one-page PDF, as small as a valid one gets.
func smallPDF() []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
	}
	var b bytes.Buffer
	b.WriteString("%PDF-1.4\n")
	offsets := make([]int, len(objs))
	for i, o := range objs {
		offsets[i] = b.Len()
		fmt.Fprintf(&b, "%d 0 obj\n%s\nendobj\n", i+1, o)
	}
	xref := b.Len()
	fmt.Fprintf(&b, "xref\n0 %d\n0000000000 65535 f \n", len(objs)+1)
	for _, off := range offsets {
		fmt.Fprintf(&b, "%010d 00000 n \n", off)
	}
	fmt.Fprintf(&b, "trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n", len(objs)+1, xref)
	return b.Bytes()
}
