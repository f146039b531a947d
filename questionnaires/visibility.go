package questionnaires

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"iter"
)

// VisibilityJS is the browser twin of Visible: assayVisible(rules, answers)
// evaluated on ClientRules output gives the same result as Visible, which
// TestVisibleMatchesJS checks on random templates.
//
//go:embed visibility.js
var VisibilityJS []byte

// Visible decides for every question whether it is shown. It is the one place
// that rule lives: progress, required checks and scoring all go through it.
// A question with show_if is visible when its condition holds and every
// question the condition refers to is itself visible; the answer of a hidden
// question counts as no answer, so hiding a parent hides the whole chain.
// Conditions refer only to earlier questions, so one pass in reading order
// suffices.
func Visible(t *Template, a Answers) map[string]bool {
	vis := make(map[string]bool, t.QuestionCount())
	VisibleInto(vis, t, a)
	return vis
}

// VisibleInto is Visible writing into a map the caller reuses, so that
// scoring thousands of assessments does not allocate one map each. The map
// is cleared first.
func VisibleInto(vis map[string]bool, t *Template, a Answers) {
	clear(vis)
	for _, s := range t.Sections {
		for _, q := range s.Questions {
			vis[q.ID] = q.ShowIf == nil || holds(q.ShowIf, a, vis)
		}
	}
}

// holds evaluates a condition. Where a malformed condition (one Validate
// rejects) uses several forms, question wins over all, and all over any;
// visibility.js follows the same order.
func holds(c *Condition, a Answers, vis map[string]bool) bool {
	if c.Question != "" {
		var ans any
		if vis[c.Question] {
			ans = a[c.Question]
		}
		if isEmptyAnswer(ans) {
			return false
		}
		switch {
		case c.Equals != nil:
			return answerHas(ans, c.Equals)
		case len(c.In) > 0:
			for _, v := range c.In {
				if answerHas(ans, v) {
					return true
				}
			}
			return false
		case c.Not != nil:
			return !answerHas(ans, c.Not)
		}
		return false
	}
	if len(c.All) > 0 {
		for i := range c.All {
			if !holds(&c.All[i], a, vis) {
				return false
			}
		}
		return true
	}
	for i := range c.Any {
		if holds(&c.Any[i], a, vis) {
			return true
		}
	}
	return false
}

// answerHas reports whether an answer is, or for a multiple choice contains,
// the value.
func answerHas(ans, v any) bool {
	switch ans := ans.(type) {
	case []string:
		for _, e := range ans {
			if sameValue(e, v) {
				return true
			}
		}
		return false
	case []any:
		for _, e := range ans {
			if sameValue(e, v) {
				return true
			}
		}
		return false
	}
	return sameValue(ans, v)
}

// sameValue compares strings with strings and numbers with numbers, whatever
// Go type holds the number; nothing else is ever equal, as in visibility.js.
func sameValue(a, b any) bool {
	if s, ok := a.(string); ok {
		t, ok := b.(string)
		return ok && s == t
	}
	if x, ok := asFloat(a); ok {
		y, ok := asFloat(b)
		return ok && x == y
	}
	return false
}

// ProgressCounts summarises how far an assessment is, counting only the
// questions the supplier can currently see.
type ProgressCounts struct {
	Answered int // visible questions with an answer (file questions: with evidence)
	Required int // visible questions marked required
	Total    int // visible questions
}

// Progress counts the visible, answered and required questions. A file
// question is answered when evidenceCount holds at least one file for it.
func Progress(t *Template, a Answers, evidenceCount map[string]int) ProgressCounts {
	var p ProgressCounts
	vis := Visible(t, a)
	for _, s := range t.Sections {
		for _, q := range s.Questions {
			if !vis[q.ID] {
				continue
			}
			p.Total++
			if q.Required {
				p.Required++
			}
			if answered(q, a, evidenceCount) {
				p.Answered++
			}
		}
	}
	return p
}

// MissingRequired returns, in reading order, the ids of the visible required
// questions that have no answer; an assessment can be submitted when it is
// empty. Hidden questions are never required.
func MissingRequired(t *Template, a Answers, evidenceCount map[string]int) []string {
	var missing []string
	vis := Visible(t, a)
	for _, s := range t.Sections {
		for _, q := range s.Questions {
			if vis[q.ID] && q.Required && !answered(q, a, evidenceCount) {
				missing = append(missing, q.ID)
			}
		}
	}
	return missing
}

func answered(q Question, a Answers, evidenceCount map[string]int) bool {
	if q.Type == TypeFile {
		return evidenceCount[q.ID] > 0
	}
	return !isEmptyAnswer(a[q.ID])
}

// clientRules is the JSON handed to visibility.js. Order matters as in
// Visible: a condition only sees questions before it. It is a list, not
// implied by the keys of ShowIf, because JavaScript objects put keys that
// look like integers ("12") first.
type clientRules struct {
	Order  []string              `json:"order"`
	ShowIf map[string]*Condition `json:"show_if"`
}

// ClientRules describes the template's show_if conditions for the browser:
// {"order": [question ids in reading order], "show_if": {id: condition}},
// with conditions in the template's own JSON form. Pass it, with the answers
// in their normalized form (numbers as numbers), to assayVisible in
// VisibilityJS. A template with duplicate question ids (which Validate
// rejects) is an error: the rules could not tell the questions apart.
func ClientRules(t *Template) ([]byte, error) {
	r := clientRules{Order: make([]string, 0, t.QuestionCount()), ShowIf: map[string]*Condition{}}
	seen := make(map[string]bool, t.QuestionCount())
	for _, s := range t.Sections {
		for _, q := range s.Questions {
			if seen[q.ID] {
				return nil, fmt.Errorf("client rules: duplicate question id %q", q.ID)
			}
			seen[q.ID] = true
			r.Order = append(r.Order, q.ID)
			if q.ShowIf != nil {
				r.ShowIf[q.ID] = q.ShowIf
			}
		}
	}
	return json.Marshal(r)
}

// DependsOn reports whether the visibility of question qid depends,
// directly or through the conditional questions it refers to, on a question
// for which on returns true. Conditions refer only to earlier questions, so
// the walk ends; the depth bound guards against a template Validate would
// reject.
func (t *Template) DependsOn(qid string, on func(id string) bool) bool {
	return t.dependsOn(qid, on, 0)
}

func (t *Template) dependsOn(qid string, on func(string) bool, depth int) bool {
	q, ok := t.Question(qid)
	if !ok || depth > 64 {
		return false
	}
	for ref := range q.ShowIf.Refs() {
		if on(ref) || t.dependsOn(ref, on, depth+1) {
			return true
		}
	}
	return false
}

// Refs yields every question the condition refers to, nested conditions
// included, in order; a question referred to twice comes twice. A nil
// condition refers to none.
func (c *Condition) Refs() iter.Seq[string] {
	return func(yield func(string) bool) { c.refs(yield) }
}

func (c *Condition) refs(yield func(string) bool) bool {
	if c == nil {
		return true
	}
	if c.Question != "" && !yield(c.Question) {
		return false
	}
	for i := range c.All {
		if !c.All[i].refs(yield) {
			return false
		}
	}
	for i := range c.Any {
		if !c.Any[i].refs(yield) {
			return false
		}
	}
	return true
}

// Gates returns the questions some show_if condition refers to: changing
// their answer can change which questions apply.
func (t *Template) Gates() map[string]bool {
	out := map[string]bool{}
	for _, q := range t.Questions() {
		for ref := range q.ShowIf.Refs() {
			out[ref] = true
		}
	}
	return out
}
