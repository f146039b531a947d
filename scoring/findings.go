package scoring

import (
	"slices"
	"strings"
)

// Severity bands on the finding priority (0–100).
const (
	priorityCritical = 60
	priorityHigh     = 35
	priorityMedium   = 15
)

// findings lists the assessed controls scoring below FindingThreshold and
// the key controls with a question scoring 0, most severe first, then in the
// standard's order. Findings are placed by counting per severity rather than
// sorted: moving large structs around in a sort cost more than all the
// scoring.
func (s *Scorer) findings(st *state, qd []QuestionScore, impact int) []Finding {
	var perLevel [5]int
	nq := 0
	for c := range s.controls {
		st.finding[c] = -1
		if st.w[c] == 0 || !st.assessed[c] {
			continue // not assessed: no score to judge, coverage shows the gap
		}
		tc := &s.controls[c]
		below, zero := int32(0), false
		for _, qi := range tc.questions {
			if p := qd[qi].Score; p != nil {
				if *p < FindingThreshold {
					below++
				}
				zero = zero || *p == 0
			}
		}
		score := round1(st.ws[c] / st.w[c])
		if score < FindingThreshold || (tc.cat.key && zero) {
			st.finding[c] = below
			_, sev := severity(score, int(st.w[c]), impact, tc.cat.key)
			perLevel[sev.Rank()]++
			nq += int(below)
		}
	}
	n := 0
	var next [5]int // where the next finding of each rank goes
	for r := len(perLevel) - 1; r >= 1; r-- {
		next[r] = n
		n += perLevel[r]
	}
	out := make([]Finding, n)
	if n == 0 {
		return out
	}
	ids := make([]string, 0, nq)
	for c := range s.controls {
		if st.finding[c] < 0 {
			continue
		}
		tc := &s.controls[c]
		start := len(ids)
		for _, qi := range tc.questions {
			if p := qd[qi].Score; p != nil && *p < FindingThreshold {
				ids = append(ids, s.qs[qi].id)
			}
		}
		score := round1(st.ws[c] / st.w[c])
		priority, sev := severity(score, int(st.w[c]), impact, tc.cat.key)
		out[next[sev.Rank()]] = Finding{
			Control:        tc.cat.id,
			Severity:       sev,
			Title:          tc.cat.title,
			Recommendation: tc.cat.recommendation,
			Questions:      ids[start:len(ids):len(ids)],
			Score:          score,
			Priority:       priority,
			Key:            tc.cat.key,
		}
		next[sev.Rank()]++
	}
	return out
}

// severity weighs a control's gap by how much the control matters and by
// how much the vendor matters:
//
//	priority = (100 − score) × impact × weight / 25
//
// where weight is the control weight capped at 5, or 5 for a key control.
// Priority runs 0–100 (a control scoring 0, weight 5, impact 5 is 100) and
// reads critical from 60, high from 35, medium from 15. A key control's
// finding is at least medium.
func severity(score float64, weight, impact int, key bool) (float64, Level) {
	w := min(weight, 5)
	if key {
		w = 5
	}
	p := round1((100 - score) * float64(impact) * float64(w) / 25)
	l := LevelLow
	switch {
	case p >= priorityCritical:
		l = LevelCritical
	case p >= priorityHigh:
		l = LevelHigh
	case p >= priorityMedium:
		l = LevelMedium
	}
	if key && l == LevelLow {
		l = LevelMedium
	}
	return p, l
}

// overrideScore clamps a reviewer's score to 0–100.
func overrideScore(o Override) float64 { return float64(min(max(o.Score, 0), 100)) }

func overrideRecord(id string, o Override, prev *float64, applied bool) OverrideRecord {
	return OverrideRecord{Question: id, Score: overrideScore(o), Previous: prev, Reason: o.Reason, By: o.By, Applied: applied}
}

// unknownOverrides appends, sorted by id, the overrides naming questions the
// template does not have, so that a mistyped id shows in the audit trail
// instead of vanishing.
func (s *Scorer) unknownOverrides(overrides map[string]Override, out []OverrideRecord) []OverrideRecord {
	if len(overrides) == 0 {
		return out
	}
	known := len(out)
	for id, o := range overrides {
		if _, ok := s.qindex[id]; !ok {
			out = append(out, overrideRecord(id, o, nil, false))
		}
	}
	slices.SortFunc(out[known:], func(a, b OverrideRecord) int { return strings.Compare(a.Question, b.Question) })
	return out
}
