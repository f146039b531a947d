package portfolio_test

import (
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/assayhq/assay/assessments"
	"github.com/assayhq/assay/portfolio"
	"github.com/assayhq/assay/scoring"
	"github.com/assayhq/assay/vendors"
)

var now = time.Date(2026, 6, 15, 14, 30, 0, 0, time.UTC)

func date(y int, m time.Month, d int) time.Time { return time.Date(y, m, d, 0, 0, 0, 0, time.UTC) }

func ptr(f float64) *float64 { return &f }

// vendor is an assessed vendor when score is not nil.
func vendor(id, name string, tier int, residual string, score *float64, last string) *vendors.Vendor {
	v := &vendors.Vendor{ID: id, Name: name, NameLower: name, Tier: tier, Status: vendors.StatusActive,
		ResidualRisk: residual, RiskRank: vendors.RiskRank(residual), LatestScore: score, LastAssessmentID: last}
	if score != nil {
		v.Grade = scoring.Grade(*score)
	}
	return v
}

func completed(id, vendorID string, themes scoring.Scores, supplier *float64, findings ...portfolio.Finding) *portfolio.Assessment {
	return &portfolio.Assessment{ID: id, VendorID: vendorID, Status: assessments.StatusCompleted,
		Final: &portfolio.Final{Themes: themes, SupplierControls: supplier, Findings: findings,
			Domains2013: scoring.Scores{{Key: "A.5", Score: 61}, {Key: "A.15", Score: 33}}}}
}

func counts(cs []portfolio.Count) map[string]int {
	m := map[string]int{}
	for _, c := range cs {
		m[c.Key] = c.N
	}
	return m
}

func TestRiskAndFindingCounts(t *testing.T) {
	archived := vendor("v9", "Gone Ltd", 1, "critical", ptr(10), "a9")
	archived.Status = vendors.StatusArchived
	in := portfolio.Input{
		Now: now,
		Vendors: []*vendors.Vendor{
			vendor("v1", "Acme", 1, "critical", ptr(20), "a1"),
			vendor("v2", "Beta", 2, "high", ptr(45), "a2"),
			vendor("v3", "Gamma", 3, "low", ptr(90), "a3"),
			vendor("v4", "Delta", 4, "", nil, ""),
			vendor("v5", "Epsilon", 2, "high", ptr(50), "a5-missing"),
			archived,
		},
		Assessments: []*portfolio.Assessment{
			completed("a1", "v1", nil, nil,
				portfolio.Finding{Control: "A.5.19", Severity: scoring.LevelCritical, Status: assessments.FindingOpen},
				portfolio.Finding{Control: "A.8.24", Severity: scoring.LevelHigh, Status: assessments.FindingInProgress},
				portfolio.Finding{Control: "A.5.20", Severity: scoring.LevelHigh, Status: assessments.FindingDone}),
			// An older assessment of v1: superseded by a1, its findings are not counted.
			completed("a0", "v1", nil, nil, portfolio.Finding{Control: "A.5.1", Severity: scoring.LevelCritical, Status: assessments.FindingOpen}),
			rated(completed("a2", "v2", nil, nil, portfolio.Finding{Control: "A.6.3", Severity: scoring.LevelLow, Status: assessments.FindingOpen}), 5, 5),
			rated(completed("a3", "v3", nil, nil), 1, 1),
			completed("a9", "v9", nil, nil, portfolio.Finding{Control: "A.5.1", Severity: scoring.LevelCritical, Status: assessments.FindingOpen}),
		},
	}
	d := portfolio.Build(in)
	if d.Vendors != 5 {
		t.Errorf("active vendors %d, want 5", d.Vendors)
	}
	wantRisk := map[string]int{"low": 1, "medium": 0, "high": 2, "critical": 1, "none": 1}
	if got := counts(d.Risk); !maps(got, wantRisk) {
		t.Errorf("risk %v, want %v", got, wantRisk)
	}
	if keys := keysOf(d.Risk); !slices.Equal(keys, []string{"low", "medium", "high", "critical", "none"}) {
		t.Errorf("risk order %v", keys)
	}
	// The matrix counts the latest assessments of active vendors.
	if d.Matrix[0][4] != (portfolio.MatrixCell{Likelihood: 5, Impact: 5, Level: scoring.LevelCritical, N: 1}) ||
		d.Matrix[4][0] != (portfolio.MatrixCell{Likelihood: 1, Impact: 1, Level: scoring.LevelLow, N: 1}) || total(d.Matrix) != 2 {
		t.Errorf("matrix %v", d.Matrix)
	}
	wantFindings := map[string]int{"critical": 1, "high": 1, "medium": 0, "low": 1}
	if got := counts(d.Findings); !maps(got, wantFindings) || d.OpenFindings != 3 {
		t.Errorf("findings %v (%d open), want %v", got, d.OpenFindings, wantFindings)
	}
	if keys := keysOf(d.Findings); !slices.Equal(keys, []string{"critical", "high", "medium", "low"}) {
		t.Errorf("findings order %v", keys)
	}
}

func rated(a *portfolio.Assessment, likelihood, impact int) *portfolio.Assessment {
	a.Final.Likelihood, a.Final.Impact = likelihood, impact
	return a
}

func total(m [][]portfolio.MatrixCell) int {
	n := 0
	for _, row := range m {
		for _, c := range row {
			n += c.N
		}
	}
	return n
}

func keysOf(cs []portfolio.Count) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Key)
	}
	return out
}

func maps(a, b map[string]int) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestHeatMap(t *testing.T) {
	themes := scoring.Scores{{Key: "organizational", Score: 72.5}, {Key: "people", Score: 40}, {Key: "technological", Score: 55}}
	in := portfolio.Input{
		Now: now,
		Vendors: []*vendors.Vendor{
			vendor("v1", "Low Co", 4, "low", ptr(91), "a1"),
			vendor("v2", "Crit B", 2, "critical", ptr(30), "a2"),
			vendor("v3", "Crit A", 1, "critical", ptr(30), "a3"),
			vendor("v4", "Crit Worse", 3, "critical", ptr(12), "a4"),
			vendor("v5", "Never", 1, "", nil, ""),
			vendor("v6", "High", 2, "high", ptr(50), "a6-gone"),
		},
		Assessments: []*portfolio.Assessment{
			completed("a1", "v1", themes, ptr(80)),
			completed("a2", "v2", themes, nil),
			completed("a3", "v3", themes, ptr(20)),
			completed("a4", "v4", themes, ptr(5)),
		},
	}
	tests := []struct {
		view    portfolio.View
		columns []string
		// cells of the first row (v4): score or -1 for none
		first []float64
	}{
		{portfolio.View2022, []string{"organizational", "people", "physical", "technological", "supplier_controls"}, []float64{72.5, 40, -1, 55, 5}},
		{portfolio.View2013, []string{"A.5", "A.6", "A.7", "A.8", "A.9", "A.10", "A.11", "A.12", "A.13", "A.14", "A.15", "A.16", "A.17", "A.18"},
			[]float64{61, -1, -1, -1, -1, -1, -1, -1, -1, -1, 33, -1, -1, -1}},
	}
	for _, tc := range tests {
		t.Run(string(tc.view), func(t *testing.T) {
			in.View = tc.view
			h := portfolio.Build(in).Heat
			var cols []string
			for _, c := range h.Columns {
				cols = append(cols, c.Key)
			}
			if !slices.Equal(cols, tc.columns) {
				t.Fatalf("columns %v", cols)
			}
			// Worst residual first, then lower score, then more critical tier; never-assessed left out.
			var order []string
			for _, r := range h.Rows {
				order = append(order, r.VendorID)
			}
			if !slices.Equal(order, []string{"v4", "v3", "v2", "v6", "v1"}) || h.Total != 5 {
				t.Fatalf("rows %v of %d", order, h.Total)
			}
			for i, c := range h.Rows[0].Cells {
				switch {
				case tc.first[i] < 0 && c.Score != nil:
					t.Errorf("cell %s = %v, want none", c.Column, *c.Score)
				case tc.first[i] >= 0 && (c.Score == nil || *c.Score != tc.first[i] || c.Grade != scoring.Grade(tc.first[i])):
					t.Errorf("cell %s = %v %q, want %v", c.Column, c.Score, c.Grade, tc.first[i])
				}
			}
			// A vendor whose last assessment has no digest shows its overall but no cells.
			for _, c := range h.Rows[3].Cells {
				if c.Score != nil {
					t.Errorf("v6 cell %s has a score", c.Column)
				}
			}
			if h.Rows[3].Overall != 50 || h.Rows[3].Grade != "D" {
				t.Errorf("v6 row %+v", h.Rows[3])
			}
		})
	}
}

func TestHeatMapKeepsTheWorst25(t *testing.T) {
	var in portfolio.Input
	for i := range 40 {
		id := fmt.Sprintf("v%02d", i)
		in.Vendors = append(in.Vendors, vendor(id, "Vendor "+id, 2, "medium", ptr(float64(i)), ""))
	}
	h := portfolio.Build(in).Heat
	if len(h.Rows) != portfolio.HeatRows || h.Total != 40 || h.Rows[0].VendorID != "v00" || h.Rows[24].VendorID != "v24" {
		t.Fatalf("%d rows of %d, first %s last %s", len(h.Rows), h.Total, h.Rows[0].VendorID, h.Rows[len(h.Rows)-1].VendorID)
	}
}

// The heat map keeps the worst vendors without sorting them all; it must
// pick exactly what a full sort would, ties included.
func TestHeatMapMatchesAFullSort(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	levels := []string{"low", "medium", "high", "critical"}
	for round := range 20 {
		var in portfolio.Input
		for i := range 300 {
			score := float64(rng.IntN(8) * 10) // many ties
			in.Vendors = append(in.Vendors, vendor(fmt.Sprintf("v%03d", i), fmt.Sprintf("n%02d", rng.IntN(40)), 1+rng.IntN(4), levels[rng.IntN(4)], ptr(score), ""))
		}
		want := slices.Clone(in.Vendors)
		slices.SortFunc(want, func(a, b *vendors.Vendor) int {
			return cmp.Or(-cmp.Compare(a.RiskRank, b.RiskRank), cmp.Compare(*a.LatestScore, *b.LatestScore), cmp.Compare(a.Tier, b.Tier),
				strings.Compare(a.NameLower, b.NameLower), strings.Compare(a.ID, b.ID))
		})
		rows := portfolio.Build(in).Heat.Rows
		for i, r := range rows {
			if r.VendorID != want[i].ID {
				t.Fatalf("round %d row %d: %s, want %s", round, i, r.VendorID, want[i].ID)
			}
		}
	}
}

func TestOverdue(t *testing.T) {
	open := func(id, vendorID string, st assessments.Status, due time.Time) *portfolio.Assessment {
		return &portfolio.Assessment{ID: id, VendorID: vendorID, VendorName: "stale name", TemplateKey: "vendor-lite",
			TemplateTitle: "Vendor security essentials", Status: st, DueDate: due}
	}
	archived := vendor("v9", "Gone", 1, "", nil, "")
	archived.Status = vendors.StatusArchived
	in := portfolio.Input{
		Now:     now,
		Vendors: []*vendors.Vendor{vendor("v1", "Acme", 1, "", nil, ""), vendor("v2", "Beta", 2, "", nil, ""), archived},
		Assessments: []*portfolio.Assessment{
			open("a1", "v1", assessments.StatusSent, date(2026, 6, 1)),                    // 14 days
			open("a2", "v2", assessments.StatusInProgress, date(2026, 6, 14)),             // 1 day
			open("a3", "v2", assessments.StatusClarificationRequested, date(2026, 5, 15)), // 31 days
			open("a4", "v1", assessments.StatusInProgress, date(2026, 6, 15)),             // due today: not overdue
			open("a5", "v1", assessments.StatusSubmitted, date(2026, 1, 1)),               // submitted: the supplier is done
			open("a6", "v1", assessments.StatusRevoked, date(2026, 1, 1)),
			open("a7", "v9", assessments.StatusSent, date(2026, 1, 1)), // archived vendor
			{ID: "a8", VendorID: "v1", TemplateKey: "custom", Status: assessments.StatusSent, DueDate: date(2026, 6, 10)},
		},
	}
	d := portfolio.Build(in)
	type row struct {
		id   string
		days int
	}
	var got []row
	for _, o := range d.Overdue {
		got = append(got, row{o.AssessmentID, o.DaysOverdue})
	}
	want := []row{{"a3", 31}, {"a1", 14}, {"a8", 5}, {"a2", 1}}
	if !slices.Equal(got, want) || d.OverdueTotal != 4 {
		t.Fatalf("overdue %v (%d), want %v", got, d.OverdueTotal, want)
	}
	if d.Overdue[0].Vendor != "Beta" || d.Overdue[0].Template != "Vendor security essentials" || d.Overdue[2].Template != "custom" {
		t.Errorf("rows name the vendor as the register does and the template by title: %+v", d.Overdue)
	}
}

func TestReassessmentsDue(t *testing.T) {
	due := func(id string, tier int, next time.Time) *vendors.Vendor {
		v := vendor(id, "Vendor "+id, tier, "medium", ptr(60), "")
		v.NextReviewAt = next
		return v
	}
	in := portfolio.Input{
		Now: now,
		Vendors: []*vendors.Vendor{
			due("past", 1, date(2026, 5, 1)),
			due("today", 2, date(2026, 6, 15)),
			due("in30", 3, date(2026, 7, 15)),
			due("in31", 3, date(2026, 7, 16)),
			due("never", 4, time.Time{}),
		},
		Assessments: []*portfolio.Assessment{{ID: "x", VendorID: "past", Status: assessments.StatusInProgress, DueDate: date(2026, 7, 1)}},
	}
	d := portfolio.Build(in)
	var got []string
	for _, r := range d.Reassess {
		got = append(got, fmt.Sprintf("%s:%d:%s", r.VendorID, r.DaysLeft, r.InFlight))
	}
	want := []string{"past:-45:in_progress", "today:0:", "in30:30:"}
	if !slices.Equal(got, want) || d.ReassessTotal != 3 {
		t.Fatalf("reassessments %v, want %v", got, want)
	}
}

func TestParseView(t *testing.T) {
	for in, want := range map[string]portfolio.View{"2013": portfolio.View2013, "": portfolio.View2022, "2022": portfolio.View2022, "x": portfolio.View2022} {
		if got := portfolio.ParseView(in); got != want {
			t.Errorf("ParseView(%q) = %q", in, got)
		}
	}
}
