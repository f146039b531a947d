// Package library is the published questionnaire library: every version of
// every template that may be sent to a supplier. Published versions are
// immutable because assessments point at them; publishing an edit adds a
// version, and the built-in templates shipped in the binary are published at
// start whenever a release changes them.
package library

import (
	"context"
	"errors"
	"time"

	"github.com/assayhq/assay/questionnaires"
)

// Summary describes one published version without its questions, for lists.
type Summary struct {
	Key           string
	Version       int
	Title         string
	QuestionCount int
	Controls      []string // 2022 Annex A ids the questions cover, in the standard's order
	Builtin       bool     // published from the library shipped with Assay
	PublishedAt   time.Time
	PublishedBy   string // the staff email, or "assay" for the built-in library
	Fingerprint   string // questionnaires.Fingerprint of the content
}

// Published is one stored version: its summary and the template itself.
type Published struct {
	Summary
	Template *questionnaires.Template
}

// Summarize describes a template the way lists show it.
func Summarize(t *questionnaires.Template) Summary {
	return Summary{
		Key:           t.Key,
		Version:       t.Version,
		Title:         t.Title,
		QuestionCount: t.QuestionCount(),
		Controls:      t.ControlIDs(),
		Fingerprint:   questionnaires.Fingerprint(t),
	}
}

// Store keeps published versions. It never updates one: Insert is the only
// write, and (key, version) is unique so that two instances publishing at
// once cannot both take the same number.
type Store interface {
	// Insert adds a version; ErrVersionTaken when (key, version) exists.
	Insert(ctx context.Context, p *Published) error
	// Latest returns the highest version of key, only among built-in
	// versions when builtinOnly; nil when there is none.
	Latest(ctx context.Context, key string, builtinOnly bool) (*Published, error)
	// Get returns one version; nil when there is none.
	Get(ctx context.Context, key string, version int) (*Published, error)
	// Versions lists the versions of key, newest first.
	Versions(ctx context.Context, key string) ([]Summary, error)
	// List returns the latest version of every key, by key.
	List(ctx context.Context) ([]Summary, error)
}

// ErrVersionTaken is returned by Store.Insert when another publish took the
// version number first.
var ErrVersionTaken = errors.New("template version already published")
