package questionnaires

import (
	"fmt"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// MaxConditionDepth bounds how deeply show_if conditions nest. Real templates
// need two or three levels; the bound keeps evaluation and error messages
// manageable for hand-written or fuzzed input.
const MaxConditionDepth = 8

var (
	keyPattern        = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,63}$`)
	questionIDPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9_.-]*$`)
)

// FieldError is one problem in a template. Path locates the field the way an
// editor can highlight it: "sections[2].questions[4].show_if.question".
type FieldError struct {
	Path    string
	Message string
}

func (e FieldError) Error() string {
	if e.Path == "" {
		return e.Message
	}
	return e.Path + ": " + e.Message
}

// ValidationErrors lists every problem found in a template, in document
// order, so an author can fix them all in one pass.
type ValidationErrors []FieldError

func (e ValidationErrors) Error() string {
	msgs := make([]string, len(e))
	for i, fe := range e {
		msgs[i] = fe.Error()
	}
	if len(e) == 1 {
		return msgs[0]
	}
	return fmt.Sprintf("%d problems: %s", len(e), strings.Join(msgs, "; "))
}

// Err returns e as an error, or nil when there are no problems. Use it rather
// than converting e directly: an empty ValidationErrors in an error interface
// is not nil.
func (e ValidationErrors) Err() error {
	if len(e) == 0 {
		return nil
	}
	return e
}

// Validate checks a template against every rule a publishable template must
// meet and returns all problems found, or nil.
func Validate(t *Template) ValidationErrors {
	if t == nil {
		return ValidationErrors{{Message: "no template"}}
	}
	v := validator{positions: map[string]int{}}
	v.template(t)
	return v.errs
}

type validator struct {
	errs      ValidationErrors
	questions []Question     // in reading order
	where     [][2]int       // section and question index of each of questions
	positions map[string]int // question id → index in questions, first use
}

func (v *validator) add(path, format string, args ...any) {
	v.errs = append(v.errs, FieldError{Path: path, Message: fmt.Sprintf(format, args...)})
}

func (v *validator) template(t *Template) {
	switch {
	case t.Key == "":
		v.add("key", "key is required")
	case !keyPattern.MatchString(t.Key):
		v.add("key", "key %q must be 2–64 characters of a-z, 0-9 and '-', not starting with '-'", t.Key)
	}
	if t.Version < 1 {
		v.add("version", "version must be 1 or more")
	}
	if strings.TrimSpace(t.Title) == "" {
		v.add("title", "title is required")
	}
	if len(t.Sections) == 0 {
		v.add("sections", "at least one section is required")
	}
	// Index the questions first: the duplicate check and conditions both
	// need to know where each id is first used.
	for si, s := range t.Sections {
		for qi, q := range s.Questions {
			if _, dup := v.positions[q.ID]; !dup && q.ID != "" {
				v.positions[q.ID] = len(v.questions)
			}
			v.questions = append(v.questions, q)
			v.where = append(v.where, [2]int{si, qi})
		}
	}
	sectionIDs := map[string]bool{}
	pos := 0
	for si, s := range t.Sections {
		p := fmt.Sprintf("sections[%d]", si)
		switch {
		case s.ID == "":
			v.add(p+".id", "id is required")
		case sectionIDs[s.ID]:
			v.add(p+".id", "duplicate section id %q", s.ID)
		}
		sectionIDs[s.ID] = true
		if strings.TrimSpace(s.Title) == "" {
			v.add(p+".title", "title is required")
		}
		if len(s.Questions) == 0 {
			v.add(p+".questions", "a section needs at least one question")
		}
		for qi, q := range s.Questions {
			v.question(fmt.Sprintf("%s.questions[%d]", p, qi), q, pos)
			pos++
		}
	}
}

func (v *validator) question(p string, q Question, pos int) {
	switch {
	case q.ID == "":
		v.add(p+".id", "id is required")
	case !questionIDPattern.MatchString(q.ID):
		v.add(p+".id", "id %q must start with a-z or 0-9 and contain only a-z, 0-9, '_', '.' and '-'", q.ID)
	case v.positions[q.ID] != pos:
		first := v.where[v.positions[q.ID]]
		v.add(p+".id", "duplicate question id %q (first used at sections[%d].questions[%d])", q.ID, first[0], first[1])
	}
	if strings.TrimSpace(q.Text) == "" {
		v.add(p+".text", "text is required")
	}
	v.options(p, q)
	if q.Weight != 0 && (q.Weight < 1 || q.Weight > 5) {
		v.add(p+".weight", "weight must be between 1 and 5 (omitted means 1)")
	}
	v.controls(p, q)
	if q.ShowIf != nil {
		v.condition(p+".show_if", q.ShowIf, 1, q, pos)
	}
}

var allowedYesNo = map[QuestionType][]string{
	TypeYesNo:   {AnswerYes, AnswerNo},
	TypeYesNoNA: {AnswerYes, AnswerNo, AnswerNA},
}

func (v *validator) options(p string, q Question) {
	switch q.Type {
	case "":
		v.add(p+".type", "type is required")
		return
	case TypeYesNo, TypeYesNoNA:
		if len(q.Options) == 0 {
			return // the defaults apply
		}
	case TypeSingleChoice, TypeMultiChoice:
		if len(q.Options) < 2 {
			v.add(p+".options", "%s questions need at least two options", q.Type)
		}
	case TypeText, TypeLongText, TypeNumber, TypeDate, TypeFile:
		if len(q.Options) > 0 {
			v.add(p+".options", "options are not allowed on %s questions", q.Type)
		}
		return
	default:
		v.add(p+".type", "unknown type %q (use yes_no, yes_no_na, single_choice, multi_choice, text, long_text, number, date or file)", q.Type)
		return
	}
	allowed := allowedYesNo[q.Type]
	values, labels := map[string]bool{}, map[string]bool{}
	for oi, o := range q.Options {
		op := fmt.Sprintf("%s.options[%d]", p, oi)
		switch {
		case o.Value == "":
			v.add(op+".value", "value is required")
		case values[o.Value]:
			v.add(op+".value", "duplicate option value %q", o.Value)
		case allowed != nil && !slices.Contains(allowed, o.Value):
			v.add(op+".value", "%s options must be %s, not %q", q.Type, strings.Join(allowed, ", "), o.Value)
		}
		values[o.Value] = true
		switch {
		case strings.TrimSpace(o.Label) == "":
			v.add(op+".label", "label is required")
		case labels[o.Label]:
			v.add(op+".label", "duplicate option label %q", o.Label)
		}
		labels[o.Label] = true
		if o.Score != nil && (*o.Score < 0 || *o.Score > 100) {
			v.add(op+".score", "score must be between 0 and 100")
		}
	}
	for _, want := range allowed {
		if !values[want] {
			v.add(p+".options", "%s options must include %q", q.Type, want)
		}
	}
}

func (v *validator) controls(p string, q Question) {
	if len(q.Controls) == 0 {
		v.add(p+".controls", "at least one ISO/IEC 27001:2022 Annex A control is required")
	}
	for ci, id := range q.Controls {
		cp := fmt.Sprintf("%s.controls[%d]", p, ci)
		if _, ok := ControlByID(id); ok {
			if slices.Index(q.Controls, id) != ci {
				v.add(cp, "duplicate control %q", id)
			}
			continue
		}
		if next, ok := catalog.successor[id]; ok {
			v.add(cp, "%q is an ISO/IEC 27001:2013 control; use its 2022 successor %s", id, next)
		} else {
			v.add(cp, "unknown ISO/IEC 27001:2022 Annex A control %q", id)
		}
	}
}

// condition checks one node of a show_if tree. Conditions may refer only to
// earlier questions: visibility is then decided in one pass in reading order
// and cycles cannot arise.
func (v *validator) condition(p string, c *Condition, depth int, self Question, pos int) {
	if depth > MaxConditionDepth {
		v.add(p, "conditions nest more than %d levels deep", MaxConditionDepth)
		return
	}
	leaf := c.Question != ""
	forms := 0
	for _, present := range []bool{leaf, c.All != nil, c.Any != nil} {
		if present {
			forms++
		}
	}
	ops := 0
	for _, present := range []bool{c.Equals != nil, c.In != nil, c.Not != nil} {
		if present {
			ops++
		}
	}
	switch {
	case forms == 0 && ops == 0:
		v.add(p, "condition is empty: use question with equals, in or not; or all; or any")
	case forms == 0:
		v.add(p+".question", "question is required with equals, in or not")
	case forms > 1:
		v.add(p, "use exactly one of question, all and any")
	case !leaf && ops > 0:
		v.add(p, "equals, in and not belong with question, not with all or any")
	case leaf && ops == 0:
		v.add(p, "question needs one of equals, in or not")
	case leaf && ops > 1:
		v.add(p, "use only one of equals, in and not")
	}
	if leaf {
		v.leaf(p, c, self, pos)
	}
	for _, group := range []struct {
		name     string
		children []Condition
	}{{"all", c.All}, {"any", c.Any}} {
		name, children := group.name, group.children
		if children != nil && len(children) == 0 {
			v.add(p+"."+name, "%s needs at least one condition", name)
		}
		for i := range children {
			v.condition(fmt.Sprintf("%s.%s[%d]", p, name, i), &children[i], depth+1, self, pos)
		}
	}
}

func (v *validator) leaf(p string, c *Condition, self Question, pos int) {
	refPos, ok := v.positions[c.Question]
	switch {
	case c.Question == self.ID:
		v.add(p+".question", "condition refers to its own question %q, a cycle", c.Question)
		return
	case !ok:
		v.add(p+".question", "unknown question %q", c.Question)
		return
	case refPos > pos:
		v.add(p+".question", "question %q comes later; conditions may only refer to earlier questions", c.Question)
		return
	}
	ref := v.questions[refPos]
	if ref.Type == TypeFile {
		v.add(p+".question", "question %q is a file question, which has no answer to test", c.Question)
		return
	}
	if c.Equals != nil {
		v.value(p+".equals", ref, c.Equals)
	}
	if c.In != nil && len(c.In) == 0 {
		v.add(p+".in", "in needs at least one value")
	}
	for i, val := range c.In {
		v.value(fmt.Sprintf("%s.in[%d]", p, i), ref, val)
	}
	if c.Not != nil {
		v.value(p+".not", ref, c.Not)
	}
}

// value checks that a condition compares against something the referenced
// question can actually be answered with; otherwise the condition could
// never (or always) hold and the author would not notice.
func (v *validator) value(p string, ref Question, val any) {
	s, isString := val.(string)
	switch ref.Type {
	case TypeYesNo, TypeYesNoNA, TypeSingleChoice, TypeMultiChoice:
		if _, ok := ref.option(s); isString && ok {
			return
		}
		var values []string
		for _, o := range ref.EffectiveOptions() {
			values = append(values, strconv.Quote(o.Value))
		}
		hint := ""
		if _, ok := ref.option(fmt.Sprint(val)); !isString && ok {
			hint = fmt.Sprintf("; quote it: %q", fmt.Sprint(val))
		}
		v.add(p, "%s is not an option of question %q (options: %s)%s", describe(val), ref.ID, strings.Join(values, ", "), hint)
	case TypeText, TypeLongText:
		if !isString || s == "" {
			v.add(p, "question %q takes text; use a non-empty string, not %s", ref.ID, describe(val))
		}
	case TypeNumber:
		if f, ok := asFloat(val); !ok || math.IsNaN(f) || math.IsInf(f, 0) {
			v.add(p, "question %q takes a number, not %s", ref.ID, describe(val))
		}
	case TypeDate:
		if !isString || !validDate(s) {
			v.add(p, "question %q takes a date as YYYY-MM-DD, not %s", ref.ID, describe(val))
		}
	}
}

// describe shows a condition value with its kind, because YAML silently
// turns an unquoted 1 or true into a number or a boolean.
func describe(val any) string {
	switch val := val.(type) {
	case string:
		return strconv.Quote(val)
	case bool:
		return fmt.Sprintf("boolean %v", val)
	}
	if f, ok := asFloat(val); ok {
		return fmt.Sprintf("number %v", f)
	}
	return fmt.Sprintf("a %T", val)
}
