package library

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/assayhq/assay/questionnaires"
)

// Preview lays a template out the way the supplier portal shows it, with
// what staff reviewing it need beside each question: the condition that
// shows it, in words, and the controls it covers in both editions.
type Preview struct {
	Sections []PreviewSection
}

// PreviewSection is one portal page.
type PreviewSection struct {
	Number      int
	ID          string
	Title       string
	Description string
	Questions   []PreviewQuestion
}

// PreviewQuestion is one question with its effective options (the defaults
// of yes/no questions included) and its condition and controls explained.
type PreviewQuestion struct {
	questionnaires.Question
	Number   string // "2.3": section 2, question 3
	Kind     string // the type in words: "Yes / no / not applicable"
	Options  []questionnaires.Option
	Weight   int
	ShowIf   string // "" when always shown
	Controls []ControlRef
}

// ControlRef is a 2022 Annex A control with its title, theme and the 2013
// domains it maps to.
type ControlRef struct {
	ID          string
	Title       string
	Theme       string
	Domains2013 []string
}

// NewPreview builds the preview of t.
func NewPreview(t *questionnaires.Template) Preview {
	numbers := map[string]string{}
	texts := map[string]questionnaires.Question{}
	for si, s := range t.Sections {
		for qi, q := range s.Questions {
			numbers[q.ID] = fmt.Sprintf("%d.%d", si+1, qi+1)
			texts[q.ID] = q
		}
	}
	d := describer{numbers: numbers, questions: texts}
	var p Preview
	for si, s := range t.Sections {
		ps := PreviewSection{Number: si + 1, ID: s.ID, Title: s.Title, Description: s.Description}
		for _, q := range s.Questions {
			pq := PreviewQuestion{
				Question: q, Number: numbers[q.ID], Kind: typeNames[q.Type], Options: q.EffectiveOptions(),
				Weight: q.EffectiveWeight(), Controls: ControlRefs(q.Controls),
			}
			if q.ShowIf != nil {
				pq.ShowIf = d.condition(*q.ShowIf, false)
			}
			ps.Questions = append(ps.Questions, pq)
		}
		p.Sections = append(p.Sections, ps)
	}
	return p
}

var typeNames = map[questionnaires.QuestionType]string{
	questionnaires.TypeYesNo:        "Yes / no",
	questionnaires.TypeYesNoNA:      "Yes / no / not applicable",
	questionnaires.TypeSingleChoice: "One choice",
	questionnaires.TypeMultiChoice:  "Several choices",
	questionnaires.TypeText:         "Short text",
	questionnaires.TypeLongText:     "Long text",
	questionnaires.TypeNumber:       "Number",
	questionnaires.TypeDate:         "Date",
	questionnaires.TypeFile:         "File upload",
}

// ControlRefs looks up controls in the catalogue; an id it does not know
// (never in a validated template) keeps an empty title.
func ControlRefs(ids []string) []ControlRef {
	out := make([]ControlRef, len(ids))
	for i, id := range ids {
		c, _ := questionnaires.ControlByID(id)
		out[i] = ControlRef{ID: id, Title: c.Title, Theme: c.Theme, Domains2013: questionnaires.Domains2013For(id)}
	}
	return out
}

// describer puts conditions into words, naming questions by number and
// text so a reviewer need not look ids up.
type describer struct {
	numbers   map[string]string
	questions map[string]questionnaires.Question
}

// maxQuoted bounds how much of a referenced question's text is quoted.
const maxQuoted = 70

func (d describer) condition(c questionnaires.Condition, nested bool) string {
	var parts []string
	join := ""
	switch {
	case c.All != nil:
		join = " and "
		for _, sub := range c.All {
			parts = append(parts, d.condition(sub, true))
		}
	case c.Any != nil:
		join = " or "
		for _, sub := range c.Any {
			parts = append(parts, d.condition(sub, true))
		}
	default:
		return d.leaf(c)
	}
	s := strings.Join(parts, join)
	if nested && len(parts) > 1 {
		return "(" + s + ")"
	}
	return s
}

func (d describer) leaf(c questionnaires.Condition) string {
	q := d.questions[c.Question]
	who := d.name(c.Question)
	multi := q.Type == questionnaires.TypeMultiChoice
	switch {
	case c.In != nil:
		vals := make([]string, len(c.In))
		for i, v := range c.In {
			vals[i] = d.value(q, v)
		}
		if multi {
			return who + " includes any of " + strings.Join(vals, ", ")
		}
		return who + " is one of " + strings.Join(vals, ", ")
	case c.Not != nil:
		if multi {
			return who + " is answered and does not include " + d.value(q, c.Not)
		}
		return who + " is answered and is not " + d.value(q, c.Not)
	}
	if multi {
		return who + " includes " + d.value(q, c.Equals)
	}
	return who + " is " + d.value(q, c.Equals)
}

// name is "1.2 “Do you …?”", or the bare id of a question the template
// lacks (a preview never fails on what Validate would reject).
func (d describer) name(id string) string {
	q, ok := d.questions[id]
	if !ok {
		return strconv.Quote(id)
	}
	text := q.Text
	if r := []rune(text); len(r) > maxQuoted {
		text = string(r[:maxQuoted-1])
		if i := strings.LastIndexByte(text, ' '); i > maxQuoted/2 {
			text = text[:i] // end on a whole word
		}
		text = strings.TrimRight(text, " ,;:") + "…"
	}
	return d.numbers[id] + " “" + text + "”"
}

// value shows an option by its label, anything else as written.
func (d describer) value(q questionnaires.Question, v any) string {
	if s, ok := v.(string); ok {
		for _, o := range q.EffectiveOptions() {
			if o.Value == s {
				return o.Label
			}
		}
		return strconv.Quote(s)
	}
	if f, ok := v.(float64); ok {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	return fmt.Sprint(v)
}
