package scoring

// Level is a risk rating or a finding severity, on one four-step scale so
// that a "high" finding and a "high" residual risk mean the same thing.
type Level string

const (
	LevelLow      Level = "low"
	LevelMedium   Level = "medium"
	LevelHigh     Level = "high"
	LevelCritical Level = "critical"
)

// Rank orders levels: low 1 … critical 4; 0 for an unknown level.
func (l Level) Rank() int {
	switch l {
	case LevelLow:
		return 1
	case LevelMedium:
		return 2
	case LevelHigh:
		return 3
	case LevelCritical:
		return 4
	}
	return 0
}

// Grade bands on the rounded overall score.
const (
	gradeA = 85
	gradeB = 70
	gradeC = 55
	gradeD = 40
)

// Grade maps an overall score to A (>= 85), B (>= 70), C (>= 55), D (>= 40)
// or E.
func Grade(overall float64) string {
	switch {
	case overall >= gradeA:
		return "A"
	case overall >= gradeB:
		return "B"
	case overall >= gradeC:
		return "C"
	case overall >= gradeD:
		return "D"
	}
	return "E"
}

// lowCoverage is the answered share below which likelihood goes up a step.
const lowCoverage = 0.8

// Likelihood rates, 1 (rare) to 5 (almost certain), how likely the vendor's
// controls are to fail. It follows the grade bands (A → 1 … E → 5); when
// fewer than 80% of the applicable questions were answered it is one step
// higher (at most 5), because what was not answered is unknown rather than
// merely weak. Unanswered questions already count as 0 in the overall; the
// extra step is for the uncertainty, which the score alone does not show.
func Likelihood(overall, coverage float64) int {
	l := 5
	switch {
	case overall >= gradeA:
		l = 1
	case overall >= gradeB:
		l = 2
	case overall >= gradeC:
		l = 3
	case overall >= gradeD:
		l = 4
	}
	if coverage < lowCoverage {
		l = min(l+1, 5)
	}
	return l
}

// ImpactFromTier maps a vendor tier to an impact: tier 1 (critical) → 5,
// 2 → 4, 3 → 3, 4 (low) → 2; 0 for an unknown tier.
func ImpactFromTier(tier int) int {
	if tier < 1 || tier > 4 {
		return 0
	}
	return 6 - tier
}

// matrix is indexed [likelihood-1][impact-1]. It is the ISO/IEC 27005 style
// product L × I read in bands: 1–4 low, 5–9 medium, 10–14 high, 15–25
// critical. Written out rather than computed so that the table in
// docs/scoring.md and the dashboard show exactly what is applied.
var matrix = [5][5]Level{
	{LevelLow, LevelLow, LevelLow, LevelLow, LevelMedium},                 // L1: 1 2 3 4 5
	{LevelLow, LevelLow, LevelMedium, LevelMedium, LevelHigh},             // L2: 2 4 6 8 10
	{LevelLow, LevelMedium, LevelMedium, LevelHigh, LevelCritical},        // L3: 3 6 9 12 15
	{LevelLow, LevelMedium, LevelHigh, LevelCritical, LevelCritical},      // L4: 4 8 12 16 20
	{LevelMedium, LevelHigh, LevelCritical, LevelCritical, LevelCritical}, // L5: 5 10 15 20 25
}

// Matrix returns the residual risk matrix, indexed [likelihood-1][impact-1],
// for the dashboard to draw. It is a copy.
func Matrix() [5][5]Level { return matrix }

// Residual reads the matrix. Out-of-range inputs are clamped to 1–5.
func Residual(likelihood, impact int) Level {
	return matrix[min(max(likelihood, 1), 5)-1][min(max(impact, 1), 5)-1]
}

// riskFor rates the vendor. The inherent risk comes from the tier; the
// impact used in the matrix is the explicitly assessed one when given,
// otherwise the inherent risk. A vendor with neither is rated as critical
// (5): an unclassified vendor must not look safe by omission.
func riskFor(overall, coverage float64, tier, impact int) Risk {
	inherent := ImpactFromTier(tier)
	if impact < 1 || impact > 5 {
		impact = inherent
	}
	if inherent == 0 {
		inherent = impact
	}
	if inherent == 0 {
		inherent, impact = 5, 5
	}
	l := Likelihood(overall, coverage)
	return Risk{Inherent: inherent, Likelihood: l, Impact: impact, Residual: Residual(l, impact)}
}
