package handlers

import (
	"encoding/json"
	"fmt"
	"html/template"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/questionnaires"
)

// portalView is what every supplier page shows around its own part: who
// asks, the progress, the section list. It is built from the assessment
// alone, so the start, section and review pages never disagree.
type portalView struct {
	Token     string
	Title     string
	Company   string
	Vendor    string
	Message   string
	Due       time.Time
	Status    assessments.Status
	Submitted time.Time

	Editable bool // the supplier may still change something
	Clarify  bool // a reviewer reopened some questions; only those are editable
	ReadOnly bool // submitted or completed: every answer is shown as text
	Started  bool

	Progress questionnaires.ProgressCounts
	Percent  int
	Estimate string
	Sections []portalSectionLink
	Continue string // the first section with an open question

	Section  *portalSectionView
	Reopened []portalQuestionLink // clarification mode: the questions to answer again
	Missing  []portalQuestionLink // review page: required questions still open
	Prefill  bool                 // offer to start from the last assessment's answers

	// JSON for the show/hide rules in the browser: the rules
	// (questionnaires.ClientRules) and every current answer. encoding/json
	// escapes <, > and & (and U+2028, U+2029) in strings, so the JSON sits
	// in a script element as it is; as json.RawMessage, html/template
	// marshalled and escaped it again on every page.
	Rules        template.JS
	Answers      template.JS
	MaxUpload    int64
	VisibilityJS string // URL of questionnaires.VisibilityJS
}

// portalSectionLink is one entry of the section list with its completion.
type portalSectionLink struct {
	ID       string
	Title    string
	URL      string
	Answered int
	Visible  int
	Current  bool
}

// portalQuestionLink names a question with the link to its place on its section
// page.
type portalQuestionLink struct {
	ID      string
	Text    string
	Section string
	URL     string
	Comment string
}

// portalSectionView is one section page.
type portalSectionView struct {
	ID          string
	Title       string
	Description string
	Questions   []portalQuestionView
	Action      string // where the no-JS form posts
	Next        string // where "Save and continue" leads
	Prev        string
}

// portalQuestionView is one question as its input or, when locked, as text.
type portalQuestionView struct {
	Token    string
	ID       string
	Text     string
	Help     string
	Type     questionnaires.QuestionType
	Required bool
	Hidden   bool
	Locked   bool   // shown as text: submitted, or not reopened in clarification mode
	Display  string // the answer as text, for locked questions
	Value    string // text, number and date inputs
	Options  []portalOptionView
	Error    string

	// How the question is asked, decided here rather than by comparisons in
	// the template, which cost a reflective call each on every render.
	Name        string // the form field: q.<id>
	Control     string // the input type: radio, checkbox, text, number, date
	Group       bool   // radios or checkboxes in a fieldset
	Select      bool   // single choice with many options: a select, not radios
	LongText    bool
	Number      bool
	Date        bool
	File        bool
	Describedby string // help text and error message ids

	Prefilled bool
	Reopened  *assessments.Clarification

	WantsFiles       bool
	EvidenceRequired bool
	EvidenceHint     string
	Files            []assessments.Evidence
}

type portalOptionView struct {
	InputID string
	Value   string
	Label   string
	Checked bool
}

// Inputs the section form cannot show as radios without a long scroll.
const portalMaxRadios = 6

// portalInput is what a view is built from.
type portalInput struct {
	token    string
	company  string
	a        *assessments.Assessment
	evidence []assessments.Evidence
	maxBytes int64
}

// newPortalView builds the common part of every supplier page.
func newPortalView(in portalInput) (*portalView, error) {
	a, t := in.a, in.a.Template
	if t == nil {
		return nil, fmt.Errorf("assessment %s has no template snapshot", a.ID)
	}
	answers := a.AnswerValues()
	files := portalEvidenceCount(in.evidence)
	vis := questionnaires.Visible(t, answers)
	v := &portalView{
		Token:        in.token,
		Title:        t.Title,
		Company:      in.company,
		Vendor:       a.VendorName,
		Message:      a.Message,
		Due:          a.DueDate,
		Status:       a.Status,
		Submitted:    a.SubmittedAt,
		Editable:     a.Status.Open(),
		Clarify:      a.Status.Open() && !a.SubmittedAt.IsZero(),
		ReadOnly:     !a.Status.Open(),
		Started:      len(a.Answers) > 0 || len(in.evidence) > 0,
		Progress:     questionnaires.Progress(t, answers, files),
		MaxUpload:    in.maxBytes,
		VisibilityJS: visibilityJSURL(),
	}
	v.Percent = portalPercent(v.Progress.Answered, v.Progress.Total)
	v.Estimate = assessments.Estimate(t)
	v.Prefill = a.PreviousID != "" && a.Status.Open() && a.SubmittedAt.IsZero() && !portalAnyPrefilled(a)
	base := portalBase(in.token)
	for _, s := range t.Sections {
		l := portalSectionLink{ID: s.ID, Title: s.Title, URL: base + "/s/" + url.PathEscape(s.ID)}
		for _, q := range s.Questions {
			if !vis[q.ID] {
				continue
			}
			l.Visible++
			if portalAnswered(q, answers, files) {
				l.Answered++
			}
			if v.Continue == "" && !portalAnswered(q, answers, files) {
				v.Continue = l.URL + "#q-" + q.ID
			}
		}
		if l.Visible > 0 {
			v.Sections = append(v.Sections, l)
		}
	}
	if v.Continue == "" {
		v.Continue = base + "/review"
	}
	for _, q := range t.Questions() {
		if c, ok := a.Reopened[q.ID]; ok && vis[q.ID] {
			v.Reopened = append(v.Reopened, portalQuestionLink{ID: q.ID, Text: q.Text, Section: portalSectionOf(t, q.ID).Title,
				URL: base + "/s/" + url.PathEscape(portalSectionOf(t, q.ID).ID) + "#q-" + q.ID, Comment: c.Comment})
		}
	}
	var err error
	if v.Rules, err = portalRules.of(t); err != nil {
		return nil, fmt.Errorf("visibility rules: %w", err)
	}
	js, err := json.Marshal(answers)
	if err != nil {
		return nil, fmt.Errorf("answers: %w", err)
	}
	v.Answers = template.JS(js)
	return v, nil
}

// portalRules keeps the client rules of each template snapshot: storage
// shares one *Template per snapshot, and a snapshot never changes. The
// map is emptied when it grows past rulesCacheMax, which only templates
// that are not snapshots could make it do.
var portalRules = rulesCache{m: map[*questionnaires.Template]template.JS{}}

const rulesCacheMax = 512

type rulesCache struct {
	mu sync.Mutex
	m  map[*questionnaires.Template]template.JS
}

func (c *rulesCache) of(t *questionnaires.Template) (template.JS, error) {
	c.mu.Lock()
	js, ok := c.m[t]
	c.mu.Unlock()
	if ok {
		return js, nil
	}
	b, err := questionnaires.ClientRules(t)
	if err != nil {
		return "", err
	}
	js = template.JS(b)
	c.mu.Lock()
	if len(c.m) >= rulesCacheMax {
		clear(c.m)
	}
	c.m[t] = js
	c.mu.Unlock()
	return js, nil
}

// withSection adds section id's questions. posted holds the values of a
// refused no-JS save so that the supplier sees what they typed beside the
// error; fields maps question id to that error.
func (v *portalView) withSection(a *assessments.Assessment, evidence []assessments.Evidence, id string, posted url.Values, fields map[string]string) error {
	t := a.Template
	idx := -1
	for i, s := range t.Sections {
		if s.ID == id {
			idx = i
		}
	}
	if idx < 0 {
		return apperr.Wrapf(apperr.ErrNotFound, "this questionnaire has no section %q", id)
	}
	s := t.Sections[idx]
	base := portalBase(v.Token)
	sv := &portalSectionView{ID: s.ID, Title: s.Title, Description: s.Description, Action: base + "/s/" + url.PathEscape(s.ID), Next: base + "/review"}
	// Next and previous skip sections whose questions are all hidden, as
	// the section list does.
	for i, l := range v.Sections {
		if l.ID != s.ID {
			continue
		}
		v.Sections[i].Current = true
		if i+1 < len(v.Sections) {
			sv.Next = v.Sections[i+1].URL
		}
		if i > 0 {
			sv.Prev = v.Sections[i-1].URL
		}
	}
	sv.Questions = v.questions(a, evidence, s.Questions, posted, fields)
	v.Section = sv
	return nil
}

// withReopened shows the questions a reviewer reopened, from every
// section, as one form: the start page of clarification mode.
func (v *portalView) withReopened(a *assessments.Assessment, evidence []assessments.Evidence, posted url.Values, fields map[string]string) {
	var qs []questionnaires.Question
	for _, q := range a.Template.Questions() {
		if _, ok := a.Reopened[q.ID]; ok {
			qs = append(qs, q)
		}
	}
	base := portalBase(v.Token)
	v.Section = &portalSectionView{
		Title:       "Questions to answer again",
		Description: v.Company + " read your answers and asked about the ones below. Change or explain each, then send them back from the review page.",
		Action:      base,
		Next:        base + "/review",
		Questions:   v.questions(a, evidence, qs, posted, fields),
	}
}

// questions builds the view of qs from the stored answers, or from posted
// for the questions refused in fields.
func (v *portalView) questions(a *assessments.Assessment, evidence []assessments.Evidence, qs []questionnaires.Question, posted url.Values, fields map[string]string) []portalQuestionView {
	answers := a.AnswerValues()
	vis := questionnaires.Visible(a.Template, answers)
	byQuestion := map[string][]assessments.Evidence{}
	for _, e := range evidence {
		byQuestion[e.QuestionID] = append(byQuestion[e.QuestionID], e)
	}
	out := make([]portalQuestionView, 0, len(qs))
	for _, q := range qs {
		qv := portalQuestionView{
			Token: v.Token, ID: q.ID, Text: q.Text, Help: q.Help, Type: q.Type, Required: q.Required,
			Hidden: !vis[q.ID], Locked: a.Locked(q.ID), Error: fields[q.ID], Prefilled: a.Answers[q.ID].Prefilled,
			WantsFiles: q.Type == questionnaires.TypeFile || q.Evidence != nil, Files: byQuestion[q.ID],
		}
		if q.Evidence != nil {
			qv.EvidenceRequired, qv.EvidenceHint = q.Evidence.Required, q.Evidence.Hint
		}
		if c, ok := a.Reopened[q.ID]; ok && !qv.Locked {
			qv.Reopened = &c
		}
		cur := portalAnswerStrings(answers[q.ID])
		if vals, ok := posted["q."+q.ID]; ok && qv.Error != "" {
			cur = vals
		}
		qv.Value = strings.Join(cur, "")
		for i, o := range q.EffectiveOptions() {
			qv.Options = append(qv.Options, portalOptionView{InputID: "in-" + q.ID + "-" + strconv.Itoa(i),
				Value: o.Value, Label: o.Label, Checked: portalHas(cur, o.Value)})
		}
		qv.setControl(q)
		qv.Display = portalDisplay(q, answers[q.ID])
		out = append(out, qv)
	}
	return out
}

// setControl decides the input of q.
func (qv *portalQuestionView) setControl(q questionnaires.Question) {
	qv.Name = "q." + q.ID
	qv.Describedby = "err-" + q.ID
	if q.Help != "" {
		qv.Describedby = "help-" + q.ID + " " + qv.Describedby
	}
	switch q.Type {
	case questionnaires.TypeYesNo, questionnaires.TypeYesNoNA:
		qv.Group, qv.Control = true, "radio"
	case questionnaires.TypeSingleChoice:
		qv.Select = len(qv.Options) > portalMaxRadios
		qv.Group, qv.Control = !qv.Select, "radio"
	case questionnaires.TypeMultiChoice:
		qv.Group, qv.Control = true, "checkbox"
	case questionnaires.TypeLongText:
		qv.LongText = true
	case questionnaires.TypeNumber:
		qv.Number, qv.Control = true, "number"
	case questionnaires.TypeDate:
		qv.Date, qv.Control = true, "date"
	case questionnaires.TypeFile:
		qv.File = true
	default:
		qv.Control = "text"
	}
}

// withMissing lists the required visible questions still open.
func (v *portalView) withMissing(a *assessments.Assessment, evidence []assessments.Evidence) {
	t := a.Template
	base := portalBase(v.Token)
	for _, id := range questionnaires.MissingRequired(t, a.AnswerValues(), portalEvidenceCount(evidence)) {
		q, _ := t.Question(id)
		s := portalSectionOf(t, id)
		v.Missing = append(v.Missing, portalQuestionLink{ID: id, Text: q.Text, Section: s.Title,
			URL: base + "/s/" + url.PathEscape(s.ID) + "#q-" + id})
	}
}

// withMissingFields lists the questions a refused submit named, in the
// order the service gave them.
func (v *portalView) withMissingFields(a *assessments.Assessment, fields []apperr.FieldError) {
	t := a.Template
	base := portalBase(v.Token)
	v.Missing = nil
	for _, f := range fields {
		id := portalFieldQuestion(f.Path)
		q, ok := t.Question(id)
		if !ok {
			continue
		}
		s := portalSectionOf(t, id)
		// The link names the question; the service's message ("This
		// question is required: …") would only repeat it.
		v.Missing = append(v.Missing, portalQuestionLink{ID: id, Text: q.Text, Section: s.Title,
			URL: base + "/s/" + url.PathEscape(s.ID) + "#q-" + id})
	}
}

// portalFieldQuestion returns the question id a field error's path names:
// "answers.<id>", "q.<id>" or the bare id.
func portalFieldQuestion(path string) string {
	for _, p := range []string{"answers.", "q."} {
		if rest, ok := strings.CutPrefix(path, p); ok {
			return rest
		}
	}
	return path
}

// portalFieldMap indexes field errors by question id.
func portalFieldMap(fields []apperr.FieldError) map[string]string {
	m := make(map[string]string, len(fields))
	for _, f := range fields {
		m[portalFieldQuestion(f.Path)] = f.Message
	}
	return m
}

// portalAnyPrefilled reports whether answers were already carried over:
// the offer to start from the last assessment is made once.
func portalAnyPrefilled(a *assessments.Assessment) bool {
	for _, ans := range a.Answers {
		if ans.Prefilled {
			return true
		}
	}
	return false
}

func portalSectionOf(t *questionnaires.Template, qid string) questionnaires.Section {
	for _, s := range t.Sections {
		for _, q := range s.Questions {
			if q.ID == qid {
				return s
			}
		}
	}
	return questionnaires.Section{}
}

func portalEvidenceCount(ev []assessments.Evidence) map[string]int {
	m := map[string]int{}
	for _, e := range ev {
		m[e.QuestionID]++
	}
	return m
}

// portalAnswered follows questionnaires.Progress: a file question is portalAnswered by
// its files, every other question by a value.
func portalAnswered(q questionnaires.Question, a questionnaires.Answers, files map[string]int) bool {
	if q.Type == questionnaires.TypeFile {
		return files[q.ID] > 0
	}
	return len(portalAnswerStrings(a[q.ID])) > 0
}

// portalAnswerStrings turns a normalized answer into the strings an HTML form
// holds.
func portalAnswerStrings(v any) []string {
	switch x := v.(type) {
	case string:
		if strings.TrimSpace(x) == "" {
			return nil
		}
		return []string{x}
	case []string:
		return x
	case float64:
		return []string{strconv.FormatFloat(x, 'f', -1, 64)}
	}
	return nil
}

// portalDisplay renders an answer for reading: option labels rather than
// values.
func portalDisplay(q questionnaires.Question, v any) string {
	vals := portalAnswerStrings(v)
	if len(vals) == 0 {
		return ""
	}
	opts := q.EffectiveOptions()
	out := make([]string, len(vals))
	for i, s := range vals {
		out[i] = s
		for _, o := range opts {
			if o.Value == s {
				out[i] = o.Label
			}
		}
	}
	return strings.Join(out, "; ")
}

func portalHas(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func portalPercent(n, of int) int {
	if of == 0 {
		return 0
	}
	return n * 100 / of
}
