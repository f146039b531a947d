package report_test

import (
	"testing"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/report"
	"github.com/assayhq/assay/scoring"
	"github.com/assayhq/assay/vendors"
)

var generated = time.Date(2026, 6, 30, 10, 0, 0, 0, time.UTC)

func template(t testing.TB, key string) *questionnaires.Template {
	t.Helper()
	all, err := questionnaires.Library()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range all {
		if x.Key == key {
			return x
		}
	}
	t.Fatalf("no template %s", key)
	return nil
}

// unicodeText is a free-text answer outside Windows-1252.
const unicodeText = "Zürich & Tōkyō — “always” ≥ 99.9% uptime → see SOC 2"

// completedInput is a completed full ISO 27001 assessment: every third
// scored question answered "no" (or its worst option), the rest the best
// option, one free-text answer with characters outside Windows-1252, one
// override, two evidence files and decisions on the first two findings.
func completedInput(t testing.TB) report.Input {
	t.Helper()
	tpl := template(t, "iso27001-2022-supplier-full")
	at := time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC)
	answers := map[string]assessments.Answer{}
	var textQ, overQ string
	for i, q := range tpl.Questions() {
		opts := q.EffectiveOptions()
		switch {
		case len(opts) > 0 && q.Type == questionnaires.TypeMultiChoice:
			answers[q.ID] = assessments.AnswerOf([]string{opts[0].Value}, at)
		case len(opts) > 0 && i%3 == 0:
			answers[q.ID] = assessments.AnswerOf(opts[len(opts)-1].Value, at)
			if q.Type == questionnaires.TypeYesNoNA {
				answers[q.ID] = assessments.AnswerOf(questionnaires.AnswerNo, at)
			}
			if overQ == "" && q.Type == questionnaires.TypeYesNo {
				overQ = q.ID
			}
		case len(opts) > 0:
			answers[q.ID] = assessments.AnswerOf(opts[0].Value, at)
		case q.Type == questionnaires.TypeText && textQ == "":
			textQ = q.ID
			answers[q.ID] = assessments.AnswerOf(unicodeText, at)
		}
	}
	a := &assessments.Assessment{
		ID: "asm-1", VendorID: "v-1", VendorName: "Northwind Payroll (as sent)", VendorTier: 1, TemplateKey: tpl.Key, TemplateVersion: tpl.Version,
		Template: tpl, ContactName: "Ines Ortega", ContactEmail: "ines@northwind.example", Status: assessments.StatusCompleted,
		DueDate: at.AddDate(0, 0, 14), CreatedAt: at, SubmittedAt: at.AddDate(0, 0, 10), CompletedAt: at.AddDate(0, 0, 20), Answers: answers,
		Reviews: map[string]assessments.QuestionReview{
			overQ: {Status: "accepted", Override: &scoring.Override{Score: 80, Reason: "Covered by the SOC 2 report", By: "rita@example.test"},
				By: "rita@example.test", At: at.AddDate(0, 0, 12)},
		},
		Clarifications: []assessments.Clarification{{QuestionID: textQ, Comment: "Which regions?", By: "sam@example.test", At: at.AddDate(0, 0, 11)}},
		Decision:       &assessments.Decision{Treatment: assessments.TreatMitigate, Note: "Fix A.8.24 before renewal", By: "rita@example.test", At: at.AddDate(0, 0, 20)},
	}
	values := a.AnswerValues()
	ev := []assessments.Evidence{
		{ID: "e1", AssessmentID: a.ID, QuestionID: overQ, Filename: "soc2-type2-2026.pdf", Size: 1234567, SHA256: "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08", ContentType: "application/pdf", UploadedAt: at},
		{ID: "e2", AssessmentID: a.ID, QuestionID: textQ, Filename: "Richtlinie-Übersicht.docx", Size: 2048, SHA256: "60303ae22b998861bce3b28f33eec1be758a213c86c93c076dbe9f558c11c752", ContentType: "application/vnd.openxmlformats-officedocument.wordprocessingml.document", UploadedAt: at},
	}
	sc := scoring.Compute(scoring.Input{Template: tpl, Answers: values, Evidence: map[string]int{overQ: 1, textQ: 1}, Tier: 1,
		Overrides: map[string]scoring.Override{overQ: *a.Reviews[overQ].Override}})
	a.FinalScore = &sc
	if len(sc.Findings) < 3 {
		t.Fatalf("the fixture needs findings, got %d", len(sc.Findings))
	}
	a.Findings = []assessments.FindingDecision{
		{Control: sc.Findings[0].Control, Treatment: assessments.TreatMitigate, Owner: "owner@example.test", DueDate: at.AddDate(0, 2, 0), Status: assessments.FindingInProgress, Note: "Remediation plan agreed"},
		{Control: sc.Findings[1].Control, Treatment: assessments.TreatAccept, Status: assessments.FindingDone},
	}
	v := &vendors.Vendor{ID: "v-1", Name: "Northwind Payroll", Website: "https://northwind.example", Services: "Payroll processing for EU staff",
		Tier: 1, OwnerName: "Olivia Owner", OwnerEmail: "olivia@example.test",
		Contacts: []vendors.Contact{{Name: "Ines Ortega", Email: "ines@northwind.example"}}}
	return report.Input{Company: "Example Corp", Now: generated, Assessment: a, Score: &sc, Evidence: ev, Vendor: v}
}
