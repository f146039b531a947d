package questionnaires

import (
	"fmt"
	"os"
	"testing"
)

func intp(n int) *int { return &n }

// loadTemplate parses a template file and fails the test unless it is valid.
func loadTemplate(tb testing.TB, path string) *Template {
	tb.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	t, err := Parse(data, "")
	if err != nil {
		tb.Fatalf("%s: %v", path, err)
	}
	if errs := Validate(t); len(errs) > 0 {
		tb.Fatalf("%s: %v", path, errs)
	}
	return t
}

func sampleTemplate(tb testing.TB) *Template {
	return loadTemplate(tb, "testdata/vendor-basics.yaml")
}

// syntheticFullTemplate builds a valid template of the size of the built-in
// full ISO 27001 questionnaire: 150 questions in 10 sections covering all 93
// controls, of every answerable type, with 30 conditions mixing all forms.
// Every fifth question depends on the four before it.
func syntheticFullTemplate() *Template {
	ctls := Controls()
	choices := []Option{{Value: "a", Label: "A", Score: intp(100)}, {Value: "b", Label: "B", Score: intp(50)}, {Value: "c", Label: "C", Score: intp(0)}}
	t := &Template{Key: "synthetic-full", Version: 1, Title: "Synthetic full-size template"}
	for s := range 10 {
		sec := Section{ID: fmt.Sprintf("s%d", s), Title: fmt.Sprintf("Section %d", s)}
		for k := range 15 {
			i := s*15 + k
			q := Question{
				ID:       fmt.Sprintf("q%03d", i),
				Text:     fmt.Sprintf("Question %d?", i),
				Required: i%3 == 0,
				Weight:   1 + i%5,
				Controls: []string{ctls[i%len(ctls)].ID},
			}
			id := func(back int) string { return fmt.Sprintf("q%03d", i-back) }
			switch i % 5 {
			case 0:
				q.Type = TypeYesNo
			case 1:
				q.Type, q.Options = TypeSingleChoice, choices
			case 2:
				q.Type, q.Options = TypeMultiChoice, choices
			case 3:
				q.Type = TypeNumber
			case 4:
				q.Type = []QuestionType{TypeYesNoNA, TypeText, TypeLongText, TypeDate, TypeFile}[i/5%5]
				q.ShowIf = &Condition{All: []Condition{
					{Question: id(4), Equals: AnswerYes},
					{Any: []Condition{
						{Question: id(3), In: []any{"a", "b"}},
						{Question: id(2), Equals: "c"},
						{Question: id(1), Not: float64(0)},
					}},
				}}
			}
			sec.Questions = append(sec.Questions, q)
		}
		t.Sections = append(t.Sections, sec)
	}
	return t
}

// syntheticAnswers answers roughly two questions in three, so that conditions
// both hold and fail.
func syntheticAnswers(t *Template) Answers {
	a := Answers{}
	for i, q := range t.Questions() {
		if i%3 == 2 {
			continue
		}
		opts := q.EffectiveOptions()
		switch q.Type {
		case TypeYesNo, TypeYesNoNA, TypeSingleChoice:
			a[q.ID] = opts[i%len(opts)].Value
		case TypeMultiChoice:
			a[q.ID] = []string{opts[1].Value, opts[len(opts)-1].Value}
		case TypeNumber:
			a[q.ID] = float64(i % 2)
		case TypeText, TypeLongText:
			a[q.ID] = "answer"
		case TypeDate:
			a[q.ID] = "2025-01-31"
		}
	}
	return a
}
