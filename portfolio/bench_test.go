package portfolio_test

import (
	"fmt"
	"math/rand/v2"
	"testing"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/portfolio"
	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/scoring"
)

// BenchmarkBuild10k is the aggregation alone, what a dashboard request
// costs after a change (unchanged copies are served from the cache):
// 10,000 vendors, 8,000 with a completed assessment, 1,500 open ones.
func BenchmarkBuild10k(b *testing.B) {
	rng := rand.New(rand.NewPCG(1, 1))
	levels := []string{"low", "medium", "high", "critical"}
	var in portfolio.Input
	in.Now = now
	for i := range 10000 {
		id, aid := fmt.Sprintf("v%05d", i), fmt.Sprintf("a%05d", i)
		switch {
		case i%20 < 16:
			score := float64(rng.IntN(1000)) / 10
			v := vendor(id, "Vendor "+id, 1+i%4, levels[rng.IntN(4)], &score, aid)
			v.NextReviewAt = now.AddDate(0, 0, rng.IntN(400)-30)
			in.Vendors = append(in.Vendors, v)
			f := &portfolio.Final{Overall: score, Likelihood: 1 + rng.IntN(5), Impact: 1 + rng.IntN(5)}
			for _, th := range questionnaires.Themes() {
				f.Themes = append(f.Themes, scoring.NamedScore{Key: th, Score: score})
			}
			for range rng.IntN(8) {
				f.Findings = append(f.Findings, portfolio.Finding{Control: "A.5.19", Severity: scoring.LevelHigh, Status: assessments.FindingOpen})
			}
			in.Assessments = append(in.Assessments, &portfolio.Assessment{ID: aid, VendorID: id, Status: assessments.StatusCompleted, Final: f})
		default:
			in.Vendors = append(in.Vendors, vendor(id, "Vendor "+id, 1+i%4, "", nil, ""))
			in.Assessments = append(in.Assessments, &portfolio.Assessment{ID: aid, VendorID: id, Status: assessments.StatusInProgress,
				DueDate: now.Add(time.Duration(rng.IntN(60)-30) * 24 * time.Hour)})
		}
	}
	for b.Loop() {
		if d := portfolio.Build(in); len(d.Heat.Rows) != portfolio.HeatRows {
			b.Fatal("no heat map")
		}
	}
}
