package questionnaires

import (
	"math"
	"reflect"
	"testing"
)

func TestNextVersion(t *testing.T) {
	published := sampleTemplate(t)
	published.Version = 3

	tests := []struct {
		name        string
		edit        func(t *Template)
		wantChanged bool
	}{
		{"no change", func(*Template) {}, false},
		{"only the version differs", func(t *Template) { t.Version = 9 }, false},
		{"title", func(t *Template) { t.Title += "!" }, true},
		{"question text", func(t *Template) { q(t, 1, 3).Text = "Which clouds?" }, true},
		{"option score", func(t *Template) { *q(t, 0, 3).Options[0].Score = 95 }, true},
		{"condition value", func(t *Template) { q(t, 1, 2).ShowIf.All[1].Not = 1.0 }, true},
		{"evidence hint", func(t *Template) { q(t, 0, 1).Evidence.Hint = "" }, true},
		{"question order", func(t *Template) {
			qs := t.Sections[1].Questions
			qs[0], qs[3] = qs[3], qs[0]
		}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			edited := Clone(published)
			tt.edit(edited)
			next, changed := NextVersion(published, edited)
			if changed != tt.wantChanged {
				t.Fatalf("changed = %v, want %v", changed, tt.wantChanged)
			}
			if !changed {
				if next != published {
					t.Error("an unchanged edit must return the published template itself")
				}
				return
			}
			if next.Version != 4 {
				t.Errorf("version = %d, want 4", next.Version)
			}
			if next == edited || published.Version != 3 {
				t.Error("NextVersion must neither return the edit itself nor touch the published version")
			}
			edited.Version = 4
			if !reflect.DeepEqual(next, edited) {
				t.Error("new version differs from the edit")
			}
		})
	}
}

func TestNextVersionFirstPublish(t *testing.T) {
	draft := sampleTemplate(t)
	draft.Version = 0
	next, changed := NextVersion(nil, draft)
	if !changed || next.Version != 1 || draft.Version != 0 {
		t.Errorf("first publish = version %d, %v", next.Version, changed)
	}
}

func TestNextVersionUnencodableIsChanged(t *testing.T) {
	published := sampleTemplate(t)
	q(published, 1, 2).ShowIf.All[1].Not = math.NaN()
	if _, changed := NextVersion(published, Clone(published)); !changed {
		t.Error("a template without a fingerprint must count as changed")
	}
}

func TestCloneIsDeep(t *testing.T) {
	orig := sampleTemplate(t)
	c := Clone(orig)
	if !reflect.DeepEqual(c, orig) {
		t.Fatal("clone differs from the original")
	}
	c.Sections[0].Title = "x"
	q(c, 0, 1).Evidence.Hint = "x"
	q(c, 0, 3).Controls[0] = "x"
	*q(c, 0, 3).Options[0].Score = 1
	q(c, 0, 3).Options[1].Label = "x"
	q(c, 0, 4).ShowIf.In[0] = "x"
	q(c, 1, 2).ShowIf.All[0].Question = "x"
	if !reflect.DeepEqual(orig, sampleTemplate(t)) {
		t.Error("changing the clone changed the original")
	}
	if Clone(nil) != nil {
		t.Error("Clone(nil) != nil")
	}
}

func TestFingerprint(t *testing.T) {
	a := sampleTemplate(t)
	b := Clone(a)
	b.Version = 7
	if Fingerprint(a) != Fingerprint(b) || len(Fingerprint(a)) != 64 {
		t.Errorf("fingerprint depends on the version or is malformed: %s", Fingerprint(a))
	}
	b.Description = "changed"
	if Fingerprint(a) == Fingerprint(b) {
		t.Error("fingerprint ignores the description")
	}
	// An int written by Go code and the float64 the loader produces are the
	// same content.
	c := Clone(a)
	q(c, 1, 2).ShowIf.All[1].Not = 0
	if Fingerprint(a) != Fingerprint(c) {
		t.Error("fingerprint distinguishes 0 from 0.0")
	}
}
