package questionnaires

import (
	"encoding/json"
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"
)

func TestParseYAMLAndJSONAgree(t *testing.T) {
	yamlData, err := os.ReadFile("testdata/vendor-basics.yaml")
	if err != nil {
		t.Fatal(err)
	}
	fromYAML, err := Parse(yamlData, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	jsonData, err := json.MarshalIndent(fromYAML, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{"json", "JSON", ""} {
		fromJSON, err := Parse(jsonData, format)
		if err != nil {
			t.Fatalf("format %q: %v", format, err)
		}
		if !reflect.DeepEqual(fromJSON, fromYAML) {
			t.Errorf("format %q: JSON and YAML decode differently:\n%+v\n%+v", format, fromJSON, fromYAML)
		}
	}
	// YAML decodes the 0 in "not: 0" as an int, JSON as a float64; both
	// must end up as float64 to compare with number answers.
	cond := fromYAML.Sections[1].Questions[2].ShowIf.All[1]
	if _, ok := cond.Not.(float64); !ok {
		t.Errorf("not: 0 decoded as %T, want float64", cond.Not)
	}
}

func TestParseNormalizesConditionValues(t *testing.T) {
	src := `
sections:
  - questions:
      - show_if: {question: a, equals: 2024-01-02, in: [1, 2.5, x, true]}
      - show_if: {question: a, not: 0x10, in: [], all: []}
`
	tmpl, err := Parse([]byte(src), "yaml")
	if err != nil {
		t.Fatal(err)
	}
	c0, c1 := tmpl.Sections[0].Questions[0].ShowIf, tmpl.Sections[0].Questions[1].ShowIf
	if c0.Equals != "2024-01-02" {
		t.Errorf("a YAML date decoded as %#v, want the string", c0.Equals)
	}
	if want := []any{1.0, 2.5, "x", true}; !reflect.DeepEqual(c0.In, want) {
		t.Errorf("in = %#v, want %#v", c0.In, want)
	}
	if c1.Not != 16.0 || c1.In != nil || c1.All != nil {
		t.Errorf("second condition = %#v", c1)
	}
}

func TestParseErrors(t *testing.T) {
	tests := []struct {
		name, data, format string
		line               int
		msg                string
	}{
		{"yaml unknown field", "key: a\nsections:\n  - id: s\n    questions:\n      - id: q\n        show_iff: {}\n", "yaml", 6,
			"line 6: field show_iff not found in type question"},
		{"yaml several unknown fields", "key: a\ntitel: x\nsections:\n  - id: s\n    name: y\n", "", 2,
			"line 2: field titel not found in type template; line 5: field name not found in type section"},
		{"yaml syntax error", "key: a\nsections:\n  - id: [s\n", "yaml", 0, "did not find expected ',' or ']'"},
		{"yaml wrong type", "key: a\nversion: one\n", "yaml", 2, "cannot unmarshal !!str `one` into int"},
		{"yaml fractional weight", "sections:\n  - questions:\n      - weight: 2.5\n", "yaml", 0, "line 3: weight must be a whole number, not 2.5"},
		{"yaml duplicate key", "key: a\nkey: b\n", "yaml", 2, `mapping key "key" already defined`},
		{"yaml two documents", "key: a\n---\nkey: b\n", "yaml", 2, "line 2: a file holds exactly one template"},
		{"yaml empty", "# nothing\n", "yaml", 0, "the file is empty"},
		{"yaml non-scalar condition value", "sections:\n  - questions:\n      - show_if: {question: a, equals: [x]}\n", "yaml", 0,
			"sections[0].questions[0].show_if.equals: a condition value must be a single string, number or boolean"},
		{"yaml infinite condition value", "sections:\n  - questions:\n      - show_if: {question: a, in: [1, .inf]}\n", "yaml", 0,
			"sections[0].questions[0].show_if.in[1]: a number in a condition must be finite"},
		{"json unknown field", "{\n  \"key\": \"a\",\n  \"sections\": [{\"id\": \"s\",\n \"colour\": 1}]\n}", "json", 4, `line 4: unknown field "colour"`},
		{"json unknown field on one line", `{"key": "a", "sections": [{"id": "s", "questions": [{"id": "q", "colour": 1}]}]}`, "json", 1, `unknown field "colour"`},
		{"json syntax error", "{\n  \"key\": \"a\",\n  \"version\": 1,,\n}", "", 3, "line 3: invalid character ','"},
		{"json wrong type", "{\"key\": \"a\",\n\"sections\": [{\"questions\": [{\"weight\": \"2\"}]}]}", "json", 2,
			"line 2: sections.questions.weight must be a whole number, not a JSON string"},
		{"json truncated", "{\"key\": \"a\",\n", "json", 2, "ends before the template does"},
		{"json trailing data", "{\"key\": \"a\"} {}", "json", 1, "unexpected data after the template"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Parse([]byte(tt.data), tt.format)
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error = %v (%T), want a *ParseError", err, err)
			}
			if !strings.Contains(pe.Message, tt.msg) || (tt.line != 0 && pe.Line != tt.line) {
				t.Errorf("got line %d %q, want line %d …%s…", pe.Line, pe.Message, tt.line, tt.msg)
			}
		})
	}
	if _, err := Parse([]byte("key: a"), "toml"); err == nil || !strings.Contains(err.Error(), `unknown template format "toml"`) {
		t.Errorf("unknown format: %v", err)
	}
}

func TestParseDetectsFormat(t *testing.T) {
	for _, data := range []string{"\uFEFF  {\"key\": \"a\"}", "key: a", "\uFEFFkey: a"} {
		tmpl, err := Parse([]byte(data), "")
		if err != nil || tmpl.Key != "a" {
			t.Errorf("Parse(%q) = %+v, %v", data, tmpl, err)
		}
	}
}

func TestMarshalYAMLRoundTrips(t *testing.T) {
	for _, tmpl := range []*Template{sampleTemplate(t), syntheticFullTemplate()} {
		out, err := MarshalYAML(tmpl)
		if err != nil {
			t.Fatal(err)
		}
		back, err := Parse(out, "")
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if !reflect.DeepEqual(back, tmpl) {
			t.Errorf("%s: round trip changed the template", tmpl.Key)
		}
	}
}

// FuzzParse checks that no input makes Parse, Validate or Visible panic and
// that whatever Parse accepts survives a download and re-upload unchanged.
// The seeds are small on purpose: the fuzzer minimizes every new input, which
// takes time in proportion to its size.
func FuzzParse(f *testing.F) {
	f.Add([]byte(`key: k
version: 1
title: T
sections:
  - id: s
    title: S
    questions:
      - {id: a, text: A, type: yes_no_na, weight: 2, controls: [A.5.19], evidence: {required: true}}
      - id: b
        text: B
        type: multi_choice
        options: [{value: x, label: X, score: 100}, {value: "1", label: One}]
        controls: [A.5.20]
        show_if: {any: [{question: a, equals: "yes"}, {question: a, not: na}]}
      - {id: c, text: C, type: date, controls: [A.5.21], show_if: {question: b, in: [x, "1"]}}
`))
	f.Add([]byte(`{"key":"k","version":1,"sections":[{"id":"s","questions":[{"id":"a","type":"number"},{"id":"b","show_if":{"question":"a","in":[1,"x"]}}]}]}`))
	f.Add([]byte("sections:\n- questions:\n  - show_if: {all: [{any: [{question: a, not: 2024-01-01}]}]}\n"))
	f.Add([]byte("key: &a x\ntitle: *a\nversion: 0x2\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		tmpl, err := Parse(data, "")
		if err != nil {
			return
		}
		Validate(tmpl)
		Visible(tmpl, Answers{})
		out, err := MarshalYAML(tmpl)
		if err != nil {
			t.Fatalf("MarshalYAML: %v", err)
		}
		back, err := Parse(out, "yaml")
		if err != nil {
			t.Fatalf("re-parse: %v\n%s", err, out)
		}
		if !reflect.DeepEqual(back, tmpl) {
			t.Fatalf("round trip changed the template:\n%#v\n%#v\n%s", tmpl, back, out)
		}
	})
}
