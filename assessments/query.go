package assessments

import (
	"context"
	"fmt"

	"github.com/assayhq/assay/scoring"
)

// Get returns one assessment with its template snapshot and answers.
func (s *Service) Get(ctx context.Context, id string) (*Assessment, error) {
	a, err := s.d.Store.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("assessment %s: %w", id, err)
	}
	return a, nil
}

// List returns a page of assessments (without template and answers) and
// the number matching.
func (s *Service) List(ctx context.Context, f Filter) ([]Assessment, int64, error) {
	items, total, err := s.d.Store.List(ctx, f)
	if err != nil {
		return nil, 0, fmt.Errorf("listing assessments: %w", err)
	}
	return items, total, nil
}

// Evidence lists an assessment's files, for staff.
func (s *Service) Evidence(ctx context.Context, id string) ([]Evidence, error) {
	a, err := s.d.Store.Get(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("assessment %s: %w", id, err)
	}
	return a.Files, nil
}

func (s *Service) evidence(ctx context.Context, id string) ([]Evidence, error) {
	ev, err := s.d.Evidence.List(ctx, id)
	if err != nil {
		return nil, fmt.Errorf("evidence of %s: %w", id, err)
	}
	return ev, nil
}

// Score returns the recorded score of a completed assessment, which never
// changes, and otherwise the score its current answers give.
func (s *Service) Score(ctx context.Context, id string) (*scoring.Score, error) {
	a, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.ScoreOf(a, a.Files), nil
}

// ScoreOf is Score for an assessment and its files the caller has already
// read, as the review page has.
func (s *Service) ScoreOf(a *Assessment, ev []Evidence) *scoring.Score {
	if a.FinalScore != nil {
		return a.FinalScore
	}
	sc := s.compute(a, ev)
	return &sc
}

// compute scores a's answers, evidence and reviews as they are now.
func (s *Service) compute(a *Assessment, ev []Evidence) scoring.Score {
	in := scoring.Input{
		Template: a.Template, Answers: a.AnswerValues(), Evidence: evidenceCounts(ev), Tier: a.VendorTier,
	}
	for qid, r := range a.Reviews {
		if r.Override != nil {
			if in.Overrides == nil {
				in.Overrides = map[string]scoring.Override{}
			}
			in.Overrides[qid] = *r.Override
		}
		if r.EvidenceAccepted {
			if in.AcceptedEvidence == nil {
				in.AcceptedEvidence = map[string]bool{}
			}
			in.AcceptedEvidence[qid] = true
		}
	}
	return s.scorers.Score(in)
}

func evidenceCounts(ev []Evidence) map[string]int {
	n := make(map[string]int, len(ev))
	for _, e := range ev {
		n[e.QuestionID]++
	}
	return n
}
