package handlers

import (
	"fmt"
	"html/template"
	"net/http"

	"github.com/assayhq/assay/charts"
	"github.com/assayhq/assay/portfolio"
	"github.com/assayhq/assay/vendors"
	"github.com/labstack/echo/v4"
)

// The portfolio dashboard, the staff home page.
func init() {
	register(func(s *Server) {
		s.staffPage(http.MethodGet, homePath, s.dashboard, anyStaff...)
	})
}

type dashboardPage struct {
	*portfolio.Dashboard
	RiskChart     template.HTML
	FindingsChart template.HTML
	Heat          []heatRowView
	Bands         []charts.HeatBand
	Views         []viewLink
}

type heatRowView struct {
	portfolio.HeatRow
	TierLabel string
	Cells     []heatCellView
}

type heatCellView struct {
	Class string
	Text  string // the score, or "—"
	Label string // for screen readers: "People: 42.0, grade D"
}

type viewLink struct {
	Label, URL string
	Current    bool
}

func (s *Server) dashboard(c echo.Context) error {
	view := portfolio.ParseView(c.QueryParam("view"))
	d, err := s.Portfolio.Dashboard(c.Request().Context(), view)
	if err != nil {
		return err
	}
	risk := make([]charts.Bar, len(d.Risk))
	for i, r := range d.Risk {
		risk[i] = charts.Bar{Label: r.Label, Value: r.N, Class: r.Key}
	}
	findings := make([]charts.Bar, len(d.Findings))
	for i, f := range d.Findings {
		findings[i] = charts.Bar{Label: f.Label, Value: f.N, Class: f.Key}
	}
	page := dashboardPage{
		Dashboard: d,
		RiskChart: charts.Bars(charts.BarChart{ID: "chart-risk", Title: "Vendors by residual risk",
			Desc: fmt.Sprintf("The residual risk of the %d active vendors after their latest completed assessment", d.Vendors), Bars: risk}),
		FindingsChart: charts.Bars(charts.BarChart{ID: "chart-findings", Title: "Open findings by severity",
			Desc: "Findings of each vendor's latest completed assessment whose treatment is not done", Bars: findings}),
		Bands: charts.HeatBands(),
		Views: []viewLink{
			{"ISO/IEC 27001:2022 themes", homePath, view == portfolio.View2022},
			{"ISO/IEC 27001:2013 domains", homePath + "?view=2013", view == portfolio.View2013},
		},
	}
	for _, r := range d.Heat.Rows {
		row := heatRowView{HeatRow: r, TierLabel: vendors.TierLabel(r.Tier)}
		for i, cell := range r.Cells {
			col := d.Heat.Columns[i]
			v := heatCellView{Class: charts.HeatClass(cell.Score), Text: "—", Label: col.Title + ": not assessed"}
			if cell.Score != nil {
				v.Text = fmt.Sprintf("%.0f", *cell.Score)
				v.Label = fmt.Sprintf("%s: %.1f, grade %s", col.Title, *cell.Score, cell.Grade)
			}
			row.Cells = append(row.Cells, v)
		}
		page.Heat = append(page.Heat, row)
	}
	p := s.page(c, "Dashboard", "dashboard")
	p.Data = page
	return c.Render(http.StatusOK, "dashboard", p)
}
