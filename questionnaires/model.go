// Package questionnaires holds the questionnaire template model, its loader and
// validator, the visibility rules for conditional questions, the ISO/IEC 27001
// Annex A catalogue and the built-in template library. It is plain Go: no HTTP,
// no database.
package questionnaires

// QuestionType is the kind of input a question takes; it decides which answer
// values are valid and whether option scores apply.
type QuestionType string

const (
	TypeYesNo        QuestionType = "yes_no"
	TypeYesNoNA      QuestionType = "yes_no_na"
	TypeSingleChoice QuestionType = "single_choice"
	TypeMultiChoice  QuestionType = "multi_choice"
	TypeText         QuestionType = "text"
	TypeLongText     QuestionType = "long_text"
	TypeNumber       QuestionType = "number"
	TypeDate         QuestionType = "date"
	TypeFile         QuestionType = "file"
)

// Template is one published version of a questionnaire. Once published it is
// never changed: an edit publishes Version+1, and every assessment keeps a
// snapshot of the exact version it was sent with.
type Template struct {
	Key         string    `json:"key" yaml:"key" bson:"key"`
	Version     int       `json:"version" yaml:"version" bson:"version"`
	Title       string    `json:"title" yaml:"title" bson:"title"`
	Description string    `json:"description,omitempty" yaml:"description,omitempty" bson:"description,omitempty"`
	Sections    []Section `json:"sections" yaml:"sections" bson:"sections"`
}

// Section groups questions on one page of the supplier portal.
type Section struct {
	ID          string     `json:"id" yaml:"id" bson:"id"`
	Title       string     `json:"title" yaml:"title" bson:"title"`
	Description string     `json:"description,omitempty" yaml:"description,omitempty" bson:"description,omitempty"`
	Questions   []Question `json:"questions" yaml:"questions" bson:"questions"`
}

// Question is one item a supplier answers. Controls are ISO/IEC 27001:2022
// Annex A ids ("A.5.19"); the 2013 view is derived through the catalogue's
// mapping, never stored on the question.
type Question struct {
	ID       string        `json:"id" yaml:"id" bson:"id"`
	Text     string        `json:"text" yaml:"text" bson:"text"`
	Help     string        `json:"help,omitempty" yaml:"help,omitempty" bson:"help,omitempty"`
	Type     QuestionType  `json:"type" yaml:"type" bson:"type"`
	Options  []Option      `json:"options,omitempty" yaml:"options,omitempty" bson:"options,omitempty"`
	Required bool          `json:"required,omitempty" yaml:"required,omitempty" bson:"required,omitempty"`
	Weight   int           `json:"weight,omitempty" yaml:"weight,omitempty" bson:"weight,omitempty"`
	Controls []string      `json:"controls,omitempty" yaml:"controls,omitempty" bson:"controls,omitempty"`
	Evidence *EvidenceSpec `json:"evidence,omitempty" yaml:"evidence,omitempty" bson:"evidence,omitempty"`
	ShowIf   *Condition    `json:"show_if,omitempty" yaml:"show_if,omitempty" bson:"show_if,omitempty"`
}

// Option is one choice of a yes/no or choice question. Score is 0–100; nil
// means the option is not scored (for example "not applicable").
type Option struct {
	Value string `json:"value" yaml:"value" bson:"value"`
	Label string `json:"label" yaml:"label" bson:"label"`
	Score *int   `json:"score,omitempty" yaml:"score,omitempty" bson:"score,omitempty"`
}

// EvidenceSpec asks the supplier for files backing an answer.
type EvidenceSpec struct {
	Required bool   `json:"required,omitempty" yaml:"required,omitempty" bson:"required,omitempty"`
	Hint     string `json:"hint,omitempty" yaml:"hint,omitempty" bson:"hint,omitempty"`
}

// Condition decides whether a question is shown. Exactly one form is used:
// a leaf on an earlier question ({question, equals | in | not}) or a
// composition (all / any) of further conditions.
type Condition struct {
	Question string      `json:"question,omitempty" yaml:"question,omitempty" bson:"question,omitempty"`
	Equals   any         `json:"equals,omitempty" yaml:"equals,omitempty" bson:"equals,omitempty"`
	In       []any       `json:"in,omitempty" yaml:"in,omitempty" bson:"in,omitempty"`
	Not      any         `json:"not,omitempty" yaml:"not,omitempty" bson:"not,omitempty"`
	All      []Condition `json:"all,omitempty" yaml:"all,omitempty" bson:"all,omitempty"`
	Any      []Condition `json:"any,omitempty" yaml:"any,omitempty" bson:"any,omitempty"`
}

// Answers maps question id to a normalized answer value: string for yes/no,
// choices, text and dates ("YYYY-MM-DD"); []string for multi_choice; float64
// for number. File questions are answered by evidence, not by a value.
type Answers map[string]any
