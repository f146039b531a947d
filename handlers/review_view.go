package handlers

import (
	"strconv"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/scoring"
)

// reviewSection is one section of the questionnaire as the reviewer reads
// it: only the questions the supplier's answers made visible.
type reviewSection struct {
	ID, Title string
	Questions []reviewQuestion
	Hidden    int // questions hidden by the supplier's answers, left out
}

// reviewQuestion is one question with everything a reviewer weighs beside
// it: the answer as people read it, the files, how it scored and what
// reviewers already said.
type reviewQuestion struct {
	questionnaires.Question
	Answer    []string // one line per value; empty when unanswered
	Prefilled bool     // carried over from the previous assessment and not confirmed
	Changed   bool     // differs from the vendor's previous assessment
	Evidence  []assessments.Evidence
	Score     scoring.QuestionScore
	Controls  []questionnaires.Control
	Review    assessments.QuestionReview
	Override  *scoring.OverrideRecord
	Reopened  *assessments.Clarification // the open clarification request, if any
	History   []assessments.Clarification
}

// Counted reports whether the question counts in the score.
func (q reviewQuestion) Counted() bool { return q.Score.Score != nil }

// Points is the question's score for display; only meaningful when Counted.
func (q reviewQuestion) Points() float64 {
	if q.Score.Score == nil {
		return 0
	}
	return *q.Score.Score
}

// Unscored says why a question does not count in the score.
func (q reviewQuestion) Unscored() string {
	switch q.Score.Reason {
	case scoring.ReasonNotApplicable:
		return "Not scored: answered not applicable"
	case scoring.ReasonNotScored:
		return "Not scored: this question informs the review and carries no points"
	}
	return "Not scored"
}

// NeedsEvidence reports whether evidence the question asks for is missing
// and not yet waived: a reviewer may accept it as it is (a certificate
// seen elsewhere, say), which lifts the score cap.
func (q reviewQuestion) NeedsEvidence() bool {
	return q.Score.EvidenceRequired && q.Score.EvidenceFiles == 0 && !q.Score.EvidenceAccepted
}

// reviewSections lays out the assessment for review. Hidden questions are
// counted, not shown: their answers (if any) no longer count anywhere.
func reviewSections(a *assessments.Assessment, sc *scoring.Score, evidence []assessments.Evidence, changed map[string]bool) []reviewSection {
	if a.Template == nil {
		return nil
	}
	answers := a.AnswerValues()
	visible := questionnaires.Visible(a.Template, answers)
	byQuestion := make(map[string][]assessments.Evidence)
	for _, e := range evidence {
		byQuestion[e.QuestionID] = append(byQuestion[e.QuestionID], e)
	}
	scores := make(map[string]scoring.QuestionScore)
	overrides := make(map[string]*scoring.OverrideRecord)
	if sc != nil {
		for _, q := range sc.Questions {
			scores[q.ID] = q
		}
		for i := range sc.Overrides {
			overrides[sc.Overrides[i].Question] = &sc.Overrides[i]
		}
	}
	history := make(map[string][]assessments.Clarification)
	for _, c := range a.Clarifications {
		history[c.QuestionID] = append(history[c.QuestionID], c)
	}
	out := make([]reviewSection, 0, len(a.Template.Sections))
	for _, s := range a.Template.Sections {
		rs := reviewSection{ID: s.ID, Title: s.Title}
		for _, q := range s.Questions {
			if !visible[q.ID] {
				rs.Hidden++
				continue
			}
			rq := reviewQuestion{
				Question:  q,
				Answer:    formatAnswer(q, answers[q.ID]),
				Prefilled: a.Answers[q.ID].Prefilled,
				Changed:   changed[q.ID],
				Evidence:  byQuestion[q.ID],
				Score:     scores[q.ID],
				Review:    a.Reviews[q.ID],
				Override:  overrides[q.ID],
				History:   history[q.ID],
			}
			if c, ok := a.Reopened[q.ID]; ok {
				rq.Reopened = &c
			}
			for _, id := range q.Controls {
				if c, ok := questionnaires.ControlByID(id); ok {
					rq.Controls = append(rq.Controls, c)
				}
			}
			rs.Questions = append(rs.Questions, rq)
		}
		out = append(out, rs)
	}
	return out
}

// formatAnswer renders a stored answer the way the supplier chose it:
// option labels rather than values, dates spelled out, one line per item
// of a list. Values the template no longer knows are shown as stored.
func formatAnswer(q questionnaires.Question, v any) []string {
	switch x := v.(type) {
	case nil:
		return nil
	case float64:
		return []string{strconv.FormatFloat(x, 'f', -1, 64)}
	case []string:
		out := make([]string, 0, len(x))
		for _, s := range x {
			out = append(out, optionLabel(q, s))
		}
		return out
	case string:
		if x == "" {
			return nil
		}
		switch q.Type {
		case questionnaires.TypeDate:
			if d, err := time.Parse(questionnaires.DateLayout, x); err == nil {
				return []string{d.Format("2 January 2006")}
			}
		case questionnaires.TypeText, questionnaires.TypeLongText:
			return []string{x}
		}
		return []string{optionLabel(q, x)}
	}
	return nil
}

func optionLabel(q questionnaires.Question, value string) string {
	for _, o := range q.EffectiveOptions() {
		if o.Value == value {
			return o.Label
		}
	}
	return value
}

// themeScore is one line of the score panel.
type themeScore struct {
	Label   string
	Score   float64
	Present bool // false when nothing in the theme was assessed
}

// panelThemes lists the four 2022 themes in the standard's order, each
// present or not, so the panel always has the same four lines.
func panelThemes(sc *scoring.Score) []themeScore {
	out := make([]themeScore, 0, 4)
	for _, th := range questionnaires.Themes() {
		ts := themeScore{Label: th}
		if sc != nil {
			ts.Score, ts.Present = sc.Themes.Get(th)
		}
		out = append(out, ts)
	}
	return out
}

// controlLine is one supplier-relationship control in the score panel.
type controlLine struct {
	ID, Title string
	Score     float64
	Assessed  bool
}

// panelSupplierControls lists A.5.19–A.5.23 with their scores; a control
// the questionnaire did not assess is listed as such, not as 0.
func panelSupplierControls(sc *scoring.Score) []controlLine {
	scored := make(map[string]float64)
	if sc != nil {
		for _, c := range sc.Controls {
			scored[c.ID] = c.Score
		}
	}
	ids := questionnaires.SupplierControls()
	out := make([]controlLine, 0, len(ids))
	for _, id := range ids {
		c, _ := questionnaires.ControlByID(id)
		v, ok := scored[id]
		out = append(out, controlLine{ID: id, Title: c.Title, Score: v, Assessed: ok})
	}
	return out
}

// findingView is one finding of the score with the treatment recorded for
// it, if any.
type findingView struct {
	scoring.Finding
	Decision  *assessments.FindingDecision
	Questions []questionRef
}

type questionRef struct{ ID, Text string }

// findingViews joins the score's findings with the recorded decisions; a
// decision whose finding has gone (the answer was fixed) is not shown.
func findingViews(a *assessments.Assessment, sc *scoring.Score) []findingView {
	if sc == nil {
		return nil
	}
	decided := make(map[string]*assessments.FindingDecision, len(a.Findings))
	for i := range a.Findings {
		decided[a.Findings[i].Control] = &a.Findings[i]
	}
	out := make([]findingView, 0, len(sc.Findings))
	for _, f := range sc.Findings {
		fv := findingView{Finding: f, Decision: decided[f.Control]}
		for _, id := range f.Questions {
			ref := questionRef{ID: id, Text: id}
			if a.Template != nil {
				if q, ok := a.Template.Question(id); ok {
					ref.Text = q.Text
				}
			}
			fv.Questions = append(fv.Questions, ref)
		}
		out = append(out, fv)
	}
	return out
}

// daysSince counts whole days from t to now; 0 for a zero time.
func daysSince(t, now time.Time) int {
	if t.IsZero() || now.Before(t) {
		return 0
	}
	return int(now.Sub(t).Hours() / 24)
}
