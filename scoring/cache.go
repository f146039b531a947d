package scoring

import (
	"runtime"
	"sync"
	"sync/atomic"

	"github.com/assayhq/assay/questionnaires"
)

// Cache keeps one Scorer per published template version, so that scoring
// many assessments (a dashboard, a re-score after a method change) indexes
// each template once. It keys on Key and Version and so relies on published
// templates never changing (see questionnaires.Template); a template being
// edited must be scored with NewScorer. The zero value is ready to use and
// safe for concurrent use.
type Cache struct {
	m sync.Map // cacheKey → *Scorer
}

type cacheKey struct {
	key     string
	version int
}

// Scorer returns the cached Scorer for t, indexing t on first use.
func (c *Cache) Scorer(t *questionnaires.Template) *Scorer {
	if t == nil {
		return NewScorer(nil)
	}
	k := cacheKey{t.Key, t.Version}
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

// ScoreAll scores many assessments on all CPUs, as a re-score after a
// method change does; out[i] is the score of ins[i]. Scoring is pure
// computation on read-only indexes, so it scales with cores.
func (c *Cache) ScoreAll(ins []Input) []Score {
	out := make([]Score, len(ins))
	const chunk = 64 // enough work per claim that workers rarely contend
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(runtime.GOMAXPROCS(0), (len(ins)+chunk-1)/chunk) {
		wg.Go(func() {
			for {
				start := int(next.Add(chunk)) - chunk
				if start >= len(ins) {
					return
				}
				for i := start; i < min(start+chunk, len(ins)); i++ {
					out[i] = c.Score(ins[i])
				}
			}
		})
	}
	wg.Wait()
	return out
}
