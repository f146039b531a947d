package questionnaires

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
)

// NextVersion decides what publishing an edit of a template yields. Published
// versions are immutable because assessments point at them, so an edit with
// any change to the content (anything but Version) becomes a new version,
// published.Version+1, returned as a copy with true. An edit that changes
// nothing returns published itself and false, so saving twice does not bump
// the version. With no published version the edit becomes version 1.
func NextVersion(published *Template, edited *Template) (*Template, bool) {
	next := Clone(edited)
	if published == nil {
		next.Version = 1
		return next, true
	}
	if fp := Fingerprint(published); fp != "" && fp == Fingerprint(edited) {
		return published, false
	}
	next.Version = published.Version + 1
	return next, true
}

// Fingerprint returns a SHA-256 of the template's content without its
// version, so that a built-in template can be compared with the version last
// published from it. Templates that decode from YAML and JSON to the same
// content have the same fingerprint. It returns "" for a template JSON cannot
// encode (a condition holding NaN, which Validate rejects); NextVersion
// treats that as changed.
func Fingerprint(t *Template) string {
	c := *t
	c.Version = 0
	b, err := json.Marshal(c)
	if err != nil {
		return ""
	}
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

// Clone returns a deep copy of t, for snapshots that must not change when
// the original is edited. Condition values are scalars and shared.
func Clone(t *Template) *Template {
	if t == nil {
		return nil
	}
	c := *t
	c.Sections = slices.Clone(t.Sections)
	for si := range c.Sections {
		s := &c.Sections[si]
		s.Questions = slices.Clone(s.Questions)
		for qi := range s.Questions {
			q := &s.Questions[qi]
			q.Options = slices.Clone(q.Options)
			for oi := range q.Options {
				if o := &q.Options[oi]; o.Score != nil {
					score := *o.Score
					o.Score = &score
				}
			}
			q.Controls = slices.Clone(q.Controls)
			if q.Evidence != nil {
				ev := *q.Evidence
				q.Evidence = &ev
			}
			q.ShowIf = cloneCondition(q.ShowIf)
		}
	}
	return &c
}

func cloneCondition(c *Condition) *Condition {
	if c == nil {
		return nil
	}
	d := *c
	d.In = slices.Clone(c.In)
	d.All = cloneConditions(c.All)
	d.Any = cloneConditions(c.Any)
	return &d
}

func cloneConditions(cs []Condition) []Condition {
	if cs == nil {
		return nil
	}
	out := make([]Condition, len(cs))
	for i := range cs {
		out[i] = *cloneCondition(&cs[i])
	}
	return out
}
