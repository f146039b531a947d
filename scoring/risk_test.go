package scoring

import "testing"

func TestGrade(t *testing.T) {
	tests := []struct {
		overall float64
		want    string
	}{{100, "A"}, {85, "A"}, {84.9, "B"}, {70, "B"}, {69.9, "C"}, {55, "C"}, {54.9, "D"}, {40, "D"}, {39.9, "E"}, {0, "E"}}
	for _, tc := range tests {
		if got := Grade(tc.overall); got != tc.want {
			t.Errorf("Grade(%v) = %s, want %s", tc.overall, got, tc.want)
		}
	}
}

func TestLikelihood(t *testing.T) {
	tests := []struct {
		overall, coverage float64
		want              int
	}{
		{95, 1, 1}, {85, 0.8, 1}, {84.9, 1, 2}, {70, 1, 2}, {60, 1, 3}, {45, 1, 4}, {39.9, 1, 5},
		{95, 0.799, 2}, {60, 0.5, 4}, {10, 0.1, 5},
	}
	for _, tc := range tests {
		if got := Likelihood(tc.overall, tc.coverage); got != tc.want {
			t.Errorf("Likelihood(%v, %v) = %d, want %d", tc.overall, tc.coverage, got, tc.want)
		}
	}
}

func TestImpactAndInherent(t *testing.T) {
	tests := []struct {
		name                     string
		tier, impact             int
		wantInherent, wantImpact int
	}{
		{"tier 1", 1, 0, 5, 5},
		{"tier 2", 2, 0, 4, 4},
		{"tier 3", 3, 0, 3, 3},
		{"tier 4", 4, 0, 2, 2},
		{"explicit impact wins for the matrix", 4, 5, 2, 5},
		{"explicit impact 1", 3, 1, 3, 1},
		{"impact out of range is ignored", 2, 9, 4, 4},
		{"no tier, explicit impact", 0, 2, 2, 2},
		{"nothing known is critical", 0, 0, 5, 5},
		{"unknown tier is critical", 7, 0, 5, 5},
	}
	for _, tc := range tests {
		r := riskFor(90, 1, tc.tier, tc.impact)
		if r.Inherent != tc.wantInherent || r.Impact != tc.wantImpact {
			t.Errorf("%s: inherent %d impact %d, want %d %d", tc.name, r.Inherent, r.Impact, tc.wantInherent, tc.wantImpact)
		}
	}
}

func TestMatrix(t *testing.T) {
	bands := func(p int) Level {
		switch {
		case p >= 15:
			return LevelCritical
		case p >= 10:
			return LevelHigh
		case p >= 5:
			return LevelMedium
		}
		return LevelLow
	}
	m := Matrix()
	for l := 1; l <= 5; l++ {
		for i := 1; i <= 5; i++ {
			if got, want := Residual(l, i), bands(l*i); got != want || m[l-1][i-1] != want {
				t.Errorf("L%d × I%d = %s, want %s", l, i, got, want)
			}
			// Monotone: more likely or more severe is never rated lower.
			if l > 1 && Residual(l-1, i).Rank() > Residual(l, i).Rank() || i > 1 && Residual(l, i-1).Rank() > Residual(l, i).Rank() {
				t.Errorf("matrix not monotone at L%d I%d", l, i)
			}
		}
	}
	m[0][0] = LevelCritical
	if Residual(1, 1) != LevelLow {
		t.Error("Matrix must return a copy")
	}
	if Residual(0, 9) != LevelMedium {
		t.Error("Residual should clamp to 1–5")
	}
}
