package library

import (
	"slices"
	"strings"
	"testing"

	"github.com/assayhq/assay/questionnaires"
)

func previewTemplate(t *testing.T) *questionnaires.Template {
	t.Helper()
	tmpl, problems := Check([]byte(`key: preview
version: 1
title: Preview
sections:
  - id: one
    title: One
    questions:
      - {id: cert, text: "Do you hold an ISO 27001 certificate?", type: yes_no_na, controls: [A.5.35]}
      - id: certs
        text: Which certifications do you hold, listing every one that covers the service you provide?
        type: multi_choice
        options: [{value: iso, label: ISO/IEC 27001}, {value: soc2, label: SOC 2}]
        controls: [A.5.19]
  - id: two
    title: Two
    questions:
      - {id: staff, text: "How many staff?", type: number, controls: [A.6.3]}
      - {id: hosting, text: "Where is it hosted?", type: single_choice, options: [{value: cloud, label: Public cloud}, {value: own, label: Own data centre}], controls: [A.8.1, A.5.23]}
      - {id: follow, text: "Tell us more.", type: long_text, weight: 3, controls: [A.5.23], show_if: {question: cert, equals: "yes"}}
`), "")
	if problems != nil {
		t.Fatal(problems)
	}
	return tmpl
}

func TestDescribeCondition(t *testing.T) {
	tmpl := previewTemplate(t)
	d := describer{numbers: map[string]string{}, questions: map[string]questionnaires.Question{}}
	for si, s := range tmpl.Sections {
		for qi, q := range s.Questions {
			d.numbers[q.ID] = string(rune('1'+si)) + "." + string(rune('1'+qi))
			d.questions[q.ID] = q
		}
	}
	cases := []struct {
		name string
		c    questionnaires.Condition
		want string
	}{
		{"equals option", questionnaires.Condition{Question: "cert", Equals: "yes"}, `1.1 “Do you hold an ISO 27001 certificate?” is Yes`},
		{"equals default na", questionnaires.Condition{Question: "cert", Equals: "na"}, `1.1 “Do you hold an ISO 27001 certificate?” is Not applicable`},
		{"multi contains, long text cut", questionnaires.Condition{Question: "certs", Equals: "soc2"},
			`1.2 “Which certifications do you hold, listing every one that covers the…” includes SOC 2`},
		{"in", questionnaires.Condition{Question: "hosting", In: []any{"cloud", "own"}}, `2.2 “Where is it hosted?” is one of Public cloud, Own data centre`},
		{"multi in", questionnaires.Condition{Question: "certs", In: []any{"iso"}}, `includes any of ISO/IEC 27001`},
		{"not number", questionnaires.Condition{Question: "staff", Not: 0.0}, `2.1 “How many staff?” is answered and is not 0`},
		{"multi not", questionnaires.Condition{Question: "certs", Not: "iso"}, `is answered and does not include ISO/IEC 27001`},
		{"number", questionnaires.Condition{Question: "staff", Equals: 12.5}, `is 12.5`},
		{"unknown question and value", questionnaires.Condition{Question: "ghost", Equals: "x"}, `"ghost" is "x"`},
		{"all with nested any", questionnaires.Condition{All: []questionnaires.Condition{
			{Question: "cert", Equals: "yes"},
			{Any: []questionnaires.Condition{{Question: "staff", Equals: 1.0}, {Question: "hosting", Equals: "own"}}},
		}}, `1.1 “Do you hold an ISO 27001 certificate?” is Yes and (2.1 “How many staff?” is 1 or 2.2 “Where is it hosted?” is Own data centre)`},
		{"any of one", questionnaires.Condition{Any: []questionnaires.Condition{{Question: "staff", Equals: 2.0}}}, `2.1 “How many staff?” is 2`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := d.condition(tc.c, false)
			if !strings.HasSuffix(got, tc.want) {
				t.Errorf("got  %s\nwant …%s", got, tc.want)
			}
		})
	}
}

func TestNewPreview(t *testing.T) {
	p := NewPreview(previewTemplate(t))
	if len(p.Sections) != 2 || p.Sections[1].Number != 2 || len(p.Sections[1].Questions) != 3 {
		t.Fatalf("sections %+v", p.Sections)
	}
	cert := p.Sections[0].Questions[0]
	if cert.Number != "1.1" || len(cert.Options) != 3 || cert.Options[2].Label != "Not applicable" || cert.Weight != 1 || cert.ShowIf != "" || cert.Kind != "Yes / no / not applicable" {
		t.Errorf("yes_no_na question: %+v", cert)
	}
	follow := p.Sections[1].Questions[2]
	if follow.Number != "2.3" || follow.Weight != 3 || follow.ShowIf != `1.1 “Do you hold an ISO 27001 certificate?” is Yes` {
		t.Errorf("conditional question: %+v", follow)
	}
	hosting := p.Sections[1].Questions[1].Controls
	if len(hosting) != 2 || hosting[0].ID != "A.8.1" || hosting[0].Title != "User end point devices" || hosting[0].Theme != questionnaires.ThemeTechnological {
		t.Errorf("controls %+v", hosting)
	}
	if sup := p.Sections[0].Questions[1].Controls[0]; sup.Title != "Information security in supplier relationships" || !slices.Equal(sup.Domains2013, []string{"A.15"}) {
		t.Errorf("A.5.19: %+v", sup)
	}
}
