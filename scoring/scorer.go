package scoring

import (
	"math"
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
	// conditional is set when some question has show_if; without one
	// every question is visible and Visible need not run.
	conditional bool
	cat         *catalogIndex
	pool        sync.Pool // *state
}

// tmplControl is a catalogue control as used by one template.
type tmplControl struct {
	cat       *catControl
	questions []int32 // scored questions on the control, in reading order
}

// state is per-call scratch, pooled so that scoring allocates only the
// result.
type state struct {
	w, ws    []float64 // per control: Σ weight, Σ weight × score of counted questions
	nq       []int32   // per control: counted questions
	assessed []bool    // per control: some counted question was answered or overridden
	finding  []int32   // per control: questions below the threshold, or -1 for no finding
	agg      []float64 // per theme then per domain: Σ weight, Σ weight × score
	aggSeen  []bool
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
		s.conditional = s.conditional || q.conditional
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

	nc, nagg := len(s.controls), len(s.cat.themes)+len(s.cat.domains)
	s.pool.New = func() any {
		return &state{
			w: make([]float64, nc), ws: make([]float64, nc),
			nq: make([]int32, nc), assessed: make([]bool, nc), finding: make([]int32, nc),
			agg: make([]float64, 2*nagg), aggSeen: make([]bool, nagg),
		}
	}
	return s
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
	clear(st.agg)
	clear(st.aggSeen)

	out := Score{MethodVersion: MethodVersion}
	out.Questions = make([]QuestionScore, len(s.qs))
	nums := make([]float64, 2*len(s.qs)) // backing for the Score and Raw pointers: one allocation, not hundreds
	var visible map[string]bool
	if s.conditional {
		// The portal's own rule, so that the score counts exactly the
		// questions the supplier saw.
		visible = questionnaires.Visible(s.t, in.Answers)
	}

	var scorable, answered, evWanted, evGiven int
	for i := range s.qs {
		q, d := &s.qs[i], &out.Questions[i]
		d.ID, d.Weight = q.id, q.weight
		d.Visible = !q.conditional || visible[q.id]
		o, hasOverride := in.Overrides[q.id]
		if !d.Visible {
			d.Reason = ReasonHidden
			if hasOverride {
				out.Overrides = append(out.Overrides, overrideRecord(q.id, o, nil, false))
			}
			continue
		}
		wantsEvidence := q.kind == kindFile || q.evidenceRequired
		if wantsEvidence {
			d.EvidenceRequired = true
			d.EvidenceFiles = max(in.Evidence[q.id], 0)
			d.EvidenceAccepted = in.AcceptedEvidence[q.id]
		}
		evidenceOK := d.EvidenceFiles > 0 || d.EvidenceAccepted

		var score float64
		counts := false
		switch q.kind {
		case kindFile:
			d.Answered = d.EvidenceFiles > 0
			d.Reason = ReasonNotScored
		case kindNotScored:
			d.Answered = hasValue(in.Answers[q.id])
			d.Reason = ReasonNotScored
		default:
			c := q.evaluate(in.Answers[q.id])
			d.Answered = c.answered
			switch {
			case c.answered && !c.applicable:
				// Out of scope like a hidden question: not in the score,
				// not in coverage, and no claim so nothing to prove.
				d.Reason = ReasonNotApplicable
				wantsEvidence = false
			case !c.answered:
				d.Reason = ReasonUnanswered
				counts = true
				scorable++
			default:
				d.Reason = ReasonAnswered
				counts = true
				scorable++
				answered++
				score = c.raw
				nums[len(s.qs)+i] = c.raw
				d.Raw = &nums[len(s.qs)+i]
				if q.evidenceRequired && !evidenceOK && score > EvidenceCap {
					score = EvidenceCap
					d.Capped = true
					d.Reason = ReasonEvidenceMissing
				}
			}
		}
		if wantsEvidence {
			evWanted++
			if evidenceOK {
				evGiven++
			}
		}
		if hasOverride {
			var prev *float64
			if counts && q.scored() {
				prev = new(score)
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
		nums[i] = score
		d.Score = &nums[i]
		w := float64(q.weight)
		assessed := d.Answered || d.Overridden
		for _, c := range q.controls {
			st.w[c] += w
			st.ws[c] += w * score
			st.nq[c]++
			st.assessed[c] = st.assessed[c] || assessed
		}
	}

	out.Coverage = ratio(answered, scorable)
	out.EvidenceCoverage = ratio(evGiven, evWanted)
	s.aggregate(st, &out)
	out.Grade = Grade(out.Overall)
	out.Risk = riskFor(out.Overall, out.Coverage, in.Tier, in.Impact)
	out.Findings = s.findings(st, out.Questions, out.Risk.Impact)
	out.Overrides = s.unknownOverrides(in.Overrides, out.Overrides)
	return out
}

// aggregate builds the control list and the theme, domain, supplier and
// overall scores. Each aggregate is Σ(W_c × S_c) / ΣW_c over the controls in
// scope, where W_c is the sum of the control's question weights; since
// W_c × S_c is the control's Σ w_q × s_q, the sums carry over without
// dividing and rounding is applied to the result only.
func (s *Scorer) aggregate(st *state, out *Score) {
	listed, qids, notAssessed := 0, 0, 0
	for c := range s.controls {
		switch {
		case st.w[c] == 0:
		case st.assessed[c]:
			listed++
			qids += int(st.nq[c])
		default:
			notAssessed++
		}
	}
	out.Controls = make([]ControlScore, 0, listed)
	if notAssessed > 0 {
		out.NotAssessed = make([]string, 0, notAssessed)
	}
	ids := make([]string, 0, qids)

	nt := len(s.cat.themes)
	var sw, sws, ow, ows float64
	supplierSeen := false
	for c := range s.controls {
		w := st.w[c]
		if w == 0 {
			continue
		}
		tc := &s.controls[c]
		ws, seen := st.ws[c], st.assessed[c]
		if seen {
			start := len(ids)
			for _, qi := range tc.questions {
				if out.Questions[qi].Score != nil {
					ids = append(ids, s.qs[qi].id)
				}
			}
			out.Controls = append(out.Controls, ControlScore{
				ID: tc.cat.id, Title: tc.cat.title, Theme: tc.cat.theme,
				Score:     round1(ws / w),
				Questions: ids[start:len(ids):len(ids)],
				Weight:    int(w),
			})
		} else {
			out.NotAssessed = append(out.NotAssessed, tc.cat.id)
		}
		st.add(tc.cat.themeIdx, w, ws, seen)
		for _, d := range tc.cat.domains {
			st.add(nt+d, w, ws, seen)
		}
		if tc.cat.supplier {
			sw, sws = sw+w, sws+ws
			supplierSeen = supplierSeen || seen
		}
		ow, ows = ow+w, ows+ws
	}

	out.Themes = st.scores(s.cat.themes, 0)
	out.Domains2013 = st.scores(s.cat.domains, nt)
	if supplierSeen {
		v := round1(sws / sw)
		out.SupplierControls = &v
	}
	if ow > 0 {
		out.Overall = round1(ows / ow)
	}
}

func (st *state) add(i int, w, ws float64, seen bool) {
	st.agg[2*i] += w
	st.agg[2*i+1] += ws
	st.aggSeen[i] = st.aggSeen[i] || seen
}

// scores lists the aggregates from offset on that have an assessed control,
// leaving out those with none rather than reporting 0.
func (st *state) scores(keys []string, offset int) Scores {
	n := 0
	for i := range keys {
		if st.aggSeen[offset+i] {
			n++
		}
	}
	out := make(Scores, 0, n)
	for i, k := range keys {
		if j := offset + i; st.aggSeen[j] {
			out = append(out, NamedScore{Key: k, Score: round1(st.agg[2*j+1] / st.agg[2*j])})
		}
	}
	return out
}

// ratio is a share rounded to 0.1 percentage point; with nothing asked the
// share is complete (1), not missing.
func ratio(n, d int) float64 {
	if d == 0 {
		return 1
	}
	return math.Round(float64(n)/float64(d)*1000) / 1000
}

// round1 rounds half away from zero to one decimal place. Scores are
// rounded once, at output; aggregates use the unrounded sums.
func round1(x float64) float64 { return math.Round(x*10) / 10 }
