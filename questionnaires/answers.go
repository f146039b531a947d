package questionnaires

import (
	"encoding/json"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Limits on free-text answers, in characters: generous for real answers but
// small enough that one assessment cannot grow without bound.
const (
	MaxTextLen     = 2000
	MaxLongTextLen = 20000
)

// DateLayout is the only accepted date format: ISO 8601 calendar dates sort
// and compare as strings and read the same in every locale.
const DateLayout = "2006-01-02"

// AnswerError reports an answer value a question does not accept. Message is
// written for the supplier and meant to be shown beside the field.
type AnswerError struct {
	QuestionID string
	Message    string
}

func (e *AnswerError) Error() string {
	return "question " + e.QuestionID + ": " + e.Message
}

// ValidateAnswer checks a value sent for q (as decoded from JSON) and returns
// its normalized form for Answers: string for yes/no, single choice, text and
// dates; []string for multi_choice (deduplicated, in option order); float64
// for numbers. An empty value (nil, "", an empty list) clears the answer and
// yields (nil, nil). File questions are answered by uploading evidence, so
// any value for them is an error.
func ValidateAnswer(q Question, raw any) (any, error) {
	if isEmptyAnswer(raw) {
		return nil, nil
	}
	v, msg := normalizeAnswer(q, raw)
	if msg != "" {
		return nil, &AnswerError{QuestionID: q.ID, Message: msg}
	}
	return v, nil
}

// FromForm validates the values an HTML form posted for q. Only multi_choice
// takes several values (one per ticked box); browsers send text with CRLF
// line breaks, which are stored as LF so length limits count what was typed.
func FromForm(q Question, values []string) (any, error) {
	if q.Type == TypeMultiChoice {
		return ValidateAnswer(q, values)
	}
	switch len(values) {
	case 0:
		return nil, nil
	case 1:
		return ValidateAnswer(q, strings.ReplaceAll(values[0], "\r\n", "\n"))
	}
	return nil, &AnswerError{QuestionID: q.ID, Message: "Give a single answer."}
}

// isEmptyAnswer reports whether v means "no answer": both the API and the
// visibility rules treat nil, blank strings and empty lists alike.
func isEmptyAnswer(v any) bool {
	switch v := v.(type) {
	case nil:
		return true
	case string:
		return strings.TrimSpace(v) == ""
	case []string:
		return len(v) == 0
	case []any:
		return len(v) == 0
	}
	return false
}

// normalizeAnswer returns the stored form of a non-empty raw value, or a
// message for the supplier saying what the question expects.
func normalizeAnswer(q Question, raw any) (any, string) {
	switch q.Type {
	case TypeYesNo, TypeYesNoNA, TypeSingleChoice:
		if s, ok := raw.(string); ok {
			if _, ok := q.option(strings.TrimSpace(s)); ok {
				return strings.TrimSpace(s), ""
			}
		}
		return nil, "Choose one of: " + optionLabels(q) + "."
	case TypeMultiChoice:
		return normalizeChoices(q, raw)
	case TypeText, TypeLongText:
		s, ok := raw.(string)
		if !ok {
			return nil, "Enter text."
		}
		if !utf8.ValidString(s) {
			return nil, "The text contains invalid characters."
		}
		limit := MaxTextLen
		if q.Type == TypeLongText {
			limit = MaxLongTextLen
		}
		if n := utf8.RuneCountInString(s); n > limit {
			return nil, fmt.Sprintf("Enter at most %s characters (this is %s).", thousands(limit), thousands(n))
		}
		return s, ""
	case TypeNumber:
		if f, ok := parseNumber(raw); ok {
			return f, ""
		}
		return nil, "Enter a number."
	case TypeDate:
		if s, ok := raw.(string); ok && validDate(strings.TrimSpace(s)) {
			return strings.TrimSpace(s), ""
		}
		return nil, "Enter a date as YYYY-MM-DD."
	case TypeFile:
		return nil, "Upload evidence files to answer this question."
	}
	return nil, "This question cannot be answered."
}

// normalizeChoices accepts the list shapes JSON and forms produce and stores
// the choices in option order, so equal selections compare equal however
// they were clicked.
func normalizeChoices(q Question, raw any) (any, string) {
	var picked []string
	switch raw := raw.(type) {
	case []string:
		picked = raw
	case []any:
		for _, v := range raw {
			s, ok := v.(string)
			if !ok {
				return nil, "Choose from: " + optionLabels(q) + "."
			}
			picked = append(picked, s)
		}
	default:
		return nil, "Choose from: " + optionLabels(q) + "."
	}
	chosen := map[string]bool{}
	for _, s := range picked {
		s = strings.TrimSpace(s)
		if s == "" {
			continue
		}
		if _, ok := q.option(s); !ok {
			return nil, "Choose from: " + optionLabels(q) + "."
		}
		chosen[s] = true
	}
	if len(chosen) == 0 {
		return nil, ""
	}
	out := make([]string, 0, len(chosen))
	for _, o := range q.EffectiveOptions() {
		if chosen[o.Value] {
			out = append(out, o.Value)
		}
	}
	return out, ""
}

// parseNumber accepts a JSON number or, for HTML forms, a numeric string.
// NaN and infinities are refused: they cannot be stored as JSON or scored.
func parseNumber(raw any) (float64, bool) {
	f, ok := asFloat(raw)
	if !ok {
		var s string
		switch raw := raw.(type) {
		case string:
			s = raw
		case json.Number:
			s = string(raw)
		default:
			return 0, false
		}
		var err error
		if f, err = strconv.ParseFloat(strings.TrimSpace(s), 64); err != nil {
			return 0, false
		}
	}
	return f, !math.IsNaN(f) && !math.IsInf(f, 0)
}

// asFloat converts any Go numeric value to float64, so that numbers compare
// equal whether they came from JSON (float64), YAML (int) or Go code.
func asFloat(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int8:
		return float64(v), true
	case int16:
		return float64(v), true
	case int32:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint:
		return float64(v), true
	case uint8:
		return float64(v), true
	case uint16:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint64:
		return float64(v), true
	}
	return 0, false
}

func validDate(s string) bool {
	_, err := time.Parse(DateLayout, s)
	return err == nil && len(s) == len(DateLayout)
}

func optionLabels(q Question) string {
	var labels []string
	for _, o := range q.EffectiveOptions() {
		labels = append(labels, o.Label)
	}
	return strings.Join(labels, ", ")
}

// thousands formats n with comma separators, as the limits are shown to
// suppliers.
func thousands(n int) string {
	s := strconv.Itoa(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
