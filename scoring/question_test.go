package scoring

import (
	"testing"

	"github.com/assayhq/assay/questionnaires"
)

const (
	tYN  = questionnaires.TypeYesNo
	tYNA = questionnaires.TypeYesNoNA
	tSC  = questionnaires.TypeSingleChoice
	tMC  = questionnaires.TypeMultiChoice
)

// TestQuestionRules checks how one question is scored, through the score of
// the question and of its only control.
func TestQuestionRules(t *testing.T) {
	choice := withOptions(q("x", tSC, 1), opt("full", 100), opt("partial", 60), opt("none", 0), unscoredOpt("na"))
	multi := withOptions(q("x", tMC, 1), opt("a", 40), opt("b", 40), opt("c", 40), unscoredOpt("other"))
	custom := withOptions(q("x", tYN, 1), opt("yes", 80), opt("no", 10))
	capped := withEvidence(q("x", tYN, 1))
	cappedChoice := withEvidence(choice)
	info := withOptions(q("x", tSC, 1), unscoredOpt("aws"), unscoredOpt("gcp"))

	tests := []struct {
		name     string
		question questionnaires.Question
		answer   any // nil: unanswered
		evidence int
		accepted bool
		want     *float64 // question score; nil: does not count
		reason   Reason
		control  *float64 // A.5.19 score; nil: not listed
	}{
		{"yes_no yes defaults to 100", q("x", tYN, 1), "yes", 0, false, ptr(100.0), ReasonAnswered, ptr(100.0)},
		{"yes_no no defaults to 0", q("x", tYN, 1), "no", 0, false, ptr(0.0), ReasonAnswered, ptr(0.0)},
		{"yes_no with template scores", custom, "yes", 0, false, ptr(80.0), ReasonAnswered, ptr(80.0)},
		{"yes_no_na yes", q("x", tYNA, 1), "yes", 0, false, ptr(100.0), ReasonAnswered, ptr(100.0)},
		{"yes_no_na na is out of scope", q("x", tYNA, 1), "na", 0, false, nil, ReasonNotApplicable, nil},
		{"single choice", choice, "partial", 0, false, ptr(60.0), ReasonAnswered, ptr(60.0)},
		{"single choice unscored option", choice, "na", 0, false, nil, ReasonNotApplicable, nil},
		{"single choice padded value", choice, " full ", 0, false, ptr(100.0), ReasonAnswered, ptr(100.0)},
		{"value matching no option is unanswered", choice, "maybe", 0, false, ptr(0.0), ReasonUnanswered, nil},
		{"choices without scores are not scored", info, "aws", 0, false, nil, ReasonNotScored, nil},
		{"multi choice adds scores", multi, []string{"a", "b"}, 0, false, ptr(80.0), ReasonAnswered, ptr(80.0)},
		{"multi choice sum capped at 100", multi, []string{"a", "b", "c"}, 0, false, ptr(100.0), ReasonAnswered, ptr(100.0)},
		{"multi choice from JSON", multi, []any{"a", "c"}, 0, false, ptr(80.0), ReasonAnswered, ptr(80.0)},
		{"multi choice ignores unscored extra", multi, []string{"a", "other"}, 0, false, ptr(40.0), ReasonAnswered, ptr(40.0)},
		{"multi choice only unscored", multi, []string{"other"}, 0, false, nil, ReasonNotApplicable, nil},
		{"multi choice empty list is unanswered", multi, []string{}, 0, false, ptr(0.0), ReasonUnanswered, nil},
		{"unanswered counts 0, control not assessed", q("x", tYN, 1), nil, 0, false, ptr(0.0), ReasonUnanswered, nil},
		{"missing evidence caps at 50", capped, "yes", 0, false, ptr(50.0), ReasonEvidenceMissing, ptr(50.0)},
		{"evidence lifts the cap", capped, "yes", 2, false, ptr(100.0), ReasonAnswered, ptr(100.0)},
		{"accepted evidence lifts the cap", capped, "yes", 0, true, ptr(100.0), ReasonAnswered, ptr(100.0)},
		{"cap does not raise a low score", capped, "no", 0, false, ptr(0.0), ReasonAnswered, ptr(0.0)},
		{"cap leaves a score at 50 or less", cappedChoice, "partial", 0, false, ptr(50.0), ReasonEvidenceMissing, ptr(50.0)},
		{"text is not scored", q("x", questionnaires.TypeText, 1), "hello", 0, false, nil, ReasonNotScored, nil},
		{"number is not scored", q("x", questionnaires.TypeNumber, 1), 12.0, 0, false, nil, ReasonNotScored, nil},
		{"date is not scored", q("x", questionnaires.TypeDate, 1), "2026-01-31", 0, false, nil, ReasonNotScored, nil},
		{"file is not scored", q("x", questionnaires.TypeFile, 1), nil, 1, false, nil, ReasonNotScored, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			in := Input{Template: tmpl(tc.question), Answers: questionnaires.Answers{}, Tier: 3}
			if tc.answer != nil {
				in.Answers["x"] = tc.answer
			}
			if tc.evidence > 0 {
				in.Evidence = map[string]int{"x": tc.evidence}
			}
			if tc.accepted {
				in.AcceptedEvidence = map[string]bool{"x": true}
			}
			s := Compute(in)
			got := s.Questions[0]
			if (got.Score == nil) != (tc.want == nil) || (got.Score != nil && *got.Score != *tc.want) {
				t.Errorf("score = %v, want %v", deref(got.Score), deref(tc.want))
			}
			if got.Reason != tc.reason {
				t.Errorf("reason = %q, want %q", got.Reason, tc.reason)
			}
			if got.Capped != (tc.reason == ReasonEvidenceMissing) {
				t.Errorf("capped = %v", got.Capped)
			}
			switch {
			case tc.control == nil && len(s.Controls) > 0:
				t.Errorf("control listed with %v, want absent", s.Controls[0].Score)
			case tc.control != nil && (len(s.Controls) != 1 || s.Controls[0].Score != *tc.control):
				t.Errorf("controls = %+v, want A.5.19 at %v", s.Controls, *tc.control)
			}
		})
	}
}

func TestAnsweredFlags(t *testing.T) {
	s := Compute(Input{
		Template: tmpl(q("a", tYN, 1), q("b", questionnaires.TypeText, 1), q("c", questionnaires.TypeText, 1),
			q("d", questionnaires.TypeFile, 1), q("e", questionnaires.TypeFile, 1), q("f", tYNA, 1)),
		Answers:  questionnaires.Answers{"a": "yes", "b": "text", "c": "   ", "f": "na"},
		Evidence: map[string]int{"d": 1},
	})
	want := map[string]bool{"a": true, "b": true, "c": false, "d": true, "e": false, "f": true}
	for _, d := range s.Questions {
		if d.Answered != want[d.ID] {
			t.Errorf("%s answered = %v, want %v", d.ID, d.Answered, want[d.ID])
		}
	}
}

func TestWeights(t *testing.T) {
	tests := []struct {
		weight, want int
	}{{0, 1}, {1, 1}, {3, 3}, {5, 5}, {9, 5}, {-2, 1}}
	for _, tc := range tests {
		s := Compute(Input{Template: tmpl(q("x", tYN, tc.weight)), Answers: questionnaires.Answers{"x": "yes"}})
		if got := s.Questions[0].Weight; got != tc.want {
			t.Errorf("weight %d → %d, want %d", tc.weight, got, tc.want)
		}
	}
}

func TestVisibility(t *testing.T) {
	tp := tmpl(
		q("parent", tYN, 1),
		showIf(q("child", tYN, 5), "parent", "yes"),
		showIf(q("grandchild", tYN, 5), "child", "yes"),
	)
	tests := []struct {
		name    string
		answers questionnaires.Answers
		visible []bool
		overall float64
	}{
		{"parent no hides the chain, stale answers ignored", questionnaires.Answers{"parent": "no", "child": "yes", "grandchild": "no"}, []bool{true, false, false}, 0},
		{"parent unanswered hides", questionnaires.Answers{}, []bool{true, false, false}, 0},
		{"parent yes shows child", questionnaires.Answers{"parent": "yes"}, []bool{true, true, false}, 16.7}, // (1×100 + 5×0) / 6
		{"all shown", questionnaires.Answers{"parent": "yes", "child": "yes", "grandchild": "yes"}, []bool{true, true, true}, 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := Compute(Input{Template: tp, Answers: tc.answers})
			for i, d := range s.Questions {
				if d.Visible != tc.visible[i] {
					t.Errorf("%s visible = %v", d.ID, d.Visible)
				}
				if !d.Visible && (d.Score != nil || d.Reason != ReasonHidden) {
					t.Errorf("hidden %s scored %v (%s)", d.ID, deref(d.Score), d.Reason)
				}
			}
			if s.Overall != tc.overall {
				t.Errorf("overall = %v, want %v", s.Overall, tc.overall)
			}
		})
	}
}

func TestOverrides(t *testing.T) {
	tp := tmpl(
		q("ans", tYN, 1),
		q("unans", tYN, 1, "A.8.5"),
		q("na", tYNA, 1, "A.8.8"),
		showIf(q("hidden", tYN, 1, "A.8.13"), "ans", "yes"),
		q("text", questionnaires.TypeText, 1, "A.5.1"),
		withEvidence(q("capped", tYN, 1, "A.5.2")),
	)
	in := Input{
		Template: tp,
		Answers:  questionnaires.Answers{"ans": "no", "na": "na", "text": "x", "capped": "yes"},
		Overrides: map[string]Override{
			"ans":    {Score: 70, Reason: "compensating control", By: "r"},
			"unans":  {Score: 150, Reason: "verified on site", By: "r"},
			"na":     {Score: 20, Reason: "it does apply", By: "r"},
			"hidden": {Score: 90, By: "r"},
			"text":   {Score: 90, By: "r"},
			"capped": {Score: 90, Reason: "seen the certificate", By: "r"},
			"ghost":  {Score: 10, By: "r"},
			"alpha":  {Score: 10, By: "r"},
		},
	}
	s := Compute(in)
	wantScores := map[string]*float64{"ans": ptr(70.0), "unans": ptr(100.0), "na": ptr(20.0), "hidden": nil, "text": nil, "capped": ptr(90.0)}
	for _, d := range s.Questions {
		w := wantScores[d.ID]
		if (w == nil) != (d.Score == nil) || (w != nil && *w != *d.Score) {
			t.Errorf("%s = %v, want %v", d.ID, deref(d.Score), deref(w))
		}
		if d.Overridden != (w != nil) || (w != nil && d.Reason != ReasonOverride) {
			t.Errorf("%s overridden = %v reason %s", d.ID, d.Overridden, d.Reason)
		}
	}
	// An override on an unanswered question makes its control assessed.
	if len(s.Controls) != 4 {
		t.Errorf("controls = %+v, want A.5.2, A.5.19, A.8.5 and A.8.8 listed", s.Controls)
	}
	assertJSON(t, "overrides", s.Overrides, []OverrideRecord{
		{Question: "ans", Score: 70, Previous: ptr(0.0), Reason: "compensating control", By: "r", Applied: true},
		{Question: "unans", Score: 100, Previous: ptr(0.0), Reason: "verified on site", By: "r", Applied: true},
		{Question: "na", Score: 20, Reason: "it does apply", By: "r", Applied: true},
		{Question: "hidden", Score: 90, By: "r"},
		{Question: "text", Score: 90, By: "r"},
		{Question: "capped", Score: 90, Previous: ptr(50.0), Reason: "seen the certificate", By: "r", Applied: true},
		{Question: "alpha", Score: 10, By: "r"},
		{Question: "ghost", Score: 10, By: "r"},
	})
}
