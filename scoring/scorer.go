package scoring

import (
	"slices"
	"sync"

	"github.com/assayhq/assay/questionnaires"
)

// Scoring constants; changing any of them changes MethodVersion.
const (
	// EvidenceCap is the most a question whose required evidence is
	// missing can score: a claim without proof is worth half a proven one.
	EvidenceCap = 50
	// FindingThreshold is the control score below which a control is a
	// finding.
	FindingThreshold = 60
)

// Scorer scores assessments of one template. It resolves the template once
// (question → controls, control → theme and 2013 domains, option scores) so
// that Score works on small integers and slices, touching strings only to
// read the input maps. A Scorer is safe for concurrent use.
type Scorer struct {
	t        *questionnaires.Template
	qs       []question
	controls []tmplControl // the controls the template asks about, in the standard's order
	qindex   map[string]int
	// visibility is the part of the template that show_if involves: the
	// conditional questions and every question their conditions name.
	// Visible decides a question from its condition and the questions the
	// condition names, so running it on this subset gives the same result
	// for a fraction of the work; nil when no question has show_if.
	visibility *questionnaires.Template
	cat        *catalogIndex
	pool       sync.Pool // *state
}

// tmplControl is a catalogue control as used by one template.
type tmplControl struct {
	cat       *catControl
	questions []int32 // scored questions on the control, in reading order
}

// state is per-call scratch, pooled so that scoring allocates only the
// result.
type state struct {
	w, ws    []int      // per control: Σ weight, Σ weight × score of counted questions
	nq       []int32    // per control: counted questions
	assessed []bool     // per control: some counted question was answered or overridden
	below    []int32    // per control: counted questions scoring below FindingThreshold
	zero     []bool     // per control: some counted question scores 0
	ovOf     []int32    // per question: index into ovs, or -1
	ovs      []Override // the overrides of template questions
	ovSet    []int32    // the questions with an override, to reset ovOf
	listed   []int32    // the controls in Score.Controls, in order
	tenths   []int      // per listed control: its rounded score in tenths
	finding  []int32    // per listed control: questions below the threshold, or -1 for no finding
	priority []float64  // per listed control with a finding
	severity []Level
	agg      []int // per theme then per domain: Σ weight, Σ weight × score
	aggSeen  []bool
	visible  map[string]bool // the conditional questions' visibility, reused
}

// NewScorer indexes a template for scoring. A nil template scores as an
// empty questionnaire.
func NewScorer(t *questionnaires.Template) *Scorer {
	s := &Scorer{t: t, qindex: map[string]int{}, cat: catalog()}
	if t == nil {
		t = &questionnaires.Template{}
	}
	var raw []questionnaires.Question
	for _, sec := range t.Sections {
		raw = append(raw, sec.Questions...)
	}
	for i, q := range raw {
		if _, dup := s.qindex[q.ID]; !dup {
			s.qindex[q.ID] = i
		}
	}

	// Controls are numbered in the standard's order so that every list
	// built from them comes out sorted without a sort.
	used := make([]int, len(s.cat.controls)) // catalogue index → template control index + 1
	for _, q := range raw {
		for _, id := range q.Controls {
			if ci, ok := s.cat.byID[id]; ok {
				used[ci] = 1
			}
		}
	}
	for ci := range used {
		if used[ci] != 0 {
			s.controls = append(s.controls, tmplControl{cat: &s.cat.controls[ci]})
			used[ci] = len(s.controls)
		}
	}

	s.qs = make([]question, len(raw))
	for i, rq := range raw {
		q := newQuestion(rq)
		if q.scored() {
			for _, id := range rq.Controls {
				ci, ok := s.cat.byID[id]
				if !ok {
					continue // unknown ids are the validator's business; they cannot be scored
				}
				tc := int32(used[ci] - 1)
				if !slices.Contains(q.controls, tc) {
					q.controls = append(q.controls, tc)
					s.controls[tc].questions = append(s.controls[tc].questions, int32(i))
				}
			}
		}
		s.qs[i] = q
	}

	s.visibility = visibilitySubset(raw)

	nq, nc, nagg := len(s.qs), len(s.controls), len(s.cat.themes)+len(s.cat.domains)
	s.pool.New = func() any {
		st := &state{
			ovOf:     make([]int32, nq),
			w:        make([]int, nc),
			ws:       make([]int, nc),
			nq:       make([]int32, nc),
			assessed: make([]bool, nc),
			below:    make([]int32, nc),
			zero:     make([]bool, nc),
			listed:   make([]int32, 0, nc),
			tenths:   make([]int, nc),
			finding:  make([]int32, nc),
			priority: make([]float64, nc),
			severity: make([]Level, nc),
			agg:      make([]int, 2*nagg),
			aggSeen:  make([]bool, nagg),
		}
		for i := range st.ovOf {
			st.ovOf[i] = -1
		}
		return st
	}
	return s
}

func visibilitySubset(raw []questionnaires.Question) *questionnaires.Template {
	need := map[string]bool{}
	for _, q := range raw {
		if q.ShowIf != nil {
			need[q.ID] = true
			for ref := range q.ShowIf.Refs() {
				need[ref] = true
			}
		}
	}
	if len(need) == 0 {
		return nil
	}
	sub := questionnaires.Section{}
	for _, q := range raw {
		if need[q.ID] {
			sub.Questions = append(sub.Questions, q)
		}
	}
	return &questionnaires.Template{Sections: []questionnaires.Section{sub}}
}

// Score scores one assessment of the Scorer's template. in.Template may be
// nil; if it is a different template, Score indexes that one instead (slow
// but never wrong).
func (s *Scorer) Score(in Input) Score {
	if in.Template != nil && in.Template != s.t {
		return NewScorer(in.Template).Score(in)
	}
	st := s.pool.Get().(*state)
	defer s.pool.Put(st)
	clear(st.w)
	clear(st.ws)
	clear(st.nq)
	clear(st.assessed)
	clear(st.below)
	clear(st.zero)
	clear(st.agg)
	clear(st.aggSeen)
	st.listed = st.listed[:0]

	out := Score{MethodVersion: MethodVersion}
	out.Questions = make([]QuestionScore, len(s.qs))
	nums := make([]float64, 2*len(s.qs)) // backing for the Score and Raw pointers: one allocation, not hundreds
	var visible map[string]bool
	if s.visibility != nil {
		// The portal's own rule, so that the score counts exactly the
		// questions the supplier saw.
		if st.visible == nil {
			st.visible = make(map[string]bool, s.visibility.QuestionCount())
		}
		questionnaires.VisibleInto(st.visible, s.visibility, in.Answers)
		visible = st.visible
	}
	// Overrides are few: resolving them once beats a map lookup for
	// every question.
	for id, o := range in.Overrides {
		if i, ok := s.qindex[id]; ok {
			st.ovOf[i] = int32(len(st.ovs))
			st.ovs = append(st.ovs, o)
			st.ovSet = append(st.ovSet, int32(i))
		}
	}
	defer st.resetOverrides()

	var t tally
	for i := range s.qs {
		q, d := &s.qs[i], &out.Questions[i]
		d.ID, d.Weight = q.id, q.weight
		d.Visible = !q.conditional || visible[q.id]
		var o Override
		k := st.ovOf[i]
		hasOverride := k >= 0
		if hasOverride {
			o = st.ovs[k]
		}
		if !d.Visible {
			d.Reason = ReasonHidden
			if hasOverride {
				out.Overrides = append(out.Overrides, overrideRecord(q.id, o, nil, false))
			}
			continue
		}
		score, counts := scoreQuestion(q, in, d, nums[len(s.qs)+i:], &t)
		if hasOverride {
			var prev *float64
			if counts && q.scored() {
				prev = new(float64(score))
			}
			out.Overrides = append(out.Overrides, overrideRecord(q.id, o, prev, q.scored()))
		}
		if hasOverride && q.scored() {
			// The reviewer's judgement is final: it replaces the computed
			// score, cap included, and brings a "not applicable" answer
			// back into the score.
			score = overrideScore(o)
			counts = true
			d.Overridden = true
			d.Reason = ReasonOverride
		}
		if !counts {
			continue
		}
		nums[i] = float64(score)
		d.Score = &nums[i]
		assessed := d.Answered || d.Overridden
		var below int32
		if score < FindingThreshold {
			below = 1
		}
		for _, c := range q.controls {
			st.w[c] += q.weight
			st.ws[c] += q.weight * score
			st.nq[c]++
			st.assessed[c] = st.assessed[c] || assessed
			st.below[c] += below
			st.zero[c] = st.zero[c] || score == 0
		}
	}

	out.Coverage = ratio(t.answered, t.scorable)
	out.EvidenceCoverage = ratio(t.evGiven, t.evWanted)
	s.aggregate(st, &out)
	out.Grade = Grade(out.Overall)
	out.Risk = riskFor(out.Overall, out.Coverage, in.Tier, in.Impact)
	out.Findings = s.findings(st, out.Controls, out.Questions, out.Risk.Impact)
	out.Overrides = s.unknownOverrides(in.Overrides, out.Overrides)
	return out
}

// resetOverrides leaves the pooled state without overrides for the next
// call.
func (st *state) resetOverrides() {
	for _, i := range st.ovSet {
		st.ovOf[i] = -1
	}
	clear(st.ovs) // drop the reason strings
	st.ovs, st.ovSet = st.ovs[:0], st.ovSet[:0]
}
