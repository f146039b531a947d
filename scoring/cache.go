package scoring

import (
	"strconv"
	"sync"

	"github.com/assayhq/assay/questionnaires"
)

// Cache keeps one Scorer per published template version, so that scoring
// many assessments (a dashboard, a re-score after a method change) indexes
// each template once. It keys on Key and Version and so relies on published
// templates never changing (see questionnaires.Template); a template being
// edited must be scored with NewScorer. The zero value is ready to use and
// safe for concurrent use.
type Cache struct {
	m sync.Map // "key@version" → *Scorer
}

// Scorer returns the cached Scorer for t, indexing t on first use.
func (c *Cache) Scorer(t *questionnaires.Template) *Scorer {
	if t == nil {
		return NewScorer(nil)
	}
	k := t.Key + "@" + strconv.Itoa(t.Version)
	if s, ok := c.m.Load(k); ok {
		return s.(*Scorer)
	}
	s, _ := c.m.LoadOrStore(k, NewScorer(t))
	return s.(*Scorer)
}

// Score scores in with the cached Scorer of in.Template.
func (c *Cache) Score(in Input) Score {
	s := c.Scorer(in.Template)
	in.Template = nil // the cached Scorer may hold an equal snapshot at another address
	return s.Score(in)
}
