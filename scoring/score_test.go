package scoring

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/assayhq/assay/questionnaires"
)

func TestControlAggregation(t *testing.T) {
	tp := tmpl(
		q("a", tYN, 3, "A.5.10", "A.5.2"),
		q("b", tYN, 1, "A.5.2", "A.5.2"), // a repeated control counts once
		q("c", tYN, 2, "A.5.10"),
		q("d", tYN, 5, "X.1"), // not in the catalogue: cannot be scored
	)
	s := Compute(Input{Template: tp, Answers: questionnaires.Answers{"a": "yes", "b": "no", "c": "no", "d": "no"}})
	// A.5.2:  (3×100 + 1×0) / 4 = 75
	// A.5.10: (3×100 + 2×0) / 5 = 60
	// In the standard's order, A.5.2 before A.5.10.
	want := []ControlScore{
		{ID: "A.5.2", Title: "Information security roles and responsibilities", Score: 75, Questions: []string{"a", "b"}, Theme: "organizational", Weight: 4},
		{ID: "A.5.10", Title: "Acceptable use of information and other associated assets", Score: 60, Questions: []string{"a", "c"}, Theme: "organizational", Weight: 5},
	}
	assertJSON(t, "controls", s.Controls, want)
	// Overall weights each control by its weight: (300 + 300) / 9 = 66.7.
	if s.Overall != 66.7 {
		t.Errorf("overall = %v, want 66.7", s.Overall)
	}
}

func TestNotAssessedControls(t *testing.T) {
	tp := tmpl(
		q("a", tYN, 1, "A.5.19"),
		q("b", tYN, 1, "A.8.5"),  // unanswered: A.8.5 not assessed
		q("c", tYNA, 1, "A.7.1"), // na: A.7.1 out of scope altogether
	)
	s := Compute(Input{Template: tp, Answers: questionnaires.Answers{"a": "yes", "c": "na"}})
	if len(s.Controls) != 1 || s.Controls[0].ID != "A.5.19" {
		t.Fatalf("controls = %+v, want only A.5.19", s.Controls)
	}
	if !slices.Equal(s.NotAssessed, []string{"A.8.5"}) {
		t.Errorf("not assessed = %v, want [A.8.5]", s.NotAssessed)
	}
	// A.8.5 counts as 0 in the overall: (100 + 0) / 2. Leaving a control
	// blank must never score better than answering "no".
	if s.Overall != 50 {
		t.Errorf("overall = %v, want 50", s.Overall)
	}
	// The technological theme has no assessed control: omitted, not 0; the
	// physical theme has nothing in scope.
	assertJSON(t, "themes", s.Themes, Scores{{"organizational", 100}})
	if s.Coverage != 0.5 {
		t.Errorf("coverage = %v, want 0.5", s.Coverage)
	}
}

func TestThemesDomainsSupplier(t *testing.T) {
	tp := tmpl(
		q("a", tYN, 2, "A.5.8"),  // 2013 A.6.1.5 and A.14.1.1: domains A.6 and A.14
		q("b", tYN, 1, "A.5.23"), // new in 2022: no 2013 domain
		q("c", tYN, 1, "A.6.3"),  // people; A.7.2.2
		q("d", tYN, 1, "A.7.4"),  // physical; new in 2022
		q("e", tYN, 1, "A.5.21"), // supplier; A.15.1.3
	)
	s := Compute(Input{Template: tp, Answers: questionnaires.Answers{"a": "yes", "b": "no", "c": "yes", "d": "no", "e": "yes"}})
	// organizational: (2×100 + 1×0 + 1×100) / 4 = 75
	assertJSON(t, "themes", s.Themes, Scores{{"organizational", 75}, {"people", 100}, {"physical", 0}})
	assertJSON(t, "domains", s.Domains2013, Scores{{"A.6", 100}, {"A.7", 100}, {"A.14", 100}, {"A.15", 100}})
	// supplier controls: A.5.21 100 and A.5.23 0, weight 1 each.
	assertJSON(t, "supplier", s.SupplierControls, ptr(50.0))
}

func TestNoSupplierControls(t *testing.T) {
	s := Compute(Input{Template: tmpl(q("a", tYN, 1, "A.8.5")), Answers: questionnaires.Answers{"a": "yes"}})
	if s.SupplierControls != nil {
		t.Errorf("supplier controls = %v, want nil", *s.SupplierControls)
	}
	b, _ := json.Marshal(s)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if v, ok := m["supplier_controls"]; !ok || v != nil {
		t.Errorf("supplier_controls = %v (present %v), want null", v, ok)
	}
}

func TestEmptyAssessment(t *testing.T) {
	for _, tp := range []*questionnaires.Template{nil, tmpl(), tmpl(q("a", tYN, 1))} {
		s := Compute(Input{Template: tp})
		if s.Overall != 0 || s.Grade != "E" || len(s.Controls) != 0 || len(s.Findings) != 0 {
			t.Errorf("empty: %+v", s)
		}
		if s.Risk != (Risk{Inherent: 5, Likelihood: 5, Impact: 5, Residual: LevelCritical}) {
			t.Errorf("empty risk = %+v", s.Risk)
		}
	}
	// With nothing asked, coverage is complete rather than missing.
	s := Compute(Input{Template: tmpl()})
	if s.Coverage != 1 || s.EvidenceCoverage != 1 {
		t.Errorf("coverage %v / %v, want 1 / 1", s.Coverage, s.EvidenceCoverage)
	}
}

func TestEvidenceCoverage(t *testing.T) {
	tp := tmpl(
		withEvidence(q("a", tYN, 1)),
		withEvidence(q("b", tYN, 1)),
		withEvidence(q("c", tYNA, 1)), // na: no claim, no evidence expected
		q("d", questionnaires.TypeFile, 1),
		q("e", questionnaires.TypeFile, 1),
		showIf(q("f", questionnaires.TypeFile, 1), "a", "no"), // hidden
		q("g", tYN, 1),                                        // asks for none
	)
	s := Compute(Input{
		Template:         tp,
		Answers:          questionnaires.Answers{"a": "yes", "b": "no", "c": "na", "g": "yes"},
		Evidence:         map[string]int{"a": 1, "d": 3},
		AcceptedEvidence: map[string]bool{"b": true},
	})
	// Wanted: a, b, d, e. Given: a (file), b (accepted), d (files).
	if s.EvidenceCoverage != 0.75 {
		t.Errorf("evidence coverage = %v, want 0.75", s.EvidenceCoverage)
	}
}

func TestCoverageRounding(t *testing.T) {
	qs := []questionnaires.Question{q("a", tYN, 1), q("b", tYN, 1), q("c", tYN, 1)}
	s := Compute(Input{Template: tmpl(qs...), Answers: questionnaires.Answers{"a": "yes", "b": "yes"}})
	if s.Coverage != 0.667 {
		t.Errorf("coverage = %v, want 0.667", s.Coverage)
	}
}

func TestScorerTemplateMismatch(t *testing.T) {
	a, b := tmpl(q("x", tYN, 1)), tmpl(q("x", tYN, 1, "A.8.5"))
	s := NewScorer(a).Score(Input{Template: b, Answers: questionnaires.Answers{"x": "yes"}})
	if len(s.Controls) != 1 || s.Controls[0].ID != "A.8.5" {
		t.Errorf("scored against the wrong template: %+v", s.Controls)
	}
}

func TestCache(t *testing.T) {
	var c Cache
	t1, t1copy := tmpl(q("x", tYN, 1)), tmpl(q("x", tYN, 1))
	if c.Scorer(t1) != c.Scorer(t1copy) {
		t.Error("same key and version should share a Scorer")
	}
	t2 := tmpl(q("x", tYN, 1))
	t2.Version = 2
	if c.Scorer(t1) == c.Scorer(t2) {
		t.Error("versions must not share a Scorer")
	}
	got := c.Score(Input{Template: t1copy, Answers: questionnaires.Answers{"x": "yes"}})
	if got.Overall != 100 {
		t.Errorf("overall = %v", got.Overall)
	}
}

func TestRounding(t *testing.T) {
	tests := []struct {
		ws, w int
		want  float64
	}{
		{790, 14, 56.4},  // 56.428…
		{1129, 20, 56.5}, // 56.45: halves round up
		{1199, 20, 60},   // 59.95
		{200, 3, 66.7},   // 66.666…
		{1, 30, 0},       // 0.033…
		{2999, 30, 100},  // 99.966…
		{500, 5, 100},
	}
	for _, tc := range tests {
		if got := fromTenths(meanTenths(tc.ws, tc.w)); got != tc.want {
			t.Errorf("%d / %d = %v, want %v", tc.ws, tc.w, got, tc.want)
		}
	}
	shares := []struct {
		n, d int
		want float64
	}{{2, 3, 0.667}, {1, 3, 0.333}, {1, 8, 0.125}, {1, 2000, 0.001}, {0, 5, 0}, {0, 0, 1}}
	for _, tc := range shares {
		if got := ratio(tc.n, tc.d); got != tc.want {
			t.Errorf("ratio(%d, %d) = %v, want %v", tc.n, tc.d, got, tc.want)
		}
	}
}

func TestScoreAll(t *testing.T) {
	var c Cache
	tp := fullTemplate()
	var ins []Input
	for i := range 300 {
		in := Input{Template: questionnaires.Clone(tp), Answers: questionnaires.Answers{}, Tier: 1 + i%4}
		for j, s := range tp.Sections[0].Questions {
			if (i+j)%3 == 0 {
				in.Answers[s.ID] = "yes"
			}
		}
		ins = append(ins, in)
	}
	got := c.ScoreAll(ins)
	for i, in := range ins {
		if want := Compute(in); !reflect.DeepEqual(got[i], want) {
			t.Fatalf("ScoreAll[%d] differs from Compute", i)
		}
	}
	if len(c.ScoreAll(nil)) != 0 {
		t.Error("ScoreAll(nil) should be empty")
	}
}
