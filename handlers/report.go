package handlers

import (
	"bytes"
	"net/http"
	"strings"

	"github.com/assayhq/assay/apperr"
	"github.com/assayhq/assay/frontend"
	"github.com/assayhq/assay/report"
	"github.com/assayhq/assay/storage/blobs"
	"github.com/labstack/echo/v4"
)

// The vendor risk report in the staff UI; the API's twin is in
// api_report.go. Every staff role may read reports: viewers are auditors
// and managers as often as not.
func init() {
	register(func(s *Server) {
		s.staffPage(http.MethodGet, "/app/assessments/:id/report", s.reportPage, anyStaff...)
	})
}

// reportView is the data of the report page. Standalone is the report as a
// document of its own (the API's HTML format), outside the staff layout.
type reportView struct {
	R           *report.Report
	Standalone  bool
	Stylesheet  string // absolute, so that a saved copy still finds it
	Methodology []report.Block
	Heads       reportHeads
	Base        string // the report's URL without a format
}

// reportHeads are the section headings, shared with the PDF.
type reportHeads struct {
	Summary, Scope, Methodology, Findings, NonConformities, Recommendations, Answers, Evidence string
}

var heads = reportHeads{report.HeadSummary, report.HeadScope, report.HeadMethodology, report.HeadFindings,
	report.HeadNonConformities, report.HeadRecommendations, report.HeadAnswers, report.HeadEvidence}

func (s *Server) reportPage(c echo.Context) error {
	return s.serveReport(c, false)
}

// serveReport answers ?format=html (the default), pdf, csv or json. The
// staff UI shows the HTML inside its layout; the API returns it as a
// standalone document.
func (s *Server) serveReport(c echo.Context, api bool) error {
	format := strings.ToLower(c.QueryParam("format"))
	if format == "" {
		format = "html"
	}
	if format != "html" && format != "pdf" && format != "csv" && format != "json" {
		return apperr.Wrapf(apperr.ErrBadRequest, "format %q is not one of html, pdf, csv and json", c.QueryParam("format"))
	}
	r, err := s.Reports.Build(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	h := c.Response().Header()
	switch format {
	case "json":
		return c.JSON(http.StatusOK, r)
	case "csv":
		var buf bytes.Buffer
		if err := report.WriteCSV(&buf, r); err != nil {
			return err
		}
		h.Set(echo.HeaderContentDisposition, blobs.ContentDisposition(r.Filename("csv")))
		return c.Blob(http.StatusOK, "text/csv; charset=utf-8", buf.Bytes())
	case "pdf":
		var buf bytes.Buffer
		if err := report.WritePDF(&buf, r); err != nil {
			return err
		}
		h.Set(echo.HeaderContentDisposition, blobs.ContentDisposition(r.Filename("pdf")))
		return c.Blob(http.StatusOK, "application/pdf", buf.Bytes())
	}
	p := s.page(c, "Vendor risk report: "+r.Vendor.Name, "reviews")
	p.Data = reportView{
		R: r, Standalone: api, Stylesheet: strings.TrimSuffix(s.Config.BaseURL, "/") + frontend.Asset("app.css"),
		Methodology: report.Methodology(), Heads: heads, Base: "/app/assessments/" + r.Assessment.ID + "/report",
	}
	return c.Render(http.StatusOK, "report/show", p)
}
