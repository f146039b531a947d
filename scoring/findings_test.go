package scoring

import (
	"slices"
	"strings"
	"testing"

	"github.com/assayhq/assay/questionnaires"
)

func TestSeverity(t *testing.T) {
	tests := []struct {
		scoreTenths    int
		weight, impact int
		key            bool
		wantPriority   float64
		want           Level
	}{
		{0, 5, 5, false, 100, LevelCritical},
		{400, 5, 5, false, 60, LevelCritical},
		{401, 5, 5, false, 59.9, LevelHigh},
		{0, 9, 5, false, 100, LevelCritical}, // weight capped at 5
		{0, 3, 3, false, 36, LevelHigh},
		{0, 1, 3, false, 12, LevelLow},
		{0, 2, 3, false, 24, LevelMedium},
		{500, 1, 1, false, 2, LevelLow},
		{500, 1, 1, true, 10, LevelMedium}, // key: weight 5 and at least medium
		{800, 1, 1, true, 4, LevelMedium},
		{300, 1, 5, true, 70, LevelCritical},
		{423, 2, 3, false, 13.8, LevelLow}, // 57.7 × 3 × 2 / 25 = 13.848
		{425, 1, 1, false, 2.3, LevelLow},  // 57.5 / 25 = 2.3
	}
	for _, tc := range tests {
		p, l := severity(tc.scoreTenths, tc.weight, tc.impact, tc.key)
		if p != tc.wantPriority || l != tc.want {
			t.Errorf("severity(%v, w%d, i%d, key %v) = %v %s, want %v %s", tc.scoreTenths, tc.weight, tc.impact, tc.key, p, l, tc.wantPriority, tc.want)
		}
	}
}

func TestFindingRules(t *testing.T) {
	tests := []struct {
		name      string
		questions []questionnaires.Question
		answers   questionnaires.Answers
		want      []string // finding controls, in order
	}{
		{"below threshold", []questionnaires.Question{q("a", tYN, 1, "A.5.1")}, questionnaires.Answers{"a": "no"}, []string{"A.5.1"}},
		{"exactly the threshold is not a finding",
			[]questionnaires.Question{withOptions(q("a", tSC, 1, "A.5.1"), opt("x", 60), opt("y", 0))},
			questionnaires.Answers{"a": "x"}, nil},
		{"judged on the displayed score: 59.95 shows as 60.0 and is not",
			[]questionnaires.Question{
				withOptions(q("a", tSC, 5, "A.5.1"), opt("x", 60), opt("y", 0)),
				withOptions(q("b", tSC, 5, "A.5.1"), opt("x", 60), opt("y", 0)),
				withOptions(q("c", tSC, 5, "A.5.1"), opt("x", 60), opt("y", 0)),
				withOptions(q("d", tSC, 4, "A.5.1"), opt("x", 60), opt("y", 0)),
				withOptions(q("e", tSC, 1, "A.5.1"), opt("x", 59), opt("y", 0)),
			},
			questionnaires.Answers{"a": "x", "b": "x", "c": "x", "d": "x", "e": "x"}, nil}, // 1199 / 20 = 59.95
		{"59 is",
			[]questionnaires.Question{withOptions(q("a", tSC, 1, "A.5.1"), opt("x", 59), opt("y", 0))},
			questionnaires.Answers{"a": "x"}, []string{"A.5.1"}},
		{"a no on a non-key control above the threshold is not",
			[]questionnaires.Question{q("a", tYN, 3, "A.5.1"), q("b", tYN, 1, "A.5.1")},
			questionnaires.Answers{"a": "yes", "b": "no"}, nil},
		{"a no on a key control above the threshold is",
			[]questionnaires.Question{q("a", tYN, 3, "A.8.5"), q("b", tYN, 1, "A.8.5")},
			questionnaires.Answers{"a": "yes", "b": "no"}, []string{"A.8.5"}},
		{"an unanswered question on an assessed key control is",
			[]questionnaires.Question{q("a", tYN, 5, "A.8.13"), q("b", tYN, 1, "A.8.13")},
			questionnaires.Answers{"a": "yes"}, []string{"A.8.13"}},
		{"a control not assessed is not",
			[]questionnaires.Question{q("a", tYN, 1, "A.8.13"), q("b", tYN, 1, "A.5.1")},
			questionnaires.Answers{"b": "yes"}, nil},
		{"overriding the no away clears it",
			[]questionnaires.Question{q("a", tYN, 3, "A.8.5"), q("b", tYN, 1, "A.8.5"), q("c", tYN, 1, "A.5.1")},
			questionnaires.Answers{"a": "yes", "b": "no", "c": "yes"}, nil},
		{"sorted by severity then standard order",
			[]questionnaires.Question{
				q("a", tYN, 1, "A.8.2"),  // 0, weight 1: priority 100×5×1/25 = 20, medium
				q("b", tYN, 5, "A.5.10"), // 0, weight 5: 100, critical
				q("c", tYN, 5, "A.5.9"),  // 0: critical, before A.5.10
				q("d", tYN, 2, "A.7.1"),  // 0, weight 2: 40, high
			},
			questionnaires.Answers{"a": "no", "b": "no", "c": "no", "d": "no"}, []string{"A.5.9", "A.5.10", "A.7.1", "A.8.2"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Template: tmpl(tc.questions...), Answers: tc.answers, Tier: 1}
			if strings.HasPrefix(tc.name, "overriding") {
				in.Overrides = map[string]Override{"b": {Score: 100, Reason: "MFA enforced by the IdP", By: "r"}}
			}
			var got []string
			for _, f := range Compute(in).Findings {
				got = append(got, f.Control)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("findings = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFindingContent(t *testing.T) {
	tp := tmpl(
		q("a", tYN, 2, "A.5.19"),
		withOptions(q("b", tSC, 1, "A.5.19"), opt("full", 100), opt("some", 70), opt("none", 0)),
		withOptions(q("c", tSC, 1, "A.5.19"), opt("full", 100), opt("some", 50), opt("none", 0)),
	)
	s := Compute(Input{Template: tp, Answers: questionnaires.Answers{"a": "no", "b": "some", "c": "some"}, Tier: 3})
	// A.5.19: (2×0 + 70 + 50) / 4 = 30; key, impact 3:
	// (100 − 30) × 3 × 5 / 25 = 42 → high. Questions below 60: a, c.
	want := []Finding{{Control: "A.5.19", Severity: LevelHigh, Title: "Information security in supplier relationships",
		Recommendation: Recommendation("A.5.19"), Questions: []string{"a", "c"}, Score: 30, Priority: 42, Key: true}}
	assertJSON(t, "findings", s.Findings, want)
}

func TestKeyControls(t *testing.T) {
	want := []string{"A.5.15", "A.5.19", "A.5.20", "A.5.21", "A.5.23", "A.5.24", "A.8.5", "A.8.8", "A.8.13", "A.8.24"}
	if got := KeyControls(); !slices.Equal(got, want) {
		t.Errorf("KeyControls() = %v, want %v", got, want)
	}
}

func TestRecommendations(t *testing.T) {
	seen := map[string]bool{}
	for _, c := range questionnaires.Controls() {
		r := Recommendation(c.ID)
		if _, specific := recommendations[c.ID]; !specific {
			t.Errorf("%s has no written recommendation", c.ID)
		}
		if len(r) < 40 || !strings.HasSuffix(r, ".") || seen[r] {
			t.Errorf("%s: recommendation %q is short, unfinished or repeated", c.ID, r)
		}
		seen[r] = true
	}
	if len(recommendations) != len(questionnaires.Controls()) {
		t.Errorf("%d recommendations for %d controls: one names an unknown control", len(recommendations), len(questionnaires.Controls()))
	}
	if Recommendation("A.99.1") != "" {
		t.Error("unknown control should have no recommendation")
	}
	// The fallback for a control without written text.
	tests := map[string]string{
		"Threat intelligence":                   "Put threat intelligence in place for",
		"ICT readiness for business continuity": "Put ICT readiness for business continuity in place for",
	}
	for title, prefix := range tests {
		if got := recommendationFor("A.0.0", title); !strings.HasPrefix(got, prefix) {
			t.Errorf("fallback for %q = %q", title, got)
		}
	}
}
