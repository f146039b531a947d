package report

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// score writes a score as the method rounds it: one decimal.
func score(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func pct(f float64) string { return strconv.FormatFloat(f*100, 'f', 0, 64) + "%" }

func day(t time.Time) string {
	if t.IsZero() {
		return "—"
	}
	return t.UTC().Format("2 January 2006")
}

func title(s string) string {
	s = strings.ReplaceAll(s, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func orDash(s string) string {
	if strings.TrimSpace(s) == "" {
		return "—"
	}
	return s
}

// person writes "Name <email>", or whichever is known.
func person(name, email string) string {
	switch {
	case name != "" && email != "":
		return name + " <" + email + ">"
	case name != "":
		return name
	}
	return email
}

// thousands writes n with thousands separators: 1,234,567.
func thousands(n int64) string {
	s := strconv.FormatInt(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// findingCounts summarises the findings: "5 (1 critical, 2 high, 2 low)".
func findingCounts(r *Report) string {
	if len(r.Findings) == 0 {
		return "none"
	}
	var parts []string
	for _, g := range r.NonConformities {
		if len(g.Controls) > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", len(g.Controls), g.Severity))
		}
	}
	return fmt.Sprintf("%d (%s)", len(r.Findings), strings.Join(parts, ", "))
}

// ScoreText is the answer's score for display: one decimal, or "—" when
// the question does not count.
func (a Answer) ScoreText() string {
	if a.Score == nil {
		return "—"
	}
	return score(*a.Score)
}

// SupplierText is the supplier-relationship controls' score for display,
// or "—" when none was assessed.
func (s Summary) SupplierText() string {
	if s.SupplierControls == nil {
		return "—"
	}
	return score(*s.SupplierControls)
}

// Filename is the report's download name for extension ext: the vendor
// and the assessment's date, so that a folder of reports sorts well.
func (r *Report) Filename(ext string) string {
	var slug []rune
	dash := false
	for _, c := range strings.ToLower(r.Vendor.Name) {
		ok := (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9')
		switch {
		case ok:
			slug, dash = append(slug, c), false
		case !dash && len(slug) > 0:
			slug, dash = append(slug, '-'), true
		}
	}
	name := strings.Trim(string(slug), "-")
	if name == "" {
		name = "vendor"
	}
	at := r.Assessment.CompletedAt
	if at.IsZero() {
		at = r.GeneratedAt
	}
	return fmt.Sprintf("vendor-risk-report-%s-%s.%s", name, at.UTC().Format("2006-01-02"), ext)
}
