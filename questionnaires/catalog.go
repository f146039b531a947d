package questionnaires

import (
	"embed"
	"encoding/csv"
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// The catalogue is reference data shipped with the binary: embedding it means
// a template can never be validated against a different catalogue than the
// one it was written for, and a bad edit to the CSVs fails at start-up.
//
//go:embed catalog/*.csv
var catalogFiles embed.FS

// Control is an ISO/IEC 27001:2022 Annex A control.
type Control struct {
	ID    string // "A.5.19"
	Title string
	Theme string // one of Themes()
}

// Control2013 is an ISO/IEC 27001:2013 Annex A control. Only scoring by the
// 2013 domains needs it: questions always reference 2022 controls.
type Control2013 struct {
	ID          string // "A.15.1.1"
	Title       string
	Domain      string // "A.15"
	DomainTitle string
}

// Domain2013 is one of the fourteen ISO/IEC 27001:2013 Annex A domains.
type Domain2013 struct {
	ID    string // "A.15"
	Title string
}

// Relationship says how much of a 2013 control's scope the 2022 control it
// maps to covers.
type Relationship string

const (
	RelEqual     Relationship = "equal"
	RelSubset    Relationship = "subset"   // the 2013 control is part of the 2022 one
	RelSuperset  Relationship = "superset" // the 2013 control is broader than the 2022 one
	RelIntersect Relationship = "intersect"
)

// Mapping links one 2013 control to the 2022 control that replaced it.
type Mapping struct {
	ID2013       string
	ID2022       string
	Relationship Relationship
}

// The four 2022 themes, in the order the standard lists them.
const (
	ThemeOrganizational = "organizational"
	ThemePeople         = "people"
	ThemePhysical       = "physical"
	ThemeTechnological  = "technological"
)

// Themes returns the 2022 themes in the standard's order.
func Themes() []string {
	return []string{ThemeOrganizational, ThemePeople, ThemePhysical, ThemeTechnological}
}

// SupplierControls returns the 2022 controls about supplier relationships
// (A.5.19–A.5.23), the core of a vendor-risk questionnaire.
func SupplierControls() []string {
	return []string{"A.5.19", "A.5.20", "A.5.21", "A.5.22", "A.5.23"}
}

type catalogData struct {
	controls     []Control
	byID         map[string]int
	controls2013 []Control2013
	domains2013  []Domain2013
	mappings     []Mapping
	successor    map[string]string   // 2013 id → 2022 id
	domainsFor   map[string][]string // 2022 id → 2013 domains
}

// catalog is parsed at package init: the data is embedded, so any error is a
// build defect and must stop the program rather than surface per request.
var catalog = mustLoadCatalog()

// Controls returns the 93 controls of ISO/IEC 27001:2022 Annex A in the
// standard's order.
func Controls() []Control { return slices.Clone(catalog.controls) }

// ControlByID looks up a 2022 control by id ("A.8.24").
func ControlByID(id string) (Control, bool) {
	i, ok := catalog.byID[id]
	if !ok {
		return Control{}, false
	}
	return catalog.controls[i], true
}

// Controls2013 returns the 114 controls of ISO/IEC 27001:2013 Annex A in the
// standard's order.
func Controls2013() []Control2013 { return slices.Clone(catalog.controls2013) }

// Domains2013 returns the 14 domains of the 2013 Annex A, A.5 to A.18.
func Domains2013() []Domain2013 { return slices.Clone(catalog.domains2013) }

// Map2013To2022 returns the correspondence from every 2013 control to the
// 2022 control that replaced it, in 2013 order.
func Map2013To2022() []Mapping { return slices.Clone(catalog.mappings) }

// Domains2013For returns the 2013 domains whose controls merged into the given
// 2022 control, in domain order, so a 2022 score can be reported by 2013
// domain. Controls new in 2022 have none.
func Domains2013For(control2022 string) []string {
	return slices.Clone(catalog.domainsFor[control2022])
}

func mustLoadCatalog() *catalogData {
	c, err := loadCatalog()
	if err != nil {
		panic("questionnaires: embedded catalogue: " + err.Error())
	}
	return c
}

func loadCatalog() (*catalogData, error) {
	c := &catalogData{byID: map[string]int{}, successor: map[string]string{}, domainsFor: map[string][]string{}}

	rows, err := readCatalogCSV("annex-a-2022.csv", "id", "title", "theme")
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		ctl := Control{ID: r[0], Title: r[1], Theme: r[2]}
		if !slices.Contains(Themes(), ctl.Theme) {
			return nil, fmt.Errorf("annex-a-2022.csv: %s: unknown theme %q", ctl.ID, ctl.Theme)
		}
		if _, dup := c.byID[ctl.ID]; dup {
			return nil, fmt.Errorf("annex-a-2022.csv: duplicate id %s", ctl.ID)
		}
		c.byID[ctl.ID] = len(c.controls)
		c.controls = append(c.controls, ctl)
	}

	rows, err = readCatalogCSV("annex-a-2013.csv", "id", "title", "domain", "domain_title")
	if err != nil {
		return nil, err
	}
	domain13 := map[string]string{} // control → domain
	domainTitles := map[string]string{}
	for _, r := range rows {
		ctl := Control2013{ID: r[0], Title: r[1], Domain: r[2], DomainTitle: r[3]}
		if !strings.HasPrefix(ctl.ID, ctl.Domain+".") {
			return nil, fmt.Errorf("annex-a-2013.csv: %s is not in domain %s", ctl.ID, ctl.Domain)
		}
		if _, dup := domain13[ctl.ID]; dup {
			return nil, fmt.Errorf("annex-a-2013.csv: duplicate id %s", ctl.ID)
		}
		if t, seen := domainTitles[ctl.Domain]; seen && t != ctl.DomainTitle {
			return nil, fmt.Errorf("annex-a-2013.csv: domain %s has two titles", ctl.Domain)
		}
		domainTitles[ctl.Domain] = ctl.DomainTitle
		domain13[ctl.ID] = ctl.Domain
		c.controls2013 = append(c.controls2013, ctl)
	}
	for id, title := range domainTitles {
		c.domains2013 = append(c.domains2013, Domain2013{ID: id, Title: title})
	}
	slices.SortFunc(c.domains2013, func(a, b Domain2013) int { return compareControlIDs(a.ID, b.ID) })

	rows, err = readCatalogCSV("mapping-2013-to-2022.csv", "id_2013", "id_2022", "relationship")
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		m := Mapping{ID2013: r[0], ID2022: r[1], Relationship: Relationship(r[2])}
		switch {
		case domain13[m.ID2013] == "":
			return nil, fmt.Errorf("mapping: unknown 2013 control %s", m.ID2013)
		case c.successor[m.ID2013] != "":
			return nil, fmt.Errorf("mapping: 2013 control %s mapped twice", m.ID2013)
		}
		switch m.Relationship {
		case RelEqual, RelSubset, RelSuperset, RelIntersect:
		default:
			return nil, fmt.Errorf("mapping: %s: unknown relationship %q", m.ID2013, m.Relationship)
		}
		if _, ok := c.byID[m.ID2022]; !ok {
			return nil, fmt.Errorf("mapping: unknown 2022 control %s", m.ID2022)
		}
		c.successor[m.ID2013] = m.ID2022
		c.mappings = append(c.mappings, m)
		if d := domain13[m.ID2013]; !slices.Contains(c.domainsFor[m.ID2022], d) {
			c.domainsFor[m.ID2022] = append(c.domainsFor[m.ID2022], d)
		}
	}
	if len(c.successor) != len(c.controls2013) {
		return nil, fmt.Errorf("mapping: %d of %d 2013 controls mapped", len(c.successor), len(c.controls2013))
	}
	for _, ds := range c.domainsFor {
		slices.SortFunc(ds, compareControlIDs)
	}
	return c, nil
}

// readCatalogCSV returns the data rows of an embedded CSV after checking its
// header, so a reordered column cannot silently swap fields.
func readCatalogCSV(name string, header ...string) ([][]string, error) {
	f, err := catalogFiles.Open("catalog/" + name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = len(header)
	rows, err := r.ReadAll()
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if len(rows) == 0 || !slices.Equal(rows[0], header) {
		return nil, fmt.Errorf("%s: header must be %s", name, strings.Join(header, ","))
	}
	for i, row := range rows[1:] {
		for j, v := range row {
			if v == "" || v != strings.TrimSpace(v) {
				return nil, fmt.Errorf("%s: row %d: %s is empty or padded", name, i+2, header[j])
			}
		}
	}
	return rows[1:], nil
}

// compareControlIDs orders Annex A ids numerically ("A.5.2" before "A.5.10"),
// the order the standard uses.
func compareControlIDs(a, b string) int {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		na, errA := strconv.Atoi(pa[i])
		nb, errB := strconv.Atoi(pb[i])
		if errA == nil && errB == nil {
			if na != nb {
				return na - nb
			}
			continue
		}
		if c := strings.Compare(pa[i], pb[i]); c != 0 {
			return c
		}
	}
	return len(pa) - len(pb)
}
