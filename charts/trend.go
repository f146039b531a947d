// Package charts draws small server-side SVG charts. They need no script
// and no inline style, so they pass the strict Content-Security-Policy, and
// each carries a title, a description and a table of its values for screen
// readers and for anyone who prefers numbers.
package charts

import (
	"fmt"
	"html"
	"html/template"
	"strings"
	"sync/atomic"
)

// Point is one value of a series; Value is 0–100.
type Point struct {
	Label string // the x-axis label, such as a date
	Value float64
	Note  string // shown beside the value, such as a grade
}

// seq makes the ids that tie an SVG to its title and description unique on
// a page that holds several charts.
var seq atomic.Uint64

// trendTitle names every trend chart: they all show a 0–100 score.
const trendTitle = "Overall score over time"

// Trend draws points as a line on a 0–100 scale, oldest first, w by h
// user units (the SVG scales to its container), followed by the same data
// as a table.
func Trend(points []Point, w, h int) template.HTML {
	title := trendTitle
	if len(points) == 0 {
		return template.HTML(`<p class="muted">No completed assessment yet: the trend starts with the first one.</p>`)
	}
	id := fmt.Sprintf("chart%d", seq.Add(1))
	const left, right, top, bottom = 36.0, 12.0, 12.0, 28.0
	pw, ph := float64(w)-left-right, float64(h)-top-bottom
	x := func(i int) float64 {
		if len(points) == 1 {
			return left + pw/2
		}
		return left + pw*float64(i)/float64(len(points)-1)
	}
	y := func(v float64) float64 { return top + ph*(1-clamp(v)/100) }

	var b strings.Builder
	first, last := points[0], points[len(points)-1]
	desc := fmt.Sprintf("%d assessments from %s to %s; latest %s", len(points), first.Label, last.Label, valueText(last))
	fmt.Fprintf(&b, `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-t %s-d" class="trend">`,
		w, h, w, h, id, id)
	fmt.Fprintf(&b, `<title id="%s-t">%s</title><desc id="%s-d">%s</desc>`, id, esc(title), id, esc(desc))
	for _, g := range []float64{0, 50, 100} {
		fmt.Fprintf(&b, `<line x1="%.1f" y1="%.1f" x2="%.1f" y2="%.1f" stroke="currentColor" stroke-opacity="0.25" stroke-width="1"/>`,
			left, y(g), left+pw, y(g))
		fmt.Fprintf(&b, `<text x="%.1f" y="%.1f" font-size="11" text-anchor="end" fill="currentColor">%.0f</text>`, left-6, y(g)+4, g)
	}
	if len(points) > 1 {
		coords := make([]string, len(points))
		for i, p := range points {
			coords[i] = fmt.Sprintf("%.1f,%.1f", x(i), y(p.Value))
		}
		fmt.Fprintf(&b, `<polyline points="%s" fill="none" stroke="#2457c5" stroke-width="2.5" stroke-linejoin="round"/>`, strings.Join(coords, " "))
	}
	for i, p := range points {
		fmt.Fprintf(&b, `<circle cx="%.1f" cy="%.1f" r="4" fill="#2457c5"><title>%s: %s</title></circle>`, x(i), y(p.Value), esc(p.Label), esc(valueText(p)))
	}
	// Label the ends only: every label would collide on a narrow chart.
	fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="start" fill="currentColor">%s</text>`, left, h-8, esc(first.Label))
	if len(points) > 1 {
		fmt.Fprintf(&b, `<text x="%.1f" y="%d" font-size="11" text-anchor="end" fill="currentColor">%s</text>`, left+pw, h-8, esc(last.Label))
	}
	b.WriteString(`</svg>`)
	fmt.Fprintf(&b, `<details class="chart-table"><summary>Show the values as a table</summary><table><caption class="sr-only">%s</caption><thead><tr><th scope="col">Date</th><th scope="col" class="num">Score</th><th scope="col">Grade</th></tr></thead><tbody>`, esc(title))
	for _, p := range points {
		fmt.Fprintf(&b, `<tr><td>%s</td><td class="num">%.0f</td><td>%s</td></tr>`, esc(p.Label), p.Value, esc(p.Note))
	}
	b.WriteString(`</tbody></table></details>`)
	return template.HTML(b.String())
}

func valueText(p Point) string {
	if p.Note != "" {
		return fmt.Sprintf("%.0f (%s)", p.Value, p.Note)
	}
	return fmt.Sprintf("%.0f", p.Value)
}

func clamp(v float64) float64 { return max(0, min(100, v)) }

func esc(s string) string { return html.EscapeString(s) }
