package report_test

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/report"
	"github.com/assayhq/assay/scoring"
)

func TestBuild(t *testing.T) {
	in := completedInput(t)
	r := report.Build(in)
	sc := in.Score
	if !r.Final || r.Summary.Overall != sc.Overall || r.Summary.Grade != sc.Grade || r.Summary.Residual != sc.Risk.Residual ||
		r.Summary.Decision == nil || r.Summary.Decision.Treatment != "mitigate" || r.Summary.Overrides != 1 || r.Summary.MethodVersion != scoring.MethodVersion {
		t.Fatalf("summary %+v", r.Summary)
	}
	if r.Vendor.Name != "Northwind Payroll" || r.Vendor.TierLabel != "1 · critical" || r.Vendor.Services == "" || r.Assessment.TemplateTitle == "" ||
		r.Assessment.Questions != in.Assessment.Template.QuestionCount() {
		t.Errorf("scope %+v %+v", r.Vendor, r.Assessment)
	}
	if want := []string{"rita@example.test", "sam@example.test", "owner@example.test"}; !slices.Equal(r.People.Reviewers, want) || r.People.DecidedBy != "rita@example.test" {
		t.Errorf("people %+v", r.People)
	}
	if len(r.Findings) != len(sc.Findings) {
		t.Fatalf("%d findings, score has %d", len(r.Findings), len(sc.Findings))
	}
	f0, f2 := r.Findings[0], r.Findings[2]
	if f0.Treatment != "mitigate" || f0.Status != assessments.FindingInProgress || f0.Owner != "owner@example.test" || f0.DueDate.IsZero() ||
		f2.Treatment != "" || f2.Status != assessments.FindingOpen {
		t.Errorf("decisions not joined: %+v / %+v", f0, f2)
	}
	for _, f := range r.Findings {
		for _, q := range f.Questions {
			if q.Text == "" {
				t.Errorf("finding %s question %s has no text", f.Control, q.ID)
			}
		}
	}
	var grouped []string
	for i, g := range r.NonConformities {
		if g.Severity != report.Severities[i] {
			t.Errorf("group %d is %s", i, g.Severity)
		}
		grouped = append(grouped, g.Controls...)
	}
	if len(grouped) != len(r.Findings) || len(r.Recommendations) != len(r.Findings) {
		t.Errorf("%d grouped, %d recommendations for %d findings", len(grouped), len(r.Recommendations), len(r.Findings))
	}
	if len(r.Answers) != in.Assessment.Template.QuestionCount() || len(r.Evidence) != 2 {
		t.Fatalf("%d answers, %d evidence", len(r.Answers), len(r.Evidence))
	}
	var sawText, sawOverride, sawLabel bool
	for _, a := range r.Answers {
		sawText = sawText || a.Answer == unicodeText
		sawOverride = sawOverride || (a.Override != nil && a.Override.Score == 80 && a.Review == "accepted" && len(a.Evidence) == 1)
		sawLabel = sawLabel || a.Answer == "Yes"
	}
	if !sawText || !sawOverride || !sawLabel {
		t.Errorf("answers: text %v, override %v, labels %v", sawText, sawOverride, sawLabel)
	}
}

func TestBuildDraftAndMissingVendor(t *testing.T) {
	in := completedInput(t)
	in.Assessment.Status, in.Assessment.FinalScore, in.Assessment.Decision, in.Vendor = assessments.StatusSubmitted, nil, nil, nil
	r := report.Build(in)
	if r.Final || r.Summary.Decision != nil || r.Vendor.Name != "Northwind Payroll (as sent)" || r.Vendor.Tier != 1 || r.Vendor.Contacts == nil {
		t.Fatalf("draft %+v %+v", r.Final, r.Vendor)
	}
	b, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(b, []byte(`"decision":null`)) || !bytes.Contains(b, []byte(`"contacts":[]`)) || !bytes.Contains(b, []byte(`"themes":{"organizational"`)) {
		t.Errorf("JSON shape: %.600s", b)
	}
}

func TestAnswerText(t *testing.T) {
	tpl := template(t, "iso27001-2022-supplier-full")
	byType := map[string]questionnaires.Question{}
	for _, q := range tpl.Questions() {
		if _, ok := byType[string(q.Type)]; !ok {
			byType[string(q.Type)] = q
		}
	}
	yn, multi, text := byType["yes_no"], byType["multi_choice"], byType["text"]
	opts := multi.EffectiveOptions()
	tests := []struct {
		q    questionnaires.Question
		v    any
		want string
	}{
		{yn, "no", "No"},
		{multi, []string{opts[0].Value, opts[1].Value}, opts[0].Label + "; " + opts[1].Label},
		{text, "free text", "free text"},
		{text, 12.5, "12.5"},
		{yn, nil, ""},
		{yn, "unknown-value", "unknown-value"},
	}
	for i, tc := range tests {
		if got := report.AnswerText(tc.q, tc.v); got != tc.want {
			t.Errorf("case %d: %q, want %q", i, got, tc.want)
		}
	}
}

func TestCSV(t *testing.T) {
	in := completedInput(t)
	r := report.Build(in)
	for i := range r.Answers {
		if r.Answers[i].Answer == "Yes" {
			r.Answers[i].Answer = "=HYPERLINK(\"http://evil.example\")"
			break
		}
	}
	var buf bytes.Buffer
	if err := report.WriteCSV(&buf, r); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&buf).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(recs[0], report.CSVColumns) {
		t.Fatalf("header %v", recs[0])
	}
	kinds := map[string]int{}
	for _, rec := range recs[1:] {
		kinds[rec[0]]++
	}
	if kinds["assessment"] != 1 || kinds["answer"] != len(r.Answers) || kinds["finding"] != len(r.Findings) ||
		kinds["control"] != len(r.Controls) || kinds["evidence"] != 2 || kinds["theme"] != len(r.Summary.Themes) || kinds["domain_2013"] == 0 {
		t.Errorf("records %v", kinds)
	}
	overall := recs[1]
	if overall[0] != "assessment" || overall[1] != "asm-1" || overall[5] != strconv.FormatFloat(r.Summary.Overall, 'f', 1, 64) {
		t.Errorf("overall %v", overall)
	}
	if !strings.Contains(overall[6], "decision mitigate") || !strings.Contains(overall[6], "final") {
		t.Errorf("overall detail %q", overall[6])
	}
	var sawDefused, sawUnicode bool
	for _, rec := range recs {
		sawDefused = sawDefused || rec[4] == "'=HYPERLINK(\"http://evil.example\")"
		sawUnicode = sawUnicode || rec[4] == unicodeText
	}
	if !sawDefused || !sawUnicode {
		t.Errorf("defused formula %v, unicode kept %v", sawDefused, sawUnicode)
	}
}

// TestPDF renders the report and reads it back with pdftotext (Debian
// poppler-utils): every section heading, every finding's control and the
// evidence digests must be in the text.
func TestPDF(t *testing.T) {
	bin, err := exec.LookPath("pdftotext")
	if err != nil {
		t.Fatal("pdftotext is required (Debian poppler-utils; `make tools` installs it)")
	}
	r := report.Build(completedInput(t))
	var buf bytes.Buffer
	if err := report.WritePDF(&buf, r); err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(buf.Bytes(), []byte("%PDF-")) {
		t.Fatal("not a PDF")
	}
	dir := t.TempDir()
	pdf := dir + "/report.pdf"
	if err := os.WriteFile(pdf, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	if art := os.Getenv("ASSAY_ARTIFACTS"); art != "" {
		_ = os.WriteFile(art+"/vendor-risk-report.pdf", buf.Bytes(), 0o644)
	}
	out, err := exec.Command(bin, "-layout", pdf, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	text := string(out)
	for _, want := range []string{
		"Vendor risk report", "Northwind Payroll", "Example Corp",
		report.HeadSummary, report.HeadScope, report.HeadMethodology, report.HeadFindings,
		report.HeadNonConformities, report.HeadRecommendations, report.HeadAnswers, report.HeadEvidence,
		"Worked example", "Residual risk", "Mitigate", "Zürich", "“always” >=", "uptime -> see SOC 2",
		"soc2-type2-2026.pdf", "Richtlinie-Übersicht.docx", "1,234,567 bytes", r.Evidence[0].SHA256, r.Evidence[1].SHA256,
		"Page 2 of",
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the PDF text lacks %q", want)
		}
	}
	for _, f := range r.Findings {
		if !strings.Contains(text, f.Control+"  "+f.Title) && !strings.Contains(text, f.Control) {
			t.Errorf("the PDF lacks finding %s", f.Control)
		}
	}
	if strings.Contains(text, "DRAFT") {
		t.Error("a completed assessment's report says draft")
	}
}

func TestPDFDraftWithoutFindings(t *testing.T) {
	in := completedInput(t)
	in.Assessment.Status, in.Assessment.Decision = assessments.StatusSubmitted, nil
	in.Assessment.FinalScore = nil
	sc := *in.Score
	sc.Findings = nil
	in.Score, in.Evidence = &sc, nil
	var buf bytes.Buffer
	if err := report.WritePDF(&buf, report.Build(in)); err != nil {
		t.Fatal(err)
	}
	pdf := t.TempDir() + "/draft.pdf"
	if err := os.WriteFile(pdf, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("pdftotext", pdf, "-").CombinedOutput()
	if err != nil {
		t.Fatalf("pdftotext: %v\n%s", err, out)
	}
	for _, want := range []string{"DRAFT", "there are no findings", "No file was uploaded", "not decided yet"} {
		if !strings.Contains(string(out), want) {
			t.Errorf("draft PDF lacks %q", want)
		}
	}
}
