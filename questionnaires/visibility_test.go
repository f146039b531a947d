package questionnaires

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"
)

// conditionTemplate has one question per condition form, each depending on
// the answerable questions before it.
func conditionTemplate(t *testing.T) *Template {
	t.Helper()
	src := `
key: conditions
version: 1
title: Conditions
sections:
  - id: base
    title: Base
    questions:
      - {id: yn, text: "Y?", type: yes_no_na, controls: [A.5.1]}
      - {id: pick, text: "Pick?", type: single_choice, controls: [A.5.1], options: [{value: a, label: A}, {value: b, label: B}, {value: c, label: C}]}
      - {id: many, text: "Many?", type: multi_choice, controls: [A.5.1], options: [{value: a, label: A}, {value: b, label: B}, {value: c, label: C}]}
      - {id: num, text: "Num?", type: number, controls: [A.5.1]}
      - {id: day, text: "Day?", type: date, controls: [A.5.1]}
      - {id: words, text: "Words?", type: text, controls: [A.5.1]}
  - id: dependent
    title: Dependent
    questions:
      - {id: eq, text: "Eq?", type: text, controls: [A.5.1], show_if: {question: yn, equals: "yes"}}
      - {id: in, text: "In?", type: text, controls: [A.5.1], show_if: {question: pick, in: [a, b]}}
      - {id: not, text: "Not?", type: text, controls: [A.5.1], show_if: {question: yn, not: "no"}}
      - {id: many-eq, text: "ManyEq?", type: text, controls: [A.5.1], show_if: {question: many, equals: b}}
      - {id: many-in, text: "ManyIn?", type: text, controls: [A.5.1], show_if: {question: many, in: [b, c]}}
      - {id: many-not, text: "ManyNot?", type: text, controls: [A.5.1], show_if: {question: many, not: a}}
      - {id: num-eq, text: "NumEq?", type: text, controls: [A.5.1], show_if: {question: num, equals: 3}}
      - {id: day-in, text: "DayIn?", type: text, controls: [A.5.1], show_if: {question: day, in: ["2025-01-01", "2025-06-30"]}}
      - {id: words-not, text: "WordsNot?", type: text, controls: [A.5.1], show_if: {question: words, not: none}}
      - id: all
        text: "All?"
        type: text
        controls: [A.5.1]
        show_if: {all: [{question: yn, equals: "yes"}, {question: num, not: 0}]}
      - id: any
        text: "Any?"
        type: text
        controls: [A.5.1]
        show_if: {any: [{question: pick, equals: c}, {question: many, equals: c}]}
      - id: nested
        text: "Nested?"
        type: text
        controls: [A.5.1]
        show_if:
          all:
            - {question: yn, in: ["yes", "na"]}
            - any:
                - {question: pick, equals: a}
                - all: [{question: num, equals: 1}, {question: words, equals: x}]
      - {id: child, text: "Child?", type: yes_no, controls: [A.5.1], show_if: {question: eq, equals: go}}
      - {id: grandchild, text: "Grandchild?", type: text, controls: [A.5.1], show_if: {question: child, not: "no"}}
`
	tmpl, err := Parse([]byte(src), "yaml")
	if err != nil {
		t.Fatal(err)
	}
	if errs := Validate(tmpl); errs != nil {
		t.Fatal(errs)
	}
	return tmpl
}

func TestVisible(t *testing.T) {
	tmpl := conditionTemplate(t)
	tests := []struct {
		name    string
		answers Answers
		visible []string // the conditional questions expected visible
	}{
		{"nothing answered hides every conditional question, even not", Answers{}, nil},
		{"equals", Answers{"yn": "yes"}, []string{"eq", "not"}},
		{"not holds for another answer", Answers{"yn": "na"}, []string{"not"}},
		{"not fails on the excluded answer", Answers{"yn": "no"}, nil},
		{"in, first value", Answers{"pick": "a"}, []string{"in"}},
		{"in, second value", Answers{"pick": "b"}, []string{"in"}},
		{"in, value not listed", Answers{"pick": "c"}, []string{"any"}},
		{"multi_choice equals and in contain", Answers{"many": []string{"b"}}, []string{"many-eq", "many-in", "many-not"}},
		{"multi_choice not excludes a contained value", Answers{"many": []string{"a", "c"}}, []string{"many-in", "any"}},
		{"multi_choice empty list is unanswered", Answers{"many": []string{}}, nil},
		{"number equals compares numerically", Answers{"num": 3.0}, []string{"num-eq"}},
		{"number equals, int answer", Answers{"num": 3}, []string{"num-eq"}},
		{"date in", Answers{"day": "2025-06-30"}, []string{"day-in"}},
		{"text not", Answers{"words": "some"}, []string{"words-not"}},
		{"text not, excluded", Answers{"words": "none"}, nil},
		{"blank text is unanswered", Answers{"words": "  "}, nil},
		{"all needs every part", Answers{"yn": "yes", "num": 0.0}, []string{"eq", "not"}},
		{"all holds", Answers{"yn": "yes", "num": 2.0}, []string{"eq", "not", "all"}},
		{"any via the multi choice", Answers{"many": []string{"c"}}, []string{"many-in", "many-not", "any"}},
		{"nested via first branch", Answers{"yn": "na", "pick": "a"}, []string{"in", "not", "nested"}},
		{"nested via inner all", Answers{"yn": "yes", "num": 1.0, "words": "x"}, []string{"eq", "not", "words-not", "all", "nested"}},
		{"nested inner all incomplete", Answers{"yn": "yes", "num": 1.0, "words": "y"}, []string{"eq", "not", "words-not", "all"}},
		{"chain visible", Answers{"yn": "yes", "eq": "go", "child": "yes"}, []string{"eq", "not", "child", "grandchild"}},
		{"hidden parent hides the chain despite stale answers", Answers{"yn": "no", "eq": "go", "child": "yes"}, nil},
		{"middle of the chain answered no", Answers{"yn": "yes", "eq": "go", "child": "no"}, []string{"eq", "not", "child"}},
	}
	unconditional := []string{"yn", "pick", "many", "num", "day", "words"}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			vis := Visible(tmpl, tt.answers)
			if len(vis) != tmpl.QuestionCount() {
				t.Fatalf("Visible returned %d entries for %d questions", len(vis), tmpl.QuestionCount())
			}
			var got []string
			for _, q := range tmpl.Questions() {
				if vis[q.ID] && !slices.Contains(unconditional, q.ID) {
					got = append(got, q.ID)
				}
			}
			for _, id := range unconditional {
				if !vis[id] {
					t.Errorf("unconditional question %s hidden", id)
				}
			}
			if !slices.Equal(got, tt.visible) {
				t.Errorf("visible = %v, want %v", got, tt.visible)
			}
		})
	}
}

func TestProgressAndMissingRequired(t *testing.T) {
	tmpl := sampleTemplate(t)
	// Required: policy, policy-file (shown when policy is yes), subprocessors,
	// subprocessor-review (shown when subprocessors is yes and count is not 0).
	tests := []struct {
		name     string
		answers  Answers
		evidence map[string]int
		want     ProgressCounts
		missing  []string
	}{
		{"empty", Answers{}, nil, ProgressCounts{Answered: 0, Required: 2, Total: 4}, []string{"policy", "subprocessors"}},
		{"policy yes shows its follow-ups", Answers{"policy": "yes"}, nil,
			ProgressCounts{Answered: 1, Required: 3, Total: 6}, []string{"policy-file", "subprocessors"}},
		{"evidence answers a file question", Answers{"policy": "yes", "subprocessors": "no"}, map[string]int{"policy-file": 2},
			ProgressCounts{Answered: 3, Required: 3, Total: 6}, nil},
		{"hidden answers do not count", Answers{"policy": "no", "policy-review": "2025-01-01", "subprocessors": "na", "subprocessor-count": 3.0}, map[string]int{"policy-file": 1},
			ProgressCounts{Answered: 2, Required: 2, Total: 4}, nil},
		{"chained requirement", Answers{"policy": "no", "subprocessors": "yes", "subprocessor-count": 2.0, "cloud": "x"}, nil,
			ProgressCounts{Answered: 4, Required: 3, Total: 6}, []string{"subprocessor-review"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := Progress(tmpl, tt.answers, tt.evidence); got != tt.want {
				t.Errorf("Progress = %+v, want %+v", got, tt.want)
			}
			if got := MissingRequired(tmpl, tt.answers, tt.evidence); !slices.Equal(got, tt.missing) {
				t.Errorf("MissingRequired = %v, want %v", got, tt.missing)
			}
		})
	}
}

func TestClientRules(t *testing.T) {
	tmpl := sampleTemplate(t)
	data, err := ClientRules(tmpl)
	if err != nil {
		t.Fatal(err)
	}
	var got struct {
		Order  []string                  `json:"order"`
		ShowIf map[string]map[string]any `json:"show_if"`
	}
	if err := json.Unmarshal(data, &got); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, q := range tmpl.Questions() {
		ids = append(ids, q.ID)
	}
	if !slices.Equal(got.Order, ids) {
		t.Errorf("order = %v, want %v", got.Order, ids)
	}
	want := map[string]any{"question": "subprocessors", "equals": "yes"}
	if len(got.ShowIf) != 5 || !reflect.DeepEqual(got.ShowIf["subprocessor-count"], want) {
		t.Errorf("show_if = %v", got.ShowIf)
	}

	q(tmpl, 1, 3).ID = "policy"
	if _, err := ClientRules(tmpl); err == nil {
		t.Error("ClientRules accepted duplicate question ids")
	}
}

func TestDependsOn(t *testing.T) {
	tmpl := conditionTemplate(t)
	tests := []struct {
		qid  string
		on   []string
		want bool
	}{
		{"eq", []string{"yn"}, true},
		{"eq", []string{"pick"}, false},
		{"yn", []string{"yn"}, false},           // an unconditional question depends on nothing
		{"grandchild", []string{"yn"}, true},    // through child and eq
		{"grandchild", []string{"child"}, true}, // directly
		{"grandchild", []string{"pick"}, false},
		{"nested", []string{"words"}, true}, // inside any → all
		{"nested", []string{"day"}, false},
		{"any", []string{"many"}, true},
		{"unknown", []string{"yn"}, false},
	}
	for _, tt := range tests {
		got := tmpl.DependsOn(tt.qid, func(id string) bool { return slices.Contains(tt.on, id) })
		if got != tt.want {
			t.Errorf("DependsOn(%s, %v) = %v, want %v", tt.qid, tt.on, got, tt.want)
		}
	}
}

func TestGatesAndRefs(t *testing.T) {
	tmpl := conditionTemplate(t)
	var gates []string
	for id := range tmpl.Gates() {
		gates = append(gates, id)
	}
	slices.Sort(gates)
	if want := []string{"child", "day", "eq", "many", "num", "pick", "words", "yn"}; !slices.Equal(gates, want) {
		t.Errorf("gates %v, want %v", gates, want)
	}
	nested, _ := tmpl.Question("nested")
	if refs := slices.Collect(nested.ShowIf.Refs()); !slices.Equal(refs, []string{"yn", "pick", "num", "words"}) {
		t.Errorf("refs of nested %v, in order", refs)
	}
	var none *Condition
	if refs := slices.Collect(none.Refs()); len(refs) != 0 {
		t.Errorf("a nil condition refers to %v", refs)
	}
	lib, err := Library()
	if err != nil {
		t.Fatal(err)
	}
	for _, x := range lib {
		if g := x.Gates(); x.Key == "vendor-lite" && (!g["vl-certification"] || g["vl-certification-file"] || g["vl-policy"]) {
			t.Errorf("vendor-lite gates %v", g)
		}
	}
	// Stopping early stops the walk.
	for ref := range nested.ShowIf.Refs() {
		if ref != "yn" {
			t.Errorf("the walk went on to %s after the loop stopped", ref)
		}
		break
	}
}
