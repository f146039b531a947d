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
