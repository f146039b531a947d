package charts

import "github.com/assayhq/assay/scoring"

// HeatBand is one colour band of a heat map of scores: the grade bands of
// the scoring method, so a cell's colour means what its grade means.
type HeatBand struct {
	Grade string // A … E
	Label string // the score range, for the legend
	Class string // CSS class colouring a cell of this band
}

// HeatBands lists the bands from best to worst, for a legend.
func HeatBands() []HeatBand {
	return []HeatBand{
		{"A", "≥ 85", "heat-A"},
		{"B", "≥ 70", "heat-B"},
		{"C", "≥ 55", "heat-C"},
		{"D", "≥ 40", "heat-D"},
		{"E", "< 40", "heat-E"},
	}
}

// HeatClass is the CSS class of a cell holding score, or "heat-none" when
// there is no score (the column was not assessed). The number is always
// written in the cell too: colour is never the only cue.
func HeatClass(score *float64) string {
	if score == nil {
		return "heat-none"
	}
	return "heat-" + scoring.Grade(*score)
}
