package assessments_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/scoring"
)

// submitted sends the basic template, answers it and submits it.
func submitted(t *testing.T, r *rig, tier int) (*assessments.Assessment, string) {
	t.Helper()
	v := r.vendor("Reviewed Ltd", tier, assessments.Contact{Name: "Rita", Email: "rita@reviewed.example"})
	a, tok := r.sendTo(v, "basic")
	answerBasic(t, r, tok)
	if err := r.svc.Submit(context.Background(), supplier, tok); err != nil {
		t.Fatal(err)
	}
	return a, tok
}

func TestReviewOverridesRecomputeTheLiveScore(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a, _ := submitted(t, r, 2)
	before, err := r.svc.Score(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name   string
		review assessments.QuestionReview
		fields []string
	}{
		{"unknown status", assessments.QuestionReview{Status: "maybe"}, []string{"status"}},
		{"override out of range", assessments.QuestionReview{Override: &scoring.Override{Score: 101, Reason: "x"}}, []string{"override.score"}},
		{"override without reason", assessments.QuestionReview{Override: &scoring.Override{Score: 50}}, []string{"override.reason"}},
		{"comment too long", assessments.QuestionReview{Comment: strings.Repeat("c", assessments.MaxCommentLen+1)}, []string{"comment"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := r.svc.Review(ctx, reviewer, a.ID, "ops.backup", c.review)
			if got := fieldPaths(t, err); !slices.Equal(got, c.fields) {
				t.Errorf("fields %v, want %v", got, c.fields)
			}
		})
	}
	if err := r.svc.Review(ctx, reviewer, a.ID, "ops.backup", assessments.QuestionReview{
		Status: assessments.ReviewFlagged, Override: &scoring.Override{Score: 100, Reason: "Backups are weekly but immutable."},
	}); err != nil {
		t.Fatal(err)
	}
	after, err := r.svc.Score(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if after.Overall <= before.Overall || len(after.Overrides) != 1 || after.Overrides[0].By != reviewer.Email {
		t.Errorf("override did not raise the score: %v → %v (%+v)", before.Overall, after.Overall, after.Overrides)
	}
	if stored := r.get(a.ID); stored.Score == nil || stored.Score.Overall != after.Overall || stored.Reviews["ops.backup"].Status != assessments.ReviewFlagged {
		t.Errorf("stored live score or review not updated")
	}
	if err := r.svc.Review(ctx, reviewer, a.ID, "no.such", assessments.QuestionReview{Status: assessments.ReviewAccepted}); len(apperr.Fields(err)) != 1 {
		t.Errorf("review of an unknown question: %v", err)
	}
	if acts := r.audit.actions(a.ID); !slices.Contains(acts, "assessment.review") {
		t.Errorf("review not audited: %v", acts)
	}
}

func TestFindingsRemediationAndCompletion(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a, tok := submitted(t, r, 1)
	sc, err := r.svc.Score(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	if len(sc.Findings) == 0 {
		t.Fatal("answering no to daily backups gives no finding")
	}
	f := sc.Findings[0]
	due := r.clock.Now().AddDate(0, 2, 0)

	if err := r.svc.DecideFinding(ctx, reviewer, a.ID, assessments.FindingDecision{Control: "A.9.9", Treatment: assessments.TreatAccept}); len(apperr.Fields(err)) != 1 {
		t.Errorf("decision on a control that is no finding: %v", err)
	}
	if err := r.svc.DecideFinding(ctx, reviewer, a.ID, assessments.FindingDecision{Control: f.Control, Treatment: "ignore"}); len(apperr.Fields(err)) != 1 {
		t.Errorf("unknown treatment: %v", err)
	}
	if err := r.svc.SendRemediation(ctx, reviewer, a.ID, f.Control); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("remediation before a mitigate decision: %v", err)
	}
	if err := r.svc.DecideFinding(ctx, reviewer, a.ID, assessments.FindingDecision{
		Control: f.Control, Treatment: assessments.TreatMitigate, Owner: "ops@reviewed.example", DueDate: due, Note: "Daily, please.",
	}); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.SendRemediation(ctx, reviewer, a.ID, f.Control); err != nil {
		t.Fatal(err)
	}
	mails := r.mails("rita@reviewed.example", assessments.MailRemediation)
	if len(mails) != 1 || !strings.Contains(mails[0].Text, f.Control) || !strings.Contains(mails[0].Text, f.Recommendation) ||
		!strings.Contains(mails[0].Text, "2 May 2026") || !strings.Contains(mails[0].Text, "Daily, please.") {
		t.Errorf("remediation mail: %+v", mails)
	}
	got := r.get(a.ID)
	if len(got.Findings) != 1 || got.Findings[0].RemediationSentAt.IsZero() || got.Findings[0].Status != assessments.FindingOpen {
		t.Errorf("findings %+v", got.Findings)
	}
	// Re-deciding keeps the record of the mail.
	if err := r.svc.DecideFinding(ctx, reviewer, a.ID, assessments.FindingDecision{Control: f.Control, Treatment: assessments.TreatMitigate, Status: assessments.FindingInProgress}); err != nil {
		t.Fatal(err)
	}
	if got := r.get(a.ID); len(got.Findings) != 1 || got.Findings[0].RemediationSentAt.IsZero() || got.Findings[0].Status != assessments.FindingInProgress {
		t.Errorf("after re-deciding: %+v", got.Findings)
	}

	if err := r.svc.Complete(ctx, reviewer, a.ID, "sometimes", ""); len(apperr.Fields(err)) != 1 {
		t.Errorf("unknown decision: %v", err)
	}
	r.clock.Advance(time.Hour)
	if err := r.svc.Complete(ctx, reviewer, a.ID, assessments.TreatMitigate, "Accept once backups are daily."); err != nil {
		t.Fatal(err)
	}
	got = r.get(a.ID)
	if got.Status != assessments.StatusCompleted || got.FinalScore == nil || got.FinalScore.MethodVersion != scoring.MethodVersion ||
		got.Decision == nil || got.Decision.Treatment != assessments.TreatMitigate || got.Decision.By != reviewer.Email {
		t.Fatalf("completed assessment: %s %+v", got.Status, got.Decision)
	}
	if len(got.FinalScore.Questions) == 0 {
		t.Error("the final score lost its per-question detail")
	}
	risks := r.vendors.recorded[a.VendorID]
	wantNext := time.Date(2027, 3, 2, 0, 0, 0, 0, time.UTC) // tier 1: 12 months
	if len(risks) != 1 || risks[0].AssessmentID != a.ID || risks[0].Overall != got.FinalScore.Overall ||
		risks[0].Residual != string(got.FinalScore.Risk.Residual) || !risks[0].NextReview.Equal(wantNext) {
		t.Errorf("vendor risk %+v, want next review %v", risks, wantNext)
	}
	if err := r.svc.Complete(ctx, reviewer, a.ID, assessments.TreatAccept, ""); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("completing twice: %v", err)
	}
	if err := r.svc.RequestClarification(ctx, reviewer, a.ID, "ops.backup", "Late question"); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("clarification after completion: %v", err)
	}
	// The score of a completed assessment never changes, even if answers
	// were somehow touched.
	final, _ := r.svc.Score(ctx, a.ID)
	if final.Overall != got.FinalScore.Overall {
		t.Errorf("Score of a completed assessment %v, recorded %v", final.Overall, got.FinalScore.Overall)
	}
	if _, err := r.svc.Portal(ctx, tok); err != nil {
		t.Errorf("the supplier can no longer read a completed questionnaire: %v", err)
	}
	acts := r.audit.actions(a.ID)
	for _, want := range []string{"finding.decide", "finding.remediation_sent", "assessment.complete"} {
		if !slices.Contains(acts, want) {
			t.Errorf("%s not audited: %v", want, acts)
		}
	}
}

func TestNextReviewFollowsTheTier(t *testing.T) {
	done := time.Date(2026, 1, 31, 15, 0, 0, 0, time.UTC)
	custom := newRig(t, func(d *assessments.Deps) { d.Settings.ReviewMonths = map[int]int{1: 6} })
	plain := newRig(t)
	cases := []struct {
		r    *rig
		tier int
		want time.Time
	}{
		{plain, 1, time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)},
		{plain, 2, time.Date(2027, 7, 31, 0, 0, 0, 0, time.UTC)},
		{plain, 3, time.Date(2028, 1, 31, 0, 0, 0, 0, time.UTC)},
		{plain, 4, time.Date(2028, 1, 31, 0, 0, 0, 0, time.UTC)},
		{plain, 0, time.Date(2027, 1, 31, 0, 0, 0, 0, time.UTC)},
		{custom, 1, time.Date(2026, 7, 31, 0, 0, 0, 0, time.UTC)},
		{custom, 2, time.Date(2027, 7, 31, 0, 0, 0, 0, time.UTC)},
	}
	for _, c := range cases {
		if got := c.r.svc.NextReview(c.tier, done); !got.Equal(c.want) {
			t.Errorf("tier %d: %v, want %v", c.tier, got, c.want)
		}
	}
}

func TestUnderReviewFromFirstSubmitToCompletion(t *testing.T) {
	submittedAt := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	tests := []struct {
		name      string
		status    assessments.Status
		submitted time.Time
		want      bool
	}{
		{"sent", assessments.StatusSent, time.Time{}, false},
		{"answering before the first submit", assessments.StatusInProgress, time.Time{}, false},
		{"submitted", assessments.StatusSubmitted, submittedAt, true},
		{"clarification requested", assessments.StatusClarificationRequested, submittedAt, true},
		{"answering a clarification", assessments.StatusInProgress, submittedAt, true},
		{"completed", assessments.StatusCompleted, submittedAt, false},
		{"revoked after submit", assessments.StatusRevoked, submittedAt, false},
		{"expired", assessments.StatusExpired, time.Time{}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &assessments.Assessment{Status: tt.status, SubmittedAt: tt.submitted}
			if got := a.UnderReview(); got != tt.want {
				t.Errorf("UnderReview() = %v, want %v", got, tt.want)
			}
		})
	}
}
