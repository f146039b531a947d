package scoring

import (
	"strings"
	"testing"

	"github.com/assayhq/assay/questionnaires"
)

func TestExplain(t *testing.T) {
	s := Compute(goldenInput())
	tests := map[string][]string{
		"q1":      {"q1 (weight 3)", "scoring 100.0, capped at 50", "A.5.19, A.5.20"},
		"q2":      {"75.0 by a reviewer", "(the answer scored 0.0)", "rita@example.com", "CC9.2"},
		"q4":      {"not applicable"},
		"q5":      {"not answered, so it counts as 0", "A.5.20"},
		"q9":      {"hidden"},
		"q10":     {"not scored"},
		"A.5.20":  {"42.0", "(3 × 50.0 + 1 × 60.0 + 1 × 0.0) / 5 = 42.0", "high: priority (100 − 42.0) × impact 4 × weight 5 / 25 = 46.4"},
		"A.8.24":  {"key control with a question scoring 0"},
		"overall": {"Overall 56.4 (grade C)", "3 assessed controls", "85.7%"},
		"risk":    {"Residual risk high: likelihood 3 × impact 4", "inherent risk 4"},
	}
	for id, wants := range tests {
		got := s.Explain(id)
		for _, w := range wants {
			if !strings.Contains(got, w) {
				t.Errorf("Explain(%q) = %q, missing %q", id, got, w)
			}
		}
	}
	if s.Explain("nope") != "" {
		t.Error("unknown id should explain nothing")
	}

	na := Compute(Input{Template: tmpl(q("a", tYN, 1), q("b", tYN, 1, "A.8.5")), Answers: questionnaires.Answers{"a": "yes"}})
	if got := na.Explain("A.8.5"); !strings.Contains(got, "not assessed") {
		t.Errorf("Explain(A.8.5) = %q", got)
	}
	if got := na.Explain("risk"); !strings.Contains(got, "only 50.0% of the questions were answered") {
		t.Errorf("Explain(risk) = %q", got)
	}
}
