package handlers

import (
	"regexp"
	"strings"
	"testing"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/questionnaires"
)

// A value from a template, an answer, a file name or a reviewer's comment
// can never break out of the markup it is written into: text, attribute or
// URL.
func TestPortalMarkupEscapesEveryValue(t *testing.T) {
	const evil = `"><script>alert(1)</script><a x='`
	for _, tc := range []struct {
		field string
		set   func(*portalQuestionView, *questionnaires.Question)
	}{
		{"text", func(v *portalQuestionView, q *questionnaires.Question) { q.Text, v.Text = evil, evil }},
		{"help", func(v *portalQuestionView, q *questionnaires.Question) { q.Help, v.Help = evil, evil }},
		{"error", func(v *portalQuestionView, _ *questionnaires.Question) { v.Error = evil }},
		{"value", func(v *portalQuestionView, _ *questionnaires.Question) { v.Value = evil }},
		{"display", func(v *portalQuestionView, _ *questionnaires.Question) { v.Locked, v.Display = true, evil }},
		{"option", func(v *portalQuestionView, q *questionnaires.Question) {
			q.Type = questionnaires.TypeSingleChoice
			q.Options = []questionnaires.Option{{Value: evil, Label: evil}}
		}},
		{"many options", func(v *portalQuestionView, q *questionnaires.Question) {
			q.Type = questionnaires.TypeSingleChoice
			for range portalMaxRadios + 1 {
				q.Options = append(q.Options, questionnaires.Option{Value: evil, Label: evil})
			}
		}},
		{"comment", func(v *portalQuestionView, _ *questionnaires.Question) {
			v.Reopened = &assessments.Clarification{Comment: evil}
		}},
		{"evidence hint", func(v *portalQuestionView, _ *questionnaires.Question) { v.WantsFiles, v.EvidenceHint = true, evil }},
		{"file", func(v *portalQuestionView, _ *questionnaires.Question) {
			v.WantsFiles, v.Files = true, []assessments.Evidence{{ID: evil, Filename: evil}}
		}},
		{"locked file", func(v *portalQuestionView, _ *questionnaires.Question) {
			v.Locked, v.Files = true, []assessments.Evidence{{ID: evil, Filename: evil}}
		}},
		{"token", func(v *portalQuestionView, _ *questionnaires.Question) {
			v.Token, v.WantsFiles, v.Files = evil, true, []assessments.Evidence{{ID: "e1", Filename: "f.pdf"}}
		}},
		{"question id", func(v *portalQuestionView, q *questionnaires.Question) { q.ID, v.ID, v.Prefilled = evil, evil, true }},
	} {
		t.Run(tc.field, func(t *testing.T) {
			q := questionnaires.Question{ID: "q1", Text: "Q", Type: questionnaires.TypeText}
			v := portalQuestionView{Token: "tok", Required: true}
			tc.set(&v, &q)
			v.ID, v.Text, v.Help, v.Type = q.ID, q.Text, q.Help, q.Type
			for i, o := range q.Options {
				v.Options = append(v.Options, portalOptionView{InputID: "in-q1-" + string(rune('0'+i)), Value: o.Value, Label: o.Label})
			}
			v.setControl(q)
			out := string((&portalSectionView{Questions: []portalQuestionView{v}}).QuestionsHTML())
			if strings.Contains(out, "<script") || strings.Contains(out, "<a x=") || strings.Contains(out, `"><`+"script") {
				t.Fatalf("the %s broke out of the markup:\n%s", tc.field, out)
			}
			if !strings.Contains(out, "&lt;script&gt;") && !strings.Contains(out, "%3Cscript%3E") {
				t.Fatalf("the %s is not in the markup, escaped:\n%s", tc.field, out)
			}
		})
	}
}

// Every input, select and text area has a label pointing at it, and every
// described-by id names an element of the question.
func TestPortalMarkupLabelsEveryControl(t *testing.T) {
	var qs []portalQuestionView
	for _, ty := range []questionnaires.QuestionType{questionnaires.TypeYesNo, questionnaires.TypeSingleChoice, questionnaires.TypeMultiChoice,
		questionnaires.TypeText, questionnaires.TypeLongText, questionnaires.TypeNumber, questionnaires.TypeDate, questionnaires.TypeFile} {
		q := questionnaires.Question{ID: "q-" + string(ty), Text: "Q", Help: "H", Type: ty}
		v := portalQuestionView{Token: "tok", ID: q.ID, Text: q.Text, Help: q.Help, Type: ty, WantsFiles: ty == questionnaires.TypeFile}
		for i, o := range q.EffectiveOptions() {
			v.Options = append(v.Options, portalOptionView{InputID: "in-" + q.ID + "-" + string(rune('0'+i)), Value: o.Value, Label: o.Label})
		}
		if ty == questionnaires.TypeSingleChoice || ty == questionnaires.TypeMultiChoice {
			v.Options = append(v.Options, portalOptionView{InputID: "in-" + q.ID + "-x", Value: "x", Label: "X"})
		}
		v.setControl(q)
		qs = append(qs, v)
	}
	out := string((&portalSectionView{Questions: qs}).QuestionsHTML())
	ids := map[string]bool{}
	for _, m := range regexp.MustCompile(` id="([^"]+)"`).FindAllStringSubmatch(out, -1) {
		ids[m[1]] = true
	}
	labelled := map[string]bool{}
	for _, m := range regexp.MustCompile(`<label[^>]* for="([^"]+)"`).FindAllStringSubmatch(out, -1) {
		labelled[m[1]] = true
	}
	controls := regexp.MustCompile(`<(input|select|textarea) id="([^"]+)"`).FindAllStringSubmatch(out, -1)
	if len(controls) < 8 {
		t.Fatalf("found %d controls, want one or more per question:\n%s", len(controls), out)
	}
	for _, m := range controls {
		if !labelled[m[2]] {
			t.Errorf("%s #%s has no label", m[1], m[2])
		}
	}
	for _, m := range regexp.MustCompile(`aria-describedby="([^"]+)"`).FindAllStringSubmatch(out, -1) {
		for _, id := range strings.Fields(m[1]) {
			if !ids[id] {
				t.Errorf("aria-describedby names %q, which is not in the markup", id)
			}
		}
	}
}
