package charts

import (
	"fmt"
	"html/template"
	"strconv"
	"strings"
)

// Bar is one bar of a bar chart. Class names the CSS class that colours it
// (app.css gives chart-bar-<class> a fill from the palette, so dark mode
// and print follow the stylesheet).
type Bar struct {
	Label string
	Value int
	Class string
}

// BarChart is a horizontal bar chart: one row per bar with its label, the
// bar, and its value written out, so it reads in a screenshot, in print and
// without colour.
type BarChart struct {
	ID    string // unique on the page: names the title and description
	Title string
	Desc  string // what the chart shows; the values are appended
	Bars  []Bar
}

// Geometry of a bar chart, in SVG user units; the SVG scales to its box.
const (
	barWidth   = 560
	barRow     = 34
	barLabelW  = 130
	barValueW  = 60
	barHeight  = 22
	barPadding = 6
)

// Bars renders c as inline SVG with a <title> and a <desc> listing every
// value, for screen readers. It uses no style attribute (the page's CSP
// forbids them): text takes currentColor and bars their class's fill.
func Bars(c BarChart) template.HTML {
	maxV := 0
	for _, b := range c.Bars {
		maxV = max(maxV, b.Value)
	}
	track := float64(barWidth - barLabelW - barValueW)
	height := len(c.Bars)*barRow + barPadding
	var sb strings.Builder
	id := template.HTMLEscapeString(c.ID)
	fmt.Fprintf(&sb, `<svg class="chart-bars" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-labelledby="%s-title %s-desc">`,
		barWidth, height, barWidth, height, id, id)
	fmt.Fprintf(&sb, `<title id="%s-title">%s</title>`, id, template.HTMLEscapeString(c.Title))
	fmt.Fprintf(&sb, `<desc id="%s-desc">%s</desc>`, id, template.HTMLEscapeString(barsDesc(c)))
	for i, b := range c.Bars {
		y := barPadding + i*barRow
		mid := y + barHeight/2
		w := 0.0
		if maxV > 0 {
			w = track * float64(b.Value) / float64(maxV)
		}
		if b.Value > 0 && w < 2 {
			w = 2 // a non-zero count stays visible
		}
		fmt.Fprintf(&sb, `<g class="chart-row">`)
		fmt.Fprintf(&sb, `<text x="%d" y="%d" dominant-baseline="middle" fill="currentColor">%s</text>`, 0, mid, template.HTMLEscapeString(b.Label))
		fmt.Fprintf(&sb, `<rect class="chart-track" x="%d" y="%d" width="%s" height="%d" rx="4"/>`, barLabelW, y, num(track), barHeight)
		fmt.Fprintf(&sb, `<rect class="chart-bar chart-bar-%s" x="%d" y="%d" width="%s" height="%d" rx="4"/>`,
			template.HTMLEscapeString(b.Class), barLabelW, y, num(w), barHeight)
		fmt.Fprintf(&sb, `<text class="chart-value" x="%d" y="%d" dominant-baseline="middle" text-anchor="end" fill="currentColor">%d</text>`,
			barWidth-4, mid, b.Value)
		sb.WriteString(`</g>`)
	}
	sb.WriteString(`</svg>`)
	return template.HTML(sb.String())
}

// barsDesc is the description with every value, such as "Vendors by
// residual risk. Low: 12, Medium: 4."
func barsDesc(c BarChart) string {
	parts := make([]string, len(c.Bars))
	for i, b := range c.Bars {
		parts[i] = b.Label + ": " + strconv.Itoa(b.Value)
	}
	desc := strings.TrimSpace(c.Desc)
	if desc != "" && !strings.HasSuffix(desc, ".") {
		desc += "."
	}
	return strings.TrimSpace(desc + " " + strings.Join(parts, ", ") + ".")
}

// num formats a coordinate with at most one decimal.
func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }
