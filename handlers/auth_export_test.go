package handlers

import (
	"github.com/assayhq/assay/auth"
	"github.com/labstack/echo/v4"
)

// StaffAPIForTest declares a staff API route on a test's server, so the
// bearer middleware is tested on a route whose handler the test controls.
func (s *Server) StaffAPIForTest(method, path string, h echo.HandlerFunc, roles ...auth.Role) {
	s.staffAPI(method, path, h, roles...)
}
