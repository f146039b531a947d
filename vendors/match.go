package vendors

import (
	"cmp"
	"slices"
	"strings"
)

// Matches reports whether v passes the normalized filter f: the same
// selection a store makes with a database query, for stores that filter a
// cached copy of the register in memory.
func (f *Filter) Matches(v *Vendor) bool {
	switch {
	case f.Status != StatusAll && v.Status != f.Status,
		f.Q != "" && !strings.Contains(v.NameLower, f.Q),
		f.Tier != 0 && v.Tier != f.Tier,
		f.Risk == "none" && v.RiskRank != 0,
		f.Risk != "" && f.Risk != "none" && v.RiskRank != RiskRank(f.Risk),
		f.Overdue && !v.Overdue,
		f.IDs != nil && !slices.Contains(f.IDs, v.ID):
		return false
	}
	for _, t := range f.Tags {
		if !slices.Contains(v.Tags, t) {
			return false
		}
	}
	return true
}

// Compare orders a and b by f.Sort, then by name and id so pages are
// stable. A vendor never scored sorts before every score, as MongoDB sorts
// a missing field before numbers.
func (f *Filter) Compare(a, b *Vendor) int {
	key, dir := f.Sort, 1
	if strings.HasPrefix(key, "-") {
		key, dir = key[1:], -1
	}
	c := 0
	switch key {
	case "tier":
		c = cmp.Compare(a.Tier, b.Tier)
	case "risk":
		c = cmp.Compare(a.RiskRank, b.RiskRank)
	case "score":
		c = compareScore(a.LatestScore, b.LatestScore)
	case "next_review":
		c = a.NextReviewAt.Compare(b.NextReviewAt)
	case "updated":
		c = a.UpdatedAt.Compare(b.UpdatedAt)
	default:
		c = strings.Compare(a.NameLower, b.NameLower)
	}
	if c != 0 {
		return c * dir
	}
	if key != "name" && key != "" {
		if c = strings.Compare(a.NameLower, b.NameLower); c != 0 {
			return c
		}
	}
	return strings.Compare(a.ID, b.ID)
}

func compareScore(a, b *float64) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return cmp.Compare(*a, *b)
}

// Apply applies f to all: the matching vendors in f's order, the page f asks
// for, and how many matched.
func (f *Filter) Apply(all []*Vendor) ([]Vendor, int64) {
	var hits []*Vendor
	for _, v := range all {
		if f.Matches(v) {
			hits = append(hits, v)
		}
	}
	slices.SortFunc(hits, f.Compare)
	start := min((f.Page-1)*f.Per, len(hits))
	end := min(start+f.Per, len(hits))
	out := make([]Vendor, 0, end-start)
	for _, v := range hits[start:end] {
		out = append(out, *v)
	}
	return out, int64(len(hits))
}
