package handlers

import (
	"io"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/frontend"
	"github.com/assayhq/assay/questionnaires"
)

// portalTestTemplate has a conditional follow-up in the first section and a
// second section that only appears for one answer.
func portalTestTemplate(t *testing.T) *questionnaires.Template {
	t.Helper()
	tpl, err := questionnaires.Parse([]byte(`
key: portal-test
version: 1
title: Portal test
sections:
  - id: one
    title: One
    questions:
      - {id: cert, text: "Certified?", type: yes_no, required: true, controls: [A.5.19]}
      - id: cert-file
        text: Upload it
        type: file
        required: true
        controls: [A.5.19]
        show_if: {question: cert, equals: "yes"}
      - id: colour
        text: Colour
        type: single_choice
        controls: [A.5.19]
        options: [{value: r, label: Red}, {value: g, label: Green}]
  - id: two
    title: Two
    questions:
      - {id: why, text: "Why not?", type: text, controls: [A.5.19], show_if: {question: cert, equals: "no"}}
  - id: three
    title: Three
    questions:
      - {id: staff, text: Staff, type: number, controls: [A.5.19]}
      - id: tools
        text: Tools
        type: multi_choice
        controls: [A.5.19]
        options: [{value: a, label: Alpha}, {value: b, label: Beta}]
`), "")
	if err != nil {
		t.Fatal(err)
	}
	if errs := questionnaires.Validate(tpl); errs != nil {
		t.Fatal(errs)
	}
	return tpl
}

func TestPortalNextSection(t *testing.T) {
	tpl := portalTestTemplate(t)
	for _, tc := range []struct {
		name, from string
		visible    []string
		want       string
	}{
		{"skips a section whose questions are all hidden", "one", []string{"cert", "cert-file", "colour", "staff", "tools"}, "three"},
		{"a follow-up makes the next section visible", "one", []string{"cert", "colour", "why", "staff", "tools"}, "two"},
		{"after the last section, the review", "three", []string{"cert", "staff"}, ""},
		{"an unknown section has no next", "nope", []string{"cert", "staff"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := portalNextSection(tpl, tc.from, tc.visible); got != tc.want {
				t.Errorf("portalNextSection(%q) = %q, want %q", tc.from, got, tc.want)
			}
		})
	}
}

func TestPortalAppeared(t *testing.T) {
	tpl := portalTestTemplate(t)
	before := &assessments.Assessment{Template: tpl, Answers: map[string]assessments.Answer{}}
	for _, tc := range []struct {
		name, section string
		visible       []string
		want          string
	}{
		{"follow-up in the saved section", "one", []string{"cert", "cert-file", "colour"}, "cert-file"},
		{"follow-up in another section does not count", "one", []string{"cert", "colour", "why"}, ""},
		{"nothing new", "three", []string{"cert", "colour", "staff", "tools"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := portalAppeared(before, tc.section, tc.visible); got != tc.want {
				t.Errorf("portalAppeared = %q, want %q", got, tc.want)
			}
		})
	}
}

func TestPortalAnswerText(t *testing.T) {
	tpl := portalTestTemplate(t)
	q := func(id string) questionnaires.Question {
		x, ok := tpl.Question(id)
		if !ok {
			t.Fatalf("no question %s", id)
		}
		return x
	}
	for _, tc := range []struct {
		name    string
		q       questionnaires.Question
		v       any
		strings []string
		display string
	}{
		{"yes/no shows its label", q("cert"), "yes", []string{"yes"}, "Yes"},
		{"choice shows its label", q("colour"), "g", []string{"g"}, "Green"},
		{"several choices", q("tools"), []string{"a", "b"}, []string{"a", "b"}, "Alpha; Beta"},
		{"a whole number has no decimals", q("staff"), 12.0, []string{"12"}, "12"},
		{"a fraction keeps them", q("staff"), 2.5, []string{"2.5"}, "2.5"},
		{"blank text is no answer", q("why"), "  ", nil, ""},
		{"no answer", q("why"), nil, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := portalAnswerStrings(tc.v); !reflect.DeepEqual(got, tc.strings) {
				t.Errorf("portalAnswerStrings = %q, want %q", got, tc.strings)
			}
			if got := portalDisplay(tc.q, tc.v); got != tc.display {
				t.Errorf("portalDisplay = %q, want %q", got, tc.display)
			}
		})
	}
}

func TestPortalCell(t *testing.T) {
	for in, want := range map[string]string{
		"=HYPERLINK(\"x\")": "'=HYPERLINK(\"x\")",
		"+1":                "'+1",
		"-2":                "'-2",
		"@SUM(A1)":          "'@SUM(A1)",
		"plain answer":      "plain answer",
		"":                  "",
	} {
		if got := portalCell(in); got != want {
			t.Errorf("portalCell(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPortalFlashShowsOnlyFixedTexts(t *testing.T) {
	for _, tc := range []struct {
		query, want string
	}{
		{"m=saved", "Your answers were saved."},
		{"m=prefilled&n=7", "7 answers and files were carried over"},
		{"m=prefilled&n=0", "nothing to carry over"},
		{"m=<script>", ""},
		{"", ""},
	} {
		q, _ := url.ParseQuery(tc.query)
		got := portalFlash(q)
		if (tc.want == "" && got != "") || !strings.Contains(got, tc.want) {
			t.Errorf("portalFlash(%q) = %q, want %q", tc.query, got, tc.want)
		}
	}
}

func TestPortalViewCountsVisibleQuestionsPerSection(t *testing.T) {
	tpl := portalTestTemplate(t)
	a := &assessments.Assessment{ID: "a1", Template: tpl, Status: assessments.StatusInProgress, VendorName: "Acme",
		Answers: map[string]assessments.Answer{"cert": assessments.AnswerOf("yes", time.Time{})}}
	ev := []assessments.Evidence{{ID: "e1", QuestionID: "cert-file", Filename: "cert.pdf", Size: 1200}}
	v, err := newPortalView(portalInput{token: "tok", company: "Example Corp", a: a, evidence: ev, maxBytes: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	got := map[string][2]int{}
	for _, s := range v.Sections {
		got[s.ID] = [2]int{s.Answered, s.Visible}
	}
	want := map[string][2]int{"one": {2, 3}, "three": {0, 2}}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("sections = %v, want %v (section two has only a hidden question)", got, want)
	}
	if v.Continue != "/q/tok/s/one#q-colour" {
		t.Errorf("continue = %q, want the first unanswered question", v.Continue)
	}
	if err := v.withSection(a, ev, "one", nil, nil); err != nil {
		t.Fatal(err)
	}
	if q := v.Section.Questions[1]; q.Hidden || !q.WantsFiles || len(q.Files) != 1 {
		t.Errorf("the certificate upload must be shown with its file: %+v", q)
	}
	if v.Section.Next != "/q/tok/s/three" {
		t.Errorf("next = %q, want section three (two is hidden)", v.Section.Next)
	}
	if err := v.withSection(a, ev, "missing", nil, nil); err == nil {
		t.Error("an unknown section must be an error")
	}
}

// BenchmarkPortalSectionView isolates what the portal adds to a section
// request besides the database: building the view of the largest section
// of the full ISO questionnaire, half answered, and rendering the page.
func BenchmarkPortalSectionView(b *testing.B) {
	lib, err := questionnaires.Library()
	if err != nil {
		b.Fatal(err)
	}
	var tpl *questionnaires.Template
	for _, t := range lib {
		if t.Key == "iso27001-2022-supplier-full" {
			tpl = t
		}
	}
	if tpl == nil {
		b.Fatal("no full ISO template in the library")
	}
	section := tpl.Sections[0]
	for _, s := range tpl.Sections {
		if len(s.Questions) > len(section.Questions) {
			section = s
		}
	}
	a := &assessments.Assessment{ID: "a1", Template: tpl, Status: assessments.StatusInProgress, VendorName: "Acme",
		Answers: map[string]assessments.Answer{}}
	for i, q := range tpl.Questions() {
		if i%2 == 0 && (q.Type == questionnaires.TypeYesNo || q.Type == questionnaires.TypeYesNoNA) {
			a.Answers[q.ID] = assessments.AnswerOf("yes", time.Time{})
		}
	}
	r, err := frontend.NewRenderer()
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		v, err := newPortalView(portalInput{token: "tok", company: "Example Corp", a: a, maxBytes: 50 << 20})
		if err != nil {
			b.Fatal(err)
		}
		if err := v.withSection(a, nil, section.ID, nil, nil); err != nil {
			b.Fatal(err)
		}
		if err := r.Render(io.Discard, "portal/section", frontend.Page{Title: section.Title, Company: "Example Corp", Data: v}); err != nil {
			b.Fatal(err)
		}
	}
}
