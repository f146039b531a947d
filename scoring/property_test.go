package scoring

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math/big"
	"math/rand/v2"
	"reflect"
	"slices"
	"sync"
	"testing"
	"testing/quick"

	"github.com/assayhq/assay/questionnaires"
)

// Property tests run on the built-in full template and on a synthetic one,
// each case driven by a seed that testing/quick draws; a failure prints the
// seed, which reproduces it.

func propertyTemplates(t *testing.T) []*questionnaires.Template {
	return []*questionnaires.Template{libraryTemplate(t, "iso27001-2022-supplier-full.yaml"), fullTemplate()}
}

func check(t *testing.T, n int, prop func(seed uint64) error) {
	t.Helper()
	if testing.Short() {
		n /= 5
	}
	err := quick.Check(func(seed uint64) bool {
		if err := prop(seed); err != nil {
			t.Errorf("seed %d: %v", seed, err)
			return false
		}
		return true
	}, &quick.Config{MaxCount: n})
	if err != nil {
		t.Log(err)
	}
}

// TestPropertyInvariants checks ranges and the shape rules on random
// assessments, and recomputes the control and overall scores naively from
// the template as an independent oracle.
func TestPropertyInvariants(t *testing.T) {
	for _, tp := range propertyTemplates(t) {
		check(t, 200, func(seed uint64) error {
			in := randomInput(tp, rand.New(rand.NewPCG(seed, 0)))
			return invariants(tp, in, Compute(in))
		})
	}
}

func invariants(tp *questionnaires.Template, in Input, s Score) error {
	in01 := func(v float64) bool { return v >= 0 && v <= 100 }
	if !in01(s.Overall) || s.Coverage < 0 || s.Coverage > 1 || s.EvidenceCoverage < 0 || s.EvidenceCoverage > 1 {
		return fmt.Errorf("out of range: overall %v coverage %v evidence %v", s.Overall, s.Coverage, s.EvidenceCoverage)
	}
	if s.Grade != Grade(s.Overall) || s.MethodVersion != MethodVersion {
		return fmt.Errorf("grade %s for %v, method %q", s.Grade, s.Overall, s.MethodVersion)
	}
	for _, v := range []int{s.Risk.Inherent, s.Risk.Likelihood, s.Risk.Impact} {
		if v < 1 || v > 5 {
			return fmt.Errorf("risk out of range: %+v", s.Risk)
		}
	}
	if s.Risk.Residual != Residual(s.Risk.Likelihood, s.Risk.Impact) {
		return fmt.Errorf("residual %+v", s.Risk)
	}
	for _, e := range append(slices.Clone(s.Themes), s.Domains2013...) {
		if !in01(e.Score) {
			return fmt.Errorf("%s = %v", e.Key, e.Score)
		}
	}
	if s.SupplierControls != nil && !in01(*s.SupplierControls) {
		return fmt.Errorf("supplier = %v", *s.SupplierControls)
	}

	// Oracle: Σ w × s over (question, control) pairs, straight from the
	// template and the per-question scores; visibility straight from the
	// whole template.
	visible := questionnaires.Visible(tp, in.Answers)
	qscore := map[string]QuestionScore{}
	for _, d := range s.Questions {
		if d.Visible != visible[d.ID] {
			return fmt.Errorf("question %s visible %v, questionnaires.Visible says %v", d.ID, d.Visible, visible[d.ID])
		}
		if d.Score != nil && !in01(*d.Score) {
			return fmt.Errorf("question %s = %v", d.ID, *d.Score)
		}
		qscore[d.ID] = d
	}
	type acc struct {
		w, ws    float64
		assessed bool
	}
	ctrl := map[string]*acc{}
	var ow, ows float64
	for _, sec := range tp.Sections {
		for _, qq := range sec.Questions {
			d := qscore[qq.ID]
			if d.Score == nil {
				continue
			}
			for _, c := range slices.Compact(slices.Sorted(slices.Values(qq.Controls))) {
				if _, ok := questionnaires.ControlByID(c); !ok {
					continue
				}
				a := ctrl[c]
				if a == nil {
					a = &acc{}
					ctrl[c] = a
				}
				w := float64(d.Weight)
				a.w += w
				a.ws += w * *d.Score
				a.assessed = a.assessed || d.Answered || d.Overridden
				ow += w
				ows += w * *d.Score
			}
		}
	}
	if ow > 0 && s.Overall != oracleRound(ows, ow) {
		return fmt.Errorf("overall %v, oracle %v", s.Overall, oracleRound(ows, ow))
	}
	listed := map[string]bool{}
	themes, domains := map[string]bool{}, map[string]bool{}
	supplier := false
	for _, c := range s.Controls {
		a := ctrl[c.ID]
		if a == nil || !a.assessed {
			return fmt.Errorf("control %s listed without an assessed question", c.ID)
		}
		if c.Score != oracleRound(a.ws, a.w) || !in01(c.Score) {
			return fmt.Errorf("control %s = %v, oracle %v", c.ID, c.Score, oracleRound(a.ws, a.w))
		}
		listed[c.ID] = true
		cc, _ := questionnaires.ControlByID(c.ID)
		themes[cc.Theme] = true
		for _, d := range questionnaires.Domains2013For(c.ID) {
			domains[d] = true
		}
		supplier = supplier || slices.Contains(questionnaires.SupplierControls(), c.ID)
	}
	for id, a := range ctrl {
		if a.assessed && !listed[id] {
			return fmt.Errorf("control %s assessed but not listed", id)
		}
		if !a.assessed && !slices.Contains(s.NotAssessed, id) {
			return fmt.Errorf("control %s in scope, not assessed, missing from not_assessed", id)
		}
	}
	if len(s.Themes) != len(themes) || len(s.Domains2013) != len(domains) || (s.SupplierControls != nil) != supplier {
		return fmt.Errorf("themes %v / %v, domains %v / %v, supplier %v / %v: absent must mean no assessed control",
			s.Themes, themes, s.Domains2013, domains, s.SupplierControls != nil, supplier)
	}
	for i, f := range s.Findings {
		c, ok := questionnaires.ControlByID(f.Control)
		if !ok || !listed[f.Control] || (f.Score >= FindingThreshold && !f.Key) || len(f.Questions) == 0 || c.Title != f.Title {
			return fmt.Errorf("bad finding %+v", f)
		}
		if i > 0 {
			p := s.Findings[i-1]
			if p.Severity.Rank() < f.Severity.Rank() {
				return fmt.Errorf("findings not sorted by severity: %s before %s", p.Severity, f.Severity)
			}
		}
	}
	return nil
}

// oracleRound is ws / w to one decimal, halves up, computed with exact
// rationals rather than the integer formula under test.
func oracleRound(ws, w float64) float64 {
	r := new(big.Rat).SetFrac64(int64(ws)*10, int64(w))
	q, rem := new(big.Int).QuoRem(r.Num(), r.Denom(), new(big.Int))
	if new(big.Int).Mul(rem, big.NewInt(2)).Cmp(r.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	return float64(q.Int64()) / 10
}

// improve changes one answer or one piece of evidence for the better: an
// unanswered question gets any answer (including "not applicable"), a
// scored answer becomes one scoring at least as much, a multiple choice
// gains a selection, or evidence arrives or is accepted. It returns false
// when it found nothing to improve.
func improve(tp *questionnaires.Template, in Input, r *rand.Rand) (Input, string, bool) {
	// Changing a gate's answer changes which questions apply, which is a
	// change of scope rather than a better or worse answer, so
	// monotonicity is not claimed for them.
	trig := tp.Gates()
	var cands []questionnaires.Question
	for _, s := range tp.Sections {
		for _, qq := range s.Questions {
			if !trig[qq.ID] {
				cands = append(cands, qq)
			}
		}
	}
	qq := cands[r.IntN(len(cands))]
	out := in
	out.Answers = maps(in.Answers)
	out.Evidence = mapsInt(in.Evidence)
	out.AcceptedEvidence = mapsBool(in.AcceptedEvidence)

	if r.IntN(4) == 0 {
		if r.IntN(2) == 0 {
			out.Evidence[qq.ID]++
			return out, qq.ID + " +evidence", true
		}
		out.AcceptedEvidence[qq.ID] = true
		return out, qq.ID + " evidence accepted", true
	}
	opts := qq.EffectiveOptions()
	cur, answered := in.Answers[qq.ID]
	switch qq.Type {
	case questionnaires.TypeYesNo, questionnaires.TypeYesNoNA, questionnaires.TypeSingleChoice:
		var better []string
		for _, o := range opts {
			if !answered {
				better = append(better, o.Value)
				continue
			}
			i := slices.IndexFunc(opts, func(p questionnaires.Option) bool { return p.Value == cur })
			if i >= 0 && opts[i].Score != nil && o.Score != nil && *o.Score >= *opts[i].Score {
				better = append(better, o.Value)
			}
		}
		if len(better) == 0 {
			return in, "", false
		}
		v := better[r.IntN(len(better))]
		out.Answers[qq.ID] = v
		return out, fmt.Sprintf("%s %v → %s", qq.ID, cur, v), true
	case questionnaires.TypeMultiChoice:
		sel, _ := cur.([]string)
		scored := false
		for _, v := range sel {
			i := slices.IndexFunc(opts, func(p questionnaires.Option) bool { return p.Value == v })
			scored = scored || (i >= 0 && opts[i].Score != nil)
		}
		if len(sel) > 0 && !scored {
			return in, "", false // "not applicable" so far: a scored pick brings it into scope
		}
		o := opts[r.IntN(len(opts))]
		if slices.Contains(sel, o.Value) {
			return in, "", false
		}
		out.Answers[qq.ID] = append(slices.Clone(sel), o.Value)
		return out, fmt.Sprintf("%s %v + %s", qq.ID, sel, o.Value), true
	}
	return in, "", false
}

func maps(m questionnaires.Answers) questionnaires.Answers {
	out := questionnaires.Answers{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func mapsInt(m map[string]int) map[string]int {
	out := map[string]int{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

func mapsBool(m map[string]bool) map[string]bool {
	out := map[string]bool{}
	for k, v := range m {
		out[k] = v
	}
	return out
}

// TestPropertyMonotonic: improving any single answer never lowers any
// score, coverage or risk rating.
func TestPropertyMonotonic(t *testing.T) {
	for _, tp := range propertyTemplates(t) {
		sc := NewScorer(tp)
		check(t, 500, func(seed uint64) error {
			r := rand.New(rand.NewPCG(seed, 1))
			in := randomInput(tp, r)
			better, change, ok := improve(tp, in, r)
			if !ok {
				return nil
			}
			return notWorse(sc.Score(in), sc.Score(better), change)
		})
	}
}

func notWorse(a, b Score, change string) error {
	fail := func(what string, x, y any) error {
		return fmt.Errorf("%s: %s went from %v to %v", change, what, x, y)
	}
	if b.Overall < a.Overall {
		return fail("overall", a.Overall, b.Overall)
	}
	if b.Coverage < a.Coverage {
		return fail("coverage", a.Coverage, b.Coverage)
	}
	if b.Risk.Likelihood > a.Risk.Likelihood || b.Risk.Residual.Rank() > a.Risk.Residual.Rank() {
		return fail("risk", a.Risk, b.Risk)
	}
	if a.SupplierControls != nil && (b.SupplierControls == nil || *b.SupplierControls < *a.SupplierControls) {
		return fail("supplier controls", *a.SupplierControls, deref(b.SupplierControls))
	}
	for _, list := range [][2]Scores{{a.Themes, b.Themes}, {a.Domains2013, b.Domains2013}} {
		for _, e := range list[0] {
			if v, ok := list[1].Get(e.Key); !ok || v < e.Score {
				return fail(e.Key, e.Score, v)
			}
		}
	}
	for _, c := range a.Controls {
		i := slices.IndexFunc(b.Controls, func(x ControlScore) bool { return x.ID == c.ID })
		if i < 0 || b.Controls[i].Score < c.Score {
			return fail(c.ID, c.Score, b.Controls)
		}
	}
	return nil
}

// TestPropertyHiddenAndNAChangeNothing adds a question that is hidden, or
// answered "not applicable", with random controls, weight, evidence and
// even an answer or override: nothing but its own detail line may change.
func TestPropertyHiddenAndNAChangeNothing(t *testing.T) {
	ctrls := questionnaires.Controls()
	for _, tp := range propertyTemplates(t) {
		check(t, 200, func(seed uint64) error {
			r := rand.New(rand.NewPCG(seed, 2))
			in := randomInput(tp, r)
			before := Compute(in)

			// Copy the template structure; questions are values.
			t2 := *tp
			t2.Sections = slices.Clone(tp.Sections)
			si := r.IntN(len(t2.Sections))
			sec := &t2.Sections[si]
			sec.Questions = slices.Clone(sec.Questions)
			pos := r.IntN(len(sec.Questions) + 1)
			extra := q("zz-extra", tYNA, 1+r.IntN(5), ctrls[r.IntN(len(ctrls))].ID, ctrls[r.IntN(len(ctrls))].ID)
			extra.Evidence = &questionnaires.EvidenceSpec{Required: r.IntN(2) == 0}
			in2 := in
			in2.Template = &t2
			in2.Answers = maps(in.Answers)
			in2.Evidence = mapsInt(in.Evidence)
			in2.Evidence[extra.ID] = r.IntN(2)
			how := "na"
			if r.IntN(2) == 0 {
				// Hidden: a condition on a question that has no answer.
				extra.ShowIf = &questionnaires.Condition{Question: "zz-never-answered", Equals: "yes"}
				in2.Answers[extra.ID] = []string{"yes", "no"}[r.IntN(2)]
				in2.Overrides = map[string]Override{extra.ID: {Score: 100}}
				for k, v := range in.Overrides {
					in2.Overrides[k] = v
				}
				how = "hidden"
			} else {
				in2.Answers[extra.ID] = "na"
			}
			sec.Questions = slices.Insert(sec.Questions, pos, extra)
			after := Compute(in2)

			strip := func(s Score) []byte {
				s.Questions = nil
				if how == "hidden" {
					s.Overrides = slices.DeleteFunc(slices.Clone(s.Overrides), func(o OverrideRecord) bool { return o.Question == extra.ID })
				}
				b, _ := json.Marshal(s)
				return b
			}
			if a, b := strip(before), strip(after); !bytes.Equal(a, b) {
				return fmt.Errorf("%s question on %v changed the score:\n%s\n%s", how, extra.Controls, a, b)
			}
			return nil
		})
	}
}

// TestPropertyDeterministic: the same input always gives the same output,
// whether computed afresh, with a shared Scorer, or concurrently.
func TestPropertyDeterministic(t *testing.T) {
	for _, tp := range propertyTemplates(t) {
		sc := NewScorer(tp)
		check(t, 100, func(seed uint64) error {
			in := randomInput(tp, rand.New(rand.NewPCG(seed, 3)))
			want := Compute(in)
			var wg sync.WaitGroup
			got := make([]Score, 2)
			for i := range got {
				wg.Go(func() {
					in2 := in
					in2.Answers = maps(in.Answers) // a map rebuilt in another order
					got[i] = sc.Score(in2)
				})
			}
			wg.Wait()
			for _, g := range got {
				if !reflect.DeepEqual(g, want) {
					a, _ := json.Marshal(g)
					b, _ := json.Marshal(want)
					return fmt.Errorf("different output:\n%s\n%s", a, b)
				}
			}
			return nil
		})
	}
}

// TestControlWithoutScoredQuestionsIsAbsent covers every way a control can
// have nothing to score.
func TestControlWithoutScoredQuestionsIsAbsent(t *testing.T) {
	tp := tmpl(
		q("gate", tYN, 1, "A.5.1"),
		q("text", questionnaires.TypeText, 5, "A.8.5"),
		q("file", questionnaires.TypeFile, 5, "A.8.5"),
		q("na", tYNA, 5, "A.8.5"),
		showIf(q("hidden", tYN, 5, "A.8.5"), "gate", "no"),
		withOptions(q("info", tSC, 5, "A.8.5"), unscoredOpt("aws"), unscoredOpt("gcp")),
	)
	s := Compute(Input{Template: tp, Answers: questionnaires.Answers{
		"gate": "yes", "text": "x", "na": "na", "hidden": "yes", "info": "aws",
	}, Evidence: map[string]int{"file": 2}})
	if len(s.Controls) != 1 || s.Controls[0].ID != "A.5.1" || len(s.NotAssessed) != 0 {
		t.Errorf("controls %+v not assessed %v, want only A.5.1", s.Controls, s.NotAssessed)
	}
	if _, ok := s.Themes.Get("technological"); ok || s.Overall != 100 {
		t.Errorf("A.8.5 leaked into the aggregates: themes %v overall %v", s.Themes, s.Overall)
	}
}
