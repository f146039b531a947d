package library

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/assayhq/assay/apperr"
)

const validYAML = `key: basics
version: 1
title: Basics
sections:
  - id: gov
    title: Governance
    questions:
      - id: policy
        text: Do you have a security policy?
        type: yes_no
        controls: [A.5.1]
      - id: policy-file
        text: Upload it.
        type: file
        controls: [A.5.1]
        show_if: {question: policy, equals: "yes"}
`

// brokenYAML has one problem on each of lines 9, 12, 13, 14 and 19, and a
// question without text (line 15).
const brokenYAML = `key: basics
version: 1
title: Basics
sections:
  - id: gov
    title: Governance
    questions:
      - id: policy
        text: Do you have a security policy?
        type: yes_no
        controls:
          - A.5.99
          - A.15.1.1
        show_if: {question: later, equals: "yes"}
      - id: later
        type: single_choice
        options:
          - {value: a, label: A}
          - {value: b, label: B, score: 140}
        controls: [A.5.2]
`

const brokenJSON = "{\n\t\"key\": \"basics\",\n\t\"version\": 1,\n\t\"title\": \"\",\n\t\"sections\": [\n\t\t{\n\t\t\t\"id\": \"gov\",\n\t\t\t\"title\": \"Governance\",\n\t\t\t\"questions\": []\n\t\t}\n\t]\n}\n"

func TestCheck(t *testing.T) {
	cases := []struct {
		name   string
		data   string
		format string
		want   []Problem
	}{
		{"valid", validYAML, "", nil},
		{"rules broken, each with its line", brokenYAML, "yaml", []Problem{
			{"sections[0].questions[0].controls[0]", 12, `unknown ISO/IEC 27001:2022 Annex A control "A.5.99"`},
			{"sections[0].questions[0].controls[1]", 13, `"A.15.1.1" is an ISO/IEC 27001:2013 control; use its 2022 successor A.5.19`},
			{"sections[0].questions[0].show_if.question", 14, `question "later" comes later; conditions may only refer to earlier questions`},
			{"sections[0].questions[1].text", 15, "text is required"},
			{"sections[0].questions[1].options[1].score", 19, "score must be between 0 and 100"},
		}},
		{"JSON with tabs", brokenJSON, "json", []Problem{
			{"title", 4, "title is required"},
			{"sections[0].questions", 9, "a section needs at least one question"},
		}},
		{"every YAML type error", "key: [x]\nversion: two\ntitle: T\nsections: []\n", "yaml", []Problem{
			{"", 1, "cannot unmarshal !!seq into string"},
			{"", 2, "cannot unmarshal !!str `two` into int"},
		}},
		{"unknown field", strings.Replace(validYAML, "show_if:", "show_iff:", 1), "", []Problem{
			{"", 16, "field show_iff not found in type question"},
		}},
		{"empty file", "", "", []Problem{{"", 0, "the file is empty"}}},
		{"reserved key", strings.Replace(validYAML, "key: basics", "key: new", 1), "", []Problem{
			{"key", 1, `key "new" is reserved; choose another`},
		}},
		{"condition value the loader rejects", strings.Replace(validYAML, `equals: "yes"`, `equals: .nan`, 1), "", []Problem{
			{"sections[0].questions[1].show_if.equals", 16, "a number in a condition must be finite"},
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, got := Check([]byte(tc.data), tc.format)
			if !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("problems:\n got %q\nwant %q", got, tc.want)
			}
			if (tmpl != nil) != (tc.want == nil) {
				t.Fatalf("template returned: %v, want one only when there are no problems", tmpl != nil)
			}
		})
	}
}

func TestSourceLines(t *testing.T) {
	src := "a: 1\nlist:\n  - x: &opt\n      y: 2\n  - x: *opt\n"
	lines := newSourceLines([]byte(src))
	cases := map[string]int{
		"":          0,
		"a":         1,
		"list":      2,
		"list[0]":   3,
		"list[0].x": 3,
		"list[1].x": 5,
		// Through an alias, the line is the anchor's: the fields are there.
		"list[1].x.y": 4,
		"list[7]":     2, // past the end: the list itself
		"missing.y":   1, // the enclosing document
		"a[0]":        1, // not a list
		"list[0].z":   3,
	}
	for path, want := range cases {
		if got := lines.line(path); got != want {
			t.Errorf("line(%q) = %d, want %d", path, got, want)
		}
	}
	if got := newSourceLines([]byte("{unclosed")).line("a"); got != 0 {
		t.Errorf("unparsable source: line = %d, want 0", got)
	}
}

// The API answers 422 with one field per problem, the line leading each
// message; pages read the lines from the same error.
func TestInvalidErrorIsValidation(t *testing.T) {
	_, problems := Check([]byte(brokenYAML), "")
	err := error(&InvalidError{Problems: problems})
	var v *apperr.Validation
	if !errors.As(err, &v) {
		t.Fatal("InvalidError does not unwrap to apperr.Validation")
	}
	if v.Message != "the template has 5 problems; nothing was published" {
		t.Errorf("message %q", v.Message)
	}
	if len(v.Fields) != len(problems) {
		t.Fatalf("%d fields for %d problems", len(v.Fields), len(problems))
	}
	want := apperr.FieldError{Path: "sections[0].questions[0].show_if.question", Message: `line 14: question "later" comes later; conditions may only refer to earlier questions`}
	if v.Fields[2] != want {
		t.Errorf("field %+v, want %+v", v.Fields[2], want)
	}
	one := &InvalidError{Problems: []Problem{{Message: "the file is empty"}}}
	if got := one.Error(); got != "the template has 1 problem; nothing was published: the file is empty" {
		t.Errorf("Error() = %q", got)
	}
	if got := problems[0].String(); got != `line 12: sections[0].questions[0].controls[0]: unknown ISO/IEC 27001:2022 Annex A control "A.5.99"` {
		t.Errorf("String() = %q", got)
	}
}
