package scoring

import (
	"math/rand/v2"
	"testing"

	"github.com/assayhq/assay/questionnaires"
)

// BenchmarkScoreFull scores one assessment of the full ISO/IEC 27001:2022
// supplier template (all 93 controls, ~170 questions).
func BenchmarkScoreFull(b *testing.B) {
	t := libraryTemplate(b, "iso27001-2022-supplier-full.yaml")
	s := NewScorer(t)
	in := randomInput(t, rand.New(rand.NewPCG(7, 7)))
	b.ReportAllocs()
	for b.Loop() {
		s.Score(in)
	}
}

// BenchmarkComputeFull is BenchmarkScoreFull without a reused Scorer: the
// cost of one API call that indexes the template each time.
func BenchmarkComputeFull(b *testing.B) {
	t := libraryTemplate(b, "iso27001-2022-supplier-full.yaml")
	in := randomInput(t, rand.New(rand.NewPCG(7, 7)))
	b.ReportAllocs()
	for b.Loop() {
		Compute(in)
	}
}

// BenchmarkRescore10k re-scores 10,000 different assessments of the full
// template on all CPUs, as after a method change; ms/10k is the figure to
// watch (target < 1000).
func BenchmarkRescore10k(b *testing.B) {
	ins := rescoreInputs(b)
	var cache Cache
	b.ReportAllocs()
	for b.Loop() {
		cache.ScoreAll(ins)
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/10k")
}

// BenchmarkRescore10kSequential is the same on one goroutine.
func BenchmarkRescore10kSequential(b *testing.B) {
	ins := rescoreInputs(b)
	var cache Cache
	b.ReportAllocs()
	for b.Loop() {
		for _, in := range ins {
			cache.Score(in)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/10k")
}

func rescoreInputs(b *testing.B) []Input {
	// Assessments loaded from the database each carry their own copy of
	// the template; a hundred copies stand for that (ten thousand would
	// only measure the heap), and the cache gives them one Scorer.
	data := libraryTemplate(b, "iso27001-2022-supplier-full.yaml")
	copies := make([]*questionnaires.Template, 100)
	for i := range copies {
		copies[i] = questionnaires.Clone(data)
	}
	r := rand.New(rand.NewPCG(8, 8))
	ins := make([]Input, 10_000)
	for i := range ins {
		ins[i] = randomInput(copies[i%len(copies)], r)
	}
	return ins
}
