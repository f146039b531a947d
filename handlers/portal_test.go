package handlers_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/vendors"
	"go.mongodb.org/mongo-driver/bson"
)

// The portal tests drive the supplier pages as a browser without
// JavaScript would: plain GETs, form posts and multipart uploads.

const (
	portalFullKey = "iso27001-2022-supplier-full"
	portalLiteKey = "vendor-lite"
)

var portalSupplier = audit.Actor{Kind: audit.KindSupplier, IP: "192.0.2.7"}

// portalLink is an assessment sent to a new vendor, with the token taken
// from the invitation mail.
type portalLink struct {
	env                *apptest.Env
	ID, VendorID, Path string
	Token              string
}

func portalCtx(t testing.TB) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	t.Cleanup(cancel)
	return ctx
}

// portalSend creates a vendor and sends it the template; vendorID reuses
// an existing vendor when set.
func portalSend(t testing.TB, env *apptest.Env, key, vendorID string) portalLink {
	t.Helper()
	v := vendors.Input{Name: "Northwind Hosting", Tier: 2, Contacts: []vendors.Contact{{Name: "Sam Supplier", Email: "sam@northwind.test"}}}
	sent := env.Send(t, v, assessments.SendRequest{
		VendorID: vendorID, TemplateKey: key, ContactEmail: "sam@northwind.test", DueDate: time.Now().AddDate(0, 0, 21),
		Message: "Please answer by the end of the month.",
	})
	return portalLink{env: env, ID: sent.ID, VendorID: sent.VendorID, Token: sent.Token, Path: sent.Path()}
}

type portalResp struct {
	Status int
	Header http.Header
	Body   string
}

func portalDo(t testing.TB, env *apptest.Env, req *http.Request) portalResp {
	t.Helper()
	resp, err := env.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return portalResp{resp.StatusCode, resp.Header, string(b)}
}

func portalGet(t testing.TB, env *apptest.Env, path string) portalResp {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, env.URL+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	return portalDo(t, env, req)
}

func portalPost(t testing.TB, env *apptest.Env, path string, form url.Values) portalResp {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, env.URL+path, strings.NewReader(form.Encode()))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return portalDo(t, env, req)
}

// portalUpload posts files as the no-JS upload form does.
func portalUpload(t testing.TB, env *apptest.Env, path, qid string, files map[string][]byte) portalResp {
	t.Helper()
	var body bytes.Buffer
	mw := multipart.NewWriter(&body)
	for name, data := range files {
		w, err := mw.CreateFormFile("file", name)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = w.Write(data)
	}
	_ = mw.Close()
	req, err := http.NewRequest(http.MethodPost, env.URL+path+"/evidence?question_id="+url.QueryEscape(qid), &body)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return portalDo(t, env, req)
}

// portalPDF is a small but complete PDF: one empty page.
func portalPDF() []byte {
	objs := []string{
		"<< /Type /Catalog /Pages 2 0 R >>",
		"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
		"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>",
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

func mustContain(t testing.TB, what, body string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(body, w) {
			t.Errorf("%s lacks %q", what, w)
		}
	}
}

func mustNotContain(t testing.TB, what, body string, unwanted ...string) {
	t.Helper()
	for _, w := range unwanted {
		if strings.Contains(body, w) {
			t.Errorf("%s must not contain %q", what, w)
		}
	}
}

func TestPortalStartPage(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	l := portalSend(t, env, portalFullKey, "")
	r := portalGet(t, env, l.Path)
	if r.Status != http.StatusOK {
		t.Fatalf("start page: %d\n%s", r.Status, r.Body)
	}
	a, err := env.App.Assessments.Get(portalCtx(t), l.ID)
	if err != nil {
		t.Fatal(err)
	}
	p := questionnaires.Progress(a.Template, nil, nil)
	mustContain(t, "start page", r.Body,
		"Example Corp", "Northwind Hosting", a.DueDate.UTC().Format("2 Jan 2006"), "Please answer by the end of the month.",
		fmt.Sprintf("<dd>%d (%d required)", p.Total, p.Required), assessments.Estimate(a.Template),
		`<progress id="overall-progress" max="`+fmt.Sprint(p.Total)+`" value="0">`, ">Start<", l.Path+"/s/company")
	mustNotContain(t, "start page", r.Body, "Start from your last answers", ">Continue<")
	if got := r.Header.Get("Referrer-Policy"); got != "no-referrer" {
		t.Errorf("Referrer-Policy %q", got)
	}
	// The token must never reach another origin: every reference is local.
	for _, m := range regexp.MustCompile(`(?:src|href|action)="([^"]*)"`).FindAllStringSubmatch(r.Body, -1) {
		if !strings.HasPrefix(m[1], "/") && !strings.HasPrefix(m[1], "#") {
			t.Errorf("external reference %q on a supplier page", m[1])
		}
	}
}

func TestPortalBadLinks(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	revoked := portalSend(t, env, portalLiteKey, "")
	if err := env.App.Assessments.Revoke(portalCtx(t), audit.System, revoked.ID); err != nil {
		t.Fatal(err)
	}
	expired := portalSend(t, env, portalLiteKey, revoked.VendorID)
	_, err := env.App.DB.Collection("assessments").UpdateOne(portalCtx(t), bson.M{"_id": expired.ID},
		bson.M{"$set": bson.M{"expires_at": time.Now().Add(-time.Hour)}})
	if err != nil {
		t.Fatal(err)
	}

	unknown := portalGet(t, env, "/q/"+strings.Repeat("x", 43))
	gone := portalGet(t, env, revoked.Path)
	if unknown.Status != http.StatusNotFound || gone.Status != http.StatusNotFound {
		t.Fatalf("unknown link %d, revoked link %d; want 404 for both", unknown.Status, gone.Status)
	}
	if unknown.Body != gone.Body {
		t.Error("an unknown and a revoked link must look the same")
	}
	for _, path := range []string{expired.Path, expired.Path + "/s/organization", expired.Path + "/review"} {
		r := portalGet(t, env, path)
		if r.Status != http.StatusGone {
			t.Fatalf("%s: %d, want 410", path, r.Status)
		}
		mustContain(t, "expired page", r.Body, "This link has expired", "contact <strong>Example Corp</strong>")
		mustNotContain(t, "expired page", r.Body, "sam@northwind.test", "Sam Supplier")
	}
}

func TestPortalSectionPage(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	l := portalSend(t, env, portalFullKey, "")
	r := portalGet(t, env, l.Path+"/s/company")
	if r.Status != http.StatusOK {
		t.Fatalf("section: %d\n%s", r.Status, r.Body)
	}
	mustContain(t, "section page", r.Body,
		`<h1 id="section-title">Certifications and company</h1>`,
		`method="post" action="`+l.Path+`/s/company"`,
		`<input id="in-co-legal-name" type="text" name="q.co-legal-name"`,
		`<textarea id="in-co-service-scope" name="q.co-service-scope"`,
		`<legend class="qtext">Do you hold a current ISO/IEC 27001 certificate`,
		`type="radio" name="q.co-iso27001" value="yes"`,
		`<input id="in-co-iso27001-expiry" type="date"`,
		`id="q-co-iso27001-certificate" data-qid="co-iso27001-certificate" data-type="file" hidden`,
		`<script type="application/json" id="rules">{"order":`,
		`<script src="/assets/visibility.js?v=`, `/static/portal.js?v=`,
		`data-section-count="company"`, `id="savestate" data-state="saved" role="status" aria-live="polite"`,
		`enctype="multipart/form-data" action="`+l.Path+`/evidence?question_id=co-iso27001-certificate"`)
	mustNotContain(t, "section page", r.Body, "style=", "onclick", "onchange", "<script>")
	// Every input has a label: its own, or the one it sits in.
	for _, m := range regexp.MustCompile(`<(?:input|select|textarea) id="([^"]+)"`).FindAllStringSubmatch(r.Body, -1) {
		if !strings.Contains(r.Body, `for="`+m[1]+`"`) {
			t.Errorf("input %s has no label", m[1])
		}
	}
	if r := portalGet(t, env, l.Path+"/s/no-such-section"); r.Status != http.StatusNotFound {
		t.Errorf("unknown section: %d, want 404", r.Status)
	}
}

func TestPortalSaveSectionWithoutJS(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	l := portalSend(t, env, portalFullKey, "")
	form := url.Values{
		"q.co-legal-name":      {"Northwind Hosting Ltd"},
		"q.co-iso27001":        {"yes"},
		"q.co-iso27001-body":   {"BSI, accredited by UKAS"},
		"q.co-iso27001-expiry": {"31/12/2027"},
	}
	r := portalPost(t, env, l.Path+"/s/company", form)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("invalid date: %d, want 422\n%s", r.Status, r.Body)
	}
	mustContain(t, "refused save", r.Body,
		`<p class="field-error" id="err-co-iso27001-expiry">`,
		`<input id="in-co-iso27001-expiry" type="date" name="q.co-iso27001-expiry" value="31/12/2027"`,
		`aria-invalid="true"`, "Your other answers were saved",
		`value="Northwind Hosting Ltd"`)
	// The certificate questions opened by "yes" are shown now.
	mustNotContain(t, "refused save", r.Body, `id="q-co-iso27001-body" data-qid="co-iso27001-body" data-type="text" hidden`)

	a, err := env.App.Assessments.Get(portalCtx(t), l.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := a.AnswerValues()
	if got["co-legal-name"] != "Northwind Hosting Ltd" || got["co-iso27001"] != "yes" || got["co-iso27001-body"] != "BSI, accredited by UKAS" {
		t.Errorf("valid answers of a refused post must be saved: %v", got)
	}
	if _, ok := got["co-iso27001-expiry"]; ok {
		t.Error("the invalid date was saved")
	}

	form.Set("q.co-iso27001-expiry", "2027-12-31")
	r = portalPost(t, env, l.Path+"/s/company", form)
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") == "" {
		t.Fatalf("valid save: %d %q", r.Status, r.Header.Get("Location"))
	}
	// Without JavaScript, questions that a save opened in the same section
	// need a second look before moving on.
	r = portalPost(t, env, l.Path+"/s/company", url.Values{"q.co-personal-data": {"no"}, "q.co-legal-name": {"Northwind Hosting Ltd"}})
	if loc := r.Header.Get("Location"); r.Status != http.StatusSeeOther || !strings.HasPrefix(loc, l.Path+"/s/") || strings.Contains(loc, "/s/company") {
		t.Errorf("save and continue: %d to %q, want the next section", r.Status, loc)
	}
	r = portalPost(t, env, l.Path+"/s/company", url.Values{"q.co-iso27001": {"yes"}})
	if loc := r.Header.Get("Location"); !strings.Contains(loc, "/s/company?m=more#q-co-iso27001-") {
		t.Errorf("follow-ups opened in this section: redirect to %q, want back to the first of them", loc)
	}
}

func TestPortalEvidenceWithoutJS(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	l := portalSend(t, env, portalFullKey, "")
	if _, err := env.App.Assessments.SaveAnswers(portalCtx(t), portalSupplier, l.Token, map[string]any{"co-iso27001": "yes"}); err != nil {
		t.Fatal(err)
	}
	pdf := portalPDF()
	const qid = "co-iso27001-certificate"
	r := portalUpload(t, env, l.Path, qid, map[string][]byte{"iso-certificate.pdf": pdf})
	if r.Status != http.StatusSeeOther || !strings.HasSuffix(r.Header.Get("Location"), "/s/company?m=uploaded#q-"+qid) {
		t.Fatalf("upload: %d to %q\n%s", r.Status, r.Header.Get("Location"), r.Body)
	}
	page := portalGet(t, env, l.Path+"/s/company?m=uploaded")
	mustContain(t, "section after upload", page.Body, "Your file was uploaded.", ">iso-certificate.pdf</a>",
		`<span class="muted small" data-size>`+fmt.Sprintf("%d B", len(pdf))+`</span>`)
	eid := regexp.MustCompile(`data-eid="([^"]+)"`).FindStringSubmatch(page.Body)
	if eid == nil {
		t.Fatal("no file listed")
	}

	dl := portalGet(t, env, l.Path+"/evidence/"+eid[1])
	if dl.Status != http.StatusOK || dl.Body != string(pdf) {
		t.Fatalf("download: %d, %d bytes", dl.Status, len(dl.Body))
	}
	if cd := dl.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") {
		t.Errorf("evidence must download as an attachment, got %q", cd)
	}

	bad := portalUpload(t, env, l.Path, qid, map[string][]byte{"run.exe": []byte("MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff")})
	if bad.Status != http.StatusUnsupportedMediaType {
		t.Fatalf("wrong type: %d, want 415", bad.Status)
	}
	mustContain(t, "refused upload", bad.Body, `<p class="field-error" id="err-`+qid+`">Not uploaded: `, "iso-certificate.pdf")

	r = portalPost(t, env, l.Path+"/evidence/"+eid[1]+"/delete", url.Values{})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("remove: %d\n%s", r.Status, r.Body)
	}
	page = portalGet(t, env, l.Path+"/s/company")
	mustNotContain(t, "section after removal", page.Body, "iso-certificate.pdf")
	if r := portalPost(t, env, l.Path+"/evidence/"+eid[1]+"/delete", url.Values{}); r.Status != http.StatusNotFound {
		t.Errorf("removing twice: %d, want 404", r.Status)
	}
}

// portalLiteAnswers answer every required question of vendor-lite.
func portalLiteAnswers() map[string]any {
	ans := map[string]any{"vl-certification": "no", "vl-data-access": "no", "vl-develops-software": "no"}
	for _, id := range []string{"vl-policy", "vl-security-owner", "vl-incident-notify", "vl-incident-plan", "vl-continuity",
		"vl-screening", "vl-confidentiality", "vl-training", "vl-premises", "vl-disposal", "vl-devices", "vl-mfa",
		"vl-patching", "vl-firewall"} {
		ans[id] = "yes"
	}
	for _, id := range []string{"vl-privacy", "vl-encryption", "vl-backup", "vl-logging"} {
		ans[id] = "na"
	}
	return ans
}

func TestPortalReviewSubmitAndReadOnly(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	l := portalSend(t, env, portalLiteKey, "")
	ans := portalLiteAnswers()
	delete(ans, "vl-mfa")
	if _, err := env.App.Assessments.SaveAnswers(portalCtx(t), portalSupplier, l.Token, ans); err != nil {
		t.Fatal(err)
	}
	r := portalGet(t, env, l.Path+"/review")
	mustContain(t, "review page", r.Body, "1 required question still open", `href="`+l.Path+`/s/technology#q-vl-mfa"`,
		"Is multi-factor authentication required", `action="`+l.Path+`/submit"`)

	r = portalPost(t, env, l.Path+"/submit", url.Values{})
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("submit with an open question: %d, want 422", r.Status)
	}
	mustContain(t, "refused submit", r.Body, "Not submitted yet", `href="`+l.Path+`/s/technology#q-vl-mfa"`)

	if _, err := env.App.Assessments.SaveAnswers(portalCtx(t), portalSupplier, l.Token, map[string]any{"vl-mfa": "yes"}); err != nil {
		t.Fatal(err)
	}
	r = portalPost(t, env, l.Path+"/submit", url.Values{})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != l.Path {
		t.Fatalf("submit: %d to %q\n%s", r.Status, r.Header.Get("Location"), r.Body)
	}
	start := portalGet(t, env, l.Path)
	mustContain(t, "submitted start page", start.Body, "Thank you: your answers were submitted", l.Path+"/answers.csv")
	sec := portalGet(t, env, l.Path+"/s/technology")
	mustContain(t, "read-only section", sec.Body, `<p class="portal-answer">Yes</p>`)
	mustNotContain(t, "read-only section", sec.Body, `name="q.`, "Save and continue", "portal.js")
	if r := portalPost(t, env, l.Path+"/s/technology", url.Values{"q.vl-mfa": {"no"}}); r.Status != http.StatusConflict {
		t.Errorf("saving after submit: %d, want 409", r.Status)
	}

	csv := portalGet(t, env, l.Path+"/answers.csv")
	if csv.Status != http.StatusOK || !strings.HasPrefix(csv.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("csv: %d %q", csv.Status, csv.Header.Get("Content-Type"))
	}
	if cd := csv.Header.Get("Content-Disposition"); !strings.HasPrefix(cd, "attachment;") || !strings.Contains(cd, ".csv") {
		t.Errorf("csv disposition %q", cd)
	}
	mustContain(t, "csv", csv.Body, "question_id,section,question,answer,evidence\n", "vl-mfa,")
	if strings.Contains(csv.Body, "vl-subprocessors") {
		t.Error("the csv lists a question hidden by the answers")
	}
}

func TestPortalClarification(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	l := portalSend(t, env, portalLiteKey, "")
	ctx := portalCtx(t)
	if _, err := env.App.Assessments.SaveAnswers(ctx, portalSupplier, l.Token, portalLiteAnswers()); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Assessments.Submit(ctx, portalSupplier, l.Token); err != nil {
		t.Fatal(err)
	}
	reviewer := audit.Actor{Kind: audit.KindStaff, ID: "u1", Email: "rev@example.test"}
	if err := env.App.Assessments.RequestClarification(ctx, reviewer, l.ID, "vl-mfa", "Does this include the admin console?"); err != nil {
		t.Fatal(err)
	}
	start := portalGet(t, env, l.Path)
	mustContain(t, "clarification start", start.Body, "Questions to answer again", "Does this include the admin console?",
		`name="q.vl-mfa"`, `action="`+l.Path+`"`)
	if strings.Count(start.Body, `name="q.`) != 2 {
		t.Errorf("only the reopened question may be editable; inputs: %d", strings.Count(start.Body, `name="q.`))
	}
	sec := portalGet(t, env, l.Path+"/s/technology")
	if strings.Count(sec.Body, `name="q.`) != 2 || !strings.Contains(sec.Body, `<p class="portal-answer">Yes</p>`) {
		t.Error("on its section page only the reopened question is editable; the others are text")
	}
	r := portalPost(t, env, l.Path, url.Values{"q.vl-mfa": {"no"}})
	if r.Status != http.StatusSeeOther || r.Header.Get("Location") != l.Path+"/review?m=saved" {
		t.Fatalf("clarification save: %d %q\n%s", r.Status, r.Header.Get("Location"), r.Body)
	}
	r = portalPost(t, env, l.Path+"/submit", url.Values{})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("send back: %d\n%s", r.Status, r.Body)
	}
	a, err := env.App.Assessments.Get(ctx, l.ID)
	if err != nil {
		t.Fatal(err)
	}
	if a.Status != assessments.StatusSubmitted || a.AnswerValues()["vl-mfa"] != "no" || a.AnswerValues()["vl-policy"] != "yes" {
		t.Errorf("after sending back: status %s, answers %v", a.Status, a.AnswerValues())
	}
}

func TestPortalStartFromPrevious(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	first := portalSend(t, env, portalLiteKey, "")
	ctx := portalCtx(t)
	if _, err := env.App.Assessments.SaveAnswers(ctx, portalSupplier, first.Token, portalLiteAnswers()); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Assessments.Submit(ctx, portalSupplier, first.Token); err != nil {
		t.Fatal(err)
	}
	second := portalSend(t, env, portalLiteKey, first.VendorID)
	start := portalGet(t, env, second.Path)
	mustContain(t, "reassessment start", start.Body, "Start from your last answers", `action="`+second.Path+`/prefill"`)
	r := portalPost(t, env, second.Path+"/prefill", url.Values{})
	if r.Status != http.StatusSeeOther || !strings.HasPrefix(r.Header.Get("Location"), second.Path+"?m=prefilled&n=") {
		t.Fatalf("prefill: %d %q", r.Status, r.Header.Get("Location"))
	}
	start = portalGet(t, env, r.Header.Get("Location"))
	mustContain(t, "after prefill", start.Body, "carried over from your last assessment", ">Continue<")
	mustNotContain(t, "after prefill", start.Body, "Start from your last answers")
	sec := portalGet(t, env, second.Path+"/s/technology")
	mustContain(t, "prefilled section", sec.Body, `id="pf-vl-mfa"`, "From your last assessment", `data-confirm-q="vl-mfa"`)
}

func TestPortalVisibilityScript(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	r := portalGet(t, env, "/assets/visibility.js?v=1")
	if r.Status != http.StatusOK || r.Body != string(questionnaires.VisibilityJS) {
		t.Fatalf("visibility.js: %d", r.Status)
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/javascript") {
		t.Errorf("content type %q", ct)
	}
	if cc := r.Header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
		t.Errorf("cache control %q", cc)
	}
}

func TestPortalRateLimit(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	path := "/q/" + strings.Repeat("y", 43)
	start := time.Now()
	passed, limited := 0, portalResp{}
	for i := 0; i < 400 && limited.Status == 0; i++ {
		r := portalGet(t, env, path)
		if r.Status == http.StatusTooManyRequests {
			limited = r
			break
		}
		passed++
	}
	if limited.Status != http.StatusTooManyRequests {
		t.Fatalf("no 429 after %d requests from one address", passed)
	}
	// The burst passes, plus what the rate refilled meanwhile.
	if max := 100 + int(time.Since(start).Seconds()*10) + 1; passed < 100 || passed > max {
		t.Errorf("%d requests passed before the limit, want 100 to %d", passed, max)
	}
	if limited.Header.Get("Retry-After") == "" {
		t.Error("429 without Retry-After")
	}
	mustContain(t, "429 page", limited.Body, "too many requests")
	// Another address keeps its own budget (a trusted proxy names it).
	req, _ := http.NewRequest(http.MethodGet, env.URL+path, nil)
	req.Header.Set("X-Forwarded-For", "198.51.100.23")
	if r := portalDo(t, env, req); r.Status != http.StatusNotFound {
		t.Errorf("another address: %d, want 404", r.Status)
	}
}

// portalAllTypes has one question of each input type the portal renders.
const portalAllTypes = `
key: portal-all-types
version: 1
title: Every input
sections:
  - id: all
    title: All types
    questions:
      - {id: t-yes, text: "Yes or no?", type: yes_no_na, required: true, controls: [A.5.19]}
      - {id: t-text, text: Name, type: text, controls: [A.5.19]}
      - {id: t-long, text: Story, type: long_text, controls: [A.5.19]}
      - {id: t-number, text: Staff, type: number, controls: [A.5.19]}
      - {id: t-date, text: Since, type: date, controls: [A.5.19]}
      - id: t-few
        text: Colour
        type: single_choice
        controls: [A.5.19]
        options: [{value: r, label: Red}, {value: g, label: Green}]
      - id: t-many
        text: Country
        type: single_choice
        controls: [A.5.19]
        options: [{value: de, label: Germany}, {value: fr, label: France}, {value: ie, label: Ireland}, {value: nl, label: Netherlands},
                  {value: pl, label: Poland}, {value: se, label: Sweden}, {value: uk, label: United Kingdom}]
      - id: t-multi
        text: Tools
        type: multi_choice
        controls: [A.5.19]
        options: [{value: a, label: Alpha}, {value: b, label: Beta}, {value: c, label: Gamma}]
      - id: t-file
        text: Policy
        type: file
        controls: [A.5.19]
        evidence: {hint: "your policy"}
`

func TestPortalEveryInputType(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	tpl, err := questionnaires.Parse([]byte(portalAllTypes), "")
	if err != nil {
		t.Fatal(err)
	}
	if _, _, err := env.App.Library.Publish(portalCtx(t), audit.System, tpl); err != nil {
		t.Fatal(err)
	}
	l := portalSend(t, env, "portal-all-types", "")
	r := portalGet(t, env, l.Path+"/s/all")
	if r.Status != http.StatusOK {
		t.Fatalf("section: %d\n%s", r.Status, r.Body)
	}
	mustContain(t, "every input", r.Body,
		`type="radio" name="q.t-yes" value="na"`,
		`<input id="in-t-text" type="text" name="q.t-text"`,
		`<textarea id="in-t-long" name="q.t-long"`,
		`<input id="in-t-number" type="number" name="q.t-number" value="" step="any"`,
		`<input id="in-t-date" type="date" name="q.t-date"`,
		`type="radio" name="q.t-few" value="g"`,
		`<select id="in-t-many" name="q.t-many"`, `<option value="uk">United Kingdom</option>`,
		`type="checkbox" name="q.t-multi" value="c"`,
		`<input type="file" id="file-t-file" name="file" multiple form="up-t-file"`, "your policy")

	form := url.Values{"q.t-yes": {"na"}, "q.t-number": {"many"}, "q.t-many": {"ie"}, "q.t-multi": {"a", "c"}, "q.t-long": {"line one\r\nline two"}}
	r = portalPost(t, env, l.Path+"/s/all", form)
	if r.Status != http.StatusUnprocessableEntity {
		t.Fatalf("a word for a number: %d, want 422", r.Status)
	}
	mustContain(t, "refused number", r.Body, `value="many"`, `id="err-t-number">`, `<option value="ie" selected>`,
		`value="a" checked`, `value="c" checked`)
	a, err := env.App.Assessments.Get(portalCtx(t), l.ID)
	if err != nil {
		t.Fatal(err)
	}
	got := a.AnswerValues()
	if got["t-yes"] != "na" || got["t-many"] != "ie" || fmt.Sprint(got["t-multi"]) != "[a c]" || got["t-long"] != "line one\nline two" {
		t.Errorf("the valid answers of the refused post: %v", got)
	}
	// Unticking every box clears a multiple choice, as a plain form must.
	r = portalPost(t, env, l.Path+"/s/all", url.Values{"q.t-yes": {"na"}, "q.t-number": {"12"}})
	if r.Status != http.StatusSeeOther {
		t.Fatalf("valid post: %d\n%s", r.Status, r.Body)
	}
	if a, err = env.App.Assessments.Get(portalCtx(t), l.ID); err != nil {
		t.Fatal(err)
	}
	if got := a.AnswerValues(); got["t-number"] != 12.0 || got["t-multi"] != nil {
		t.Errorf("after the second post: %v", got)
	}
}
