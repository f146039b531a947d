package questionnaires

import (
	"slices"
	"testing"
)

func TestControlsCountsByTheme(t *testing.T) {
	ctls := Controls()
	if len(ctls) != 93 {
		t.Fatalf("got %d 2022 controls, want 93", len(ctls))
	}
	byTheme := map[string]int{}
	for _, c := range ctls {
		byTheme[c.Theme]++
	}
	want := map[string]int{ThemeOrganizational: 37, ThemePeople: 8, ThemePhysical: 14, ThemeTechnological: 34}
	for theme, n := range want {
		if byTheme[theme] != n {
			t.Errorf("theme %s: got %d controls, want %d", theme, byTheme[theme], n)
		}
	}
	if ctls[0].ID != "A.5.1" || ctls[92].ID != "A.8.34" {
		t.Errorf("controls not in file order: first %s, last %s", ctls[0].ID, ctls[92].ID)
	}
}

func TestControlByID(t *testing.T) {
	c, ok := ControlByID("A.5.23")
	if !ok || c.Title != "Information security for use of cloud services" || c.Theme != ThemeOrganizational {
		t.Errorf("ControlByID(A.5.23) = %+v, %v", c, ok)
	}
	for _, id := range []string{"", "A.5.38", "A.15.1.1", "a.5.1"} {
		if _, ok := ControlByID(id); ok {
			t.Errorf("ControlByID(%q) found a control", id)
		}
	}
}

func TestControls2013AndDomains(t *testing.T) {
	if n := len(Controls2013()); n != 114 {
		t.Errorf("got %d 2013 controls, want 114", n)
	}
	var ids []string
	for _, d := range Domains2013() {
		if d.Title == "" {
			t.Errorf("domain %s has no title", d.ID)
		}
		ids = append(ids, d.ID)
	}
	want := []string{"A.5", "A.6", "A.7", "A.8", "A.9", "A.10", "A.11", "A.12", "A.13", "A.14", "A.15", "A.16", "A.17", "A.18"}
	if !slices.Equal(ids, want) {
		t.Errorf("domains = %v, want %v", ids, want)
	}
}

func TestMappingCoversEvery2013ControlOnce(t *testing.T) {
	seen := map[string]int{}
	targets := map[string]bool{}
	for _, m := range Map2013To2022() {
		seen[m.ID2013]++
		targets[m.ID2022] = true
		if _, ok := ControlByID(m.ID2022); !ok {
			t.Errorf("%s maps to unknown 2022 control %s", m.ID2013, m.ID2022)
		}
	}
	for _, c := range Controls2013() {
		if seen[c.ID] != 1 {
			t.Errorf("2013 control %s mapped %d times, want once", c.ID, seen[c.ID])
		}
	}
	var unsourced []string
	for _, c := range Controls() {
		if !targets[c.ID] {
			unsourced = append(unsourced, c.ID)
		}
	}
	want := []string{"A.5.7", "A.5.23", "A.5.30", "A.7.4", "A.8.9", "A.8.10", "A.8.11", "A.8.12", "A.8.16", "A.8.23", "A.8.28"}
	if !slices.Equal(unsourced, want) {
		t.Errorf("2022 controls without a 2013 source = %v, want %v", unsourced, want)
	}
}

func TestDomains2013For(t *testing.T) {
	tests := []struct {
		control string
		want    []string
	}{
		{"A.5.22", []string{"A.15"}},
		{"A.5.23", nil},
		{"A.8.32", []string{"A.12", "A.14"}},
		{"A.7.10", []string{"A.8", "A.11"}},
		{"A.5.31", []string{"A.18"}},
		{"A.9.9", nil},
	}
	for _, tt := range tests {
		if got := Domains2013For(tt.control); !slices.Equal(got, tt.want) {
			t.Errorf("Domains2013For(%s) = %v, want %v", tt.control, got, tt.want)
		}
	}
}

func TestSupplierControlsExist(t *testing.T) {
	want := []string{"A.5.19", "A.5.20", "A.5.21", "A.5.22", "A.5.23"}
	if got := SupplierControls(); !slices.Equal(got, want) {
		t.Fatalf("SupplierControls() = %v", got)
	}
	for _, id := range want {
		if _, ok := ControlByID(id); !ok {
			t.Errorf("supplier control %s not in catalogue", id)
		}
	}
	// The README's fact: A.15 became A.5.19–A.5.22.
	for _, id := range want[:4] {
		if d := Domains2013For(id); !slices.Equal(d, []string{"A.15"}) {
			t.Errorf("Domains2013For(%s) = %v, want [A.15]", id, d)
		}
	}
}

func TestCatalogueCopiesAreIndependent(t *testing.T) {
	Controls()[0].ID = "changed"
	Domains2013For("A.5.22")[0] = "changed"
	if Controls()[0].ID != "A.5.1" || Domains2013For("A.5.22")[0] != "A.15" {
		t.Error("callers can modify the shared catalogue")
	}
}

func TestCompareControlIDs(t *testing.T) {
	ids := []string{"A.5.10", "A.8.1", "A.5.2", "A.10", "A.5", "A.5.1"}
	slices.SortFunc(ids, compareControlIDs)
	want := []string{"A.5", "A.5.1", "A.5.2", "A.5.10", "A.8.1", "A.10"}
	if !slices.Equal(ids, want) {
		t.Errorf("sorted = %v, want %v", ids, want)
	}
}
