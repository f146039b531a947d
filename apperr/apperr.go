// Package apperr holds the error kinds the domain returns and the HTTP layer
// maps to status codes in one place. Domain code wraps them with %w and a
// message meant for the person who caused the error.
package apperr

import (
	"errors"
	"fmt"
	"strings"
)

// Kinds of failure. Wrap them: fmt.Errorf("vendor %s: %w", id, apperr.ErrNotFound).
var (
	ErrBadRequest       = errors.New("bad request")
	ErrUnauthorized     = errors.New("not signed in")
	ErrForbidden        = errors.New("not allowed")
	ErrNotFound         = errors.New("not found")
	ErrConflict         = errors.New("conflict")
	ErrGone             = errors.New("expired")
	ErrTooLarge         = errors.New("too large")
	ErrUnsupportedMedia = errors.New("unsupported media type")
	ErrRateLimited      = errors.New("too many requests")
	ErrUnavailable      = errors.New("temporarily unavailable")
)

// FieldError names one invalid input by its path (a JSON path, a form field
// or a template path such as sections[2].questions[4].show_if.question).
type FieldError struct {
	Path    string `json:"path"`
	Message string `json:"message"`
}

// Validation is a rule broken by well-formed input: HTTP 422, with one entry
// per problem so a form can show each beside its field.
type Validation struct {
	Message string
	Fields  []FieldError
}

func (v *Validation) Error() string {
	if len(v.Fields) == 0 {
		return v.Message
	}
	parts := make([]string, len(v.Fields))
	for i, f := range v.Fields {
		parts[i] = f.Path + ": " + f.Message
	}
	return v.Message + ": " + strings.Join(parts, "; ")
}

// Invalid builds a Validation error.
func Invalid(message string, fields ...FieldError) error {
	return &Validation{Message: message, Fields: fields}
}

// Field is a shorthand for a one-field Validation error.
func Field(path, message string) error {
	return &Validation{Message: message, Fields: []FieldError{{Path: path, Message: message}}}
}

// Fields returns the field errors of err, if it is a Validation.
func Fields(err error) []FieldError {
	var v *Validation
	if errors.As(err, &v) {
		return v.Fields
	}
	return nil
}

// kindError carries a message for people and the kind for the status code.
type kindError struct {
	kind error
	msg  string
}

func (e *kindError) Error() string { return e.msg }
func (e *kindError) Unwrap() error { return e.kind }

// Wrapf returns an error of kind whose message is only the formatted text,
// for messages shown to users as they are.
func Wrapf(kind error, format string, args ...any) error {
	return &kindError{kind: kind, msg: fmt.Sprintf(format, args...)}
}
