package questionnaires

import "slices"

// Answer values of yes/no questions, fixed so that scoring and conditions
// never depend on how a template author spelled them.
const (
	AnswerYes = "yes"
	AnswerNo  = "no"
	AnswerNA  = "na"
)

// DefaultWeight applies to a question whose weight is omitted (0).
const DefaultWeight = 1

// DefaultOptions returns the options a yes_no or yes_no_na question has when
// its template lists none: yes scores 100, no 0, and "not applicable" is left
// out of the score. Other types have no default options.
func DefaultOptions(q Question) []Option {
	score := func(n int) *int { return &n }
	switch q.Type {
	case TypeYesNo:
		return []Option{{Value: AnswerYes, Label: "Yes", Score: score(100)}, {Value: AnswerNo, Label: "No", Score: score(0)}}
	case TypeYesNoNA:
		return []Option{
			{Value: AnswerYes, Label: "Yes", Score: score(100)},
			{Value: AnswerNo, Label: "No", Score: score(0)},
			{Value: AnswerNA, Label: "Not applicable"},
		}
	}
	return nil
}

// EffectiveOptions returns the question's options, or its type's defaults
// when the template lists none.
func (q Question) EffectiveOptions() []Option {
	if len(q.Options) > 0 {
		return q.Options
	}
	return DefaultOptions(q)
}

// EffectiveWeight returns the weight used in scoring: an omitted weight (0)
// counts as DefaultWeight.
func (q Question) EffectiveWeight() int {
	if q.Weight == 0 {
		return DefaultWeight
	}
	return q.Weight
}

// option returns the question's effective option with the given value.
func (q Question) option(value string) (Option, bool) {
	for _, o := range q.EffectiveOptions() {
		if o.Value == value {
			return o, true
		}
	}
	return Option{}, false
}

// Questions returns every question of the template in reading order.
func (t *Template) Questions() []Question {
	qs := make([]Question, 0, t.QuestionCount())
	for _, s := range t.Sections {
		qs = append(qs, s.Questions...)
	}
	return qs
}

// Question looks up a question by id.
func (t *Template) Question(id string) (Question, bool) {
	for _, s := range t.Sections {
		for _, q := range s.Questions {
			if q.ID == id {
				return q, true
			}
		}
	}
	return Question{}, false
}

// QuestionCount returns the number of questions in all sections.
func (t *Template) QuestionCount() int {
	n := 0
	for _, s := range t.Sections {
		n += len(s.Questions)
	}
	return n
}

// ControlIDs returns the distinct controls the template's questions cover, in
// the standard's numeric order (A.5.2 before A.5.10).
func (t *Template) ControlIDs() []string {
	var ids []string
	for _, s := range t.Sections {
		for _, q := range s.Questions {
			ids = append(ids, q.Controls...)
		}
	}
	slices.SortFunc(ids, compareControlIDs)
	return slices.Compact(ids)
}
