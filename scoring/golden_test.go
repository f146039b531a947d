package scoring

import (
	"encoding/json"
	"testing"

	"github.com/assayhq/assay/questionnaires"
)

// goldenInput is the worked example of docs/scoring.md. Keep the two in step.
func goldenInput() Input {
	Y, YNA, SC, MC, TX := questionnaires.TypeYesNo, questionnaires.TypeYesNoNA, questionnaires.TypeSingleChoice, questionnaires.TypeMultiChoice, questionnaires.TypeText
	t := tmpl(
		withEvidence(q("q1", Y, 3, "A.5.19", "A.5.20")),
		q("q2", Y, 2, "A.5.19"),
		withEvidence(withOptions(q("q3", SC, 1, "A.5.20"), opt("full", 100), opt("partial", 60), opt("none", 0))),
		q("q4", YNA, 4, "A.5.20"),
		q("q5", Y, 1, "A.5.20"),
		q("q6", Y, 2, "A.8.24"),
		withOptions(q("q7", MC, 1, "A.8.24"), opt("tls", 40), opt("rest", 40), opt("keys", 40)),
		q("q8", Y, 1, "A.8.24"),
		showIf(q("q9", Y, 5, "A.8.24"), "q6", "no"),
		q("q10", TX, 1, "A.5.19"),
	)
	return Input{
		Template: t,
		Answers: questionnaires.Answers{
			"q1": "yes", "q2": "no", "q3": "partial", "q4": "na", /* q5 unanswered */
			"q6": "yes", "q7": []string{"tls", "rest"}, "q8": "no", "q9": "no", "q10": "We use Vendr.",
		},
		Evidence:  map[string]int{"q3": 1},
		Overrides: map[string]Override{"q2": {Score: 75, Reason: "Supplier reviews are covered by the SOC 2 report (CC9.2).", By: "rita@example.com"}},
		Tier:      2,
	}
}

func TestGolden(t *testing.T) {
	s := Compute(goldenInput())

	// Questions:
	//   q1  yes, weight 3, evidence required but none: 100 capped at 50
	//   q2  no = 0, overridden to 75, weight 2
	//   q3  partial = 60, weight 1, evidence given so no cap
	//   q4  na: does not count
	//   q5  unanswered: 0, weight 1
	//   q6  yes = 100, weight 2
	//   q7  tls + rest = 40 + 40 = 80, weight 1
	//   q8  no = 0, weight 1
	//   q9  hidden (q6 is not "no"): does not count, its answer is ignored
	//   q10 text: not scored
	wantQ := map[string]*float64{"q1": ptr(50.0), "q2": ptr(75.0), "q3": ptr(60.0), "q4": nil, "q5": ptr(0.0),
		"q6": ptr(100.0), "q7": ptr(80.0), "q8": ptr(0.0), "q9": nil, "q10": nil}
	for _, qs := range s.Questions {
		want := wantQ[qs.ID]
		if (want == nil) != (qs.Score == nil) || (want != nil && *want != *qs.Score) {
			t.Errorf("%s score = %v, want %v", qs.ID, deref(qs.Score), deref(want))
		}
	}

	// Controls, Σ(w × s) / Σw:
	//   A.5.19: q1 3×50 + q2 2×75           = 300 / 5 = 60.0
	//   A.5.20: q1 3×50 + q3 1×60 + q5 1×0  = 210 / 5 = 42.0
	//   A.8.24: q6 2×100 + q7 1×80 + q8 1×0 = 280 / 4 = 70.0
	wantC := []ControlScore{
		{ID: "A.5.19", Title: "Information security in supplier relationships", Score: 60, Questions: []string{"q1", "q2"}, Theme: "organizational", Weight: 5},
		{ID: "A.5.20", Title: "Addressing information security within supplier agreements", Score: 42, Questions: []string{"q1", "q3", "q5"}, Theme: "organizational", Weight: 5},
		{ID: "A.8.24", Title: "Use of cryptography", Score: 70, Questions: []string{"q6", "q7", "q8"}, Theme: "technological", Weight: 4},
	}
	assertJSON(t, "controls", s.Controls, wantC)

	// Overall: (300 + 210 + 280) / (5 + 5 + 4) = 790 / 14 = 56.43 → 56.4, grade C.
	// Organizational and supplier controls: (300 + 210) / 10 = 51.0.
	// Technological: 280 / 4 = 70.0.
	// 2013 domains: A.5.19 ← A.15.1.1, A.5.20 ← A.15.1.2, A.8.24 ← A.10.1.1/2.
	if s.Overall != 56.4 || s.Grade != "C" {
		t.Errorf("overall %v grade %s, want 56.4 C", s.Overall, s.Grade)
	}
	assertJSON(t, "themes", s.Themes, Scores{{"organizational", 51}, {"technological", 70}})
	assertJSON(t, "supplier", s.SupplierControls, ptr(51.0))
	assertJSON(t, "domains", s.Domains2013, Scores{{"A.10", 70}, {"A.15", 51}})

	// Coverage: 7 visible scorable questions in scope (q1–q8 but q4, not
	// applicable), 6 answered (all but q5) = 0.857. Evidence: q1 and q3
	// ask for it, q3 has it = 0.5.
	if s.Coverage != 0.857 || s.EvidenceCoverage != 0.5 {
		t.Errorf("coverage %v evidence %v, want 0.857 0.5", s.Coverage, s.EvidenceCoverage)
	}

	// Risk: tier 2 → inherent 4, impact 4. Overall 56.4 is in the C band →
	// likelihood 3; coverage 0.857 ≥ 0.8, no step up. 3 × 4 = 12 → high.
	assertJSON(t, "risk", s.Risk, Risk{Inherent: 4, Likelihood: 3, Impact: 4, Residual: LevelHigh})

	// Findings, priority = (100 − score) × impact × weight / 25, key controls
	// weigh 5:
	//   A.5.20 42.0 < 60:        58 × 4 × 5 / 25 = 46.4 → high; q1 (50), q5 (0) below 60
	//   A.8.24 70.0, key, q8 = 0: 30 × 4 × 5 / 25 = 24.0 → medium
	//   A.5.19 60.0 is not below 60 and has no 0: no finding.
	wantF := []Finding{
		{Control: "A.5.20", Severity: LevelHigh, Title: "Addressing information security within supplier agreements",
			Recommendation: Recommendation("A.5.20"), Questions: []string{"q1", "q5"}, Score: 42, Priority: 46.4, Key: true},
		{Control: "A.8.24", Severity: LevelMedium, Title: "Use of cryptography",
			Recommendation: Recommendation("A.8.24"), Questions: []string{"q8"}, Score: 70, Priority: 24, Key: true},
	}
	assertJSON(t, "findings", s.Findings, wantF)

	assertJSON(t, "overrides", s.Overrides, []OverrideRecord{{Question: "q2", Score: 75, Previous: ptr(0.0),
		Reason: "Supplier reviews are covered by the SOC 2 report (CC9.2).", By: "rita@example.com", Applied: true}})
	if s.MethodVersion != MethodVersion || len(s.NotAssessed) != 0 {
		t.Errorf("method %q not assessed %v", s.MethodVersion, s.NotAssessed)
	}
}

func deref(p *float64) any {
	if p == nil {
		return nil
	}
	return *p
}

// assertJSON compares through JSON, which is what clients see.
func assertJSON(t *testing.T, what string, got, want any) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	w, err := json.Marshal(want)
	if err != nil {
		t.Fatal(err)
	}
	if string(g) != string(w) {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}
