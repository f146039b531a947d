package library

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/audit"
	"github.com/assayhq/assay/questionnaires"
)

// Deps is what the service needs.
type Deps struct {
	Store Store
	Audit audit.Recorder
	Log   *slog.Logger
	Now   func() time.Time
}

// Service publishes templates and serves the published versions. It
// satisfies the TemplateSource of the assessments and vendors packages.
type Service struct{ d Deps }

// New returns the library service.
func New(d Deps) *Service {
	if d.Now == nil {
		d.Now = time.Now
	}
	if d.Log == nil {
		d.Log = slog.Default()
	}
	return &Service{d: d}
}

// Upload publishes a template file sent by staff, in format ("yaml",
// "json", or "" to detect). A file with problems returns an *InvalidError
// listing each with its line, and publishes nothing.
func (s *Service) Upload(ctx context.Context, actor audit.Actor, data []byte, format string) (*questionnaires.Template, bool, error) {
	t, problems := Check(data, format)
	if len(problems) > 0 {
		return nil, false, &InvalidError{Problems: problems}
	}
	return s.publish(ctx, actor, t, false)
}

// Publish publishes t as the next version of its key; the version t carries
// is ignored. An unchanged template publishes nothing and returns the
// latest version with false. An invalid one returns an *InvalidError.
func (s *Service) Publish(ctx context.Context, actor audit.Actor, t *questionnaires.Template) (*questionnaires.Template, bool, error) {
	if problems := validate(t); len(problems) > 0 {
		return nil, false, &InvalidError{Problems: problems}
	}
	return s.publish(ctx, actor, t, false)
}

func (s *Service) publish(ctx context.Context, actor audit.Actor, t *questionnaires.Template, builtin bool) (*questionnaires.Template, bool, error) {
	// Two instances may publish the same key at once: the store's unique
	// (key, version) lets one win, and the other decides again against the
	// winner's version, which turns an identical upload into a no-op.
	for attempt := 0; ; attempt++ {
		latest, err := s.d.Store.Latest(ctx, t.Key, false)
		if err != nil {
			return nil, false, err
		}
		var prev *questionnaires.Template
		if latest != nil {
			prev = latest.Template
		}
		next, changed := questionnaires.NextVersion(prev, t)
		if !changed {
			return next, false, nil
		}
		p := &Published{Summary: Summarize(next), Template: next}
		p.Builtin = builtin
		p.PublishedAt = s.d.Now().UTC().Truncate(time.Millisecond)
		p.PublishedBy = actorName(actor)
		err = s.d.Store.Insert(ctx, p)
		if errors.Is(err, ErrVersionTaken) && attempt == 0 {
			continue
		}
		if errors.Is(err, ErrVersionTaken) {
			return nil, false, apperr.Wrapf(apperr.ErrConflict, "other versions of %q were published at the same moment; please upload again", t.Key)
		}
		if err != nil {
			return nil, false, err
		}
		s.record(ctx, actor, prev, p)
		return next, true, nil
	}
}

// SyncBuiltins publishes each template of the built-in library whose
// content differs from the last version published from it, so a release
// that edits a built-in template offers the edit to new assessments while
// those already sent keep theirs. It returns the versions it published.
func (s *Service) SyncBuiltins(ctx context.Context) ([]Summary, error) {
	builtins, err := questionnaires.Library()
	if err != nil {
		return nil, err
	}
	return s.PublishBuiltins(ctx, builtins)
}

// PublishBuiltins is SyncBuiltins over the given templates. A built-in
// template is compared with the latest built-in version, not with a staff
// upload of the same key: an admin's own version stays the latest until a
// release changes the built-in one.
func (s *Service) PublishBuiltins(ctx context.Context, builtins []*questionnaires.Template) ([]Summary, error) {
	var out []Summary
	for _, b := range builtins {
		if problems := validate(b); len(problems) > 0 {
			return out, fmt.Errorf("built-in template %s: %w", b.Key, &InvalidError{Problems: problems})
		}
		last, err := s.d.Store.Latest(ctx, b.Key, true)
		if err != nil {
			return out, err
		}
		if last != nil && last.Fingerprint == questionnaires.Fingerprint(b) {
			continue
		}
		t, created, err := s.publish(ctx, audit.System, b, true)
		if err != nil {
			return out, fmt.Errorf("publishing built-in template %s: %w", b.Key, err)
		}
		if created {
			sum := Summarize(t)
			sum.Builtin = true
			out = append(out, sum)
		}
	}
	return out, nil
}

// Latest returns the latest published version of key, a copy the caller
// may keep as an assessment's snapshot.
func (s *Service) Latest(ctx context.Context, key string) (*questionnaires.Template, error) {
	p, err := s.d.Store.Latest(ctx, key, false)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, apperr.Wrapf(apperr.ErrNotFound, "there is no questionnaire template %q", key)
	}
	return p.Template, nil
}

// Get returns one published version with its summary.
func (s *Service) Get(ctx context.Context, key string, version int) (*Published, error) {
	p, err := s.d.Store.Get(ctx, key, version)
	if err != nil {
		return nil, err
	}
	if p == nil {
		return nil, apperr.Wrapf(apperr.ErrNotFound, "there is no version %d of the questionnaire template %q", version, key)
	}
	return p, nil
}

// Versions lists the published versions of key, newest first.
func (s *Service) Versions(ctx context.Context, key string) ([]Summary, error) {
	vs, err := s.d.Store.Versions(ctx, key)
	if err != nil {
		return nil, err
	}
	if len(vs) == 0 {
		return nil, apperr.Wrapf(apperr.ErrNotFound, "there is no questionnaire template %q", key)
	}
	return vs, nil
}

// List returns the latest version of every template, by key.
func (s *Service) List(ctx context.Context) ([]Summary, error) {
	return s.d.Store.List(ctx)
}

// record appends the publication to the audit trail. A failed audit write
// is logged, not returned: the version is already published and immutable,
// and reporting failure would make the author publish it again.
func (s *Service) record(ctx context.Context, actor audit.Actor, prev *questionnaires.Template, p *Published) {
	fp := p.Fingerprint
	if len(fp) > 12 {
		fp = fp[:12]
	}
	e := audit.Entry{
		At: p.PublishedAt, Actor: actor, Action: "template.publish", ObjectType: "template", ObjectID: p.Key,
		After: map[string]any{
			"version": p.Version, "title": p.Title, "questions": p.QuestionCount,
			"builtin": p.Builtin, "fingerprint": fp,
		},
	}
	if prev != nil {
		e.Before = map[string]any{"version": prev.Version, "title": prev.Title, "questions": prev.QuestionCount()}
	}
	if p.Builtin {
		e.Note = "built-in library"
	}
	if err := s.d.Audit.Record(ctx, e); err != nil {
		s.d.Log.Error("audit", "action", e.Action, "template", p.Key, "version", p.Version, "err", err)
	}
}

// actorName is who the template list shows as publisher.
func actorName(a audit.Actor) string {
	if a.Email != "" {
		return a.Email
	}
	return a.ID
}
