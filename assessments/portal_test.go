package assessments_test

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/testenv"
)

// pdf is a small file that sniffs as a PDF.
func pdf(n int) []byte {
	b := []byte("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
	for len(b) < n {
		b = append(b, "1 0 obj << /Type /Catalog >> endobj\n"...)
	}
	return b[:n]
}

// answerBasic answers every required question of the basic template.
func answerBasic(t *testing.T, r *rig, token string) {
	t.Helper()
	ctx := context.Background()
	if _, err := r.svc.SaveAnswers(ctx, supplier, token, map[string]any{"gov.policy": "yes", "ops.backup": "no"}); err != nil {
		t.Fatal(err)
	}
	if _, err := r.svc.Upload(ctx, supplier, token, "gov.policy-file", "policy.pdf", strings.NewReader(string(pdf(3000)))); err != nil {
		t.Fatal(err)
	}
}

func TestSaveAnswersKeepsValidOnesAndNamesInvalidOnes(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a, tok := r.send("basic")
	res, err := r.svc.SaveAnswers(ctx, supplier, tok, map[string]any{
		"gov.policy":      "yes",
		"gov.certs":       []any{"soc2", "iso27001"},
		"ops.staff":       "lots",
		"ops.backup":      "maybe",
		"gov.policy-file": "x",
		"no.such":         "yes",
	})
	paths := fieldPaths(t, err)
	if want := []string{"gov.policy-file", "ops.backup", "ops.staff", "no.such"}; !slices.Equal(paths, want) {
		t.Errorf("invalid answers %v, want %v in reading order", paths, want)
	}
	if len(res.Errors) != 4 {
		t.Errorf("result errors %v", res.Errors)
	}
	// gov.policy=yes reveals the file question: 6 questions visible.
	if res.Progress != (questionnaires.ProgressCounts{Answered: 2, Required: 3, Total: 6}) {
		t.Errorf("progress %+v", res.Progress)
	}
	if !slices.Contains(res.Visible, "gov.policy-file") {
		t.Errorf("visible %v lacks the revealed question", res.Visible)
	}
	got := r.get(a.ID)
	if got.Status != assessments.StatusInProgress || got.StartedAt.IsZero() {
		t.Errorf("status %s after the first save", got.Status)
	}
	vals := got.AnswerValues()
	if vals["gov.policy"] != "yes" || !slices.Equal(vals["gov.certs"].([]string), []string{"iso27001", "soc2"}) {
		t.Errorf("stored answers %v", vals)
	}
	if _, ok := vals["ops.staff"]; ok {
		t.Error("an invalid answer was stored")
	}
	if got.Score == nil || got.Progress.Answered != 2 {
		t.Errorf("live score or progress not stored: %+v", got.Progress)
	}

	// An empty value clears; nothing else changes.
	if _, err := r.svc.SaveAnswers(ctx, supplier, tok, map[string]any{"gov.certs": []any{}, "ops.staff": 12}); err != nil {
		t.Fatal(err)
	}
	vals = r.get(a.ID).AnswerValues()
	if _, ok := vals["gov.certs"]; ok || vals["ops.staff"] != 12.0 || vals["gov.policy"] != "yes" {
		t.Errorf("after clearing: %v", vals)
	}
}

func TestSaveFormPostsOneSection(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a, tok := r.send("basic")
	if _, err := r.svc.SaveAnswers(ctx, supplier, tok, map[string]any{"ops.backup": "yes"}); err != nil {
		t.Fatal(err)
	}
	form := url.Values{"q.gov.policy": {"no"}, "q.gov.certs": {"iso27001", "none"}}
	if _, err := r.svc.SaveForm(ctx, supplier, tok, "gov", form); err != nil {
		t.Fatal(err)
	}
	vals := r.get(a.ID).AnswerValues()
	if vals["gov.policy"] != "no" || len(vals["gov.certs"].([]string)) != 2 || vals["ops.backup"] != "yes" {
		t.Errorf("answers %v", vals)
	}
	// Unticking every box clears the question; a bad value is named.
	_, err := r.svc.SaveForm(ctx, supplier, tok, "gov", url.Values{"q.gov.policy": {"perhaps"}})
	if paths := fieldPaths(t, err); !slices.Equal(paths, []string{"gov.policy"}) {
		t.Errorf("fields %v", paths)
	}
	vals = r.get(a.ID).AnswerValues()
	if _, ok := vals["gov.certs"]; ok || vals["gov.policy"] != "no" {
		t.Errorf("answers after the second post %v", vals)
	}
	if _, err := r.svc.SaveForm(ctx, supplier, tok, "nope", url.Values{}); !errors.Is(err, apperr.ErrNotFound) {
		t.Errorf("unknown section: %v", err)
	}
}

// TestConcurrentAutosaves is the two-tabs guarantee: every save writes only
// its own question, so none is lost whatever the interleaving.
func TestConcurrentAutosaves(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a, tok := r.send("iso27001-2022-supplier-full")
	var ids []string
	for _, q := range a.Template.Questions() {
		if q.Type == questionnaires.TypeYesNo && len(ids) < 50 {
			ids = append(ids, q.ID)
		}
	}
	if len(ids) != 50 {
		t.Fatalf("template has %d yes/no questions", len(ids))
	}
	var wg sync.WaitGroup
	errs := make(chan error, len(ids))
	for _, id := range ids {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if _, err := r.svc.SaveAnswers(ctx, supplier, tok, map[string]any{id: "yes"}); err != nil {
				errs <- fmt.Errorf("%s: %w", id, err)
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	got := r.get(a.ID)
	for _, id := range ids {
		if got.Answers[id].Value() != "yes" {
			t.Errorf("answer to %s lost", id)
		}
	}
	if got.Version != 52 {
		t.Errorf("version %d after 50 saves and the start, want 52", got.Version)
	}
	// Saves that raced each other wrote their scores in some order; the
	// stored live score is still the one of the final answers.
	want, err := r.svc.Score(ctx, a.ID)
	if err != nil {
		t.Fatal(err)
	}
	wantProgress := questionnaires.Progress(got.Template, got.AnswerValues(), nil)
	if got.Score == nil || got.Score.Overall != want.Overall || got.Score.Coverage != want.Coverage || got.Progress != wantProgress {
		t.Errorf("stored live score %+v, progress %+v; computed overall %v coverage %v, progress %+v", got.Score, got.Progress, want.Overall, want.Coverage, wantProgress)
	}
}

func TestSubmitNamesOpenQuestionsThenLocks(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a, tok := r.send("basic")
	if _, err := r.svc.SaveAnswers(ctx, supplier, tok, map[string]any{"gov.policy": "yes"}); err != nil {
		t.Fatal(err)
	}
	err := r.svc.Submit(ctx, supplier, tok)
	if paths := fieldPaths(t, err); !slices.Equal(paths, []string{"gov.policy-file", "ops.backup"}) {
		t.Errorf("open required questions %v", paths)
	}
	if got := r.get(a.ID); got.Status != assessments.StatusInProgress {
		t.Fatalf("refused submit changed status to %s", got.Status)
	}
	answerBasic(t, r, tok)
	if err := r.svc.Submit(ctx, supplier, tok); err != nil {
		t.Fatal(err)
	}
	got := r.get(a.ID)
	if got.Status != assessments.StatusSubmitted || got.SubmittedAt.IsZero() {
		t.Fatalf("status %s", got.Status)
	}
	for name, err := range map[string]error{
		"save":   second(r.svc.SaveAnswers(ctx, supplier, tok, map[string]any{"ops.backup": "yes"})),
		"upload": second(r.svc.Upload(ctx, supplier, tok, "gov.policy-file", "x.pdf", strings.NewReader(string(pdf(100))))),
		"submit": r.svc.Submit(ctx, supplier, tok),
	} {
		if !errors.Is(err, apperr.ErrConflict) {
			t.Errorf("%s after submit: %v, want conflict", name, err)
		}
	}
	ev, _ := r.svc.Evidence(ctx, a.ID)
	if err := r.svc.RemoveEvidence(ctx, supplier, tok, ev[0].ID); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("removing evidence after submit: %v", err)
	}

	receipt := r.mails(a.ContactEmail, assessments.MailReceipt)
	if len(receipt) != 1 || !strings.Contains(receipt[0].Text, "policy.pdf") || !strings.Contains(receipt[0].Text, "3 of 6") {
		t.Errorf("receipt:\n%v", receipt)
	}
	for _, to := range []string{"owner@example.test", "reviewer@example.test", "second.reviewer@example.test"} {
		n := r.mails(to, assessments.MailSubmitted)
		if len(n) != 1 || !strings.Contains(n[0].Text, "https://assay.example.test/app/assessments/"+a.ID+"/review") {
			t.Errorf("notice to %s: %d", to, len(n))
		}
	}
	if got := r.audit.actions(a.ID); !slices.Contains(got, "assessment.submit") || !slices.Contains(got, "evidence.upload") {
		t.Errorf("audit %v", got)
	}
}

func TestClarificationReopensOneQuestion(t *testing.T) {
	r := newRig(t)
	ctx := context.Background()
	a, tok := r.send("basic")
	if err := r.svc.RequestClarification(ctx, reviewer, a.ID, "ops.backup", "Why?"); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("clarification before submit: %v", err)
	}
	answerBasic(t, r, tok)
	if err := r.svc.Submit(ctx, supplier, tok); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.RequestClarification(ctx, reviewer, a.ID, "ops.backup", " "); len(apperr.Fields(err)) != 1 {
		t.Errorf("empty comment: %v", err)
	}
	if err := r.svc.RequestClarification(ctx, reviewer, a.ID, "ops.backup", "You answered no: how do you restore after a loss?"); err != nil {
		t.Fatal(err)
	}
	got := r.get(a.ID)
	if got.Status != assessments.StatusClarificationRequested || got.Reopened["ops.backup"].Comment == "" || len(got.Clarifications) != 1 {
		t.Fatalf("after request: %s %v", got.Status, got.Reopened)
	}
	m := r.mails(a.ContactEmail, assessments.MailClarification)
	if len(m) != 1 || !strings.Contains(m[0].Text, "how do you restore") || !strings.Contains(m[0].Text, "Do you back up our data daily?") {
		t.Fatalf("clarification mail: %v", m)
	}
	link, err := testenv.LinkIn(m[0].Text, "https://assay.example.test/q/")
	if err != nil {
		t.Fatal(err)
	}
	mailed := strings.TrimPrefix(link, "https://assay.example.test/q/")
	for name, tk := range map[string]string{"mailed link": mailed, "invitation link": tok} {
		if got, err := r.svc.Portal(ctx, tk); err != nil || got.ID != a.ID {
			t.Errorf("%s after the clarification: %v", name, err)
		}
	}

	if _, err := r.svc.SaveAnswers(ctx, supplier, tok, map[string]any{"gov.policy": "no"}); !errors.Is(err, apperr.ErrConflict) {
		t.Errorf("changing a question that was not reopened: %v", err)
	}
	if _, err := r.svc.SaveAnswers(ctx, supplier, tok, map[string]any{"ops.backup": "yes"}); err != nil {
		t.Fatalf("answering the reopened question: %v", err)
	}
	if got := r.get(a.ID); got.Status != assessments.StatusInProgress || got.Reopened["ops.backup"].AnsweredAt.IsZero() {
		t.Errorf("after the answer: %s %+v", got.Status, got.Reopened["ops.backup"])
	}
	if err := r.svc.Submit(ctx, supplier, tok); err != nil {
		t.Fatal(err)
	}
	got = r.get(a.ID)
	if got.Status != assessments.StatusSubmitted || len(got.Reopened) != 0 || got.Clarifications[0].AnsweredAt.IsZero() {
		t.Errorf("after resubmit: %s reopened %v history %+v", got.Status, got.Reopened, got.Clarifications)
	}
	if n := r.mails("reviewer@example.test", assessments.MailSubmitted); len(n) != 2 || !strings.HasPrefix(n[0].Subject, "Clarified") {
		t.Errorf("reviewers were not told of the resubmission: %d", len(n))
	}
	// A resend retires every earlier link, the mailed one included.
	if err := r.svc.RequestClarification(ctx, reviewer, a.ID, "gov.policy", "And the approval date?"); err != nil {
		t.Fatal(err)
	}
	if err := r.svc.Resend(ctx, staff, a.ID); err != nil {
		t.Fatal(err)
	}
	for name, tk := range map[string]string{"mailed link": mailed, "invitation link": tok} {
		if _, err := r.svc.Portal(ctx, tk); !errors.Is(err, apperr.ErrNotFound) {
			t.Errorf("%s after a resend: %v", name, err)
		}
	}
}

func second[T any](_ T, err error) error { return err }
