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
func (s *Scorer) findings(st *state, controls []ControlScore, qd []QuestionScore, impact int) []Finding {
	var perLevel [5]int // by Level.Rank
	nq := 0
	for i, c := range st.listed {
		tc := &s.controls[c]
		st.finding[i] = -1
		if t := st.tenths[i]; t < 10*FindingThreshold || (tc.cat.key && st.zero[c]) {
			below := st.below[c]
			st.finding[i] = below
			st.priority[i], st.severity[i] = severity(t, controls[i].Weight, impact, tc.cat.key)
			perLevel[st.severity[i].Rank()]++
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
	for i, c := range st.listed {
		if st.finding[i] < 0 {
			continue
		}
		tc, cs := &s.controls[c], &controls[i]
		start := len(ids)
		for _, qi := range tc.questions {
			if p := qd[qi].Score; p != nil && *p < FindingThreshold {
				ids = append(ids, s.qs[qi].id)
			}
		}
		r := st.severity[i].Rank()
		out[next[r]] = Finding{
			Control:        cs.ID,
			Severity:       st.severity[i],
			Title:          cs.Title,
			Recommendation: tc.cat.recommendation,
			Questions:      ids[start:len(ids):len(ids)],
			Score:          cs.Score,
			Priority:       st.priority[i],
			Key:            tc.cat.key,
		}
		next[r]++
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
// finding is at least medium. The score is the rounded control score in
// tenths; the priority is computed exactly and rounded half up to tenths.
func severity(scoreTenths, weight, impact int, key bool) (float64, Level) {
	w := min(weight, 5)
	if key {
		w = 5
	}
	gap := 1000 - scoreTenths
	p := (2*gap*impact*w + 25) / 50 // gap × impact × w / 25, in tenths
	l := LevelLow
	switch {
	case p >= 10*priorityCritical:
		l = LevelCritical
	case p >= 10*priorityHigh:
		l = LevelHigh
	case p >= 10*priorityMedium:
		l = LevelMedium
	}
	if key && l == LevelLow {
		l = LevelMedium
	}
	return fromTenths(p), l
}

// overrideScore clamps a reviewer's score to 0–100.
func overrideScore(o Override) int { return min(max(o.Score, 0), 100) }

func overrideRecord(id string, o Override, prev *float64, applied bool) OverrideRecord {
	return OverrideRecord{Question: id, Score: float64(overrideScore(o)), Previous: prev, Reason: o.Reason, By: o.By, Applied: applied}
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
