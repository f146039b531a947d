package charts_test

import (
	"encoding/xml"
	"io"
	"strings"
	"testing"

	"github.com/assayhq/assay/charts"
)

// svgText parses s as XML and returns its elements' names and its text.
func svgText(t *testing.T, s string) (names []string, text string, attrs []xml.Attr) {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(s))
	var sb strings.Builder
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("not well-formed SVG: %v\n%s", err, s)
		}
		switch x := tok.(type) {
		case xml.StartElement:
			names = append(names, x.Name.Local)
			attrs = append(attrs, x.Attr...)
		case xml.CharData:
			sb.Write(x)
			sb.WriteByte('|')
		}
	}
	return names, sb.String(), attrs
}

func TestBars(t *testing.T) {
	c := charts.BarChart{ID: "risk", Title: "Vendors by residual risk", Desc: "Active vendors",
		Bars: []charts.Bar{{"Low", 12, "low"}, {"Critical", 3, "critical"}, {"Not <assessed>", 0, "none"}}}
	out := string(charts.Bars(c))
	names, text, attrs := svgText(t, out)
	if names[0] != "svg" || names[1] != "title" || names[2] != "desc" {
		t.Fatalf("elements %v", names)
	}
	for _, want := range []string{"Vendors by residual risk|", "Active vendors. Low: 12, Critical: 3, Not <assessed>: 0.|", "|Low|", "|12|", "|3|", "|0|"} {
		if !strings.Contains("|"+text, want) {
			t.Errorf("text lacks %q: %s", want, text)
		}
	}
	widths := map[string]string{}
	for i, a := range attrs {
		if a.Name.Local == "style" || strings.HasPrefix(a.Name.Local, "on") {
			t.Errorf("attribute %s is not allowed under the CSP", a.Name.Local)
		}
		if a.Name.Local == "class" && strings.HasPrefix(a.Value, "chart-bar ") {
			for _, b := range attrs[i:] {
				if b.Name.Local == "width" {
					widths[a.Value] = b.Value
					break
				}
			}
		}
	}
	// The longest bar fills the track; others are in proportion; zero is empty.
	if widths["chart-bar chart-bar-low"] != "370.0" || widths["chart-bar chart-bar-critical"] != "92.5" || widths["chart-bar chart-bar-none"] != "0.0" {
		t.Errorf("bar widths %v", widths)
	}
	if !strings.Contains(out, `aria-labelledby="risk-title risk-desc"`) || !strings.Contains(out, `role="img"`) {
		t.Error("the chart is not labelled for assistive technology")
	}
}

func TestBarsTinyAndEmpty(t *testing.T) {
	out := string(charts.Bars(charts.BarChart{ID: "x", Title: "T", Bars: []charts.Bar{{"Big", 10000, "a"}, {"One", 1, "b"}}}))
	if !strings.Contains(out, `chart-bar chart-bar-b" x="130" y="40" width="2.0"`) {
		t.Errorf("a count of one is invisible:\n%s", out)
	}
	empty := string(charts.Bars(charts.BarChart{ID: "e", Title: "Nothing", Bars: []charts.Bar{{"A", 0, "a"}}}))
	if _, text, _ := svgText(t, empty); !strings.Contains(text, "A: 0.") {
		t.Errorf("all-zero chart: %s", text)
	}
}

func TestHeatClass(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	for _, tc := range []struct {
		score *float64
		want  string
	}{{nil, "heat-none"}, {f(100), "heat-A"}, {f(85), "heat-A"}, {f(84.9), "heat-B"}, {f(55), "heat-C"}, {f(40), "heat-D"}, {f(39.9), "heat-E"}, {f(0), "heat-E"}} {
		if got := charts.HeatClass(tc.score); got != tc.want {
			t.Errorf("HeatClass(%v) = %s, want %s", tc.score, got, tc.want)
		}
	}
	if b := charts.HeatBands(); len(b) != 5 || b[0].Class != "heat-A" || b[4].Grade != "E" {
		t.Errorf("bands %+v", b)
	}
}
