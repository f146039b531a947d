package scoring

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// Explain describes in plain English how the score of a question, a
// control, "overall" or "risk" was reached, showing the arithmetic. It reads
// only the Score, so it explains a stored score exactly as it was computed,
// whatever the current method. An unknown id gives "".
func (s Score) Explain(id string) string {
	switch id {
	case "overall":
		return s.explainOverall()
	case "risk":
		return s.explainRisk()
	}
	if i := slices.IndexFunc(s.Controls, func(c ControlScore) bool { return c.ID == id }); i >= 0 {
		return s.explainControl(&s.Controls[i])
	}
	if slices.Contains(s.NotAssessed, id) {
		return id + " is not assessed: none of its questions was answered. It is left out of the control list but counts as 0 in the theme, domain and overall scores."
	}
	if i := slices.IndexFunc(s.Questions, func(q QuestionScore) bool { return q.ID == id }); i >= 0 {
		return s.explainQuestion(&s.Questions[i])
	}
	return ""
}

func (s Score) question(id string) *QuestionScore {
	for i := range s.Questions {
		if s.Questions[i].ID == id {
			return &s.Questions[i]
		}
	}
	return nil
}

func (s Score) explainQuestion(q *QuestionScore) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s (weight %d): ", q.ID, q.Weight)
	switch q.Reason {
	case ReasonHidden:
		b.WriteString("hidden because its show_if condition is not met; it does not count.")
	case ReasonNotScored:
		b.WriteString("not scored (free text, number, date, file, or choices without scores).")
	case ReasonNotApplicable:
		b.WriteString("answered as not applicable; it does not count.")
	case ReasonUnanswered:
		b.WriteString("not answered, so it counts as 0.")
	case ReasonAnswered:
		fmt.Fprintf(&b, "answered, scoring %s.", num(*q.Score))
	case ReasonEvidenceMissing:
		fmt.Fprintf(&b, "answered, scoring %s, capped at %d because the required evidence is missing.", num(*q.Raw), EvidenceCap)
	case ReasonOverride:
		fmt.Fprintf(&b, "score set to %s by a reviewer", num(*q.Score))
		for _, o := range s.Overrides {
			if o.Question == q.ID && o.Applied {
				if o.Previous != nil {
					fmt.Fprintf(&b, " (the answer scored %s)", num(*o.Previous))
				}
				fmt.Fprintf(&b, ", %s: %q", o.By, o.Reason)
			}
		}
		b.WriteString(".")
	}
	var ctrls []string
	for _, c := range s.Controls {
		if slices.Contains(c.Questions, q.ID) {
			ctrls = append(ctrls, c.ID)
		}
	}
	if len(ctrls) > 0 {
		fmt.Fprintf(&b, " Counts toward %s.", strings.Join(ctrls, ", "))
	}
	return b.String()
}

func (s Score) explainControl(c *ControlScore) string {
	var terms, parts []string
	for _, id := range c.Questions {
		q := s.question(id)
		if q == nil || q.Score == nil {
			continue
		}
		terms = append(terms, fmt.Sprintf("%d × %s", q.Weight, num(*q.Score)))
		parts = append(parts, fmt.Sprintf("%s %s (weight %d)", id, num(*q.Score), q.Weight))
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: %s, the weighted mean of %s: (%s) / %d = %s.",
		c.ID, c.Title, num(c.Score), strings.Join(parts, ", "), strings.Join(terms, " + "), c.Weight, num(c.Score))
	for _, f := range s.Findings {
		if f.Control != c.ID {
			continue
		}
		w := min(c.Weight, 5)
		if f.Key {
			w = 5
		}
		fmt.Fprintf(&b, " Finding, %s: priority (100 − %s) × impact %d × weight %d / 25 = %s.",
			f.Severity, num(f.Score), s.Risk.Impact, w, num(f.Priority))
		if f.Key && f.Score >= FindingThreshold {
			b.WriteString(" Raised because it is a key control with a question scoring 0.")
		}
	}
	return b.String()
}

func (s Score) explainOverall() string {
	var w int
	for _, c := range s.Controls {
		w += c.Weight
	}
	msg := fmt.Sprintf("Overall %s (grade %s): the weighted mean of %d assessed controls (total weight %d), each weighted by the sum of its question weights",
		num(s.Overall), s.Grade, len(s.Controls), w)
	if len(s.NotAssessed) > 0 {
		msg += fmt.Sprintf(", plus %d controls not assessed counting 0 (%s)", len(s.NotAssessed), strings.Join(s.NotAssessed, ", "))
	}
	return msg + fmt.Sprintf(". Coverage %s of scorable questions answered; evidence coverage %s.",
		pct(s.Coverage), pct(s.EvidenceCoverage))
}

func (s Score) explainRisk() string {
	r := s.Risk
	msg := fmt.Sprintf("Residual risk %s: likelihood %d × impact %d on the 5×5 matrix. Likelihood %d from the overall %s",
		r.Residual, r.Likelihood, r.Impact, r.Likelihood, num(s.Overall))
	if s.Coverage < lowCoverage {
		msg += fmt.Sprintf(", one step higher because only %s of the questions were answered", pct(s.Coverage))
	}
	return msg + fmt.Sprintf("; inherent risk %d.", r.Inherent)
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', 1, 64) }

func pct(f float64) string { return strconv.FormatFloat(f*100, 'f', 1, 64) + "%" }
