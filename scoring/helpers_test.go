package scoring

import (
	"fmt"
	"math/rand/v2"
	"os"
	"testing"

	"github.com/assayhq/assay/questionnaires"
)

func ptr[T any](v T) *T { return &v }

// q builds a question; controls default to A.5.19.
func q(id string, typ questionnaires.QuestionType, weight int, controls ...string) questionnaires.Question {
	if len(controls) == 0 {
		controls = []string{"A.5.19"}
	}
	return questionnaires.Question{ID: id, Text: id + "?", Type: typ, Weight: weight, Controls: controls}
}

func withOptions(qq questionnaires.Question, opts ...questionnaires.Option) questionnaires.Question {
	qq.Options = opts
	return qq
}

func opt(value string, score int) questionnaires.Option {
	return questionnaires.Option{Value: value, Label: value, Score: &score}
}

func unscoredOpt(value string) questionnaires.Option {
	return questionnaires.Option{Value: value, Label: value}
}

func withEvidence(qq questionnaires.Question) questionnaires.Question {
	qq.Evidence = &questionnaires.EvidenceSpec{Required: true}
	return qq
}

func showIf(qq questionnaires.Question, ref string, equals any) questionnaires.Question {
	qq.ShowIf = &questionnaires.Condition{Question: ref, Equals: equals}
	return qq
}

func tmpl(qs ...questionnaires.Question) *questionnaires.Template {
	return &questionnaires.Template{Key: "t", Version: 1, Title: "T", Sections: []questionnaires.Section{{ID: "s", Title: "S", Questions: qs}}}
}

// fullTemplate is a synthetic questionnaire in the shape of the real full
// template: every one of the 93 controls, about 150 questions of every type,
// weights 1–5, evidence requests and conditional follow-ups.
func fullTemplate() *questionnaires.Template {
	ctrls := questionnaires.Controls()
	r := rand.New(rand.NewPCG(1, 2))
	var qs []questionnaires.Question
	n := 0
	add := func(qq questionnaires.Question) {
		qs = append(qs, qq)
		n++
	}
	for i := 0; n < 150; i++ {
		c := []string{ctrls[i%len(ctrls)].ID}
		if i >= len(ctrls) {
			c = append(c, ctrls[r.IntN(len(ctrls))].ID)
		}
		id := fmt.Sprintf("q%03d", n)
		w := 1 + r.IntN(5)
		var qq questionnaires.Question
		switch i % 10 {
		case 0, 1, 2, 3, 4:
			qq = q(id, questionnaires.TypeYesNo, w, c...)
		case 5:
			qq = q(id, questionnaires.TypeYesNoNA, w, c...)
		case 6, 7:
			qq = withOptions(q(id, questionnaires.TypeSingleChoice, w, c...), opt("full", 100), opt("partial", 60), opt("informal", 30), opt("none", 0))
		case 8:
			qq = withOptions(q(id, questionnaires.TypeMultiChoice, w, c...), opt("a", 40), opt("b", 30), opt("c", 30), opt("d", 20), unscoredOpt("other"))
		case 9:
			qq = q(id, questionnaires.TypeText, w, c...)
		}
		if i%7 == 0 {
			qq = withEvidence(qq)
		}
		if i%11 == 3 && len(qs) > 0 && qs[len(qs)-1].Type == questionnaires.TypeYesNo {
			qq = showIf(qq, qs[len(qs)-1].ID, "yes")
		}
		add(qq)
		if i%37 == 0 {
			add(q(fmt.Sprintf("q%03d", n), questionnaires.TypeFile, 1, c...))
		}
	}
	return tmpl(qs...)
}

// randomInput answers t at random: every kind of answer, missing ones,
// evidence, accepted evidence and the odd override.
func randomInput(t *questionnaires.Template, r *rand.Rand) Input {
	in := Input{
		Template: t, Answers: questionnaires.Answers{}, Evidence: map[string]int{},
		AcceptedEvidence: map[string]bool{}, Overrides: map[string]Override{},
		Tier: 1 + r.IntN(4),
	}
	for _, s := range t.Sections {
		for _, qq := range s.Questions {
			if r.IntN(8) == 0 {
				continue // unanswered
			}
			opts := qq.EffectiveOptions()
			switch qq.Type {
			case questionnaires.TypeYesNo, questionnaires.TypeYesNoNA, questionnaires.TypeSingleChoice:
				in.Answers[qq.ID] = opts[r.IntN(len(opts))].Value
			case questionnaires.TypeMultiChoice:
				var picked []string
				for _, o := range opts {
					if r.IntN(2) == 0 {
						picked = append(picked, o.Value)
					}
				}
				if len(picked) > 0 {
					in.Answers[qq.ID] = picked
				}
			case questionnaires.TypeText, questionnaires.TypeLongText:
				in.Answers[qq.ID] = "some text"
			}
			if r.IntN(3) == 0 {
				in.Evidence[qq.ID] = 1 + r.IntN(2)
			}
			if r.IntN(20) == 0 {
				in.AcceptedEvidence[qq.ID] = true
			}
			if r.IntN(40) == 0 {
				in.Overrides[qq.ID] = Override{Score: r.IntN(101), Reason: "reviewed", By: "rev"}
			}
		}
	}
	return in
}

// libraryTemplate loads a built-in template, the realistic benchmark input.
func libraryTemplate(tb testing.TB, name string) *questionnaires.Template {
	tb.Helper()
	b, err := os.ReadFile("../questionnaires/library/" + name)
	if err != nil {
		tb.Fatal(err)
	}
	t, err := questionnaires.Parse(b, "yaml")
	if err != nil {
		tb.Fatal(err)
	}
	return t
}
