package vendors_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/assayhq/assay/vendors"
)

// BenchmarkList10k measures the register's list page on 10,000 vendors
// with the filters and sorts the vendor list page offers, once the list copy
// is loaded, and a list right after a write ("after-an-edit", which also
// counts the write: one vendor's tier changed).
func BenchmarkList10k(b *testing.B) {
	r := newRig(b)
	ctx := context.Background()
	const n = 10000
	docs := make([]any, 0, n)
	risks := []string{"", "low", "medium", "high", "critical"}
	now := time.Now().UTC()
	for i := range n {
		name := fmt.Sprintf("Vendor %05d", i)
		v := vendors.Vendor{
			ID: fmt.Sprintf("v%05d", i), Name: name, NameLower: "vendor " + fmt.Sprintf("%05d", i),
			Tier: i%4 + 1, TierSource: vendors.TierManual, Status: vendors.StatusActive,
			OwnerID: r.owner.ID, Tags: []string{fmt.Sprintf("tag%d", i%10)},
			Contacts:     []vendors.Contact{{Name: "C", Email: fmt.Sprintf("c%d@x.example", i)}},
			ResidualRisk: risks[i%5], RiskRank: vendors.RiskRank(risks[i%5]), Overdue: i%7 == 0,
			ScoreHistory: []vendors.ScorePoint{}, CreatedAt: now, UpdatedAt: now,
		}
		if i%5 != 0 {
			s := float64(i % 100)
			v.LatestScore = &s
		}
		docs = append(docs, v)
	}
	for i := 0; i < n; i += 1000 {
		if _, err := r.db.Collection("vendors").InsertMany(ctx, docs[i:i+1000]); err != nil {
			b.Fatal(err)
		}
	}
	filters := map[string]vendors.Filter{
		"name":        {},
		"search":      {Q: "0012"},
		"tier+risk":   {Tier: 2, Risk: "high", Sort: "-score"},
		"overdue":     {Overdue: true, Sort: "-risk"},
		"tag+page5":   {Tags: []string{"tag3"}, Page: 5},
		"next_review": {Sort: "next_review"},
	}
	if _, _, err := r.svc.List(ctx, vendors.Filter{}); err != nil {
		b.Fatal(err)
	}
	b.Run("after-an-edit", func(b *testing.B) {
		for i := 0; b.Loop(); i++ {
			in := vendors.Input{Name: fmt.Sprintf("Vendor %05d", i%n), Tier: i%4 + 1}
			if _, err := r.svc.Update(ctx, staffActor, fmt.Sprintf("v%05d", i%n), in); err != nil {
				b.Fatal(err)
			}
			if _, _, err := r.svc.List(ctx, vendors.Filter{Tier: 1}); err != nil {
				b.Fatal(err)
			}
		}
	})
	for name, f := range filters {
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				list, total, err := r.svc.List(ctx, f)
				if err != nil || total == 0 || len(list) == 0 {
					b.Fatalf("%d of %d, %v", len(list), total, err)
				}
			}
		})
	}
}
