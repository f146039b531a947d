package portfolio

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/assayhq/assay/questionnaires"
	"github.com/assayhq/assay/scoring"
	"github.com/assayhq/assay/vendors"
)

// View picks the heat map's columns: the ISO/IEC 27001:2022 themes (with
// the supplier-relationship controls) or the fourteen 2013 domains.
type View string

const (
	View2022 View = "2022"
	View2013 View = "2013"
)

// ParseView reads a view from a query parameter; anything but "2013" is
// the 2022 view.
func ParseView(s string) View {
	if s == string(View2013) {
		return View2013
	}
	return View2022
}

// Limits of the dashboard's lists; each links to the full list elsewhere.
const (
	HeatRows     = 25
	ListRows     = 25
	ReassessDays = 30 // a vendor due for reassessment within this many days is listed
)

// Count is one bar of a count chart.
type Count struct {
	Key   string // "low", … or "none"
	Label string
	N     int
}

// Column is one column of the heat map.
type Column struct {
	Key   string // theme, "supplier_controls" or a 2013 domain id
	Label string // short, for the header
	Title string // long, for the header's description
}

// Cell is one heat map cell; Score is nil where the assessment did not
// cover the column.
type Cell struct {
	Column string
	Score  *float64
	Grade  string // the score's grade band, which colours the cell
}

// HeatRow is one vendor of the heat map.
type HeatRow struct {
	VendorID     string
	Vendor       string
	Tier         int
	Residual     string
	Overall      float64
	Grade        string
	AssessmentID string
	Cells        []Cell
}

// Heat is the heat map: the vendors with the worst residual risk first.
type Heat struct {
	Columns []Column
	Rows    []HeatRow
	Total   int // vendors with a completed assessment, of which Rows shows the first HeatRows
}

// Overdue is an open questionnaire past its due date.
type Overdue struct {
	AssessmentID string
	VendorID     string
	Vendor       string
	Template     string
	DueDate      time.Time
	DaysOverdue  int
}

// Reassessment is a vendor due for reassessment within ReassessDays, or
// already past its date (DaysLeft < 0).
type Reassessment struct {
	VendorID     string
	Vendor       string
	Tier         int
	Residual     string
	NextReviewAt time.Time
	DaysLeft     int
	// InFlight is the status of an open questionnaire already sent to the
	// vendor, if any: the reassessment has started.
	InFlight string
}

// MatrixCell is one cell of the residual risk matrix: how many vendors'
// latest assessments rated this likelihood and impact.
type MatrixCell struct {
	Likelihood int
	Impact     int
	Level      scoring.Level
	N          int
}

// Dashboard is the portfolio overview.
type Dashboard struct {
	At           time.Time
	View         View
	Vendors      int     // active vendors
	Risk         []Count // low … critical, then "none" (not assessed)
	Findings     []Count // open findings by severity, critical first
	OpenFindings int
	Heat         Heat
	// Matrix is the 5×5 likelihood × impact matrix of the scoring method,
	// likelihood 5 (top row) to 1, impact 1 to 5 left to right.
	Matrix        [][]MatrixCell
	Overdue       []Overdue
	OverdueTotal  int
	Reassess      []Reassessment
	ReassessTotal int
}

// Input is what Build works from: the register and the assessment digests
// as the store holds them (shared, read-only), and the time of the request.
type Input struct {
	Vendors     []*vendors.Vendor
	Assessments []*Assessment
	Now         time.Time
	View        View
}

var severities = []scoring.Level{scoring.LevelCritical, scoring.LevelHigh, scoring.LevelMedium, scoring.LevelLow}

// Build computes the dashboard. Archived vendors and their assessments are
// left out: they receive no questionnaires and need no decisions. Findings
// are counted on each vendor's latest completed assessment only, since a
// reassessment's findings supersede the previous one's. It reads each
// vendor and digest once and keeps only the worst HeatRows vendors sorted,
// so that 10,000 of each take a few milliseconds.
func Build(in Input) Dashboard {
	today := day(in.Now)
	d := Dashboard{At: in.Now, View: in.View}
	byID := make(map[string]*Assessment, len(in.Assessments))
	open := map[string][]*Assessment{} // vendor → its open questionnaires
	for _, a := range in.Assessments {
		if a.Final != nil {
			byID[a.ID] = a
		}
		if a.Status.Open() {
			open[a.VendorID] = append(open[a.VendorID], a)
		}
	}
	var risk [5]int     // by vendors.RiskRank: 0 is not assessed
	var findings [4]int // by severityRank
	var matrix [5][5]int
	top := make([]*vendors.Vendor, 0, HeatRows+1)
	for _, v := range in.Vendors {
		if v.Archived() {
			continue
		}
		d.Vendors++
		risk[vendors.RiskRank(v.ResidualRisk)]++
		if v.LatestScore != nil {
			d.Heat.Total++
			top = keepWorst(top, v)
		}
		if a := byID[v.LastAssessmentID]; a != nil {
			if l, i := a.Final.Likelihood, a.Final.Impact; l >= 1 && l <= 5 && i >= 1 && i <= 5 {
				matrix[l-1][i-1]++
			}
			for _, f := range a.Final.Findings {
				if r, ok := severityRank[f.Severity]; ok && f.Open() {
					findings[r]++
					d.OpenFindings++
				}
			}
		}
		var inFlight *Assessment // the open questionnaire due first
		for _, a := range open[v.ID] {
			if inFlight == nil || a.DueDate.Before(inFlight.DueDate) {
				inFlight = a
			}
			if late := days(day(a.DueDate), today); !a.DueDate.IsZero() && late > 0 {
				d.Overdue = append(d.Overdue, Overdue{AssessmentID: a.ID, VendorID: v.ID, Vendor: v.Name,
					Template: cmp.Or(a.TemplateTitle, a.TemplateKey), DueDate: a.DueDate, DaysOverdue: late})
			}
		}
		if !v.NextReviewAt.IsZero() {
			if left := days(today, day(v.NextReviewAt)); left <= ReassessDays {
				r := Reassessment{VendorID: v.ID, Vendor: v.Name, Tier: v.Tier, Residual: v.ResidualRisk,
					NextReviewAt: v.NextReviewAt, DaysLeft: left}
				if inFlight != nil {
					r.InFlight = string(inFlight.Status)
				}
				d.Reassess = append(d.Reassess, r)
			}
		}
	}
	for i, level := range vendors.RiskLevels() {
		d.Risk = append(d.Risk, Count{Key: level, Label: title(level), N: risk[i+1]})
	}
	d.Risk = append(d.Risk, Count{Key: "none", Label: "Not assessed", N: risk[0]})
	for _, s := range severities {
		d.Findings = append(d.Findings, Count{Key: string(s), Label: title(string(s)), N: findings[severityRank[s]]})
	}
	d.Heat.Columns, d.Heat.Rows = Columns(in.View), heatRows(top, byID, in.View)
	levels := scoring.Matrix()
	for l := 5; l >= 1; l-- {
		row := make([]MatrixCell, 5)
		for i := 1; i <= 5; i++ {
			row[i-1] = MatrixCell{Likelihood: l, Impact: i, Level: levels[l-1][i-1], N: matrix[l-1][i-1]}
		}
		d.Matrix = append(d.Matrix, row)
	}
	slices.SortFunc(d.Overdue, func(a, b Overdue) int {
		return cmp.Or(cmp.Compare(b.DaysOverdue, a.DaysOverdue), strings.Compare(a.Vendor, b.Vendor), strings.Compare(a.AssessmentID, b.AssessmentID))
	})
	d.OverdueTotal = len(d.Overdue)
	d.Overdue = d.Overdue[:min(len(d.Overdue), ListRows)]
	slices.SortFunc(d.Reassess, func(a, b Reassessment) int {
		return cmp.Or(cmp.Compare(a.DaysLeft, b.DaysLeft), cmp.Compare(a.Tier, b.Tier), strings.Compare(a.Vendor, b.Vendor), strings.Compare(a.VendorID, b.VendorID))
	})
	d.ReassessTotal = len(d.Reassess)
	d.Reassess = d.Reassess[:min(len(d.Reassess), ListRows)]
	return d
}

// severityRank indexes the finding severities, most severe first.
var severityRank = map[scoring.Level]int{scoring.LevelCritical: 0, scoring.LevelHigh: 1, scoring.LevelMedium: 2, scoring.LevelLow: 3}

// worse orders vendors for the heat map: the higher residual risk first,
// then the lower score, the more critical tier, then by name and id.
func worse(a, b *vendors.Vendor) bool {
	switch {
	case a.RiskRank != b.RiskRank:
		return a.RiskRank > b.RiskRank
	case *a.LatestScore != *b.LatestScore:
		return *a.LatestScore < *b.LatestScore
	case a.Tier != b.Tier:
		return a.Tier < b.Tier
	case a.NameLower != b.NameLower:
		return a.NameLower < b.NameLower
	}
	return a.ID < b.ID
}

// keepWorst inserts v into top, the worst vendors so far in order, and
// keeps at most HeatRows: most vendors are compared once, with the last.
func keepWorst(top []*vendors.Vendor, v *vendors.Vendor) []*vendors.Vendor {
	if len(top) == HeatRows && !worse(v, top[len(top)-1]) {
		return top
	}
	i, _ := slices.BinarySearchFunc(top, v, func(x, v *vendors.Vendor) int {
		if worse(x, v) {
			return -1
		}
		return 1
	})
	top = slices.Insert(top, i, v)
	return top[:min(len(top), HeatRows)]
}

// heatRows fills the heat map's rows for the worst vendors.
func heatRows(top []*vendors.Vendor, byID map[string]*Assessment, view View) []HeatRow {
	cols := Columns(view)
	rows := make([]HeatRow, 0, len(top))
	for _, v := range top {
		row := HeatRow{VendorID: v.ID, Vendor: v.Name, Tier: v.Tier, Residual: v.ResidualRisk,
			Overall: *v.LatestScore, Grade: v.Grade, AssessmentID: v.LastAssessmentID}
		var fin *Final
		if a := byID[v.LastAssessmentID]; a != nil {
			fin = a.Final
		}
		for _, c := range cols {
			cell := Cell{Column: c.Key}
			if s, ok := columnScore(fin, c.Key, view); ok {
				cell.Score, cell.Grade = &s, scoring.Grade(s)
			}
			row.Cells = append(row.Cells, cell)
		}
		rows = append(rows, row)
	}
	return rows
}

// SupplierColumn is the heat map column of the supplier-relationship
// controls A.5.19–A.5.23.
const SupplierColumn = "supplier_controls"

// Columns lists the heat map's columns for view.
func Columns(view View) []Column {
	if view == View2013 {
		var cols []Column
		for _, dm := range questionnaires.Domains2013() {
			cols = append(cols, Column{Key: dm.ID, Label: dm.ID, Title: dm.Title})
		}
		return cols
	}
	return []Column{
		{Key: questionnaires.ThemeOrganizational, Label: "Organizational", Title: "Organizational controls (A.5)"},
		{Key: questionnaires.ThemePeople, Label: "People", Title: "People controls (A.6)"},
		{Key: questionnaires.ThemePhysical, Label: "Physical", Title: "Physical controls (A.7)"},
		{Key: questionnaires.ThemeTechnological, Label: "Technological", Title: "Technological controls (A.8)"},
		{Key: SupplierColumn, Label: "Supplier", Title: "Supplier relationships (A.5.19–A.5.23)"},
	}
}

func columnScore(f *Final, key string, view View) (float64, bool) {
	switch {
	case f == nil:
		return 0, false
	case view == View2013:
		return f.Domains2013.Get(key)
	case key == SupplierColumn:
		if f.SupplierControls == nil {
			return 0, false
		}
		return *f.SupplierControls, true
	}
	return f.Themes.Get(key)
}

// day is the UTC calendar day of t: due dates and review dates are dates,
// so "overdue" is counted in whole days.
func day(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
}

// days counts the whole days from a to b (both midnights).
func days(a, b time.Time) int { return int(b.Sub(a).Hours() / 24) }

func title(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
