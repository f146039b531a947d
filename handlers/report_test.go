package handlers_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/assayhq/assay/apptest"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/report"
	"github.com/assayhq/assay/scoring"
)

// reportPDF is a small but valid PDF, as a supplier's certificate.
const reportPDF = "%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"

// reportFixture completes an assessment with an uploaded certificate, an
// override and a decided finding; it returns the assessment as completed.
func reportFixture(t *testing.T, env *apptest.Env) *assessments.Assessment {
	t.Helper()
	ctx := dashCtx(t)
	a, token := dashSend(t, env, "Northwind Payroll", 1)
	supplier := audit.Actor{Kind: audit.KindSupplier, IP: "192.0.2.8"}
	answers := dashAnswers()
	answers["vl-certification"] = "yes"
	if _, err := env.App.Assessments.SaveAnswers(ctx, supplier, token, answers); err != nil {
		t.Fatal(err)
	}
	if _, err := env.App.Assessments.Upload(ctx, supplier, token, "vl-certification-file", "SOC 2 – Type II.pdf", strings.NewReader(reportPDF)); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Assessments.Submit(ctx, supplier, token); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Assessments.Review(ctx, dashReviewer, a.ID, "vl-firewall", assessments.QuestionReview{
		Status: "flagged", Override: &scoring.Override{Score: 40, Reason: "Only at the office edge"}}); err != nil {
		t.Fatal(err)
	}
	sc, err := env.App.Assessments.Score(ctx, a.ID)
	if err != nil || len(sc.Findings) == 0 {
		t.Fatalf("score %v %v", sc, err)
	}
	if err := env.App.Assessments.DecideFinding(ctx, dashReviewer, a.ID, assessments.FindingDecision{
		Control: sc.Findings[0].Control, Treatment: assessments.TreatMitigate, Owner: "olivia@example.test", Status: assessments.FindingInProgress}); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Assessments.Complete(ctx, dashReviewer, a.ID, assessments.TreatMitigate, "Enable MFA before go-live"); err != nil {
		t.Fatal(err)
	}
	a, err = env.App.Assessments.Get(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

type reportResp struct {
	status int
	header http.Header
	body   []byte
}

func reportFetch(t *testing.T, c *http.Client, url, bearer string) reportResp {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, url, nil)
	if bearer != "" {
		req.Header.Set("Authorization", "Bearer "+bearer)
	}
	resp, err := c.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return reportResp{resp.StatusCode, resp.Header, b}
}

var reportHeads = []string{report.HeadSummary, report.HeadScope, report.HeadMethodology, report.HeadFindings,
	report.HeadNonConformities, report.HeadRecommendations, report.HeadAnswers, report.HeadEvidence}

func TestReportPageAndDownloads(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	a := reportFixture(t, env)
	fin := a.FinalScore
	sum := sha256.Sum256([]byte(reportPDF))
	digest := hex.EncodeToString(sum[:])
	viewer := env.Login(t, auth.RoleViewer)
	base := env.URL + "/app/assessments/" + a.ID + "/report"

	page := reportFetch(t, viewer, base, "")
	if page.status != http.StatusOK {
		t.Fatalf("report page: %d\n%.2000s", page.status, page.body)
	}
	html := string(page.body)
	want := append([]string{`aria-current="page">Reviews`, "Northwind Payroll", "Example Corp", `href="/app/assessments/` + a.ID + `/report?format=pdf"`,
		"SOC 2 – Type II.pdf", digest, "override 40 by rita@example.test: Only at the office edge", "Enable MFA before go-live",
		"olivia@example.test", "Worked example", "<h3>12. Worked example</h3>", report.HeadAnswers, `src="/static/report.js?v=`}, reportHeads...)
	for _, f := range fin.Findings {
		want = append(want, `id="finding-`+f.Control+`"`)
	}
	mustContain(t, "report page", html, want...)
	if strings.Contains(html, "Draft.") || strings.Contains(html, "style=") {
		t.Error("a completed report says draft, or carries inline style")
	}

	pdf := reportFetch(t, viewer, base+"?format=pdf", "")
	if pdf.status != http.StatusOK || pdf.header.Get("Content-Type") != "application/pdf" || !bytes.HasPrefix(pdf.body, []byte("%PDF-")) ||
		!strings.HasPrefix(pdf.header.Get("Content-Disposition"), `attachment; filename="vendor-risk-report-northwind-payroll-`) {
		t.Fatalf("pdf: %d %v", pdf.status, pdf.header)
	}
	text := pdfText(t, pdf.body)
	for _, w := range append(append([]string{}, reportHeads...), "Northwind Payroll", digest) {
		if !strings.Contains(text, w) {
			t.Errorf("the PDF lacks %q", w)
		}
	}
	for _, f := range fin.Findings {
		if !strings.Contains(text, f.Control) {
			t.Errorf("the PDF lacks finding %s", f.Control)
		}
	}
	if dir := os.Getenv("ASSAY_ARTIFACTS"); dir != "" {
		_ = os.WriteFile(filepath.Join(dir, "report-northwind.pdf"), pdf.body, 0o644)
	}
}

func pdfText(t *testing.T, pdf []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "r.pdf")
	if err := os.WriteFile(path, pdf, 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", "-layout", path, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext (Debian poppler-utils): %v\n%s", err, out)
	}
	return string(out)
}

func TestReportAPI(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	a := reportFixture(t, env)
	token := env.Token(t, auth.RoleViewer)
	c := env.Client()
	base := env.URL + "/api/v1/assessments/" + a.ID + "/report"

	js := reportFetch(t, c, base+"?format=json", token)
	if js.status != http.StatusOK || !strings.HasPrefix(js.header.Get("Content-Type"), "application/json") {
		t.Fatalf("json: %d %s", js.status, js.body)
	}
	var r struct {
		Final   bool `json:"final"`
		Summary struct {
			Overall  float64 `json:"overall"`
			Residual string  `json:"residual"`
			Decision struct {
				Treatment string `json:"treatment"`
			} `json:"decision"`
			Themes map[string]float64 `json:"themes"`
		} `json:"summary"`
		Findings []struct {
			Control   string `json:"control"`
			Treatment string `json:"treatment"`
		} `json:"findings"`
		Answers  []json.RawMessage `json:"answers"`
		Evidence []struct {
			Filename string `json:"filename"`
			SHA256   string `json:"sha256"`
		} `json:"evidence"`
	}
	if err := json.Unmarshal(js.body, &r); err != nil {
		t.Fatal(err)
	}
	fin := a.FinalScore
	if !r.Final || r.Summary.Overall != fin.Overall || r.Summary.Residual != string(fin.Risk.Residual) || r.Summary.Decision.Treatment != "mitigate" ||
		len(r.Summary.Themes) == 0 || len(r.Findings) != len(fin.Findings) || r.Findings[0].Treatment != "mitigate" ||
		len(r.Answers) != a.Template.QuestionCount() || len(r.Evidence) != 1 || r.Evidence[0].Filename != "SOC 2 – Type II.pdf" {
		t.Fatalf("json report %+v", r)
	}

	cs := reportFetch(t, c, base+"?format=csv", token)
	recs, err := csv.NewReader(bytes.NewReader(cs.body)).ReadAll()
	if cs.status != http.StatusOK || !strings.HasPrefix(cs.header.Get("Content-Type"), "text/csv") || err != nil ||
		strings.Join(recs[0], ",") != strings.Join(report.CSVColumns, ",") || recs[1][0] != "assessment" {
		t.Fatalf("csv: %d %v %v", cs.status, err, recs[:min(2, len(recs))])
	}

	doc := reportFetch(t, c, base+"?format=html", token)
	html := string(doc.body)
	if doc.status != http.StatusOK || !strings.HasPrefix(doc.header.Get("Content-Type"), "text/html") {
		t.Fatalf("html: %d", doc.status)
	}
	mustContain(t, "standalone report", html, append([]string{`<body class="report-document">`, `href="` + env.URL + `/static/app.css?v=`}, reportHeads...)...)
	if strings.Contains(html, `class="mainnav"`) || strings.Contains(html, "Download PDF") {
		t.Error("the API's HTML report carries the staff navigation")
	}

	pdf := reportFetch(t, c, base+"?format=pdf", token)
	if pdf.status != http.StatusOK || !strings.Contains(pdfText(t, pdf.body), report.HeadFindings) {
		t.Errorf("pdf over the API: %d", pdf.status)
	}

	for _, tc := range []struct {
		url, bearer string
		status      int
		code        string
	}{
		{base + "?format=xml", token, http.StatusBadRequest, "bad_request"},
		{env.URL + "/api/v1/assessments/nope/report", token, http.StatusNotFound, "not_found"},
		{base, "", http.StatusUnauthorized, "unauthorized"},
	} {
		got := reportFetch(t, c, tc.url, tc.bearer)
		if got.status != tc.status || !strings.Contains(string(got.body), `"code":"`+tc.code+`"`) {
			t.Errorf("%s: %d %s", tc.url, got.status, got.body)
		}
	}
}

func TestReportDraft(t *testing.T) {
	env := apptest.New(t, apptest.Options{})
	a, token := dashSend(t, env, "Draft Analytics", 3)
	ctx := dashCtx(t)
	supplier := audit.Actor{Kind: audit.KindSupplier, IP: "192.0.2.9"}
	if _, err := env.App.Assessments.SaveAnswers(ctx, supplier, token, dashAnswers()); err != nil {
		t.Fatal(err)
	}
	if err := env.App.Assessments.Submit(ctx, supplier, token); err != nil {
		t.Fatal(err)
	}
	page := reportFetch(t, env.Login(t, auth.RoleProcurement), env.URL+"/app/assessments/"+a.ID+"/report", "")
	if page.status != http.StatusOK {
		t.Fatalf("draft report: %d", page.status)
	}
	mustContain(t, "draft report", string(page.body), "<strong>Draft.</strong> This assessment is Submitted", "Not decided yet", "No file was uploaded.")
}
