package scoring

import "github.com/assayhq/assay/questionnaires"

// TierFromIntake reads a vendor-intake questionnaire, whose option scores
// measure inherent risk (0 low … 100 high) rather than control strength. The
// weighted mean m of the answered, visible, scored questions (rounded to one
// decimal) gives the tier: m >= 75 → 1, >= 50 → 2, >= 25 → 3, else 4. The
// impact follows the tier as ImpactFromTier does (5, 4, 3, 2), except that
// an intake with m < 10 has impact 1: the tier scale stops at 4, the intake
// can tell a negligible vendor apart. With no scored answer both are 0
// (unknown), which Compute rates as critical.
//
// Unanswered questions are skipped rather than counted as 0, since 0 would
// mean "low risk" here; evidence and overrides do not apply.
func TierFromIntake(t *questionnaires.Template, a questionnaires.Answers) (tier int, impact int) {
	if t == nil {
		return 0, 0
	}
	s := NewScorer(t)
	visible := questionnaires.Visible(t, a)
	var sw, sws int
	for i := range s.qs {
		q := &s.qs[i]
		if !visible[q.id] || !q.scored() {
			continue
		}
		if c := q.evaluate(a[q.id]); c.answered && c.applicable {
			sw += q.weight
			sws += q.weight * c.raw
		}
	}
	if sw == 0 {
		return 0, 0
	}
	m := meanTenths(sws, sw)
	switch {
	case m >= 750:
		tier = 1
	case m >= 500:
		tier = 2
	case m >= 250:
		tier = 3
	default:
		tier = 4
	}
	impact = ImpactFromTier(tier)
	if m < 100 {
		impact = 1
	}
	return tier, impact
}
