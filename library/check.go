package library

import (
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/questionnaires"
)

// Problem is one reason a template cannot be published, located both by the
// validator's path and, when the source is known, by its line.
type Problem struct {
	Path    string // "sections[2].questions[4].show_if.question"; "" for a file that cannot be read
	Line    int    // 1-based line in the submitted file; 0 when unknown
	Message string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Line > 0 {
		fmt.Fprintf(&b, "line %d: ", p.Line)
	}
	if p.Path != "" {
		b.WriteString(p.Path + ": ")
	}
	b.WriteString(p.Message)
	return b.String()
}

// InvalidError is a template that cannot be published, with every problem.
// It unwraps to an apperr.Validation, so the API answers 422 with one field
// per problem, while pages that show the source can still read the lines.
type InvalidError struct{ Problems []Problem }

func (e *InvalidError) Error() string {
	msgs := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		msgs[i] = p.String()
	}
	return e.summary() + ": " + strings.Join(msgs, "; ")
}

func (e *InvalidError) summary() string {
	if len(e.Problems) == 1 {
		return "the template has 1 problem; nothing was published"
	}
	return fmt.Sprintf("the template has %d problems; nothing was published", len(e.Problems))
}

// Unwrap gives the 422 form: path and message, the line leading the message.
func (e *InvalidError) Unwrap() error {
	fields := make([]apperr.FieldError, len(e.Problems))
	for i, p := range e.Problems {
		msg := p.Message
		if p.Line > 0 {
			msg = fmt.Sprintf("line %d: %s", p.Line, msg)
		}
		fields[i] = apperr.FieldError{Path: p.Path, Message: msg}
	}
	return apperr.Invalid(e.summary(), fields...)
}

// ReservedKeys cannot be template keys: they are pages under
// /app/templates/.
var ReservedKeys = []string{"new"}

// Check reads a template file in format ("yaml", "json", or "" to detect)
// and checks every rule a published template must meet. It returns the
// template when there are no problems, and needs no database, so the command
// line can validate files before anyone uploads them.
func Check(data []byte, format string) (*questionnaires.Template, []Problem) {
	t, err := questionnaires.Parse(data, format)
	var problems []Problem
	if err != nil {
		problems = parseProblems(err)
	} else if problems = validate(t); len(problems) == 0 {
		return t, nil
	}
	lines := newSourceLines(data)
	for i := range problems {
		if problems[i].Line == 0 {
			problems[i].Line = lines.line(problems[i].Path)
		}
	}
	return nil, problems
}

// validate applies questionnaires.Validate and the library's own rules.
func validate(t *questionnaires.Template) []Problem {
	var problems []Problem
	for _, fe := range questionnaires.Validate(t) {
		problems = append(problems, Problem{Path: fe.Path, Message: fe.Message})
	}
	for _, k := range ReservedKeys {
		if t.Key == k {
			problems = append(problems, Problem{Path: "key", Message: fmt.Sprintf("key %q is reserved; choose another", k)})
		}
	}
	return problems
}

var (
	linePrefix = regexp.MustCompile(`^line (\d+): `)
	pathPrefix = regexp.MustCompile(`^(sections\[[^ ]*): (.*)$`)
)

// parseProblems splits a loader error into one problem per line it names:
// the YAML decoder reports every type error at once, joined with "; ".
func parseProblems(err error) []Problem {
	var pe *questionnaires.ParseError
	if !errors.As(err, &pe) {
		return []Problem{{Message: err.Error()}}
	}
	if m := pathPrefix.FindStringSubmatch(pe.Message); m != nil {
		// A condition value no answer could equal: the loader names its path.
		return []Problem{{Path: m[1], Message: m[2]}}
	}
	parts := strings.Split(pe.Message, "; ")
	for _, part := range parts {
		if !linePrefix.MatchString(part) {
			// Not a list of located errors: keep the message whole.
			return []Problem{{Line: pe.Line, Message: strings.TrimPrefix(pe.Message, linePrefix.FindString(pe.Message))}}
		}
	}
	problems := make([]Problem, len(parts))
	for i, part := range parts {
		m := linePrefix.FindStringSubmatch(part)
		line, _ := strconv.Atoi(m[1])
		problems[i] = Problem{Line: line, Message: strings.TrimPrefix(part, m[0])}
	}
	return problems
}
