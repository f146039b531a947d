package assessments_test

import (
	"slices"
	"testing"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/questionnaires"
)

// After a submit, the supplier may change the reopened questions and the
// follow-ups their answers reveal, and nothing else.
func TestLocked(t *testing.T) {
	tmpl, err := questionnaires.Parse([]byte(`
key: locked
version: 1
title: Locked
sections:
  - id: s
    title: S
    questions:
      - {id: certified, text: "Certified?", type: yes_no, controls: [A.5.1]}
      - {id: scope, text: "Scope?", type: text, required: true, controls: [A.5.1], show_if: {question: certified, equals: "yes"}}
      - {id: expiry, text: "Expiry?", type: date, controls: [A.5.1], show_if: {question: scope, not: "none"}}
      - {id: other, text: "Other?", type: yes_no, controls: [A.5.1]}
`), questionnaires.FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	submitted := time.Date(2026, 5, 1, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name     string
		status   assessments.Status
		at       time.Time
		reopened []string
		open     []string
	}{
		{"in progress, never submitted: all open", assessments.StatusInProgress, time.Time{}, nil, []string{"certified", "scope", "expiry", "other"}},
		{"submitted: none open", assessments.StatusSubmitted, submitted, nil, nil},
		{"parent reopened: it and its follow-ups", assessments.StatusClarificationRequested, submitted, []string{"certified"}, []string{"certified", "scope", "expiry"}},
		{"follow-up reopened: not its parent", assessments.StatusClarificationRequested, submitted, []string{"scope"}, []string{"scope", "expiry"}},
		{"unrelated reopened", assessments.StatusClarificationRequested, submitted, []string{"other"}, []string{"other"}},
		{"completed: none, whatever was reopened", assessments.StatusCompleted, submitted, []string{"certified"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := &assessments.Assessment{Status: tt.status, SubmittedAt: tt.at, Template: tmpl, Reopened: map[string]assessments.Clarification{}}
			for _, id := range tt.reopened {
				a.Reopened[id] = assessments.Clarification{Comment: "why?"}
			}
			var open []string
			for _, q := range tmpl.Questions() {
				if !a.Locked(q.ID) {
					open = append(open, q.ID)
				}
			}
			if !slices.Equal(open, tt.open) {
				t.Errorf("open %v, want %v", open, tt.open)
			}
		})
	}
}
