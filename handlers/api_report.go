package handlers

import (
	"net/http"

	"github.com/labstack/echo/v4"
)

// GET /api/v1/assessments/{id}/report?format=html|pdf|csv|json
// (shared/design/api.md): the vendor risk report for integrations.
func init() {
	register(func(s *Server) {
		s.staffAPI(http.MethodGet, "/api/v1/assessments/:id/report", s.apiReport, anyStaff...)
	})
}

func (s *Server) apiReport(c echo.Context) error {
	return s.serveReport(c, true)
}
