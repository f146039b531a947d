package questionnaires

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"
	"time"

	"gopkg.in/yaml.v3"
)

// Template file formats accepted by Parse.
const (
	FormatYAML = "yaml"
	FormatJSON = "json"
)

// ParseError reports a template file that cannot be read, before any rule
// of Validate is checked.
type ParseError struct {
	Format  string // FormatYAML or FormatJSON
	Line    int    // first line at fault, 1-based; 0 when unknown
	Message string // every problem found, each prefixed with its line
}

func (e *ParseError) Error() string {
	return e.Format + " template: " + e.Message
}

// Parse reads a template from YAML or JSON. An empty format detects JSON by
// a leading '{' and reads anything else as YAML. Unknown fields are errors,
// not ignored, so that a typo such as "show_iff" cannot silently drop a
// rule. Parse does not check the template's rules: call Validate.
func Parse(data []byte, format string) (*Template, error) {
	data = bytes.TrimPrefix(data, []byte("\uFEFF"))
	switch strings.ToLower(format) {
	case "":
		format = FormatYAML
		if bytes.HasPrefix(bytes.TrimSpace(data), []byte("{")) {
			format = FormatJSON
		}
	case "yaml", "yml":
		format = FormatYAML
	case "json":
		format = FormatJSON
	default:
		return nil, fmt.Errorf("unknown template format %q: use yaml or json", format)
	}
	var t Template
	var err error
	if format == FormatJSON {
		err = decodeJSON(data, &t)
	} else {
		err = decodeYAML(data, &t)
	}
	if err != nil {
		return nil, err
	}
	if err := normalizeTemplate(&t); err != nil {
		return nil, &ParseError{Format: format, Message: err.Error()}
	}
	return &t, nil
}

// MarshalYAML renders a template as YAML for download; Parse reads the
// result back to an equal template.
func MarshalYAML(t *Template) ([]byte, error) {
	var buf bytes.Buffer
	enc := yaml.NewEncoder(&buf)
	enc.SetIndent(2)
	if err := enc.Encode(t); err != nil {
		return nil, err
	}
	if err := enc.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// yamlTypeNames turns the Go type names in yaml.v3 messages into the words a
// template author uses.
var yamlTypeNames = strings.NewReplacer(
	"questionnaires.Template", "template",
	"questionnaires.Section", "section",
	"questionnaires.Question", "question",
	"questionnaires.QuestionType", "question type",
	"questionnaires.Option", "option",
	"questionnaires.EvidenceSpec", "evidence",
	"questionnaires.Condition", "show_if condition",
)

var yamlLine = regexp.MustCompile(`^line (\d+):`)

func decodeYAML(data []byte, t *Template) error {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	err := dec.Decode(t)
	if errors.Is(err, io.EOF) {
		return &ParseError{Format: FormatYAML, Message: "the file is empty"}
	}
	if err == nil {
		var next yaml.Node
		if err := dec.Decode(&next); !errors.Is(err, io.EOF) {
			return &ParseError{Format: FormatYAML, Line: next.Line, Message: fmt.Sprintf("line %d: a file holds exactly one template; remove the extra document", next.Line)}
		}
		// yaml.v3 truncates 2.5 to 2 when decoding into an int, so look for
		// fractional numbers where the model expects whole ones.
		var root yaml.Node
		if yaml.Unmarshal(data, &root) == nil {
			err = checkWholeNumbers(&root)
		}
	}
	if err == nil {
		return nil
	}
	var msgs []string
	var typeErr *yaml.TypeError
	if errors.As(err, &typeErr) {
		msgs = typeErr.Errors
	} else {
		msgs = []string{strings.TrimPrefix(err.Error(), "yaml: ")}
	}
	pe := &ParseError{Format: FormatYAML}
	for i, m := range msgs {
		msgs[i] = yamlTypeNames.Replace(m)
		if sub := yamlLine.FindStringSubmatch(m); sub != nil && pe.Line == 0 {
			pe.Line, _ = strconv.Atoi(sub[1])
		}
	}
	pe.Message = strings.Join(msgs, "; ")
	return pe
}

// wholeNumberFields are the model's int fields; no other key of a template
// can hold a number except inside a show_if value.
var wholeNumberFields = map[string]bool{"version": true, "weight": true, "score": true}

func checkWholeNumbers(n *yaml.Node) error {
	if n.Kind == yaml.MappingNode {
		for i := 0; i+1 < len(n.Content); i += 2 {
			key, val := n.Content[i], n.Content[i+1]
			if wholeNumberFields[key.Value] && val.Kind == yaml.ScalarNode && val.ShortTag() == "!!float" {
				return fmt.Errorf("line %d: %s must be a whole number, not %s", val.Line, key.Value, val.Value)
			}
		}
	}
	for _, c := range n.Content {
		if err := checkWholeNumbers(c); err != nil {
			return err
		}
	}
	return nil
}

func decodeJSON(data []byte, t *Template) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(t)
	if err == nil {
		if _, extra := dec.Token(); !errors.Is(extra, io.EOF) {
			err = errors.New("unexpected data after the template")
		}
	}
	if err == nil {
		return nil
	}
	offset := dec.InputOffset()
	msg := strings.TrimPrefix(err.Error(), "json: ")
	var syntaxErr *json.SyntaxError
	var typeErr *json.UnmarshalTypeError
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		offset, msg = int64(len(data)), "the file ends before the template does"
	case errors.As(err, &syntaxErr):
		offset = syntaxErr.Offset
	case errors.As(err, &typeErr):
		offset = typeErr.Offset
		msg = fmt.Sprintf("%s must be %s, not a JSON %s", typeErr.Field, jsonKind(typeErr.Type), typeErr.Value)
	}
	line := 1 + bytes.Count(data[:min(max(offset, 0), int64(len(data)))], []byte("\n"))
	if field, ok := strings.CutPrefix(msg, "unknown field "); ok {
		if n := unknownFieldLine(data, strings.Trim(field, `"`)); n > 0 {
			line = n
		}
	}
	return &ParseError{Format: FormatJSON, Line: line, Message: fmt.Sprintf("line %d: %s", line, msg)}
}

// unknownFieldLine finds where an unknown field is: encoding/json only says
// which, and its offset is the end of the whole template. JSON is YAML, and
// yaml.v3 reports lines.
func unknownFieldLine(data []byte, field string) int {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	var typeErr *yaml.TypeError
	if errors.As(dec.Decode(new(Template)), &typeErr) {
		for _, m := range typeErr.Errors {
			if sub := yamlLine.FindStringSubmatch(m); sub != nil && strings.Contains(m, "field "+field+" not found") {
				n, _ := strconv.Atoi(sub[1])
				return n
			}
		}
	}
	return 0
}

func jsonKind(t reflect.Type) string {
	switch t.Kind() {
	case reflect.Int:
		return "a whole number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice:
		return "a list"
	}
	return "an object"
}

// normalizeTemplate brings what YAML and JSON decode differently to one form,
// so that a template compares, fingerprints and evaluates the same whichever
// format it came from: numbers in conditions become float64 (YAML gives int),
// YAML dates become "YYYY-MM-DD" strings, and empty lists become nil (an
// encoder omits or keeps them depending on the field). It rejects a
// condition value that no answer could ever equal.
func normalizeTemplate(t *Template) error {
	if len(t.Sections) == 0 {
		t.Sections = nil
	}
	for si := range t.Sections {
		s := &t.Sections[si]
		if len(s.Questions) == 0 {
			s.Questions = nil
		}
		for qi := range s.Questions {
			q := &s.Questions[qi]
			if len(q.Options) == 0 {
				q.Options = nil
			}
			if len(q.Controls) == 0 {
				q.Controls = nil
			}
			if q.ShowIf != nil {
				if err := normalizeCondition(q.ShowIf, fmt.Sprintf("sections[%d].questions[%d].show_if", si, qi)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

func normalizeCondition(c *Condition, path string) error {
	var err error
	if c.Equals, err = normalizeValue(c.Equals, path+".equals"); err != nil {
		return err
	}
	if c.Not, err = normalizeValue(c.Not, path+".not"); err != nil {
		return err
	}
	if len(c.In) == 0 {
		c.In = nil
	}
	for i := range c.In {
		if c.In[i], err = normalizeValue(c.In[i], fmt.Sprintf("%s.in[%d]", path, i)); err != nil {
			return err
		}
	}
	for _, group := range []struct {
		name string
		list *[]Condition
	}{{"all", &c.All}, {"any", &c.Any}} {
		if len(*group.list) == 0 {
			*group.list = nil
		}
		for i := range *group.list {
			if err := normalizeCondition(&(*group.list)[i], fmt.Sprintf("%s.%s[%d]", path, group.name, i)); err != nil {
				return err
			}
		}
	}
	return nil
}

func normalizeValue(v any, path string) (any, error) {
	switch v := v.(type) {
	case nil, string, bool:
		return v, nil
	case time.Time:
		if v.Equal(v.Truncate(24*time.Hour)) && v.Location() == time.UTC {
			return v.Format(DateLayout), nil
		}
		return v.Format(time.RFC3339Nano), nil
	}
	if f, ok := asFloat(v); ok {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return nil, errors.New(path + ": a number in a condition must be finite")
		}
		return f, nil
	}
	return nil, errors.New(path + ": a condition value must be a single string, number or boolean")
}
