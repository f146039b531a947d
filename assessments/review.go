package assessments

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/scoring"
)

// MaxCommentLen bounds reviewers' comments and notes.
const MaxCommentLen = 4000

// Review statuses of one answer.
const (
	ReviewAccepted = "accepted"
	ReviewFlagged  = "flagged"
)

// Finding statuses.
const (
	FindingOpen       = "open"
	FindingInProgress = "in_progress"
	FindingDone       = "done"
)

// UnderReview reports whether reviewers may work on a: once submitted,
// including while the supplier answers a clarification, until completed.
func (a *Assessment) UnderReview() bool {
	switch a.Status {
	case StatusSubmitted, StatusClarificationRequested:
		return true
	case StatusInProgress:
		return !a.SubmittedAt.IsZero()
	}
	return false
}

func errNotUnderReview(a *Assessment) error {
	if a.Status == StatusCompleted {
		return apperr.Wrapf(apperr.ErrConflict, "this assessment is completed: its review is closed")
	}
	return apperr.Wrapf(apperr.ErrConflict, "this assessment is %s: it can be reviewed once the supplier submits it", humanStatus(a.Status))
}

func actorName(a audit.Actor) string {
	if a.Email != "" {
		return a.Email
	}
	return a.ID
}

func checkComment(path, text string, required bool) (string, error) {
	text = strings.TrimSpace(text)
	if required && text == "" {
		return "", apperr.Field(path, "Write a comment.")
	}
	if utf8.RuneCountInString(text) > MaxCommentLen {
		return "", apperr.Field(path, fmt.Sprintf("Keep it under %d characters.", MaxCommentLen))
	}
	return text, nil
}

// guarded runs a read-modify-write of one assessment, retrying when a
// concurrent write changed it between the read and the guarded update.
func (s *Service) guarded(ctx context.Context, id string, f func(a *Assessment) (Expect, Change, error)) (*Assessment, Change, error) {
	for attempt := 0; ; attempt++ {
		a, err := s.Get(ctx, id)
		if err != nil {
			return nil, Change{}, err
		}
		exp, ch, err := f(a)
		if err != nil {
			return nil, Change{}, err
		}
		exp.Version = a.Version
		err = s.d.Store.Update(ctx, id, exp, ch)
		if err == nil {
			return a, ch, nil
		}
		if !errors.Is(err, apperr.ErrConflict) || attempt == 4 {
			return nil, Change{}, fmt.Errorf("updating %s: %w", id, err)
		}
	}
}

// RequestClarification reopens one question for the supplier with the
// reviewer's comment and mails them a link, which like the one they
// already have opens on the reopened questions; both stay valid for at
// least LinkValidDays.
func (s *Service) RequestClarification(ctx context.Context, actor audit.Actor, id, questionID, comment string) error {
	comment, err := checkComment("comment", comment, true)
	if err != nil {
		return err
	}
	now := s.now()
	var c Clarification
	a, _, err := s.guarded(ctx, id, func(a *Assessment) (Expect, Change, error) {
		if !a.UnderReview() {
			return Expect{}, Change{}, errNotUnderReview(a)
		}
		if _, ok := a.Template.Question(questionID); !ok {
			return Expect{}, Change{}, apperr.Field("question_id", "This questionnaire has no such question.")
		}
		c = Clarification{QuestionID: questionID, Comment: comment, By: actorName(actor), At: now}
		ch := Change{Reopen: map[string]Clarification{questionID: c}, Clarifications: append(append([]Clarification{}, a.Clarifications...), c), At: now}
		if a.Status == StatusSubmitted {
			ch.Status = StatusClarificationRequested
		}
		if floor := now.AddDate(0, 0, s.d.Settings.LinkValidDays); a.ExpiresAt.Before(floor) {
			ch.ExpiresAt = floor
		}
		return Expect{}, ch, nil
	})
	if err != nil {
		return err
	}
	s.record(ctx, actor, "assessment.clarification", "assessment", id,
		map[string]any{"status": a.Status}, map[string]any{"question_id": questionID, "comment": comment})
	q, _ := a.Template.Question(questionID)
	// Only the hash of the supplier's link is stored, so the mail carries a
	// further link; the one they have keeps working too.
	token, hash := newToken()
	if err := s.d.Store.AddLink(ctx, id, a.TokenHash, hash); err != nil {
		return fmt.Errorf("the question was reopened but no link could be made for the mail: %w", err)
	}
	m, err := s.message("clarification", MailClarification, id, []string{a.ContactEmail}, ClarificationMail{
		Company: s.d.Settings.Company, Vendor: a.VendorName, Contact: a.ContactName, Template: a.Template.Title,
		Question: q.Text, Comment: comment, DueDate: a.DueDate, Link: s.Link(token),
	})
	if err != nil {
		return err
	}
	if _, err := s.d.Mail.Enqueue(ctx, m); err != nil {
		return fmt.Errorf("the question was reopened but the mail to the supplier could not be queued: %w", err)
	}
	return nil
}

// Review records a reviewer's verdict on one answer: accept or flag, a
// comment, a score override with its reason, or waiving missing evidence.
// The live score is recomputed at once.
func (s *Service) Review(ctx context.Context, actor audit.Actor, id, questionID string, r QuestionReview) error {
	var fields []apperr.FieldError
	if r.Status != "" && r.Status != ReviewAccepted && r.Status != ReviewFlagged {
		fields = append(fields, apperr.FieldError{Path: "status", Message: "Choose accepted or flagged."})
	}
	comment, err := checkComment("comment", r.Comment, false)
	if err != nil {
		fields = append(fields, apperr.Fields(err)...)
	}
	r.Comment = comment
	if o := r.Override; o != nil {
		if o.Score < 0 || o.Score > 100 {
			fields = append(fields, apperr.FieldError{Path: "override.score", Message: "A score is between 0 and 100."})
		}
		o.Reason = strings.TrimSpace(o.Reason)
		if o.Reason == "" {
			fields = append(fields, apperr.FieldError{Path: "override.reason", Message: "Say why the score is overridden."})
		}
		o.By = actorName(actor)
	}
	if len(fields) > 0 {
		return apperr.Invalid("the review was not saved", fields...)
	}
	now := s.now()
	r.By, r.At = actorName(actor), now
	a, err := s.Get(ctx, id)
	if err != nil {
		return err
	}
	if !a.UnderReview() {
		return errNotUnderReview(a)
	}
	if _, ok := a.Template.Question(questionID); !ok {
		return apperr.Field("question_id", "This questionnaire has no such question.")
	}
	reviewable := []Status{StatusSubmitted, StatusClarificationRequested, StatusInProgress}
	if err := s.d.Store.Update(ctx, id, Expect{Statuses: reviewable}, Change{Reviews: map[string]QuestionReview{questionID: r}, At: now}); err != nil {
		return fmt.Errorf("reviewing %s: %w", id, err)
	}
	s.record(ctx, actor, "assessment.review", "assessment", id, reviewSummary(questionID, a.Reviews[questionID]), reviewSummary(questionID, r))
	if _, err := s.refresh(ctx, id); err != nil {
		return err
	}
	return nil
}

func reviewSummary(qid string, r QuestionReview) map[string]any {
	m := map[string]any{"question_id": qid}
	if r.Status != "" {
		m["status"] = r.Status
	}
	if r.Comment != "" {
		m["comment"] = r.Comment
	}
	if r.Override != nil {
		m["override"] = r.Override.Score
		m["reason"] = r.Override.Reason
	}
	if r.EvidenceAccepted {
		m["evidence_accepted"] = true
	}
	return m
}

// currentScore is the score decisions are made on: the final one once
// completed, else the live one.
func (s *Service) currentScore(a *Assessment) scoring.Score {
	if a.FinalScore != nil {
		return *a.FinalScore
	}
	return s.compute(a, a.Files)
}

func findingOf(sc scoring.Score, control string) (scoring.Finding, bool) {
	for _, f := range sc.Findings {
		if f.Control == control {
			return f, true
		}
	}
	return scoring.Finding{}, false
}

// DecideFinding records the treatment of one finding of the score: its
// decision, owner, due date and status. It may change after completion, as
// mitigations progress.
func (s *Service) DecideFinding(ctx context.Context, actor audit.Actor, id string, d FindingDecision) error {
	var fields []apperr.FieldError
	if !d.Treatment.Valid() {
		fields = append(fields, apperr.FieldError{Path: "treatment", Message: "Choose accept, mitigate, transfer or avoid."})
	}
	if d.Status == "" {
		d.Status = FindingOpen
	}
	if d.Status != FindingOpen && d.Status != FindingInProgress && d.Status != FindingDone {
		fields = append(fields, apperr.FieldError{Path: "status", Message: "Choose open, in progress or done."})
	}
	note, err := checkComment("note", d.Note, false)
	if err != nil {
		fields = append(fields, apperr.Fields(err)...)
	}
	d.Note, d.Owner = note, strings.TrimSpace(d.Owner)
	if !d.DueDate.IsZero() {
		d.DueDate = dateOf(d.DueDate)
	}
	if len(fields) > 0 {
		return apperr.Invalid("the decision was not saved", fields...)
	}
	var before *FindingDecision
	_, _, err = s.guarded(ctx, id, func(a *Assessment) (Expect, Change, error) {
		if !a.UnderReview() && a.Status != StatusCompleted {
			return Expect{}, Change{}, errNotUnderReview(a)
		}
		sc := s.currentScore(a)
		if _, ok := findingOf(sc, d.Control); !ok {
			return Expect{}, Change{}, apperr.Field("control", fmt.Sprintf("%s is not a finding of this assessment.", d.Control))
		}
		list := append([]FindingDecision{}, a.Findings...)
		before = nil
		replaced := false
		for i := range list {
			if list[i].Control == d.Control {
				prev := list[i]
				before = &prev
				d.RemediationSentAt = prev.RemediationSentAt
				list[i], replaced = d, true
			}
		}
		if !replaced {
			list = append(list, d)
		}
		return Expect{}, Change{Findings: list, At: s.now()}, nil
	})
	if err != nil {
		return err
	}
	var prev map[string]any
	if before != nil {
		prev = map[string]any{"control": before.Control, "treatment": before.Treatment, "status": before.Status, "owner": before.Owner}
	}
	s.record(ctx, actor, "finding.decide", "assessment", id, prev,
		map[string]any{"control": d.Control, "treatment": d.Treatment, "status": d.Status, "owner": d.Owner, "due_date": isoDate(d.DueDate)})
	return nil
}

// SendRemediation mails the vendor contact the mitigation asked for one
// finding, which must have been decided as mitigate.
func (s *Service) SendRemediation(ctx context.Context, actor audit.Actor, id, control string) error {
	now := s.now()
	var data RemediationMail
	a, _, err := s.guarded(ctx, id, func(a *Assessment) (Expect, Change, error) {
		list := append([]FindingDecision{}, a.Findings...)
		idx := -1
		for i := range list {
			if list[i].Control == control {
				idx = i
			}
		}
		if idx < 0 || list[idx].Treatment != TreatMitigate {
			return Expect{}, Change{}, apperr.Wrapf(apperr.ErrConflict, "record the decision to mitigate %s before sending a remediation request", control)
		}
		sc := s.currentScore(a)
		f, ok := findingOf(sc, control)
		if !ok {
			return Expect{}, Change{}, apperr.Wrapf(apperr.ErrConflict, "%s is no longer a finding of this assessment", control)
		}
		data = RemediationMail{
			Company: s.d.Settings.Company, Vendor: a.VendorName, Contact: a.ContactName, Control: f.Control,
			Title: f.Title, Severity: string(f.Severity), Recommendation: f.Recommendation,
			Note: list[idx].Note, DueDate: list[idx].DueDate,
		}
		list[idx].RemediationSentAt = now
		return Expect{}, Change{Findings: list, At: now}, nil
	})
	if err != nil {
		return err
	}
	m, err := s.message("remediation", MailRemediation, id, []string{a.ContactEmail}, data)
	if err != nil {
		return err
	}
	if _, err := s.d.Mail.Enqueue(ctx, m); err != nil {
		return fmt.Errorf("queueing remediation request: %w", err)
	}
	s.record(ctx, actor, "finding.remediation_sent", "assessment", id, nil, map[string]any{"control": control, "to": a.ContactEmail})
	return nil
}

// Complete closes the review of a submitted assessment: it records the
// score exactly as it stands (never recomputed later) and the decision, and
// sets the vendor's current risk and next review date.
func (s *Service) Complete(ctx context.Context, actor audit.Actor, id string, t Treatment, note string) error {
	if !t.Valid() {
		return apperr.Field("decision", "Choose accept, mitigate, transfer or avoid.")
	}
	note, err := checkComment("note", note, false)
	if err != nil {
		return err
	}
	now := s.now()
	var final scoring.Score
	a, _, err := s.guarded(ctx, id, func(a *Assessment) (Expect, Change, error) {
		if a.Status != StatusSubmitted {
			if a.Status == StatusClarificationRequested || (a.Status == StatusInProgress && !a.SubmittedAt.IsZero()) {
				return Expect{}, Change{}, apperr.Wrapf(apperr.ErrConflict, "a clarification is open: wait for the supplier to submit again")
			}
			return Expect{}, Change{}, apperr.Wrapf(apperr.ErrConflict, "only a submitted assessment can be completed; this one is %s", humanStatus(a.Status))
		}
		final = s.compute(a, a.Files)
		return Expect{Statuses: []Status{StatusSubmitted}}, Change{
			Status: StatusCompleted, CompletedAt: now, FinalScore: &final, Score: cacheable(final),
			Decision: &Decision{Treatment: t, Note: note, By: actorName(actor), At: now}, At: now,
		}, nil
	})
	if err != nil {
		return err
	}
	s.record(ctx, actor, "assessment.complete", "assessment", id, map[string]any{"status": a.Status}, map[string]any{
		"status": StatusCompleted, "decision": t, "overall": final.Overall, "grade": final.Grade, "residual": final.Risk.Residual,
	})
	risk := VendorRisk{
		AssessmentID: id, Overall: final.Overall, Grade: final.Grade, Residual: string(final.Risk.Residual),
		Decision: t, CompletedAt: now, NextReview: s.NextReview(a.VendorTier, now),
	}
	if err := s.d.Vendors.RecordAssessment(ctx, a.VendorID, risk); err != nil {
		return fmt.Errorf("the assessment is completed but the vendor's risk was not updated: %w", err)
	}
	return nil
}

// NextReview is when a vendor of tier, assessed at done, is due again.
func (s *Service) NextReview(tier int, done time.Time) time.Time {
	months, ok := s.d.Settings.ReviewMonths[tier]
	if !ok {
		months = DefaultReviewMonths[tier]
	}
	if months == 0 {
		months = 12 // an unknown tier is treated as critical
	}
	return dateOf(done).AddDate(0, months, 0)
}
