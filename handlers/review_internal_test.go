package handlers

import (
	"bytes"
	"errors"
	"net/url"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/auth"
	"github.com/assayhq/assay/frontend"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/scoring"
)

// reviewTemplate covers every answer type the review page formats, a
// conditional question and evidence.
const reviewTemplate = `
key: review-test
version: 3
title: Review test
sections:
  - id: gov
    title: Governance
    questions:
      - {id: policy, text: "Policy?", type: yes_no, required: true, weight: 3, controls: [A.5.1]}
      - id: policy-file
        text: "Upload the policy."
        type: file
        controls: [A.5.1]
        evidence: {required: true}
        show_if: {question: policy, equals: "yes"}
      - {id: reviewed, text: "Last review?", type: date, controls: [A.5.1], show_if: {question: policy, equals: "yes"}}
      - {id: why-not, text: "Why not?", type: long_text, controls: [A.5.1], show_if: {question: policy, equals: "no"}}
  - id: sup
    title: Suppliers
    questions:
      - id: certs
        text: "Certifications?"
        type: multi_choice
        controls: [A.5.19]
        options:
          - {value: iso, label: "ISO/IEC 27001", score: 100}
          - {value: soc2, label: "SOC 2 Type II", score: 90}
          - {value: none, label: "None", score: 0}
      - {id: subs, text: "Subprocessor review?", type: yes_no, evidence: {required: true}, controls: [A.5.20]}
      - {id: count, text: "How many?", type: number, controls: [A.5.19]}
      - id: tier
        text: "Hosting?"
        type: single_choice
        controls: [A.5.23]
        options:
          - {value: own, label: "Own data centre", score: 60}
          - {value: cloud, label: "Public cloud", score: 100}
`

func parseReviewTemplate(t *testing.T) *questionnaires.Template {
	t.Helper()
	tpl, err := questionnaires.Parse([]byte(reviewTemplate), questionnaires.FormatYAML)
	if err != nil {
		t.Fatal(err)
	}
	if errs := questionnaires.Validate(tpl); errs != nil {
		t.Fatal(errs)
	}
	return tpl
}

func TestFormatAnswer(t *testing.T) {
	tpl := parseReviewTemplate(t)
	q := func(id string) questionnaires.Question {
		x, ok := tpl.Question(id)
		if !ok {
			t.Fatalf("no question %s", id)
		}
		return x
	}
	tests := []struct {
		name string
		q    questionnaires.Question
		v    any
		want []string
	}{
		{"yes/no shows the label", q("policy"), "yes", []string{"Yes"}},
		{"single choice shows the label", q("tier"), "cloud", []string{"Public cloud"}},
		{"multi choice shows one label per line", q("certs"), []string{"iso", "soc2"}, []string{"ISO/IEC 27001", "SOC 2 Type II"}},
		{"a value the template dropped is shown as stored", q("tier"), "colo", []string{"colo"}},
		{"dates are spelled out", q("reviewed"), "2026-03-09", []string{"9 March 2026"}},
		{"a malformed date is shown as stored", q("reviewed"), "09/03/2026", []string{"09/03/2026"}},
		{"whole numbers have no decimals", q("count"), 12.0, []string{"12"}},
		{"fractions keep theirs", q("count"), 2.5, []string{"2.5"}},
		{"text is shown as typed, even when it looks like an option", q("why-not"), "yes\nreally", []string{"yes\nreally"}},
		{"no answer", q("policy"), nil, nil},
		{"an empty string is no answer", q("why-not"), "", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := formatAnswer(tt.q, tt.v); !reflect.DeepEqual(got, tt.want) {
				t.Errorf("formatAnswer(%s, %#v) = %#v, want %#v", tt.q.ID, tt.v, got, tt.want)
			}
		})
	}
}

// reviewFixture is a submitted assessment with a reopened question, a
// review, an override, evidence and a finding decision.
func reviewFixture(t *testing.T) (*assessments.Assessment, []assessments.Evidence, *scoring.Score) {
	t.Helper()
	tpl := parseReviewTemplate(t)
	at := time.Date(2026, 3, 1, 10, 0, 0, 0, time.UTC)
	a := &assessments.Assessment{
		ID: "a1", VendorID: "v1", VendorName: "Acme <Hosting>", VendorTier: 2, TemplateKey: tpl.Key, TemplateVersion: tpl.Version,
		Template: tpl, ContactName: "Sam", ContactEmail: "sam@acme.test", Status: assessments.StatusSubmitted,
		CreatedAt: at.AddDate(0, 0, -10), DueDate: at.AddDate(0, 0, 10), SubmittedAt: at,
		Answers: map[string]assessments.Answer{
			"policy":   assessments.AnswerOf("yes", at),
			"reviewed": assessments.AnswerOf("2025-12-01", at),
			"why-not":  assessments.AnswerOf("hidden answer", at),
			"certs":    {List: []string{"none"}, UpdatedAt: at, Prefilled: true},
			"subs":     assessments.AnswerOf("yes", at),
			"count":    assessments.AnswerOf(3.0, at),
			"tier":     assessments.AnswerOf("own", at),
		},
		Reviews: map[string]assessments.QuestionReview{
			"policy": {Status: "flagged", Comment: "Which version?", By: "rita@example.test", At: at},
			"tier":   {Override: &scoring.Override{Score: 90, Reason: "Tier III colocation", By: "rita@example.test"}, By: "rita@example.test", At: at},
		},
		Reopened:       map[string]assessments.Clarification{"policy": {QuestionID: "policy", Comment: "Please attach it", By: "rita@example.test", At: at}},
		Clarifications: []assessments.Clarification{{QuestionID: "policy", Comment: "Please attach it", By: "rita@example.test", At: at}},
		Findings:       []assessments.FindingDecision{{Control: "A.5.19", Treatment: assessments.TreatMitigate, Owner: "rita@example.test", Status: "open"}},
	}
	ev := []assessments.Evidence{
		{ID: "e1", AssessmentID: "a1", QuestionID: "policy-file", Filename: "policy <v2>.pdf", Size: 123456,
			SHA256: strings.Repeat("ab", 32), UploadedAt: at},
	}
	in := scoring.Input{Template: tpl, Answers: a.AnswerValues(), Evidence: map[string]int{"policy-file": 1}, Tier: 2,
		Overrides: map[string]scoring.Override{"tier": *a.Reviews["tier"].Override}}
	sc := scoring.Compute(in)
	return a, ev, &sc
}

func TestReviewSections(t *testing.T) {
	a, ev, sc := reviewFixture(t)
	secs := reviewSections(a, sc, ev, map[string]bool{"count": true})
	if len(secs) != 2 {
		t.Fatalf("%d sections, want 2", len(secs))
	}
	if secs[0].Hidden != 1 || secs[1].Hidden != 0 {
		t.Errorf("hidden counts %d, %d; want 1 (why-not), 0", secs[0].Hidden, secs[1].Hidden)
	}
	byID := map[string]reviewQuestion{}
	for _, s := range secs {
		for _, q := range s.Questions {
			byID[q.ID] = q
		}
	}
	if _, shown := byID["why-not"]; shown {
		t.Error("a hidden question is shown, with an answer that no longer counts")
	}
	tests := []struct {
		id    string
		check func(q reviewQuestion) bool
		what  string
	}{
		{"policy", func(q reviewQuestion) bool { return q.Reopened != nil && q.Reopened.Comment == "Please attach it" }, "the open clarification"},
		{"policy", func(q reviewQuestion) bool { return len(q.History) == 1 && q.Review.Status == "flagged" }, "history and review"},
		{"policy", func(q reviewQuestion) bool { return q.Counted() && q.Points() == 100 }, "score 100"},
		{"policy", func(q reviewQuestion) bool {
			return len(q.Controls) == 1 && q.Controls[0].ID == "A.5.1" && q.Controls[0].Title != ""
		}, "control with title"},
		{"policy-file", func(q reviewQuestion) bool {
			return len(q.Evidence) == 1 && q.Evidence[0].ID == "e1" && !q.NeedsEvidence()
		}, "its evidence"},
		{"subs", func(q reviewQuestion) bool { return q.NeedsEvidence() && q.Score.Capped }, "missing evidence, capped"},
		{"certs", func(q reviewQuestion) bool { return q.Prefilled && !q.Changed && q.Answer[0] == "None" }, "prefilled marker"},
		{"count", func(q reviewQuestion) bool {
			return q.Changed && !q.Counted() && strings.Contains(q.Unscored(), "carries no points")
		},
			"changed marker, not scored"},
		{"tier", func(q reviewQuestion) bool {
			return q.Override != nil && q.Override.Reason == "Tier III colocation" && q.Points() == 90
		}, "the override and its reason"},
	}
	for _, tt := range tests {
		q, ok := byID[tt.id]
		if !ok {
			t.Errorf("question %s not shown", tt.id)
			continue
		}
		if !tt.check(q) {
			t.Errorf("question %s: want %s, got %+v", tt.id, tt.what, q)
		}
	}
}

func TestScorePanel(t *testing.T) {
	_, _, sc := reviewFixture(t)
	themes := panelThemes(sc)
	if len(themes) != 4 || themes[0].Label != questionnaires.ThemeOrganizational {
		t.Fatalf("themes %+v: want the four themes in the standard's order", themes)
	}
	for _, th := range themes {
		if want := th.Label == questionnaires.ThemeOrganizational; th.Present != want {
			t.Errorf("theme %s present=%v, want %v (only organizational controls are asked)", th.Label, th.Present, want)
		}
	}
	if len(panelThemes(nil)) != 4 {
		t.Error("no score still lists four themes")
	}
	lines := panelSupplierControls(sc)
	var ids []string
	assessed := map[string]bool{}
	for _, l := range lines {
		ids = append(ids, l.ID)
		assessed[l.ID] = l.Assessed
	}
	if !reflect.DeepEqual(ids, questionnaires.SupplierControls()) {
		t.Errorf("supplier controls %v", ids)
	}
	if !assessed["A.5.19"] || !assessed["A.5.23"] || assessed["A.5.22"] {
		t.Errorf("assessed %v: A.5.19 and A.5.23 were asked, A.5.22 was not", assessed)
	}
}

func TestFindingViews(t *testing.T) {
	a, _, sc := reviewFixture(t)
	views := findingViews(a, sc)
	if len(views) != len(sc.Findings) || len(views) == 0 {
		t.Fatalf("%d finding views for %d findings", len(views), len(sc.Findings))
	}
	for _, v := range views {
		if (v.Decision != nil) != (v.Control == "A.5.19") {
			t.Errorf("finding %s: decision %+v; only A.5.19 was decided", v.Control, v.Decision)
		}
		for _, q := range v.Questions {
			if q.Text == q.ID {
				t.Errorf("finding %s: question %s shown by id, not by its text", v.Control, q.ID)
			}
		}
	}
	if findingViews(a, nil) != nil {
		t.Error("no score, no findings")
	}
}

func TestFailurePlacesMessages(t *testing.T) {
	vals := url.Values{"reason": {""}, "score": {"120"}}
	tests := []struct {
		name     string
		err      error
		fields   map[string]string
		unplaced bool
		message  string
	}{
		{"dotted paths land on their input", apperr.Invalid("bad", apperr.Field("override.reason", "Give a reason").(*apperr.Validation).Fields...),
			map[string]string{"reason": "Give a reason"}, false, "bad"},
		{"unknown paths are shown above the button", apperr.Invalid("bad", apperr.FieldError{Path: "question_id", Message: "No such question"}),
			map[string]string{}, true, "No such question"},
		{"a message without fields is shown", apperr.Invalid("Not now"), map[string]string{}, true, "Not now"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, ok := failure(tt.err, "q1", "override", vals, "score", "reason")
			if !ok {
				t.Fatal("a validation error must become a form failure")
			}
			if !reflect.DeepEqual(f.Fields, tt.fields) || f.Unplaced != tt.unplaced || f.Message != tt.message {
				t.Errorf("got fields %v unplaced %v message %q", f.Fields, f.Unplaced, f.Message)
			}
			if !f.For("q1", "override") || f.For("q2", "override") || f.For("q1", "clarify") || f.Val("score") != "120" {
				t.Error("For/Val")
			}
		})
	}
	if _, ok := failure(apperr.ErrConflict, "q1", "override", vals); ok {
		t.Error("a conflict is not a form failure: it goes to the error page")
	}
	if _, ok := failure(errors.New("boom"), "q1", "override", vals); ok {
		t.Error("an internal error is not a form failure")
	}
	if (formFailure{}).For("", "") {
		t.Error("the zero failure belongs to no form")
	}
}

func TestDaysSince(t *testing.T) {
	now := time.Date(2026, 3, 10, 12, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		t    time.Time
		want int
	}{{time.Time{}, 0}, {now.Add(time.Hour), 0}, {now.Add(-23 * time.Hour), 0}, {now.Add(-49 * time.Hour), 2}} {
		if got := daysSince(tt.t, now); got != tt.want {
			t.Errorf("daysSince(%v) = %d, want %d", tt.t, got, tt.want)
		}
	}
}

// TestReviewPagesRender renders the review and findings pages for each
// role and state: a template error would otherwise only show on a live
// page.
func TestReviewPagesRender(t *testing.T) {
	r, err := frontend.NewRenderer()
	if err != nil {
		t.Fatal(err)
	}
	a, ev, sc := reviewFixture(t)
	page := func(canAct bool, failed formFailure) frontend.Page {
		d := &reviewPage{A: a, Score: sc, TemplateTitle: a.Template.Title, Sections: reviewSections(a, sc, ev, nil),
			Themes: panelThemes(sc), Supplier: panelSupplierControls(sc), Findings: findingViews(a, sc),
			CanAct: canAct, CanComplete: canAct, CanDecide: canAct, Treatments: treatments, FindingStatuses: findingStatuses, Failed: failed, Saved: "policy"}
		if !canAct {
			d.ReadOnly = "read only"
		}
		return frontend.Page{Title: "Review", Nav: "reviews", User: &auth.User{Name: "Rita", Role: auth.RoleReviewer}, CSRF: "tok", Data: d}
	}
	override := formFailure{Target: "tier", Form: "override", Message: "bad", Fields: map[string]string{"reason": "Give a reason"}, Values: url.Values{"score": {"20"}}}
	finding := formFailure{Target: "A.5.19", Form: "finding", Message: "bad", Fields: map[string]string{"owner": "Who owns it?"}, Values: url.Values{"treatment": {"transfer"}}}
	tests := []struct {
		name, page string
		data       frontend.Page
		want, not  []string
	}{
		{"reviewer", "review/assessment", page(true, formFailure{}),
			[]string{`action="/app/assessments/a1/questions/policy/review"`, `action="/app/assessments/a1/complete"`, "Acme &lt;Hosting&gt;",
				`href="/app/assessments/a1/evidence/e1" target="_blank" rel="noopener noreferrer"`, "policy &lt;v2&gt;.pdf", "abababababab",
				"Please attach it", "Tier III colocation", `value="accept_evidence"`, `id="score-panel"`, `data-state="saved"`, "review.js"},
			[]string{"hidden answer", `id="q-why-not"`}},
		{"viewer", "review/assessment", page(false, formFailure{}),
			[]string{"read only", `id="q-policy"`},
			[]string{"<form method=\"post\" action=\"/app/assessments/a1/questions", `action="/app/assessments/a1/complete"`}},
		{"override refused", "review/assessment", page(true, override),
			[]string{`<p class="field-error" id="or-tier-err">Give a reason</p>`, `aria-invalid="true"`, `value="20"`}, nil},
		{"findings", "review/findings", page(true, formFailure{}),
			[]string{`action="/app/assessments/a1/findings/A.5.19"`, `action="/app/assessments/a1/findings/A.5.19/remediation"`, "Send remediation request"}, nil},
		{"finding refused", "review/findings", page(true, finding),
			[]string{`<p class="field-error" id="fo-A.5.19-err">Who owns it?</p>`, `value="transfer" required checked`}, nil},
		{"findings read-only", "review/findings", page(false, formFailure{}),
			[]string{"read only"}, []string{`action="/app/assessments/a1/findings/`}},
	}
	queue := queuePage{Items: []queueRow{{ID: "a1", Vendor: "Acme <Hosting>", Template: "vendor-lite", Version: 2, Tier: 1, Age: 1,
		Status: "submitted", Scored: true, Overall: 71.4, Grade: "B", Residual: "high"}},
		Status: "submitted", Page: 1, Pages: 2, Total: 30, Base: "/app/reviews?status=submitted&"}
	tests = append(tests, struct {
		name, page string
		data       frontend.Page
		want, not  []string
	}{"queue", "review/queue", frontend.Page{Title: "Reviews", User: &auth.User{Name: "Vic", Role: auth.RoleViewer}, Data: queue},
		[]string{`href="/app/assessments/a1/review"`, "Acme &lt;Hosting&gt;", `grade-B`, "71", `badge badge-high">High`, "1 day",
			`<option value="submitted" selected>`, `href="/app/reviews?status=submitted&amp;page=2"`}, []string{"1 days"}})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var b bytes.Buffer
			if err := r.Render(&b, tt.page, tt.data); err != nil {
				t.Fatal(err)
			}
			html := b.String()
			for _, w := range tt.want {
				if !strings.Contains(html, w) {
					t.Errorf("page lacks %s", w)
				}
			}
			for _, n := range append(tt.not, "style=", "<script>", " onclick=") {
				if strings.Contains(html, n) {
					t.Errorf("page has %s", n)
				}
			}
		})
	}
}

func TestApplyReviewAction(t *testing.T) {
	override := &scoring.Override{Score: 40, Reason: "partial", By: "rita@example.test"}
	start := assessments.QuestionReview{Status: assessments.ReviewFlagged, Comment: "old", Override: override, By: "rita@example.test"}
	with := func(f func(r *assessments.QuestionReview)) assessments.QuestionReview {
		r := start
		f(&r)
		return r
	}
	tests := []struct {
		name string
		form url.Values
		want assessments.QuestionReview
		bad  bool
	}{
		{"accept keeps the comment", url.Values{"action": {"accept"}},
			with(func(r *assessments.QuestionReview) { r.Status = assessments.ReviewAccepted }), false},
		{"flag with a comment sets both", url.Values{"action": {"flag"}, "comment": {" why "}},
			with(func(r *assessments.QuestionReview) { r.Comment = "why" }), false},
		{"an emptied comment box clears the comment", url.Values{"action": {"comment"}, "comment": {""}},
			with(func(r *assessments.QuestionReview) { r.Comment = "" }), false},
		{"waiving evidence keeps the rest", url.Values{"action": {"accept_evidence"}},
			with(func(r *assessments.QuestionReview) { r.EvidenceAccepted = true }), false},
		{"an unknown action changes nothing", url.Values{"action": {"delete"}, "comment": {"x"}}, start, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := start
			err := applyReviewAction(&r, tt.form)
			if (err != nil) != tt.bad {
				t.Fatalf("err = %v", err)
			}
			if tt.bad && !errors.Is(err, apperr.ErrBadRequest) {
				t.Errorf("an unknown action is a bad request, got %v", err)
			}
			if !reflect.DeepEqual(r, tt.want) {
				t.Errorf("got %+v, want %+v", r, tt.want)
			}
		})
	}
}
