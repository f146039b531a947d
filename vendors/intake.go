package vendors

import (
	"context"
	"errors"
	"fmt"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/scoring"
)

// IntakeTemplate returns the questionnaire procurement answers about a
// vendor to rate its inherent risk.
func (s *Service) IntakeTemplate(ctx context.Context) (*questionnaires.Template, error) {
	t, err := s.d.Templates.Latest(ctx, IntakeTemplateKey)
	if err != nil {
		return nil, fmt.Errorf("intake questionnaire %s: %w", IntakeTemplateKey, err)
	}
	return t, nil
}

// Intake records procurement's answers to the intake questionnaire, posted
// as form values named q.<question id>, and sets the vendor's tier from
// them. Nothing is stored unless every visible required question has a
// valid answer.
func (s *Service) Intake(ctx context.Context, actor audit.Actor, id string, form map[string][]string) (*Vendor, error) {
	t, err := s.IntakeTemplate(ctx)
	if err != nil {
		return nil, err
	}
	v, err := s.d.Store.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	answers := questionnaires.Answers{}
	var fields []apperr.FieldError
	bad := map[string]bool{}
	for _, q := range t.Questions() {
		if q.Type == questionnaires.TypeFile {
			continue
		}
		val, err := questionnaires.FromForm(q, form["q."+q.ID])
		if err != nil {
			msg := err.Error()
			if ae, ok := errors.AsType[*questionnaires.AnswerError](err); ok {
				msg = ae.Message
			}
			fields = append(fields, apperr.FieldError{Path: "q." + q.ID, Message: msg})
			bad[q.ID] = true
			continue
		}
		if val != nil {
			answers[q.ID] = val
		}
	}
	visible := questionnaires.Visible(t, answers)
	for qid := range answers {
		if !visible[qid] {
			delete(answers, qid)
		}
	}
	for _, qid := range questionnaires.MissingRequired(t, answers, nil) {
		if q, ok := t.Question(qid); ok && q.Type != questionnaires.TypeFile && !bad[qid] {
			fields = append(fields, apperr.FieldError{Path: "q." + qid, Message: "Answer this question."})
		}
	}
	if len(fields) > 0 {
		return nil, apperr.Invalid("Some answers are missing or invalid.", fields...)
	}
	tier, _ := scoring.TierFromIntake(t, answers)
	if tier == 0 {
		return nil, apperr.Invalid("Answer at least one of the rated questions so the tier can be computed.")
	}
	now := s.d.Now().UTC()
	before := map[string]any{"tier": v.Tier, "tier_source": v.TierSource}
	v.IntakeAnswers = make(map[string]assessments.Answer, len(answers))
	for qid, val := range answers {
		v.IntakeAnswers[qid] = assessments.AnswerOf(val, now)
	}
	v.IntakeAt, v.Tier, v.TierSource = now, tier, TierIntake
	if err := s.save(ctx, v, PartIntake); err != nil {
		return nil, err
	}
	s.record(ctx, actor, "vendor.intake", v.ID, before, map[string]any{"tier": tier, "tier_source": TierIntake}, "")
	return v, nil
}
