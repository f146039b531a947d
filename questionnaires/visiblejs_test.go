package questionnaires

import (
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"testing"
)

// TestVisibleMatchesJS runs visibility.js under Node on random templates and
// answers and requires it to agree with Visible on every question: the
// portal shows and hides questions with the JS, the server decides what is
// required with the Go.
func TestVisibleMatchesJS(t *testing.T) {
	// Skipping would let the two evaluators drift apart unnoticed wherever
	// node is missing, so its absence fails the test.
	node, err := exec.LookPath("node")
	if err != nil {
		t.Fatal("node is not installed, so visibility.js cannot be compared with Visible: install Node.js (make tools does, with apt-get install nodejs)")
	}
	type jsCase struct {
		Rules   json.RawMessage `json:"rules"`
		Answers Answers         `json:"answers"`
	}
	var cases []jsCase
	var want []map[string]bool
	r := rand.New(rand.NewPCG(27001, 2022))
	for range 400 {
		tmpl := randomTemplate(r)
		rules, err := ClientRules(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		for range 5 {
			a := randomAnswers(r, tmpl)
			cases = append(cases, jsCase{Rules: rules, Answers: a})
			want = append(want, Visible(tmpl, a))
		}
	}

	dir := t.TempDir()
	input := filepath.Join(dir, "cases.json")
	data, err := json.Marshal(cases)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(input, data, 0o600); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs("visibility.js")
	if err != nil {
		t.Fatal(err)
	}
	const runner = `
const assayVisible = require(process.argv[1]);
const cases = JSON.parse(require("fs").readFileSync(process.argv[2], "utf8"));
process.stdout.write(JSON.stringify(cases.map((c) => assayVisible(c.rules, c.answers))));
`
	out, err := exec.Command(node, "-e", runner, script, input).Output()
	if err != nil {
		t.Fatalf("node: %v", err)
	}
	var got []map[string]bool
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("node output: %v", err)
	}
	if len(got) != len(want) {
		t.Fatalf("node returned %d results for %d cases", len(got), len(want))
	}
	failures := 0
	for i := range want {
		if !reflect.DeepEqual(got[i], want[i]) && failures < 5 {
			failures++
			t.Errorf("case %d: JS and Go disagree\nrules:   %s\nanswers: %v\nGo: %v\nJS: %v", i, cases[i].Rules, cases[i].Answers, want[i], got[i])
		}
	}
}

// randomTemplate builds a template exercising every condition form on every
// question type. Ids include "constructor" and digit-only ids, which trip
// naive JavaScript objects. A few conditions point forward or at their own
// question, which Validate rejects but both evaluators must still agree on.
func randomTemplate(r *rand.Rand) *Template {
	ids := []string{"constructor", "12", "3", "valueof"}
	r.Shuffle(len(ids), func(i, j int) { ids[i], ids[j] = ids[j], ids[i] })
	types := []QuestionType{TypeYesNo, TypeYesNoNA, TypeSingleChoice, TypeMultiChoice, TypeText, TypeLongText, TypeNumber, TypeDate, TypeFile}
	options := []Option{{Value: "a", Label: "A"}, {Value: "b", Label: "B"}, {Value: "1", Label: "One"}, {Value: "constructor", Label: "C"}}
	n := 2 + r.IntN(14)
	qs := make([]Question, n)
	for i := range qs {
		qs[i] = Question{ID: fmt.Sprintf("q%d", i), Type: types[r.IntN(len(types))]}
		if r.IntN(4) == 0 && len(ids) > 0 {
			qs[i].ID, ids = ids[0], ids[1:]
		}
		if qs[i].Type == TypeSingleChoice || qs[i].Type == TypeMultiChoice {
			qs[i].Options = options[:2+r.IntN(3)]
		}
	}
	for i := range qs {
		if i == 0 || r.IntN(10) < 3 {
			continue
		}
		refs := qs[:i]
		if r.IntN(20) == 0 {
			refs = qs // forward and self references
		}
		c := randomCondition(r, refs, 1)
		qs[i].ShowIf = &c
	}
	t := &Template{Key: "random", Version: 1, Title: "Random"}
	for len(qs) > 0 {
		k := 1 + r.IntN(len(qs))
		t.Sections = append(t.Sections, Section{ID: fmt.Sprintf("s%d", len(t.Sections)), Questions: qs[:k]})
		qs = qs[k:]
	}
	return t
}

func randomCondition(r *rand.Rand, refs []Question, depth int) Condition {
	if depth < 4 && r.IntN(3) == 0 {
		children := make([]Condition, 1+r.IntN(3))
		for i := range children {
			children[i] = randomCondition(r, refs, depth+1)
		}
		if r.IntN(2) == 0 {
			return Condition{All: children}
		}
		return Condition{Any: children}
	}
	ref := refs[r.IntN(len(refs))]
	c := Condition{Question: ref.ID}
	switch r.IntN(3) {
	case 0:
		c.Equals = randomValue(r, ref)
	case 1:
		for range 1 + r.IntN(3) {
			c.In = append(c.In, randomValue(r, ref))
		}
	default:
		c.Not = randomValue(r, ref)
	}
	return c
}

// randomValue mostly returns a value the question can take, sometimes one of
// another type, so mismatches are compared too.
func randomValue(r *rand.Rand, q Question) any {
	if r.IntN(8) == 0 {
		return []any{"1", 1.0, "a", "yes"}[r.IntN(4)]
	}
	switch q.Type {
	case TypeYesNo, TypeYesNoNA:
		return []string{AnswerYes, AnswerNo, AnswerNA}[r.IntN(3)]
	case TypeSingleChoice, TypeMultiChoice:
		return []string{"a", "b", "1", "constructor"}[r.IntN(4)]
	case TypeNumber:
		return []float64{0, 1, 2.5, -3}[r.IntN(4)]
	case TypeDate:
		return []string{"2025-01-01", "2025-12-31"}[r.IntN(2)]
	}
	return []string{"x", "y"}[r.IntN(2)]
}

func randomAnswers(r *rand.Rand, t *Template) Answers {
	a := Answers{}
	for _, q := range t.Questions() {
		switch r.IntN(10) {
		case 0, 1, 2:
			continue // unanswered
		case 3:
			// Blank values, including the whitespace on which Go's
			// strings.TrimSpace and JavaScript's trim disagree.
			a[q.ID] = []any{"", " ", "\u0085", "\ufeff", []string{}}[r.IntN(5)]
			continue
		}
		if q.Type == TypeMultiChoice {
			var picked []string
			for _, o := range q.Options {
				if r.IntN(2) == 0 {
					picked = append(picked, o.Value)
				}
			}
			a[q.ID] = picked
			continue
		}
		a[q.ID] = randomValue(r, q)
	}
	return a
}
