package charts

import (
	"encoding/xml"
	"strings"
	"testing"
)

func TestTrend(t *testing.T) {
	cases := []struct {
		name   string
		points []Point
		want   []string
		not    []string
	}{
		{"empty", nil, []string{"No completed assessment yet"}, []string{"<svg"}},
		{"one point", []Point{{"2026-01-10", 62, "C"}}, []string{`<circle`, `2026-01-10: 62 (C)`, `latest 62 (C)`}, []string{"<polyline"}},
		{"a line", []Point{{"2025-01-01", 40, "D"}, {"2026-01-01", 75, "B"}, {"2026-06-01", 130, "A"}},
			[]string{"<polyline", "3 assessments from 2025-01-01 to 2026-06-01", "<td class=\"num\">75</td>"}, nil},
		{"escapes text", []Point{{"<b>", 10, "\"x\""}}, []string{"&lt;b&gt;", "&#34;x&#34;"}, []string{"<b>"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			out := string(Trend(c.points, 480, 160))
			for _, w := range c.want {
				if !strings.Contains(out, w) {
					t.Errorf("missing %q in\n%s", w, out)
				}
			}
			for _, n := range c.not {
				if strings.Contains(out, n) {
					t.Errorf("unexpected %q in\n%s", n, out)
				}
			}
			if strings.Contains(out, "style=") || strings.Contains(out, "<script") {
				t.Errorf("inline style or script would break the CSP:\n%s", out)
			}
			if c.points != nil {
				// Well-formed markup, with the title and description the
				// svg names for assistive technology.
				if err := xml.Unmarshal([]byte("<root>"+out+"</root>"), new(any)); err != nil {
					t.Errorf("not well-formed: %v", err)
				}
				if !strings.Contains(out, `role="img"`) || !strings.Contains(out, "<title id=") || !strings.Contains(out, "<desc id=") {
					t.Errorf("no accessible name:\n%s", out)
				}
			}
		})
	}
}

func TestTrendPlotsOnTheScale(t *testing.T) {
	out := string(Trend([]Point{{"a", 0, ""}, {"b", 100, ""}}, 200, 140))
	// 0 sits on the bottom grid line (y = 140-28), 100 on the top one (y = 12).
	if !strings.Contains(out, `points="36.0,112.0 188.0,12.0"`) {
		t.Errorf("line not on the 0–100 scale:\n%s", out)
	}
}
