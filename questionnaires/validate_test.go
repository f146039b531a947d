package questionnaires

import (
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestSampleTemplateIsValid(t *testing.T) {
	if errs := Validate(sampleTemplate(t)); errs != nil {
		t.Fatal(errs)
	}
}

// q returns a pointer to question qi of section si, for mutations.
func q(t *Template, si, qi int) *Question { return &t.Sections[si].Questions[qi] }

func TestValidateErrors(t *testing.T) {
	// The sample's questions: sections[0]: 0 policy (yes_no), 1 policy-file,
	// 2 policy-review (date), 3 certifications (multi), 4 cert-scope;
	// sections[1]: 0 subprocessors (yes_no_na), 1 subprocessor-count
	// (number), 2 subprocessor-review (single), 3 cloud (text).
	tests := []struct {
		name   string
		mutate func(t *Template)
		want   []FieldError // Message is matched as a substring
	}{
		{"key missing", func(t *Template) { t.Key = "" },
			[]FieldError{{"key", "required"}}},
		{"key not a slug", func(t *Template) { t.Key = "Vendor_Basics" },
			[]FieldError{{"key", "a-z, 0-9 and '-'"}}},
		{"key too short", func(t *Template) { t.Key = "v" },
			[]FieldError{{"key", "2–64"}}},
		{"key too long", func(t *Template) { t.Key = strings.Repeat("k", 65) },
			[]FieldError{{"key", "2–64"}}},
		{"version zero", func(t *Template) { t.Version = 0 },
			[]FieldError{{"version", "1 or more"}}},
		{"title blank", func(t *Template) { t.Title = "  " },
			[]FieldError{{"title", "required"}}},
		{"no sections", func(t *Template) { t.Sections = nil },
			[]FieldError{{"sections", "at least one section"}}},
		{"section id missing", func(t *Template) { t.Sections[1].ID = "" },
			[]FieldError{{"sections[1].id", "required"}}},
		{"section id duplicate", func(t *Template) { t.Sections[1].ID = "governance" },
			[]FieldError{{"sections[1].id", `duplicate section id "governance"`}}},
		{"section title missing", func(t *Template) { t.Sections[0].Title = "" },
			[]FieldError{{"sections[0].title", "required"}}},
		{"empty section", func(t *Template) {
			t.Sections = append(t.Sections, Section{ID: "empty", Title: "Empty"})
		}, []FieldError{{"sections[2].questions", "at least one question"}}},
		{"question id missing", func(t *Template) { q(t, 1, 3).ID = "" },
			[]FieldError{{"sections[1].questions[3].id", "required"}}},
		{"question id not slug-like", func(t *Template) { q(t, 1, 3).ID = "Cloud Providers" },
			[]FieldError{{"sections[1].questions[3].id", "must start with a-z or 0-9"}}},
		{"question id duplicate across sections", func(t *Template) { q(t, 1, 3).ID = "policy" },
			[]FieldError{{"sections[1].questions[3].id", `duplicate question id "policy" (first used at sections[0].questions[0])`}}},
		{"text missing", func(t *Template) { q(t, 0, 3).Text = "" },
			[]FieldError{{"sections[0].questions[3].text", "required"}}},
		{"type missing", func(t *Template) { q(t, 1, 3).Type = "" },
			[]FieldError{{"sections[1].questions[3].type", "required"}}},
		{"type unknown", func(t *Template) { q(t, 1, 3).Type = "checkbox" },
			[]FieldError{{"sections[1].questions[3].type", `unknown type "checkbox"`}}},
		{"choice with one option", func(t *Template) { q(t, 1, 2).Options = q(t, 1, 2).Options[:1] },
			[]FieldError{{"sections[1].questions[2].options", "at least two options"}}},
		{"multi choice without options", func(t *Template) {
			q(t, 0, 3).Options = nil
			q(t, 0, 4).ShowIf = nil
		}, []FieldError{{"sections[0].questions[3].options", "at least two options"}}},
		{"option value missing", func(t *Template) { q(t, 1, 2).Options[1].Value = "" },
			[]FieldError{{"sections[1].questions[2].options[1].value", "required"}}},
		{"option value duplicate", func(t *Template) { q(t, 1, 2).Options[2].Value = "audit" },
			[]FieldError{{"sections[1].questions[2].options[2].value", `duplicate option value "audit"`}}},
		{"option label missing", func(t *Template) { q(t, 1, 2).Options[0].Label = " " },
			[]FieldError{{"sections[1].questions[2].options[0].label", "required"}}},
		{"option label duplicate", func(t *Template) { q(t, 1, 2).Options[2].Label = "Questionnaire" },
			[]FieldError{{"sections[1].questions[2].options[2].label", `duplicate option label "Questionnaire"`}}},
		{"option score too high", func(t *Template) { q(t, 0, 3).Options[2].Score = intp(101) },
			[]FieldError{{"sections[0].questions[3].options[2].score", "between 0 and 100"}}},
		{"option score negative", func(t *Template) { q(t, 0, 3).Options[0].Score = intp(-1) },
			[]FieldError{{"sections[0].questions[3].options[0].score", "between 0 and 100"}}},
		{"options on text", func(t *Template) { q(t, 1, 3).Options = q(t, 1, 2).Options },
			[]FieldError{{"sections[1].questions[3].options", "not allowed on text"}}},
		{"yes_no option other than yes/no", func(t *Template) {
			q(t, 0, 0).Options = []Option{{Value: "yes", Label: "Yes"}, {Value: "nope", Label: "Nope"}}
		}, []FieldError{
			{"sections[0].questions[0].options[1].value", `yes_no options must be yes, no, not "nope"`},
			{"sections[0].questions[0].options", `must include "no"`},
		}},
		{"yes_no_na options missing na", func(t *Template) {
			q(t, 1, 0).Options = []Option{{Value: "no", Label: "No", Score: intp(0)}, {Value: "yes", Label: "Yes", Score: intp(100)}}
		}, []FieldError{{"sections[1].questions[0].options", `yes_no_na options must include "na"`}}},
		{"weight too high", func(t *Template) { q(t, 0, 0).Weight = 6 },
			[]FieldError{{"sections[0].questions[0].weight", "between 1 and 5"}}},
		{"weight negative", func(t *Template) { q(t, 0, 0).Weight = -1 },
			[]FieldError{{"sections[0].questions[0].weight", "between 1 and 5"}}},
		{"no controls", func(t *Template) { q(t, 1, 3).Controls = nil },
			[]FieldError{{"sections[1].questions[3].controls", "at least one"}}},
		{"unknown control", func(t *Template) { q(t, 1, 0).Controls[1] = "A.5.99" },
			[]FieldError{{"sections[1].questions[0].controls[1]", `unknown ISO/IEC 27001:2022 Annex A control "A.5.99"`}}},
		{"2013 control", func(t *Template) { q(t, 1, 0).Controls[1] = "A.15.1.3" },
			[]FieldError{{"sections[1].questions[0].controls[1]", "2013 control; use its 2022 successor A.5.21"}}},
		{"duplicate control", func(t *Template) { q(t, 1, 0).Controls[1] = "A.5.19" },
			[]FieldError{{"sections[1].questions[0].controls[1]", `duplicate control "A.5.19"`}}},
		{"condition on unknown question", func(t *Template) { q(t, 1, 1).ShowIf.Question = "subprocessor" },
			[]FieldError{{"sections[1].questions[1].show_if.question", `unknown question "subprocessor"`}}},
		{"condition on later question", func(t *Template) { q(t, 0, 0).ShowIf = &Condition{Question: "cloud", Equals: "aws"} },
			[]FieldError{{"sections[0].questions[0].show_if.question", `"cloud" comes later`}}},
		{"condition on itself", func(t *Template) { q(t, 1, 1).ShowIf.Question = "subprocessor-count" },
			[]FieldError{{"sections[1].questions[1].show_if.question", "its own question \"subprocessor-count\", a cycle"}}},
		{"nested condition on itself", func(t *Template) { q(t, 1, 2).ShowIf.All[1].Question = "subprocessor-review" },
			[]FieldError{{"sections[1].questions[2].show_if.all[1].question", "a cycle"}}},
		{"condition on file question", func(t *Template) { q(t, 0, 2).ShowIf.Question = "policy-file" },
			[]FieldError{{"sections[0].questions[2].show_if.question", "file question"}}},
		{"empty condition", func(t *Template) { q(t, 1, 1).ShowIf = &Condition{} },
			[]FieldError{{"sections[1].questions[1].show_if", "condition is empty"}}},
		{"equals without question", func(t *Template) { q(t, 1, 1).ShowIf.Question = "" },
			[]FieldError{{"sections[1].questions[1].show_if.question", "question is required"}}},
		{"question and all together", func(t *Template) {
			q(t, 1, 2).ShowIf.Question = "subprocessors"
		}, []FieldError{{"sections[1].questions[2].show_if", "exactly one of question, all and any"}}},
		{"all with equals", func(t *Template) { q(t, 1, 2).ShowIf.Equals = "yes" },
			[]FieldError{{"sections[1].questions[2].show_if", "belong with question"}}},
		{"leaf without operator", func(t *Template) { q(t, 1, 1).ShowIf.Equals = nil },
			[]FieldError{{"sections[1].questions[1].show_if", "needs one of equals, in or not"}}},
		{"leaf with two operators", func(t *Template) { q(t, 1, 1).ShowIf.Not = "no" },
			[]FieldError{{"sections[1].questions[1].show_if", "only one of equals, in and not"}}},
		{"empty in", func(t *Template) { q(t, 0, 4).ShowIf.In = []any{} },
			[]FieldError{{"sections[0].questions[4].show_if.in", "at least one value"}}},
		{"empty all", func(t *Template) { q(t, 1, 2).ShowIf.All = []Condition{} },
			[]FieldError{{"sections[1].questions[2].show_if.all", "at least one condition"}}},
		{"empty any", func(t *Template) { q(t, 1, 2).ShowIf = &Condition{Any: []Condition{}} },
			[]FieldError{{"sections[1].questions[2].show_if.any", "at least one condition"}}},
		{"yes_no value not an option", func(t *Template) { q(t, 1, 1).ShowIf.Equals = "Yes" },
			[]FieldError{{"sections[1].questions[1].show_if.equals", `"Yes" is not an option of question "subprocessors" (options: "yes", "no", "na")`}}},
		{"yes_no value a boolean", func(t *Template) { q(t, 1, 1).ShowIf.Equals = true },
			[]FieldError{{"sections[1].questions[1].show_if.equals", "boolean true is not an option"}}},
		{"choice value a number", func(t *Template) {
			q(t, 1, 2).Options[0].Value = "1"
			q(t, 1, 3).ShowIf = &Condition{Question: "subprocessor-review", Equals: float64(1)}
		}, []FieldError{{"sections[1].questions[3].show_if.equals", `number 1 is not an option of question "subprocessor-review" (options: "1", "questionnaire", "none"); quote it: "1"`}}},
		{"multi choice value in in", func(t *Template) { q(t, 0, 4).ShowIf.In[1] = "soc3" },
			[]FieldError{{"sections[0].questions[4].show_if.in[1]", `"soc3" is not an option of question "certifications"`}}},
		{"number value a string", func(t *Template) { q(t, 1, 2).ShowIf.All[1].Not = "0" },
			[]FieldError{{"sections[1].questions[2].show_if.all[1].not", `question "subprocessor-count" takes a number, not "0"`}}},
		{"number value not finite", func(t *Template) { q(t, 1, 2).ShowIf.All[1].Not = math.Inf(1) },
			[]FieldError{{"sections[1].questions[2].show_if.all[1].not", "takes a number"}}},
		{"date value invalid", func(t *Template) {
			q(t, 0, 3).ShowIf = &Condition{Question: "policy-review", Equals: "2025-02-30"}
		}, []FieldError{{"sections[0].questions[3].show_if.equals", "takes a date as YYYY-MM-DD"}}},
		{"text value empty", func(t *Template) {
			q(t, 1, 3).Type = TypeLongText
			q(t, 1, 3).ShowIf = &Condition{Question: "cert-scope", Equals: ""}
		}, []FieldError{{"sections[1].questions[3].show_if.equals", `question "cert-scope" takes text; use a non-empty string, not ""`}}},
		{"text value not a string", func(t *Template) {
			q(t, 1, 3).ShowIf = &Condition{Question: "cert-scope", Not: float64(3)}
		}, []FieldError{{"sections[1].questions[3].show_if.not", `question "cert-scope" takes text`}}},
		{"nesting too deep", func(t *Template) {
			c := Condition{Question: "policy", Equals: "yes"}
			for range MaxConditionDepth {
				c = Condition{Any: []Condition{c}}
			}
			q(t, 1, 3).ShowIf = &c
		}, []FieldError{{"sections[1].questions[3].show_if" + strings.Repeat(".any[0]", MaxConditionDepth), "more than 8 levels"}}},
		{"every problem at once", func(t *Template) {
			t.Version = 0
			q(t, 0, 1).Controls = nil
			q(t, 1, 2).Options[1].Score = intp(200)
			q(t, 1, 2).ShowIf.All[0].Question = "nope"
		}, []FieldError{
			{"version", ""},
			{"sections[0].questions[1].controls", ""},
			{"sections[1].questions[2].options[1].score", ""},
			{"sections[1].questions[2].show_if.all[0].question", ""},
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tmpl := Clone(sampleTemplate(t))
			tt.mutate(tmpl)
			got := Validate(tmpl)
			if len(got) != len(tt.want) {
				t.Fatalf("got %d errors, want %d:\n%v", len(got), len(tt.want), got)
			}
			for i, w := range tt.want {
				if got[i].Path != w.Path || !strings.Contains(got[i].Message, w.Message) {
					t.Errorf("error %d = %q: %q, want %q: …%q…", i, got[i].Path, got[i].Message, w.Path, w.Message)
				}
			}
		})
	}
}

func TestValidateAcceptsDefaultsAndEdgeValues(t *testing.T) {
	tmpl := Clone(sampleTemplate(t))
	q(tmpl, 0, 0).Weight = 0 // default
	q(tmpl, 0, 0).Options = []Option{{Value: "no", Label: "Not yet", Score: intp(0)}, {Value: "yes", Label: "Yes", Score: intp(100)}}
	q(tmpl, 1, 2).Options[2].Score = nil // unscored
	q(tmpl, 1, 3).ShowIf = &Condition{Question: "subprocessor-count", In: []any{float64(0), 2, int64(3)}}
	if errs := Validate(tmpl); errs != nil {
		t.Fatal(errs)
	}
}

func TestValidationErrorsError(t *testing.T) {
	if err := ValidationErrors(nil).Err(); err != nil {
		t.Errorf("Err() of no problems = %v, want nil", err)
	}
	errs := ValidationErrors{{"key", "key is required"}, {"sections", "at least one section is required"}}
	var target ValidationErrors
	if !errors.As(errs.Err(), &target) || len(target) != 2 {
		t.Errorf("Err() does not unwrap to ValidationErrors")
	}
	want := "2 problems: key: key is required; sections: at least one section is required"
	if errs.Error() != want {
		t.Errorf("Error() = %q, want %q", errs.Error(), want)
	}
	if got := Validate(nil); len(got) != 1 {
		t.Errorf("Validate(nil) = %v", got)
	}
}

func TestTemplateAccessors(t *testing.T) {
	tmpl := sampleTemplate(t)
	if n := tmpl.QuestionCount(); n != 9 || len(tmpl.Questions()) != 9 {
		t.Errorf("QuestionCount = %d, len(Questions) = %d, want 9", n, len(tmpl.Questions()))
	}
	if qs := tmpl.Questions(); qs[0].ID != "policy" || qs[8].ID != "cloud" {
		t.Errorf("Questions not in reading order: %s … %s", qs[0].ID, qs[8].ID)
	}
	if qq, ok := tmpl.Question("subprocessor-count"); !ok || qq.Type != TypeNumber {
		t.Errorf("Question(subprocessor-count) = %+v, %v", qq, ok)
	}
	if _, ok := tmpl.Question("nope"); ok {
		t.Error("Question(nope) found a question")
	}
	want := []string{"A.5.1", "A.5.19", "A.5.21", "A.5.22", "A.5.23", "A.5.35", "A.5.36"}
	if got := tmpl.ControlIDs(); !slices.Equal(got, want) {
		t.Errorf("ControlIDs = %v, want %v", got, want)
	}
}

func TestEffectiveOptionsAndWeight(t *testing.T) {
	yn := Question{Type: TypeYesNo}
	if o := yn.EffectiveOptions(); len(o) != 2 || o[0].Value != "yes" || *o[0].Score != 100 || *o[1].Score != 0 {
		t.Errorf("yes_no defaults = %+v", o)
	}
	na := Question{Type: TypeYesNoNA}
	if o := na.EffectiveOptions(); len(o) != 3 || o[2].Value != "na" || o[2].Score != nil {
		t.Errorf("yes_no_na defaults = %+v", o)
	}
	custom := []Option{{Value: "yes", Label: "Fully"}, {Value: "no", Label: "Not at all"}}
	if o := (Question{Type: TypeYesNo, Options: custom}).EffectiveOptions(); o[0].Label != "Fully" {
		t.Errorf("given options ignored: %+v", o)
	}
	if o := DefaultOptions(Question{Type: TypeText}); o != nil {
		t.Errorf("text has default options %+v", o)
	}
	*DefaultOptions(yn)[0].Score = 5
	if *DefaultOptions(yn)[0].Score != 100 {
		t.Error("default option scores are shared between calls")
	}
	if w := (Question{}).EffectiveWeight(); w != 1 {
		t.Errorf("default weight = %d", w)
	}
	if w := (Question{Weight: 4}).EffectiveWeight(); w != 4 {
		t.Errorf("weight 4 = %d", w)
	}
}
