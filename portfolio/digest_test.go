package portfolio_test

import (
	"slices"
	"testing"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/portfolio"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/scoring"
)

func TestDigest(t *testing.T) {
	due := date(2026, 7, 1)
	open := &assessments.Assessment{ID: "a1", VendorID: "v1", VendorName: "Acme", TemplateKey: "vendor-lite", TemplateVersion: 3,
		Template: &questionnaires.Template{Title: "Vendor security essentials"}, Status: assessments.StatusInProgress, DueDate: due, Version: 7}
	d := portfolio.Digest(open, "ignored when the snapshot is loaded")
	if d.ID != "a1" || d.VendorID != "v1" || d.TemplateTitle != "Vendor security essentials" || d.TemplateVersion != 3 ||
		d.Status != assessments.StatusInProgress || !d.DueDate.Equal(due) || d.Version != 7 || d.Final != nil {
		t.Fatalf("open digest %+v", d)
	}
	open.Template = nil
	if d := portfolio.Digest(open, "From the store"); d.TemplateTitle != "From the store" {
		t.Errorf("title %q", d.TemplateTitle)
	}

	supplier := 42.0
	done := &assessments.Assessment{ID: "a2", Status: assessments.StatusCompleted, CompletedAt: due,
		FinalScore: &scoring.Score{Overall: 48.5, Grade: "D", Risk: scoring.Risk{Residual: scoring.LevelHigh},
			Themes: scoring.Scores{{Key: "people", Score: 30}}, SupplierControls: &supplier, Domains2013: scoring.Scores{{Key: "A.15", Score: 42}},
			Findings: []scoring.Finding{{Control: "A.5.19", Severity: scoring.LevelCritical}, {Control: "A.8.24", Severity: scoring.LevelHigh}, {Control: "A.6.3", Severity: scoring.LevelLow}}},
		Findings: []assessments.FindingDecision{{Control: "A.8.24", Treatment: assessments.TreatMitigate, Status: assessments.FindingDone},
			{Control: "A.6.3", Treatment: assessments.TreatAccept, Status: assessments.FindingInProgress}}}
	f := portfolio.Digest(done, "").Final
	if f == nil || f.Overall != 48.5 || f.Grade != "D" || f.Residual != scoring.LevelHigh || *f.SupplierControls != 42 ||
		len(f.Themes) != 1 || len(f.Domains2013) != 1 {
		t.Fatalf("final %+v", f)
	}
	want := []portfolio.Finding{
		{Control: "A.5.19", Severity: scoring.LevelCritical, Status: assessments.FindingOpen}, // undecided counts as open
		{Control: "A.8.24", Severity: scoring.LevelHigh, Status: assessments.FindingDone},
		{Control: "A.6.3", Severity: scoring.LevelLow, Status: assessments.FindingInProgress},
	}
	if !slices.Equal(f.Findings, want) {
		t.Errorf("findings %+v", f.Findings)
	}
	if f.Findings[1].Open() || !f.Findings[0].Open() || !f.Findings[2].Open() {
		t.Error("only done findings are closed")
	}
}

func TestRelevant(t *testing.T) {
	at := time.Now()
	sc := &scoring.Score{}
	progress := &questionnaires.ProgressCounts{}
	tests := []struct {
		name string
		ch   assessments.Change
		want bool
	}{
		{"autosave", assessments.Change{Answers: map[string]assessments.Answer{"q": {}}, Score: sc, Progress: progress, At: at}, false},
		{"review", assessments.Change{Reviews: map[string]assessments.QuestionReview{"q": {}}, Score: sc, At: at}, false},
		{"resend", assessments.Change{TokenHash: "h", LinkSentAt: at, At: at}, false},
		{"first save", assessments.Change{Status: assessments.StatusInProgress, StartedAt: at, At: at}, true},
		{"due date", assessments.Change{DueDate: at, ExpiresAt: at, At: at}, true},
		{"finding", assessments.Change{Findings: []assessments.FindingDecision{}, At: at}, true},
		{"complete", assessments.Change{Status: assessments.StatusCompleted, FinalScore: sc, At: at}, true},
	}
	for _, tc := range tests {
		if got := portfolio.Relevant(tc.ch); got != tc.want {
			t.Errorf("%s: %v", tc.name, got)
		}
	}
}
